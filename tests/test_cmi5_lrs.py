"""The cmi5 runtime against a real learning record store, in a real browser.

ADL's open-source LRS (adlnet/ADL_LRS, xAPI 1.0.3/2.0 with the State API) set up by
tests/lms/lrs/setup.sh; the tests start it on 127.0.0.1 when ADL_LRS_DIR names that site, and skip
otherwise. The test plays the cmi5 LMS as the specification's LMS rules say: it registers the
learner, writes LMS.LaunchData (context template with the publisher id and a session id, launch
mode, moveOn, masteryScore, returnURL) with the State API, records "launched", answers the fetch
URL once per session, and opens the AU's launch URL in headless Chromium. Every AU is launched in
every language; questions are answered right and wrong, the AU is closed and launched again; the
statements the LRS stored are then checked against the cmi5 rules.
"""

from __future__ import annotations

import base64
import functools
import http.server
import json
import os
import re
import subprocess
import threading
import time
import uuid
import zipfile
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from lxml import etree

from conftest import SHIPPED
from test_browser import ARGS, CHROMIUM, answer_question

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SITE = os.environ.get("ADL_LRS_DIR")
USER, PASSWORD = "moocpack", "moocpack-lrs"  # the account tests/lms/lrs/setup.sh makes
AUTH = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
VERB = "http://adlnet.gov/expapi/verbs/"
CMI5 = "https://w3id.org/xapi/cmi5/context/categories/cmi5"
MOVEON = "https://w3id.org/xapi/cmi5/context/categories/moveon"
SESSION = "https://w3id.org/xapi/cmi5/context/extensions/sessionid"
MASTERY = "https://w3id.org/xapi/cmi5/context/extensions/masteryscore"
DURATION = re.compile(r"PT(\d+)H(\d+)M(\d+(?:\.\d+)?)S")
NS = {"c": "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"}
LANGUAGES = ("en", "nb", "fr")
CONNECTED = {
    "en": "Connected to the learning platform.",
    "nb": "Koblet til læringsplattformen.",
    "fr": "Connecté à la plateforme d’apprentissage.",
}

if not SITE:
    pytest.skip("no LRS: run tests/lms/lrs/setup.sh (as root) and export ADL_LRS_DIR", allow_module_level=True)


@pytest.fixture(scope="module")
def lrs():
    """ADL's LRS on a free loopback port, for this module."""
    import socket

    import requests

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [f"{SITE}/venv/bin/python", "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=f"{SITE}/lrs",
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}/xapi/"
    for _ in range(100):
        try:
            if requests.get(endpoint + "about", timeout=2).ok:
                break
        except requests.ConnectionError:
            time.sleep(0.2)
    else:
        server.kill()
        pytest.fail("the LRS did not start")
    yield endpoint
    server.terminate()
    server.wait(10)


class Lms(http.server.SimpleHTTPRequestHandler):
    """Serves the extracted packages and the fetch URLs; each fetch URL answers once (cmi5 8.2)."""

    tokens: dict[str, bool] = {}

    def log_message(self, *args):
        pass

    def do_POST(self):
        parsed = urlparse(self.path)
        session = parse_qs(parsed.query).get("session", [""])[0]
        if parsed.path != "/fetch" or session not in self.tokens:
            self.send_error(404)
            return
        first = not self.tokens[session]
        self.tokens[session] = True
        body = {"auth-token": AUTH} if first else {"error-code": "1", "error-text": "already in use"}
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture(scope="module")
def lms(tmp_path_factory):
    from click.testing import CliRunner

    from moocpack.cli import main

    out = tmp_path_factory.mktemp("dist")
    result = CliRunner().invoke(main, ["build", str(SHIPPED), "--format", "cmi5", "--out", str(out)])
    assert result.exit_code == 0, result.output
    root = tmp_path_factory.mktemp("lms")
    for lang in LANGUAGES:
        with zipfile.ZipFile(out / f"pat-peer-support-1.0.0-{lang}-cmi5.zip") as package:
            package.extractall(root / lang)
    (root / "returned.html").write_text("<!DOCTYPE html><title>LMS</title><p>Back in the LMS</p>", "utf-8")
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Lms, directory=str(root)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield root, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    assert CHROMIUM, "Chromium is needed: apt-get install -y chromium"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()


