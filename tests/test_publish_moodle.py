"""`moocpack publish moodle`: what it sends and how it fails, against a local HTTP server that
answers as Moodle's REST server and webservice/upload.php do (shapes read from Moodle 4.5's
webservice/rest/server.php, webservice/upload.php and the local_moocpack plugin).

A contract test: the real site is exercised by tests/test_real_moodle.py when MOODLE_DIR is set.
"""

from __future__ import annotations

import io
import json
import secrets
import tarfile

import pytest
from werkzeug import Response

from conftest import SHIPPED
from test_cli import output_schema
from moocpack.publishing.moodle import PLUGIN_FUNCTIONS

TOKEN = secrets.token_hex(16)  # generated: never a real secret in the repository


class FakeMoodle:
    """Moodle's web-service endpoints with a memory: courses by idnumber, frameworks, uploads."""

    def __init__(self, server, functions=("core_webservice_get_site_info", *PLUGIN_FUNCTIONS), maxupload=0):
        self.server, self.functions, self.maxupload = server, functions, maxupload
        self.calls: list[tuple[str, dict]] = []
        self.courses: dict[str, dict] = {}
        self.drafts: dict[int, bytes] = {}
        self.overrides: dict[str, object] = {}
        server.expect_request("/webservice/rest/server.php", method="POST").respond_with_handler(self.rest)
        server.expect_request("/webservice/upload.php", method="POST").respond_with_handler(self.upload)

    @property
    def url(self) -> str:
        return self.server.url_for("/").rstrip("/")

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]

    def rest(self, request):
        form = request.form.to_dict()
        if form.get("wstoken") != TOKEN:
            return self.exception("invalidtoken", "Invalid token - token not found")
        name = form["wsfunction"]
        self.calls.append((name, form))
        if name in self.overrides:
            answer = self.overrides[name]
            return answer if isinstance(answer, Response) else answer(form)
        if name not in self.functions:
            return self.exception("accessexception", "Access control exception")
        return Response(json.dumps(getattr(self, name)(form)), content_type="application/json")

    @staticmethod
    def exception(code: str, message: str) -> Response:
        return Response(
            json.dumps({"exception": "moodle_exception", "errorcode": code, "message": message}),
            content_type="application/json",
        )

    def upload(self, request):
        if request.form.get("token") != TOKEN:
            return self.exception("invalidtoken", "Invalid token - token not found")
        self.calls.append(("upload", dict(request.form)))
        item = len(self.drafts) + 1000
        file = request.files["file_1"]
        self.drafts[item] = file.read()
        return Response(
            json.dumps(
                [{"component": "user", "filearea": "draft", "itemid": item, "filename": file.filename, "filepath": "/"}]
            ),
            content_type="application/json",
        )

    def core_webservice_get_site_info(self, form):
        return {
            "sitename": "Test site",
            "username": "publisher",
            "release": "4.5.6 (Build: 20250811)",
            "functions": [{"name": n, "version": "2026112400"} for n in self.functions],
            "usermaxuploadfilesize": self.maxupload,
        }

    def local_moocpack_import_framework(self, form):
        assert form["csv"].startswith("Parent ID number,ID number")
        framework = form["csv"].splitlines()[1].split(",")[1]
        return {
            "idnumber": framework,
            "frameworkid": 1,
            "action": "created",
            "competencies": 10,
            "created": 10,
            "updated": 0,
        }

    def local_moocpack_course_status(self, form):
        course = self.courses.get(form["idnumber"])
        missing = list(self.overrides.get("missing", []))
        return {"found": True, "missing": missing, **course} if course else {"found": False, "missing": missing}

    def local_moocpack_restore_course(self, form):
        with tarfile.open(fileobj=io.BytesIO(self.drafts.pop(int(form["draftitemid"])))) as backup:
            assert "moodle_backup.xml" in backup.getnames()
        number = form["idnumber"]
        created = number not in self.courses
        course = self.courses.setdefault(
            number,
            {
                "courseid": len(self.courses) + 2,
                "url": f"{self.url}/course/view.php?id={len(self.courses) + 2}",
                "fullname": "PAT",
                "shortname": number,
                "idnumber": number,
                "activities": 24,
                "quizzes": 2,
                "course_competencies": 32,
                "activity_competencies": 82,
            },
        )
        return {**course, "created": created, "warnings": []}


@pytest.fixture
def moodle(httpserver):
    return FakeMoodle(httpserver)


