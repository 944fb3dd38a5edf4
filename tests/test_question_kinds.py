"""A new kind of question is one plug-in: installed through the `moocpack.question_kinds` entry
point (a real distribution's metadata, found on the path), it is validated, shown and marked on
the website, recorded by SCORM, and exported to Open edX and Moodle, with no core file touched.
A format a kind cannot express says so at validate time, and its build stops with exit 2."""

from __future__ import annotations

import json
import re
import zipfile

import pytest

from conftest import ROOT, edit, package_text
from moocpack import kinds

PLUGINS = ROOT / "tests" / "fixtures" / "plugins"

NUMERIC = """
  - id: q-numeric
    type: numeric
    stem: How many categories has the framework?
    outcomes: [lo-1]
    value: 12
    tolerance: 0.5
    feedback: Twelve categories, 63 items.
"""


@pytest.fixture
def installed(tmp_path, monkeypatch):
    """The plug-in installed as a distribution: its dist-info (metadata and entry points) and its
    package on the path, as pip would leave them."""
    site = tmp_path / "site"
    info = site / "moocpack_numeric-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: moocpack-numeric\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(
        "[moocpack.question_kinds]\nnumeric = moocpack_numeric:Numeric\ndrawing = moocpack_numeric:Unplayable\n"
    )
    monkeypatch.syspath_prepend(str(PLUGINS))
    monkeypatch.syspath_prepend(str(site))
    kinds.reload()
    yield
    monkeypatch.undo()
    kinds.reload()


def with_question(mini, question: str = NUMERIC, quiz: str = "q-numeric"):
    edit(mini / "en/units/u1.yaml", "\nquestions:\n", "\nquestions:" + question)
    edit(
        mini / "en/units/u1.yaml", "questions: [worksheet:w1, q-single,", f"questions: [worksheet:w1, {quiz}, q-single,"
    )


def test_a_field_belongs_to_every_kind_that_reads_it_and_never_to_a_built_in_type(monkeypatch):
    """A field two kinds share is meaningful on both; one a built-in type has too (`answer`) is
    left to the unit schema, which knows where it belongs."""

    class Metric(kinds.QuestionKind):
        name, properties = "metric", {"unit": {"type": "string"}, "answer": {"type": "number"}}

    class Imperial(kinds.QuestionKind):
        name, properties = "imperial", {"unit": {"type": "string"}, "feet": {"type": "number"}}

    monkeypatch.setattr(kinds, "registry", lambda: {"imperial": Imperial(), "metric": Metric()})
    kinds.plugin_fields.cache_clear()
    try:
        assert kinds.plugin_fields() == {"unit": {"imperial", "metric"}, "feet": {"imperial"}}
    finally:
        kinds.plugin_fields.cache_clear()


def test_without_the_plugin_the_type_is_unknown(mini, cli):
    with_question(mini)
    code, out, err = cli("validate", mini)
    assert code == 2 and "'numeric' is not allowed here" in out + err  # not one of the types installed


def test_the_kind_is_validated_with_its_own_schema_and_checks(mini, cli, installed):
    with_question(mini, NUMERIC.replace("tolerance: 0.5", "tolerance: 20"))
    code, out, err = cli("validate", mini)
    assert code == 2
    err = out + err
    assert "u1.yaml:" in err and "a tolerance of 20 accepts 0 and every number between: make it smaller" in err
    # Its fields mean nothing to another type, and its required field comes from its schema fragment.
    edit(
        mini / "en/units/u1.yaml",
        "    stem: Pick the right one.\n",
        "    stem: Pick the right one.\n    tolerance: 1\n",
    )
    code, out, err = cli("validate", mini)
    assert code == 2 and "'tolerance' has no meaning for a single_choice question" in out + err
    edit(mini / "en/units/u1.yaml", "    tolerance: 1\n", "")
    edit(mini / "en/units/u1.yaml", "    value: 12\n", "")
    code, out, err = cli("validate", mini)
    assert code == 2 and "value" in out + err


def test_a_numeric_question_goes_end_to_end(mini, cli, installed, tmp_path):
    with_question(mini)
    code, out, err = cli("validate", mini)
    assert code == 0, out + err
    code, out, err = cli(
        "build",
        mini,
        "--lang",
        "en",
        "--format",
        "html",
        "--format",
        "scorm2004",
        "--format",
        "olx",
        "--format",
        "moodle",
        "--format",
        "cmi5",
        "--out",
        tmp_path / "out",
    )
    assert code == 0, out + err
    site = package_text(next((tmp_path / "out").glob("*-en-html.zip")))
    page = site["u1.html"]
    assert 'data-question="q-numeric" data-type="numeric"' in page and 'inputmode="decimal"' in page
    data = json.loads(re.search(r'<script type="application/json" class="quiz-data">(.*?)</script>', page).group(1))
    numeric = next(q for q in data["questions"] if q["id"] == "q-numeric")
    assert numeric["data"] == {"value": 12, "tolerance": 0.5} and numeric["graded"]
    assert "window.moocpackKinds.numeric" in site["quiz.js"]
    assert (
        "window.moocpackKinds.numeric" in package_text(next((tmp_path / "out").glob("*-en-scorm2004.zip")))["quiz.js"]
    )
    olx = package_text(next((tmp_path / "out").glob("*-en-olx.tar.gz")))
    problem = next(text for name, text in olx.items() if name.endswith("p_q-numeric.xml"))
    assert '<numericalresponse answer="12">' in problem and '<responseparam type="tolerance" default="0.5"/>' in problem
    assert "<label>How many categories has the framework?</label>" in problem
    moodle = package_text(next((tmp_path / "out").glob("*-en-moodle.mbz")))
    question = re.search(
        r"<question id=\"\d+\">(?:(?!</question>).)*moocpack\+mini\+q-numeric.*?</question>",
        moodle["questions.xml"],
        re.S,
    ).group(0)
    assert "<qtype>numerical</qtype>" in question and "<answertext>12</answertext>" in question
    assert "<tolerance>0.5</tolerance>" in question and "<numerical_options>" in question
    au = package_text(next((tmp_path / "out").glob("*-en-cmi5.zip")))["u1.html"]
    settings = json.loads(re.search(r'<script type="application/json" id="moocpack-sco">(.*?)</script>', au).group(1))
    activity = settings["questions"]["q-numeric"]["activity"]
    assert activity["definition"]["interactionType"] == "numeric"  # the kind's own xAPI interaction
    assert activity["definition"]["correctResponsesPattern"] == ["11.5[:]12.5"]


