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
from .publishing.run import Published
from .problems import CourseError, Report

__all__ = ["validate", "build", "new", "formats", "publish", "CourseError", "Report", "Built", "Published"]


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
    formats' options by name (`{"cc_version": "1.1"}`, or `{"moodle.release": "4.5"}` in the
    format's namespace), as values or as the text `--set` takes."""
    from .builder import build as run
    from .exporter import choose, parse_settings

    chosen = choose(formats)
    parsed = parse_settings(settings or {}, chosen)
    course = Path(course)
    report = Report(course)
    return run(course, chosen, languages, Path(out), report, parsed, allow_remote_media=allow_remote_media, jobs=jobs)


def new(path: str | Path, languages=("en",), framework: str | Path | None = None) -> list[Path]:
    """Start a course at `path` (see `moocpack new`); the files written."""
    from .scaffold import new_course

    return new_course(Path(path), tuple(languages), Path(framework) if framework else None)


def publish(course, target: str, **options) -> list[Published]:
    """Publish a course folder (or a list of them) to "moodle" or "openedx": build its packages
    (or take them from `from_dir`), send them, and return what became of each folder. The site
    and the options are keywords (`url=…, token=…, category=3` for Moodle); see
    `moocpack.publishing.run.publish` and docs/api.md."""
    from .publishing.run import publish as run

    return run(course, target, **options)
