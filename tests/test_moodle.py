"""Moodle backups: the structure Moodle's restore reads, checked file by file, and compared with a
backup made by a real Moodle 4.5 (../shared/reference/moodle)."""

from __future__ import annotations

import csv
import hashlib
import io
import tarfile
from collections import defaultdict
from pathlib import Path

import pytest
from lxml import etree

from conftest import ROOT, SHIPPED, edit

REFERENCE = ROOT.parent / "shared" / "reference" / "moodle"
ROOT_FILES = [
    "moodle_backup.xml",
    "files.xml",
    "questions.xml",
    "groups.xml",
    "outcomes.xml",
    "roles.xml",
    "scales.xml",
]
COURSE_FILES = ["course.xml", "roles.xml", "inforef.xml", "competencies.xml"]
ACTIVITY_FILES = ["module.xml", "grades.xml", "roles.xml", "inforef.xml", "competencies.xml"]
# What the backup declares it leaves out (root settings 0), Moodle's own backup does not write.
LEFT_OUT = {
    "filters": "filters.xml",
    "comments": "comments.xml",
    "calendarevents": "calendar.xml",
    "xapistate": "xapistate.xml",
    "contentbankcontent": "contentbank.xml",
}


def read_mbz(data: bytes) -> dict[str, bytes]:
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}


def build(course: Path, out: Path, languages=None) -> dict[str, Path]:
    from moocpack.builder import build as run
    from moocpack.exporter import registry
    from moocpack.problems import Report

    results = run(course, {"moodle": registry()["moodle"].exporter}, languages, out, Report(course))
    return {r.language: r.package.path for r in results}


@pytest.fixture(scope="module")
def shipped(tmp_path_factory) -> dict[str, dict[str, bytes]]:
    out = tmp_path_factory.mktemp("mbz")
    return {lang: read_mbz(path.read_bytes()) for lang, path in build(SHIPPED, out).items()}


def xml(files: dict[str, bytes], name: str) -> etree._Element:
    return etree.fromstring(files[name])


def test_every_file_the_restore_needs_is_there_and_parses(shipped):
    for lang, files in shipped.items():
        for name in files:
            if name.endswith(".xml"):
                etree.fromstring(files[name])  # raises if not well-formed
        assert set(ROOT_FILES) <= set(files)
        assert {f"course/{n}" for n in COURSE_FILES} <= set(files)
        backup = xml(files, "moodle_backup.xml")
        for section in backup.find(".//contents/sections"):
            assert f"{section.findtext('directory')}/section.xml" in files
        for activity in backup.find(".//contents/activities"):
            directory, module = activity.findtext("directory"), activity.findtext("modulename")
            for name in ACTIVITY_FILES + [f"{module}.xml"]:
                assert f"{directory}/{name}" in files, (lang, directory, name)
            assert not {f"{directory}/{name}" for name in LEFT_OUT.values()} & set(files)
        settings = {
            s.findtext("name"): s.findtext("value") for s in backup.iter("setting") if s.findtext("level") == "root"
        }
        assert all(settings[name] == "0" for name in LEFT_OUT), settings
        assert not {f"course/{name}" for name in LEFT_OUT.values()} & set(files)


def test_the_backup_declaration_is_what_moodle_sniffs_for(shipped):
    head = shipped["en"]["moodle_backup.xml"][:200]
    assert head.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<moodle_backup>')
    assert b"<information>" in head


