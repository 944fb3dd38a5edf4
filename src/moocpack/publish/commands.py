"""`moocpack publish moodle|openedx` and `moocpack moodle-plugin`.

Exit status as for build: 0 published; 2 the course has errors, a package is missing, or the
LMS refused or failed (what had already changed on it is listed); 3 an internal error; 64 the
command was used wrongly (no token, both --token and --token-file …).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import click

from .. import archive
from ..builder import BuildError, OutputError
from ..exporter import ExportOptions
from ..console import (
    EXIT_ERRORS,
    EXIT_INTERNAL,
    EXIT_OK,
    Progress,
    choose_exporters,
    course_paths,
    parse_settings,
    print_problems,
)
from ..problems import CourseError, Report, envelope
from . import moodle as moodle_target
from . import openedx as openedx_target
from .http import Http, PublishError, hide, hide_all, require_secure
from .packages import prepare
from .plugin import plugin_version, plugin_zip


def common(function):
    """The options every target shares."""
    options = [
        click.argument("course", required=False, type=click.Path(file_okay=False)),
        click.option(
            "-l",
            "--lang",
            "languages",
            multiple=True,
            metavar="L",
            help="Language to publish (repeatable); default every language the build packages.",
        ),
        click.option(
            "--from",
            "from_dir",
            type=click.Path(file_okay=False, exists=True),
            metavar="DIR",
            help="Send the packages already built in DIR (e.g. dist/) instead of building them now.",
        ),
        click.option(
            "--set",
            "settings",
            multiple=True,
            metavar="KEY=VALUE",
            help="A setting of the format, as for build (e.g. --set olx_org=PAT).",
        ),
        click.option(
            "--update",
            is_flag=True,
            help="Replace the content of courses already published (learners and enrolments stay) and "
            "update the frameworks; without it an existing course is an error.",
        ),
        click.option("--dry-run", is_flag=True, help="Build and connect, then say what would be sent; change nothing."),
        click.option(
            "--ca-bundle",
            type=click.Path(dir_okay=False, exists=True),
            metavar="FILE",
            help="Certificate authorities to trust for a site with a private certificate (TLS is always verified).",
        ),
        click.option(
            "--timeout",
            type=click.FloatRange(min=1),
            default=60,
            show_default=True,
            metavar="S",
            help="Seconds to wait for each answer (uploads and restores get more).",
        ),
        click.option(
            "--retries",
            type=click.IntRange(min=0, max=10),
            default=4,
            show_default=True,
            help="Further attempts after a failed connection or a server error, 0.5 s, 1 s, 2 s … apart.",
        ),
        click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON on standard output."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


SECRET_FILE_LIMIT = 64 * 1024  # a token is tens of bytes, a JWT a few kB


def read_secret(value: str | None, file: str | None, name: str, env: str) -> str:
    """The secret from its option or environment variable, or from a file. Giving both, or
    neither, is a usage error (64); a file that cannot hold a secret is a PublishError (2)."""
    if value and file:
        raise click.UsageError(f"give the {name} once: {env} (or its option) or the file, not both")
    secret = read_secret_file(file, name) if file else (value or "").strip()
    if not secret:
        raise click.UsageError(f"no {name}: set {env}, or give a file that holds it")
    return secret


def read_secret_file(file: str, name: str) -> str:
    """A regular file of at most SECRET_FILE_LIMIT bytes of UTF-8 text: a device (/dev/zero), a
    pipe or a folder would never end or mean nothing."""
    import stat

    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer before we can see what it is.
        fd = os.open(file, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise PublishError(f"{file}: cannot read the {name} file ({exc.strerror})", code="secret-file") from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise PublishError(f"{file}: the {name} file is not a regular file", code="secret-file")
        data = handle.read(SECRET_FILE_LIMIT + 1)
    if len(data) > SECRET_FILE_LIMIT:
        raise PublishError(
            f"{file}: the {name} file is larger than {SECRET_FILE_LIMIT // 1024} KiB; it should hold only the secret",
            code="secret-file",
        )
    try:
        return data.decode("utf-8-sig").strip()
    except UnicodeDecodeError as exc:
        raise PublishError(
            f"{file}: the {name} file is not UTF-8 text (byte {exc.start})", code="secret-file"
        ) from None


def _refuse(format_name: str, exc: PublishError, as_json: bool, course: str | None) -> None:
    """Stop before anything is built or sent (a bad address, an unreadable secret file): exit 2,
    with the --json envelope for scripts."""
    report = Report(Path(course or "."))
    report.error(str(course or "."), str(exc), code=f"publish.{format_name}.{exc.code or 'failed'}")
    if as_json:
        click.echo(
            json.dumps(envelope([report], ok=False, frameworks=[], published=[], done=[]), ensure_ascii=False, indent=2)
        )
    else:
        click.echo(f"moocpack: not published: {exc}", err=True)
    sys.exit(EXIT_ERRORS)


@click.group(name="publish")
def publish():
    """Put a course into a running LMS over its web API: build (or take --from DIR), upload,
    import, and print each language's course address.

    \b
      moocpack publish moodle course/peer-support --url https://lms.example --category 3
      moocpack publish openedx --studio https://studio.example --lms https://lms.example
    Secrets come from the environment (MOODLE_TOKEN, OPENEDX_CLIENT_SECRET) or a file, and are
    never printed. The README's "Publishing" section tells admins how to set the sites up.
    """


@publish.command(name="moodle")
@common
@click.option(
    "--url",
    envvar="MOODLE_URL",
    required=True,
    metavar="URL",
    show_envvar=True,
    help="The Moodle site's address (its wwwroot).",
)
@click.option(
    "--token",
    envvar="MOODLE_TOKEN",
    metavar="TOKEN",
    show_envvar=True,
    help="Web-service token of the 'moocpack publishing' service (better from the environment).",
)
@click.option(
    "--token-file", type=click.Path(dir_okay=False, exists=True), metavar="FILE", help="A file holding the token."
)
@click.option(
    "--category",
    type=click.IntRange(min=1),
    metavar="ID",
    help="Course category id for new courses (needed unless every course exists and --update is given).",
)
def publish_moodle(
    course,
    languages,
    from_dir,
    settings,
    update,
    dry_run,
    ca_bundle,
    timeout,
    retries,
    as_json,
    url,
    token,
    token_file,
    category,
):
    """Publish to Moodle (needs the moocpack plugin: moocpack moodle-plugin).

    Imports each competency framework first, then restores each language's backup as a course
    with idnumber moocpack:<course>:<language>; with --update, over the course already there.
    """
    try:
        url = require_secure(url, "--url")
        secret = read_secret(token, token_file, "Moodle token", "MOODLE_TOKEN")
    except PublishError as exc:
        _refuse("moodle", exc, as_json, course)

    def send(items, sides, http, progress, exporter, settings):
        site = moodle_target.Moodle(url, secret, http)
        frameworks = {
            name[len("competences-") : -len(".csv")]: path
            for name, path in sides.items()
            if name.startswith("competences-") and name.endswith(".csv")
        }
        return moodle_target.publish(site, items, frameworks, category, update, progress, dry_run)

    _run(
        "moodle", course, languages, from_dir, settings, ca_bundle, timeout, retries, as_json, (secret,), send, dry_run
    )


@publish.command(name="openedx")
@common
@click.option(
    "--studio",
    envvar="OPENEDX_STUDIO_URL",
    required=True,
    metavar="URL",
    show_envvar=True,
    help="Studio's address (the CMS).",
)
@click.option(
    "--lms",
    envvar="OPENEDX_LMS_URL",
    required=True,
    metavar="URL",
    show_envvar=True,
    help="The LMS's address, whose /oauth2/access_token issues the JWT.",
)
@click.option(
    "--client-id",
    envvar="OPENEDX_CLIENT_ID",
    required=True,
    show_envvar=True,
    help="OAuth2 application (client credentials) id.",
)
@click.option(
    "--client-secret",
    envvar="OPENEDX_CLIENT_SECRET",
    show_envvar=True,
    help="Its secret (better from the environment).",
)
@click.option(
    "--client-secret-file",
    type=click.Path(dir_okay=False, exists=True),
    metavar="FILE",
    help="A file holding the secret.",
)
@click.option(
    "--wait",
    type=click.FloatRange(min=1),
    default=1800,
    show_default=True,
    metavar="S",
    help="Longest wait for one course import to finish.",
)
def publish_openedx(
    course,
    languages,
    from_dir,
    settings,
    update,
    dry_run,
    ca_bundle,
    timeout,
    retries,
    as_json,
    studio,
    lms,
    client_id,
    client_secret,
    client_secret_file,
    wait,
):
    """Publish to Open edX: taxonomies through the tagging API, then each language's course
    through Studio's import API (course runs made when missing)."""
    try:
        studio = require_secure(studio, "--studio")
        lms = require_secure(lms, "--lms")
        secret = read_secret(client_secret, client_secret_file, "client secret", "OPENEDX_CLIENT_SECRET")
    except PublishError as exc:
        _refuse("olx", exc, as_json, course)

    def send(items, sides, http, progress, exporter, settings):
        target = openedx_target.Studio(studio, lms, client_id, secret, http, wait=wait)
        # The course keys the OLX exporter wrote into each package, with the same --set values.
        options = ExportOptions(settings=settings)
        keys = {item.language: exporter.key_and_essays(item.course, options)[:3] for item in items}
        taxonomies = {
            name[len("taxonomy-") : -len(".csv")]: path
            for name, path in sides.items()
            if name.startswith("taxonomy-") and name.endswith(".csv")
        }
        return openedx_target.publish(target, items, taxonomies, keys, update, progress, dry_run)

    _run("olx", course, languages, from_dir, settings, ca_bundle, timeout, retries, as_json, (secret,), send, dry_run)


