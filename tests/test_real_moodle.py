"""The packages in a real Moodle 4.5: restored, graded and played by Moodle's own code.

Runs when MOODLE_DIR points at a Moodle site made by tests/lms/moodle/setup.sh (a throw-away
site: these tests create users and courses on it); skipped otherwise. Moodle's PHP runs through
tests/lms/moodle/moodle.php (restore controller, framework importer, question engine, gradebook,
completion); the SCORM packages are played by a student in Moodle's own SCORM player, served by
PHP's built-in server on http://localhost, in Debian's Chromium.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from conftest import ARTIFACTS, ROOT, SHIPPED
from moocpack import loader
from test_browser import answer_question
from test_scorm_runtime import browser  # noqa: F401  (the fixture: Chromium that never runs unload)

MOODLE_DIR = os.environ.get("MOODLE_DIR", "")
HELPER = ROOT / "tests" / "lms" / "moodle" / "moodle.php"
LANGUAGES = ("en", "nb", "fr")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (MOODLE_DIR and Path(MOODLE_DIR, "config.php").is_file() and shutil.which("php")),
        reason="no Moodle site: run `MOODLE_SRC=/path/to/moodle-4.5 bash tests/lms/moodle/setup.sh /var/tmp/msite` "
        "(or MOODLE_GIT=/path/to/repo, see the script) and set MOODLE_DIR=/var/tmp/msite/moodle to test "
        "against a real Moodle",
    ),
]


def moodle(*args) -> dict | list:
    """Run one command of the PHP helper on the site; its JSON answer."""
    done = subprocess.run(
        ["php", str(HELPER), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "MOODLE_DIR": MOODLE_DIR},
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return json.loads(
        done.stdout[done.stdout.index("{") if done.stdout.lstrip().startswith("{") else done.stdout.index("[") :]
    )


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    from click.testing import CliRunner

    from moocpack.cli import main

    out = tmp_path_factory.mktemp("dist")
    result = CliRunner().invoke(
        main,
        [
            "build",
            str(SHIPPED),
            "--format",
            "moodle",
            "--format",
            "scorm12",
            "--format",
            "scorm2004",
            "--set",
            "moodle_multilang=1",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def frameworks(dist) -> list[dict]:
    """The competency frameworks, imported with Moodle's own importer (once per site)."""
    return [moodle("import-framework", path) for path in sorted(dist.glob("*-en-moodle-competences-*.csv"))]


@pytest.fixture(scope="module")
def restored(dist, frameworks) -> dict[str, dict]:
    courses = {}
    for lang in LANGUAGES + ("mul",):
        courses[lang] = moodle("restore", dist / f"pat-peer-support-1.0.0-{lang}-moodle.mbz")
    yield courses
    for course in courses.values():
        moodle("delete-course", course["courseid"])


def test_the_framework_csvs_import_with_moodles_importer(frameworks):
    assert {f["framework"] for f in frameworks} == {"pat", "wwd"}
    assert all("error" not in f for f in frameworks)
    pat = next(f for f in frameworks if f["framework"] == "pat")
    assert not pat["imported"] or pat["competencies"] == 12 + 63


@pytest.mark.parametrize("lang", LANGUAGES + ("mul",))
def test_every_backup_restores_with_no_warning_and_everything_in_place(restored, lang):
    course = restored[lang]
    assert course["precheck"] == [] and course["log_warnings"] == []
    assert course["modules"] == {"page": 28, "quiz": 2, "feedback": 3}
    assert course["hidden_modules"] == 9  # the facilitator pages: teachers see them, students do not
    assert course["questions"] == 45 and course["question_tags"] > 45
    assert course["course_competencies"] == 32 and course["module_competencies"] == 82
    assert len(course["sections"]) == 4 and all(course["sections"][1:])
    # Moodle keeps a course language only when its language pack is installed on the site.
    wanted = {"en": "en", "nb": "no", "fr": "fr", "mul": ""}[lang]
    assert course["lang"] == (wanted if wanted in course["installed_languages"] else "")


@pytest.mark.parametrize("lang", LANGUAGES + ("mul",))
def test_the_pages_keep_their_handouts_and_drawings_in_moodles_file_store(restored, lang):
    course = restored[lang]
    assert course["missing_page_files"] == []
    files = course["page_files"]
    for version in LANGUAGES if lang == "mul" else (lang,):
        handouts = [name for name in files if name.endswith(f".{version}.pdf")]
        # The five worksheets and the case scenario (the Story of Tomas), each in its language.
        assert len(handouts) == 6 and f"case-story-of-tomas.{version}.pdf" in handouts
        assert all(files[name] == "application/pdf" for name in handouts)
        assert files[f"triangles.{version}.svg"] == files[f"helper-or-empowering.{version}.svg"] == "image/svg+xml"


