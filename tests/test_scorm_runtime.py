"""The SCORM runtime against a real LMS runtime in a real browser.

An LMS page on 127.0.0.1 exposes scorm-again (npm, tests/lms) as window.API / window.API_1484_11
and loads each SCO in an iframe, as an LMS does. Every call the SCO makes is journaled with the
error code scorm-again returns. Headless Debian Chromium, driven by Playwright.
"""

from __future__ import annotations

import functools
import http.server
import json
import threading
import zipfile
from urllib.parse import urlparse

import pytest

from conftest import ARTIFACTS, ROOT, SHIPPED
from test_browser import ARGS, CHROMIUM, answer_question

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LMS_JS = ROOT / "tests" / "lms" / "node_modules" / "scorm-again" / "dist"

LMS_PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Test LMS</title>
<link rel="icon" href="data:,"><script src="/lms/scorm12.js"></script><script src="/lms/scorm2004.js"></script></head>
<body><iframe id="sco" title="SCO" style="width:1000px;height:700px"></iframe>
<script>
window.journal = [];
window.launch = function (version, preload, url) {
  var settings = { logLevel: 5, autocommit: false };
  var api = version === "1.2" ? new Scorm12API(settings) : new Scorm2004API(settings);
  if (preload) { api.loadFromJSON(preload, ""); }
  var names = version === "1.2" ? ["LMSInitialize", "LMSFinish", "LMSGetValue", "LMSSetValue", "LMSCommit"]
                                : ["Initialize", "Terminate", "GetValue", "SetValue", "Commit"];
  var lastError = (version === "1.2" ? api.LMSGetLastError : api.GetLastError).bind(api);
  names.forEach(function (name) {
    var original = api[name].bind(api);
    api[name] = function () {
      var args = Array.prototype.slice.call(arguments);
      var result = original.apply(null, args);
      window.journal.push({ call: name, args: args, result: String(result), error: String(lastError()) });
      if (/Finish|Terminate/.test(name)) {  // a beacon outlives the LMS page, the journal does not
        navigator.sendBeacon("/journal?call=" + name + "&error=" + lastError(), "");
      }
      return result;
    };
  });
  if (version === "1.2") { window.API = api; } else { window.API_1484_11 = api; }
  window.lmsApi = api;
  document.getElementById("sco").src = url;
};
window.cmi = function () { return JSON.parse(JSON.stringify(window.lmsApi.cmi)); };
</script></body></html>"""

FORMATS = {"1.2": "scorm12", "2004": "scorm2004"}


BEACONS: list[str] = []


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):  # the LMS page's beacons
        BEACONS.append(self.path.split("?")[-1])
        self.send_response(204)
        self.end_headers()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from moocpack.builder import build
    from moocpack.exporter import registry
    from moocpack.problems import Report

    assert LMS_JS.is_dir(), "run 'npm ci --prefix tests/lms' (the README's test command does)"
    out = tmp_path_factory.mktemp("dist")
    build(SHIPPED, {f: registry()[f].exporter for f in FORMATS.values()}, ["en", "nb"], out, Report(SHIPPED))
    root = tmp_path_factory.mktemp("lms")
    (root / "lms").mkdir()
    for name in ("scorm12.js", "scorm2004.js"):
        (root / "lms" / name).write_bytes((LMS_JS / name).read_bytes())
    (root / "lms.html").write_text(LMS_PAGE, "utf-8")
    for fmt in FORMATS.values():
        for lang in ("en", "nb"):
            with zipfile.ZipFile(out / f"pat-peer-support-1.0.0-{lang}-{fmt}.zip") as archive:
                archive.extractall(root / fmt / lang)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    assert CHROMIUM, "Chromium is needed: apt-get install -y chromium"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS + ["--deny-unload"])
        yield instance
        instance.close()


class Session:
    """One LMS page with one SCO launched in its iframe."""

    def __init__(
        self, browser, base: str, version: str, unit: str, lang: str = "en", preload=None, moodle: bool = False
    ):
        self.version = version
        self.context = browser.new_context(viewport={"width": 1100, "height": 800})
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on("console", lambda m: self.problems.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.problems.append(str(e)))
        self.page.on("request", self._request)
        self.page.goto(f"{base}/lms.html")
        if moodle:  # what Moodle's player page defines (mod/scorm/module.js), by which the SCO knows it
            self.page.evaluate("window.M = {mod_scorm: {init: function () {}}}")
        self.page.evaluate(
            "([v, p, u]) => window.launch(v, p, u)", [version, preload, f"/{FORMATS[version]}/{lang}/{unit}.html"]
        )
        self.frame = self.page.frame_locator("#sco")
        self.page.wait_for_function("window.journal.some(c => c.call === 'Commit' || c.call === 'LMSCommit')")

    def _request(self, request):
        if urlparse(request.url).hostname not in ("127.0.0.1", None) and not request.url.startswith("data:"):
            self.problems.append(f"request left the package: {request.url}")

    def journal(self) -> list[dict]:
        return self.page.evaluate("window.journal")

    def cmi(self) -> dict:
        return self.page.evaluate("window.cmi()")

    def answer(self, quiz: str, correctly: bool) -> None:
        data = json.loads(self.frame.locator(f"section#{quiz} script.quiz-data").inner_text())
        for question in data["questions"]:
            self.answer_one(quiz, question, correctly)
        self.frame.locator(f"section#{quiz} button.finish").click()

    def answer_one(self, quiz: str, question: dict, correctly: bool) -> None:
        answer_question(self.frame.locator(f'fieldset[data-question="{question["id"]}"]'), question, correctly)

    def exit(self) -> None:
        self.frame.locator("#lms-exit").click()

    def errors(self) -> list[dict]:
        """Calls that failed, except the spec's benign 403 for reading a 2004 element never set."""
        return [c for c in self.journal() if c["error"] not in ("0", "403")]

    def close(self) -> None:
        self.context.close()


