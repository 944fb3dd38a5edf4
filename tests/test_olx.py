"""Open edX OLX exports: olxcleaner (the community validator) at its strictest, Open edX's own
libraries where they run outside the platform (opaque-keys builds the usage keys of tags.csv as
the course importer does; xblock-poll parses the self-assessment surveys), and structural checks
of what Studio's import reads (the tag import rules are those of
openedx/core/djangoapps/content_tagging/api.py: import_course_tags_from_csv)."""

from __future__ import annotations

import csv
import io
import json
import re
import tarfile
from pathlib import Path

import pytest
from lxml import etree

from conftest import SHIPPED, edit

RESPONSE_TYPES = {"multiplechoiceresponse", "choiceresponse", "optionresponse", "stringresponse"}
BLOCKS = ("chapter", "sequential", "vertical", "html", "problem")


def export(course: Path, out: Path, *settings: str, lang: str | None = None) -> dict[str, Path]:
    from click.testing import CliRunner

    from moocpack.cli import main

    args = ["build", str(course), "--format", "olx", "--out", str(out)]
    for setting in settings:
        args += ["--set", setting]
    if lang:
        args += ["--lang", lang]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    folders = {}
    for archive in sorted(out.glob("*-olx.tar.gz")):
        target = out / archive.name.replace(".tar.gz", "")
        with tarfile.open(archive) as tar:
            tar.extractall(target, filter="data")
        folders[archive.name] = target / "course"
    return folders


@pytest.fixture(scope="module")
def shipped(tmp_path_factory) -> dict[str, Path]:
    return export(SHIPPED, tmp_path_factory.mktemp("olx"))


def olxcleaner_findings(folder: Path):
    """Every olxcleaner finding but one kind: olxcleaner's vertical accepts a fixed list of child
    blocks that predates xblock-poll's survey (bundled with Open edX); surveys are checked with
    xblock-poll itself (test_self_assessments_are_surveys_that_xblock_poll_reads)."""
    from olxcleaner import validate

    _, errorstore, _ = validate(str(folder), steps=8)
    return [
        (type(e).__name__, e.level.name if hasattr(e.level, "name") else str(e.level), e.description)
        for e in errorstore.errors
        if not (type(e).__name__ == "UnexpectedTag" and e.description.startswith("A <survey> tag"))
    ]


def test_every_language_passes_olxcleaner_at_its_strictest_with_no_finding_at_all(shipped):
    assert len(shipped) == 3
    for name, folder in shipped.items():
        assert olxcleaner_findings(folder) == [], name


def test_olxcleaner_does_catch_a_broken_export(shipped, tmp_path):
    import shutil

    folder = tmp_path / "broken"
    shutil.copytree(next(iter(shipped.values())), folder)
    sequential = next((folder / "sequential").glob("*.xml"))
    sequential.write_text(sequential.read_text().replace('url_name="', 'url_name="missing-', 1))
    assert any(level == "ERROR" for _, level, _ in olxcleaner_findings(folder))


def test_essays_as_html_prompts_also_pass(tmp_path):
    folders = export(SHIPPED, tmp_path, "olx_essays=html", lang="en")
    folder = next(iter(folders.values()))
    assert olxcleaner_findings(folder) == []
    assert not list(folder.rglob("*openassessment*")) and "openassessment" not in "".join(
        p.read_text() for p in (folder / "vertical").glob("*.xml")
    )


