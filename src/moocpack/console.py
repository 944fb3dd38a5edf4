"""What every command shares with the person or script running it: where the courses are, how
problems are printed, and the exit statuses.

Exit status, for every command: 0 success; 1 warnings only, with --strict; 2 the course (or
another input: a translation file, the output folder) has errors; 3 an internal error in an
exporter; 64 the command was used wrongly (EX_USAGE of sysexits.h).
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

import click

from .exporter import UnknownSetting, registry
from .exporter import parse_settings as exporter_settings
from .problems import MISSING_TRANSLATION, Report

EXIT_OK, EXIT_WARNINGS, EXIT_ERRORS, EXIT_INTERNAL, EXIT_USAGE = 0, 1, 2, 3, 64


def default_courses() -> list[Path]:
    """With no COURSE: the current folder if it is a course, else every course under ./course/."""
    here = Path(".")
    if any((p / "course.yaml").is_file() for p in here.iterdir() if p.is_dir()):
        return [here]
    shipped = Path("course")
    if shipped.is_dir():
        found = sorted(p for p in shipped.iterdir() if p.is_dir())
        if found:
            return found
    return [here]


def languages_option(help: str):
    """`-l/--lang L`, repeatable, into `languages`: every command that takes languages spells it so."""
    return click.option("-l", "--lang", "languages", multiple=True, metavar="L", help=help)


def out_option(default: str, help: str):
    """`-o/--out PATH`, with its default shown in --help."""
    return click.option("-o", "--out", default=default, show_default=True, type=click.Path(), help=help)


def course_paths(course: str | None) -> list[Path]:
    return [Path(course)] if course else default_courses()


def print_problems(report: Report, verbose: bool, stream=None) -> None:
    """Errors and warnings one per line; untranslated strings in one line per language unless
    verbose (then each with the source string's file:line:column)."""
    stream = stream or sys.stdout
    untranslated: dict[str, set] = defaultdict(set)
    for problem in report.sorted():
        if not verbose and problem.code == MISSING_TRANSLATION:
            untranslated[problem.language].add(problem)
            continue
        click.echo(str(problem), file=stream)
    for lang, problems in sorted(untranslated.items()):
        click.echo(
            f"{report.root}: note: {len(problems)} string(s) not translated into '{lang}' yet; they show in "
            f"the source language (--verbose, or moocpack l10n status --lang {lang} --list, lists them)",
            file=stream,
        )


def finish(report: Report, strict: bool) -> int:
    if report.errors:
        return EXIT_ERRORS
    if strict and report.warnings:
        return EXIT_WARNINGS
    return EXIT_OK


def choose_exporters(formats: tuple[str, ...]) -> dict:
    """The exporters named (default: every one that loads); a usage error for an unknown or broken one."""
    available = registry()
    broken = {name: r.error for name, r in available.items() if r.exporter is None}
    chosen = {}
    for name in formats or [n for n in available if n not in broken]:
        if name not in available:
            raise click.UsageError(
                f"unknown format '{name}'; available: {', '.join(available) or 'none'} (see 'moocpack formats')"
            )
        if name in broken:
            raise click.UsageError(f"format '{name}' is installed but cannot be loaded: {broken[name]}")
        chosen[name] = available[name].exporter
    return chosen


def parse_settings(items: tuple[str, ...], chosen: dict) -> dict:
    """`--set KEY=VALUE` checked against the settings the chosen formats declare, typed. An
    unknown key or a bad value stops before anything is built (exit 2, with a suggestion)."""
    pairs = []
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise click.UsageError(f"--set expects KEY=VALUE, got '{item}'")
        pairs.append((key, value))
    try:
        return exporter_settings(pairs, chosen)
    except UnknownSetting as exc:
        click.echo(f"moocpack: {exc}", err=True)
    except ValueError as exc:
        click.echo(f"moocpack: --set {exc}", err=True)
    sys.exit(EXIT_ERRORS)


class Progress:
    """What is happening now, for a person at a terminal: one line per step, and a line that
    rewrites itself while waiting. Silent for scripts (not a terminal, or --json): the summary
    and the JSON are the record."""

    def __init__(self, enabled: bool, mask=None):
        self.enabled = enabled
        self.transient = False
        self.mask = mask  # publishing: masks secrets in whatever a server put into a message

    def __call__(self, message: str, transient: bool = False) -> None:
        if not self.enabled:
            return
        if self.transient:
            click.echo("\r\033[K", nl=False, err=True)
        click.echo(f"  {self.mask(message) if self.mask else message}", nl=not transient, err=True)
        self.transient = transient

    def close(self) -> None:
        if self.transient and self.enabled:
            click.echo("", err=True)
        self.transient = False