def values(cmi: dict, version: str, path12: str, path04: str):
    node = cmi
    for part in (path12 if version == "1.2" else path04).split("."):
        node = node[part] if not isinstance(node, list) else node[int(part)]
    return node


def children(node) -> list[dict]:
    """The items of a CMI array as scorm-again serialises it ({"childArray": [...]}, or by index)."""
    if isinstance(node, list):
        return node
    if "childArray" in node:
        return list(node["childArray"])
    return [node[k] for k in sorted(node, key=int)]


def interactions(cmi: dict) -> list[dict]:
    return children(cmi["interactions"])


def objectives(cmi: dict) -> list[dict]:
    return children(cmi["objectives"])


PRELOAD_2004 = {"objectives": {"0": {"id": "pat.05.1"}, "1": {"id": "pat.02.2"}}, "scaled_passing_score": "0.7"}


@pytest.mark.parametrize("version", FORMATS)
@pytest.mark.parametrize("unit", ["unit-02", "unit-02-6", "unit-09"])
def test_every_sco_launches_initializes_once_and_terminates_once(browser, server, version, unit):
    session = Session(browser, server, version, unit)
    session.exit()
    calls = [c["call"] for c in session.journal()]
    init, finish = ("LMSInitialize", "LMSFinish") if version == "1.2" else ("Initialize", "Terminate")
    assert calls.count(init) == 1 and calls.count(finish) == 1
    assert calls.index(init) == 0 and calls[-1] == finish
    assert session.errors() == []
    status = session.frame.locator("#lms-status").inner_text()
    assert status == "Connected to the learning platform."
    assert session.problems == []
    session.close()


@pytest.mark.parametrize("version", FORMATS)
def test_all_correct_answers_pass_with_full_score_interactions_and_objectives(browser, server, version):
    session = Session(browser, server, version, "unit-09", preload=None if version == "1.2" else PRELOAD_2004)
    session.answer("quiz-peer-relationship", correctly=True)
    cmi = session.cmi()
    records = interactions(cmi)
    assert len(records) == 6
    first = next(r for r in records if r["id"].endswith("q-self-efficacy"))
    objective_ids = [o["id"] for o in children(first["objectives"])]
    assert objective_ids == ["pat.05.1", "pat.05.3"]  # the interaction is linked to its competences
    if version == "1.2":
        assert cmi["core"]["lesson_status"] == "passed"
        assert float(cmi["core"]["score"]["raw"]) == 100
        assert first["id"] == "q-self-efficacy"
        assert first["type"] == "true-false" and first["result"] == "correct"
        assert first["student_response"] == "t"
        assert children(first["correct_responses"])[0]["pattern"] == "t"
        objective = next(o for o in objectives(cmi) if o["id"] == "pat.05.1")
        assert objective["status"] == "passed" and float(objective["score"]["raw"]) == 100
    else:
        assert cmi["success_status"] == "passed" and cmi["completion_status"] == "completed"
        # raw on 0-100 as in 1.2: Moodle's gradebook reads cmi.score.raw only.
        assert float(cmi["score"]["scaled"]) == 1 and float(cmi["score"]["raw"]) == 100
        assert float(cmi["score"]["min"]) == 0 and float(cmi["score"]["max"]) == 100
        assert first["id"] == "urn:moocpack:pat-peer-support:q-self-efficacy"
        assert first["type"] == "true-false" and first["result"] == "correct"
        assert first["learner_response"] == "true"
        assert children(first["correct_responses"])[0]["pattern"] == "true"
        assert first["description"].startswith("A helper-type relationship can harm recovery")
        objs = objectives(cmi)
        ids = [o["id"] for o in objs]
        assert ids.count("pat.05.1") == 1  # the preloaded objective was found, not duplicated
        found = next(o for o in objs if o["id"] == "pat.05.1")
        assert found["success_status"] == "passed" and float(found["score"]["scaled"]) == 1
    session.exit()
    assert session.errors() == [] and session.problems == []
    ARTIFACTS.mkdir(exist_ok=True)
    session.page.screenshot(path=str(ARTIFACTS / f"scorm{version}-unit-09.png"))
    session.close()