def test_language_versions_keep_their_own_names_on_one_site(restored):
    names = [course["fullname"] for course in restored.values()]
    assert len(set(names)) == len(names) and not any("copy" in name for name in names)
    assert restored["nb"]["fullname"] == "Opplæring for erfaringskonsulenter: PAT – Peer and Team Support"


def test_the_multilingual_backup_keeps_every_language_where_it_fits(restored):
    sections = restored["mul"]["sections"]
    assert '<span lang="no" class="multilang">Enhet 9 Likepersonsrelasjonen</span>' in sections[3]
    # Units 2 and 2.6 in three languages need more than Moodle's 255 characters: they keep the source's.
    assert sections[1:3] == [
        "Unit 2 Delving deeper in the figure of a peer support agent",
        "Unit 2.6 Ability to work with difference",
    ]


@pytest.mark.parametrize("lang", ("en", "nb"))
def test_every_quiz_grades_right_and_wrong_answers_with_pass_state_and_completion(restored, lang):
    quizzes = moodle("quizzes", restored[lang]["courseid"])
    assert len(quizzes) == 2
    discussion = next(quiz for quiz in quizzes if quiz["grade"] == 0)
    for attempt in (discussion["right"], discussion["wrong"]):  # nothing to pass: done once submitted
        assert attempt["state"] == "finished" and attempt["grade"] is None and attempt["completionstate"] == 1
    for quiz in [quiz for quiz in quizzes if quiz is not discussion]:
        right, wrong = quiz["right"], quiz["wrong"]
        assert right["state"] == wrong["state"] == "finished"
        assert right["grade"] == right["grademax"] == quiz["grade"] > 0
        assert right["gradepass"] == pytest.approx(0.7 * quiz["grade"])
        assert right["completionstate"] == 2, quiz["name"]  # COMPLETION_COMPLETE_PASS
        assert wrong["grade"] == 0 and wrong["completionstate"] == 3  # COMPLETION_COMPLETE_FAIL