def test_sections_hold_their_activities_and_ids_cross_reference(shipped):
    files = shipped["en"]
    backup = xml(files, "moodle_backup.xml")
    activities = {a.findtext("moduleid"): a for a in backup.find(".//contents/activities")}
    in_sections = []
    for section in backup.find(".//contents/sections"):
        node = xml(files, f"{section.findtext('directory')}/section.xml")
        sequence = [s for s in (node.findtext("sequence") or "").split(",") if s]
        in_sections += sequence
        for moduleid in sequence:
            assert activities[moduleid].findtext("sectionid") == node.get("id")
    assert sorted(in_sections) == sorted(activities)
    names = [s.findtext("title") for s in backup.find(".//contents/sections")]
    assert names[1:] == [
        "Unit 2 Delving deeper in the figure of a peer support agent",
        "Unit 2.6 Ability to work with difference",
        "Unit 9 Peer relationship",
    ]
    contexts = []
    for activity in activities.values():
        directory, module = activity.findtext("directory"), activity.findtext("modulename")
        root = xml(files, f"{directory}/{module}.xml")
        assert root.get("moduleid") == activity.findtext("moduleid")
        contexts.append(root.get("contextid"))
        module_xml = xml(files, f"{directory}/module.xml")
        assert module_xml.findtext("modulename") == module
    assert len(contexts) == len(set(contexts))


def test_quizzes_reference_question_bank_entries_in_listed_categories(shipped):
    files = shipped["en"]
    bank = xml(files, "questions.xml")
    entries = {e.get("id"): e for e in bank.iter("question_bank_entry")}
    categories = {c.get("id") for c in bank.iter("question_category")}
    listed = {n.text for n in xml(files, "course/inforef.xml").iter("id")}
    assert categories <= listed, "a category no inforef lists is skipped by the restore"
    quizzes = [name for name in files if name.endswith("/quiz.xml")]
    assert len(quizzes) == 2
    for name in quizzes:
        quiz = xml(files, name)
        for reference in quiz.iter("question_reference"):
            assert reference.findtext("questionbankentryid") in entries
            assert reference.findtext("usingcontextid") == quiz.get("contextid")
        slots = [int(s.findtext("slot")) for s in quiz.iter("question_instance")]
        assert slots == list(range(1, len(slots) + 1))
        total = sum(float(s.findtext("maxmark")) for s in quiz.iter("question_instance"))
        assert abs(total - float(quiz.findtext(".//sumgrades"))) < 1e-6
    secrecy = next(xml(files, n) for n in quizzes if b"secrecy" in files[n].lower())
    assert len(list(secrecy.iter("question_instance"))) == 13


def answers(question: etree._Element) -> list[float]:
    return [float(a.findtext("fraction")) for a in question.iter("answer")]


def test_every_question_is_answerable_for_full_marks(shipped):
    for files in shipped.values():
        for question in xml(files, "questions.xml").iter("question"):
            qtype = question.findtext("qtype")
            fractions = answers(question)
            if qtype == "multichoice":
                single = question.findtext(".//multichoice/single") == "1"
                if single:
                    assert max(fractions) == 1  # (a discussion question: every option is 1)
                else:
                    assert abs(sum(f for f in fractions if f > 0) - 1) < 1e-5
            elif qtype == "truefalse":
                assert sorted(fractions) == [0, 1]
                ids = {a.get("id") for a in question.iter("answer")}
                assert {question.findtext(".//trueanswer"), question.findtext(".//falseanswer")} == ids
            elif qtype == "shortanswer":
                assert 1 in fractions
            elif qtype == "match":
                assert len(list(question.iter("match"))) >= 2
            else:
                assert qtype == "essay"
            assert float(question.findtext("defaultmark")) > 0
            assert [t.findtext("rawname") for t in question.iter("tag")], "every question is tagged"


def test_discussion_questions_accept_every_answer_for_no_marks(shipped):
    files = shipped["en"]
    discussion = [
        q
        for q in xml(files, "questions.xml").iter("question")
        if "+ws3-secrecy-confidentiality." in q.findtext("stamp")
    ]
    assert len(discussion) == 13
    for question in discussion:
        assert question.findtext("qtype") == "multichoice" and answers(question) == [1.0, 1.0, 1.0]
        assert "discuss" in question.findtext("generalfeedback").lower()
    secrecy = next(xml(files, n) for n in files if n.endswith("/quiz.xml") and b"secrecy" in files[n].lower())
    marks = [float(s.findtext("maxmark")) for s in secrecy.iter("question_instance")]
    assert marks == [0.0] * 13 and float(secrecy.findtext(".//grade")) == 0  # out of the gradebook


