"""Loading a course into the model: questions built from worksheets, languages, safety."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import MINI, SHIPPED, edit
from moocpack import loader, markup, yamlfile
from moocpack.problems import CourseError, Report


def load(root: Path, lang: str = "en"):
    report = Report(root)
    return loader.load(root, lang, report), report


def test_a_classification_table_becomes_one_true_false_question_per_row(mini):
    course, _ = load(mini)
    quiz = course.units[0].quizzes[0]
    built = [q for q in quiz.questions if q.source == "worksheet:w1"]
    assert [q.id for q in built] == ["w1.r1", "w1.r2"]
    assert [[o.correct for o in q.options] for q in built] == [[True, False], [False, True]]
    assert "Talking in the corridor" in built[0].stem and "Who hears" in built[0].stem
    assert built[0].competences == ("fw.a.1",)  # via the answer key's outcome lo-1
    assert "Others can hear." in built[0].feedback


def test_a_two_column_table_becomes_a_matching_question(mini):
    (mini / "en/worksheets/w1.yaml").write_text(
        (mini / "en/worksheets/w1.yaml").read_text().split("answer_key:")[0]
        + "answer_key:\n  build: matching\n  prompt_column: situation\n  answer_column: who\n  outcomes: [lo-1]\n"
    )
    course, _ = load(mini)
    question = next(q for q in course.units[0].quizzes[0].questions if q.id == "w1")
    assert question.type == "matching"
    assert [(str(p.prompt), str(p.answer)) for p in question.pairs] == [
        ("Talking in the corridor", "Everyone"),
        ("Talking behind a closed door", "Nobody else"),
    ]


def test_reflection_prompts_become_ungraded_essays_with_placeholders_filled(mini):
    (mini / "en/worksheets/w1.yaml").write_text(
        (mini / "en/worksheets/w1.yaml").read_text().split("answer_key:")[0]
        + "answer_key:\n  build: essay\n  stem: 'What would you do about **{situation}**?'\n  outcomes: [lo-2]\n"
    )
    course, _ = load(mini)
    essays = [q for q in course.units[0].quizzes[0].questions if q.source == "worksheet:w1"]
    assert [q.type for q in essays] == ["essay", "essay"]
    assert "<strong>Talking in the corridor</strong>" in essays[0].stem
    assert not any(q.graded for q in essays)


def test_case_questions_are_essays_with_case_prefixed_ids(mini):
    course, _ = load(mini)
    reflection = course.units[0].quizzes[1]
    assert reflection.questions[0].id == "case-1.q1"
    assert reflection.questions[0].type == "essay" and not reflection.questions[0].graded


def test_effective_competences_are_direct_plus_those_of_outcomes(mini):
    edit(
        mini / "en/units/u1.yaml",
        "stem: Pick the right one.\n    outcomes: [lo-1]",
        "stem: Pick the right one.\n    outcomes: [lo-1]\n    competences: [fw.a.2]",
    )
    course, _ = load(mini)
    question = next(q for q in course.questions if q.id == "q-single")
    assert set(question.competences) == {"fw.a.1", "fw.a.2"}


def test_graded_points_count_only_graded_questions(mini):
    course, _ = load(mini)
    graded, reflection = course.units[0].quizzes
    assert graded.max_points == 6  # two rows, single, multiple, matching, short text
    assert reflection.max_points == 0 and not reflection.graded


def test_a_translation_overrides_text_and_marks_its_language(mini):
    course, report = load(mini, "nb")
    assert str(course.title) == "Minikurs" and course.title.lang == "nb"
    assert str(course.units[0].outcomes[0].text) == "Skille brudd fra ikke-brudd"
    assert course.units[0].outcomes[1].text.lang == "en"  # falls back, marked as English
    missing = report.untranslated("nb")
    # Said where the untranslated text is: the source file, at the string's own line.
    notice = next(p for p in missing if p.pointer == "/outcomes/lo-2/text")
    assert notice.file.endswith("en/units/u1.yaml") and notice.line > 1 and notice.language == "nb"
    source_lines = (mini / "en/units/u1.yaml").read_text("utf-8").splitlines()
    assert "Describe" in source_lines[notice.line - 1] or "text:" in source_lines[notice.line - 1]
    # Interface strings come from moocpack's Norwegian catalogue.
    assert course.message("true") == "Sant"


def test_structure_can_never_drift_between_languages(mini):
    en, _ = load(mini, "en")
    nb, _ = load(mini, "nb")
    for a, b in zip(en.questions, nb.questions):
        assert (a.id, a.type, a.points, a.competences) == (b.id, b.type, b.points, b.competences)
        assert [o.correct for o in a.options] == [o.correct for o in b.options]


def test_framework_text_falls_back_to_the_course_source_language(mini):
    course, _ = load(mini, "nb")
    item = course.competence("fw.a.1")
    assert (str(item.text), item.text.lang) == ("Holder taushetsplikt", "nb")
    assert course.competence("fw.a.2").text.lang == "en"


def test_unknown_language_is_an_error(mini):
    with pytest.raises(CourseError) as failure:
        load(mini, "de")
    assert "not one of the course's languages" in str(failure.value.report.errors[0])


def test_the_model_is_immutable(mini):
    course, _ = load(mini)
    with pytest.raises(AttributeError):
        course.title = "changed"  # type: ignore[misc]


class TestYaml:
    def read(self, tmp_path: Path, text: str):
        path = tmp_path / "f.yaml"
        path.write_text(text, "utf-8")
        return yamlfile.read(path)

    def test_positions_are_kept_for_values_and_keys(self, tmp_path):
        doc = self.read(tmp_path, "a: 1\nlist:\n  - id: x\n    title: T\n")
        assert doc.position("/list/0/title") == (4, 12)
        assert doc.position("/list/0/title", key=True) == (4, 5)
        assert doc.position("/list/0/missing") == (3, 5)

    @pytest.mark.parametrize(
        "text, message",
        [
            ("a: &x [1]\nb: *x\n", "aliases"),
            ("a: 1\na: 2\n", "duplicate key"),
            ("<<: {a: 1}\n", "merge keys"),
            ("a: !!python/name:os.system\n", "unsupported YAML value"),
            ("a: !!binary aGVsbG8=\n", "binary"),
            ("? [a]\n: 1\n", "mapping keys"),
        ],
    )
    def test_unsafe_or_ambiguous_yaml_is_refused(self, tmp_path, text, message):
        with pytest.raises(yamlfile.YamlError) as failure:
            self.read(tmp_path, text)
        assert message in failure.value.message

    def test_a_billion_laughs_document_is_refused_without_expanding_it(self, tmp_path):
        lines = ['a0: &a0 ["lol"]'] + [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
        with pytest.raises(yamlfile.YamlError) as failure:
            self.read(tmp_path, "\n".join(lines) + "\n")
        assert "aliases" in failure.value.message

    def test_dates_stay_iso_text(self, tmp_path):
        assert self.read(tmp_path, "date: 2025-01-31\n").data == {"date": "2025-01-31"}


class TestSanitiser:
    def test_allowed_markup_survives(self):
        out = markup.render("**bold** [link](https://example.org) <abbr title='x'>X</abbr>")
        assert "<strong>bold</strong>" in out.html and 'href="https://example.org"' in out.html
        assert "<abbr" in out.html and not out.removed

    @pytest.mark.parametrize(
        "source, removed",
        [
            ("<script>alert(1)</script>", "<script> element"),
            ("<img src=x onerror=alert(1)>", "onerror attribute on <img>"),
            ('<a href="javascript:alert(1)">x</a>', "'javascript:' link"),
            ("<iframe src=https://x></iframe>", "<iframe> element"),
            ("<style>body{}</style>", "<style> element"),
        ],
    )
    def test_dangerous_markup_is_removed_and_reported(self, source, removed):
        out = markup.render(source)
        assert removed in out.removed
        assert "alert" not in out.html and "<iframe" not in out.html and "<style" not in out.html

    def test_text_characters_are_escaped(self):
        out = markup.render('a < b & "c" — æøå')
        assert "a &lt; b &amp;" in out.html and "æøå" in out.html


def test_the_compiled_schema_and_jsonschema_agree_on_what_is_valid():
    """The fast path (fastjsonschema) decides only whether jsonschema is asked to explain: both
    must give the same verdict, on valid files and on every kind of broken one."""
    import copy

    from conftest import SHIPPED
    from moocpack import schema, yamlfile

    kinds = {"course.yaml": "course", "units": "unit", "worksheets": "worksheet", "competences": "competences"}
    checked = 0
    for path in sorted(SHIPPED.rglob("*.yaml")):
        if path.parts[-2] == "en" and path.name == "course.yaml":
            kind = "course"
        elif path.parent.parent.name == "en" or path.parent.name == "competences":
            kind = kinds.get(path.parent.name)
        else:
            continue
        if kind is None:
            continue
        data = yamlfile.read(path).data
        variants = [data]
        for mutate in (
            lambda d: d.pop("id"),
            lambda d: d.update(id="Not An Id"),
            lambda d: d.update(id="x\n"),
            lambda d: d.update(unknown_field=1),
            lambda d: d.update(title=42),
        ):
            changed = copy.deepcopy(data)
            mutate(changed)
            variants.append(changed)
        for variant in variants:
            slow = not list(schema.validator(kind).iter_errors(variant))
            fast = True
            try:
                schema._fast(kind)(variant)
            except Exception:
                fast = False
            assert slow == fast, (path.name, kind)
            checked += 1
    assert checked >= 40


@pytest.mark.parametrize("name", ["partly", "mini"])
def test_validate_reports_what_loading_reports_without_building_the_model(name, request):
    """`validate` asks report_translation() for each language instead of loading it: the same
    problems, missing and stale translations and framework fallbacks alike."""
    from moocpack import loader
    from moocpack.problems import Report

    course_path = request.getfixturevalue("partly_translated") if name == "partly" else MINI
    for lang in ("en", "nb", "fr") if name == "partly" else ("en", "nb"):
        loaded, reported = Report(course_path), Report(course_path)
        checked = loader.check(course_path, Report(course_path))
        loader.load(course_path, lang, loaded, checked=checked)
        loader.report_translation(course_path, lang, reported, loader.check(course_path, Report(course_path)))
        assert reported.sorted() == loaded.sorted() and (lang == "en" or reported.problems)


def _tagged(value):
    """A merged file's data with each text's language made visible (Text == str ignores it)."""
    if isinstance(value, dict):
        return {key: _tagged(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_tagged(item) for item in value]
    return (type(value).__name__, getattr(value, "lang", None), value)


@pytest.mark.parametrize("course_path", [SHIPPED, MINI], ids=["shipped", "mini"])
def test_the_model_merges_translations_as_the_check_does(course_path):
    """Loading a checked course merges each file without noting what is missing (the check said
    it): the same text, in the same language, value for value, for every file and language."""
    from moocpack.translation import Merge, merged_text

    checked = loader.check(course_path, Report(course_path))
    files = [("course.yaml", checked.course, "course")]
    files += [(f"units/{uid}.yaml", doc, "unit") for uid, doc in checked.units.items()]
    files += [(f"worksheets/{wid}.yaml", doc, "worksheet") for wid, doc in checked.worksheets.items()]
    compared = 0
    for lang in checked.languages:
        for rel, doc, kind in files:
            target = doc if lang == checked.source_language else checked.translations.get(lang, {}).get(rel)
            full = Merge(checked.source_language, lang, rel, target).run(doc.data, kind)
            assert _tagged(merged_text(doc.data, target, kind, checked.source_language, lang)) == _tagged(full), (
                lang,
                rel,
            )
            compared += 1
    assert compared >= 6


def test_the_quiet_merge_falls_back_where_the_full_merge_reports(tmp_path):
    """Translations the check would refuse (wrong types, unknown or repeated ids, blank text)
    fall back to the source in both merges alike: the model never depends on which one ran."""
    from moocpack.translation import Merge, merged_text

    (tmp_path / "source.yaml").write_text(
        "id: u1\ntitle: Unit\nsummary: Short\noutcomes:\n  - id: lo-1\n    text: One\n  - id: lo-2\n    text: Two\n"
        "activities:\n  - id: a1\n    title: Act\n    duration: 10 min\n"
    )
    (tmp_path / "target.yaml").write_text(
        "title: '  '\nsummary: [not, text]\nduration: 5 min\noutcomes:\n  - id: lo-2\n    text: To\n"
        "  - id: lo-2\n    text: Zwei\n  - id: lo-9\n    text: Ni\n  - text: no id\nactivities: {a1: wrong}\n"
    )
    source, target = yamlfile.read(tmp_path / "source.yaml"), yamlfile.read(tmp_path / "target.yaml")
    full = Merge("en", "nb", "units/u1.yaml", target)
    expected = full.run(source.data, "unit")
    assert full.errors  # what the check reports; the model does not repeat it
    assert _tagged(merged_text(source.data, target, "unit", "en", "nb")) == _tagged(expected)
    assert [(str(o["text"]), o["text"].lang) for o in expected["outcomes"]] == [("One", "en"), ("Zwei", "nb")]