# -- SCORM in Moodle's player ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def site():
    """Moodle served on http://localhost (its wwwroot) by PHP's built-in server."""
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", 80)) == 0:
            yield "http://localhost"  # already served (a developer's own server)
            return
    # One worker: requests are served one at a time, as the one learner of these tests makes them.
    server = subprocess.Popen(
        ["php", "-S", "localhost:80", "-t", MOODLE_DIR], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    for _ in range(50):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", 80)) == 0:
                break
        time.sleep(0.1)
    yield "http://localhost"
    server.terminate()
    server.wait(10)


def sco(page):
    """The frame of the SCO Moodle's player shows now."""
    frame = page.frame_locator("#scorm_object")
    frame.locator("#lms-status").wait_for()
    page.wait_for_function(
        "() => { const f = document.getElementById('scorm_object');"
        " const s = f && f.contentDocument && f.contentDocument.getElementById('lms-status');"
        " return s && s.textContent.length > 0; }"
    )
    return frame


def answer_quiz(frame, quiz: str) -> None:
    data = json.loads(frame.locator(f"section#{quiz} script.quiz-data").inner_text())
    for question in data["questions"]:
        answer_question(frame.locator(f'fieldset[data-question="{question["id"]}"]'), question, True)
    if data["graded"]:  # a discussion has nothing to finish: each answer is recorded as given
        frame.locator(f"section#{quiz} button.finish").click()


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("fmt", ("scorm12", "scorm2004"))
def test_a_student_plays_the_package_in_moodles_player_switching_units(restored, dist, site, browser, fmt, lang):
    course = restored[lang]["courseid"]
    activity = moodle("scorm", course, dist / f"pat-peer-support-1.0.0-{lang}-{fmt}.zip")
    assert [s["identifier"] for s in activity["scoes"]] == ["ITEM-unit-02", "ITEM-unit-02-6", "ITEM-unit-09"]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sco_errors = []
    page.on("pageerror", lambda error: sco_errors.append(str(error)))
    page.goto(f"{site}/login/index.php", wait_until="networkidle")
    page.fill("#username", activity["user"])
    page.fill("#password", activity["password"])
    with page.expect_navigation():
        page.click("#loginbtn")
    assert "/login/" not in page.url, page.locator(".alert, .loginerrors").all_inner_texts()
    page.goto(f"{site}/mod/scorm/view.php?id={activity['cmid']}")
    try:
        page.click("input[type=submit][value=Enter], button:has-text('Enter')", timeout=10000)
    except Exception:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"moodle-player-{fmt}-{lang}-failed.png"))
        raise
    # Unit 2 opens first: take part in its discussion (recorded, not graded).
    from moocpack.loader import messages

    connected = messages(lang)["connected"]  # the status line speaks the course's language
    frame = sco(page)
    assert frame.locator("#lms-status").inner_text() == connected
    answer_quiz(frame, "quiz-secrecy-confidentiality")
    # Switch units through the player's own table of contents, then answer there too.
    unit9 = next(s["id"] for s in activity["scoes"] if s["identifier"] == "ITEM-unit-09")
    page.locator(f'#scorm_tree a[data-scoid="{unit9}"]').click()
    page.wait_for_function(
        "() => (document.getElementById('scorm_object') || {}).src"
        " && document.getElementById('scorm_object').contentWindow.location.href.includes('unit-09')"
    )
    frame = sco(page)
    assert frame.locator("#lms-status").inner_text() == connected
    answer_quiz(frame, "quiz-peer-relationship")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"moodle-player-{fmt}-{lang}.png"))
    frame.locator("#lms-exit").click()
    page.wait_for_timeout(500)
    context.close()
    assert sco_errors == []
    report = moodle("scorm-report", activity["scormid"], activity["user"])
    unit2, unit9 = report["scoes"]["ITEM-unit-02"], report["scoes"]["ITEM-unit-09"]
    if fmt == "scorm12":
        assert unit9["cmi.core.lesson_status"] == "passed" and float(unit9["cmi.core.score.raw"]) == 100
    else:
        assert unit9["cmi.success_status"] == "passed" and unit9["cmi.completion_status"] == "completed"
        assert float(unit9["cmi.score.raw"]) == 100 and float(unit9["cmi.score.max"]) == 100
    # The discussion's 13 answers are recorded, ungraded (its reflections are still to write).
    interactions = {k: v for k, v in unit2.items() if re.search(r"cmi\.interactions[._]\d+\.id", k)}
    assert len(interactions) == 13
    assert "cmi.core.score.raw" not in unit2 and "cmi.score.raw" not in unit2
    # The competences of the answered questions are objectives with their result.
    # (Moodle stores SCORM 1.2 array elements as cmi.objectives_0.id.)
    tracks = {re.sub(r"_(\d+)\.", r".\1.", k): v for k, v in unit9.items()}
    objective = next(k for k, v in tracks.items() if re.fullmatch(r"cmi\.objectives\.\d+\.id", k) and v == "pat.05.1")
    status = objective.replace(".id", ".status" if fmt == "scorm12" else ".success_status")
    assert tracks[status] == "passed"
    done = {re.sub(r"_(\d+)\.", r".\1.", k): v for k, v in unit2.items()}
    discussed = next(k for k, v in done.items() if re.fullmatch(r"cmi\.objectives\.\d+\.id", k) and v == "pat.09.5")
    assert done[discussed.replace(".id", ".status" if fmt == "scorm12" else ".completion_status")] == "completed"
    # Moodle grades from score.raw: a perfect unit is 100 of 100 in the gradebook.
    assert report["grade"] == 100 and report["grademax"] == 100


# -- moocpack publish moodle, with the local_moocpack plugin ---------------------------------------

IDNUMBERS = {lang: f"moocpack:pat-peer-support:{lang}" for lang in LANGUAGES}


