"""Publishing against a hostile or broken server, and with hostile local files.

A token is an admin's key to the LMS: it goes only over HTTPS (loopback excepted), only to the
origin the person named, is never printed whatever the server echoes, and a server answer of any
shape ends in a clear error (exit 2, what was done, the --json envelope), never a traceback. The
servers are local (pytest-httpserver on 127.0.0.1); a second one plays "another origin".
"""

from __future__ import annotations

import io
import json
import os
import tarfile
import time

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from conftest import SHIPPED
from test_cli import output_schema
from test_publish_moodle import TOKEN, FakeMoodle
from test_publish_openedx import CLIENT_ID, JWT, SECRET, FakeOpenEdx, respond
from moocpack.publishing.http import is_loopback, origin, require_secure, PublishError


@pytest.fixture
def elsewhere():
    """Another origin (another port): it must never receive a request."""
    server = HTTPServer(host="127.0.0.1")
    server.expect_request("/", method="POST").respond_with_data("thanks")
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


@pytest.fixture
def moodle(httpserver):
    return FakeMoodle(httpserver)


@pytest.fixture
def edx(httpserver):
    return FakeOpenEdx(httpserver)


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch):
    monkeypatch.setattr("moocpack.publishing.http.time.sleep", lambda seconds: None)


def run(cli, *args, as_json=True, secrets=(TOKEN, SECRET, JWT)):
    code, out, err = cli("publish", *args, *(["--json"] if as_json else []))
    for secret in secrets:
        assert secret not in out + err, "a secret reached the terminal"
    if as_json:
        answer = json.loads(out)
        output_schema().validate(answer)
        return code, answer, err
    return code, out, err


def moodle_publish(cli, fake, *args, **kw):
    os.environ["MOODLE_TOKEN"] = TOKEN
    try:
        return run(cli, "moodle", SHIPPED, "--url", fake.url, *args, **kw)
    finally:
        del os.environ["MOODLE_TOKEN"]


def edx_publish(cli, fake, *args, **kw):
    os.environ["OPENEDX_CLIENT_SECRET"] = SECRET
    try:
        return run(
            cli, "openedx", SHIPPED, "--studio", fake.url, "--lms", fake.url, "--client-id", CLIENT_ID, *args, **kw
        )
    finally:
        del os.environ["OPENEDX_CLIENT_SECRET"]


# -- where a secret may go ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost:8000",
        "http://127.0.0.1",
        "http://127.9.9.9:81",
        "http://[::1]:8080/moodle",
        "https://lms.example.org",
        "HTTPS://LMS.example.org/",
    ],
)
def test_https_or_loopback_addresses_are_accepted(url):
    assert require_secure(url, "--url") == url


@pytest.mark.parametrize(
    "url",
    [
        "http://lms.example.org",
        "http://10.0.0.1",
        "http://localhost.example.org",
        "http://127.0.0.1.nip.io",
        "ftp://lms.example.org",
        "lms.example.org",
        "https://admin:pw@lms.example.org",
        "https://[::1",
        "https://lms.example.org:99999",
        "https://lms.example.org:port",
        "https://",
    ],
)
def test_plain_http_off_this_machine_and_odd_addresses_are_refused(url):
    with pytest.raises(PublishError):
        require_secure(url, "--url")


def test_loopback_and_origins_are_compared_as_browsers_do():
    assert is_loopback("LOCALHOST") and is_loopback("::1") and not is_loopback("127.0.0.1.example.org")
    assert origin("https://LMS.example.org/x") == origin("https://lms.example.org:443/y")
    assert origin("https://lms.example.org") != origin("http://lms.example.org")
    assert origin("https://lms.example.org") != origin("https://lms.example.org:8443")


def test_a_plain_http_site_gets_no_token_and_nothing_is_built(cli, monkeypatch):
    monkeypatch.setenv("MOODLE_TOKEN", TOKEN)
    code, out, _ = run(cli, "moodle", SHIPPED, "--url", "http://lms.example.org", "--category", "1")
    assert code == 2 and out["problems"][0]["code"] == "publish.moodle.insecure-url"
    assert "https://" in out["problems"][0]["message"] and out["done"] == []
    monkeypatch.setenv("OPENEDX_CLIENT_SECRET", SECRET)
    code, out, _ = run(
        cli,
        "openedx",
        SHIPPED,
        "--studio",
        "https://studio.example.org",
        "--lms",
        "http://lms.example.org",
        "--client-id",
        CLIENT_ID,
    )
    assert code == 2 and out["problems"][0]["code"] == "publish.olx.insecure-url"
    code, text, err = run(cli, "moodle", SHIPPED, "--url", "http://lms.example.org", as_json=False)
    assert code == 2 and "plain http" in err and "Traceback" not in err


