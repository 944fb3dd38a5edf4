"""The moocpack command line.

Exit status, for every command: 0 success; 1 warnings only, with --strict; 2 the course (or
another input: a translation file, the output folder) has errors, each reported as
file:line:column: message; 3 an internal error in an exporter; 64 the command was used wrongly
(an unknown option or format: EX_USAGE of sysexits.h).
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from collections import Counter
from pathlib import Path

import click
import yaml

from . import __version__, coverage, loader
from .archive import WriteError
from .builder import BuildError, CourseExportError, OutputError, build
from .exporter import registry
from .console import (
    EXIT_ERRORS,
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_USAGE,
    EXIT_WARNINGS,
    Progress,
    choose_exporters,
    course_paths,
    finish,
    languages_option,
    out_option,
    parse_settings,
    print_problems,
)
from .l10n.commands import l10n
from .publishing.commands import moodle_plugin, publish
from .problems import MISSING_TRANSLATION, CourseError, Report, counts, envelope


class Commands(click.Group):
    """click's group with moocpack's exit statuses: usage errors exit 64 (click says 2, which
    here means "the course has errors"), and an unwritable output is an input error, not a crash."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.UsageError as exc:
            exc.show()
            sys.exit(EXIT_USAGE)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("Aborted!", err=True)
            sys.exit(EXIT_WARNINGS)
        except WriteError as exc:
            click.echo(f"moocpack: {exc}", err=True)
            sys.exit(EXIT_ERRORS)
        sys.exit(EXIT_OK)


COURSE = click.argument("course", required=False, type=click.Path(file_okay=False))
JSON = click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON on standard output.")
STRICT = click.option("--strict", is_flag=True, help="Exit with status 1 when there are warnings.")
REMOTE_MEDIA = click.option(
    "--allow-remote-media",
    is_flag=True,
    help="Let images load from the web (a warning, not an error); packages then make outside requests.",
)
VERBOSE = click.option("-v", "--verbose", is_flag=True, help="List every missing translation separately.")


def jobs_option(help: str):
    """`-j/--jobs N`: how many processes; every core by default (workers.py falls back to one
    where processes cannot be forked)."""
    return click.option(
        "-j", "--jobs", type=click.IntRange(min=1), default=lambda: os.cpu_count() or 1, show_default="CPUs", help=help
    )


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="moocpack")
def main():
    """Turn a course written as plain text files into packages that learning platforms import.

    \b
    A course is a folder: course.yaml, units/ and worksheets/ in the source-language folder
    (e.g. en/), one folder per translation (nb/, fr/) and competences/ with the frameworks.
    COURSE defaults to the current folder if it is a course, else every course in ./course/.

    \b
    Typical use:
      moocpack validate course/peer-support     check everything, report all problems
      moocpack build                            every format, every language, into dist/
      moocpack build --format html --lang nb    one package
      moocpack info --json                      units, questions and competence coverage
    """


@main.command()
@COURSE
@STRICT
@JSON
@VERBOSE
@languages_option("Also resolve these languages and report every missing string (repeatable).")
@REMOTE_MEDIA
@jobs_option("Cores a large course's files are read on (1: one after the other). The report is the same.")
def validate(course, strict, as_json, verbose, languages, allow_remote_media, jobs):
    """Check a course folder: YAML syntax, schema, references, translations and unsafe content.

    Every problem is reported at once as FILE:LINE:COLUMN: severity: message [JSON pointer].
    Exit 0 when clean, 1 with --strict if there are warnings, 2 if there are errors.
    """
    status = EXIT_OK
    results, reports = [], []
    shown = Progress(not as_json and sys.stderr.isatty())
    for path in course_paths(course):
        report = Report(path)
        checked = loader.check(path, report, allow_remote_media, progress=lambda m: shown(m, transient=True), jobs=jobs)
        if checked is not None:
            for lang in languages or checked.languages:
                shown(f"checking {path}: language {lang}", transient=True)
                try:
                    loader.report_translation(path, lang, report, checked)
                except CourseError:
                    break
        shown.close()
        status = max(status, finish(report, strict))
        tally = counts(report.sorted())
        if as_json:
            reports.append(report)
            results.append({"course": str(path), **tally})
        else:
            print_problems(report, verbose)
            verdict = "valid" if not tally["errors"] else "invalid"
            click.echo(
                f"{path}: {verdict}: {tally['errors']} error(s), {tally['warnings']} warning(s), "
                f"{tally['untranslated']} untranslated string(s)",
                err=bool(tally["errors"]),
            )
    if as_json:
        click.echo(json.dumps(envelope(reports, courses=results), ensure_ascii=False, indent=2))
    sys.exit(status)


