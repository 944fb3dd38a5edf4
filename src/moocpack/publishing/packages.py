"""What a publish sends: the packages of one format for the chosen languages, built now into a
temporary folder or taken from an earlier build (`--from dist/`), plus the framework files the
LMS must import first."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .. import loader
from ..builder import build
from ..exporter import ExportOptions, Exporter
from ..model import Course
from ..problems import CourseError, Report
from . import verify


@dataclass(frozen=True)
class Item:
    language: str  # a course language, or "mul" for a multilingual package
    course: Course  # the model (the source language's for "mul")
    package: Path

    @property
    def course_id(self) -> str:
        return self.course.id


def prepare(
    course_path: Path,
    name: str,
    exporter: Exporter,
    languages: list[str] | None,
    settings: dict,
    report: Report,
    workdir: Path,
    from_dir: Path | None,
    jobs: int = 1,
) -> tuple[list[Item], dict[str, Path]]:
    """Items to publish and side files by name (e.g. competences-pat.csv, written into workdir).
    Raises CourseError (problems in `report`) when the course has errors or a package of --from
    is missing. The course is checked once and each language it needs loaded once."""
    checked = loader.check(course_path, report)
    if checked is None:
        raise CourseError(report)
    if from_dir is None:
        built = build(course_path, {name: exporter}, languages, workdir, report, settings, jobs=jobs, checked=checked)
        folder = workdir
        wanted = [b.language for b in built]
    else:
        folder = Path(from_dir)
        wanted = list(languages or checked.languages)
        if settings.get(f"{name}_multilang") is True:
            wanted.append("mul")
    source_language = checked.source_language
    models = {
        lang: loader.load(course_path, lang, Report(report.root), checked=checked)
        for lang in {source_language, *wanted} & set(checked.languages)
    }
    items = []
    for lang in wanted:
        model = models.get(lang, models[source_language])
        base = exporter.basename(model, lang if lang == "mul" else None)
        package = folder / f"{base}.{exporter.extension}"
        if not package.is_file() and not package.is_symlink():
            if from_dir is not None and not languages and lang != "mul":
                continue  # --from without --lang: whatever languages that build made
            report.error(
                str(package),
                f"no {name} package for language '{lang}' in {folder}: build it first "
                f"(moocpack build --format {name}) or leave out --from",
                code="publish.missing-package",
            )
            continue
        if from_dir is not None:
            try:
                private = verify.take(package, folder, workdir)
                verify.check(private, name, expected(exporter, model, lang, package, settings))
            except verify.NotAPackage as exc:
                report.error(str(package), f"not sent: it {exc}", code="publish.bad-package")
                continue
            package = private  # what was checked is what is sent
        items.append(Item(lang, model, package))
    # The frameworks every language version shares, in the source language whichever languages
    # are published: publishing one translation must not turn the site's framework into it.
    source = models[source_language]
    sides = {}
    for side, data in sorted(exporter.extra_files(source, ExportOptions(settings=settings)).items()):
        sides[side] = workdir / f"{exporter.basename(source)}-{side}"
        sides[side].write_bytes(data)
    if not items and not report.errors:
        report.error(str(folder), f"no {name} package of this course in {folder}", code="publish.missing-package")
    if report.errors:
        raise CourseError(report)
    return items, sides


def expected(exporter: Exporter, model: Course, lang: str, package: Path, settings: dict) -> dict[str, str]:
    """What a package of this course must say about itself (see verify.check)."""
    if exporter.name == "olx":
        # The OLX exporter's own method: the course key it writes (olx.py).
        org, number, run = exporter.key_and_essays(model, ExportOptions(settings=settings))[:3]  # type: ignore[attr-defined]
        return {"org": org, "course": number, "run": run, "language": lang}
    return {"name": package.name}
