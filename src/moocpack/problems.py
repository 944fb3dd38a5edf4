"""Problems found in a course folder, collected so that all of them are reported at once."""

from __future__ import annotations

import json
import os
import operator
from dataclasses import dataclass, field, fields as dataclass_fields
from functools import lru_cache
from pathlib import Path

ERROR = "error"
WARNING = "warning"


# Stable codes for problems that scripts and the summary lines act on (never match message text).
MISSING_TRANSLATION = "translation.missing"
STALE_TRANSLATION = "translation.stale"


# Not frozen (a frozen dataclass sets each field through object.__setattr__, and a large course
# has tens of thousands of problems), yet hashable: nothing changes a problem once made.
@dataclass(order=True, slots=True, unsafe_hash=True)
class Problem:
    file: str
    line: int
    column: int
    severity: str
    message: str
    pointer: str = ""
    code: str = ""
    language: str = ""  # the translation a problem is about, if any

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        tail = f" [{self.pointer}]" if self.pointer else ""
        return f"{where}: {self.severity}: {self.message}{tail}"


@dataclass
class Report:
    """Collects problems; positions come from the YAML documents the report was given."""

    root: Path
    problems: list[Problem] = field(default_factory=list)
    # Problems name files relative to where the command runs (a large course has tens of
    # thousands of problems: the directory is asked once).
    cwd: str = field(default_factory=os.getcwd, repr=False, compare=False)
    # The problems in order, kept until more are added: a command asks for the errors, then the
    # warnings, of tens of thousands of problems (problems are only ever added).
    _sorted: tuple[int, list[Problem]] = field(default=(-1, []), init=False, repr=False, compare=False)

    def add(
        self,
        severity: str,
        file: str | Path,
        message: str,
        pointer: str = "",
        position: tuple[int, int] | None = None,
        code: str = "",
        language: str = "",
    ) -> None:
        line, column = position or (1, 1)  # a problem of the whole file points at its start
        self.problems.append(Problem(self.relative(file), line, column, severity, message, pointer, code, language))

    def error(self, file, message, pointer="", position=None, code="", language="") -> None:
        self.add(ERROR, file, message, pointer, position, code, language)

    def warning(self, file, message, pointer="", position=None, code="", language="") -> None:
        self.add(WARNING, file, message, pointer, position, code, language)

    def warnings_at(self, file: str | Path, message: str, places, code: str = "", language: str = "") -> None:
        """One warning at many places of one file, each place (pointer, position): a large
        course's missing translations are tens of thousands, a few dozen per file."""
        file = self.relative(file)
        self.problems.extend(
            Problem(file, (position or (1, 1))[0], (position or (1, 1))[1], WARNING, message, pointer, code, language)
            for pointer, position in places
        )

    def untranslated(self, language: str | None = None) -> list[Problem]:
        """Strings shown in the source language because no translation exists (per language)."""
        return [p for p in self.problems if p.code == MISSING_TRANSLATION and language in (None, p.language)]

    def relative(self, file: str | Path) -> str:
        return _relative(str(file), self.cwd)  # a str: a Path per problem costs more than the rest

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.sorted() if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.sorted() if p.severity == WARNING]

    def sorted(self) -> list[Problem]:
        count, in_order = self._sorted
        if count != len(self.problems):
            # By place, then message; the whole problem as its key drops the same problem
            # reported twice, and decides ties the same way on every run.
            unique = dict(zip(map(_ORDER, self.problems), self.problems))
            in_order = [unique[key] for key in sorted(unique)]
            self._sorted = (len(self.problems), in_order)
        return list(in_order)

    def as_json(self) -> str:
        return json.dumps(envelope([self]), ensure_ascii=False, indent=2)


def envelope(reports: list[Report], ok: bool = True, **fields) -> dict:
    """The one shape of every command's --json output (schemas/cli-output.schema.json): ok,
    counts as the text summary gives them (untranslated strings apart), every problem with its
    code, then the command's own fields."""
    problems = [p for report in reports for p in report.sorted()]
    tally = counts(problems)
    return {
        "ok": ok and tally["errors"] == 0,
        **tally,
        "problems": [
            {key: value for key, value in zip(_FIELDS, _VALUES(p)) if value != "" or key in REQUIRED} for p in problems
        ],
        **fields,
    }


def counts(problems: list[Problem]) -> dict[str, int]:
    """Errors, warnings and untranslated strings, as every summary gives them (untranslated
    strings apart from the other warnings)."""
    untranslated = sum(1 for p in problems if p.code == MISSING_TRANSLATION)
    return {
        "errors": sum(1 for p in problems if p.severity == ERROR),
        "warnings": sum(1 for p in problems if p.severity == WARNING) - untranslated,
        "untranslated": untranslated,
    }


REQUIRED = ("code", "severity", "file", "line", "column", "message")
# A problem's fields by name (dataclasses.asdict copies each value deeply: seconds for a large
# course's tens of thousands of problems).
_FIELDS = tuple(f.name for f in dataclass_fields(Problem))
_VALUES = operator.attrgetter(*_FIELDS)
_ORDER = operator.attrgetter("file", "line", "column", "pointer", "message", "severity", "code", "language")


class CourseError(Exception):
    """Raised when a course cannot be loaded; carries the full report."""

    def __init__(self, report: Report):
        super().__init__(f"{len(report.errors)} error(s) in {report.root}")
        self.report = report


@lru_cache(maxsize=4096)
def _relative(file: str, cwd: str) -> str:
    """A problem's file as the user would type it (a large course reports thousands per file)."""
    path = Path(file)
    if path.is_absolute():
        try:
            return str(path.relative_to(cwd))
        except ValueError:
            return str(path)
    return str(path)