@pytest.mark.parametrize("version", FORMATS)
def test_all_wrong_answers_fail_on_a_fresh_attempt(browser, server, version):
    session = Session(browser, server, version, "unit-09", preload=None if version == "1.2" else PRELOAD_2004)
    session.answer("quiz-peer-relationship", correctly=False)
    cmi = session.cmi()
    records = interactions(cmi)
    assert {r["result"] for r in records} == {"wrong" if version == "1.2" else "incorrect"}
    matching = next(r for r in records if "helper-or-empowering" in r["id"])
    assert matching["type"] == "matching"
    if version == "1.2":
        assert cmi["core"]["lesson_status"] == "failed" and float(cmi["core"]["score"]["raw"]) == 0
    else:
        assert cmi["success_status"] == "failed" and float(cmi["score"]["scaled"]) == 0
        assert "[.]" in matching["learner_response"]
    session.exit()
    assert session.errors() == [] and session.problems == []
    session.close()


@pytest.mark.parametrize("version", FORMATS)
def test_suspend_and_resume_bring_back_the_bookmark_and_the_answers(browser, server, version):
    first = Session(browser, server, version, "unit-09")
    data = json.loads(first.frame.locator("section#quiz-peer-relationship script.quiz-data").inner_text())
    for question in data["questions"][1:3]:
        first.answer_one("quiz-peer-relationship", question, correctly=True)
    first.exit()
    saved = first.cmi()
    first.close()
    if version == "1.2":
        assert saved["core"]["exit"] == "suspend" and saved["core"]["lesson_status"] == "incomplete"
        preload = {
            "core": {
                "entry": "resume",
                "lesson_location": saved["core"]["lesson_location"],
                "lesson_status": "incomplete",
            },
            "suspend_data": saved["suspend_data"],
        }
    else:
        assert saved["exit"] == "suspend" and saved["completion_status"] == "incomplete"
        preload = {
            "entry": "resume",
            "location": saved["location"],
            "suspend_data": saved["suspend_data"],
            "completion_status": "incomplete",
        }
    assert 0 < len(saved["suspend_data"]) <= (4096 if version == "1.2" else 64000)
    location = saved["core"]["lesson_location"] if version == "1.2" else saved["location"]
    assert location and location != "undefined"
    second = Session(browser, server, version, "unit-09", preload=preload)
    # The bookmark is read back and the page opens where the learner left it.
    element = "cmi.core.lesson_location" if version == "1.2" else "cmi.location"
    reads = [c for c in second.journal() if c["call"] in ("LMSGetValue", "GetValue") and c["args"][0] == element]
    assert reads and reads[0]["result"] == location
    assert second.page.evaluate("() => document.getElementById('sco').contentWindow.scrollY") > 0
    single = second.frame.locator('fieldset[data-question="q-professional"]')
    assert single.locator('input[value="empowering"]').is_checked()
    assert single.locator(".verdict").inner_text() == "Correct"
    multi = second.frame.locator('fieldset[data-question="q-sharing-story"] input:checked')
    assert multi.count() == 3
    # Answering the rest completes the quiz with the restored answers counted.
    for question in data["questions"][:1] + data["questions"][3:]:
        second.answer_one("quiz-peer-relationship", question, correctly=True)
    second.frame.locator("section#quiz-peer-relationship button.finish").click()
    cmi = second.cmi()
    if version == "1.2":
        assert cmi["core"]["lesson_status"] == "passed"
    else:
        assert cmi["success_status"] == "passed"
    second.exit()
    assert second.errors() == [] and second.problems == []
    second.close()


