"""Publishing to Open edX: Studio's REST APIs, authenticated with a JWT from the LMS's OAuth2
client-credentials grant.

One publish: get a token (POST {lms}/oauth2/access_token, token_type=jwt), import or re-import
each framework's taxonomy (content_tagging API: the course's tags.csv refers to them), make each
language's course run if it does not exist (POST /api/v1/course_runs/), then import its OLX
tarball (POST /api/courses/v0/import/{course_key}/) and poll the task until it has succeeded or
failed. Course keys are the ones the OLX exporter writes into the package.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urljoin

from .. import render
from . import answers
from .answers import need
from .http import Http, PublishError, json_of, same_site

TAXONOMIES = "api/content_tagging/v1/taxonomies/"
COURSE_RUNS = "api/v1/course_runs/"
IMPORT = "api/courses/v0/import/{key}/"
DONE_STATES = {"Succeeded": True, "Failed": False, "Canceled": False}
MAX_PAGES = 200  # 200 pages of taxonomies: far more than any site has; a longer chain is a loop or an attack


class StudioError(PublishError):
    def __init__(self, message: str, code: str = "failed"):
        super().__init__(message, code=code)


@dataclass
class Studio:
    studio: str
    lms: str
    client_id: str
    client_secret: str
    http: Http
    poll_every: float = 2.0
    wait: float = 1800.0
    _token: str = field(default="", repr=False)

    def __post_init__(self):
        self.studio = self.studio.rstrip("/") + "/"
        self.lms = self.lms.rstrip("/") + "/"

    def authenticate(self) -> None:
        response = self.http.request(
            "POST",
            urljoin(self.lms, "oauth2/access_token"),
            data={
                "grant_type": "client_credentials",
                "client_id": self.client_id,
                "client_secret": self.client_secret,
                "token_type": "jwt",
            },
        )
        if response.status_code in (400, 401):
            raise StudioError(
                f"{self.lms} refused the client credentials (HTTP {response.status_code}: "
                f"{self._detail(response)}); check --client-id and the secret of the OAuth2 "
                "application (Django admin > OAuth2 > Applications, grant type client credentials)"
            )
        body = self._json(response, "the access token")
        token = answers.field(body, "access_token", str, "the access token", "")
        if not token.strip():
            raise StudioError(f"{self.lms} gave no access token")
        self._token = token
        self.http.secrets.append(token)

    def _headers(self) -> dict:
        return {"Authorization": f"JWT {self._token}", "Accept": "application/json"}

    def _detail(self, response) -> str:
        try:
            body = json_of(response)
        except ValueError:
            # Masked before it is cut: a cut could leave half a secret that no longer matches.
            return self.http.hide(response.text)[:200].strip() or "no details"
        if isinstance(body, dict):
            for key in ("developer_message", "detail", "error_description", "error", "message"):
                if body.get(key):
                    return self.http.hide(str(body[key]))[:300]
        return self.http.hide(str(body))[:300]

    def _json(self, response, what: str):
        if response.status_code == 401:
            raise StudioError(f"Studio refused the token for {what} (HTTP 401: {self._detail(response)})")
        if response.status_code == 403:
            raise StudioError(
                f"the OAuth2 application's user may not do this: {what} (HTTP 403: "
                f"{self._detail(response)}); it needs to be staff, or course creator and taxonomy "
                "admin"
            )
        if response.status_code == 413:
            raise StudioError(f"{what}: the file is larger than the server accepts (HTTP 413)")
        if response.status_code >= 400:
            raise StudioError(f"{what} failed (HTTP {response.status_code}: {self._detail(response)})")
        try:
            return json_of(response)
        except ValueError:
            raise StudioError(
                f"{what}: the answer is not JSON (HTTP {response.status_code}); is {self.studio} an Open edX Studio?"
            ) from None

    def taxonomies(self) -> list[dict]:
        """Every enabled taxonomy, page after page; a `next` link is followed only on Studio's own
        origin (it would receive the JWT), never twice, and at most MAX_PAGES times."""
        what = "listing taxonomies"
        found, url = [], urljoin(self.studio, TAXONOMIES) + "?enabled=true"
        seen: set[str] = set()
        while url:
            same_site(self.studio, url, self.http.secrets, "sent the next page of taxonomies")
            if url in seen or len(seen) >= MAX_PAGES:
                raise StudioError(
                    f"{what}: the pages never end ({len(seen)} read, the next one "
                    f"{'seen before' if url in seen else 'beyond the limit'}); the site's answer is "
                    "not what Studio sends",
                    "unexpected-answer",
                )
            seen.add(url)
            body = self._json(self.http.request("GET", url, headers=self._headers()), what)
            page = answers.field(body, "results", list, what, []) if isinstance(body, dict) else need(body, list, what)
            for taxonomy in page:
                need(taxonomy, dict, what, "a taxonomy")
                if taxonomy.get("export_id") is not None:
                    answers.field(taxonomy, "export_id", str, what)
                    answers.field(taxonomy, "id", int, what)
            found.extend(page)
            following = answers.field(body, "next", str, what, "") if isinstance(body, dict) else ""
            url = urljoin(url, following) if following else ""
        return found

    def import_taxonomy(
        self, export_id: str, name: str, description: str, csv_path: Path, existing: dict | None
    ) -> str:
        with csv_path.open("rb") as handle:
            files = {"file": (csv_path.name, handle, "text/csv")}
            if existing:
                url = urljoin(self.studio, f"{TAXONOMIES}{existing['id']}/tags/import/")
                self._json(
                    self.http.request("PUT", url, files=files, headers=self._headers(), once=True),
                    f"re-importing taxonomy {export_id}",
                )
                return "updated"
            url = urljoin(self.studio, f"{TAXONOMIES}import/")
            self._json(
                self.http.request(
                    "POST",
                    url,
                    files=files,
                    headers=self._headers(),
                    once=True,
                    data={"taxonomy_name": name, "taxonomy_description": description, "taxonomy_export_id": export_id},
                ),
                f"importing taxonomy {export_id}",
            )
            return "created"

    def course_run(self, key: str) -> dict | None:
        response = self.http.request(
            "GET", urljoin(self.studio, f"{COURSE_RUNS}{quote(key, safe=':+')}/"), headers=self._headers()
        )
        if response.status_code == 404:
            return None
        return need(self._json(response, f"looking up {key}"), dict, f"looking up {key}")

    def create_course_run(self, org: str, number: str, run: str, title: str) -> dict:
        response = self.http.request(
            "POST",
            urljoin(self.studio, COURSE_RUNS),
            headers=self._headers(),
            once=True,
            json={"org": org, "number": number, "run": run, "title": title, "pacing_type": "self_paced"},
        )
        return self._json(response, f"creating course run {org}+{number}+{run}")

    def import_course(self, key: str, tarball: Path, progress) -> str:
        url = urljoin(self.studio, IMPORT.format(key=quote(key, safe=":+")))
        with tarball.open("rb") as handle:
            body = self._json(
                self.http.request(
                    "POST",
                    url,
                    headers=self._headers(),
                    once=True,
                    timeout=self.http.timeout * 5,
                    files={"course_data": (tarball.name, handle, "application/gzip")},
                ),
                f"uploading {tarball.name}",
            )
        task = answers.field(body, "task_id", str, f"uploading {tarball.name}", "")
        if not task:
            raise StudioError(f"Studio started no import task for {key}")
        started = time.monotonic()
        state = "Pending"
        polls = 0
        # Bounded twice: by the time the person allows, and by a count, in case a clock misbehaves.
        most = int(self.wait / max(self.poll_every, 0.001)) + 10
        while True:
            what = f"import status of {key}"
            status = self._json(
                self.http.request(
                    "GET", url, headers=self._headers(), params={"task_id": task, "filename": tarball.name}
                ),
                what,
            )
            state = answers.field(status, "state", str, what, "?")
            polls += 1
            if state in DONE_STATES:
                if not DONE_STATES[state]:
                    message = answers.field(status, "message", str, what, "")
                    raise StudioError(
                        self.http.hide(
                            f"Studio's import of {key} ended '{state}'"
                            + (f": {message}" if message else "")
                            + "; Studio > Tools > Import shows the task's log"
                        )
                    )
                return state
            waited = time.monotonic() - started
            if waited > self.wait or polls >= most:
                raise StudioError(
                    f"the import of {key} is still '{state}' after {waited:.0f} s; it may still "
                    "finish: Studio > Tools > Import shows it"
                )
            progress(f"importing {key}: {state} ({waited:.0f} s)", transient=True)
            self.http.pause(self.poll_every)


def publish(
    studio: Studio,
    items,
    taxonomies: dict[str, Path],
    keys: dict[str, tuple[str, str, str]],
    update: bool,
    progress,
    dry_run: bool = False,
) -> dict[str, list[dict]]:
    """Taxonomies first, then each language's course. Returns the records of the frameworks
    (taxonomies) and of the courses."""
    done: list[str] = []
    try:
        studio.authenticate()
        progress(f"authenticated at {studio.lms}")
        existing = {t.get("export_id"): t for t in studio.taxonomies() if t.get("export_id") is not None}
        course = items[0].course
        records = []
        runs = {}
        for item in items:  # everything that can be refused is asked before anything changes
            key = "course-v1:{}+{}+{}".format(*keys[item.language])
            runs[key] = studio.course_run(key)
            if runs[key] and not update:
                raise StudioError(
                    f"course {key} is already in Studio; publish with --update to import over it "
                    "(Studio keeps its learners and replaces the content)"
                )
        for framework_id, csv_path in sorted(taxonomies.items()):
            framework = next((f for f in course.frameworks if f.id == framework_id), None)
            name = framework.title if framework else framework_id
            there = existing.get(framework_id)
            if there and not update:
                progress(
                    f"taxonomy {framework_id} is already in Studio (id {there['id']}); kept (--update re-imports it)"
                )
                records.append({"export_id": framework_id, "action": "skipped"})
                continue
            if dry_run:
                progress(f"would {'re-import' if there else 'import'} taxonomy {framework_id} from {csv_path.name}")
                continue
            description = render.plain(framework.description) if framework and framework.description else ""
            action = studio.import_taxonomy(framework_id, name, description, csv_path, there)
            done.append(f"taxonomy {framework_id}: {action}")
            records.append({"export_id": framework_id, "action": action})
            progress(done[-1])
        courses = []
        for item in items:
            org, number, run = keys[item.language]
            key = f"course-v1:{org}+{number}+{run}"
            found = runs[key]
            url = urljoin(studio.studio, f"course/{key}")
            if dry_run:
                progress(
                    f"would {'import over' if found else 'create and import'} {key} from {item.package.name} "
                    f"({item.package.stat().st_size:,} bytes)"
                )
                courses.append({"language": item.language, "course_key": key, "url": url, "action": "none (dry run)"})
                continue
            if not found:
                studio.create_course_run(org, number, run, item.course.title)
                done.append(f"course run {key}: created (empty until the import succeeds)")
                progress(done[-1])
            progress(f"uploading {item.package.name} ({item.package.stat().st_size:,} bytes)", transient=True)
            studio.import_course(key, item.package, progress)
            action = "updated" if found else "created"
            done.append(f"course {key}: {action} at {url}")
            progress(done[-1])
            courses.append({"language": item.language, "course_key": key, "url": url, "action": action})
        return {"frameworks": records, "courses": courses}
    except PublishError as exc:
        exc.done = done + exc.done
        raise
