"""Problems found in a course folder, collected so that all of them are reported at once."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    column: int
    severity: str
    message: str
    pointer: str = ""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        tail = f" [{self.pointer}]" if self.pointer else ""
        return f"{where}: {self.severity}: {self.message}{tail}"


@dataclass
class Report:
    """Collects problems; positions come from the YAML documents the report was given."""

    root: Path
    problems: list[Problem] = field(default_factory=list)

    def add(self, severity: str, file: str | Path, message: str, pointer: str = "",
            position: tuple[int, int] | None = None) -> None:
        line, column = position or (1, 1)  # a problem of the whole file points at its start
        self.problems.append(Problem(self.relative(file), line, column, severity, message, pointer))

    def error(self, file, message, pointer="", position=None) -> None:
        self.add(ERROR, file, message, pointer, position)

    def warning(self, file, message, pointer="", position=None) -> None:
        self.add(WARNING, file, message, pointer, position)

    def relative(self, file: str | Path) -> str:
        path = Path(file)
        if path.is_absolute():
            try:
                return str(path.relative_to(Path.cwd()))
            except ValueError:
                return str(path)
        return str(path)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.sorted() if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.sorted() if p.severity == WARNING]

    def sorted(self) -> list[Problem]:
        return sorted(set(self.problems), key=lambda p: (p.file, p.line, p.column, p.pointer, p.message))

    def as_json(self) -> str:
        return json.dumps({"errors": len(self.errors), "warnings": len(self.warnings),
                           "problems": [asdict(p) for p in self.sorted()]},
                          ensure_ascii=False, indent=2)


class CourseError(Exception):
    """Raised when a course cannot be loaded; carries the full report."""

    def __init__(self, report: Report):
        super().__init__(f"{len(report.errors)} error(s) in {report.root}")
        self.report = report
