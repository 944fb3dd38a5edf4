"""The html export in a real headless Chromium (Debian's, driven by Playwright).

Every page loads with no console error and no request leaving 127.0.0.1, every internal link and
anchor resolves, and quizzes work by clicking. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import shutil
import threading
import zipfile
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest

from conftest import ARTIFACTS, ROOT, SHIPPED

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The shipped course's html packages, unzipped and served on 127.0.0.1."""
    from moocpack.builder import build
    from moocpack.exporter import registry
    from moocpack.problems import Report

    out = tmp_path_factory.mktemp("dist")
    build(
        SHIPPED,
        {"html": registry()["html"].exporter, "guide": registry()["guide"].exporter},
        ["en", "nb", "fr"],
        out,
        Report(SHIPPED),
    )
    mini = ROOT / "tests" / "fixtures" / "mini"  # a graded quiz with unlimited tries (max_attempts 0)
    build(mini, {"html": registry()["html"].exporter}, ["en"], out, Report(mini))
    root = tmp_path_factory.mktemp("www")
    with zipfile.ZipFile(next(out.glob("mini-*-en-html.zip"))) as archive:
        archive.extractall(root / "mini")
    for lang in ("en", "nb", "fr"):
        with zipfile.ZipFile(out / f"pat-peer-support-1.0.0-{lang}-html.zip") as archive:
            archive.extractall(root / lang)
        with zipfile.ZipFile(out / f"pat-peer-support-1.0.0-{lang}-guide.zip") as archive:
            archive.extractall(root / f"guide-{lang}")
    with serve(root) as base:
        yield root, base


@contextlib.contextmanager
def serve(root: Path):
    """A folder served on 127.0.0.1 (a package's pages as a browser meets them); its base URL."""
    handler = functools.partial(QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


@pytest.fixture(scope="module")
def browser():
    assert CHROMIUM, "Chromium is needed: apt-get install -y chromium (the README's test command does this)"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture
def page(browser, site):
    _, base = site
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))

    def outside(request):
        host = urlparse(request.url).hostname
        if request.url.startswith("http") and host != "127.0.0.1":
            problems.append(f"request left the package: {request.url}")

    page.on("request", outside)
    page.problems = problems  # type: ignore[attr-defined]
    yield page
    context.close()


def html_files(root: Path, lang: str) -> list[str]:
    return sorted(p.name for p in (root / lang).glob("*.html"))


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_every_page_loads_cleanly_and_every_internal_link_resolves(page, site, lang):
    root, base = site
    checked = 0
    for name in html_files(root, lang):
        url = f"{base}/{lang}/{name}"
        response = page.goto(url)
        assert response and response.ok, url
        assert page.evaluate("document.documentElement.lang") == lang
        hrefs = page.eval_on_selector_all(
            "a[href], img[src], link[href], script[src]",
            "els => els.map(e => e.getAttribute('href') || e.getAttribute('src'))",
        )
        for href in hrefs:
            if href.startswith(("http://", "https://", "mailto:", "data:")):
                continue
            target = urlparse(urljoin(url, href))
            path = root / target.path.lstrip("/")
            assert path.is_file(), f"{name}: broken link {href}"
            if target.fragment:
                html = path.read_text("utf-8")
                assert f'id="{target.fragment}"' in html, f"{name}: missing anchor {href}"
            checked += 1
    assert checked > 50
    assert page.problems == []


def answer_question(field, question: dict, correctly: bool) -> None:
    """Answer one question by clicking, right or wrong, from the answer key the page carries."""
    if question["type"] in ("true_false", "single_choice"):
        # A discussion question accepts every option: there is no wrong one to pick.
        option = next((o for o in question["options"] if o["correct"] == correctly), question["options"][0])
        field.locator(f'input[value="{option["id"]}"]').click()
    elif question["type"] == "multiple_response":
        for option in question["options"]:
            if option["correct"] == correctly:
                field.locator(f'input[value="{option["id"]}"]').click()
    elif question["type"] == "matching":
        for i, pair in enumerate(question["pairs"]):
            choice = pair["answer"] if correctly else (pair["answer"] + 1) % question["targets"]
            field.locator("select").nth(i).select_option(str(choice))
    elif question["type"] == "short_text":
        field.locator("input[type=text]").fill(question["answers"][0] if correctly else "no idea")
    field.locator("button.check").click()