@pytest.fixture
def publish(cli, monkeypatch):
    """Run `moocpack publish moodle` with the token in the environment; (code, json or text, stderr)."""
    monkeypatch.setattr("moocpack.publishing.http.time.sleep", lambda seconds: pauses.append(seconds))
    pauses: list[float] = []

    def run(fake, *args, token=TOKEN, as_json=True):
        monkeypatch.setenv("MOODLE_TOKEN", token)
        code, out, err = cli("publish", "moodle", SHIPPED, "--url", fake.url, *(["--json"] if as_json else []), *args)
        assert token not in out + err, "the token must never be printed"
        if as_json:
            output_schema().validate(json.loads(out))  # the same envelope as every command's --json
        return code, (json.loads(out) if as_json else out), err

    run.pauses = pauses
    return run


def test_frameworks_go_first_then_each_language_is_uploaded_and_restored(moodle, publish):
    code, out, _ = publish(moodle, "--category", "3")
    assert code == 0, out["problems"]
    names = moodle.names()
    assert names[0] == "core_webservice_get_site_info"
    assert names.index("local_moocpack_import_framework") < names.index("upload")
    assert names.count("upload") == names.count("local_moocpack_restore_course") == 3
    restores = [form for name, form in moodle.calls if name == "local_moocpack_restore_course"]
    assert [r["idnumber"] for r in restores] == [f"moocpack:pat-peer-support:{lang}" for lang in ("en", "nb", "fr")]
    assert {r["categoryid"] for r in restores} == {"3"} and {r["update"] for r in restores} == {"0"}
    assert [c["action"] for c in out["published"]] == ["created"] * 3
    assert {f["idnumber"] for f in out["frameworks"]} == {"pat", "wwd"}
    # The frameworks are the source language's, whichever languages are published.
    csv = next(form["csv"] for name, form in moodle.calls if name == "local_moocpack_import_framework")
    assert "Competence framework for peer support workers" in csv


def test_an_existing_course_needs_update_and_nothing_changes_before_that_is_known(moodle, publish):
    publish(moodle, "--category", "3", "--lang", "en")
    moodle.calls.clear()
    code, out, _ = publish(moodle, "--category", "3", "--lang", "en")
    assert code == 2 and out["problems"][0]["code"] == "publish.moodle.exists"
    assert "--update" in out["problems"][0]["message"]
    assert "local_moocpack_import_framework" not in moodle.names() and "upload" not in moodle.names()
    code, out, _ = publish(moodle, "--update", "--lang", "en")  # no --category needed to update
    assert code == 0 and out["published"][0]["action"] == "updated"
    restore = next(form for name, form in moodle.calls if name == "local_moocpack_restore_course")
    assert restore["update"] == "1" and "categoryid" not in restore


def test_a_new_course_without_a_category_is_refused_before_anything_changes(moodle, publish):
    code, out, _ = publish(moodle, "--lang", "en")
    assert code == 2 and "--category" in out["problems"][0]["message"]
    assert moodle.names() == ["core_webservice_get_site_info", "local_moocpack_course_status"]


def test_dry_run_changes_nothing(moodle, publish):
    code, out, _ = publish(moodle, "--category", "3", "--dry-run")
    assert code == 0 and [c["action"] for c in out["published"]] == ["none (dry run)"] * 3
    assert set(moodle.names()) == {"core_webservice_get_site_info", "local_moocpack_course_status"}


def test_a_bad_token_says_where_tokens_are_managed(moodle, publish):
    code, out, _ = publish(moodle, "--category", "3", token=secrets.token_hex(16))
    assert code == 2 and out["problems"][0]["code"] == "publish.moodle.invalidtoken"
    assert "Manage tokens" in out["problems"][0]["message"]


def test_a_site_without_the_plugin_says_how_to_install_it(httpserver, publish):
    fake = FakeMoodle(httpserver, functions=("core_webservice_get_site_info",))
    code, out, _ = publish(fake, "--category", "3")
    assert code == 2 and out["problems"][0]["code"] == "publish.moodle.plugin-missing"
    assert "moocpack moodle-plugin" in out["problems"][0]["message"]


def test_a_missing_capability_names_the_capabilities_the_role_needs(moodle, publish):
    moodle.overrides["local_moocpack_course_status"] = FakeMoodle.exception(
        "nopermissions", "Sorry, but you do not currently have permissions to do that (Publish courses)."
    )
    code, out, _ = publish(moodle, "--category", "3")
    assert code == 2 and "local/moocpack:publish" in out["problems"][0]["message"]