@pytest.mark.parametrize("version", FORMATS)
def test_without_an_lms_the_sco_runs_says_so_and_keeps_nothing(browser, server, version):
    context = browser.new_context()
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.goto(f"{server}/{FORMATS[version]}/nb/unit-09.html#quiz-peer-relationship")
    status = page.locator("#lms-status")
    status.wait_for()
    page.wait_for_function("document.getElementById('lms-status').textContent.length > 0")
    assert status.inner_text() == "Ikke koblet til en læringsplattform: fremdriften din lagres ikke."
    assert page.locator("#lms-exit").is_hidden()
    page.locator('fieldset[data-question="q-self-efficacy"] input[value="true"]').click()
    page.locator('fieldset[data-question="q-self-efficacy"] button.check').click()
    assert page.locator('fieldset[data-question="q-self-efficacy"] .verdict').inner_text() == "Riktig"
    assert page.evaluate("Object.keys(localStorage).length + document.cookie.length") == 0
    assert problems == []
    context.close()


def test_the_largest_unit_of_a_generated_course_fits_scorm_12_suspend_data(browser, tmp_path):
    """A generated unit with 150 questions, every one answered (essays at length), still fits 4,096
    characters, and a relaunch restores the answers."""
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from synthetic import generate

    from moocpack.builder import build
    from moocpack.exporter import registry
    from moocpack.problems import Report

    course = generate(tmp_path / "big", units=1, questions=150, languages=("en",))
    build(course, {"scorm12": registry()["scorm12"].exporter}, None, tmp_path / "out", Report(course))
    root = tmp_path / "www"
    (root / "lms").mkdir(parents=True)
    for name in ("scorm12.js", "scorm2004.js"):
        (root / "lms" / name).write_bytes((LMS_JS / name).read_bytes())
    (root / "lms.html").write_text(LMS_PAGE, "utf-8")
    with zipfile.ZipFile(tmp_path / "out" / "synthetic-1.0-en-scorm12.zip") as archive:
        archive.extractall(root / "scorm12" / "en")
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    answer_everything = """() => {
        const doc = document.getElementById('sco').contentDocument;
        doc.querySelectorAll('fieldset.question').forEach(field => {
            const input = field.querySelector('input[type=radio], input[type=checkbox]');
            if (input) input.click();
            field.querySelectorAll('select').forEach(s => { s.value = '0'; });
            const text = field.querySelector('input[type=text]');
            if (text) text.value = 'an answer';
            const essay = field.querySelector('textarea');
            if (essay) essay.value = 'A long reflection. '.repeat(100);
            field.querySelector('button.check').click();
        });
        return doc.querySelectorAll('fieldset.question').length;
    }"""
    try:
        first = Session(browser, base, "1.2", "u0001")
        assert first.page.evaluate(answer_everything) == 154
        first.exit()
        saved = first.cmi()
        first.close()
        assert 0 < len(saved["suspend_data"]) <= 4096
        second = Session(
            browser,
            base,
            "1.2",
            "u0001",
            preload={"core": {"entry": "resume", "lesson_status": "incomplete"}, "suspend_data": saved["suspend_data"]},
        )
        answered = second.frame.locator(
            "fieldset.question.is-correct, fieldset.question.is-incorrect, fieldset.question.is-answered"
        )
        assert answered.count() == 154
        assert second.errors() == [] and second.problems == []
        second.close()
    finally:
        httpd.shutdown()


def write_reflections(session: Session, text_for, count: int = 99) -> list[str]:
    """Write a reflection into the first `count` essays of the launched unit; returns their ids."""
    ids = session.frame.locator("fieldset.question:has(textarea)").evaluate_all(
        "fields => fields.map(f => f.dataset.question)"
    )[:count]
    for n, qid in enumerate(ids):
        field = session.frame.locator(f'fieldset[data-question="{qid}"]')
        field.locator("textarea").fill(text_for(n))
        field.locator("button.check").click()
    return ids


