"""Building packages: every requested format for every requested language."""

from __future__ import annotations

import gc
import time
import traceback
from dataclasses import dataclass, replace
from pathlib import Path

from . import archive, checks, handout, loader, workers
from .exporter import ExportError, ExportOptions, Exporter, Package, forget_courses
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


class CourseExportError(Exception):
    """A format cannot express something in the course (the exporter's ExportError, with its
    message): nothing more is built, exit 2."""


class BuildError(Exception):
    """An exporter failed; nothing was written for that package."""

    def __init__(self, format_name: str, language: str, cause: BaseException):
        super().__init__(f"exporter '{format_name}' failed for language '{language}': {type(cause).__name__}: {cause}")
        self.cause = cause


def build(
    course_path: Path,
    exporters: dict[str, Exporter],
    languages: list[str] | None,
    out: Path,
    report: Report,
    settings: dict | None = None,
    progress=None,
    allow_remote_media: bool = False,
    jobs: int = 1,
    checking=None,
    checked: loader.Checked | None = None,
) -> list[Built]:
    """Check the course, then export every format for every language, `jobs` packages at a time.
    Raises CourseError before writing anything if the course has errors, OutputError if a package
    cannot be written, and BuildError (after removing nothing good) if an exporter fails.
    `checking(message)` hears how the check goes; `progress(built)` each package written. A caller
    that has already checked the course (without errors) passes `checked`."""
    jobs = workers.usable(jobs)
    if checked is None:
        checked = loader.check(course_path, report, allow_remote_media, progress=checking, jobs=jobs)
        if checked is None:
            raise loader.CourseError(report)
    wanted = list(languages or checked.languages)
    if not languages:
        # A translation below the course's bar is left out unless --lang names it.
        from .l10n.catalog import completeness

        bar = checked.course.data.get("min_complete", 80)
        for lang in list(wanted):
            if lang == checked.source_language:
                continue
            complete = completeness(checked, lang)
            if complete < bar:
                wanted.remove(lang)
                report.warning(
                    checked.folder.display(f"{checked.source_language}/course.yaml"),
                    f"language '{lang}' is {complete:.1f}% translated, below min_complete {bar}%: not "
                    f"packaged (name it with --lang {lang} to build it anyway)",
                    "/min_complete",
                    checked.course.position("/min_complete"),
                    code="translation.below-min-complete",
                )
    for lang in wanted:
        if lang not in checked.languages:
            loader.unknown_language(checked, lang, report, code="build.unknown-language")
    try:
        epoch = archive.epoch_for(checked.course.data.get("date", "1980-01-01"))
    except ValueError as exc:
        report.error("SOURCE_DATE_EPOCH", str(exc), code="build.source-date-epoch")
    if report.errors:
        raise loader.CourseError(report)
    _check_output(out, checked.folder.root)
    archive.clean_stale(out, f"{checked.course.data['id']}-")
    options = ExportOptions(epoch=epoch, settings=dict(settings or {}))
    # Largest first (see Scheduling.cost), each language's in the same order.
    families = sorted(_families(exporters), key=lambda names: -sum(exporters[name].scheduling.cost for name in names))
    shared = _shared(wanted, jobs)
    tasks = [(names, lang) for names in families for lang in wanted if lang not in shared]
    # A language that several workers share at the end is cut finer, so that they finish
    # together: each family in two halves (what the halves both need is made twice, a few per
    # cent of the family's time), largest first.
    tasks += sorted(
        ((half, lang) for names in families for half in _halves(names, exporters) for lang in shared),
        key=lambda task: -sum(exporters[name].scheduling.cost for name in task[0]),
    )
    tasks += [
        ((name,), "mul")
        for name, exporter in exporters.items()
        if exporter.supports_multilingual and options.settings.get(f"{name}_multilang") is True
    ]
    global _JOB
    _JOB = (course_path, checked, wanted, exporters, out, options)
    results: list[Built] = []
    try:
        if jobs > 1 and len(tasks) > 1:
            # Each forked worker loads the languages it works on from the checked course it
            # inherits (see workers.py): loading runs on every core. Frozen, what the parent has
            # is left alone by the workers' cycle collector, which would otherwise walk it all
            # and, touching each object, copy the memory pages they share.
            gc.freeze()
            try:
                with workers.Workers(min(jobs, len(tasks)), _export, prepare=_prepare) as pool:
                    outcomes = pool.run(tasks, group=lambda task: task[1], lost=_lost)
                    # Meanwhile: the workers were forked with the checked course as it was before.
                    fallbacks = _translation_report(course_path, checked, wanted, report)
                    _collect(outcomes, tasks, report, results, progress, stop=pool.stop)
            finally:
                gc.unfreeze()
        else:
            tasks.sort(key=lambda task: wanted.index(task[1]) if task[1] in wanted else len(wanted))
            _collect(enumerate(map(_export, tasks)), tasks, report, results, progress)
            # After loading, which uses the merges the check kept and this report lets go of.
            fallbacks = _translation_report(course_path, checked, wanted, report)
    finally:
        _JOB = None
        _MODELS.clear()
        gc.unfreeze()  # what _model froze (one after the other) goes back to the collector
    # Listed by language, then format, whatever order they were made in.
    order = {key: i for i, key in enumerate((name, lang) for lang in [*wanted, "mul"] for name in exporters)}
    return [
        replace(built, fallbacks=fallbacks.get(built.language, 0))
        for built in sorted(results, key=lambda built: order[(built.format, built.language)])
    ]