def test_grade_items_completion_and_pass_grade(shipped):
    files = shipped["en"]
    graded = 0
    for name in [n for n in files if n.endswith("/quiz.xml")]:
        directory = name.rsplit("/", 1)[0]
        item = xml(files, f"{directory}/grades.xml").find(".//grade_item")
        if float(xml(files, name).findtext(".//grade")) == 0:
            # An ungraded quiz (the secrecy discussion): no grade item, complete once an attempt is in.
            assert item is None
            module = xml(files, f"{directory}/module.xml")
            assert (module.findtext("completion"), module.findtext("completionview")) == ("2", "0")
            assert xml(files, name).findtext(".//completionminattempts") == "1"
            continue
        graded += 1
        grademax, gradepass = float(item.findtext("grademax")), float(item.findtext("gradepass"))
        assert grademax > 0 and abs(gradepass - 0.7 * grademax) < 1e-4
        assert item.findtext("iteminstance") == xml(files, name).find("quiz").get("id")
        module = xml(files, f"{directory}/module.xml")
        assert (
            module.findtext("completion"),
            module.findtext("completionpassgrade"),
            module.findtext("completiongradeitemnumber"),
        ) == ("2", "1", "0")
    hidden = 0
    for name in [n for n in files if n.endswith("/page.xml")]:
        module = xml(files, name.replace("page.xml", "module.xml"))
        if module.findtext("visible") == "0":  # facilitator content: teachers only, nothing to complete
            hidden += 1
            assert (module.findtext("completion"), module.findtext("completionview")) == ("0", "0")
        else:
            assert (module.findtext("completion"), module.findtext("completionview")) == ("2", "1")
    assert graded == 1  # unit 9's quiz
    # Unit 2's materials, its session-opening page and closure, and the trainer's procedure of 6 activities.
    assert hidden == 3 + 6
    course = xml(files, "course/course.xml")
    assert course.findtext("enablecompletion") == "1" and course.findtext("format") == "topics"


def test_reflections_and_self_assessments_are_feedback_activities(shipped):
    files = shipped["nb"]
    feedbacks = [xml(files, n) for n in files if n.endswith("/feedback.xml")]
    assert len(feedbacks) == 3
    likert = next(f for f in feedbacks if f.find(".//typ").text == "multichoice")
    likert_item = next(i for i in likert.iter("item") if i.findtext("typ") == "multichoice")
    assert likert_item.findtext("presentation").startswith("r>>>>>Ennå ikke en del av praksisen min|")
    # A competence longer than an item's name (255 characters, some in French) is a label above its item.
    likert = next(
        f
        for f in (xml(shipped["fr"], n) for n in shipped["fr"] if n.endswith("/feedback.xml"))
        if any(i.findtext("typ") == "multichoice" for i in f.iter("item"))
    )
    long = [i for i in likert.iter("item") if i.findtext("typ") == "label"]
    assert long and all(len(i.findtext("presentation")) > 255 for i in long)
    for item in likert.iter("item"):
        assert len(item.findtext("name")) <= 255
    assert xml(files, "course/course.xml").findtext("lang") == "no"  # Moodle's code for Bokmål


def test_competencies_link_to_the_framework_csv(shipped, tmp_path):
    files = shipped["en"]
    out = build(SHIPPED, tmp_path, ["en"])["en"].parent
    rows = []
    for path in out.glob("*-competences-*.csv"):
        table = list(csv.reader(io.StringIO(path.read_text("utf-8"))))
        assert all(len(r) == 14 for r in table)
        assert [r[12] for r in table[1:]].count("1") == 1  # one framework row per file
        rows += table[1:]
    known = {(r[1] if r[12] == "1" else None) for r in rows} - {None}
    items = {r[1] for r in rows if r[12] != "1"}
    links = [c for name in files if name.endswith("competencies.xml") for c in xml(files, name).iter("competency")]
    assert links
    for link in links:
        assert link.findtext("frameworkidnumber") in known and link.findtext("idnumber") in items
    settings = {
        s.findtext("name"): s.findtext("value")
        for s in xml(files, "moodle_backup.xml").iter("setting")
        if s.findtext("level") == "root"
    }
    assert settings["competencies"] == "1" and settings["questionbank"] == "1" and settings["users"] == "0"