def test_a_package_over_the_sites_upload_limit_is_refused_before_anything_changes(httpserver, publish):
    fake = FakeMoodle(httpserver, maxupload=1000)
    code, out, _ = publish(fake, "--category", "3")
    assert code == 2 and out["problems"][0]["code"] == "publish.moodle.too-large"
    assert "1,000 bytes" in out["problems"][0]["message"] and out["done"] == []
    assert "local_moocpack_import_framework" not in fake.names()


def test_a_web_server_limit_is_reported_as_too_large(moodle, httpserver, publish):
    httpserver.clear()
    httpserver.expect_request("/webservice/rest/server.php", method="POST").respond_with_handler(moodle.rest)
    httpserver.expect_request("/webservice/upload.php").respond_with_data("Request Entity Too Large", status=413)
    code, out, _ = publish(moodle, "--category", "3", "--lang", "en")
    assert code == 2 and out["problems"][0]["code"] == "publish.moodle.too-large"
    assert any(step.startswith("framework pat") for step in out["done"])  # what had already happened


def test_a_failed_restore_shows_moodles_message_and_what_was_already_done(moodle, publish):
    calls = []

    def fail_second(form):
        calls.append(form)
        if len(calls) == 2:
            return FakeMoodle.exception("restorefailed", "The course backup could not be restored: disk full")
        return Response(json.dumps(moodle.local_moocpack_restore_course(form)), content_type="application/json")

    moodle.overrides["local_moocpack_restore_course"] = fail_second
    code, out, err = publish(moodle, "--category", "3")
    assert code == 2 and "disk full" in out["problems"][0]["message"]
    assert out["done"][-1].startswith("course moocpack:pat-peer-support:en: created")
    assert len(calls) == 2  # a restore is never retried: it may have run


def test_a_site_that_is_not_moodle(httpserver, publish):
    httpserver.expect_request("/webservice/rest/server.php").respond_with_data(
        "<html>Welcome</html>", content_type="text/html"
    )
    fake = type("Site", (), {"url": httpserver.url_for("/").rstrip("/")})()
    code, out, _ = publish(fake, "--category", "3")
    assert code == 2 and "is it a Moodle site?" in out["problems"][0]["message"]


def test_a_wrong_address_is_a_clear_error(httpserver, publish):
    httpserver.expect_request("/nothing/webservice/rest/server.php").respond_with_data("Not Found", status=404)
    fake = type("Site", (), {"url": httpserver.url_for("/nothing")})()
    code, out, _ = publish(fake, "--category", "3")
    assert code == 2 and "no Moodle web service" in out["problems"][0]["message"]


def test_server_errors_are_retried_with_back_off(moodle, httpserver, publish):
    httpserver.clear()
    httpserver.expect_ordered_request("/webservice/rest/server.php").respond_with_data("busy", status=503)
    httpserver.expect_ordered_request("/webservice/rest/server.php").respond_with_data("busy", status=502)
    httpserver.expect_request("/webservice/rest/server.php", method="POST").respond_with_handler(moodle.rest)
    httpserver.expect_request("/webservice/upload.php", method="POST").respond_with_handler(moodle.upload)
    code, out, _ = publish(moodle, "--category", "3", "--lang", "en")
    assert code == 0, out["problems"]
    assert publish.pauses[:2] == [0.5, 1.0]


def test_the_token_comes_from_the_environment_or_a_file_never_both(moodle, publish, cli, tmp_path, monkeypatch):
    monkeypatch.delenv("MOODLE_TOKEN", raising=False)
    code, _, err = cli("publish", "moodle", SHIPPED, "--url", moodle.url, "--category", "3")
    assert code == 64 and "MOODLE_TOKEN" in err
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n")
    code, out, err = cli(
        "publish", "moodle", SHIPPED, "--url", moodle.url, "--category", "3", "--lang", "en", "--token-file", token_file
    )
    assert code == 0, err
    assert TOKEN not in out + err
    monkeypatch.setenv("MOODLE_TOKEN", TOKEN)
    code, _, err = cli("publish", "moodle", SHIPPED, "--url", moodle.url, "--token-file", token_file)
    assert code == 64 and "not both" in err