def _translation_report(
    course_path: Path, checked: loader.Checked, wanted: list[str], report: Report
) -> dict[str, int]:
    """What loading each language says (missing and stale translations), added to `report`,
    and how many texts each shows in the source language; reported apart from loading, which
    happens in the workers."""
    fallbacks = {}
    for lang in wanted:
        lang_report = Report(report.root)
        loader.report_translation(course_path, lang, lang_report, checked)
        report.problems.extend(lang_report.problems)
        fallbacks[lang] = len(set(lang_report.untranslated(lang)))
    return fallbacks


# What the export tasks share: set by build() before they run (inherited by forked workers):
# (course path, checked course, languages, exporters, output folder, options).
_JOB: tuple[Path, checks.Checked, list[str], dict[str, Exporter], Path, ExportOptions] | None = None
# The model of the language a process last worked on, with its handouts: {language: Course}.
_MODELS: dict = {}


def _model(lang: str):
    """The language's model, loaded by the process that exports it (one at a time: a large
    course's model is tens of megabytes; a worker process works on one language)."""
    if lang not in _MODELS:
        assert _JOB is not None, "set by build()"
        course_path, checked, *_ = _JOB
        _MODELS.clear()
        model = loader.load(course_path, lang, Report(checked.folder.root), checked=checked, quiet=True)
        _MODELS[lang] = handout.with_handouts({lang: model})[lang]
        # Frozen, the model (millions of objects, no cycles) is left alone by the cycle
        # collector, which walked all of it on every full collection during the exports.
        gc.freeze()
    return _MODELS[lang]


def _prepare(lang: str) -> None:
    """In the parent, before the first worker for a language that comes after the first ones is
    forked: its model, which that worker and any that comes to share the language inherit."""
    if lang != "mul":
        _model(lang)


def _lost(task, exitcode: int | None):
    names, lang = task
    return [
        (
            "error",
            "internal",
            f"the process making the {lang} packages ({', '.join(names)}) ended without "
            f"finishing (exit code {exitcode})",
            "",
        )
    ]


def _families(exporters: dict[str, Exporter]) -> list[tuple[str, ...]]:
    """The formats grouped by family, in the order given: a language's packages of one family
    are made in one process, one after the other, so that what they share is made once."""
    families: dict[str, list[str]] = {}
    for name, exporter in exporters.items():
        families.setdefault(exporter.scheduling.family or name, []).append(name)
    return [tuple(names) for names in families.values()]


def _shared(wanted: list[str], jobs: int) -> list[str]:
    """The languages more than one worker works on: with a worker per language in turn, those
    left over for the last round (none with one worker, or as many languages as workers)."""
    left_over = len(wanted) % jobs if jobs > 1 else 0
    return wanted[len(wanted) - left_over :] if left_over else []


