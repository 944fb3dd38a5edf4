"""Publishing as a library call: build a course (or take its built packages), send them to one
LMS, and say what became of each course folder. `moocpack.publish(...)` is this; the command
line (commands.py) reads options and secrets, then prints what it returns.

Every text it returns or passes to `progress` has the secrets masked, a secret learnt on the way
(Open edX's JWT) included: servers echo them back in messages, names and addresses.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..builder import BuildError, OutputError
from ..exporter import ExportOptions, Exporter, choose, parse_settings
from ..problems import CourseError, Report
from .. import archive
from . import moodle as moodle_target
from . import openedx as openedx_target
from .http import Http, PublishError, hide, hide_all, require_secure
from .packages import prepare

# The platforms publish knows, each with the format whose packages it sends.
TARGETS = {"moodle": "moodle", "openedx": "olx"}


@dataclass
class Published:
    """What publishing one course folder did. `error` is empty when every language was
    published; else why not, with `done` listing what had already changed on the server."""

    course: Path
    report: Report
    courses: list[dict] = field(default_factory=list)  # language, action, course id, url …
    frameworks: list[dict] = field(default_factory=list)  # competency frameworks or taxonomies
    done: list[str] = field(default_factory=list)
    error: str = ""
    # Whose the error is: "course" (its problems are in `report`), "publish" (the server refused
    # or failed), "output" (a package could not be written or read) or "internal" (moocpack's).
    failure: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def publish(
    courses: Sequence[str | Path] | str | Path,
    target: str,
    *,
    languages: list[str] | None = None,
    from_dir: str | Path | None = None,
    settings: dict | None = None,
    update: bool = False,
    dry_run: bool = False,
    ca_bundle: str | None = None,
    timeout: float = 60,
    retries: int = 4,
    progress: Callable[..., None] | None = None,
    **site,
) -> list[Published]:
    """Publish each course folder to `target` ("moodle" or "openedx"), whose site is given by
    keyword: Moodle `url`, `token`, `category` (a category id for new courses); Open edX `studio`,
    `lms`, `client_id`, `client_secret`, `wait` (longest wait for an import, seconds).

    Raises PublishError before anything is built or sent for an address that is not HTTPS (or
    loopback), and ValueError for an unknown target, site field or setting. Problems of a
    course, a refusal or a failure of the server are in that folder's `Published`."""
    if target not in TARGETS:
        raise ValueError(f"unknown publishing target '{target}'; known: {', '.join(TARGETS)}")
    format_name = TARGETS[target]
    known = _SITE_FIELDS[target]
    unknown = set(site) - set(known)
    if unknown:
        raise ValueError(f"{target} takes {', '.join(known)}; not {', '.join(sorted(unknown))}")
    site = {name: site.get(name, default) for name, default in known.items()}
    secrets = [secret for secret in (site.get("token"), site.get("client_secret")) if secret]
    if not secrets:
        raise PublishError(f"no {'token' if target == 'moodle' else 'client secret'} for {target}", code="secret")
    for name in ("url", "studio", "lms"):
        if name in site:
            site[name] = require_secure(site[name], f"--{name}")
    chosen = choose([format_name])
    exporter = chosen[format_name]
    parsed = parse_settings(settings or {}, chosen)

    def mask(text: str) -> str:
        return hide(text, secrets)  # `secrets` grows when Http learns one

    def say(message: str, transient: bool = False) -> None:
        if progress is not None:
            progress(mask(message), transient)

    send = _moodle if target == "moodle" else _openedx
    paths = [Path(courses)] if isinstance(courses, (str, Path)) else [Path(c) for c in courses]
    results = []
    for path in paths:
        result = Published(course=path, report=Report(path))
        results.append(result)
        with tempfile.TemporaryDirectory(prefix="moocpack-publish-") as work:
            try:
                say(f"{'taking packages from ' + str(from_dir) if from_dir else 'building'} ({path})", transient=True)
                items, sides = prepare(
                    path,
                    format_name,
                    exporter,
                    list(languages or []) or None,
                    parsed,
                    result.report,
                    Path(work),
                    Path(from_dir) if from_dir else None,
                    jobs=os.cpu_count() or 1,
                )
                http = Http(secrets=secrets, ca_bundle=ca_bundle, timeout=timeout, retries=retries)
                sent = send(site, items, sides, http, say, exporter, parsed, update, dry_run)
                result.courses = hide_all(sent["courses"], secrets)
                result.frameworks = hide_all(sent["frameworks"], secrets)
            except CourseError:
                result.error, result.failure = "the course has errors; nothing was sent", "course"
            except PublishError as exc:
                result.error, result.failure = mask(str(exc)), "publish"
                result.done = [mask(entry) for entry in exc.done]
                result.report.error(str(path), result.error, code=f"publish.{format_name}.{exc.code or 'failed'}")
            except (OutputError, archive.WriteError) as exc:
                result.error, result.failure = str(exc), "output"
                result.report.error(str(path), result.error, code="publish.output")
            except BuildError as exc:
                result.error, result.failure = f"internal error: {exc}", "internal"
                result.report.error(str(path), result.error, code="build.internal")
    return results


# What each target's site is made of, with the defaults of those that have one.
_SITE_FIELDS: dict[str, dict] = {
    "moodle": {"url": None, "token": None, "category": None},
    "openedx": {"studio": None, "lms": None, "client_id": None, "client_secret": None, "wait": 1800.0},
}


def _side_files(sides: dict[str, Path], prefix: str) -> dict[str, Path]:
    """The framework files the build wrote beside the packages (`<prefix><framework>.csv`)."""
    return {
        name[len(prefix) : -len(".csv")]: path
        for name, path in sides.items()
        if name.startswith(prefix) and name.endswith(".csv")
    }


def _moodle(site, items, sides, http, say, exporter: Exporter, settings, update, dry_run) -> dict:
    moodle = moodle_target.Moodle(site["url"], site["token"], http)
    frameworks = _side_files(sides, "competences-")
    return moodle_target.publish(moodle, items, frameworks, site["category"], update, say, dry_run)


def _openedx(site, items, sides, http, say, exporter: Exporter, settings, update, dry_run) -> dict:
    studio = openedx_target.Studio(
        site["studio"], site["lms"], site["client_id"], site["client_secret"], http, wait=site["wait"]
    )
    # The course keys the OLX exporter wrote into each package, with the same settings.
    options = ExportOptions(settings=settings)
    keys = {item.language: exporter.key_and_essays(item.course, options)[:3] for item in items}  # type: ignore[attr-defined]
    return openedx_target.publish(studio, items, _side_files(sides, "taxonomy-"), keys, update, say, dry_run)
