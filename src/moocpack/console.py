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
        click.echo(f"{report.root}: note: {len(problems)} string(s) not translated into '{lang}' yet; they show in "
                   f"the source language (--verbose, or moocpack l10n status --lang {lang} --list, lists them)",
                   file=stream)


def finish(report: Report, strict: bool) -> int:
    if report.errors:
        return EXIT_ERRORS
    if strict and report.warnings:
        return EXIT_WARNINGS
    return EXIT_OK