def xapi(lrs: str, method: str, path: str, params: dict, body=None):
    import requests

    response = requests.request(
        method,
        lrs + path,
        params=params,
        json=body,
        timeout=10,
        headers={"X-Experience-API-Version": "1.0.3", "Authorization": "Basic " + AUTH},
    )
    assert response.status_code < 300, (path, response.status_code, response.text)
    return response


class Registration:
    """One learner registered for one AU of a course: the LMS's side of each launch."""

    def __init__(self, lrs: str, lms, lang: str, unit: str):
        self.lrs, (self.root, self.base), self.lang = lrs, lms, lang
        structure = etree.parse(str(self.root / lang / "cmi5.xml"))
        self.au = next(au for au in structure.iter("{%s}au" % NS["c"]) if au.get("id").endswith(":" + unit))
        self.publisher_id = self.au.get("id")
        self.activity_id = f"http://127.0.0.1/lms/activities/{uuid.uuid4()}"  # not the publisher's (cmi5 8.1.5)
        self.registration = str(uuid.uuid4())
        self.actor = {
            "objectType": "Agent",
            "name": "Learner One",
            "account": {"homePage": "http://127.0.0.1/lms", "name": f"learner-{uuid.uuid4().hex[:8]}"},
        }
        self.sessions: list[str] = []

    def launch(self, browser, mode: str = "Normal"):
        session = str(uuid.uuid4())
        self.sessions.append(session)
        Lms.tokens[session] = False
        template = {"contextActivities": {"grouping": [{"id": self.publisher_id}]}, "extensions": {SESSION: session}}
        launch_data = {
            "contextTemplate": template,
            "launchMode": mode,
            "moveOn": self.au.get("moveOn"),
            "returnURL": f"{self.base}/returned.html",
        }
        if self.au.get("masteryScore"):
            launch_data["masteryScore"] = float(self.au.get("masteryScore"))
        import requests

        where = {
            "stateId": "LMS.LaunchData",
            "activityId": self.activity_id,
            "agent": json.dumps(self.actor),
            "registration": self.registration,
        }
        # A new launch replaces the document, with the ETag xAPI 2.0 asks for (concurrency control).
        headers = {"X-Experience-API-Version": "1.0.3", "Authorization": "Basic " + AUTH}
        current = requests.get(self.lrs + "activities/state", params=where, headers=headers, timeout=10)
        headers.update({"If-Match": current.headers["ETag"]} if current.ok else {"If-None-Match": "*"})
        put = requests.put(self.lrs + "activities/state", params=where, json=launch_data, headers=headers, timeout=10)
        assert put.status_code == 204, put.text
        context = json.loads(json.dumps(template))
        context.update(registration=self.registration)
        context["contextActivities"]["category"] = [{"id": CMI5}]
        context["extensions"].update(
            {
                "https://w3id.org/xapi/cmi5/context/extensions/launchmode": mode,
                "https://w3id.org/xapi/cmi5/context/extensions/moveon": self.au.get("moveOn"),
            }
        )
        xapi(
            self.lrs,
            "POST",
            "statements",
            {},
            {
                "id": str(uuid.uuid4()),
                "actor": self.actor,
                "verb": {"id": VERB + "launched", "display": {"en-US": "launched"}},
                "object": {"id": self.activity_id, "objectType": "Activity"},
                "context": context,
                "timestamp": datetime.utcnow().isoformat(timespec="milliseconds") + "Z",
            },
        )
        query = urlencode(
            {
                "endpoint": self.lrs,
                "fetch": f"{self.base}/fetch?session={session}",
                "actor": json.dumps(self.actor),
                "registration": self.registration,
                "activityId": self.activity_id,
            }
        )
        return Au(browser, f"{self.base}/{self.lang}/{self.au.findtext('c:url', namespaces=NS)}?{query}", self.lang)

    def statements(self) -> list[dict]:
        found, params = [], {"registration": self.registration, "ascending": "true", "limit": "100"}
        response = xapi(self.lrs, "GET", "statements", params).json()
        found += response["statements"]
        while response.get("more"):
            response = xapi(self.lrs, "GET", response["more"].replace("/xapi/", "", 1), {}).json()
            found += response["statements"]
        # In the order they happened, which cmi5 reads from their timestamps (9.7): a statement sent
        # as the page closes may be stored before one still on its way.
        return sorted(found, key=lambda s: datetime.fromisoformat(s["timestamp"].replace("Z", "+00:00")))

    def verbs(self, session: str | None = None) -> list[str]:
        return [verb(s) for s in self.statements() if session is None or s["context"]["extensions"][SESSION] == session]


