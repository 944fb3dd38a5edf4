"""The instructional designer's loop: `moocpack new` starts a course that validates and builds
in every format, with or without a competence framework, its files naming their schema for
editors; `moocpack serve` shows the website, rebuilds it on every save, reloads the open page and
shows problems over the last good build."""

from __future__ import annotations

import json
import urllib.request
import zipfile

import pytest

from conftest import MINI, ROOT

ALL_FORMATS = ("cc", "cmi5", "guide", "html", "moodle", "olx", "scorm12", "scorm2004")


def test_new_makes_a_course_that_validates_and_builds_in_every_format(tmp_path, cli):
    course = tmp_path / "my-course"
    code, out, err = cli("new", course, "--lang", "en", "--lang", "nb")
    assert code == 0, err
    assert cli("validate", course)[0] == 0
    code, out, err = cli("build", course, "--lang", "en", "--out", tmp_path / "dist")
    assert code == 0, out + err
    built = sorted(p.name for p in (tmp_path / "dist").iterdir())
    assert [name.split("-en-")[1].split(".")[0] for name in built] == list(ALL_FORMATS)
    # No framework: nothing is tagged, and the website has no competence page.
    with zipfile.ZipFile(tmp_path / "dist" / "my-course-0.1.0-en-html.zip") as site:
        assert "competences.html" not in site.namelist()
        assert "competences.html" not in site.read("unit-1.html").decode()
    # The translation's folder is there, empty, for translators.
    assert (course / "nb" / "units" / "unit-1.yaml").read_text().startswith("# nb translation of en/units/unit-1.yaml")
    assert cli("new", course)[0] == 2  # never over an existing course


def test_new_files_name_their_schema_for_yaml_editors(tmp_path, cli):
    course = tmp_path / "c"
    assert cli("new", course)[0] == 0
    first = (course / "en" / "units" / "unit-1.yaml").read_text().splitlines()[0]
    assert first == "# yaml-language-server: $schema=../../.schemas/unit.schema.json"
    schema = json.loads((course / ".schemas" / "unit.schema.json").read_text())
    assert "$ref" not in json.dumps(schema)  # self-contained: an editor needs nothing from the web
    from jsonschema import Draft202012Validator
    import yaml

    unit = yaml.safe_load((course / "en" / "units" / "unit-1.yaml").read_text())
    assert not list(Draft202012Validator(schema).iter_errors(unit))


def test_with_a_framework_every_outcome_and_question_is_tagged(tmp_path, cli):
    course = tmp_path / "tagged"
    code, _, err = cli("new", course, "--framework", MINI / "competences" / "fw.yaml")
    assert code == 0, err
    assert cli("validate", course)[0] == 0
    # Where a course has a framework, the rules stay: an untagged outcome is an error.
    unit = course / "en" / "units" / "unit-1.yaml"
    text = unit.read_text()
    start = text.index("\n    competences: [")
    unit.write_text(text[:start] + text[text.index("\n", start + 1) :])
    code, out, err = cli("validate", course)
    assert code == 2 and "this learning outcome is tagged with no competence" in out + err


def test_format_reference_and_validate_agree_on_optional_competences():
    """docs/format.md says competences are optional for an outcome; validate accepts one without
    them in a course without a framework (the test above) and refuses it in one with."""
    reference = (ROOT / "docs" / "format.md").read_text("utf-8")
    assert "tagged with at least one competence when the course has a competence framework" in reference


@pytest.fixture
def served(tmp_path, cli):
    from moocpack import serve

    course = tmp_path / "live"
    assert cli("new", course)[0] == 0
    server, preview, stop = serve.start(course, port=0)
    yield course, f"http://127.0.0.1:{server.server_address[1]}", preview
    stop.set()
    server.shutdown()