@pytest.fixture(scope="module")
def plugin_installed():
    """The zip `moocpack moodle-plugin` writes, installed by Moodle's own install-from-zip code
    (the plugin manager validates and unpacks it, as Site administration > Plugins > Install
    plugins does), then Moodle's own upgrade run."""
    from moocpack.publishing.plugin import plugin_zip

    target = Path(MOODLE_DIR, "local", "moocpack")
    shutil.rmtree(target, ignore_errors=True)
    archive = Path(MOODLE_DIR).parent / "local_moocpack.zip"
    archive.write_bytes(plugin_zip(0))
    assert moodle("install-plugin", archive) == {"component": "local_moocpack", "installed": True}
    assert (target / "version.php").is_file()
    done = subprocess.run(
        ["php", str(Path(MOODLE_DIR, "admin", "cli", "upgrade.php")), "--non-interactive"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    for number in IDNUMBERS.values():  # a clean slate: no course left by an earlier run
        found = moodle("course-by-idnumber", number)
        if found["count"]:
            moodle("delete-course", found["courseid"])
    return target


def publish(*args, token: str):
    """`moocpack publish moodle` in-process, the token from the environment as the README says."""
    from click.testing import CliRunner

    from moocpack.cli import main

    result = CliRunner().invoke(
        main,
        ["publish", "moodle", str(SHIPPED), "--url", "http://localhost", "--json", *map(str, args)],
        env={"MOODLE_TOKEN": token},
    )
    return result.exit_code, json.loads(result.stdout), result.stderr


@pytest.fixture(scope="module")
def published(plugin_installed, site):
    # A user with only the role the README documents: not admin, not manager.
    token = moodle("ws-token", "publisher", "publisher")["token"]
    code, first, _ = publish("--category", 1, token=token)
    yield token, code, first
    for number in IDNUMBERS.values():
        found = moodle("course-by-idnumber", number)
        if found["count"]:
            moodle("delete-course", found["courseid"])


def test_publish_creates_each_language_course_with_quizzes_and_competency_links(published):
    token, code, first = published
    assert code == 0, first["problems"]
    assert {c["language"]: c["action"] for c in first["published"]} == {lang: "created" for lang in LANGUAGES}
    assert {f["idnumber"] for f in first["frameworks"]} == {"pat", "wwd"}
    for lang, number in IDNUMBERS.items():
        course = moodle("course-by-idnumber", number)
        assert course["count"] == 1
        assert (course["quizzes"], course["course_competencies"], course["activity_competencies"]) == (2, 32, 82)
        assert course["url"] == next(c["url"] for c in first["published"] if c["language"] == lang)
        # Restored with the course's own names, which Moodle keeps only for a user allowed to set them
        # in the new course (the restorer role the plugin gives the publisher there).
        # (Moodle adds _1 to a short name another course on the site has.)
        assert re.fullmatch(rf"pat-peer-support-1\.0\.0-{lang}(_\d+)?", course["shortname"]), course
        assert course["fullname"].startswith(str(loader.load(SHIPPED, lang).title)), course
    assert token not in json.dumps(first)


def test_publishing_again_needs_update_and_then_changes_the_courses_in_place(published):
    token, _, first = published
    student = moodle("enrol", "learner-publish", moodle("course-by-idnumber", IDNUMBERS["en"])["courseid"])
    code, refused, _ = publish("--category", 1, token=token)
    assert code == 2 and refused["problems"][0]["code"] == "publish.moodle.exists"
    assert refused["done"] == []  # refused before anything changed

    code, second, _ = publish("--update", token=token)
    assert code == 0, second["problems"]
    assert {c["language"]: c["action"] for c in second["published"]} == {lang: "updated" for lang in LANGUAGES}
    assert [c["courseid"] for c in second["published"]] == [c["courseid"] for c in first["published"]]
    assert all(f["action"] == "updated" and f["updated"] == 0 for f in second["frameworks"]), second["frameworks"]
    for number in IDNUMBERS.values():
        course = moodle("course-by-idnumber", number)
        assert course["count"] == 1
        assert (course["quizzes"], course["course_competencies"], course["activity_competencies"]) == (2, 32, 82)
    assert moodle("course-by-idnumber", IDNUMBERS["en"])["enrolled"] == 1, student  # the learner stayed


def test_a_bad_token_and_a_user_without_the_capability_get_clear_errors(published):
    code, bad, _ = publish("--category", 1, token="0" * 32)
    assert code == 2 and "token" in bad["problems"][0]["message"].lower()
    weak = moodle("ws-token", "no-publish-capability")["token"]
    code, refused, _ = publish("--category", 1, "--update", token=weak)
    assert code == 2
    assert (
        "local/moocpack:publish" in refused["problems"][0]["message"]
        or "capability" in refused["problems"][0]["message"].lower()
    ), refused["problems"]
    assert weak not in json.dumps(refused)


@pytest.mark.parametrize("capability", ["moodle/course:create", "moodle/competency:competencymanage"])
def test_a_role_short_of_the_readmes_list_is_refused_before_anything_changes(published, capability):
    token = moodle("ws-token", f"publisher-without-{capability.split(':')[1]}", "publisher-without", capability)[
        "token"
    ]
    for number in IDNUMBERS.values():  # a course to create again
        found = moodle("course-by-idnumber", number)
        if found["count"]:
            moodle("delete-course", found["courseid"])
    code, refused, _ = publish("--category", 1, token=token)
    assert code == 2 and refused["problems"][0]["code"] == "publish.moodle.nopermissions", refused["problems"]
    assert capability in refused["problems"][0]["message"]
    assert refused["done"] == []
    assert all(moodle("course-by-idnumber", number)["count"] == 0 for number in IDNUMBERS.values())


def test_the_plugins_own_phpunit_tests_pass_inside_moodle():
    """local_moocpack's PHPUnit tests (tests/external/*_test.php, Moodle's advanced_testcase) run
    by Moodle's own PHPUnit set-up; tests/lms/moodle/phpunit.sh prepares it."""
    done = subprocess.run(
        ["bash", str(HELPER.parent / "phpunit.sh")],
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "MOODLE_DIR": MOODLE_DIR},
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert re.search(r"OK \(\d+ tests, \d+ assertions\)", done.stdout), done.stdout[-2000:]


def test_a_norwegian_learner_sees_competence_names_and_whole_sentences_in_moodle(restored, site, browser):
    """Moodle shows the section summaries and the quiz as the backup holds them: competences by
    name, never by id, and no sentence half Norwegian, half English. Screenshots in test-artifacts/."""
    from test_learners_see import COMPETENCE_ID

    course = restored["nb"]["courseid"]
    moodle("enrol", "learner-nb", course)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{site}/login/index.php", wait_until="networkidle")
    page.fill("#username", "learner-nb")
    page.fill("#password", "Student-1234")
    with page.expect_navigation():
        page.click("#loginbtn")
    page.goto(f"{site}/course/view.php?id={course}", wait_until="networkidle")
    tour = page.locator("button:has-text('Got it'), button:has-text('End tour')")
    if tour.count():  # Moodle's welcome tour for a new user: closed, as the learner would
        tour.first.click()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "moodle-section-nb.png"), full_page=True)
    text = page.locator("#region-main").inner_text()
    assert COMPETENCE_ID.findall(text) == [], COMPETENCE_ID.findall(text)[:5]
    name = str(loader.load(SHIPPED, "nb").competence("pat.02.2").text)
    assert " ".join(name.split()) in " ".join(text.split())
    page.goto(
        page.locator('#region-main a[href*="/mod/quiz/view.php"]').first.get_attribute("href"), wait_until="networkidle"
    )
    page.screenshot(path=str(ARTIFACTS / "moodle-quiz-nb.png"), full_page=True)
    quiz = page.locator("#region-main").inner_text()
    assert "av the course team" not in quiz and COMPETENCE_ID.findall(quiz) == []
    context.close()


