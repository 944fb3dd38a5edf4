"""Building packages: every requested format for every requested language."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path

from . import archive, loader
from .exporter import ExportOptions, Exporter, Package
from .problems import Report


@dataclass(frozen=True)
class Built:
    format: str
    language: str
    package: Package
    seconds: float
    fallbacks: int  # strings shown in the source language because no translation exists


class OutputError(Exception):
    """The packages cannot be written where asked (a folder inside the course, a full disk, no
    permission). `written` lists the packages already complete before it happened."""

    def __init__(self, message: str, written: list[Built] | None = None):
        super().__init__(message)
        self.written = written or []


class BuildError(Exception):
    """An exporter failed; nothing was written for that package."""

    def __init__(self, format_name: str, language: str, cause: BaseException):
        super().__init__(f"exporter '{format_name}' failed for language '{language}': "
                         f"{type(cause).__name__}: {cause}")
        self.cause = cause


def build(course_path: Path, exporters: dict[str, Exporter], languages: list[str] | None, out: Path,
          report: Report, settings: dict | None = None, progress=None, allow_remote_media: bool = False) -> list[Built]:
    """Check the course, then export. Raises CourseError before writing anything if the course
    has errors, and BuildError (after removing nothing good) if an exporter fails."""
    checked = loader.check(course_path, report, allow_remote_media)
    if checked is None:
        raise loader.CourseError(report)
    wanted = list(languages or checked.languages)
    if not languages:
        # A translation below the course's bar is left out unless --lang names it.
        from .l10n.catalog import collect
        bar = checked.course.data.get("min_complete", 80)
        for lang in list(wanted):
            if lang == checked.source_language:
                continue
            complete = collect(checked, lang).stats()["complete"]
            if complete < bar:
                wanted.remove(lang)
                report.warning(checked.folder.display(f"{checked.source_language}/course.yaml"),
                               f"language '{lang}' is {complete:.1f}% translated, below min_complete {bar}%: not "
                               f"packaged (name it with --lang {lang} to build it anyway)", "/min_complete",
                               checked.course.position("/min_complete"), code="translation.below-min-complete")
    for lang in wanted:
        if lang not in checked.languages:
            report.error(checked.folder.display(f"{checked.source_language}/course.yaml"),
                         f"language '{lang}' is not one of the course's languages "
                         f"({', '.join(checked.languages)})", "/languages", checked.course.position("/languages"), code="build.unknown-language")
    try:
        epoch = archive.epoch_for(checked.course.data.get("date", "1980-01-01"))
    except ValueError as exc:
        report.error("SOURCE_DATE_EPOCH", str(exc), code="build.source-date-epoch")
    if report.errors:
        raise loader.CourseError(report)
    _check_output(out, checked.folder.root)
    archive.clean_stale(out, f"{checked.course.data['id']}-")
    options = ExportOptions(epoch=epoch, settings=dict(settings or {}))
    results = []
    models = {}
    for lang in wanted:
        lang_report = Report(report.root)
        course = loader.load(course_path, lang, lang_report, checked=checked)
        models[lang] = course
        report.problems.extend(lang_report.problems)
        fallbacks = len(set(lang_report.untranslated(lang)))
        for name, exporter in exporters.items():
            started = time.perf_counter()
            try:
                package_name = f"{exporter.basename(course)}.{exporter.extension}"
                package = exporter.export(course, out, _warning_to(report, options, package_name, name))
            except archive.WriteError as exc:
                raise OutputError(str(exc), results) from exc
            except Exception as exc:
                raise BuildError(name, lang, exc) from exc
            built = Built(name, lang, package, time.perf_counter() - started, fallbacks)
            results.append(built)
            if progress:
                progress(built)
    for name, exporter in exporters.items():
        if exporter.supports_multilingual and options.settings.get(f"{name}_multilang") is True:
            started = time.perf_counter()
            try:
                package = exporter.export_multilingual(
                    models, out, _warning_to(
                    report, options, f"{exporter.basename(next(iter(models.values())), 'mul')}.{exporter.extension}", name))
            except archive.WriteError as exc:
                raise OutputError(str(exc), results) from exc
            except Exception as exc:
                raise BuildError(name, "mul", exc) from exc
            built = Built(name, "mul", package, time.perf_counter() - started, 0)
            results.append(built)
            if progress:
                progress(built)
    return results


def _warning_to(report: Report, options: ExportOptions, package: str, format_name: str) -> ExportOptions:
    """Options whose warn() files an exporter's warning under the package it concerns."""
    return replace(options, warn=lambda message: report.warning(package, message, code=f"export.{format_name}"))


def _check_output(out: Path, course_root: Path) -> None:
    """Refuse an output folder that would put packages into the course (where the next build or
    a translator would read them) or that cannot be a folder."""
    target = Path(out).resolve()
    root = course_root.resolve()
    if target == root or root in target.parents:
        raise OutputError(f"the output folder {out} is inside the course folder {course_root}; "
                          "choose one outside it (the default is ./dist)")
    for folder in [target, *target.parents]:
        if folder.exists():
            if not folder.is_dir():
                raise OutputError(f"cannot write packages to {out}: {folder} is a file, not a folder")
            break