def answer(page, quiz_id: str, correctly: bool) -> None:
    """Answer every question of a quiz."""
    data = json.loads(page.inner_text(f"section#{quiz_id} script.quiz-data"))
    for question in data["questions"]:
        answer_question(page.locator(f'fieldset[data-question="{question["id"]}"]'), question, correctly)


def test_the_secrecy_discussion_records_each_answer_and_shows_its_notes(page, site):
    """Worksheet 3 was a group discussion: every answer is recorded, none is judged, the course
    team's notes show once the learner answers, and there is no score to finish with."""
    root, base = site
    page.goto(f"{base}/en/unit-02.html#quiz-secrecy-confidentiality")  # the part a link opens (steps.js)
    quiz = page.locator("section#quiz-secrecy-confidentiality")
    first = page.locator('fieldset[data-question="ws3-secrecy-confidentiality.shelter-access"]')
    assert first.locator(".feedback-texts").is_hidden()
    answer(page, "quiz-secrecy-confidentiality", correctly=True)
    assert set(quiz.locator(".verdict").all_inner_texts()) == {"Answer saved"}  # no verdict: nothing to get wrong
    assert "discuss how to call people" in first.locator(".feedback-texts").inner_text()
    assert set(quiz.locator(".points").all_inner_texts()) == {"Not graded"}
    assert quiz.locator("button.finish").count() == 0 and quiz.locator(".quiz-result").count() == 0
    ARTIFACTS.mkdir(exist_ok=True)
    quiz.screenshot(path=str(ARTIFACTS / "html-discussion-en.png"))
    page.screenshot(path=str(ARTIFACTS / "html-unit-02-en.png"), full_page=True)
    assert page.problems == []


def test_a_graded_quiz_is_answered_by_clicking_and_passed(page, site):
    _, base = site
    page.goto(f"{base}/en/unit-09.html#quiz-peer-relationship")
    answer(page, "quiz-peer-relationship", correctly=True)
    quiz = page.locator("section#quiz-peer-relationship")
    assert set(quiz.locator(".verdict").all_inner_texts()) == {"Correct"}
    quiz.locator("button.finish").click()
    assert quiz.locator(".quiz-result").inner_text() == "Score: 7 of 7 You passed."
    quiz.screenshot(path=str(ARTIFACTS / "html-quiz-en.png"))
    assert page.problems == []


def test_wrong_answers_fail_the_quiz_in_the_course_language(page, site):
    _, base = site
    page.goto(f"{base}/nb/unit-09.html#quiz-peer-relationship")
    answer(page, "quiz-peer-relationship", correctly=False)
    verdicts = page.locator("section#quiz-peer-relationship .verdict").all_inner_texts()
    assert set(verdicts) == {"Ikke helt. Prøv igjen. 2 forsøk igjen."}  # the quiz allows 3 tries
    page.locator("section#quiz-peer-relationship button.finish").click()
    assert set(page.locator("section#quiz-peer-relationship .verdict").all_inner_texts()) == {"Ikke helt."}
    result = page.locator("section#quiz-peer-relationship .quiz-result").inner_text()
    assert result.startswith("Poeng: 0 av 7") and "Du trenger 70 % for å bestå." in result
    # The whole unit is in Norwegian, and says whose translation it is.
    assert page.locator('[lang="en"]').count() == 0
    assert page.locator("footer .translation-notice").inner_text().startswith("Oversatt av kursteamet")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "html-unit-09-nb.png"), full_page=True)
    assert page.problems == []