# -- IMS Common Cartridge through Moodle's own importer (backup/cc) -------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_common_cartridge_imports_with_moodles_own_importer(tmp_path, lang):
    """The 1.1 cartridge (Moodle reads 1.0 and 1.1) goes through the restore's conversion
    (backup/converter/imscc11, backup/cc), as Course → Restore does with an .imscc: no
    warning, every page, the discussions as forums, the graded quiz with its questions, the
    trainer's pages hidden; Moodle's question engine grades a right and a wrong attempt."""
    from click.testing import CliRunner

    from moocpack.cli import main

    result = CliRunner().invoke(
        main,
        ["build", str(SHIPPED), "--format", "cc", "--set", "cc_version=1.1", "--lang", lang, "--out", str(tmp_path)],
    )
    assert result.exit_code == 0, result.output
    course = moodle("restore", tmp_path / f"pat-peer-support-1.0.0-{lang}-cc.imscc")
    try:
        assert course["precheck"] == [] and course["log_warnings"] == []
        assert course["modules"] == {"page": 25, "forum": 3, "quiz": 1}
        assert course["hidden_modules"] == 3  # the instructor-only facilitator pages
        assert course["questions"] == 9  # unit 9's quiz: its matching question as 4 items, and 5 more
        (quiz,) = moodle("quizzes", course["courseid"])
        assert quiz["right"]["state"] == quiz["wrong"]["state"] == "finished"
        assert quiz["right"]["grade"] == quiz["right"]["grademax"] > 0 and quiz["wrong"]["grade"] == 0
    finally:
        moodle("delete-course", course["courseid"])