def _human(size: float) -> str:
    for unit in ("B", "KiB", "MiB"):
        if size < 1024:
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GiB"


@main.command(name="build")
@COURSE
@click.option(
    "-f",
    "--format",
    "formats",
    multiple=True,
    metavar="F",
    help="Format to build (repeatable); default every registered format. See 'moocpack formats'.",
)
@languages_option("Language to build (repeatable); default every language of the course.")
@out_option("dist", "Folder the packages are written to (one that cannot be is exit 2, as any unwritable output).")
@click.option(
    "--set",
    "settings",
    multiple=True,
    metavar="KEY=VALUE",
    help="A setting of one format, e.g. --set olx_org=PAT or --set olx.org=PAT (repeatable); "
    "'moocpack formats' lists them.",
)
@STRICT
@JSON
@VERBOSE
@click.option("--debug", is_flag=True, help="Show the Python traceback if an exporter fails.")
@jobs_option(
    "Packages built at the same time, and cores a large course is read on (1: one after the other, "
    "for debugging). Output is the same."
)
@REMOTE_MEDIA
def build_command(course, formats, languages, out, settings, strict, as_json, verbose, debug, jobs, allow_remote_media):
    """Build packages: every format and language by default, named
    <course>-<version>-<lang>-<format>.<ext>, into --out.

    The course is checked first; if it has any error nothing is written. Each package is written
    to a temporary file and renamed only when complete, so a failed build never leaves half a
    package nor replaces a good one. Output is byte-identical for the same input; timestamps come
    from SOURCE_DATE_EPOCH or the course's date.
    """
    chosen = choose_exporters(formats)
    parsed = parse_settings(settings, chosen)
    status = EXIT_OK
    summary, reports, courses = [], [], []
    out_dir = Path(out)
    for path in course_paths(course):
        report = Report(path)
        reports.append(report)
        courses.append({"course": str(path)})

        shown = Progress(not as_json and sys.stderr.isatty())

        def progress(built):
            # Live progress for a person at a terminal; the summary below is the record.
            shown(f"built {built.package.path}  ({_human(built.package.size)}, {built.seconds * 1000:.0f} ms)")

        try:
            results = build(
                path,
                chosen,
                list(languages) or None,
                out_dir,
                report,
                parsed,
                progress,
                allow_remote_media,
                jobs,
                checking=lambda m: shown(m, transient=True),
            )
        except CourseError:
            if not as_json:
                print_problems(report, verbose, sys.stderr)
                click.echo(f"{path}: not built: {len(report.errors)} error(s); nothing was written", err=True)
            status = max(status, EXIT_ERRORS)
            continue
        except OutputError as exc:
            report.error(str(out_dir), str(exc), code="build.output")
            summary.extend((path, b) for b in exc.written)
            done = "".join(f"\n  written: {b.package.path}" for b in exc.written)
            if not as_json:
                click.echo(f"{path}: not built: {exc}{done}", err=True)
            status = max(status, EXIT_ERRORS)
            continue
        except CourseExportError as exc:
            report.error(str(path), str(exc), code="build.export")
            if not as_json:
                click.echo(f"{path}: not built: {exc}", err=True)
            status = max(status, EXIT_ERRORS)
            continue
        except BuildError as exc:
            report.error(str(path), f"internal error: {exc}", code="build.internal")
            if debug:
                details = getattr(exc.cause, "details", None)  # from a worker process: its traceback as text
                click.echo(details, err=True) if details else traceback.print_exception(exc.cause)
            if not as_json:
                click.echo(
                    f"{path}: internal error: {exc}; the package was not written (use --debug for details)", err=True
                )
            status = max(status, EXIT_INTERNAL)
            continue
        if as_json:
            pass
        elif verbose or strict:
            print_problems(report, verbose, sys.stderr)
        else:
            # Missing translations are counted in the summary's fallbacks column instead.
            for problem in report.warnings:
                if problem.code != MISSING_TRANSLATION:
                    click.echo(str(problem), err=True)
        status = max(status, finish(report, strict))
        summary.extend((path, r) for r in results)
    if as_json:
        packages = [
            {
                "course": str(p),
                "format": r.format,
                "language": r.language,
                "path": str(r.package.path),
                "bytes": r.package.size,
                "extra": [str(e) for e in r.package.extra],
                "seconds": round(r.seconds, 4),
                "fallback_strings": r.fallbacks,
            }
            for p, r in summary
        ]
        click.echo(
            json.dumps(
                envelope(reports, ok=status < EXIT_ERRORS, courses=courses, packages=packages),
                ensure_ascii=False,
                indent=2,
            )
        )
    elif summary:
        click.echo("")
        click.echo(f"{'format':<10} {'lang':<6} {'size':>10} {'fallbacks':>10}  package")
        for _, r in summary:
            click.echo(
                f"{r.format:<10} {r.language:<6} {_human(r.package.size):>10} {r.fallbacks:>10}  {r.package.path.name}"
            )
            for extra in r.package.extra:  # side files, e.g. the framework CSVs to import first
                click.echo(f"{'':<10} {'':<6} {_human(extra.stat().st_size):>10} {'':>10}    + {extra.name}")
        sides = sum(len(r.package.extra) for _, r in summary)
        click.echo(f"{len(summary)} package(s)" + (f" and {sides} side file(s)" if sides else "") + f" in {out_dir}/")
        if any(r.fallbacks for _, r in summary):
            click.echo(
                "fallbacks: strings shown in the source language because no translation exists yet "
                "(moocpack validate --verbose lists them)"
            )
    sys.exit(status)