def test_from_sends_the_packages_of_an_earlier_build(moodle, publish, cli, tmp_path):
    assert cli("build", SHIPPED, "--format", "moodle", "--lang", "nb", "--out", tmp_path)[0] == 0
    code, out, _ = publish(moodle, "--category", "3", "--from", tmp_path)
    assert code == 0 and [c["language"] for c in out["published"]] == ["nb"]
    code, out, _ = publish(moodle, "--category", "3", "--from", tmp_path, "--lang", "fr")
    assert code == 2 and out["problems"][0]["code"] == "publish.missing-package"


def test_a_course_with_errors_sends_nothing(moodle, publish, mini, cli, monkeypatch):
    (mini / "en" / "course.yaml").write_text("id: [broken\n")
    monkeypatch.setenv("MOODLE_TOKEN", TOKEN)
    code, out, err = cli("publish", "moodle", mini, "--url", moodle.url, "--category", "3")
    assert code == 2 and "nothing was sent" in err
    assert moodle.calls == []


def test_a_dry_run_says_what_it_would_send(moodle, publish):
    code, out, err = publish(moodle, "--category", "3", "--lang", "nb", "--dry-run", as_json=False)
    assert code == 0
    assert "would import competency framework pat" in err
    assert "would upload pat-peer-support-1.0.0-nb-moodle.mbz" in err and "category 3" in err


def test_every_capability_the_publish_lacks_is_named_before_anything_changes(moodle, publish):
    moodle.overrides["missing"] = ["moodle/course:create (category 3)", "moodle/question:add (the new course: …)"]
    code, out, _ = publish(moodle, "--category", "3")
    message = out["problems"][0]["message"]
    assert code == 2 and out["problems"][0]["code"] == "publish.moodle.nopermissions"
    assert "moodle/course:create (category 3)" in message and "moodle/question:add" in message
    assert out["done"] == [] and set(moodle.names()) == {
        "core_webservice_get_site_info",
        "local_moocpack_course_status",
    }
    status = next(form for name, form in moodle.calls if name == "local_moocpack_course_status")
    assert (status["categoryid"], status["frameworks"]) == ("3", "1")  # what Moodle checks it against


def test_publishing_is_a_library_call_with_every_secret_masked(moodle, monkeypatch):
    """moocpack.publish: what the command does, for a Python program. What became of each course
    folder comes back (a refusal of the server too, not raised), with the token masked in every
    text it returns or reports as progress."""
    import moocpack
    from moocpack.publishing.http import PublishError

    monkeypatch.setattr("moocpack.publishing.http.time.sleep", lambda seconds: None)
    said: list[str] = []

    def progress(message, transient=False):
        said.append(message)

    [done] = moocpack.publish(
        SHIPPED, "moodle", url=moodle.url, token=TOKEN, category=3, languages=["nb"], progress=progress
    )
    assert done.ok and done.failure == "" and not done.report.errors
    assert [(c["language"], c["action"]) for c in done.courses] == [("nb", "created")]
    assert {f["idnumber"] for f in done.frameworks} == {"pat", "wwd"}
    assert said and not any(TOKEN in line for line in said)

    # A server that echoes the token in its refusal: the result says why, without the token.
    moodle.overrides["local_moocpack_restore_course"] = FakeMoodle.exception("restorefailed", f"bad token {TOKEN}")
    [failed] = moocpack.publish(SHIPPED, "moodle", url=moodle.url, token=TOKEN, languages=["nb"], update=True)
    assert not failed.ok and failed.failure == "publish" and "bad token" in failed.error
    assert TOKEN not in failed.error + json.dumps([p.message for p in failed.report.errors]) + "".join(failed.done)
    assert [p.code for p in failed.report.errors] == ["publish.moodle.restorefailed"]

    # What cannot be right is raised before anything is built or sent.
    calls = len(moodle.calls)
    with pytest.raises(PublishError, match="https"):
        moocpack.publish(SHIPPED, "moodle", url="http://lms.example", token=TOKEN)
    with pytest.raises(ValueError, match="studio"):
        moocpack.publish(SHIPPED, "moodle", url=moodle.url, token=TOKEN, studio=moodle.url)
    with pytest.raises(ValueError, match="unknown setting 'moodle.relase'"):
        moocpack.publish(SHIPPED, "moodle", url=moodle.url, token=TOKEN, settings={"moodle.relase": "4.5"})
    assert len(moodle.calls) == calls