def references(folder: Path) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(block type, url_name) pairs referenced by parents, and pairs that exist as files."""
    referenced, present = set(), set()
    for block in BLOCKS:
        for path in (folder / block).glob("*.xml"):
            present.add((block, path.stem))
            for child in etree.parse(str(path)).getroot():
                if child.get("url_name") and child.tag in BLOCKS:
                    referenced.add((child.tag, child.get("url_name")))
    root = etree.parse(str(folder / "course.xml")).getroot()
    course = etree.parse(str(folder / "course" / f"{root.get('url_name')}.xml")).getroot()
    referenced |= {("chapter", c.get("url_name")) for c in course}
    return referenced, present


def test_every_reference_resolves_and_every_file_is_referenced(shipped):
    for folder in shipped.values():
        referenced, present = references(folder)
        assert referenced == present
        for pointer in (folder / "html").glob("*.xml"):
            assert (folder / "html" / f"{etree.parse(str(pointer)).getroot().get('filename')}.html").is_file()
        names = [name for _, name in present]
        assert len(names) == len(set(names)), "url_names must be unique across block types"


def test_every_problem_has_a_recognised_response_and_a_correct_answer(shipped):
    folder = shipped["pat-peer-support-1.0.0-en-olx.tar.gz"]
    problems = list((folder / "problem").glob("*.xml"))
    assert len(problems) == 19  # 13 discussion situations + unit 9's 6 (essays are ORA, the self-assessment a survey)
    for path in problems:
        problem = etree.parse(str(path)).getroot()
        responses = [el for el in problem.iter() if el.tag in RESPONSE_TYPES]
        assert responses, path.name
        for response in responses:
            if response.tag == "stringresponse":
                assert response.get("answer")
            else:
                assert any(str(c.get("correct")).lower() == "true" for c in response.iter("choice", "option"))
            assert response.find("label") is not None and response.find("label").text
        assert float(problem.get("weight")) >= 0


def test_graded_quizzes_are_graded_subsections_with_the_pass_mark(shipped):
    folder = shipped["pat-peer-support-1.0.0-nb-olx.tar.gz"]
    run = etree.parse(str(folder / "course.xml")).getroot().get("url_name")
    grading = json.loads((folder / "policies" / run / "grading_policy.json").read_text())
    assert grading["GRADE_CUTOFFS"] == {"Pass": 0.7}
    assert grading["GRADER"][0]["type"] == "Quiz" and grading["GRADER"][0]["min_count"] == 1
    graded = [etree.parse(str(p)).getroot() for p in (folder / "sequential").glob("*.xml")]
    graded = [s for s in graded if s.get("graded") == "true"]
    assert len(graded) == 1 and {s.get("format") for s in graded} == {
        "Quiz"
    }  # unit 9's; the secrecy one is a discussion
    policy = json.loads((folder / "policies" / run / "policy.json").read_text())
    assert list(policy) == [f"course/{run}"]
    course = etree.parse(str(folder / "course" / f"{run}.xml")).getroot()
    assert course.get("language") == "nb"


def test_course_key_pieces_can_be_set_on_the_command_line(tmp_path):
    default = export(SHIPPED, tmp_path / "a", lang="nb")
    root = etree.parse(str(next(iter(default.values())) / "course.xml")).getroot()
    assert (root.get("org"), root.get("course"), root.get("url_name")) == ("PAT", "PeerSupport", "1_0_0_nb")
    folders = export(SHIPPED, tmp_path / "b", "olx_org=Tuto3", "olx_course=PEER101", "olx_run=2025_{lang}", lang="fr")
    folder = next(iter(folders.values()))
    root = etree.parse(str(folder / "course.xml")).getroot()
    assert (root.get("org"), root.get("course"), root.get("url_name")) == ("Tuto3", "PEER101", "2025_fr")
    assert (folder / "policies" / "2025_fr" / "policy.json").is_file()
    from click.testing import CliRunner

    from moocpack.cli import main

    result = CliRunner().invoke(
        main,
        [
            "build",
            str(SHIPPED),
            "--format",
            "olx",
            "--lang",
            "en",
            "--set",
            "olx_org=X",
            "--set",
            "olx_run=T1",
            "--out",
            str(tmp_path / "c"),
        ],
    )
    assert result.exit_code == 0
    with tarfile.open(tmp_path / "c" / "pat-peer-support-1.0.0-en-olx.tar.gz") as tar:
        course_xml = tar.extractfile("course/course.xml").read().decode()
    assert 'org="X"' in course_xml and 'url_name="T1"' in course_xml


def blocks_of(folder: Path) -> set[tuple[str, str]]:
    """(type, url_name) of every block: one file per block, or defined inline in a vertical."""
    found = {(path.parent.name, path.stem) for path in folder.glob("*/*.xml")}
    for vertical in (folder / "vertical").glob("*.xml"):
        found |= {
            (child.tag, child.get("url_name"))
            for child in etree.parse(str(vertical)).getroot()
            if child.get("url_name")
        }
    return found


def course_key(folder: Path):
    from opaque_keys.edx.keys import CourseKey

    root = etree.parse(str(folder / "course.xml")).getroot()
    return CourseKey.from_string(f"course-v1:{root.get('org')}+{root.get('course')}+{root.get('url_name')}")


def test_every_tags_csv_row_resolves_to_a_block_of_the_course(shipped):
    """What Open edX's importer does with each row: course_key.make_usage_key(Type, ID)."""
    from opaque_keys import InvalidKeyError

    for name, folder in shipped.items():
        key = course_key(folder)
        blocks = blocks_of(folder)
        rows = list(csv.DictReader(io.StringIO((folder / "tags.csv").read_text("utf-8"))))
        assert rows and set(rows[0]) == {"Name", "Type", "ID", "pat", "wwd"}
        for row in rows:
            assert row["Type"] and row["ID"], row
            usage = key.make_usage_key(row["Type"], row["ID"])
            assert usage.course_key == key
            assert (usage.block_type, usage.block_id) in blocks, (name, row["ID"])
        confidentiality = [r for r in rows if r["Type"] == "problem" and "pat.09.5" in r["pat"]]
        assert len(confidentiality) == 13
    # A full block key in the ID column (what the exporter once wrote) is refused by the importer.
    with pytest.raises(InvalidKeyError):
        key.make_usage_key("problem", str(key.make_usage_key("problem", "p_x")))