@main.command()
@COURSE
@click.option("-l", "--lang", "language", metavar="L", help="Language to describe (default: the source language).")
@JSON
def info(course, language, as_json):
    """Summarise a course: units, activities, questions by type, competence coverage per framework."""
    status = EXIT_OK
    outputs, reports = [], []
    for path in course_paths(course):
        report = Report(path)
        reports.append(report)
        try:
            model = loader.load(path, language, report)
        except CourseError:
            if not as_json:
                print_problems(report, False, sys.stderr)
            status = EXIT_ERRORS
            continue
        outputs.append({"course": str(path), **describe(model)})
    if as_json:
        click.echo(json.dumps(envelope(reports, courses=outputs), ensure_ascii=False, indent=2))
    else:
        for data in outputs:
            click.echo(render_info(data))
    sys.exit(status)


def describe(course) -> dict:
    questions = course.questions
    frameworks = coverage.as_json(course)
    outcomes = [o for u in course.units for o in u.outcomes]
    return {
        "id": course.id,
        "version": course.version,
        "language": course.language,
        "languages": list(course.languages),
        "title": str(course.title),
        "units": [
            {
                "id": u.id,
                "number": u.number,
                "title": str(u.title),
                "outcomes": len(u.outcomes),
                "activities": len(u.activities),
                "worksheets": len(u.worksheets),
                "cases": len(u.cases),
                "quizzes": len(u.quizzes),
                "questions": len(u.questions),
            }
            for u in course.units
        ],
        "activities": sum(len(u.activities) for u in course.units),
        "questions": len(questions),
        "questions_by_type": dict(sorted(Counter(q.type for q in questions).items())),
        "outcomes": len(outcomes),
        "outcomes_tagged": sum(1 for o in outcomes if o.competences),
        "questions_tagged": sum(1 for q in questions if q.competences),
        "frameworks": frameworks,
    }