def _run(
    format_name,
    course,
    languages,
    from_dir,
    settings,
    ca_bundle,
    timeout,
    retries,
    as_json,
    secrets,
    send,
    dry_run=False,
):
    exporters = choose_exporters((format_name,))
    parsed = parse_settings(settings, exporters)
    # Every secret, including one learnt on the way (Open edX's JWT), is masked in everything
    # printed: servers echo them back in messages, names and addresses.
    known = list(secrets)

    def mask(text: str) -> str:
        return hide(text, known)

    # A dry run's steps are its answer: shown on any stream (to stderr; stdout keeps the summary).
    progress = Progress(not as_json and (dry_run or sys.stderr.isatty()), mask=mask)
    status, reports, published, frameworks, done = EXIT_OK, [], [], [], []
    for path in course_paths(course):
        report = Report(path)
        reports.append(report)
        with tempfile.TemporaryDirectory(prefix="moocpack-publish-") as work:
            try:
                progress(
                    f"{'taking packages from ' + str(from_dir) if from_dir else 'building'} ({path})", transient=True
                )
                items, sides = prepare(
                    path,
                    format_name,
                    exporters[format_name],
                    list(languages) or None,
                    parsed,
                    report,
                    Path(work),
                    Path(from_dir) if from_dir else None,
                    jobs=os.cpu_count() or 1,
                )
                http = Http(secrets=known, ca_bundle=ca_bundle, timeout=timeout, retries=retries)
                result = send(items, sides, http, progress, exporters[format_name], parsed)
                published.extend({"course": str(path), **c} for c in result["courses"])
                frameworks.extend({"course": str(path), **f} for f in result["frameworks"])
            except CourseError:
                if not as_json:
                    print_problems(report, False, sys.stderr)
                    click.echo(f"{path}: not published: the course has errors; nothing was sent", err=True)
                status = max(status, EXIT_ERRORS)
            except PublishError as exc:
                progress.close()
                code = getattr(exc, "code", "") or "failed"
                report.error(str(path), mask(str(exc)), code=f"publish.{format_name}.{code}")
                done.extend(mask(entry) for entry in exc.done)
                if not as_json:
                    click.echo(f"{path}: not published: {mask(str(exc))}", err=True)
                    click.echo(
                        "already done on the server: "
                        + ("; ".join(mask(d) for d in exc.done) if exc.done else "nothing"),
                        err=True,
                    )
                status = max(status, EXIT_ERRORS)
            except (OutputError, archive.WriteError) as exc:
                report.error(str(path), str(exc), code="publish.output")
                click.echo(f"{path}: not published: {exc}", err=True) if not as_json else None
                status = max(status, EXIT_ERRORS)
            except BuildError as exc:
                report.error(str(path), f"internal error: {exc}", code="build.internal")
                click.echo(f"{path}: internal error: {exc}", err=True) if not as_json else None
                status = max(status, EXIT_INTERNAL)
            finally:
                progress.close()
    if as_json:
        click.echo(
            json.dumps(
                hide_all(
                    envelope(reports, ok=status == EXIT_OK, frameworks=frameworks, published=published, done=done),
                    known,
                ),
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        for entry in frameworks:
            counts = (
                f" ({entry['competencies']} competencies, {entry['created']} new, {entry['updated']} changed)"
                if "competencies" in entry
                else ""
            )
            click.echo(mask(f"framework {entry.get('idnumber') or entry.get('export_id')}: {entry['action']}{counts}"))
        for entry in published:
            click.echo(mask(f"{entry['language']:<5} {entry['action']:<15} {entry.get('url') or ''}"))
    sys.exit(status)


@click.command(name="moodle-plugin")
@click.option(
    "-o",
    "--out",
    default="local_moocpack.zip",
    show_default=True,
    type=click.Path(),
    help="Where to write the plugin's zip.",
)
def moodle_plugin(out):
    """Write the Moodle plugin that `publish moodle` needs, as a zip for Site administration >
    Plugins > Install plugins (or unzip it into the site's local/ folder and upgrade)."""
    data = plugin_zip(archive.epoch_for("2026-01-01"))
    archive.write_atomic(Path(out), data)
    click.echo(
        f"{out}: local_moocpack {plugin_version()} ({len(data):,} bytes); install it, then follow the "
        "README's Publishing section to make a token"
    )