def _halves(names: tuple[str, ...], exporters: dict[str, Exporter]) -> list[tuple[str, ...]]:
    """A family as two tasks of about equal cost, its formats kept in order (so that SCORM 1.2
    and 2004, next to each other, stay together); a family of one format as it is."""
    if len(names) < 2:
        return [names]
    costs = [exporters[name].scheduling.cost for name in names]
    cut = min(range(1, len(names)), key=lambda at: abs(sum(costs[:at]) - sum(costs[at:])))
    return [names[:cut], names[cut:]]


def _export(task: tuple[tuple[str, ...], str]) -> list:
    """The packages of one task, each (Built, warnings) or ("error", kind, message); never
    raises, so that a worker's failure comes back to the parent as data."""
    names, lang = task
    outcomes = []
    try:
        # Exporting makes millions of short-lived objects and almost no cycles: the collector,
        # paused, runs once at the end instead of hundreds of times (a tenth of the exports' time).
        with checks.cycle_collector_paused():
            for name in names:
                outcomes.append(_export_one(name, lang))
                if outcomes[-1][0] == "error":
                    break
    finally:
        forget_courses()  # what the family shared: the next family shares other things
        gc.collect()
    return outcomes


def _export_one(name: str, lang: str):
    assert _JOB is not None, "set by build()"
    course_path, checked, wanted, exporters, out, options = _JOB
    exporter = exporters[name]
    warnings: list[tuple[str, str, str]] = []
    try:
        if lang == "mul":
            models = handout.with_handouts(
                {
                    code: loader.load(course_path, code, Report(checked.folder.root), checked=checked, quiet=True)
                    for code in wanted
                }
            )
            package_name = f"{exporter.basename(next(iter(models.values())), 'mul')}.{exporter.extension}"
        else:
            model = _model(lang)
            package_name = f"{exporter.basename(model)}.{exporter.extension}"
        local = replace(options, warn=lambda message: warnings.append((package_name, message, f"export.{name}")))
        started = time.perf_counter()
        if lang == "mul":
            package = exporter.export_multilingual(models, out, local)
        else:
            package = exporter.export(model, out, local)
    except archive.WriteError as exc:
        return ("error", "output", str(exc))
    except ExportError as exc:  # the exporter's own word for the author: an error of the course
        return ("error", "export", f"{name} ({lang}): {exc}")
    except Exception as exc:  # an exporter's bug: reported, the package not written
        return ("error", "internal", f"{type(exc).__name__}: {exc}", "".join(traceback.format_exception(exc)))
    return (Built(name, lang, package, time.perf_counter() - started, 0), warnings)


def _collect(outcomes, tasks, report: Report, results: list, progress, stop=None) -> None:
    """Results into `results` as they come. An exporter's failure stops at once; a package that
    cannot be written (a full disk) stops new work, but what the other workers are writing is
    waited for, so that the error lists every package that was written (`stop`: the pool's)."""
    unwritable = None
    for index, task_outcomes in outcomes:
        names, lang = tasks[index]
        for name, outcome in zip(names, task_outcomes):
            if outcome[0] == "error":
                if outcome[1] == "output":
                    unwritable = unwritable or outcome[2]
                    if stop is None:
                        raise OutputError(unwritable, results)
                    stop()
                    continue
                if outcome[1] == "export":
                    raise CourseExportError(outcome[2])
                raise BuildError(name, lang, ExporterFailure(outcome[2], outcome[3]))
            built, warnings = outcome
            for package, message, code in warnings:
                report.warning(package, message, code=code)
            results.append(built)
            if progress:
                progress(built)
    if unwritable:
        raise OutputError(unwritable, results)


class ExporterFailure(Exception):
    """An exporter's exception, carried back from the process it ran in (with its traceback)."""

    def __init__(self, message: str, details: str):
        super().__init__(message)
        self.details = details


def _check_output(out: Path, course_root: Path) -> None:
    """Refuse an output folder that would put packages into the course (where the next build or
    a translator would read them) or that cannot be a folder."""
    target = Path(out).resolve()
    root = course_root.resolve()
    if target == root or root in target.parents:
        raise OutputError(
            f"the output folder {out} is inside the course folder {course_root}; "
            "choose one outside it (the default is ./dist)"
        )
    for folder in [target, *target.parents]:
        if folder.exists():
            if not folder.is_dir():
                raise OutputError(f"cannot write packages to {out}: {folder} is a file, not a folder")
            break