class Au:
    """The AU in its own browser window (launchMethod AnyWindow)."""

    def __init__(self, browser, url: str, lang: str):
        self.context = browser.new_context(viewport={"width": 1100, "height": 800})
        self.page = self.context.new_page()
        self.problems: list[str] = []
        # Failed requests are listed by the response handler (the console repeats them without the URL).
        self.page.on(
            "console",
            lambda m: (
                self.problems.append(m.text)
                if m.type == "error" and not m.text.startswith("Failed to load resource")
                else None
            ),
        )
        self.page.on("pageerror", lambda e: self.problems.append(str(e)))
        self.page.on("response", self._response)
        self.page.goto(url)
        self.page.wait_for_function(
            f"document.getElementById('lms-status').textContent === {json.dumps(CONNECTED[lang])}"
        )

    def _response(self, response) -> None:
        # 404 for the AU's own state on a first launch is the State API's "no document yet".
        first_launch = response.status == 404 and "activities/state?stateId=moocpack&" in response.url
        if response.status >= 400 and not first_launch:
            self.problems.append(f"{response.status} {response.request.method} {response.url}")

    def answer(self, quiz: str, correctly: bool, finish: bool = True) -> None:
        data = json.loads(self.page.inner_text(f"section#{quiz} script.quiz-data"))
        for question in data["questions"]:
            field = self.page.locator(f'fieldset[data-question="{question["id"]}"]')
            if question["type"] == "likert":
                field.locator("input[type=radio]").first.click()
                field.locator("button.check").click()
            else:
                answer_question(field, question, correctly)
        if finish:
            self.page.locator(f"section#{quiz} button.finish").click()

    def settled(self) -> None:
        self.page.wait_for_function("window.moocpackCmi5.pending() === 0")

    def exit(self) -> None:
        self.settled()
        self.page.locator("#lms-exit").click()
        self.page.wait_for_url("**/returned.html")

    def close(self) -> None:
        self.context.close()


def verb(statement: dict) -> str:
    return statement["verb"]["id"].rsplit("/", 1)[1]


def seconds(duration: str) -> float:
    h, m, s = DURATION.fullmatch(duration).groups()
    return int(h) * 3600 + int(m) * 60 + float(s)


def categories(statement: dict) -> set[str]:
    return {a["id"] for a in statement["context"].get("contextActivities", {}).get("category", [])}


