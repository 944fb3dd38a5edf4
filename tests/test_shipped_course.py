"""The PAT peer-support course that moocpack ships: valid, complete, faithful to its sources."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest

from conftest import SEEDS, SHIPPED
from moocpack import loader
from moocpack.problems import Report


@pytest.fixture(scope="module")
def course():
    return loader.load(SHIPPED, "en", Report(SHIPPED))


def test_validates_with_exit_status_0(cli):
    code, stdout, _ = cli("validate", SHIPPED)
    assert code == 0, stdout
    assert "0 error(s)" in stdout


def test_info_shows_the_pat_framework_whole_and_everything_tagged(cli):
    code, stdout, _ = cli("info", SHIPPED, "--json")
    assert code == 0
    info = json.loads(stdout)["courses"][0]
    pat = next(f for f in info["frameworks"] if f["id"] == "pat")
    assert (pat["categories"], pat["items"]) == (12, 63)
    assert info["outcomes_tagged"] == info["outcomes"] > 0
    assert info["questions_tagged"] == info["questions"] > 0
    code, text, _ = cli("info", SHIPPED)
    assert "framework pat: 12 categories, 63 items" in text


def test_every_question_type_is_used(course):
    types = {q.type for q in course.questions}
    assert types == {"single_choice", "multiple_response", "true_false", "matching", "short_text", "essay", "likert"}


def test_pat_items_are_numbered_per_category_as_in_the_framework(course):
    pat = next(f for f in course.frameworks if f.id == "pat")
    assert [c.number for c in pat.categories] == [f"{n:02d}" for n in range(1, 13)]
    assert [len(c.items) for c in pat.categories] == [4, 4, 4, 4, 6, 6, 4, 5, 7, 5, 8, 6]


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seed documents are in ../shared/seeds")
def test_norwegian_framework_text_is_exactly_the_seed_text():
    seed = "\n".join(p.read_text("utf-8") for p in sorted(SEEDS.glob("*.txt")))
    course = loader.load(SHIPPED, "nb", Report(SHIPPED))
    pat = next(f for f in course.frameworks if f.id == "pat")
    for category in pat.categories:
        assert category.title.lang == "nb"
        assert str(category.title) in seed, category.id
        for item in category.items:
            assert item.text.lang == "nb"
            assert f"{item.number}. {item.text}" in seed, item.id


def test_english_framework_text_says_it_is_a_translation(course):
    pat = next(f for f in course.frameworks if f.id == "pat")
    assert pat.translation_note and "translation" in pat.translation_note
    assert all(item.text.lang == "en" for item in pat.items)


def test_secrecy_worksheet_is_a_discussion_every_answer_recorded_none_graded(course):
    """The source asks the group to discuss each situation and gives no answers: each row is a
    question whose every answer is accepted, with the course team's notes shown once answered."""
    unit = next(u for u in course.units if u.id == "unit-02")
    quiz = next(q for q in unit.quizzes if q.id == "quiz-secrecy-confidentiality")
    assert not quiz.graded and len(quiz.questions) == 13 and quiz.max_points == 0
    for question in quiz.questions:
        assert question.type == "single_choice" and not question.graded
        assert len(question.correct_options) == len(question.options) == 3  # yes, no, it depends
        assert "pat.09.5" in question.competences
        assert "discuss" in question.feedback.lower()
    sheet = next(w for w in unit.worksheets if w.id == "ws3-secrecy-confidentiality")
    assert "course team" in sheet.key_author
    assert len(sheet.notes) == 13  # the facilitator's copy prints them beside the rows
    # The Spanish cells of the extraction are translated.
    cells = " ".join(str(v) for row in sheet.rows for v in row.cells.values())
    assert not re.search(r"Derivación|Monitor y|Cliente que", cells)


def test_the_graded_quiz_asks_only_what_the_unit_teaches(course):
    """Unit 9's graded quiz: its questions rest on the unit's pages, the triangles' roles on the
    course team's page that teaches them."""
    unit = next(u for u in course.units if u.id == "unit-09")
    quiz = next(q for q in unit.quizzes if q.graded)
    taught = " ".join(str(p.body) for p in unit.pages)
    for word in ("Drama Triangle", "Rescuer", "self-efficacy", "empowering"):
        assert word in taught
    assert {q.type for q in quiz.questions} >= {
        "matching",
        "single_choice",
        "multiple_response",
        "true_false",
        "short_text",
    }
    assert next(p for p in unit.pages if p.id == "triangles-in-practice").credit == "Text by the course team"


def test_seed_faults_are_fixed(course):
    unit = next(u for u in course.units if u.id == "unit-02")
    first = unit.activities[0]
    assert first.procedure.count("Introduce the participants shortly") == 1
    # Worksheet titles follow the worksheet pages: 1 "Me as a role model", 2 "My role model".
    by_title = {str(a.title): a.worksheet for a in unit.activities if a.worksheet}
    assert by_title["My role model"].number == "2" and str(by_title["My role model"].title) == "My role model"
    assert by_title["Me as a role model"].number == "1"


def test_story_of_tomas_has_its_five_reflection_questions(course):
    unit = next(u for u in course.units if u.id == "unit-02")
    case = unit.cases[0]
    assert str(case.title) == "Story of Tomas"
    assert len(case.questions) == 5
    assert all(q.type == "essay" and not q.graded and q.competences for q in case.questions)


def test_translations_keep_the_projects_own_text_and_translate_the_rest(course):
    nb = loader.load(SHIPPED, "nb", Report(SHIPPED))
    fr = loader.load(SHIPPED, "fr", Report(SHIPPED))
    assert nb.project.lang == "nb" and "Tuto3" in nb.project
    assert fr.project.lang == "fr" and "pairs aidants" in fr.project
    # The rest is the course team's translation, nothing left in English.
    assert nb.units[0].title == "Et dypere blikk på rollen som erfaringskonsulent" and nb.units[0].title.lang == "nb"
    assert fr.units[0].introduction.lang == "fr"
    assert "kursteamet" in nb.translation_notice and "l'équipe du cours" in fr.translation_notice


def test_building_twice_gives_byte_identical_packages(tmp_path: Path, cli):
    first, second = tmp_path / "one", tmp_path / "two"
    assert cli("build", SHIPPED, "--out", first)[0] == 0
    assert cli("build", SHIPPED, "--out", second)[0] == 0
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in second.iterdir())
    assert len(names) >= 3
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_source_date_epoch_sets_every_timestamp(tmp_path: Path, cli, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert cli("build", SHIPPED, "--out", tmp_path, "--format", "html", "--lang", "en")[0] == 0
    with zipfile.ZipFile(tmp_path / "pat-peer-support-1.0.0-en-html.zip") as archive:
        stamps = {info.date_time for info in archive.infolist()}
        names = [info.filename for info in archive.infolist()]
    assert stamps == {(2023, 11, 14, 22, 13, 20)}
    assert names == sorted(names)