def test_finishing_with_unanswered_questions_names_them_first(page, site):
    """A quiz scored 0 with nothing answered, without a word, is no way to end: the first Finish
    names the unanswered questions (as the page numbers them), a second one scores."""
    _, base = site
    page.goto(f"{base}/nb/unit-09.html#quiz-peer-relationship")
    quiz = page.locator("section#quiz-peer-relationship")
    data = json.loads(quiz.locator("script.quiz-data").inner_text())
    answer_question(page.locator(f'fieldset[data-question="{data["questions"][0]["id"]}"]'), data["questions"][0], True)
    quiz.locator("button.finish").click()
    graded = [i + 1 for i, q in enumerate(data["questions"]) if q["graded"]][1:]
    assert quiz.locator(".quiz-result").inner_text() == (
        f"{len(graded)} spørsmål er ikke besvart ennå: {', '.join(map(str, graded))}. Svar på dem, eller velg "
        "Fullfør en gang til for å få poeng uten dem."
    )
    quiz.locator("button.finish").click()
    assert quiz.locator(".quiz-result").inner_text().startswith(f"Poeng: {data['questions'][0]['points']:g} av 7")
    assert page.problems == []


def test_a_wrong_answer_gets_another_try_before_its_explanation(page, site):
    """The explanation gives the answer away: it shows when the answer is right, when the tries the
    quiz allows (max_attempts) are used up, or when the learner asks for it."""
    _, base = site
    page.goto(f"{base}/mini/u1.html#quiz-1")  # max_attempts 0: until right, or "Show the answer"
    field = page.locator('fieldset[data-question="q-single"]')
    field.locator('input[value="b"]').click()
    field.locator("button.check").click()
    assert field.locator(".verdict").inner_text() == "Not quite. Try again."
    assert (
        field.locator(".option-feedback-holder").first.is_hidden()
        and field.locator(".option-feedback-holder").last.is_hidden()
    )
    field.locator('input[value="a"]').click()
    field.locator("button.check").click()
    assert field.locator(".verdict").inner_text() == "Correct"
    assert field.locator('.option-feedback-holder[data-option="a"]').inner_text() == "Well done."
    assert field.locator("button.reveal").count() == 0
    other = page.locator('fieldset[data-question="q-single"]')
    page.reload()  # the same question, answered wrong and then shown
    page.evaluate("localStorage.clear()")
    page.reload()
    other.locator('input[value="b"]').click()
    other.locator("button.check").click()
    other.locator("button.reveal").click()
    assert other.locator(".verdict").inner_text() == "Not quite."
    assert other.locator('.option-feedback-holder[data-option="b"]').inner_text() == "No."
    page.goto(f"{base}/en/unit-09.html#quiz-peer-relationship")  # max_attempts 3
    data = json.loads(page.inner_text("section#quiz-peer-relationship script.quiz-data"))
    question = next(q for q in data["questions"] if q["type"] == "short_text")
    field = page.locator(f'fieldset[data-question="{question["id"]}"]')
    seen = []
    for _ in range(3):
        answer_question(field, question, False)
        seen.append(field.locator(".verdict").inner_text())
    assert seen == ["Not quite. Try again. 2 tries left.", "Not quite. Try again. 1 try left.", "Not quite."]
    assert field.locator(".feedback-texts").is_visible()
    assert page.problems == []