def resume_12(browser, server, saved: dict) -> Session:
    return Session(
        browser,
        server,
        "1.2",
        "unit-02",
        preload={"core": {"entry": "resume", "lesson_status": "incomplete"}, "suspend_data": saved["suspend_data"]},
    )


def test_scorm_12_keeps_whole_reflections_while_the_4096_characters_allow(browser, server):
    first = Session(browser, server, "1.2", "unit-02")
    texts = {}
    ids = write_reflections(first, lambda n: texts.setdefault(n, f"Reflection {n}: " + "I listened first. " * 25), 6)
    assert len(ids) == 6 and all(len(t) > 400 for t in texts.values())  # 2,800 characters in all
    first.exit()
    saved = first.cmi()
    first.close()
    assert len(saved["suspend_data"]) <= 4096
    second = resume_12(browser, server, saved)
    for n, qid in enumerate(ids):
        field = second.frame.locator(f'fieldset[data-question="{qid}"]')
        assert field.locator("textarea").input_value() == texts[n]
        assert field.locator(".lms-shortened").count() == 0
    assert second.errors() == [] and second.problems == []
    second.close()


def test_scorm_12_shortens_reflections_only_past_the_budget_and_says_so(browser, server):
    first = Session(browser, server, "1.2", "unit-02")
    ids = write_reflections(first, lambda n: "x" * 40 if n == 0 else f"Reflection {n}: " + "Ærlig talt. " * 150)
    notes = first.frame.locator(".lms-shortened")
    # The learner is told at once, under each shortened answer, in the course's language.
    assert notes.count() == len(ids) - 1
    assert "Your learning platform keeps only the first" in notes.first.inner_text()
    first.exit()
    saved = first.cmi()
    first.close()
    assert 3500 < len(saved["suspend_data"]) <= 4096  # the budget is used, not wasted
    second = resume_12(browser, server, saved)
    short = second.frame.locator(f'fieldset[data-question="{ids[0]}"]')
    assert short.locator("textarea").input_value() == "x" * 40  # a short answer is kept whole
    for qid in ids[1:]:
        field = second.frame.locator(f'fieldset[data-question="{qid}"]')
        kept = field.locator("textarea").input_value()
        assert 200 < len(kept) < len("Ærlig talt. " * 150)
        assert f"first {len(kept)} characters" in field.locator(".lms-shortened").inner_text()
    assert second.errors() == [] and second.problems == []
    second.close()


@pytest.mark.parametrize("version", FORMATS)
def test_reflections_and_self_assessments_complete_their_competences(browser, server, version):
    session = Session(browser, server, version, "unit-02-6")
    data = json.loads(session.frame.locator("section.quiz script.quiz-data").first.inner_text())
    for question in data["questions"]:
        field = session.frame.locator(f'fieldset[data-question="{question["id"]}"]')
        field.locator("input").first.click()
        field.locator("button.check").click()
    found = objectives(session.cmi())
    competences = {c for q in data["questions"] for c in q["competences"]}
    assert competences and {o["id"] for o in found} == competences
    for objective in found:
        if version == "1.2":
            assert objective["status"] == "completed"
        else:
            assert objective["completion_status"] == "completed"
            assert objective["success_status"] == "unknown"  # nothing graded: no pass or fail
    session.exit()
    assert session.errors() == [] and session.problems == []
    session.close()


SWITCH = """async ([first, second]) => {
  // As Moodle's player does: take the SCO's frame out, put a new one in, same API object.
  const old = document.getElementById('sco');
  old.remove();
  const frame = document.createElement('iframe');
  frame.id = 'sco';
  frame.style.cssText = 'width:1000px;height:700px';
  document.body.prepend(frame);
  frame.src = second;
}"""