def test_a_redirect_to_another_origin_receives_nothing(cli, moodle, httpserver, elsewhere):
    target = elsewhere.url_for("/")
    httpserver.clear()
    httpserver.expect_request("/webservice/rest/server.php").respond_with_response(
        Response(status=307, headers={"Location": target})
    )
    code, out, _ = moodle_publish(cli, moodle, "--category", "1")
    message = out["problems"][0]["message"]
    assert code == 2 and out["problems"][0]["code"] == "publish.moodle.other-origin"
    assert moodle.url.split("//")[1] in message and f"127.0.0.1:{elsewhere.port}" in message
    assert elsewhere.log == [], "the other origin received the token"


def test_a_same_origin_redirect_is_followed_but_not_forever(cli, moodle, httpserver):
    httpserver.clear()
    httpserver.expect_request("/webservice/rest/server.php").respond_with_response(
        Response(status=308, headers={"Location": "/webservice/rest/server.php"})
    )
    code, out, _ = moodle_publish(cli, moodle, "--category", "1")
    assert code == 2 and "redirected more than 5 times" in out["problems"][0]["message"]
    assert len(httpserver.log) == 6


def test_the_open_edx_secret_and_jwt_stay_on_their_origin(cli, edx, httpserver, elsewhere):
    edx.overrides["taxonomies"] = respond({"results": [], "next": elsewhere.url_for("/")})
    code, out, _ = edx_publish(cli, edx)
    assert code == 2 and out["problems"][0]["code"] == "publish.olx.other-origin"
    assert elsewhere.log == [], "the other origin received the JWT"
    httpserver.clear()
    httpserver.expect_request("/oauth2/access_token").respond_with_response(
        Response(status=302, headers={"Location": elsewhere.url_for("/")})
    )
    code, out, _ = edx_publish(cli, edx)
    assert code == 2 and out["problems"][0]["code"] == "publish.olx.other-origin"
    assert elsewhere.log == [], "the other origin received the client secret"


def replace_handler(server, uri_part: str, handler) -> None:
    for registered in server.handlers:
        if uri_part in str(registered.matcher.uri):
            registered.respond_with_handler(handler)


@pytest.mark.parametrize("next_link", ["self", "cycle"])
def test_pagination_that_never_ends_is_stopped(cli, edx, next_link):
    first = edx.url + "/api/content_tagging/v1/taxonomies/?enabled=true"
    pages = []

    def page(request):
        pages.append(request.full_path)
        if next_link == "self" or request.args.get("page") == "2":
            return respond({"results": [], "next": first})
        return respond({"results": [], "next": first.replace("enabled=true", "page=2")})

    replace_handler(edx.server, "/taxonomies/", page)
    code, out, _ = edx_publish(cli, edx)
    assert code == 2 and "never end" in out["problems"][0]["message"]
    assert len(pages) == (1 if next_link == "self" else 2)


def test_an_import_that_never_finishes_is_polled_for_a_bounded_time(cli, edx, monkeypatch):
    edx.states = ["In Progress"]
    clock = iter(range(0, 10_000, 7))
    monkeypatch.setattr("moocpack.publishing.openedx.time.monotonic", lambda: next(clock))
    code, out, _ = edx_publish(cli, edx, "--lang", "en", "--wait", "30")
    assert code == 2 and "still 'In Progress'" in out["problems"][0]["message"]
    assert [what for _, what in edx.calls].count("GET-import") <= 6


# -- secrets echoed by the server --------------------------------------------------------------


def echo_site_info(form):
    return Response(
        json.dumps(
            {
                "sitename": f"Site {TOKEN}",
                "username": TOKEN,
                "release": "4.5",
                "functions": [{"name": n} for n in FakeMoodle(_Null()).functions],
                "usermaxuploadfilesize": 0,
            }
        ),
        content_type="application/json",
    )


class _Null:
    def expect_request(self, *a, **k):
        return self

    def respond_with_handler(self, *a):
        return None


@pytest.mark.parametrize("as_json", [True, False])
def test_a_token_the_server_echoes_is_masked_everywhere(cli, moodle, as_json):
    moodle.overrides["core_webservice_get_site_info"] = echo_site_info
    moodle.overrides["local_moocpack_restore_course"] = lambda form: Response(
        json.dumps(
            {
                "created": True,
                "url": f"{moodle.url}/course/view.php?id=2&token={TOKEN}",
                "courseid": 2,
                "quizzes": 1,
                "activities": 3,
                "course_competencies": 1,
                "activity_competencies": 1,
                "warnings": [f"warn {TOKEN}"],
            }
        ),
        content_type="application/json",
    )
    code, out, err = moodle_publish(cli, moodle, "--category", "1", "--lang", "en", as_json=as_json)
    assert code == 0 and "****" in (json.dumps(out) if as_json else out)
    code, out, err = moodle_publish(cli, moodle, "--category", "1", "--lang", "en", "--dry-run", as_json=False)
    assert "Site ****" in err  # the progress line names the site, masked