def test_files_are_stored_by_content_hash_and_referenced(mini, tmp_path):
    files = read_mbz(build(mini, tmp_path, ["en"])["en"].read_bytes())
    records = list(xml(files, "files.xml").iter("file"))
    image = next(r for r in records if r.findtext("filename") == "dot.png")
    digest = image.findtext("contenthash")
    data = files[f"files/{digest[:2]}/{digest}"]
    assert hashlib.sha1(data).hexdigest() == digest
    referenced = {
        n.text
        for name in files
        if name.endswith("inforef.xml")
        for n in xml(files, name).iter("id")
        if n.getparent().tag == "file"
    }
    assert {r.get("id") for r in records} <= referenced
    section = next(xml(files, n) for n in files if n.endswith("section.xml") and b"@@PLUGINFILE@@" in files[n])
    assert "@@PLUGINFILE@@/dot.png" in section.findtext("summary")


def test_html_and_unicode_survive_the_xml(mini, tmp_path):
    edit(mini / "en/units/u1.yaml", "stem: Pick the right one.", 'stem: "Pick **the** right & \\"one\\" – æøå <3"')
    files = read_mbz(build(mini, tmp_path, ["nb"])["nb"].read_bytes())
    raw = files["questions.xml"].decode()
    assert "&lt;strong&gt;the&lt;/strong&gt;" in raw  # HTML is stored as escaped text
    question = next(q for q in xml(files, "questions.xml").iter("question") if q.findtext("qtype") == "multichoice")
    # Not translated into Norwegian: the English stem keeps its language, under a Norwegian notice.
    assert question.findtext("questiontext").endswith(
        '<div lang="en"><p>Pick <strong>the</strong> right &amp; "one" – æøå &lt;3</p></div>'
    )
    assert question.findtext("questiontext").startswith('<p class="fallback-notice" role="note"><em>Ikke oversatt')


def element_paths(root: etree._Element, prefix: str = "") -> set[str]:
    paths = set()
    for child in root:
        if not isinstance(child.tag, str):
            continue
        path = f"{prefix}/{child.tag}"
        paths.add(path)
        paths |= element_paths(child, path)
    return paths


@pytest.mark.skipif(not REFERENCE.is_dir(), reason="the Moodle reference backups are in ../shared/reference/moodle")
def test_element_names_match_a_backup_made_by_moodle_45(shipped):
    reference = read_mbz((REFERENCE / "moodle45-reference-course.mbz").read_bytes())
    minimal = read_mbz((REFERENCE / "handwritten-minimal.mbz").read_bytes())

    def kinds(files):
        found = defaultdict(set)
        for name, data in files.items():
            if not name.endswith(".xml"):
                continue
            base = name.split("/")[-1]
            if name.startswith("activities/"):
                module = name.split("/")[1].split("_")[0]
                kind = f"{module}/{base}" if base == f"{module}.xml" else f"activity/{base}"
            else:
                kind = base
            found[kind] |= element_paths(etree.fromstring(data))
        return found

    ours = kinds(shipped["en"])
    theirs = kinds(reference)
    # Written by mod/quiz/backup/moodle2/backup_quiz_stepslib.php ('feedback' element with quizid,
    # feedbacktext, feedbacktextformat, mingrade, maxgrade); the reference quiz has no overall feedback.
    theirs["quiz/quiz.xml"] |= {"/quiz/feedbacks/feedback"} | {
        f"/quiz/feedbacks/feedback/{f}"
        for f in ("quizid", "feedbacktext", "feedbacktextformat", "mingrade", "maxgrade")
    }
    for kind, paths in kinds(minimal).items():
        theirs[kind] |= paths
    compared = 0
    for kind, paths in ours.items():
        if kind not in theirs:
            continue
        unknown = {p for p in paths if p not in theirs[kind]}
        assert not unknown, f"{kind}: elements a Moodle backup does not have: {sorted(unknown)[:5]}"
        compared += 1
    assert compared >= 15