def test_the_website_marks_the_new_kind_in_a_real_browser(mini, cli, installed, tmp_path):
    import shutil

    from playwright.sync_api import sync_playwright
    from test_browser import ARGS, CHROMIUM, serve

    with_question(mini)
    code, out, err = cli("build", mini, "--lang", "en", "--format", "html", "--out", tmp_path / "out")
    assert code == 0, out + err
    root = tmp_path / "www"
    with zipfile.ZipFile(next((tmp_path / "out").glob("*-en-html.zip"))) as archive:
        archive.extractall(root)
    assert CHROMIUM and shutil.which("chromium") or CHROMIUM
    with serve(root) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page()
        problems = []
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.goto(f"{base}/u1.html#quiz-1")
        field = page.locator('fieldset[data-question="q-numeric"]')
        field.locator("input").fill("11")
        field.locator("button.check").click()
        assert field.locator(".verdict").inner_text() == "Not quite. Try again."
        field.locator("input").fill("12,3")  # a decimal comma is a number too
        field.locator("button.check").click()
        assert field.locator(".verdict").inner_text() == "Correct"
        page.reload()  # kept in this browser, and put back by the kind's own restore
        assert field.locator("input").input_value() == "12,3"
        assert field.locator(".verdict").inner_text() == "Correct"
        browser.close()
    assert problems == []


def test_a_format_that_cannot_express_a_kind_says_so_at_validate_and_stops_its_build(mini, cli, installed, tmp_path):
    with_question(
        mini,
        """
  - id: q-draw
    type: drawing
    stem: Draw your support network.
    outcomes: [lo-1]
    canvas: 300
""",
        quiz="q-draw",
    )
    code, out, err = cli("validate", mini)
    assert code == 0, out + err
    assert "the cc, moodle, olx format(s) cannot express a drawing question" in out + err
    code, out, err = cli("build", mini, "--lang", "en", "--format", "html", "--out", tmp_path / "ok")
    assert code == 0, out + err
    code, out, err = cli("build", mini, "--lang", "en", "--format", "olx", "--out", tmp_path / "no")
    assert code == 2 and "Traceback" not in out + err
    assert "question 'q-draw': Open edX cannot express a drawing question" in out + err
    assert not (tmp_path / "no").exists() or not any((tmp_path / "no").iterdir())


def test_a_real_moodle_restores_the_new_kind_and_grades_it(mini, cli, installed, tmp_path):
    """Moodle 4.5's restore reads the kind's question (numerical, its options and tolerance) and
    its question engine grades a right and a wrong attempt (runs where MOODLE_DIR has a site)."""
    import test_real_moodle as real

    if not real.MOODLE_DIR:
        pytest.skip("no Moodle site (see tests/test_real_moodle.py)")
    with_question(mini)
    code, out, err = cli("build", mini, "--lang", "en", "--format", "moodle", "--out", tmp_path / "out")
    assert code == 0, out + err
    course = real.moodle("restore", next((tmp_path / "out").glob("*-en-moodle.mbz")))
    try:
        assert course["precheck"] == [] and course["log_warnings"] == [] and course["questions"] == 10
        (quiz,) = real.moodle("quizzes", course["courseid"])
        assert quiz["right"]["grade"] == quiz["right"]["grademax"] == quiz["grade"] == 7
        assert quiz["wrong"]["grade"] == 0
    finally:
        real.moodle("delete-course", course["courseid"])


def test_formats_lists_the_installed_kinds_and_what_can_express_them(cli, installed):
    code, out, _ = cli("formats")
    assert "question kind numeric: A number, right when it is within `tolerance` of `value`." in out
    assert (
        "(formats: cmi5, guide, html, moodle, olx, scorm12, scorm2004)" in out
    )  # the CC profile's item types are fixed
    assert "question kind drawing: a plug-in question kind (formats: cmi5, guide, html, scorm12, scorm2004)" in out
    data = json.loads(cli("formats", "--json")[1])
    assert {k["name"]: k["formats"] for k in data["question_kinds"]}["drawing"] == [
        "cmi5",
        "guide",
        "html",
        "scorm12",
        "scorm2004",
    ]


def test_a_kind_written_for_another_plugin_api_is_refused_with_the_reason(mini, cli, tmp_path, monkeypatch):
    site = tmp_path / "site"
    (site / "old_kind").mkdir(parents=True)
    (site / "old_kind" / "__init__.py").write_text(
        "from moocpack.kinds import QuestionKind\n\nclass Old(QuestionKind):\n    api = 0\n    name = 'old'\n"
    )
    info = site / "old_kind-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: old-kind\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[moocpack.question_kinds]\nold = old_kind:Old\n")
    monkeypatch.syspath_prepend(str(site))
    kinds.reload()
    try:
        code, out, err = cli("validate", mini)
        assert code == 2 and "the question kind 'old' is installed but cannot be used" in out + err
        assert "written for moocpack's plug-in API 0" in out + err
    finally:
        monkeypatch.undo()
        kinds.reload()