def assert_cmi5_rules(reg: Registration, statements: list[dict]) -> None:
    """The AU rules of cmi5 (sections 9 and 10) on everything the LRS stored for a registration."""
    for session in reg.sessions:
        items = [s for s in statements if s["context"]["extensions"][SESSION] == session]
        verbs = [verb(s) for s in items]
        # The LMS's launched, then the AU: initialized first, terminated last, each once.
        assert verbs[:2] == ["launched", "initialized"] and verbs[-1] == "terminated", verbs
        assert verbs.count("initialized") == 1 and verbs.count("terminated") == 1
        times = [datetime.fromisoformat(s["timestamp"].replace("Z", "+00:00")) for s in items]
        assert all(s["timestamp"].endswith("Z") or s["timestamp"].endswith("+00:00") for s in items)  # UTC
        spent = (times[-1] - times[1]).total_seconds()
        for s in items[1:]:
            assert s["actor"]["account"] == reg.actor["account"]
            context = s["context"]
            assert context["registration"] == reg.registration
            assert {"id": reg.publisher_id} in [{"id": a["id"]} for a in context["contextActivities"]["grouping"]]
            kind = verb(s)
            if kind == "answered":  # cmi5 allowed: no cmi5 category, about the question, in the AU
                assert CMI5 not in categories(s) and MOVEON not in categories(s)
                assert s["object"]["definition"]["type"] == "http://adlnet.gov/expapi/activities/cmi.interaction"
                assert context["contextActivities"]["parent"][0]["id"] == reg.activity_id
                assert "response" in s["result"]
                continue
            assert CMI5 in categories(s) and s["object"]["id"] == reg.activity_id  # cmi5 defined
            assert (MOVEON in categories(s)) == (kind in ("completed", "passed", "failed"))
            if kind in ("completed", "passed", "failed", "terminated"):
                assert DURATION.fullmatch(s["result"]["duration"]), s["result"]
            if kind == "terminated":
                assert abs(seconds(s["result"]["duration"]) - spent) < 2
            if kind == "completed":
                assert s["result"]["completion"] is True
            if kind in ("passed", "failed"):
                mastery = float(reg.au.get("masteryScore"))
                assert context["extensions"][MASTERY] == mastery
                assert s["result"]["success"] is (kind == "passed")
                assert (s["result"]["score"]["scaled"] >= mastery) is (kind == "passed")
    verbs = [verb(s) for s in statements]
    assert verbs.count("completed") <= 1 and verbs.count("passed") <= 1  # once per registration


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_graded_unit_answered_wrong_fails_and_a_relaunch_resumes_it(lrs, lms, browser, lang):
    reg = Registration(lrs, lms, lang, "unit-09")
    au = reg.launch(browser)
    au.answer("quiz-peer-relationship", correctly=False)
    au.exit()  # Save and exit: terminated, then the LMS's returnURL
    assert au.problems == []
    au.close()
    first = reg.verbs(reg.sessions[0])
    assert first.count("answered") >= 6 and "failed" in first and "passed" not in first
    assert "completed" in first  # the quiz was finished: the unit's material was experienced

    au = reg.launch(browser)  # a new session in the same registration: the answers come back
    field = au.page.locator('fieldset[data-question="q-drama-triangle"] input[type=text]')
    assert field.input_value() == "no idea"
    au.page.goto("about:blank")  # the learner closes the window: terminated still reaches the LRS
    deadline = time.time() + 10
    while "terminated" not in reg.verbs(reg.sessions[1]) and time.time() < deadline:
        time.sleep(0.2)
    au.close()
    assert reg.verbs(reg.sessions[1]) == ["launched", "initialized", "terminated"]  # nothing sent twice
    statements = reg.statements()
    assert_cmi5_rules(reg, statements)
    answered = [s for s in statements if verb(s) == "answered"]
    by_question = {s["object"]["id"].rsplit(":", 1)[1]: s for s in answered}
    matching = by_question["ws9-helper-or-empowering"]
    assert matching["object"]["definition"]["interactionType"] == "matching"
    assert matching["result"]["success"] is False and re.fullmatch(
        r"([\w-]+\[\.\]t\d)(\[,\][\w-]+\[\.\]t\d)*", matching["result"]["response"]
    )
    assert by_question["q-drama-triangle"]["result"]["response"] == "no idea"
    assert list(by_question["q-rescuer"]["object"]["definition"]["description"]) == [lang]
    competences = [a["id"] for a in matching["context"]["contextActivities"]["other"]]
    assert competences and all(c.startswith("urn:moocpack:pat-peer-support:competence:pat.") for c in competences)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_graded_unit_answered_right_passes_at_the_mastery_score(lrs, lms, browser, lang):
    reg = Registration(lrs, lms, lang, "unit-09")
    au = reg.launch(browser)
    au.answer("quiz-peer-relationship", correctly=True)
    au.exit()
    assert au.problems == []
    au.close()
    statements = reg.statements()
    assert_cmi5_rules(reg, statements)
    passed = next(s for s in statements if verb(s) == "passed")
    assert passed["result"]["score"]["scaled"] == 1 and passed["result"]["success"] is True
    assert "failed" not in reg.verbs()
    answered = [s for s in statements if verb(s) == "answered"]
    assert answered and all(s["result"]["success"] is True for s in answered)
    assert all(s["result"]["score"]["raw"] == s["result"]["score"]["max"] for s in answered)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_self_assessment_unit_completes_when_every_statement_is_answered(lrs, lms, browser, lang):
    reg = Registration(lrs, lms, lang, "unit-02-6")
    au = reg.launch(browser)
    au.answer("self-assessment-difference", correctly=True, finish=False)
    au.exit()
    assert au.problems == []
    au.close()
    statements = reg.statements()
    assert_cmi5_rules(reg, statements)
    verbs = reg.verbs()
    assert verbs.count("answered") == 11 and "completed" in verbs
    assert "passed" not in verbs and "failed" not in verbs  # no judged activity, moveOn Completed
    likert = next(s for s in statements if verb(s) == "answered")
    assert likert["object"]["definition"]["interactionType"] == "likert" and "success" not in likert["result"]