def test_one_multilingual_backup_for_the_multi_language_filter(tmp_path, cli):
    code, _, stderr = cli("build", SHIPPED, "--format", "moodle", "--set", "moodle_multilang=1", "--out", tmp_path)
    assert code == 0, stderr
    files = read_mbz((tmp_path / "pat-peer-support-1.0.0-mul-moodle.mbz").read_bytes())
    course = xml(files, "course/course.xml")
    summary = course.findtext("summary")
    for lang in ("en", "no", "fr"):
        assert f'<span lang="{lang}" class="multilang">' in summary
    assert "pairs aidants" in summary and "Tuto3-prosjektet" in summary
    assert course.findtext("lang") == "" and course.findtext("shortname") == "pat-peer-support-1.0.0-mul"
    # Structure is that of every single-language backup: same XML files, same ids; the file store
    # holds each language's version of a file that has one (handouts, drawings with labels), each
    # recorded once and none with language spans in its name.
    single = read_mbz((tmp_path / "pat-peer-support-1.0.0-en-moodle.mbz").read_bytes())
    assert {n for n in files if not n.startswith("files/")} == {n for n in single if not n.startswith("files/")}
    assert set(single) < set(files)
    records = xml(files, "files.xml").findall("file")
    names = [(r.findtext("contextid"), r.findtext("filearea"), r.findtext("filename")) for r in records]
    assert len(names) == len(set(names)) and not any("multilang" in name for _, _, name in names)
    for lang in ("en", "nb", "fr"):
        assert any(name == f"ws3-secrecy-confidentiality.{lang}.pdf" for _, _, name in names)
        assert any(name == f"triangles.{lang}.svg" for _, _, name in names)
    # Plain-text fields are escaped inside their spans; everything still parses.
    for name in files:
        if name.endswith(".xml"):
            etree.fromstring(files[name])
    # Moodle grades a short answer on its plain text: every language's answers, no spans.
    drama = next(
        q for q in xml(files, "questions.xml").iter("question") if q.findtext("stamp").endswith("q-drama-triangle")
    )
    accepted = [a.findtext("answertext") for a in drama.iter("answer")]
    assert {"Drama Triangle", "Dramatrekanten", "Triangle dramatique"} <= set(accepted)
    assert not any("multilang" in a for a in accepted)
    # A feedback multiple choice keeps its type and separators plain, each option in spans.
    likert = next(
        i
        for n in files
        if n.endswith("/feedback.xml")
        for i in xml(files, n).iter("item")
        if i.findtext("typ") == "multichoice"
    )
    presentation = likert.findtext("presentation")
    assert presentation.startswith("r>>>>><span") and presentation.count("|") == 3
    assert '<span lang="no" class="multilang">Ennå ikke en del av praksisen min</span>' in presentation


def every_limited_field(files: dict[str, bytes]):
    from moocpack_exporters.moodle.columns import limit

    for name, data in files.items():
        if name.endswith(".xml"):
            for node in etree.fromstring(data).iter():
                length = limit(node)
                if length is not None:
                    yield name, node, length


def test_multilingual_names_that_do_not_fit_their_column_keep_the_source_language(tmp_path, cli):
    code, _, stderr = cli("build", SHIPPED, "--format", "moodle", "--set", "moodle_multilang=1", "--out", tmp_path)
    assert code == 0
    files = read_mbz((tmp_path / "pat-peer-support-1.0.0-mul-moodle.mbz").read_bytes())
    for name, node, length in every_limited_field(files):
        assert len(node.text or "") <= length, (name, node.tag)
    # Unit 2's name in three languages needs 282 characters (Moodle's column holds 255): the
    # restore used to stop half way. It keeps the source language, and the build says so.
    names = [xml(files, n).findtext("name") for n in sorted(files) if n.endswith("/section.xml")]
    assert "Unit 2 Delving deeper in the figure of a peer support agent" in names
    assert any('<span lang="no" class="multilang">Enhet 9' in (n or "") for n in names)
    assert "sections/section_2/section.xml: <section><name> in every language needs 282 characters" in stderr
    assert "it keeps the 'en' text only" in stderr