def test_switching_units_in_moodles_player_keeps_saving(browser, server):
    """Moodle's player keeps one SCORM 2004 API object for every SCO and switches units by
    replacing the SCO's frame; after a Terminate that object refuses every Initialize (104).
    (SCORM 1.2 APIs initialise again after LMSFinish; the real-Moodle tests play both.)"""
    version = "2004"
    session = Session(browser, server, version, "unit-09", moodle=True)
    session.page.evaluate(SWITCH, [None, f"/{FORMATS[version]}/en/unit-02.html"])
    frame = session.page.frame_locator("#sco")
    frame.locator("#lms-status").wait_for()
    session.page.wait_for_function(
        "document.getElementById('sco').contentDocument.getElementById('lms-status').textContent.length > 0"
    )
    assert frame.locator("#lms-status").inner_text() == "Connected to the learning platform."
    before = len(session.journal())
    field = frame.locator('fieldset[data-question="ws3-secrecy-confidentiality.shelter-access"]')
    field.locator('input[value="breach"]').click()  # a discussion question: the answer is recorded
    field.locator("button.check").click()
    later = session.journal()[before:]
    sets = [c for c in later if c["call"] in ("SetValue", "LMSSetValue")]
    assert sets and all(c["error"] == "0" for c in sets)
    # The first SCO left the session open when the LMS removed it; the second carries on in it.
    assert "Terminate" not in [c["call"] for c in session.journal()]
    second_init = [c for c in session.journal() if c["call"] == "Initialize"][1]
    assert second_init["error"] == "103"
    # Its own exit button still ends the session properly.
    frame.locator("#lms-exit").click()
    assert [c["call"] for c in session.journal()][-1] == "Terminate"
    session.close()


SWITCH_STANDARD = """async ([version, preload, second]) => {
  // As most LMSs do: the SCO's frame goes (the SCO terminates), the LMS keeps what it committed,
  // and the next SCO gets an API of its own, with its own stored data.
  const old = document.getElementById('sco');
  const api = window.lmsApi;
  old.remove();
  window.stored = window.stored || [];
  window.stored.push(JSON.parse(JSON.stringify(api.cmi)));
  const frame = document.createElement('iframe');
  frame.id = 'sco';
  frame.style.cssText = 'width:1000px;height:700px';
  document.body.prepend(frame);
  window.launch(version, preload, second);
}"""


def test_switching_units_in_a_standard_lms_terminates_each_sco_and_resumes(browser, server):
    """The SCORM 2004 RTE as a strict runtime (scorm-again: calls after Terminate refused, every
    error journaled): each SCO commits and terminates when the LMS swaps it out, with cmi.exit
    suspend, and a later launch of it with cmi.entry resume brings its answers back."""
    version, sco = "2004", f"/{FORMATS['2004']}/en/"
    session = Session(browser, server, version, "unit-02")
    question = "ws3-secrecy-confidentiality.shelter-access"
    field = session.frame.locator(f'fieldset[data-question="{question}"]')
    field.locator('input[value="breach"]').click()  # a discussion question: the answer is recorded
    field.locator("button.check").click()
    session.page.evaluate(SWITCH_STANDARD, [version, None, sco + "unit-09.html"])
    session.page.wait_for_function("window.journal.filter(c => c.call === 'Initialize').length === 2")
    calls = session.journal()
    first = calls[: [i for i, c in enumerate(calls) if c["call"] == "Initialize"][1]]
    assert [c["call"] for c in first].count("Terminate") == 1 and first[-1]["call"] == "Terminate"
    assert first[-1]["error"] == "0" and all(c["error"] in ("0", "403") for c in calls)
    stored = session.page.evaluate("window.stored[0]")
    assert stored["exit"] == "suspend" and stored["suspend_data"]
    # Back to the first unit: the LMS resumes it from what it stored.
    session.page.evaluate(
        SWITCH_STANDARD,
        [
            version,
            {"suspend_data": stored["suspend_data"], "location": stored["location"], "entry": "resume"},
            sco + "unit-02.html",
        ],
    )
    session.page.wait_for_function("window.journal.filter(c => c.call === 'Initialize').length === 3")
    session.page.wait_for_function(
        "document.getElementById('sco').contentWindow.moocpackScorm && "
        "Object.keys(document.getElementById('sco').contentWindow.moocpackScorm.state().a).length > 0"
    )
    frame = session.page.frame_locator("#sco")
    assert frame.locator(f'fieldset[data-question="{question}"] input[value="breach"]').is_checked()
    terminations = [c for c in session.journal() if c["call"] == "Terminate"]
    assert len(terminations) == 2 and all(c["error"] == "0" for c in terminations)
    assert session.problems == []
    session.close()


@pytest.mark.parametrize("version", FORMATS)
def test_leaving_the_lms_page_ends_the_session(browser, server, version):
    """The learner closes or leaves the LMS page: the SCO finishes its session (pagehide)."""
    session = Session(browser, server, version, "unit-09")
    BEACONS.clear()
    session.page.goto("about:blank")
    session.page.wait_for_timeout(500)
    finish = "LMSFinish" if version == "1.2" else "Terminate"
    assert BEACONS == [f"call={finish}&error=0"]
    session.close()
