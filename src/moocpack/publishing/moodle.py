"""Publishing to Moodle through its REST web service and the local_moocpack plugin.

One publish: check the token and the plugin (core_webservice_get_site_info), import each
competency framework (before the courses: a restore drops competency links whose framework is
missing, without a word), then per language upload the .mbz to the user's draft area
(webservice/upload.php) and restore it (local_moocpack_restore_course). A course is found again
by its idnumber, moocpack:<course id>:<language>, so `--update` replaces its content in place.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

from .answers import field, need
from .http import Http, PublishError, json_of

PLUGIN_FUNCTIONS = ("local_moocpack_import_framework", "local_moocpack_restore_course", "local_moocpack_course_status")
SERVICE = "moocpack publishing"

# Moodle's error codes that mean the same thing to the person publishing, with what to do.
ADVICE = {
    "invalidtoken": "the token is not valid on this site (Site administration > Server > Web services > Manage tokens)",
    "enablewsdescription": "web services are turned off on this site (Site administration > Advanced features > "
    "Enable web services)",
    "servicenotavailable": f"the token's service is not available: enable the '{SERVICE}' service",
    "accessexception": "Moodle refuses the token; usually the token's user lacks the capability webservice/rest:use, "
    f"is not an authorised user of the '{SERVICE}' service, or the token is for another service "
    "(README, Publishing)",
    "invalidrecord": "this site does not know the function: install the moocpack plugin (moocpack moodle-plugin)",
    "nopermissions": "the token's user lacks a capability; its role needs local/moocpack:publish, "
    "moodle/restore:restorecourse, moodle/course:create and moodle/competency:competencymanage "
    "at site level, and the site's Restorers' role in courses its defaults (README, Publishing)",
    "invalidparameter": "the site's moocpack plugin may be older than this moocpack: install the one "
    "`moocpack moodle-plugin` writes (README, Publishing)",
    "usernotfullysetup": "the token's user must finish their profile (log in once in a browser)",
}


def idnumber(course_id: str, language: str) -> str:
    return f"moocpack:{course_id}:{language}"[:100]


class MoodleError(PublishError):
    def __init__(self, message: str, code: str = "", done=None):
        super().__init__(message, done, code)


@dataclass
class Moodle:
    url: str
    token: str
    http: Http

    def __post_init__(self):
        self.url = self.url.rstrip("/") + "/"

    def call(self, function: str, once: bool = False, timeout: float | None = None, **params) -> dict | list:
        data = {"wstoken": self.token, "wsfunction": function, "moodlewsrestformat": "json"}
        data.update(flatten(params))
        response = self.http.request(
            "POST", urljoin(self.url, "webservice/rest/server.php"), data=data, once=once, timeout=timeout
        )
        return self._answer(response, function)

    def _answer(self, response, what: str):
        if response.status_code == 403 and not response.content.strip():
            raise MoodleError(
                f"{self.url} refuses REST calls: enable web services and the REST protocol "
                "(Site administration > Server > Web services > Manage protocols)",
                "rest-disabled",
            )
        if response.status_code == 404:
            raise MoodleError(
                f"no Moodle web service at {self.url} (HTTP 404); give the site's address, the one "
                "whose /login/index.php is the login page",
                "not-moodle",
            )
        try:
            answer = json_of(response)
        except ValueError:
            raise MoodleError(
                f"{self.url} did not answer {what} as Moodle does (HTTP {response.status_code}, "
                f"{response.headers.get('Content-Type', 'no content type')}); is it a Moodle site?",
                "not-moodle",
            ) from None
        if isinstance(answer, dict) and "exception" in answer:
            code = str(answer.get("errorcode", ""))
            message = self.http.hide(str(answer.get("message", "")))
            if answer.get("debuginfo"):  # only when the site shows debugging, but then it says exactly why
                message += f" ({self.http.hide(str(answer['debuginfo']).strip())})"
            advice = ADVICE.get(code)
            text = f"{what}: {message}" + (f" ({advice})" if advice and advice not in message else "")
            raise MoodleError(text, code)
        if response.status_code >= 400:
            raise MoodleError(f"{what}: HTTP {response.status_code} from {self.url}", "http")
        return answer

    def site_info(self) -> dict:
        what = "core_webservice_get_site_info"
        info = need(self.call(what), dict, what)
        available = {field(f, "name", str, what) for f in field(info, "functions", list, what, [])}
        missing = [f for f in PLUGIN_FUNCTIONS if f not in available]
        if missing:
            raise MoodleError(
                f"the token cannot call {', '.join(missing)}: install the moocpack plugin on {self.url} "
                f"(moocpack moodle-plugin -o local_moocpack.zip, then Site administration > Plugins > Install "
                f"plugins) and make the token for its '{SERVICE}' service",
                "plugin-missing",
            )
        return info

    @staticmethod
    def check_size(path: Path, limit: int) -> None:
        """Refuse, before sending anything, a file over the site's upload limit (0: none)."""
        size = path.stat().st_size
        if limit > 0 and size > limit:
            raise MoodleError(
                f"{path.name} is {size:,} bytes; this site accepts uploads up to {limit:,} bytes "
                "(Site administration > Security > Site security settings > Maximum uploaded file "
                "size, and PHP's upload_max_filesize and post_max_size)",
                "too-large",
            )

    def upload(self, path: Path, limit: int) -> int:
        """The file into the user's draft area; its draft item id."""
        self.check_size(path, limit)
        size = path.stat().st_size
        with path.open("rb") as handle:
            response = self.http.request(
                "POST",
                urljoin(self.url, "webservice/upload.php"),
                data={"token": self.token, "filearea": "draft", "itemid": 0},
                files={"file_1": (path.name, handle, "application/vnd.moodle.backup")},
                timeout=self.http.timeout * 5,
            )
        if response.status_code == 413:
            raise MoodleError(
                f"{path.name} ({size:,} bytes) is larger than the web server accepts (HTTP 413)", "too-large"
            )
        what = f"upload of {path.name}"
        answer = self._answer(response, what)
        if isinstance(answer, dict) and answer.get("error"):
            raise MoodleError(self.http.hide(f"{what}: {answer['error']}"), "upload")
        if not isinstance(answer, list) or not answer:
            # PHP drops a body over post_max_size without a word: no file arrives at all.
            raise MoodleError(
                f"upload of {path.name}: the site received no file; it is probably larger than "
                "PHP's post_max_size on the server",
                "too-large",
            )
        first = need(answer[0], dict, what, "its first entry")
        if first.get("errortype") == "fileoversized":
            raise MoodleError(
                self.http.hide(f"{path.name} is larger than this site's maximum upload size ({first.get('error')})"),
                "too-large",
            )
        if first.get("error"):
            raise MoodleError(self.http.hide(f"{what}: {first['error']}"), "upload")
        return field(first, "itemid", int, what)


