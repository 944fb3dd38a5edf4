"""A course in a language moocpack ships no interface for, written right to left: Arabic.

The course brings its own interface strings (`ar/_interface.yaml`), through the translators' own
workflow (l10n export, an XLIFF tool, l10n import), and every format says the text runs right to
left: the website and SCORM pages on <html>, Open edX and Moodle on the course's markup (those LMSs
lay a page out in the learner's interface language). Checked in Chromium, with screenshots.
"""

from __future__ import annotations

import re
import tarfile
import zipfile
from pathlib import Path

import pytest

from conftest import ARTIFACTS

ARABIC_CHECK = "تحقق"


def arabic(text: str) -> str:
    """A stand-in translation that keeps placeholders and markup: Arabic letters around the text."""
    return f"ع {text}" if "{" in text or "<" in text or "](" in text else f"{ARABIC_CHECK} {text}"


@pytest.fixture
def course(mini, cli, tmp_path) -> Path:
    from translate.storage import xliff2

    assert cli("l10n", "init", mini, "ar")[0] == 0
    exported = tmp_path / "ar.xlf"
    code, _, err = cli("l10n", "export", mini, "--lang", "ar", "-o", exported)
    assert code == 0, err
    store = xliff2.Xliff2File.parsefile(str(exported))
    interface_units = [u for u in store.units if "_interface.yaml" in (u.getid() or "") or True]
    for unit in store.units:
        unit.target = arabic(unit.source)
    filled = tmp_path / "ar-filled.xlf"
    filled.write_bytes(bytes(store))
    assert interface_units
    code, _, err = cli("l10n", "import", mini, filled)
    assert code == 0, err
    return mini


def test_the_interface_strings_go_through_export_and_import_into_the_courses_own_file(course, cli):
    own = (course / "ar" / "_interface.yaml").read_text("utf-8")
    assert f"check_answer: {ARABIC_CHECK} Check" in own
    assert re.search(r"points:\n\s+few: ", own), "a message with a count gets every Arabic plural category"
    code, out, err = cli("validate", course)
    assert code == 0, out + err
    code, text, _ = cli("l10n", "status", course)
    assert re.search(r"^ar\s+\d+/(\d+)\s+\(uses ar/_interface.yaml\)", text, re.M), text


def test_a_broken_interface_file_is_refused_with_positions(mini, cli):
    (mini / "nb" / "_interface.yaml").write_text("check_anwser: Sjekk\nquestions_by: Spørsmål\n", "utf-8")
    code, out, _ = cli("validate", mini)
    assert code == 2
    assert re.search(r"nb/_interface\.yaml:1:1: error: unknown interface message 'check_anwser'.*check_answer", out)
    assert re.search(r"nb/_interface\.yaml:2:15: error: the text must hold exactly the placeholders .*\{author\}", out)


def packages(course, cli, out) -> dict[str, dict[str, bytes]]:
    code, stdout, stderr = cli("build", course, "--lang", "ar", "--out", out)
    assert code == 0, stdout + stderr
    found = {}
    for path in out.iterdir():
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as z:
                found[path.name] = {n: z.read(n) for n in z.namelist()}
        elif path.name.endswith((".tar.gz", ".mbz")):
            with tarfile.open(path) as t:
                found[path.name] = {m.name: t.extractfile(m).read() for m in t.getmembers() if m.isfile()}
    return found


def one(found, fmt):
    return next(
        files
        for name, files in found.items()
        if name.endswith(f"-ar-{fmt}.zip") or name.endswith(f"-ar-{fmt}.tar.gz") or name.endswith(f"-ar-{fmt}.mbz")
    )


def test_every_format_says_the_course_runs_right_to_left(course, cli, tmp_path):
    found = packages(course, cli, tmp_path / "out")
    for fmt in ("html", "scorm12", "scorm2004", "guide"):
        pages = {n: d.decode() for n, d in one(found, fmt).items() if n.endswith(".html")}
        assert pages and all('<html lang="ar" dir="rtl">' in page for page in pages.values()), fmt
        assert any(f">{ARABIC_CHECK} Check<" in page for page in pages.values()), fmt  # the course's own button
    olx = one(found, "olx")
    components = {n: d.decode() for n, d in olx.items() if n.startswith("course/html/") and n.endswith(".html")}
    assert components and all(c.startswith('<div dir="rtl" lang="ar">') for c in components.values())
    problems = [d.decode() for n, d in olx.items() if n.startswith("course/problem/")]
    assert problems and all('<div dir="rtl" lang="ar">' in p for p in problems)
    moodle = one(found, "moodle")
    page = next(d.decode() for n, d in moodle.items() if n.endswith("/page.xml"))
    assert '&lt;div dir="rtl" lang="ar"&gt;' in page
    questions = moodle["questions.xml"].decode()
    assert questions.count('&lt;div dir="rtl" lang="ar"&gt;') >= 3


@pytest.mark.browser
@pytest.mark.slow
def test_an_arabic_unit_reads_right_to_left_in_chromium_and_passes_axe(course, cli, tmp_path):
    from test_browser import ARGS, CHROMIUM, axe_violations, serve
    from playwright.sync_api import sync_playwright

    found = packages(course, cli, tmp_path / "out")
    root = tmp_path / "www"
    for name, data in one(found, "html").items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    unit = "u1.html"
    ARTIFACTS.mkdir(exist_ok=True)
    with serve(root) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        for width in (375, 1280):
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.goto(f"{base}/{unit}")
            assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
            # Opened where its text is: nothing beside the page widens it (a right-to-left page
            # would open scrolled away from its text).
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            assert page.locator("main h1").first.is_visible() and page.locator("main h1").first.bounding_box()["x"] >= 0
            main = page.locator("main").bounding_box()
            heading = page.locator("main h1").first.bounding_box()
            # Right to left: the heading starts at the right edge of the main column.
            assert abs((heading["x"] + heading["width"]) - (main["x"] + main["width"])) < 40, (heading, main)
            page.screenshot(path=str(ARTIFACTS / f"rtl-ar-{width}.png"), full_page=False)
            assert axe_violations(page) == []
            page.close()
        browser.close()