def test_a_token_in_an_error_is_masked_even_url_encoded(cli, moodle):
    moodle.overrides["local_moocpack_course_status"] = lambda form: Response(
        json.dumps({"found": True, "url": f"{moodle.url}/course/view.php?t={TOKEN}"}), content_type="application/json"
    )
    code, out, _ = moodle_publish(cli, moodle, "--category", "1", "--lang", "en")
    assert code == 2 and "already on the site" in out["problems"][0]["message"]
    moodle.overrides["local_moocpack_course_status"] = lambda form: FakeMoodle.exception(
        "x", f"bad token {TOKEN[:8]}%{TOKEN} and {TOKEN}"
    )
    code, out, _ = moodle_publish(cli, moodle, "--category", "1", "--lang", "en")
    assert code == 2 and "****" in out["problems"][0]["message"]


def test_a_jwt_echoed_in_a_failed_import_is_masked(cli, edx):
    edx.states = ["Failed"]
    original = edx.course_import

    def failing(request):
        answer = original(request)
        if request.method == "GET":
            return respond({"state": "Failed", "message": f"cannot import with JWT {JWT}"})
        return answer

    replace_handler(edx.server, "/api/courses/v0/import/", failing)
    code, out, _ = edx_publish(cli, edx, "--lang", "en")
    assert code == 2 and "JWT ****" in out["problems"][0]["message"]


# -- answers of the wrong shape ----------------------------------------------------------------

WRONG = [[], "text", 3, None, {"unexpected": True}, [{"itemid": "x"}], {"url": ["a"], "found": "yes"}]
MOODLE_CALLS = [
    "core_webservice_get_site_info",
    "local_moocpack_course_status",
    "local_moocpack_import_framework",
    "local_moocpack_restore_course",
]


@pytest.mark.parametrize("call", MOODLE_CALLS + ["upload"])
@pytest.mark.parametrize("answer", WRONG, ids=lambda a: type(a).__name__ + str(len(json.dumps(a))))
def test_any_moodle_answer_of_the_wrong_shape_is_a_clear_error(cli, moodle, call, answer):
    body = Response(json.dumps(answer), content_type="application/json")
    if call == "upload":
        replace_handler(moodle.server, "/webservice/upload.php", lambda request: body)
    else:
        moodle.overrides[call] = body
    code, out, _ = moodle_publish(cli, moodle, "--category", "1", "--lang", "en")
    assert code == 2, out
    problem = out["problems"][0]
    assert problem["code"].startswith("publish.moodle.") and "internal" not in problem["message"]
    if call in ("local_moocpack_restore_course", "upload"):
        assert any(d.startswith("framework ") for d in out["done"])  # what changed before is listed


@pytest.mark.parametrize("what", ["token", "taxonomies", "get-run", "POST-import", "GET-import"])
@pytest.mark.parametrize("answer", WRONG[:5], ids=lambda a: type(a).__name__)
def test_any_open_edx_answer_of_the_wrong_shape_is_a_clear_error(cli, edx, what, answer):
    if what == "token":
        replace_handler(edx.server, "/oauth2/access_token", lambda request: respond(answer))
    else:
        edx.overrides[what] = respond(answer)
    code, out, _ = edx_publish(cli, edx, "--lang", "en")
    if what == "taxonomies" and answer in ([], {"unexpected": True}):
        assert code == 0  # no taxonomy yet, in either of the shapes Studio uses
        return
    assert code == 2, out
    assert out["problems"][0]["code"].startswith("publish.olx.")