def test_a_name_longer_than_moodles_column_is_shortened_with_a_warning(mini, tmp_path, cli):
    long_title = "A very long unit title " * 14  # 322 characters
    edit(mini / "en/units/u1.yaml", "title: First unit", f'title: "{long_title.strip()}"')
    code, _, stderr = cli("build", mini, "--format", "moodle", "--lang", "en", "--out", tmp_path)
    assert code == 0, stderr
    files = read_mbz(next(tmp_path.glob("*-en-moodle.mbz")).read_bytes())
    section = next(xml(files, n) for n in files if n.endswith("section.xml") and b"very long" in files[n])
    name = section.findtext("name")
    assert len(name) <= 255 and name.endswith("…")
    assert "more than Moodle's 255-character column: shortened" in stderr


def test_each_language_version_has_a_course_name_of_its_own(shipped, mini, tmp_path, cli):
    names = {lang: xml(files, "course/course.xml").findtext("fullname") for lang, files in shipped.items()}
    assert names["en"] == "Peer support worker training: PAT – Peer and Team Support"
    assert names["nb"] == "Opplæring for erfaringskonsulenter: PAT – Peer and Team Support"
    assert names["fr"] == "Formation des pairs aidants : PAT – Peer and Team Support"
    # A title not translated yet: without the language's name Moodle would restore the second
    # language version as "… copy 1".
    edit(mini / "nb/course.yaml", "title: Minikurs", "{}")
    code, _, stderr = cli("build", mini, "--format", "moodle", "--lang", "nb", "--out", tmp_path / "mini-dist")
    assert code == 0, stderr
    untranslated = read_mbz(next((tmp_path / "mini-dist").glob("*-nb-moodle.mbz")).read_bytes())
    assert xml(untranslated, "course/course.xml").findtext("fullname") == "Mini course (norsk bokmål)"
    for lang, files in shipped.items():
        assert xml(files, "moodle_backup.xml").findtext(".//original_course_fullname") == names[lang]
    cli("build", SHIPPED, "--format", "moodle", "--set", "moodle_multilang=1", "--out", tmp_path)
    mul = read_mbz((tmp_path / "pat-peer-support-1.0.0-mul-moodle.mbz").read_bytes())
    assert xml(mul, "course/course.xml").findtext("fullname") == names["en"] + " (English · norsk bokmål · français)"


@pytest.mark.parametrize(
    "value",
    ["", "plain", '<b class="x">Tom & Jerry\'s</b> > 2', "line\r\nbreak\tand tab", "é ü ∑ 😀 ‐", "answer " * 50, None],
)
def test_rows_written_as_text_are_the_bytes_of_an_element_tree_fitted_to_its_columns(value):
    """Questions are written as text (xmltext.py), not as an lxml tree: byte for byte the same,
    and a field longer than its column shortened with the same warning."""
    from moocpack_exporters.moodle import columns, xmlparts, xmltext

    tree_warnings, text_warnings = [], []
    row = xmlparts.document("match", {"id": 7})
    xmlparts.fields(row, questiontext=value, questiontextformat=1, answertext=value)
    columns.fit([("questions.xml", row)], tree_warnings.append)
    written = xmltext.element(
        "match",
        xmltext.Fields("questions.xml", text_warnings.append)(
            "match", questiontext=value, questiontextformat=1, answertext=value
        ),
        id=7,
    )
    assert written.encode() == etree.tostring(row, encoding="UTF-8")
    assert text_warnings == tree_warnings
    if value and len(value) > 255:
        assert text_warnings and "<match><answertext> has 350 characters" in text_warnings[0]
    if value is not None:  # and attributes, as lxml escapes them
        assert xmltext.element("a", label=value).encode() == etree.tostring(
            etree.Element("a", label=value), encoding="UTF-8"
        )