def test_answers_survive_a_reload_and_the_page_says_where_they_are_kept(page, site):
    _, base = site
    page.goto(f"{base}/en/unit-09.html#quiz-peer-relationship")
    quiz = page.locator("section#quiz-peer-relationship")
    assert quiz.locator(".store-note").inner_text().startswith("Your answers are kept in this browser")
    answer(page, "quiz-peer-relationship", correctly=True)
    page.goto(f"{base}/en/unit-02.html#reflection-role-models")
    reflection = page.locator("section#reflection-role-models textarea").first
    reflection.fill("A role model of mine listens before speaking.")
    reflection.locator("xpath=ancestor::fieldset").locator("button.check").click()
    discussion = page.locator('fieldset[data-question="ws3-secrecy-confidentiality.police-entrance"]')
    page.goto(f"{base}/en/unit-02.html#quiz-secrecy-confidentiality")
    discussion.locator('input[value="depends"]').click()
    discussion.locator("button.check").click()
    page.reload()
    assert discussion.locator('input[value="depends"]').is_checked()
    assert discussion.locator(".verdict").inner_text() == "Answer saved"
    page.goto(f"{base}/en/unit-02.html#reflection-role-models")
    assert reflection.input_value() == "A role model of mine listens before speaking."
    page.goto(f"{base}/en/unit-09.html#quiz-peer-relationship")
    assert page.locator('fieldset[data-question="q-professional"] .verdict').inner_text() == "Correct"
    quiz.locator("button.finish").click()
    assert quiz.locator(".quiz-result").inner_text() == "Score: 7 of 7 You passed."
    # Another language of the course is another record: nothing of the English answers shows in Norwegian.
    page.goto(f"{base}/nb/unit-09.html#quiz-peer-relationship")
    assert page.locator('fieldset[data-question="q-professional"] .verdict').inner_text() == ""
    assert page.problems == []


def test_a_browser_that_keeps_nothing_is_told_so(browser, site):
    _, base = site
    context = browser.new_context()
    context.add_init_script(
        "Object.defineProperty(window, 'localStorage', {get: function () { throw new Error('denied'); }});"
    )
    page = context.new_page()
    page.goto(f"{base}/en/unit-09.html")
    note = page.locator("section#quiz-peer-relationship .store-note").inner_text()
    assert note == "This browser does not let the page keep your answers: they are lost when you leave it."
    context.close()


def test_a_unit_reads_a_part_at_a_time_with_its_contents_and_progress(page, site):
    """Unit 2 was one long scroll (35 phone screens): each part now has its screen, the unit's
    contents and progress above it (parts seen, quizzes passed, kept in this browser), previous
    and next below; links open the part they point into; printing shows it all."""
    _, base = site
    page.goto(f"{base}/en/unit-09.html")
    parts = page.locator("main > section")
    total = parts.count()
    assert total >= 7 and [parts.nth(i).is_visible() for i in range(total)].count(True) == 1
    steps = page.locator("nav.unit-steps")
    assert steps.locator("li").count() == total
    assert steps.locator(".step-progress").inner_text() == f"Part 1 of {total} · quizzes passed: 0 of 1"
    page.locator("main > section:not([hidden]) nav.step-pager a[rel=next]").click()
    assert parts.nth(1).is_visible() and not parts.nth(0).is_visible()
    assert steps.locator(".step-progress").inner_text().startswith(f"Part 2 of {total}")
    assert steps.locator("a[aria-current=step]").inner_text() == parts.nth(1).locator("h2").first.inner_text()
    page.goto(f"{base}/en/unit-09.html#quiz-peer-relationship")
    answer(page, "quiz-peer-relationship", correctly=True)
    page.locator("section#quiz-peer-relationship button.finish").click()
    assert steps.locator(".step-progress").inner_text().endswith("quizzes passed: 1 of 1")
    page.reload()
    assert steps.locator("a.seen").count() == 3  # kept in this browser
    assert steps.locator(".step-progress").inner_text().endswith("quizzes passed: 1 of 1")
    page.emulate_media(media="print")
    assert all(parts.nth(i).is_visible() for i in range(total))
    page.emulate_media(media="screen")
    assert page.problems == []


def test_quiz_events_report_answers_for_other_runtimes(page, site):
    _, base = site
    page.goto(f"{base}/en/unit-09.html#quiz-peer-relationship")
    page.evaluate("""() => { window.seen = [];
        document.addEventListener('moocpack:answer', e => window.seen.push(e.detail));
        document.addEventListener('moocpack:quiz-finished', e => window.seen.push(e.detail)); }""")
    answer(page, "quiz-peer-relationship", correctly=True)
    page.locator("section#quiz-peer-relationship button.finish").click()
    seen = page.evaluate("window.seen")
    answers = [s for s in seen if "question" in s]
    assert [a["question"] for a in answers] == [
        "ws9-helper-or-empowering",
        "q-professional",
        "q-sharing-story",
        "q-drama-triangle",
        "q-self-efficacy",
        "q-rescuer",
    ]
    assert all(a["correct"] for a in answers)
    assert answers[0]["competences"] == ["pat.05.1", "pat.05.3"]
    assert seen[-1] == {
        "quiz": "quiz-peer-relationship",
        "score": 7,
        "max": 7,
        "scaled": 1,
        "passed": True,
        "graded": True,
    }