# -- local files: --from and secret files ------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from click.testing import CliRunner
    from moocpack.cli import main

    folder = tmp_path_factory.mktemp("dist")
    result = CliRunner().invoke(
        main,
        ["build", str(SHIPPED), "--format", "moodle", "--format", "olx", "-o", str(folder)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    return folder


def copy_of(built, tmp_path):
    folder = tmp_path / "dist"
    folder.mkdir()
    for package in built.iterdir():
        (folder / package.name).write_bytes(package.read_bytes())
    return folder


def damage(path, how, built):
    data = path.read_bytes()
    if how == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif how == "trailer cut":
        path.write_bytes(data[:-4])
    elif how == "garbage":
        path.write_bytes(os.urandom(len(data)))
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "another language":
        other = next(built.glob(path.name.replace("-en-", "-nb-")))
        path.write_bytes(other.read_bytes())
    elif how == "link out":
        path.unlink()
        path.symlink_to("/etc/passwd")
    elif how == "folder":
        path.unlink()
        path.mkdir()
    elif how == "escaping member":
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
            with tarfile.open(path) as original:
                for member in original:
                    archive.addfile(member, original.extractfile(member) if member.isfile() else None)
            evil = tarfile.TarInfo("../../evil.php")
            evil.size = 5
            archive.addfile(evil, io.BytesIO(b"<?php"))
        path.write_bytes(buffer.getvalue())


DAMAGE = ["truncated", "trailer cut", "garbage", "empty", "another language", "link out", "folder", "escaping member"]


@pytest.mark.parametrize("how", DAMAGE)
def test_from_sends_only_complete_packages_of_this_course(cli, moodle, built, tmp_path, how):
    folder = copy_of(built, tmp_path)
    damage(folder / "pat-peer-support-1.0.0-en-moodle.mbz", how, built)
    code, out, _ = moodle_publish(cli, moodle, "--category", "1", "--from", folder, "--lang", "en")
    assert code == 2, out
    assert out["problems"][0]["code"] in ("publish.bad-package", "publish.missing-package")
    assert moodle.names() == [] and moodle.drafts == {}, "nothing may be sent"


@pytest.mark.parametrize("how", ["truncated", "another language", "link out", "escaping member"])
def test_from_checks_open_edx_packages_too(cli, edx, built, tmp_path, how):
    folder = copy_of(built, tmp_path)
    damage(folder / "pat-peer-support-1.0.0-en-olx.tar.gz", how, built)
    code, out, _ = edx_publish(cli, edx, "--from", folder, "--lang", "en")
    assert code == 2 and out["problems"][0]["code"] == "publish.bad-package", out
    assert edx.calls == []


def test_from_accepts_the_packages_of_the_build(cli, moodle, built, tmp_path):
    code, out, _ = moodle_publish(cli, moodle, "--category", "1", "--from", copy_of(built, tmp_path))
    assert code == 0 and len(out["published"]) == 3


@pytest.mark.parametrize("content", ["device", "not utf-8", "too large", "fifo"])
def test_a_secret_file_that_cannot_hold_a_secret_is_refused_at_once(cli, moodle, tmp_path, content):
    path = tmp_path / "token"
    if content == "device":
        path = "/dev/zero"
    elif content == "not utf-8":
        path.write_bytes(b"\xff\xfe\x00token")
    elif content == "too large":
        path.write_bytes(b"a" * 100_000)
    else:
        os.mkfifo(path)
    started = time.monotonic()
    code, out, _ = run(cli, "moodle", SHIPPED, "--url", moodle.url, "--token-file", path, "--category", "1")
    assert code == 2 and out["problems"][0]["code"] == "publish.moodle.secret-file", out
    assert time.monotonic() - started < 5 and moodle.names() == []


def test_a_secret_file_with_a_byte_order_mark_works(cli, moodle, tmp_path):
    path = tmp_path / "token"
    path.write_bytes(b"\xef\xbb\xbf" + TOKEN.encode() + b"\n")
    code, out, _ = run(
        cli, "moodle", SHIPPED, "--url", moodle.url, "--token-file", path, "--category", "1", "--lang", "en"
    )
    assert code == 0, out


@pytest.mark.parametrize("body", ["huge", "json bomb", "trickle"])
def test_an_answer_too_large_too_deep_or_too_slow_is_a_clear_error(cli, moodle, body):
    if body == "huge":
        answer = Response(b" " * (17 * 1024 * 1024), content_type="application/json")
    elif body == "json bomb":
        answer = Response("[" * 200_000 + "]" * 200_000, content_type="application/json")
    else:

        def drip():
            for _ in range(40):
                time.sleep(0.25)
                yield b" "

        answer = Response(drip(), content_type="application/json")
    moodle.overrides["core_webservice_get_site_info"] = answer
    started = time.monotonic()
    code, out, _ = moodle_publish(cli, moodle, "--category", "1", "--timeout", "1", "--retries", "0")
    assert code == 2 and out["problems"][0]["code"].startswith("publish.moodle."), out
    assert time.monotonic() - started < 8


def test_a_token_echoed_by_a_failed_upload_is_masked(cli, moodle):
    replace_handler(
        moodle.server,
        "/webservice/upload.php",
        lambda request: Response(
            json.dumps([{"error": f"upload refused for token {request.form.get('token')}", "errortype": "x"}]),
            content_type="application/json",
        ),
    )
    code, out, _ = moodle_publish(cli, moodle, "--category", "1", "--lang", "en")
    assert code == 2 and "token ****" in out["problems"][0]["message"]
    code, text, err = moodle_publish(cli, moodle, "--category", "1", "--lang", "en", as_json=False)
    assert code == 2 and "token ****" in err