def render_info(data: dict) -> str:
    lines = [
        f"{data['title']}  ({data['id']} {data['version']}, {data['language']}; "
        f"languages: {', '.join(data['languages'])})",
        "",
    ]
    lines.append(f"{'unit':<22} {'outcomes':>8} {'activities':>10} {'worksheets':>10} {'questions':>9}  title")
    for u in data["units"]:
        lines.append(
            f"{u['id']:<22} {u['outcomes']:>8} {u['activities']:>10} {u['worksheets']:>10} "
            f"{u['questions']:>9}  {u['title']}"
        )
    lines.append("")
    by_type = ", ".join(f"{t}: {n}" for t, n in data["questions_by_type"].items()) or "none"
    lines.append(f"questions: {data['questions']} ({by_type})")
    lines.append(
        f"tagged with competences: {data['outcomes_tagged']}/{data['outcomes']} outcomes, "
        f"{data['questions_tagged']}/{data['questions']} questions"
    )
    for fw in data["frameworks"]:
        lines.append(
            f"framework {fw['id']}: {fw['categories']} categories, {fw['items']} items, "
            f"{fw['covered']} covered, {fw['items'] - fw['covered']} not covered  ({fw['title']})"
        )
    return "\n".join(lines)


@main.command()
@JSON
def formats(as_json):
    """List the registered export formats (the 'moocpack.exporters' entry-point group) and the
    question kinds plug-ins add (the 'moocpack.question_kinds' group)."""
    from . import kinds

    found = registry()
    question_kinds = kinds.registry()
    broken = [r for r in found.values() if r.exporter is None]
    if as_json:
        report = Report(Path("."))
        for r in broken:
            report.error(
                r.origin, f"format '{r.name}' is installed but cannot be loaded: {r.error}", code="plugin.broken"
            )
        click.echo(
            json.dumps(
                envelope(
                    [report],
                    formats=[
                        {
                            "name": r.name,
                            "extension": r.exporter.extension if r.exporter else None,
                            "description": r.exporter.description if r.exporter else "",
                            "settings": [
                                {
                                    "name": s.name,
                                    "type": s.kind.__name__,
                                    "default": s.default,
                                    "choices": list(s.choices),
                                    "help": s.help,
                                }
                                for s in (r.exporter.settings if r.exporter else ())
                            ],
                            "origin": r.origin,
                            "error": r.error,
                        }
                        for r in found.values()
                    ],
                    question_kinds=[
                        {
                            "name": name,
                            "origin": f"{type(kind).__module__}:{type(kind).__name__}",
                            "formats": [f for f in found if kind.supports(f)],
                        }
                        for name, kind in question_kinds.items()
                    ]
                    + [{"name": name, "error": why} for name, why in kinds.broken().items()],
                ),
                indent=2,
            )
        )
    else:
        for r in found.values():
            if r.exporter:
                click.echo(f"{r.name:<10} .{r.exporter.extension:<7} {r.exporter.description}  [{r.origin}]")
                for setting in r.exporter.settings:
                    default = "" if setting.default in (None, "") else f" (default {setting.default})"
                    choices = f" [{'|'.join(setting.choices)}]" if setting.choices else ""
                    click.echo(
                        f"{'':<11}--set {setting.name}={setting.kind.__name__.upper()}{choices}{default}: "
                        f"{setting.help}"
                    )
            else:
                click.echo(f"{r.name:<10} BROKEN   {r.error}  [{r.origin}]")
        for name, kind in question_kinds.items():
            supported = ", ".join(f for f in found if kind.supports(f))
            click.echo(
                f"question kind {name}: {kind.description or 'a plug-in question kind'} (formats: {supported})"
                f"  [{type(kind).__module__}:{type(kind).__name__}]"
            )
        for name, why in kinds.broken().items():
            click.echo(f"question kind {name}: BROKEN {why}")
    # A plug-in that cannot load is an error of the installation, not a detail of the listing.
    sys.exit(EXIT_INTERNAL if broken else EXIT_OK)