def taxonomy_rows(folder: Path, framework: str) -> list[dict]:
    path = next(folder.parent.parent.glob(f"*-olx-taxonomy-{framework}.csv"))
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_the_taxonomy_files_import_and_every_tag_is_one_of_their_values(shipped):
    for name, folder in shipped.items():
        rows = list(csv.DictReader(io.StringIO((folder / "tags.csv").read_text("utf-8"))))
        for framework, size in (("pat", 12 + 63), ("wwd", None)):
            entries = taxonomy_rows(folder, framework)
            # Open edX's CSV parser: id and value required and non-empty; parent_id optional.
            assert all(e["id"] and e["value"] for e in entries)
            assert size is None or len(entries) == size
            ids = {e["id"] for e in entries}
            assert all(e["parent_id"] in ids for e in entries if e["parent_id"])
            values = [e["value"] for e in entries]
            assert len(set(values)) == len(values), "tag values are unique across levels"
            for value in values:  # RESERVED_TAG_CHARS of openedx_tagging
                assert ";" not in value and " > " not in value and "\t" not in value and len(value) <= 500
            for row in rows:
                for tag in filter(None, row[framework].split(";")):
                    assert tag in values, (name, tag)


def test_every_language_tags_with_the_same_taxonomy_so_runs_share_it(shipped):
    """One taxonomy per framework, values in the framework's own language: importing the en, nb
    and fr runs into one instance tags them all against the same taxonomy."""
    folders = list(shipped.values())
    files = {
        p.name.split("-olx-")[1]: p.read_bytes() for f in folders for p in f.parent.parent.glob("*-olx-taxonomy-*.csv")
    }
    for framework in ("pat", "wwd"):
        copies = {p.read_bytes() for f in folders for p in f.parent.parent.glob(f"*-olx-taxonomy-{framework}.csv")}
        assert len(copies) == 1
    assert "taxonomy-pat.csv" in files
    pat = taxonomy_rows(folders[0], "pat")
    item = next(e for e in pat if e["id"] == "pat.01.1")
    assert item["value"] == "pat.01.1 Initierer, opprettholder og gjenoppretter kontakt med brukere."  # nb: PAT's own
    values = {
        tuple(r["pat"] for r in csv.DictReader(io.StringIO((f / "tags.csv").read_text("utf-8")))) for f in folders
    }
    assert len(values) == 1


def test_self_assessments_are_surveys_that_xblock_poll_reads(shipped):
    """Not a CAPA problem whose every choice is "correct": xblock-poll's survey, ungraded, each
    learner's answers private and changeable."""
    import django
    from django.conf import settings

    if not settings.configured:
        settings.configure()
        django.setup()
    from xblock.test.toy_runtime import ToyRuntime

    folder = shipped["pat-peer-support-1.0.0-fr-olx.tar.gz"]
    surveys = [
        child
        for path in (folder / "vertical").glob("*.xml")
        for child in etree.parse(str(path)).getroot()
        if child.tag == "survey"
    ]
    assert len(surveys) == 1
    runtime = ToyRuntime()
    block = runtime.get_block(runtime.parse_xml_string(etree.tostring(surveys[0], encoding="unicode")))
    assert type(block).__name__.startswith("SurveyBlock")
    assert len(block.questions) == 11 and len(block.answers) == 4
    assert all(question[1]["label"] for question in block.questions)
    assert block.private_results is True and block.max_submissions == 0
    assert not any("self-assessment" in p.name for p in (folder / "problem").glob("*.xml"))
    run = etree.parse(str(folder / "course.xml")).getroot().get("url_name")
    policy = json.loads((folder / "policies" / run / "policy.json").read_text())
    assert policy[f"course/{run}"]["advanced_modules"] == ["openassessment", "survey"]


