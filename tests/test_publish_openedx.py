"""`moocpack publish openedx`: a contract test. Open edX cannot run here, so a local HTTP server
answers as the documented APIs do: the LMS's OAuth2 token endpoint (client credentials, JWT),
the content_tagging taxonomy import API, Studio's course runs API, and Studio's course import
API with its task polling (cms/djangoapps/contentstore/api/views/course_import.py: POST
course_data → {"task_id"}, GET ?task_id&filename → {"state": "Pending" | "In Progress" |
"Succeeded" | "Failed"}).
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

CLIENT_ID = "moocpack-publisher"
SECRET = secrets.token_urlsafe(24)  # generated: never a real secret in the repository
JWT = "eyJ." + secrets.token_urlsafe(32)
KEYS = {lang: f"course-v1:PAT+PeerSupport+1_0_0_{lang}" for lang in ("en", "nb", "fr")}


def respond(body, status=200) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")


class FakeOpenEdx:
    def __init__(self, server, states=("Pending", "In Progress", "Succeeded")):
        self.server, self.states = server, list(states)
        self.calls: list[tuple[str, str]] = []
        self.taxonomies: list[dict] = []
        self.courses: set[str] = set()
        self.imports: dict[str, list[str]] = {}
        self.overrides: dict[str, Response] = {}
        server.expect_request("/oauth2/access_token", method="POST").respond_with_handler(self.token)
        server.expect_request("/api/content_tagging/v1/taxonomies/", method="GET").respond_with_handler(self.list)
        server.expect_request("/api/content_tagging/v1/taxonomies/import/", method="POST").respond_with_handler(
            self.create_taxonomy
        )
        for number in range(1, 5):
            server.expect_request(
                f"/api/content_tagging/v1/taxonomies/{number}/tags/import/", method="PUT"
            ).respond_with_handler(self.reimport)
        server.expect_request("/api/v1/course_runs/", method="POST").respond_with_handler(self.create_run)
        for key in KEYS.values():
            server.expect_request(f"/api/v1/course_runs/{key}/", method="GET").respond_with_handler(self.get_run)
            server.expect_request(f"/api/courses/v0/import/{key}/").respond_with_handler(self.course_import)

    @property
    def url(self) -> str:
        return self.server.url_for("/").rstrip("/")

    def authorised(self, request, what: str) -> Response | None:
        self.calls.append((request.method, what))
        if what in self.overrides:
            return self.overrides[what]
        if request.headers.get("Authorization") != f"JWT {JWT}":
            return respond({"detail": "Authentication credentials were not provided."}, 401)
        return None

    def token(self, request):
        self.calls.append(("POST", "token"))
        form = request.form
        if (form.get("grant_type"), form.get("client_id"), form.get("client_secret"), form.get("token_type")) != (
            "client_credentials",
            CLIENT_ID,
            SECRET,
            "jwt",
        ):
            return respond({"error": "invalid_client"}, 401)
        return respond({"access_token": JWT, "token_type": "JWT", "expires_in": 3600, "scope": "read write"})

    def list(self, request):
        return self.authorised(request, "taxonomies") or respond(
            {"count": len(self.taxonomies), "next": None, "results": self.taxonomies}
        )

    def create_taxonomy(self, request):
        refused = self.authorised(request, "create-taxonomy")
        if refused:
            return refused
        rows = request.files["file"].read().decode().splitlines()
        assert rows[0] == "id,value,parent_id", rows[0]
        taxonomy = {
            "id": len(self.taxonomies) + 1,
            "name": request.form["taxonomy_name"],
            "export_id": request.form["taxonomy_export_id"],
            "tags": len(rows) - 1,
        }
        self.taxonomies.append(taxonomy)
        return respond(taxonomy, 201)

    def reimport(self, request):
        refused = self.authorised(request, "reimport-taxonomy")
        number = int(request.path.split("/")[-4])
        return refused or respond(next(t for t in self.taxonomies if t["id"] == number))

    def get_run(self, request):
        refused = self.authorised(request, "get-run")
        key = request.path.split("/")[-2]
        if refused:
            return refused
        return respond({"id": key, "title": "PAT"}) if key in self.courses else respond({"detail": "Not found."}, 404)

    def create_run(self, request):
        refused = self.authorised(request, "create-run")
        if refused:
            return refused
        body = request.get_json()
        key = f"course-v1:{body['org']}+{body['number']}+{body['run']}"
        assert body["title"] and body["pacing_type"] == "self_paced"
        self.courses.add(key)
        return respond({"id": key, "title": body["title"]}, 201)

    def course_import(self, request):
        key = request.path.split("/")[-2]
        refused = self.authorised(request, f"{request.method}-import")
        if refused:
            return refused
        if request.method == "POST":
            upload = request.files["course_data"]
            assert upload.filename.endswith(".tar.gz")
            with tarfile.open(fileobj=io.BytesIO(upload.read())) as olx:
                assert "course/course.xml" in olx.getnames()
            self.imports[key] = list(self.states)
            return respond({"task_id": f"task-{key}"})
        assert request.args["task_id"] == f"task-{key}" and request.args["filename"].endswith(".tar.gz")
        states = self.imports[key]
        return respond({"state": states.pop(0) if len(states) > 1 else states[0]})


@pytest.fixture
def edx(httpserver):
    return FakeOpenEdx(httpserver)


@pytest.fixture
def publish(cli, monkeypatch):
    pauses: list[float] = []
    monkeypatch.setattr("moocpack.publishing.http.time.sleep", lambda seconds: pauses.append(seconds))
    monkeypatch.setenv("OPENEDX_CLIENT_SECRET", SECRET)

    def run(fake, *args):
        code, out, err = cli(
            "publish",
            "openedx",
            SHIPPED,
            "--studio",
            fake.url,
            "--lms",
            fake.url,
            "--client-id",
            CLIENT_ID,
            "--json",
            *args,
        )
        assert SECRET not in out + err and JWT not in out + err
        output_schema().validate(json.loads(out))  # the same envelope as every command's --json
        return code, json.loads(out), err

    run.pauses = pauses
    return run


def test_taxonomies_then_course_runs_then_imports_polled_until_they_succeed(edx, publish):
    code, out, _ = publish(edx)
    assert code == 0, out["problems"][0]["message"]
    assert [c["course_key"] for c in out["published"]] == list(KEYS.values())
    assert [c["action"] for c in out["published"]] == ["created"] * 3
    assert out["published"][0]["url"] == f"{edx.url}/course/{KEYS['en']}"
    assert {t["export_id"]: t["tags"] for t in edx.taxonomies} == {"pat": 75, "wwd": 12}
    steps = [what for _, what in edx.calls]
    assert steps[0] == "token" and steps.index("create-taxonomy") < steps.index("POST-import")
    assert steps.count("GET-import") == 3 * 3  # Pending, In Progress, Succeeded for each language
    assert edx.courses == set(KEYS.values())


def test_publishing_again_needs_update_which_reimports_taxonomies_and_courses(edx, publish):
    publish(edx, "--lang", "en")
    edx.calls.clear()
    code, out, _ = publish(edx, "--lang", "en")
    assert code == 2 and "--update" in out["problems"][0]["message"]
    assert [what for _, what in edx.calls] == ["token", "taxonomies", "get-run"]  # refused before any change
    edx.calls.clear()
    code, out, _ = publish(edx, "--lang", "en", "--update")
    assert code == 0 and out["published"][0]["action"] == "updated"
    steps = [what for _, what in edx.calls]
    assert steps.count("reimport-taxonomy") == 2 and "create-taxonomy" not in steps and "create-run" not in steps


def test_refused_client_credentials(edx, publish, monkeypatch):
    monkeypatch.setenv("OPENEDX_CLIENT_SECRET", "wrong")
    code, out, _ = publish(edx)
    assert code == 2 and "refused the client credentials" in out["problems"][0]["message"]
    assert "wrong" not in json.dumps(out)


def test_an_expired_or_foreign_token_is_a_clear_401(edx, publish):
    edx.overrides["taxonomies"] = respond({"detail": "Error decoding token."}, 401)
    code, out, _ = publish(edx)
    assert code == 2 and "HTTP 401" in out["problems"][0]["message"]


def test_a_user_without_studio_rights_gets_403_explained(edx, publish):
    edx.overrides["POST-import"] = respond({"detail": "You do not have permission to perform this action."}, 403)
    code, out, _ = publish(edx, "--lang", "en")
    assert code == 2 and "HTTP 403" in out["problems"][0]["message"] and "staff" in out["problems"][0]["message"]
    assert any(step.startswith("course run") for step in out["done"])


def test_an_upload_over_the_servers_limit_is_413(edx, publish):
    edx.overrides["POST-import"] = Response("Request Entity Too Large", status=413)
    code, out, _ = publish(edx, "--lang", "en")
    assert code == 2 and "larger than the server accepts" in out["problems"][0]["message"]


def test_a_failed_import_says_so_and_lists_what_was_done(httpserver, publish):
    fake = FakeOpenEdx(httpserver, states=("Pending", "Failed"))
    code, out, _ = publish(fake, "--lang", "en")
    assert code == 2 and "'Failed'" in out["problems"][0]["message"]
    assert out["done"] == [
        "taxonomy pat: created",
        "taxonomy wwd: created",
        f"course run {KEYS['en']}: created (empty until the import succeeds)",
    ]


def test_an_import_that_never_finishes_stops_waiting(httpserver, publish, monkeypatch):
    fake = FakeOpenEdx(httpserver, states=("In Progress",))
    ticks = iter(range(0, 10_000, 30))
    monkeypatch.setattr("moocpack.publishing.openedx.time.monotonic", lambda: next(ticks))
    code, out, _ = publish(fake, "--lang", "en", "--wait", "100")
    assert code == 2 and "still 'In Progress'" in out["problems"][0]["message"]
    assert publish.pauses and set(publish.pauses) == {2.0}


def test_dry_run_authenticates_and_changes_nothing(edx, publish):
    code, out, _ = publish(edx, "--dry-run")
    assert code == 0 and [c["action"] for c in out["published"]] == ["none (dry run)"] * 3
    assert {what for _, what in edx.calls} == {"token", "taxonomies", "get-run"}


def test_course_keys_follow_the_olx_settings(edx, publish, httpserver):
    key = "course-v1:PAT+TUTO3+2026_en"
    httpserver.expect_request(f"/api/v1/course_runs/{key}/").respond_with_handler(edx.get_run)
    httpserver.expect_request(f"/api/courses/v0/import/{key}/").respond_with_handler(edx.course_import)
    code, out, _ = publish(
        edx, "--lang", "en", "--set", "olx_org=PAT", "--set", "olx_course=TUTO3", "--set", "olx_run=2026_{lang}"
    )
    assert code == 0, out["problems"][0]["message"]
    assert out["published"][0]["course_key"] == key