@main.command()
@click.argument("path", type=click.Path(file_okay=False, path_type=Path))
@languages_option("Languages, the source first (repeatable; default en). The others get empty translation files.")
@click.option(
    "--framework",
    default="none",
    show_default=True,
    metavar="none|FILE",
    help="A competence framework file (competences/<id>.yaml format) to tag outcomes and questions "
    "with; 'none' for a course that tags nothing.",
)
def new(path, languages, framework):
    """Start a course: a small valid one (a unit, a page, a worksheet, a quiz) to build on.

    \b
    Its comments teach the format; its files name their JSON Schema for YAML editors (VS Code's
    YAML extension completes fields and shows errors as you type).
    \b
      moocpack new my-course --lang en --lang nb
      moocpack validate my-course && moocpack build my-course
      moocpack serve my-course              a live preview, rebuilt on every save
    """
    from . import scaffold

    languages = tuple(dict.fromkeys(languages or ("en",)))
    source_framework = None if framework == "none" else Path(framework)
    if source_framework is not None and not source_framework.is_file():
        raise click.UsageError(f"--framework: no such file: {framework}")
    try:
        written = scaffold.new_course(path, languages, source_framework)
    except FileExistsError as exc:
        click.echo(f"{exc}", err=True)
        sys.exit(EXIT_ERRORS)
    except (OSError, yaml.YAMLError, KeyError, TypeError) as exc:
        click.echo(f"{path}: cannot create the course: {exc}", err=True)
        sys.exit(EXIT_ERRORS)
    click.echo(f"created {path}/ ({len(written)} files): moocpack validate {path} && moocpack build {path}", err=True)


@main.command()
@COURSE
@click.option("-l", "--lang", "language", metavar="L", help="The language to show (default: the source language).")
@click.option("--guide", is_flag=True, help="Show the facilitator guide instead of the learners' website.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Interface to listen on; the default reaches this computer only.",
)
def serve(course, language, guide, port, host):
    """Preview the website on http://127.0.0.1:8000, rebuilt on every save.

    The open page reloads itself after each build. While the course has errors, the last good
    build stays up with the problems shown over it (file:line:column: message). Stop with Ctrl+C.
    """
    from . import serve as preview_server

    paths = course_paths(course)
    if len(paths) != 1:
        raise click.UsageError("serve shows one course: name its folder")
    try:
        server, preview, stop = preview_server.start(paths[0], language, guide, host, port)
    except OSError as exc:
        click.echo(f"cannot listen on {host}:{port}: {exc.strerror or exc}", err=True)
        sys.exit(EXIT_ERRORS)
    click.echo(
        f"serving {paths[0]} on http://{host}:{server.server_address[1]}/ (built in {preview.seconds:.2f} s; "
        "Ctrl+C stops)",
        err=True,
    )
    for problem in preview.problems:
        click.echo(problem, err=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        stop.set()
        server.shutdown()


main.add_command(l10n)
main.add_command(publish)
main.add_command(moodle_plugin)


def entry() -> None:
    """The `moocpack` command: click's main, with no traceback for anything unexpected."""
    import os

    try:
        main()
    except Exception as exc:  # an unexpected bug must still not greet users with a traceback
        if os.environ.get("MOOCPACK_DEBUG"):
            raise
        click.echo(
            f"moocpack: internal error: {type(exc).__name__}: {exc} "
            "(set MOOCPACK_DEBUG=1 to see the traceback, and please report it)",
            err=True,
        )
        sys.exit(EXIT_INTERNAL)
