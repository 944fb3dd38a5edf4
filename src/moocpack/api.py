"""moocpack as a library: what the commands do, callable from Python without click.

    import moocpack
    report = moocpack.validate("course/peer-support")          # every problem, nothing raised
    built = moocpack.build("course/peer-support", out="dist", formats=["html", "cc"], languages=["nb"])
    moocpack.new("my-course", languages=["en", "fr"])

`build` raises `CourseError` (its `.report` holds every problem) when the course has errors, and
writes nothing then; `ValueError` for an unknown format or a bad setting.
"""

from __future__ import annotations

from pathlib import Path

from .builder import Built
from .problems import CourseError, Report

__all__ = ["validate", "build", "new", "formats", "CourseError", "Report", "Built"]


def validate(course: str | Path, languages=(), allow_remote_media: bool = False) -> Report:
    """Check a course folder, and report what each language misses; the report lists every
    problem (`report.errors`, `report.warnings`)."""
    from . import loader

    course = Path(course)
    report = Report(course)
    checked = loader.check(course, report, allow_remote_media)
    if checked is not None:
        for language in dict.fromkeys([*checked.languages, *languages]):
            if language in checked.languages:
                loader.report_translation(course, language, report, checked)
    return report


def formats() -> list[str]:
    """The export formats installed (the `moocpack.exporters` entry-point group)."""
    from .exporter import registry

    return [name for name, found in registry().items() if found.exporter is not None]


def build(
    course: str | Path,
    out: str | Path = "dist",
    formats: list[str] | None = None,
    languages: list[str] | None = None,
    settings: dict | None = None,
    jobs: int = 1,
    allow_remote_media: bool = False,
) -> list[Built]:
    """Build packages into `out`: every format and language by default. `settings` are the
    formats' options by name (`{"cc_version": "1.1"}`), as values or as the text `--set` takes."""
    from .builder import build as run
    from .exporter import registry

    available = registry()
    chosen = {}
    for name in formats or [n for n, found in available.items() if found.exporter is not None]:
        found = available.get(name)
        if found is None or found.exporter is None:
            raise ValueError(f"unknown or broken format '{name}'; installed: {', '.join(available)}")
        chosen[name] = found.exporter
    declared = {s.name: s for exporter in chosen.values() for s in exporter.settings}
    parsed = {}
    for key, value in (settings or {}).items():
        if key not in declared:
            raise ValueError(f"no format chosen takes the setting '{key}'")
        parsed[key] = declared[key].parse(value) if isinstance(value, str) else value
    course = Path(course)
    report = Report(course)
    return run(course, chosen, languages, Path(out), report, parsed, allow_remote_media=allow_remote_media, jobs=jobs)


def new(path: str | Path, languages=("en",), framework: str | Path | None = None) -> list[Path]:
    """Start a course at `path` (see `moocpack new`); the files written."""
    from .scaffold import new_course

    return new_course(Path(path), tuple(languages), Path(framework) if framework else None)
