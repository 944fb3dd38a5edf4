"""Checking a course folder: syntax, schema, references, translations and unsafe content.

`check()` reads every file once and reports every problem it finds before anything is built;
what it returns (a `Checked` course) is what `loader.load()` resolves into the model.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from . import archive
from . import folder as folders
from . import interface, kinds, lockfile, markup, readahead, workers, yamlfile
from . import schema as schemas
from .folder import CourseFolder
from .model import ESSAY, LIKERT, MATCHING, MULTIPLE_RESPONSE, SHORT_TEXT, SINGLE_CHOICE, TRUE_FALSE
from .model import generated_question_id, inherited_competences
from .problems import Report
from .schema import suggest
from . import media
from .translation import Merge, markdown_texts, path_of


@dataclass
class Checked:
    """A course folder whose source files passed every check; input to `load()`."""

    folder: CourseFolder
    course: yamlfile.Document
    units: dict[str, yamlfile.Document]
    worksheets: dict[str, yamlfile.Document]
    frameworks: dict[str, yamlfile.Document]
    translations: dict[str, dict[str, yamlfile.Document]] = field(default_factory=dict)
    assets: dict[str, bytes] = field(default_factory=dict)
    cues: dict[str, tuple] = field(default_factory=dict)  # subtitle file -> its cues, read once here
    locks: dict[str, dict] = field(default_factory=dict)  # language -> its lock file's entries
    interfaces: dict[str, dict] = field(default_factory=dict)  # language -> the course's interface strings
    # (language, file) -> the file's source merged with its translation (None: merged ahead on
    # another core, which sent back only what is missing and done), what is missing, what is done
    merges: dict[tuple[str, str], tuple[dict | None, list, list]] = field(default_factory=dict, repr=False)

    @property
    def source_language(self) -> str:
        assert self.folder.source_language is not None  # open_folder() found it
        return self.folder.source_language

    @property
    def languages(self) -> list[str]:
        return list(self.course.data["languages"])


# ---------------------------------------------------------------------------------------------
# Checking


class _Checker:
    """What the checkers of one course folder share: where problems go, and what they learnt
    so far (competence ids, question ids, which units quiz which worksheet, broken files)."""

    def __init__(self, folder: CourseFolder, report: Report, allow_remote_media: bool = False):
        self.folder = folder
        self.report = report
        assert folder.source_language is not None  # open_folder() found it
        self.src: str = folder.source_language
        self.course_rel = f"{self.src}/course.yaml"
        self.allow_remote_media = allow_remote_media
        # Set by _check_course, the first check, before any other reads it.
        self.checked: Checked = None  # type: ignore[assignment]
        self.broken: set[str] = set()  # source files that failed their schema: not judged further
        self.competence_ids: dict[str, str] = {}  # item id -> framework id
        self.category_ids: set[str] = set()
        self.question_ids: dict[str, tuple] = {}  # question id -> where it was first defined (rel, doc, path)
        self.worksheet_users: dict[str, list] = {}  # worksheet id -> the activities and quizzes using it
        self.local_links: list[tuple[str, yamlfile.Document, str, str]] = []  # checked once assets are known
        # A course with a competence framework tags every outcome and question; one without, nothing.
        self.tagging = True

    @cached_property
    def formats(self) -> list[str]:
        """The export formats installed, found once per check (each look costs milliseconds)."""
        from .exporter import registry

        return sorted(registry())

    def competences(self, rel: str, doc: yamlfile.Document, ids, path) -> None:
        """Competence tags name items of a framework the course uses (not categories)."""
        for index, cid in enumerate(ids or []):
            if not isinstance(cid, str) or cid in self.competence_ids:
                continue
            if cid in self.category_ids:
                message, code = f"'{cid}' is a category; tag competence items such as '{cid}.1'", "category-tagged"
            else:
                message, code = f"unknown competence '{cid}'{suggest(cid, self.competence_ids)}", "unknown"
            self.error(rel, doc, message, list(path) + [index], code=f"competence.{code}")

    def file(self, relative: str) -> str:
        return self.folder.display(relative)

    def error(self, rel: str, doc: yamlfile.Document, message: str, path=(), key=False, *, code: str):
        pointer = yamlfile.pointer_of(path)
        self.report.error(self.file(rel), message, pointer, doc.position(pointer, key=key), code=code)

    def warning(self, rel: str, doc: yamlfile.Document, message: str, path=(), key=False, *, code: str):
        pointer = yamlfile.pointer_of(path)
        self.report.warning(self.file(rel), message, pointer, doc.position(pointer, key=key), code=code)

    def schema(self, rel: str, doc: yamlfile.Document, kind: str) -> bool:
        if doc.valid_as == kind:  # found valid when it was read ahead
            return True
        errors = schemas.errors(kind, doc.data)
        for err in errors:
            message, path, key = schemas.explain(err)
            self.error(rel, doc, message, path, key, code=f"schema.{err.validator}")
        if not errors and self.folder.parsed is not None:
            doc.valid_as = kind  # a document kept for the next check is not validated again
        return not errors

    def read(self, rel: str) -> yamlfile.Document | None:
        return folders.read(self.folder, rel, self.report)

    def unique_ids(self, rel, doc, items, path, seen: dict | None = None, what="id"):
        seen = {} if seen is None else seen
        for index, item in enumerate(items or []):
            if isinstance(item, dict) and "id" in item:
                if item["id"] in seen:
                    first_rel, first_doc, first_path = seen[item["id"]]
                    line, _ = first_doc.position(yamlfile.pointer_of(first_path))
                    self.error(
                        rel,
                        doc,
                        f"duplicate {what} '{item['id']}' (also used at {self.file(first_rel)}:{line})",
                        list(path) + [index, "id"],
                        code="id.duplicate",
                    )
                else:  # where it is, worked out only if it is used twice
                    seen[item["id"]] = (rel, doc, list(path) + [index, "id"])
        return seen

    def markdown(self, rel: str, doc: yamlfile.Document, kind: str):
        notes: list | None = doc.markdown_notes  # read ahead: only the texts that have something to say
        if notes is None:
            notes = [
                (path_of(where), value)
                for where, value in markdown_texts(doc.data, kind)
                if markup.render_cached(value).noteworthy
            ]
        for path, value in notes:
            rendered = markup.render_cached(value)
            for what in rendered.removed:
                if what in rendered.dangerous:
                    self.error(rel, doc, f"unsafe HTML refused: {what}; remove it", path, code="html.unsafe")
                else:
                    self.warning(
                        rel, doc, f"HTML not in the allowlist is removed on export: {what}", path, code="html.removed"
                    )
            for source in rendered.remote_media:
                if self.allow_remote_media:
                    self.warning(
                        rel,
                        doc,
                        f"image '{source}' is fetched from outside the package when shown "
                        "(allowed by --allow-remote-media)",
                        path,
                        code="media.remote-allowed",
                    )
                else:
                    self.error(
                        rel,
                        doc,
                        f"image '{source}' would be fetched from outside the package: packages "
                        "make no outside request; put the file in the course folder and list it in "
                        "the unit's assets (or build with --allow-remote-media)",
                        path,
                        code="media.remote",
                    )
            for link in rendered.local_links:
                target = link.split("#")[0].split("?")[0]
                if not target:
                    continue
                candidate = self.folder.root / target
                if not folders.inside(self.folder.root, candidate):
                    self.error(
                        rel, doc, f"link '{link}' leads outside the course folder", path, code="link.outside-folder"
                    )
                elif not folders.is_file(candidate):
                    self.error(
                        rel,
                        doc,
                        f"link '{link}' points to a file that does not exist in the course folder "
                        "(paths are relative to the course folder)",
                        path,
                        code="link.missing-file",
                    )
                else:
                    self.local_links.append((rel, doc, path, target))

    def packaged(self, assets: set[str]) -> None:
        """Every course file a text links to travels in the packages only as a listed asset."""
        for rel, doc, path, target in self.local_links:
            if target not in assets:
                self.error(
                    rel,
                    doc,
                    f"'{target}' is linked here but listed in no unit's assets, so no package "
                    "would carry it: add it to the 'assets' of the unit that uses it",
                    path,
                    code="link.not-an-asset",
                )


cycle_collector_paused = workers.cycle_collector_paused  # memory tuning lives with the workers (workers.py)


def check(
    path: str | Path,
    report: Report,
    allow_remote_media: bool = False,
    progress: Callable[[str], None] | None = None,
    jobs: int = 1,
    parsed: dict | None = None,
) -> Checked | None:
    """Check a whole course folder, every language; return None if there is any error.

    One checker per kind of file, in the order their references need: the course file, the
    competence frameworks, the units, the worksheets, the translations and their lock files.
    Each reports everything it finds and goes on with what it can read, so one run shows every
    problem; a file that failed its schema is not judged further (no false second errors).
    With `jobs` above 1, a large course's files are first read on that many cores
    (readahead.py): the same problems, sooner.
    """
    with cycle_collector_paused(keep=True):
        return _check(path, report, allow_remote_media, progress, workers.usable(jobs), parsed)


def _check(path, report, allow_remote_media, progress, jobs, parsed=None) -> Checked | None:
    folder = folders.open_folder(Path(path), report, parsed)
    if folder is None:
        return None
    if progress:
        folder.progress = lambda n: progress(f"checking {path}: {n} files read")
    if jobs > 1:
        languages = folder.documents[f"{folder.source_language}/course.yaml"].data.get("languages")
        readahead.prefetch(
            folder, [x for x in languages if isinstance(x, str)] if isinstance(languages, list) else [], jobs
        )
    c = _Checker(folder, report, allow_remote_media)
    data = _check_course(c)
    _check_frameworks(c, data)
    _check_units(c, data)
    _check_worksheets(c, data)
    c.markdown(c.course_rel, c.checked.course, "course")
    _check_coverage(c, c.checked)  # every outcome should be assessed by something
    _check_languages(c, data)
    c.packaged({a.get("path") for doc in c.checked.units.values() for a in doc.data.get("assets", []) or []})
    return None if report.errors else c.checked


def _check_course(c: _Checker) -> dict:
    """course.yaml. Even with schema errors, what can be read from it is used, so that problems
    in the units are reported in the same run."""
    src = c.src
    course = c.folder.documents[c.course_rel]
    if not c.schema(c.course_rel, course, "course"):
        c.broken.add("course.yaml")
    raw = course.data

    def strings(key, default=()):
        value = raw.get(key, default)
        return [v for v in value if isinstance(v, str)] if isinstance(value, list) else list(default)

    data = {
        **raw,
        "languages": strings("languages", [src]),
        "units": strings("units"),
        "frameworks": strings("frameworks"),
    }
    if src not in data["languages"]:
        c.error(
            c.course_rel,
            course,
            f"the source language '{src}' must be listed in languages",
            ["languages"],
            code="course.source-language-not-listed",
        )
    date = raw.get("date")
    # Packages carry the date as their timestamp: a zip holds 1980 to 2107.
    if (
        isinstance(date, str)
        and re.fullmatch(r"\d{4}-\d{2}-\d{2}", date)
        and not (archive.EARLIEST_DATE <= date <= archive.LATEST_DATE)
    ):
        c.error(
            c.course_rel,
            course,
            f"date {date} is outside what packages can carry ({archive.EARLIEST_DATE} to {archive.LATEST_DATE})",
            ["date"],
            code="course.date-out-of-range",
        )
    c.checked = Checked(c.folder, course, {}, {}, {})
    c.tagging = bool(data["frameworks"])
    for name, reason in sorted(kinds.broken().items()):
        c.report.error(
            str(c.folder.display_root),
            f"the question kind '{name}' is installed but cannot be used: {reason}",
            code="plugin.broken",
        )
    return data


def _check_frameworks(c: _Checker, data: dict) -> None:
    course = c.checked.course
    for index, fid in enumerate(data["frameworks"]):
        rel = f"competences/{fid}.yaml"
        if not c.folder.present(rel):
            c.error(
                c.course_rel,
                course,
                f"framework file '{rel}' not found",
                ["frameworks", index],
                code="file.framework-missing",
            )
            continue
        doc = c.read(rel)
        if doc is None or not c.schema(rel, doc, "competences"):
            continue
        c.checked.frameworks[fid] = doc
        fw = doc.data
        if fw["id"] != fid:
            c.error(
                rel,
                doc,
                f"framework id '{fw['id']}' must match the file name '{fid}'",
                ["id"],
                code="framework.id-mismatch",
            )
        for ci, category in enumerate(fw["categories"]):
            if not category["id"].startswith(fid + "."):
                c.error(
                    rel,
                    doc,
                    f"category id '{category['id']}' must start with '{fid}.'",
                    ["categories", ci, "id"],
                    code="framework.category-id",
                )
            if category["id"] in c.category_ids or category["id"] in c.competence_ids:
                c.error(
                    rel,
                    doc,
                    f"duplicate competence id '{category['id']}'",
                    ["categories", ci, "id"],
                    code="competence.duplicate-id",
                )
            c.category_ids.add(category["id"])
            for ii, item in enumerate(category["items"]):
                where = ["categories", ci, "items", ii, "id"]
                if not item["id"].startswith(category["id"] + "."):
                    message = f"item id '{item['id']}' must start with its category id '{category['id']}.'"
                    c.error(rel, doc, message, where, code="framework.item-id")
                if item["id"] in c.competence_ids or item["id"] in c.category_ids:
                    c.error(rel, doc, f"duplicate competence id '{item['id']}'", where, code="competence.duplicate-id")
                c.competence_ids[item["id"]] = fid
                for lang in item["text"]:
                    if lang not in data["languages"] and lang != fw["source_language"]:
                        c.warning(
                            rel,
                            doc,
                            f"text in '{lang}', which the course does not publish",
                            ["categories", ci, "items", ii, "text", lang],
                            key=True,
                            code="framework.unpublished-language",
                        )


def _check_units(c: _Checker, data: dict) -> None:
    src, folder, course = c.src, c.folder, c.checked.course
    for index, uid in enumerate(data["units"]):
        rel = f"{src}/units/{uid}.yaml"
        if not folder.present(rel):
            available = [p.stem for p in (folder.root / src / "units").glob("*.yaml")]
            c.error(
                c.course_rel,
                course,
                f"unit file 'units/{uid}.yaml' not found{suggest(uid, available)}",
                ["units", index],
                code="file.unit-missing",
            )
            continue
        doc = c.read(rel)
        if doc is None or not c.schema(rel, doc, "unit"):
            c.broken.add(f"units/{uid}.yaml")
            if doc is not None:
                # The structure is wrong somewhere, but competence tags can still be checked, so
                # that fixing the schema errors does not reveal a second round of problems.
                for path, ids in _competence_lists(doc.data, []):
                    c.competences(rel, doc, ids, path)
            continue
        c.checked.units[uid] = doc
        _check_unit(c, rel, doc, uid)


def _check_unit(c: _Checker, rel: str, doc: yamlfile.Document, uid: str) -> None:
    u = doc.data
    if u["id"] != uid:
        c.error(
            rel,
            doc,
            f"unit id '{u['id']}' must match the file name and course.yaml ('{uid}')",
            ["id"],
            code="unit.id-mismatch",
        )
    local: dict = {}
    for key in (
        "outcomes",
        "materials",
        "conceptual_contents",
        "pages",
        "activities",
        "cases",
        "questions",
        "quizzes",
        "bibliography",
        "assets",
    ):
        c.unique_ids(rel, doc, u.get(key), [key], local)
    outcome_ids = {o["id"]: o for o in u["outcomes"]}
    case_ids = {k["id"]: k for k in u.get("cases", [])}

    def check_outcomes(ids, path):
        for i, oid in enumerate(ids or []):
            if oid not in outcome_ids:
                c.error(
                    rel,
                    doc,
                    f"unknown outcome '{oid}'{suggest(oid, outcome_ids)}",
                    list(path) + [i],
                    code="outcome.unknown",
                )

    for oi, outcome in enumerate(u["outcomes"]):
        c.competences(rel, doc, outcome.get("competences"), ["outcomes", oi, "competences"])
        if c.tagging and not outcome.get("competences"):
            c.error(
                rel,
                doc,
                "this learning outcome is tagged with no competence; add 'competences' (the course "
                "has a competence framework)",
                ["outcomes", oi],
                code="outcome.untagged",
            )
    for ai, activity in enumerate(u.get("activities", [])):
        check_outcomes(activity.get("outcomes"), ["activities", ai, "outcomes"])
        c.competences(rel, doc, activity.get("competences"), ["activities", ai, "competences"])
        if "worksheet" in activity:
            c.worksheet_users.setdefault(activity["worksheet"], []).append((rel, doc, ["activities", ai, "worksheet"]))
        if "case" in activity and activity["case"] not in case_ids:
            c.error(
                rel,
                doc,
                f"unknown case '{activity['case']}'{suggest(activity['case'], case_ids)}",
                ["activities", ai, "case"],
                code="case.unknown",
            )
    for ki, case in enumerate(u.get("cases", [])):
        c.unique_ids(rel, doc, case.get("questions"), ["cases", ki, "questions"])
        for qi, q in enumerate(case.get("questions", [])):
            path = ["cases", ki, "questions", qi]
            check_outcomes(q.get("outcomes"), path + ["outcomes"])
            c.competences(rel, doc, q.get("competences"), path + ["competences"])
            _claim(c, rel, doc, c.question_ids, generated_question_id(case["id"], q["id"]), path + ["id"])
            if c.tagging and not _effective(q, outcome_ids):
                c.error(
                    rel,
                    doc,
                    "this reflection question is tagged with no competence; add 'competences' or 'outcomes'",
                    path,
                    code="question.untagged",
                )
    for qi, q in enumerate(u.get("questions", [])):
        path = ["questions", qi]
        check_outcomes(q.get("outcomes"), path + ["outcomes"])
        c.competences(rel, doc, q.get("competences"), path + ["competences"])
        _claim(c, rel, doc, c.question_ids, q["id"], path + ["id"])
        _check_question(c, rel, doc, q, path)
        if c.tagging and not _effective(q, outcome_ids):
            c.error(
                rel,
                doc,
                f"question '{q['id']}' is tagged with no competence; add 'competences' or 'outcomes'",
                path,
                code="question.untagged",
            )
    own_questions = {q["id"] for q in u.get("questions", [])}
    for zi, quiz in enumerate(u.get("quizzes", [])):
        for ri, ref in enumerate(quiz["questions"]):
            path = ["quizzes", zi, "questions", ri]
            kind, _, target = ref.rpartition(":")
            if kind == "worksheet":
                c.worksheet_users.setdefault(target, []).append((rel, doc, path, True, outcome_ids))
            elif kind == "case":
                if target not in case_ids:
                    c.error(rel, doc, f"unknown case '{target}'{suggest(target, case_ids)}", path, code="case.unknown")
                elif not case_ids[target].get("questions"):
                    c.error(
                        rel,
                        doc,
                        f"case '{target}' has no questions to put in a quiz",
                        path,
                        code="quiz.case-without-questions",
                    )
            elif ref not in own_questions:
                c.error(
                    rel,
                    doc,
                    f"unknown question '{ref}'{suggest(ref, own_questions)}; questions of a quiz "
                    "are this unit's question ids, 'worksheet:<id>' or 'case:<id>'",
                    path,
                    code="quiz.unknown-question",
                )
    for si, asset in enumerate(u.get("assets", [])):
        pointer = yamlfile.pointer_of(["assets", si, "path"])
        if media.extension(asset["path"]) not in media.FILE_TYPES:
            c.error(
                rel,
                doc,
                f"'{asset['path']}' is not a kind of file this tool packages (a web page, script or "
                f"program would run on the LMS's site as the learner); use "
                f"{', '.join(sorted(media.FILE_TYPES))}",
                ["assets", si, "path"],
                code="media.file-type",
            )
            continue
        content = folders.asset_bytes(c.folder, asset["path"], c.report, c.file(rel), pointer, doc.position(pointer))
        if content is not None and _safe_file(c, rel, doc, ["assets", si, "path"], asset["path"], content):
            c.checked.assets[asset["path"]] = content
    for pi, page in enumerate(u.get("pages", [])):
        c.unique_ids(rel, doc, page.get("media"), ["pages", pi, "media"], local)
        for mi, item in enumerate(page.get("media", [])):
            _check_media(c, rel, doc, item, ["pages", pi, "media", mi])
    c.markdown(rel, doc, "unit")


def _check_media(c: _Checker, rel: str, doc: yamlfile.Document, item: dict, path: list) -> None:
    """A medium has what its type needs; each of its files is there, safe and readable, in the
    source language and in every language its path names with {lang} (a missing one is a warning:
    that language is shown the source's)."""
    kind = item["type"]
    needs = {"image": ("src", "alt"), "audio": ("src",), "file": ("src",)}.get(kind, ())
    for field_name in needs:
        if field_name not in item:
            c.error(rel, doc, f"{_a(kind)} {kind} needs '{field_name}'", path, code="media.incomplete")
    if kind == "video" and ("src" in item) == ("url" in item):
        c.error(
            rel,
            doc,
            "a video needs either 'src' (a file in the course folder) or 'url' (a YouTube or Vimeo address), not both",
            path,
            code="media.incomplete",
        )
    for field_name, kinds_allowed in (("url", {"video"}), ("subtitles", {"video", "audio"}), ("alt", {"image"})):
        if field_name in item and kind not in kinds_allowed:
            c.error(
                rel,
                doc,
                f"'{field_name}' is for {' or '.join(sorted(kinds_allowed))}, not {kind}",
                path + [field_name],
                key=True,
                code="media.misplaced",
            )
    if "url" in item and media.remote_video(item["url"]) is None:
        c.error(
            rel,
            doc,
            f"'{item['url']}' is not a YouTube or Vimeo video address (e.g. "
            "https://www.youtube.com/watch?v=…, https://vimeo.com/123456789)",
            path + ["url"],
            code="media.unknown-video-host",
        )
    labels = [label["id"] for label in item.get("labels", [])]
    if labels and (kind != "image" or media.extension(item.get("src", "")) != "svg"):
        c.error(
            rel,
            doc,
            "labels go into an SVG drawing: this is not one",
            path + ["labels"],
            key=True,
            code="media.misplaced",
        )
    for field_name in ("src", "subtitles"):
        if field_name not in item:
            continue
        pattern = item[field_name]
        ext = media.extension(pattern)
        allowed: set[str] | None = {"vtt"} if field_name == "subtitles" else media.EXTENSIONS.get(kind)
        if allowed and ext not in allowed:
            what = (
                "a kind of download this tool packages (a web page, script or program would run on the "
                "LMS's site as the learner)"
                if kind == "file"
                else f"{_a(kind)} {kind} file this tool packages"
            )
            c.error(
                rel,
                doc,
                f"'{pattern}' is not {what}; use {', '.join(sorted(allowed))}",
                path + [field_name],
                code="media.file-type",
            )
            continue
        pointer = yamlfile.pointer_of(path + [field_name])
        for lang in [c.src] + ([x for x in c.checked.languages if x != c.src] if media.LANG in pattern else []):
            relative = media.path_for(pattern, lang)
            if lang != c.src and not folders.is_file(c.folder.root / relative):
                if field_name == "src":
                    c.report.warning(
                        c.file(rel),
                        f"no '{lang}' version of this {kind} ('{relative}'): '{lang}' learners see the '{c.src}' one",
                        pointer,
                        doc.position(pointer),
                        code="media.variant-missing",
                        language=lang,
                    )
                continue
            content = folders.asset_bytes(c.folder, relative, c.report, c.file(rel), pointer, doc.position(pointer))
            if content is not None and _safe_file(c, rel, doc, path + [field_name], relative, content, labels):
                c.checked.assets[relative] = content


def _safe_file(
    c: _Checker, rel: str, doc: yamlfile.Document, path: list, relative: str, content: bytes, labels: Sequence[str] = ()
) -> bool:
    """A file that goes into packages holds what its extension says, and a drawing or subtitles
    nothing that could run, fetch or break a format; each problem an error at `path`."""
    ext = media.extension(relative)
    problems, code = [], f"media.{ext}"
    if ext == "svg":
        problems = [f"{relative}:{line}: {message}" for line, message in media.svg_problems(content, list(labels))]
    elif ext == "vtt":
        try:
            c.checked.cues[relative] = media.read_vtt(content)
        except media.VttError as exc:
            problems = [f"{relative}:{exc.line}: {exc}" if exc.line else f"{relative}: {exc}"]
    else:
        wrong = media.content_problem(ext, content)
        problems, code = ([f"{relative} {wrong}"] if wrong else []), "media.content"
    for problem in problems:
        c.error(rel, doc, problem, path, code=code)
    return not problems


def _a(kind: str) -> str:
    return "an" if kind[0] in "aeiou" else "a"  # "an image", "an audio", "a video", "a file"


def _check_worksheets(c: _Checker, data: dict) -> None:
    src, folder = c.src, c.folder
    present = {p.stem for p in (folder.root / src / "worksheets").glob("*.yaml")}
    for wid in sorted(present | set(c.worksheet_users)):
        users = c.worksheet_users.get(wid, [])
        rel = f"{src}/worksheets/{wid}.yaml"
        if not folder.present(rel):
            for user in users:
                c.error(
                    user[0],
                    user[1],
                    f"worksheet file 'worksheets/{wid}.yaml' not found{suggest(wid, present)}",
                    user[2],
                    code="file.worksheet-missing",
                )
            continue
        doc = c.read(rel)
        if doc is None or not c.schema(rel, doc, "worksheet"):
            c.broken.add(f"worksheets/{wid}.yaml")
            continue
        c.checked.worksheets[wid] = doc
        if doc.data["id"] != wid:
            c.error(
                rel,
                doc,
                f"worksheet id '{doc.data['id']}' must match the file name '{wid}'",
                ["id"],
                code="worksheet.id-mismatch",
            )
        quiz_users = [u for u in users if len(u) > 3]
        if quiz_users and "answer_key" not in doc.data:
            for user in quiz_users:
                c.error(
                    user[0],
                    user[1],
                    f"worksheet '{wid}' has no answer_key, so no questions can be built from it",
                    user[2],
                    code="worksheet.no-answer-key",
                )
        # A unit that failed its schema may be the one that quizzes this worksheet: then whether
        # the key's outcomes resolve is unknown, and saying "tagged with no competence" would be
        # a false second error.
        units_broken = any(name.startswith("units/") for name in c.broken)
        outcome_sets = [u[4] for u in quiz_users] or [None if units_broken else {}]
        _check_answer_key(c, rel, doc, outcome_sets[0])
        if "answer_key" in doc.data:
            for qid in _worksheet_question_ids(doc.data):
                _claim(c, rel, doc, c.question_ids, qid, ["answer_key"])
        c.markdown(rel, doc, "worksheet")
    for path in sorted((folder.root / src / "worksheets").glob("*.yaml")):
        if path.stem not in c.worksheet_users and not c.broken:
            c.report.warning(
                c.file(f"{src}/worksheets/{path.name}"),
                "worksheet is not used by any activity or quiz",
                code="worksheet.unused",
            )
    for path in sorted((folder.root / src / "units").glob("*.yaml")):
        if path.stem not in data["units"]:
            c.report.warning(
                c.file(f"{src}/units/{path.name}"),
                "unit file is not listed in course.yaml 'units'",
                code="unit.not-listed",
            )


def _check_languages(c: _Checker, data: dict) -> None:
    """Each translation folder and its lock file; each language's own interface catalogue;
    language folders the course does not list."""
    folder, report = c.folder, c.report
    for lang in data["languages"]:
        _check_interface(c, lang)
        if lang == c.src:
            continue
        _check_translation(c, c.checked, lang, c.broken)
        lock = lockfile.path(folder.root, lang)
        if folders.dangling(lock) or (lock.is_symlink() and not folders.inside(folder.root, lock)):
            report.error(
                c.file(f"{lang}/{lockfile.LOCK}"),
                "the lock file is a symbolic link that leads nowhere "
                "or out of the course folder; replace it with the file",
                code="lock.dangling",
            )
            continue
        entries, problems = lockfile.read(lock)
        for message, pointer, position, code in problems:
            report.error(c.file(f"{lang}/{lockfile.LOCK}"), message, pointer, position, code=code)
        c.checked.locks[lang] = entries
    for child in sorted(p for p in folder.root.iterdir() if p.is_dir()):
        if (
            child.name not in data["languages"]
            and child.name not in ("competences", "assets")
            and (child / "course.yaml").exists()
        ):
            report.warning(
                str(folder.display_root / child.name),
                f"language folder '{child.name}' is not listed in course.yaml 'languages'",
                code="translation.unlisted-language-folder",
            )


def _check_interface(c: _Checker, lang: str) -> None:
    """`<lang>/_interface.yaml`, the course's own interface strings for a language (interface.py)."""
    rel = f"{lang}/{interface.FILE}"
    path = c.folder.root / rel
    if not (path.is_file() or path.is_symlink()):
        return
    doc = c.read(rel)
    if doc is None:
        return
    found = interface.problems(doc.data, lang)
    for message, where in found:
        c.error(rel, doc, message, where, key=len(where) == 1 and "unknown" in message, code="interface.invalid")
    if not found:
        c.checked.interfaces[lang] = dict(doc.data)


def _competence_lists(data, path):
    """(path, list) for every `competences: [...]` anywhere in a file's data."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "competences" and isinstance(value, list):
                yield path + [key], value
            else:
                yield from _competence_lists(value, path + [key])
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _competence_lists(value, path + [index])


def _claim(c: _Checker, rel, doc, seen: dict, qid: str, path):
    if qid in seen:
        first_rel, first_doc, first_path = seen[qid]
        line, _ = first_doc.position(yamlfile.pointer_of(first_path))
        c.error(
            rel,
            doc,
            f"duplicate question id '{qid}' (also used at {c.file(first_rel)}:{line})",
            path,
            code="question.duplicate-id",
        )
    else:  # where it is, worked out only if it is used twice (a position is costly to find)
        seen[qid] = (rel, doc, path)


def _effective(q: dict, outcome_ids: dict) -> tuple[str, ...]:
    return inherited_competences(
        q.get("competences", []), q.get("outcomes", []), lambda oid: outcome_ids.get(oid, {}).get("competences", [])
    )


def _check_question(c: _Checker, rel, doc, q: dict, path: list):
    qtype = q["type"]
    uses = {
        "options": (SINGLE_CHOICE, MULTIPLE_RESPONSE, LIKERT),
        "answer": (TRUE_FALSE,),
        "pairs": (MATCHING,),
        "answers": (SHORT_TEXT,),
        "case_sensitive": (SHORT_TEXT,),
    }
    for key, types in uses.items():
        if key in q and qtype not in types:
            c.error(
                rel,
                doc,
                f"'{key}' has no meaning for a {qtype} question",
                path + [key],
                key=True,
                code="question.field-meaningless",
            )
    options = q.get("options", [])
    correct = [o for o in options if o.get("correct")]
    if qtype == SINGLE_CHOICE and len(correct) != 1:
        c.error(
            rel,
            doc,
            f"a single_choice question needs exactly one option with 'correct: true' (found {len(correct)})",
            path + ["options"],
            code="question.single-choice-correct",
        )
    if qtype == MULTIPLE_RESPONSE and not correct:
        c.error(
            rel,
            doc,
            "a multiple_response question needs at least one option with 'correct: true'",
            path + ["options"],
            code="question.multiple-response-correct",
        )
    if qtype == LIKERT and correct:
        c.error(
            rel,
            doc,
            "a likert (self-assessment) question has no correct option; remove 'correct'",
            path + ["options"],
            code="question.likert-correct",
        )
    c.unique_ids(rel, doc, options, path + ["options"])
    c.unique_ids(rel, doc, q.get("pairs"), path + ["pairs"])
    c.unique_ids(rel, doc, q.get("answers"), path + ["answers"])
    if qtype == MATCHING:
        prompts = [p["prompt"] for p in q.get("pairs", [])]
        if len(set(prompts)) != len(prompts):
            c.error(
                rel,
                doc,
                "two pairs of this matching question have the same prompt",
                path + ["pairs"],
                code="question.matching-duplicate-prompt",
            )
    if qtype == LIKERT and q.get("graded"):
        c.error(
            rel,
            doc,
            "a likert (self-assessment) question cannot be graded",
            path + ["graded"],
            key=True,
            code="question.likert-graded",
        )
    _check_kind(c, rel, doc, q, path)


def _check_kind(c: _Checker, rel, doc, q: dict, path: list):
    """A question of a kind a plug-in adds (kinds.py): its own checks, its fields on no other
    type, and every installed format that cannot express it named now rather than at build."""
    for key, owners in kinds.plugin_fields().items():
        if key in q and q["type"] not in owners:
            c.error(
                rel,
                doc,
                f"'{key}' has no meaning for a {q['type']} question",
                path + [key],
                key=True,
                code="question.field-meaningless",
            )
    one = kinds.kind(q["type"])
    if one is None:
        return
    for key, message in one.check(q):
        c.error(rel, doc, message, path + ([key] if key else []), code="question.kind")
    missing = [fmt for fmt in c.formats if not one.supports(fmt)]
    if missing:
        c.warning(
            rel,
            doc,
            f"the {', '.join(missing)} format(s) cannot express a {q['type']} question: building "
            "them stops with this question named",
            path + ["type"],
            code="question.kind-unsupported",
        )


_PLACEHOLDER = re.compile(r"\{([a-z0-9][a-z0-9-]*)\}")


def _check_answer_key(c: _Checker, rel, doc, outcome_ids: dict | None):
    ws = doc.data
    key = ws.get("answer_key")
    c.unique_ids(rel, doc, ws.get("prompts"), ["prompts"])
    table = ws.get("table")
    columns = [col["id"] for col in table["columns"]] if table else []
    rows = [row["id"] for row in table["rows"]] if table else []
    if table:
        c.unique_ids(rel, doc, table["columns"], ["table", "columns"])
        c.unique_ids(rel, doc, table["rows"], ["table", "rows"])
        for ri, row in enumerate(table["rows"]):
            c.competences(rel, doc, row.get("competences"), ["table", "rows", ri, "competences"])
            for cell in row.get("cells", {}):
                if cell not in columns:
                    c.error(
                        rel,
                        doc,
                        f"unknown column '{cell}'{suggest(cell, columns)}",
                        ["table", "rows", ri, "cells", cell],
                        key=True,
                        code="answer-key.unknown-column",
                    )
    if not key:
        return
    build = key["build"]
    kp = ["answer_key"]
    for oi, oid in enumerate(key.get("outcomes", [])):
        if outcome_ids and oid not in outcome_ids:
            c.error(
                rel,
                doc,
                f"unknown outcome '{oid}' in the unit that quizzes this worksheet{suggest(oid, outcome_ids)}",
                kp + ["outcomes", oi],
                code="answer-key.unknown-outcome",
            )
    c.competences(rel, doc, key.get("competences"), kp + ["competences"])
    for name in ("prompt_columns",):
        for i, col in enumerate(key.get(name, [])):
            if col not in columns:
                c.error(
                    rel,
                    doc,
                    f"unknown column '{col}'{suggest(col, columns)}",
                    kp + [name, i],
                    code="answer-key.unknown-column",
                )
    for name in ("prompt_column", "answer_column"):
        if name in key and key[name] not in columns:
            c.error(
                rel,
                doc,
                f"unknown column '{key[name]}'{suggest(key[name], columns)}",
                kp + [name],
                code="answer-key.unknown-column",
            )
    for placeholder in _PLACEHOLDER.findall(key.get("stem", "")):
        if placeholder not in columns:
            c.error(
                rel,
                doc,
                f"placeholder '{{{placeholder}}}' names no column{suggest(placeholder, columns)}",
                kp + ["stem"],
                code="answer-key.unknown-placeholder",
            )
    answers = key.get("answers", [])
    c.unique_ids(rel, doc, answers, kp + ["answers"])
    option_ids = [o["id"] for o in key.get("options", [])]
    if build in (TRUE_FALSE, SINGLE_CHOICE):
        if not table:
            c.error(
                rel,
                doc,
                f"'{build}' questions are built from table rows; this worksheet has no table",
                kp + ["build"],
                code="answer-key.no-table",
            )
            return
        if "stem" not in key:
            c.error(
                rel,
                doc,
                f"'{build}' needs a 'stem': the question asked of every row",
                kp,
                key=False,
                code="answer-key.no-stem",
            )
        if build == SINGLE_CHOICE and not option_ids:
            c.error(rel, doc, "single_choice needs 'options' offered for every row", kp, code="answer-key.no-options")
        answered = set()
        for ai, answer in enumerate(answers):
            path = kp + ["answers", ai]
            if answer["id"] not in rows:
                c.error(
                    rel,
                    doc,
                    f"the answer key names row '{answer['id']}', which the table does not have"
                    f"{suggest(answer['id'], rows)}",
                    path + ["id"],
                    code="answer-key.unknown-row",
                )
            answered.add(answer["id"])
            if "answer" not in answer:
                continue  # a discussion row (graded: false): every answer is accepted
            value = answer["answer"]
            if build == TRUE_FALSE and not isinstance(value, bool):
                c.error(
                    rel,
                    doc,
                    f"a true_false answer must be true or false, not '{value}'",
                    path + ["answer"],
                    code="answer-key.not-boolean",
                )
            if build == SINGLE_CHOICE and value not in option_ids:
                c.error(
                    rel,
                    doc,
                    f"'{value}' is not one of the options{suggest(value, option_ids)}",
                    path + ["answer"],
                    code="answer-key.unknown-option",
                )
            c.competences(rel, doc, answer.get("competences"), path + ["competences"])
        for row in rows:
            if row not in answered:
                c.error(
                    rel,
                    doc,
                    f"row '{row}' has no answer in the answer key; every row becomes a question and "
                    "needs a correct answer",
                    kp + ["answers"],
                    code="answer-key.row-unanswered",
                )
    elif build == MATCHING:
        if not table or "prompt_column" not in key or "answer_column" not in key:
            c.error(
                rel,
                doc,
                "matching needs a table, 'prompt_column' and 'answer_column'",
                kp,
                code="answer-key.matching-columns",
            )
            return
        if len(rows) < 2:
            c.error(rel, doc, "matching needs at least two rows", ["table", "rows"], code="answer-key.matching-rows")
        for ri, row in enumerate(table["rows"]):
            for col in (key["prompt_column"], key["answer_column"]):
                if col not in row.get("cells", {}):
                    c.error(
                        rel,
                        doc,
                        f"row '{row['id']}' has no '{col}' cell, which the matching question needs",
                        ["table", "rows", ri],
                        code="answer-key.matching-cell",
                    )
        if answers:
            c.error(
                rel,
                doc,
                "matching takes its answers from 'answer_column'; remove 'answers'",
                kp + ["answers"],
                code="answer-key.matching-answers",
            )
    elif build == LIKERT:
        if not table or "stem" not in key or len(option_ids) < 2:
            c.error(
                rel,
                doc,
                "likert needs a table, a 'stem' with {column} placeholders and the scale in 'options'",
                kp,
                code="answer-key.likert-shape",
            )
        if answers:
            c.error(
                rel,
                doc,
                "a self-assessment has no correct answers; remove 'answers'",
                kp + ["answers"],
                code="answer-key.likert-answers",
            )
    elif build == ESSAY:
        if table and "stem" not in key:
            c.error(
                rel,
                doc,
                "an essay built from a table needs a 'stem' with {column} placeholders",
                kp,
                code="answer-key.essay-stem",
            )
        if answers:
            c.error(
                rel,
                doc,
                "essay questions have no correct answers; remove 'answers'",
                kp + ["answers"],
                code="answer-key.essay-answers",
            )
    rows_tagged = bool(table) and all(row.get("competences") for row in table["rows"])
    if (
        c.tagging
        and outcome_ids is not None
        and not _effective(key, outcome_ids)
        and not rows_tagged
        and not all(a.get("competences") for a in answers or [{}])
    ):
        c.error(
            rel,
            doc,
            "questions built from this worksheet are tagged with no competence; add 'competences' "
            "or 'outcomes' to the answer key",
            kp,
            code="answer-key.untagged",
        )


def _worksheet_question_ids(ws: dict) -> list[str]:
    key = ws["answer_key"]
    if key["build"] == MATCHING:
        return [generated_question_id(ws["id"])]
    if ws.get("table"):
        return [generated_question_id(ws["id"], row["id"]) for row in ws["table"]["rows"]]
    return [generated_question_id(ws["id"], p["id"]) for p in ws.get("prompts", [])]


def _check_coverage(c: _Checker, checked: Checked):
    for uid, doc in checked.units.items():
        u = doc.data
        assessed = set()
        for q in u.get("questions", []):
            assessed.update(q.get("outcomes", []))
        for case in u.get("cases", []):
            for q in case.get("questions", []):
                assessed.update(q.get("outcomes", []))
        for quiz in u.get("quizzes", []):
            for ref in quiz["questions"]:
                kind, _, target = ref.rpartition(":")
                if kind == "worksheet" and target in checked.worksheets:
                    assessed.update(checked.worksheets[target].data.get("answer_key", {}).get("outcomes", []))
        for activity in u.get("activities", []):
            assessed.update(activity.get("outcomes", []))
        for oi, outcome in enumerate(u["outcomes"]):
            if outcome["id"] not in assessed:
                c.warning(
                    f"{checked.source_language}/units/{uid}.yaml",
                    doc,
                    f"outcome '{outcome['id']}' is served by no activity and assessed by no question",
                    ["outcomes", oi],
                    code="outcome.unassessed",
                )


def source_files(checked: Checked) -> list[tuple[str, yamlfile.Document, str]]:
    """The source files that translations mirror, (path in the language folder, document, kind),
    in the order catalogues list them."""
    files = [("course.yaml", checked.course, "course")]
    files += [(f"units/{uid}.yaml", doc, "unit") for uid, doc in checked.units.items()]
    files += [(f"worksheets/{wid}.yaml", doc, "worksheet") for wid, doc in sorted(checked.worksheets.items())]
    return files


def _check_translation(c: _Checker, checked: Checked, lang: str, broken: set[str]):
    folder = checked.folder
    if not (folder.root / lang).is_dir():
        c.report.warning(
            c.file(lang),
            f"no folder for language '{lang}': every text falls back to "
            f"'{checked.source_language}' (create it with the same files, text only)",
            code="translation.no-folder",
        )
        return
    sources = {rel: (doc, kind) for rel, doc, kind in source_files(checked)}
    docs = checked.translations.setdefault(lang, {})
    for rel in folders.translation_files(folder, lang):
        full = f"{lang}/{rel}"
        if rel.startswith("_"):
            continue  # moocpack's own files, such as the l10n lock
        if not rel.endswith(".yaml"):
            c.report.error(
                c.file(full),
                "translation folders hold only .yaml files mirroring the source folder",
                code="translation.stray-file",
            )
            continue
        if rel in broken:
            continue
        if rel not in sources:
            c.report.error(
                c.file(full),
                f"no file '{rel}' in the source folder '{checked.source_language}/'; "
                "a translation file must mirror a source file",
                code="translation.file-without-source",
            )
            continue
        doc = c.read(full)
        if doc is None:
            continue
        source_doc, kind = sources[rel]
        if doc.merge is not None:  # merged when it was read ahead: what is missing and done came back
            missing, done, errors = doc.merge
            checked.merges[(lang, rel)] = (None, missing, done)
        else:
            merge = Merge(checked.source_language, lang, rel, doc)
            # Loading this language reuses the merge (the text of a large course is merged once).
            checked.merges[(lang, rel)] = (merge.run(source_doc.data, kind), merge.missing, merge.done)
            errors = merge.errors
        for message, pointer, position in errors:
            c.report.error(c.file(full), message, pointer, position, code="translation.invalid")
        docs[rel] = doc
        c.markdown(full, doc, kind)
