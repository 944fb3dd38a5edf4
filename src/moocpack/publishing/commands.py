"""`moocpack publish moodle|openedx` and `moocpack moodle-plugin`.

Exit status as for build: 0 published; 2 the course has errors, a package is missing, or the
LMS refused or failed (what had already changed on it is listed); 3 an internal error; 64 the
command was used wrongly (no token, both --token and --token-file …).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from .. import archive
from ..console import (
    EXIT_ERRORS,
    EXIT_INTERNAL,
    EXIT_OK,
    Progress,
    choose_exporters,
    course_paths,
    languages_option,
    out_option,
    parse_settings,
    print_problems,
)
from ..problems import Report, envelope
from .http import PublishError, require_secure
from .plugin import plugin_version, plugin_zip
from . import run


def seconds(name: str, default: float, help: str):
    """A time limit in seconds, at least one."""
    return click.option(name, type=click.FloatRange(min=1), default=default, show_default=True, metavar="S", help=help)


FOLDER = click.Path(file_okay=False, exists=True)
FILE = click.Path(dir_okay=False, exists=True)


def common(function):
    """The options every target shares."""
    options = [
        click.argument("course", required=False, type=click.Path(file_okay=False)),
        languages_option("Language to publish (repeatable); default every language the build packages."),
        click.option(
            "--from",
            "from_dir",
            type=FOLDER,
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
            type=FILE,
            metavar="FILE",
            help="Certificate authorities to trust for a site with a private certificate (TLS is always verified).",
        ),
        seconds("--timeout", 60, "Seconds to wait for each answer (uploads and restores get more)."),
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


def address(name: str, env: str, help: str):
    """A site's address: required, from the option or the environment."""
    return click.option(name, envvar=env, required=True, metavar="URL", show_envvar=True, help=help)


def secret(name: str, env: str, help: str, what: str):
    """A secret, from the environment (better: not in the shell's history) or its option, and
    NAME-file to read it from a file instead."""
    value = click.option(
        name, envvar=env, metavar=what.upper(), show_envvar=True, help=f"{help} (better from the environment)."
    )
    file = click.option(f"{name}-file", type=FILE, metavar="FILE", help=f"A file holding the {what}.")
    return lambda function: value(file(function))


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
@address("--url", "MOODLE_URL", "The Moodle site's address (its wwwroot).")
@secret("--token", "MOODLE_TOKEN", "Web-service token of the 'moocpack publishing' service", "token")
@click.option(
    "--category",
    type=click.IntRange(min=1),
    metavar="ID",
    help="Course category id for new courses (needed unless every course exists and --update is given).",
)
def publish_moodle(url, token, token_file, category, **common):
    """Publish to Moodle (needs the moocpack plugin: moocpack moodle-plugin).

    Imports each competency framework first, then restores each language's backup as a course
    with idnumber moocpack:<course>:<language>; with --update, over the course already there.
    """
    try:
        require_secure(url, "--url")  # a plain-http address is refused before a secret is even read
        secret = read_secret(token, token_file, "Moodle token", "MOODLE_TOKEN")
    except PublishError as exc:
        _refuse("moodle", exc, common["as_json"], common["course"])
    _publish("moodle", common, url=url, token=secret, category=category)


@publish.command(name="openedx")
@common
@address("--studio", "OPENEDX_STUDIO_URL", "Studio's address (the CMS).")
@address("--lms", "OPENEDX_LMS_URL", "The LMS's address, whose /oauth2/access_token issues the JWT.")
@click.option(
    "--client-id",
    envvar="OPENEDX_CLIENT_ID",
    required=True,
    show_envvar=True,
    help="OAuth2 application (client credentials) id.",
)
@secret("--client-secret", "OPENEDX_CLIENT_SECRET", "Its secret", "secret")
@seconds("--wait", 1800, "Longest wait for one course import to finish.")
def publish_openedx(studio, lms, client_id, client_secret, client_secret_file, wait, **common):
    """Publish to Open edX: taxonomies through the tagging API, then each language's course
    through Studio's import API (course runs made when missing)."""
    try:
        require_secure(studio, "--studio")
        require_secure(lms, "--lms")
        secret = read_secret(client_secret, client_secret_file, "client secret", "OPENEDX_CLIENT_SECRET")
    except PublishError as exc:
        _refuse("olx", exc, common["as_json"], common["course"])
    _publish("openedx", common, studio=studio, lms=lms, client_id=client_id, client_secret=secret, wait=wait)


def _publish(target: str, common: dict, **site) -> None:
    """Run the library's publish with the command's options, and print what became of each
    course folder (the library masks every secret in what it returns and reports)."""
    format_name = run.TARGETS[target]
    as_json, dry_run = common["as_json"], common["dry_run"]
    exporters = choose_exporters((format_name,))
    pairs = parse_settings(common["settings"], exporters)  # exit 2 for a bad --set, before anything
    # A dry run's steps are its answer: shown on any stream (to stderr; stdout keeps the summary).
    progress = Progress(not as_json and (dry_run or sys.stderr.isatty()))
    try:
        results = run.publish(
            course_paths(common["course"]),
            target,
            languages=list(common["languages"]) or None,
            from_dir=common["from_dir"],
            settings=pairs,
            update=common["update"],
            dry_run=dry_run,
            ca_bundle=common["ca_bundle"],
            timeout=common["timeout"],
            retries=common["retries"],
            progress=progress,
            **site,
        )
    except PublishError as exc:
        _refuse(format_name, exc, as_json, common["course"])
    finally:
        progress.close()
    status = EXIT_OK
    for result in results:
        if result.ok:
            continue
        status = max(status, EXIT_INTERNAL if result.failure == "internal" else EXIT_ERRORS)
        if as_json:
            continue
        if result.failure == "course":
            print_problems(result.report, False, sys.stderr)
        click.echo(f"{result.course}: not published: {result.error}", err=True)
        if result.failure == "publish":
            click.echo("already done on the server: " + ("; ".join(result.done) or "nothing"), err=True)
    published = [{"course": str(r.course), **c} for r in results for c in r.courses]
    frameworks = [{"course": str(r.course), **f} for r in results for f in r.frameworks]
    if as_json:
        reports = [r.report for r in results]
        done = [entry for r in results for entry in r.done]
        summary = envelope(reports, ok=status == EXIT_OK, frameworks=frameworks, published=published, done=done)
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        for entry in frameworks:
            counts = (
                f" ({entry['competencies']} competencies, {entry['created']} new, {entry['updated']} changed)"
                if "competencies" in entry
                else ""
            )
            click.echo(f"framework {entry.get('idnumber') or entry.get('export_id')}: {entry['action']}{counts}")
        for entry in published:
            click.echo(f"{entry['language']:<5} {entry['action']:<15} {entry.get('url') or ''}")
    sys.exit(status)


@click.command(name="moodle-plugin")
@out_option("local_moocpack.zip", "Where to write the plugin's zip.")
def moodle_plugin(out):
    """Write the Moodle plugin that `publish moodle` needs, as a zip for Site administration >
    Plugins > Install plugins (or unzip it into the site's local/ folder and upgrade)."""
    data = plugin_zip(archive.epoch_for("2026-01-01"))
    archive.write_atomic(Path(out), data)
    click.echo(
        f"{out}: local_moocpack {plugin_version()} ({len(data):,} bytes); install it, then follow the "
        "README's Publishing section to make a token"
    )