AXE = Path(__file__).parent / "lms" / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(page) -> list[dict]:
    """What axe-core finds on the page against the WCAG 2.1 A and AA rules: each rule broken, its
    impact, how many elements break it and the first of them."""
    assert AXE.is_file(), "run 'npm ci --prefix tests/lms' (the README's test command does)"
    page.add_script_tag(path=str(AXE))
    return page.evaluate("""async () => {
        const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
        return r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length,
                                       target: v.nodes[0].target.join(' ')}));
    }""")


@pytest.mark.parametrize("lang", ["en", "nb", "fr"])
def test_every_page_passes_the_axe_accessibility_engine(page, site, lang):
    """axe-core (the engine behind Lighthouse's accessibility audit), WCAG 2.1 A and AA rules."""
    root, base = site
    found = {}
    for name in html_files(root, lang):
        page.goto(f"{base}/{lang}/{name}")
        result = axe_violations(page)
        # A unit shows a part at a time (steps.js) and axe judges only what is shown: then every
        # part, as printing shows them.
        if page.locator("main > section[hidden]").count():
            page.emulate_media(media="print")
            result += axe_violations(page)
            page.emulate_media(media="screen")
        if result:
            found[name] = result
    assert found == {}


def test_answers_that_look_like_markup_do_not_break_the_quiz_page(browser, mini, tmp_path, cli):
    """Embedded quiz data meets the HTML parser's script states: `<!--<script>` once stopped the
    data from parsing and every question vanished."""
    from conftest import edit

    hostile = ["<!--<script>", "</script><script>alert(1)</script>", "a & b > c"]
    edit(
        mini / "en/units/u1.yaml",
        "      - {id: oslo, text: Oslo}",
        "      - {id: oslo, text: Oslo}\n"
        + "".join(f"      - {{id: h{i}, text: {json.dumps(text)}}}\n" for i, text in enumerate(hostile)),
    )
    code, _, stderr = cli("build", mini, "--format", "html", "--lang", "en", "--out", tmp_path / "out")
    assert code == 0, stderr
    with zipfile.ZipFile(next((tmp_path / "out").glob("*-html.zip"))) as archive:
        archive.extractall(tmp_path / "site")
    context = browser.new_context()
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("dialog", lambda dialog: (problems.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    page.goto((tmp_path / "site" / "u1.html").as_uri() + "#quiz-1")
    field = page.locator('fieldset[data-question="q-short"]')
    for text in ["Oslo"] + hostile:
        field.locator("input[type=text]").fill(text)
        field.locator("button.check").click()
        assert field.locator(".verdict").inner_text() == "Correct", text
    data = [json.loads(text) for text in page.locator("script.quiz-data").all_inner_texts()]
    assert page.locator("fieldset.question").count() == sum(len(quiz["questions"]) for quiz in data) > 0
    assert problems == []
    context.close()


def test_the_table_of_contents_is_written_once_and_every_page_shows_it(browser, site):
    root, base = site
    page = browser.new_context().new_page()
    page.goto(f"{base}/en/unit-09.html")
    links = page.locator("header.site nav a")
    assert links.count() == 4 and links.nth(2).get_attribute("aria-current") == "page"
    # Without JavaScript a page still leads to the contents.
    plain = browser.new_context(java_script_enabled=False).new_page()
    plain.goto(f"{base}/en/unit-09.html")
    fallback = plain.locator("header.site nav a")
    assert fallback.count() == 1 and fallback.get_attribute("href") == "index.html#contents"
    plain.goto(f"{base}/en/index.html#contents")
    assert plain.locator("#contents ol.units li").count() == 3
    # The list itself is in toc.js only, not repeated in every page.
    assert "Peer relationship" in (root / "en" / "toc.js").read_text("utf-8")
    assert "Unit 9" not in (root / "en" / "unit-02-6.html").read_text("utf-8").split("<main")[0]


def test_the_website_grows_linearly_with_the_course(tmp_path):
    """Every page used to carry the whole table of contents: 2,000 units made 736 MB."""
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from synthetic import generate

    from moocpack.builder import build
    from moocpack.exporter import registry
    from moocpack.problems import Report

    sizes = {}
    for units in (20, 80):
        course = generate(tmp_path / f"c{units}", units=units, questions=2, languages=("en",))
        build(course, {"html": registry()["html"].exporter}, None, tmp_path / f"out{units}", Report(course))
        with zipfile.ZipFile(next((tmp_path / f"out{units}").glob("*-html.zip"))) as archive:
            sizes[units] = sum(i.file_size for i in archive.infolist())
    assert sizes[80] / sizes[20] < 4.4  # 4 times the units, about 4 times the bytes


@pytest.fixture(params=[(375, 667), (1280, 900)], ids=["375-667", "1280-900"])
def sized(request, browser):
    """A page at a phone's and at a desktop's size (a test using it runs at both): (page, width,
    height). The screenshots' folder is there."""
    width, height = request.param
    context = browser.new_context(viewport={"width": width, "height": height})
    ARTIFACTS.mkdir(exist_ok=True)
    yield context.new_page(), width, height
    context.close()


def test_pages_read_well_on_a_phone_and_a_desktop(sized, site):
    """The quiz page and the competence matrix at a phone's and a desktop's width: the header
    stays small, matching selects line up, nothing runs off the side but the matrix's own scroller."""
    _, base = site
    page, width, height = sized
    page.goto(f"{base}/en/unit-09.html#quiz-peer-relationship")
    header = page.locator("header.site").bounding_box()
    assert header["height"] < height / 4, header
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    selects = page.locator("section#quiz-peer-relationship select")
    lefts = {round(selects.nth(i).bounding_box()["x"]) for i in range(selects.count())}
    assert len(lefts) == 1, lefts  # every answer box starts at the same place
    page.locator("section#quiz-peer-relationship").screenshot(path=str(ARTIFACTS / f"html-quiz-unit-09-{width}.png"))
    page.goto(f"{base}/en/worksheet-ws3-secrecy-confidentiality.html")
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # its table included
    if width < 640:  # a card per row, each cell under its heading
        cell = page.locator("table.worksheet-table td[data-label]").first
        assert page.evaluate("e => getComputedStyle(e, '::before').content", cell.element_handle()) == '"Description"'
    page.screenshot(path=str(ARTIFACTS / f"html-worksheet-ws3-en-{width}.png"), full_page=False)
    page.goto(f"{base}/nb/competences.html")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    cell = page.locator("table.coverage td.level-2 details").first
    cell.locator("summary").click()
    assert cell.locator("li").count() >= 2 and cell.locator("li a").first.is_visible()
    page.screenshot(path=str(ARTIFACTS / f"html-competences-nb-{width}.png"), full_page=False)


@pytest.mark.parametrize("lang", ["en", "nb", "fr"])
def test_every_page_of_every_language_fits_a_phone_and_a_desktop(sized, site, lang):
    """Longer French and Norwegian words included: no page runs off the side (the matrix and the
    drawings scroll in frames of their own), every unit part is screenshotted."""
    root, base = site
    page, width, _ = sized
    for name in html_files(root, lang):
        page.goto(f"{base}/{lang}/{name}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width, name
        page.screenshot(path=str(ARTIFACTS / f"html-{lang}-{name[:-5]}-{width}.png"), full_page=False)
        parts = page.locator("main > section")
        for i in range(parts.count() if page.locator("nav.unit-steps").count() else 0):
            anchor = parts.nth(i).get_attribute("id")
            page.goto(f"{base}/{lang}/{name}#{anchor}")
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (name, anchor)


def test_learner_and_facilitator_views_side_by_side(sized, site):
    """The same unit as a learner and as a facilitator sees it, on a phone and a desktop."""
    _, base = site
    page, width, _ = sized
    for view, folder in (("learner", "en"), ("facilitator", "guide-en")):
        page.goto(f"{base}/{folder}/unit-02.html#a1-my-role-model")
        activity = page.locator("section#a1-my-role-model")
        assert activity.locator("h4").first.inner_text() == "Your task"
        trainer = activity.locator(".for-facilitators")
        assert trainer.count() == (1 if view == "facilitator" else 0)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        activity.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / f"html-unit-02-{view}-{width}.png"))


def test_media_show_and_subtitles_load_in_the_learners_language(browser, mini, tmp_path, cli):
    """In Chromium: the Norwegian image and drawing load, the video's Norwegian subtitles are the
    track shown, with their cues; the transcript opens; downloads resolve; axe finds nothing."""
    from test_media import with_media

    with_media(mini)
    code, _, stderr = cli("build", mini, "--format", "html", "--lang", "nb", "--out", tmp_path / "out")
    assert code == 0, stderr
    with zipfile.ZipFile(next((tmp_path / "out").glob("*-html.zip"))) as archive:
        archive.extractall(tmp_path / "site")
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    # No outside requests in tests: the YouTube player is asked for and refused.
    context.route(lambda url: "127.0.0.1" not in url, lambda route: route.abort())
    page = context.new_page()
    with serve(tmp_path / "site") as base, contextlib.closing(context):
        page.goto(f"{base}/u1.html#p1")
        for figure in ("photo", "drawing"):
            assert (
                page.evaluate(
                    f"document.querySelector('#{figure} img').complete && "
                    f"document.querySelector('#{figure} img').naturalWidth"
                )
                > 0
            ), figure
        page.wait_for_function(
            "() => { const t = document.querySelector('#clip video').textTracks[0];"
            " return t && t.cues && t.cues.length === 2; }",
            timeout=10000,
        )
        track = page.evaluate("""() => { const t = document.querySelector('#clip video').textTracks;
            return {langs: [...t].map(x => x.language), mode: t[0].mode, first: t[0].cues[0].text}; }""")
        assert track == {"langs": ["nb", "en"], "mode": "showing", "first": "Velkommen til kurset."}
        page.locator("#clip details.transcript summary").click()
        assert "La oss begynne." in page.locator("#clip details.transcript").inner_text()
        for href in page.eval_on_selector_all("a[download]", "links => links.map(a => a.href)"):
            assert page.request.get(href).status == 200, href
        assert axe_violations(page) == []


def test_unit_9s_diagrams_fit_a_phone_and_a_desktop_in_norwegian(sized, site):
    _, base = site
    page, width, _ = sized
    for figure in ("helper-or-empowering-diagram", "triangles-diagram"):
        page.goto(f"{base}/nb/unit-09.html#{figure}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        image = page.locator(f"#{figure} img")
        assert image.get_attribute("src").endswith(".nb.svg")
        natural = page.evaluate(f"document.querySelector('#{figure} img').naturalWidth")
        assert natural > 0
        # The figure fits the screen; the drawing in it keeps its words readable (its smallest
        # label is 15 px at full size: at least 11 px here), scrolling sideways on a phone.
        assert page.locator(f"#{figure}").bounding_box()["width"] <= width
        assert 15 * image.bounding_box()["width"] / natural >= 11, image.bounding_box()
        assert page.locator(f"#{figure} .drawing").get_attribute("tabindex") == "0"  # the keyboard can scroll it
    page.locator("#triangles-diagram").scroll_into_view_if_needed()
    page.locator("#triangles-diagram").screenshot(path=str(ARTIFACTS / f"html-unit-09-diagram-nb-{width}.png"))