def test_the_discussion_unit_completes_at_its_end_and_records_reflections(lrs, lms, browser):
    reg = Registration(lrs, lms, "en", "unit-02")
    au = reg.launch(browser)
    field = au.page.locator("fieldset[data-question] textarea").first
    field.fill("Hope comes from people who have been there.")
    field.locator("xpath=ancestor::fieldset").locator("button.check").click()
    au.page.locator("#end-of-unit").scroll_into_view_if_needed()
    au.exit()
    au.close()
    statements = reg.statements()
    assert_cmi5_rules(reg, statements)
    essay = next(s for s in statements if verb(s) == "answered")
    assert essay["object"]["definition"]["interactionType"] == "long-fill-in"
    assert essay["result"]["response"] == "Hope comes from people who have been there."
    assert "completed" in reg.verbs()


def test_browse_mode_records_answers_but_no_completion_and_keeps_no_state(lrs, lms, browser):
    """cmi5 10.2.2: outside Normal mode the AU sends no completed, passed or failed."""
    reg = Registration(lrs, lms, "en", "unit-09")
    au = reg.launch(browser, mode="Browse")
    au.answer("quiz-peer-relationship", correctly=True)
    au.exit()
    au.close()
    verbs = reg.verbs()
    assert verbs[:2] == ["launched", "initialized"] and verbs[-1] == "terminated" and "answered" in verbs
    assert not {"completed", "passed", "failed"} & set(verbs)
    import requests

    state = requests.get(
        lrs + "activities/state",
        timeout=10,
        headers={"X-Experience-API-Version": "1.0.3", "Authorization": "Basic " + AUTH},
        params={
            "stateId": "moocpack",
            "activityId": reg.activity_id,
            "agent": json.dumps(reg.actor),
            "registration": reg.registration,
        },
    )
    assert state.status_code == 404


def test_a_page_opened_without_a_launch_says_it_is_not_connected(lms, browser):
    root, base = lms
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{base}/fr/unit-09.html")
    page.wait_for_function("document.getElementById('lms-status').textContent.length > 0")
    assert page.inner_text("#lms-status").startswith("Pas de connexion à une plateforme")
    assert page.locator("#lms-exit").is_hidden()
    context.close()


def test_a_second_fetch_of_the_token_is_refused_as_cmi5_says(lms):
    """The fetch URL of this LMS answers once: the AU keeps its token for the session."""
    import requests

    root, base = lms
    Lms.tokens["probe"] = False
    assert requests.post(f"{base}/fetch?session=probe", timeout=5).json() == {"auth-token": AUTH}
    assert "error-code" in requests.post(f"{base}/fetch?session=probe", timeout=5).json()


def test_the_lrs_is_the_real_one(lrs):
    about = xapi(lrs, "GET", "about", {}).json()
    assert "1.0.3" in about["version"] and "activities_state" in about["extensions"]["xapi"]
    assert Path(SITE, "lrs", "manage.py").is_file()