def test_serve_answers_reads_only_from_its_build(served):
    course, base, preview = served
    page = urllib.request.urlopen(f"{base}/unit-1.html").read().decode()
    assert "First steps" in page and "/__moocpack__/version" in page
    for path in ("/../en/course.yaml", "/en/course.yaml", "/%2e%2e/etc/passwd"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{base}{path}")
        assert refused.value.code == 404
    for junk in ("since=abc", "since=99999999999999999999", "since", "x=1&&&"):  # answered, never a crash
        assert "version" in json.loads(urllib.request.urlopen(f"{base}/__moocpack__/version?{junk}").read())
    request = urllib.request.Request(f"{base}/unit-1.html", data=b"x", method="POST")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request)
    assert refused.value.code == 405


def test_serve_rebuilds_on_save_reloads_the_page_and_shows_problems_over_the_last_good_build(served, browser_page):
    course, base, preview = served
    page = browser_page
    page.goto(f"{base}/unit-1.html")
    assert page.locator("h1").first.inner_text().endswith("First steps")
    unit = course / "en" / "units" / "unit-1.yaml"
    unit.write_text(unit.read_text().replace("title: First steps", "title: Second steps"))
    page.wait_for_function("document.querySelector('h1').textContent.includes('Second steps')", timeout=15000)
    # A broken file: the page keeps the last good build and shows where the problem is.
    good = unit.read_text()
    unit.write_text(good.replace("type: single_choice", "type: single"))
    page.wait_for_selector("#moocpack-problems", timeout=15000)
    assert "units/unit-1.yaml:" in page.locator("#moocpack-problems").inner_text()
    assert "'single' is not allowed here" in page.locator("#moocpack-problems").inner_text()
    assert page.locator("h1").first.inner_text().endswith("Second steps")
    unit.write_text(good)
    page.wait_for_function("!document.getElementById('moocpack-problems')", timeout=15000)
    assert page.problems == []


@pytest.fixture
def browser_page():
    from playwright.sync_api import sync_playwright
    from test_browser import ARGS, CHROMIUM

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = instance.new_page()
        page.problems = []
        page.on("pageerror", lambda error: page.problems.append(str(error)))
        yield page
        instance.close()


def test_a_rebuild_redoes_what_a_save_changed_and_nothing_it_did_not(tmp_path, cli):
    """serve keeps what a save did not touch (parsed files, built units, rendered pages) and
    redoes the rest: a worksheet's change shows on its unit's page, a unit's new title in every
    page's contents, an untouched unit's page is the very same bytes."""
    from moocpack.serve import Preview

    course = tmp_path / "c"
    assert cli("new", course)[0] == 0
    second = (
        (course / "en" / "units" / "unit-1.yaml")
        .read_text()
        .replace("id: unit-1", "id: unit-2")
        .replace('number: "1"', 'number: "2"')
        .replace("title: First steps", "title: Next steps")
        .replace("q-outcome", "q-outcome-2")
        .replace("quiz-1", "quiz-2")
        .replace("[worksheet:ws-statements, ", "[")
    )
    (course / "en" / "units" / "unit-2.yaml").write_text(second)
    edit_text(course / "en" / "course.yaml", "units: [unit-1]", "units: [unit-1, unit-2]")
    preview = Preview(course)
    preview.build()
    assert not preview.problems
    before = dict(preview.files)
    edit_text(course / "en" / "worksheets" / "ws-statements.yaml", "title: True or false?", "title: Right or wrong?")
    preview.build()
    assert b"Right or wrong?" in preview.files["unit-1.html"] and b"Right or wrong?" in preview.files["unit-2.html"]
    before = dict(preview.files)
    edit_text(course / "en" / "units" / "unit-2.yaml", "  Markdown text.", "  Changed text.")
    preview.build()
    assert b"Changed text." in preview.files["unit-2.html"]
    assert preview.files["unit-1.html"] is before["unit-1.html"]  # not made again
    edit_text(course / "en" / "units" / "unit-2.yaml", "title: Next steps", "title: Last steps")
    preview.build()
    assert b"Last steps" in preview.files["unit-1.html"]  # the contents of every page name it
    assert not preview.problems


def edit_text(path, old, new):
    text = path.read_text()
    assert old in text, (old, path)
    path.write_text(text.replace(old, new, 1))