def test_components_are_named_after_their_question(shipped):
    folder = shipped["pat-peer-support-1.0.0-en-olx.tar.gz"]
    for path in (folder / "vertical").glob("*.xml"):
        names = []
        for child in etree.parse(str(path)).getroot():
            if child.tag == "problem":
                names.append(
                    etree.parse(str(folder / "problem" / f"{child.get('url_name')}.xml")).getroot().get("display_name")
                )
            elif child.tag == "openassessment":
                names.append(child.findtext("title"))
        assert len(names) == len(set(names)), path.name
        assert not any(re.fullmatch(r"(Question|Reflection) \d+", n) for n in names)
    problem = etree.parse(str(folder / "problem" / "p_ws3-secrecy-confidentiality_shelter-access.xml")).getroot()
    assert problem.get("display_name") == "Access to a shelter"


def test_static_references_exist_and_html_is_well_formed(shipped):
    for folder in shipped.values():
        for page in (folder / "html").glob("*.html"):
            text = page.read_text("utf-8")
            xmlish = re.sub(r"<(br|hr|img)([^>]*?)/?>", r"<\1\2/>", text)
            etree.fromstring("<div>" + xmlish + "</div>")
            for ref in re.findall(r'(?:src|href)="/static/([^"]+)"', text):
                assert (folder / "static" / ref).is_file()
        course = next((folder / "course").glob("*.xml"))
        image = etree.parse(str(course)).getroot().get("course_image")
        assert (folder / "static" / image).is_file()


def test_course_assets_are_static_files(mini, tmp_path):
    folder = next(iter(export(mini, tmp_path, lang="en").values()))
    pages_html = " ".join(p.read_text("utf-8") for p in (folder / "html").glob("*.html"))
    assert 'src="/static/dot.png"' in pages_html and "assets/dot.png" not in pages_html
    assert (folder / "static" / "dot.png").read_bytes() == (mini / "assets" / "dot.png").read_bytes()
    assert olxcleaner_findings(folder) == []


def test_escaping_and_unicode_survive(mini, tmp_path):
    edit(mini / "en/units/u1.yaml", "stem: Pick the right one.", 'stem: "Pick <the> right & \\"one\\" – æøå"')
    edit(
        mini / "en/units/u1.yaml", "{id: a, text: Right, correct: true", '{id: a, text: "R&D <ok> «ça»", correct: true'
    )
    folders = export(mini, tmp_path, lang="nb")
    folder = next(iter(folders.values()))
    problem = etree.parse(str(folder / "problem" / "p_q-single.xml")).getroot()
    assert problem.find(".//label").text == 'Pick right & "one" – æøå'  # <the> is HTML, sanitised away
    assert problem.find(".//choice").text == "R&D <ok> «ça»"
    assert olxcleaner_findings(folder) == []


def test_non_breaking_spaces_in_question_markup_export(mini, tmp_path):
    """French typography puts a non-breaking space before ? ! : ; and translators' tools type it.
    The sanitiser writes it as &nbsp;, which is HTML, not XML: problems embed it as the character."""
    edit(
        mini / "en/units/u1.yaml",
        "stem: Pick the right one.",
        'stem: "Situation\\u00a0: a door is open.\\n\\nPick the right one\\u00a0?"',
    )
    edit(
        mini / "en/units/u1.yaml",
        "{id: a, text: Right, correct: true, feedback: Well done.}",
        '{id: a, text: Right, correct: true, feedback: "Bravo\\u00a0!"}',
    )
    edit(
        mini / "en/units/u1.yaml",
        "    outcomes: [lo-1]\n    options:",
        '    outcomes: [lo-1]\n    feedback: "Voilà\\u00a0: **why**."\n    options:',
    )
    folder = next(iter(export(mini, tmp_path, lang="en").values()))
    problem = etree.parse(str(folder / "problem" / "p_q-single.xml")).getroot()
    assert problem.find("div/p").text == "Situation\u00a0: a door is open."
    assert "Voilà\u00a0: " in etree.tostring(problem.find("solution"), encoding="unicode")
    assert problem.find(".//choicehint").text == "Bravo !"  # a hint is plain text, spaces folded
    assert olxcleaner_findings(folder) == []