def flatten(params: dict, prefix: str = "") -> dict:
    """Moodle's REST form encoding: lists as name[0], dicts as name[key], booleans as 1/0."""
    out = {}
    for key, value in params.items():
        name = f"{prefix}[{key}]" if prefix else str(key)
        if isinstance(value, dict):
            out.update(flatten(value, name))
        elif isinstance(value, (list, tuple)):
            out.update(flatten(dict(enumerate(value)), name))
        elif isinstance(value, bool):
            out[name] = int(value)
        else:
            out[name] = value
    return out


def publish(
    site: Moodle,
    items,
    frameworks: dict[str, Path],
    category: int | None,
    update: bool,
    progress,
    dry_run: bool = False,
) -> dict:
    """Frameworks first, then each language's course. Returns {"frameworks": […], "courses": […]}.
    Everything that can be refused is asked before anything changes; on a later failure the
    PublishError's `done` lists what already changed on the site."""
    done: list[str] = []
    try:
        info = site.site_info()
        what = "core_webservice_get_site_info"
        limit = max(0, field(info, "usermaxuploadfilesize", int, what, 0))
        progress(
            f"connected to {field(info, 'sitename', str, what, site.url)} (Moodle "
            f"{field(info, 'release', str, what, '?')}) as {field(info, 'username', str, what, '?')}"
        )
        found = {}
        missing: list[str] = []
        for item in items:
            number = idnumber(item.course_id, item.language)
            what = f"local_moocpack_course_status for {number}"
            status = need(
                site.call(
                    "local_moocpack_course_status",
                    idnumber=number,
                    categoryid=category or 0,
                    frameworks=bool(frameworks) and not dry_run,
                ),
                dict,
                what,
            )
            # Every capability the whole publish needs, in the contexts Moodle will check it.
            missing += [
                need(m, str, what, "a missing capability")
                for m in field(status, "missing", list, what, [])
                if m not in missing
            ]
            there = field(status, "found", bool, what)
            found[number] = {"found": there, "url": field(status, "url", str, what) if there else None}
            if there and not update:
                raise MoodleError(
                    f"a course with idnumber {number} is already on the site ({found[number]['url']}); "
                    "publish with --update to replace its content (enrolments are kept)",
                    "exists",
                )
            if not there and category is None:
                raise MoodleError(
                    f"course {number} is not on the site yet: give --category ID, the category "
                    "new courses go into (Site administration > Courses > Manage courses and "
                    "categories shows the ids)",
                    "no-category",
                )
            site.check_size(item.package, limit)
        if missing:
            raise MoodleError(
                f"the token's user lacks what this publish needs, so nothing was changed: "
                f"{'; '.join(missing)}. Give its role these capabilities (README, Publishing)",
                "nopermissions",
            )
        framework_records = []
        for framework_id, csv_path in sorted(frameworks.items()):
            if dry_run:
                progress(
                    f"would import competency framework {framework_id} from {csv_path.name}"
                    + (" (or update it)" if update else " (unless it is there)")
                )
                continue
            progress(f"importing competency framework {framework_id}", transient=True)
            what = f"local_moocpack_import_framework for {framework_id}"
            answer = site.call(
                "local_moocpack_import_framework", once=True, csv=csv_path.read_text("utf-8"), update=update
            )
            done.append(f"framework {framework_id}: sent (the site's answer follows)")
            result = {
                "idnumber": field(answer, "idnumber", str, what),
                "action": field(answer, "action", str, what),
                **{key: field(answer, key, int, what) for key in ("competencies", "created", "updated")},
            }
            framework_records.append(result)
            done[-1] = (
                f"framework {result['idnumber']}: {result['action']} ({result['competencies']} "
                f"competencies, {result['created']} new, {result['updated']} changed)"
            )
            progress(done[-1])
        courses = []
        for item in items:
            number = idnumber(item.course_id, item.language)
            status = found[number]
            size = item.package.stat().st_size
            if dry_run:
                where = status["url"] if status.get("found") else f"a new course in category {category}"
                verb = "replace the content of" if status.get("found") else "restore as"
                progress(f"would upload {item.package.name} ({size:,} bytes) and {verb} {where}")
                courses.append(
                    {
                        "language": item.language,
                        "idnumber": number,
                        "url": status.get("url"),
                        "action": "none (dry run)",
                    }
                )
                continue
            progress(f"uploading {item.package.name} ({size:,} bytes)", transient=True)
            draft = site.upload(item.package, limit)
            progress(f"restoring {item.package.name} (Moodle takes a while for a large course)", transient=True)
            params = {"draftitemid": draft, "idnumber": number, "update": update}
            if category is not None:
                params["categoryid"] = category
            answer = site.call(
                "local_moocpack_restore_course", once=True, timeout=max(site.http.timeout, 900), **params
            )
            what = f"local_moocpack_restore_course for {number}"
            done.append(f"course {number}: restore sent (the site's answer follows)")
            action = "created" if field(answer, "created", bool, what) else "updated"
            url = field(answer, "url", str, what)
            done[-1] = f"course {number}: {action} at {url}"
            progress(done[-1])
            courses.append(
                {
                    "language": item.language,
                    "idnumber": number,
                    "url": url,
                    "action": action,
                    **{
                        key: field(answer, key, int, what)
                        for key in ("courseid", "quizzes", "activities", "course_competencies", "activity_competencies")
                    },
                    "warnings": [str(w) for w in field(answer, "warnings", list, what, [])],
                }
            )
        return {"frameworks": framework_records, "courses": courses}
    except PublishError as exc:
        exc.done = done + exc.done
        raise
