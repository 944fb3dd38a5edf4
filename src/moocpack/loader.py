"""Course folder → checked source → validated model for one language.

`check()` reads every file once and reports every problem it finds (syntax, schema, references,
translations, unsafe content) before anything is built. `load()` then resolves the course for one
language into the immutable model in `model.py`; exporters see only that.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from . import folder as folders
from . import markup, yamlfile
from . import schema as schemas
from .folder import CourseFolder
from .model import (
    ESSAY, LIKERT, MATCHING, MULTIPLE_RESPONSE, SHORT_TEXT, SINGLE_CHOICE, TRUE_FALSE, Activity, Asset,
    Case, Column, Competence, CompetenceCategory, Course, Duration, Framework, Html, Licence, ListItem,
    Option, Organisation, Outcome, Page, Pair, Question, Quiz, Reference, Row, Text, Unit, Worksheet,
)
from .problems import CourseError, Report
from .schema import suggest
from .translation import Merge, iter_units

MISSING_TRANSLATION = "missing translation"
STALE_TRANSLATION = "stale translation"


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

    @property
    def source_language(self) -> str:
        return self.folder.source_language

    @property
    def languages(self) -> list[str]:
        return list(self.course.data["languages"])


# ---------------------------------------------------------------------------------------------
# Checking

class _Checker:
    def __init__(self, folder: CourseFolder, report: Report):
        self.folder = folder
        self.report = report
        self.src = folder.source_language

    def file(self, relative: str) -> str:
        return self.folder.display(relative)

    def error(self, rel: str, doc: yamlfile.Document, message: str, path=(), key=False):
        pointer = yamlfile.pointer_of(path)
        self.report.error(self.file(rel), message, pointer, doc.position(pointer, key=key))

    def warning(self, rel: str, doc: yamlfile.Document, message: str, path=(), key=False):
        pointer = yamlfile.pointer_of(path)
        self.report.warning(self.file(rel), message, pointer, doc.position(pointer, key=key))

    def schema(self, rel: str, doc: yamlfile.Document, kind: str) -> bool:
        errors = sorted(schemas.validator(kind).iter_errors(doc.data), key=lambda e: list(map(str, e.absolute_path)))
        for err in errors:
            message, path, key = schemas.explain(err)
            self.error(rel, doc, message, path, key)
        return not errors

    def read(self, rel: str) -> yamlfile.Document | None:
        return folders.read(self.folder, rel, self.report)

    def unique_ids(self, rel, doc, items, path, seen: dict | None = None, what="id"):
        seen = {} if seen is None else seen
        for index, item in enumerate(items or []):
            if isinstance(item, dict) and "id" in item:
                if item["id"] in seen:
                    self.error(rel, doc, f"duplicate {what} '{item['id']}' (also used at {seen[item['id']]})",
                               list(path) + [index, "id"])
                else:
                    line, col = doc.position(yamlfile.pointer_of(list(path) + [index, "id"]))
                    seen[item["id"]] = f"{self.file(rel)}:{line}"
        return seen

    def markdown(self, rel: str, doc: yamlfile.Document, kind: str):
        for _, pointer, text_kind, value in iter_units(doc.data, kind):
            if text_kind != "markdown":
                continue
            path = [yamlfile.unescape(p) for p in pointer.split("/")[1:]]
            rendered = _render(value)
            for what in rendered.removed:
                dangerous = any(w in what for w in ("script", " on", "javascript", "style", "iframe",
                                                     "object", "embed", "':' link", "link"))
                message = (f"unsafe HTML refused: {what}; remove it" if dangerous
                           else f"HTML not in the allowlist is removed on export: {what}")
                (self.error if dangerous else self.warning)(rel, doc, message, path)
            for link in rendered.local_links:
                target = link.split("#")[0].split("?")[0]
                if not target:
                    continue
                candidate = self.folder.root / target
                if not folders.inside(self.folder.root, candidate):
                    self.error(rel, doc, f"link '{link}' leads outside the course folder", path)
                elif not candidate.is_file():
                    self.error(rel, doc, f"link '{link}' points to a file that does not exist in the course folder "
                                         "(paths are relative to the course folder)", path)


def check(path: str | Path, report: Report) -> Checked | None:
    """Check a whole course folder, every language; return None if there is any error."""
    folder = folders.open_folder(Path(path), report)
    if folder is None:
        return None
    c = _Checker(folder, report)
    src = folder.source_language
    course_rel = f"{src}/course.yaml"
    course = folder.documents[course_rel]
    # Even when course.yaml has schema errors, go on with what can be read from it, so that
    # problems in the units are reported in the same run.
    course_ok = c.schema(course_rel, course, "course")
    raw = course.data

    def strings(key, default=()):
        value = raw.get(key, default)
        return [v for v in value if isinstance(v, str)] if isinstance(value, list) else list(default)

    data = {**raw, "languages": strings("languages", [src]), "units": strings("units"),
            "frameworks": strings("frameworks")}
    if src not in data["languages"]:
        c.error(course_rel, course, f"the source language '{src}' must be listed in languages", ["languages"])

    checked = Checked(folder, course, {}, {}, {})
    broken: set[str] = set() if course_ok else {"course.yaml"}  # failed source files: not judged further
    # Frameworks
    competence_ids: dict[str, str] = {}
    category_ids: set[str] = set()
    for index, fid in enumerate(data["frameworks"]):
        rel = f"competences/{fid}.yaml"
        if not folder.exists(rel) and not (folder.root / rel).is_symlink():
            c.error(course_rel, course, f"framework file '{rel}' not found", ["frameworks", index])
            continue
        doc = c.read(rel)
        if doc is None or not c.schema(rel, doc, "competences"):
            continue
        checked.frameworks[fid] = doc
        fw = doc.data
        if fw["id"] != fid:
            c.error(rel, doc, f"framework id '{fw['id']}' must match the file name '{fid}'", ["id"])
        for ci, category in enumerate(fw["categories"]):
            if not category["id"].startswith(fid + "."):
                c.error(rel, doc, f"category id '{category['id']}' must start with '{fid}.'", ["categories", ci, "id"])
            if category["id"] in category_ids or category["id"] in competence_ids:
                c.error(rel, doc, f"duplicate competence id '{category['id']}'", ["categories", ci, "id"])
            category_ids.add(category["id"])
            for ii, item in enumerate(category["items"]):
                if not item["id"].startswith(category["id"] + "."):
                    c.error(rel, doc, f"item id '{item['id']}' must start with its category id '{category['id']}.'",
                            ["categories", ci, "items", ii, "id"])
                if item["id"] in competence_ids or item["id"] in category_ids:
                    c.error(rel, doc, f"duplicate competence id '{item['id']}'", ["categories", ci, "items", ii, "id"])
                competence_ids[item["id"]] = fid
                for lang in item["text"]:
                    if lang not in data["languages"] and lang != fw["source_language"]:
                        c.warning(rel, doc, f"text in '{lang}', which the course does not publish",
                                  ["categories", ci, "items", ii, "text", lang], key=True)

    def check_competences(rel, doc, ids, path):
        for index, cid in enumerate(ids or []):
            if cid in competence_ids:
                continue
            if cid in category_ids:
                c.error(rel, doc, f"'{cid}' is a category; tag competence items such as '{cid}.1'", list(path) + [index])
            else:
                c.error(rel, doc, f"unknown competence '{cid}'{suggest(cid, competence_ids)}", list(path) + [index])

    # Units
    question_ids: dict[str, str] = {}
    worksheet_users: dict[str, list] = {}
    seen_units: dict[str, str] = {}
    for index, uid in enumerate(data["units"]):
        rel = f"{src}/units/{uid}.yaml"
        if not (folder.root / rel).exists() and not (folder.root / rel).is_symlink():
            available = [p.stem for p in (folder.root / src / "units").glob("*.yaml")]
            c.error(course_rel, course, f"unit file 'units/{uid}.yaml' not found{suggest(uid, available)}",
                    ["units", index])
            continue
        doc = c.read(rel)
        if doc is None or not c.schema(rel, doc, "unit"):
            broken.add(f"units/{uid}.yaml")
            continue
        checked.units[uid] = doc
        u = doc.data
        if u["id"] != uid:
            c.error(rel, doc, f"unit id '{u['id']}' must match the file name and course.yaml ('{uid}')", ["id"])
        seen_units[uid] = rel
        local: dict = {}
        for key in ("outcomes", "materials", "conceptual_contents", "pages", "activities", "cases", "questions",
                    "quizzes", "bibliography", "assets"):
            c.unique_ids(rel, doc, u.get(key), [key], local)
        outcome_ids = {o["id"]: o for o in u["outcomes"]}
        case_ids = {k["id"]: k for k in u.get("cases", [])}

        def check_outcomes(ids, path):
            for i, oid in enumerate(ids or []):
                if oid not in outcome_ids:
                    c.error(rel, doc, f"unknown outcome '{oid}'{suggest(oid, outcome_ids)}", list(path) + [i])

        for oi, outcome in enumerate(u["outcomes"]):
            check_competences(rel, doc, outcome["competences"], ["outcomes", oi, "competences"])
        for ai, activity in enumerate(u.get("activities", [])):
            check_outcomes(activity.get("outcomes"), ["activities", ai, "outcomes"])
            check_competences(rel, doc, activity.get("competences"), ["activities", ai, "competences"])
            if "worksheet" in activity:
                worksheet_users.setdefault(activity["worksheet"], []).append((rel, doc, ["activities", ai, "worksheet"]))
            if "case" in activity and activity["case"] not in case_ids:
                c.error(rel, doc, f"unknown case '{activity['case']}'{suggest(activity['case'], case_ids)}",
                        ["activities", ai, "case"])
        for ki, case in enumerate(u.get("cases", [])):
            c.unique_ids(rel, doc, case.get("questions"), ["cases", ki, "questions"])
            for qi, q in enumerate(case.get("questions", [])):
                path = ["cases", ki, "questions", qi]
                check_outcomes(q.get("outcomes"), path + ["outcomes"])
                check_competences(rel, doc, q.get("competences"), path + ["competences"])
                _claim(c, rel, doc, question_ids, f"{case['id']}.{q['id']}", path + ["id"])
                if not _effective(q, outcome_ids):
                    c.error(rel, doc, "this reflection question is tagged with no competence; add 'competences' "
                                      "or 'outcomes'", path)
        for qi, q in enumerate(u.get("questions", [])):
            path = ["questions", qi]
            check_outcomes(q.get("outcomes"), path + ["outcomes"])
            check_competences(rel, doc, q.get("competences"), path + ["competences"])
            _claim(c, rel, doc, question_ids, q["id"], path + ["id"])
            _check_question(c, rel, doc, q, path)
            if not _effective(q, outcome_ids):
                c.error(rel, doc, f"question '{q['id']}' is tagged with no competence; add 'competences' or 'outcomes'",
                        path)
        own_questions = {q["id"] for q in u.get("questions", [])}
        for zi, quiz in enumerate(u.get("quizzes", [])):
            for ri, ref in enumerate(quiz["questions"]):
                path = ["quizzes", zi, "questions", ri]
                kind, _, target = ref.rpartition(":")
                if kind == "worksheet":
                    worksheet_users.setdefault(target, []).append((rel, doc, path, True, outcome_ids))
                elif kind == "case":
                    if target not in case_ids:
                        c.error(rel, doc, f"unknown case '{target}'{suggest(target, case_ids)}", path)
                    elif not case_ids[target].get("questions"):
                        c.error(rel, doc, f"case '{target}' has no questions to put in a quiz", path)
                elif ref not in own_questions:
                    c.error(rel, doc, f"unknown question '{ref}'{suggest(ref, own_questions)}; questions of a quiz "
                                      "are this unit's question ids, 'worksheet:<id>' or 'case:<id>'", path)
        for si, asset in enumerate(u.get("assets", [])):
            pointer_path = ["assets", si, "path"]
            content = folders.asset_bytes(folder, asset["path"], report, c.file(rel),
                                          yamlfile.pointer_of(pointer_path),
                                          doc.position(yamlfile.pointer_of(pointer_path)))
            if content is not None:
                checked.assets[asset["path"]] = content
        c.markdown(rel, doc, "unit")

    # Worksheets
    present = {p.stem for p in (folder.root / src / "worksheets").glob("*.yaml")}
    for wid in sorted(present | set(worksheet_users)):
        users = worksheet_users.get(wid, [])
        rel = f"{src}/worksheets/{wid}.yaml"
        if not (folder.root / rel).exists() and not (folder.root / rel).is_symlink():
            available = [p.stem for p in (folder.root / src / "worksheets").glob("*.yaml")]
            for user in users:
                c.error(user[0], user[1], f"worksheet file 'worksheets/{wid}.yaml' not found{suggest(wid, available)}",
                        user[2])
            continue
        doc = c.read(rel)
        if doc is None or not c.schema(rel, doc, "worksheet"):
            broken.add(f"worksheets/{wid}.yaml")
            continue
        checked.worksheets[wid] = doc
        if doc.data["id"] != wid:
            c.error(rel, doc, f"worksheet id '{doc.data['id']}' must match the file name '{wid}'", ["id"])
        quiz_users = [u for u in users if len(u) > 3]
        if quiz_users and "answer_key" not in doc.data:
            for user in quiz_users:
                c.error(user[0], user[1], f"worksheet '{wid}' has no answer_key, so no questions can be built from it",
                        user[2])
        outcome_sets = [u[4] for u in quiz_users] or [{}]
        _check_answer_key(c, rel, doc, outcome_sets[0], check_competences)
        if "answer_key" in doc.data:
            for qid in _worksheet_question_ids(doc.data):
                _claim(c, rel, doc, question_ids, qid, ["answer_key"])
        c.markdown(rel, doc, "worksheet")
    for path in sorted((folder.root / src / "worksheets").glob("*.yaml")):
        if path.stem not in worksheet_users and not broken:
            c.report.warning(c.file(f"{src}/worksheets/{path.name}"), "worksheet is not used by any activity or quiz")
    for path in sorted((folder.root / src / "units").glob("*.yaml")):
        if path.stem not in data["units"]:
            c.report.warning(c.file(f"{src}/units/{path.name}"), "unit file is not listed in course.yaml 'units'")
    c.markdown(course_rel, course, "course")

    # Every outcome should be assessed by something.
    _check_coverage(c, checked)

    # Translations
    for lang in data["languages"]:
        if lang == src:
            continue
        _check_translation(c, checked, lang, broken)
    for child in sorted(p for p in folder.root.iterdir() if p.is_dir()):
        if child.name not in data["languages"] and child.name not in ("competences", "assets") \
                and (child / "course.yaml").exists():
            report.warning(str(folder.display_root / child.name),
                           f"language folder '{child.name}' is not listed in course.yaml 'languages'")
    if report.errors:
        return None
    return checked


def _claim(c: _Checker, rel, doc, seen: dict, qid: str, path):
    if qid in seen:
        c.error(rel, doc, f"duplicate question id '{qid}' (also used at {seen[qid]})", path)
    else:
        line, _ = doc.position(yamlfile.pointer_of(path))
        seen[qid] = f"{c.file(rel)}:{line}"


def _effective(q: dict, outcome_ids: dict) -> set:
    found = set(q.get("competences", []))
    for oid in q.get("outcomes", []):
        found.update(outcome_ids.get(oid, {}).get("competences", []))
    return found


def _check_question(c: _Checker, rel, doc, q: dict, path: list):
    qtype = q["type"]
    uses = {"options": (SINGLE_CHOICE, MULTIPLE_RESPONSE, LIKERT), "answer": (TRUE_FALSE,),
            "pairs": (MATCHING,), "answers": (SHORT_TEXT,), "case_sensitive": (SHORT_TEXT,)}
    for key, types in uses.items():
        if key in q and qtype not in types:
            c.error(rel, doc, f"'{key}' has no meaning for a {qtype} question", path + [key], key=True)
    options = q.get("options", [])
    correct = [o for o in options if o.get("correct")]
    if qtype == SINGLE_CHOICE and len(correct) != 1:
        c.error(rel, doc, f"a single_choice question needs exactly one option with 'correct: true' "
                          f"(found {len(correct)})", path + ["options"])
    if qtype == MULTIPLE_RESPONSE and not correct:
        c.error(rel, doc, "a multiple_response question needs at least one option with 'correct: true'",
                path + ["options"])
    if qtype == LIKERT and correct:
        c.error(rel, doc, "a likert (self-assessment) question has no correct option; remove 'correct'",
                path + ["options"])
    c.unique_ids(rel, doc, options, path + ["options"])
    c.unique_ids(rel, doc, q.get("pairs"), path + ["pairs"])
    c.unique_ids(rel, doc, q.get("answers"), path + ["answers"])
    if qtype == MATCHING:
        prompts = [p["prompt"] for p in q.get("pairs", [])]
        if len(set(prompts)) != len(prompts):
            c.error(rel, doc, "two pairs of this matching question have the same prompt", path + ["pairs"])
    if qtype == LIKERT and q.get("graded"):
        c.error(rel, doc, "a likert (self-assessment) question cannot be graded", path + ["graded"], key=True)


_PLACEHOLDER = re.compile(r"\{([a-z0-9][a-z0-9-]*)\}")


def _check_answer_key(c: _Checker, rel, doc, outcome_ids: dict, check_competences):
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
            check_competences(rel, doc, row.get("competences"), ["table", "rows", ri, "competences"])
            for cell in row.get("cells", {}):
                if cell not in columns:
                    c.error(rel, doc, f"unknown column '{cell}'{suggest(cell, columns)}",
                            ["table", "rows", ri, "cells", cell], key=True)
    if not key:
        return
    build = key["build"]
    kp = ["answer_key"]
    for oi, oid in enumerate(key.get("outcomes", [])):
        if outcome_ids and oid not in outcome_ids:
            c.error(rel, doc, f"unknown outcome '{oid}' in the unit that quizzes this worksheet"
                              f"{suggest(oid, outcome_ids)}", kp + ["outcomes", oi])
    check_competences(rel, doc, key.get("competences"), kp + ["competences"])
    for name in ("prompt_columns",):
        for i, col in enumerate(key.get(name, [])):
            if col not in columns:
                c.error(rel, doc, f"unknown column '{col}'{suggest(col, columns)}", kp + [name, i])
    for name in ("prompt_column", "answer_column"):
        if name in key and key[name] not in columns:
            c.error(rel, doc, f"unknown column '{key[name]}'{suggest(key[name], columns)}", kp + [name])
    for placeholder in _PLACEHOLDER.findall(key.get("stem", "")):
        if placeholder not in columns:
            c.error(rel, doc, f"placeholder '{{{placeholder}}}' names no column{suggest(placeholder, columns)}",
                    kp + ["stem"])
    answers = key.get("answers", [])
    c.unique_ids(rel, doc, answers, kp + ["answers"])
    option_ids = [o["id"] for o in key.get("options", [])]
    if build in (TRUE_FALSE, SINGLE_CHOICE):
        if not table:
            c.error(rel, doc, f"'{build}' questions are built from table rows; this worksheet has no table", kp + ["build"])
            return
        if "stem" not in key:
            c.error(rel, doc, f"'{build}' needs a 'stem': the question asked of every row", kp, key=False)
        if build == SINGLE_CHOICE and not option_ids:
            c.error(rel, doc, "single_choice needs 'options' offered for every row", kp)
        answered = set()
        for ai, answer in enumerate(answers):
            path = kp + ["answers", ai]
            if answer["id"] not in rows:
                c.error(rel, doc, f"the answer key names row '{answer['id']}', which the table does not have"
                                  f"{suggest(answer['id'], rows)}", path + ["id"])
            answered.add(answer["id"])
            value = answer["answer"]
            if build == TRUE_FALSE and not isinstance(value, bool):
                c.error(rel, doc, f"a true_false answer must be true or false, not '{value}'", path + ["answer"])
            if build == SINGLE_CHOICE and value not in option_ids:
                c.error(rel, doc, f"'{value}' is not one of the options{suggest(value, option_ids)}", path + ["answer"])
            check_competences(rel, doc, answer.get("competences"), path + ["competences"])
        for row in rows:
            if row not in answered:
                c.error(rel, doc, f"row '{row}' has no answer in the answer key; every row becomes a question and "
                                  "needs a correct answer", kp + ["answers"])
    elif build == MATCHING:
        if not table or "prompt_column" not in key or "answer_column" not in key:
            c.error(rel, doc, "matching needs a table, 'prompt_column' and 'answer_column'", kp)
            return
        if len(rows) < 2:
            c.error(rel, doc, "matching needs at least two rows", ["table", "rows"])
        for ri, row in enumerate(table["rows"]):
            for col in (key["prompt_column"], key["answer_column"]):
                if col not in row.get("cells", {}):
                    c.error(rel, doc, f"row '{row['id']}' has no '{col}' cell, which the matching question needs",
                            ["table", "rows", ri])
        if answers:
            c.error(rel, doc, "matching takes its answers from 'answer_column'; remove 'answers'", kp + ["answers"])
    elif build == LIKERT:
        if not table or "stem" not in key or len(option_ids) < 2:
            c.error(rel, doc, "likert needs a table, a 'stem' with {column} placeholders and the scale in 'options'", kp)
        if answers:
            c.error(rel, doc, "a self-assessment has no correct answers; remove 'answers'", kp + ["answers"])
    elif build == ESSAY:
        if table and "stem" not in key:
            c.error(rel, doc, "an essay built from a table needs a 'stem' with {column} placeholders", kp)
        if answers:
            c.error(rel, doc, "essay questions have no correct answers; remove 'answers'", kp + ["answers"])
    rows_tagged = bool(table) and all(row.get("competences") for row in table["rows"])
    if not _effective(key, outcome_ids) and not rows_tagged and not all(a.get("competences") for a in answers or [{}]):
        c.error(rel, doc, "questions built from this worksheet are tagged with no competence; add 'competences' "
                          "or 'outcomes' to the answer key", kp)


def _worksheet_question_ids(ws: dict) -> list[str]:
    key = ws["answer_key"]
    if key["build"] == MATCHING:
        return [ws["id"]]
    if ws.get("table"):
        return [f"{ws['id']}.{row['id']}" for row in ws["table"]["rows"]]
    return [f"{ws['id']}.{p['id']}" for p in ws.get("prompts", [])]


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
                c.warning(f"{checked.source_language}/units/{uid}.yaml", doc,
                          f"outcome '{outcome['id']}' is served by no activity and assessed by no question",
                          ["outcomes", oi])


def _source_files(checked: Checked) -> dict[str, tuple[yamlfile.Document, str]]:
    files = {"course.yaml": (checked.course, "course")}
    files.update({f"units/{uid}.yaml": (doc, "unit") for uid, doc in checked.units.items()})
    files.update({f"worksheets/{wid}.yaml": (doc, "worksheet") for wid, doc in checked.worksheets.items()})
    return files


def _check_translation(c: _Checker, checked: Checked, lang: str, broken: set[str]):
    folder = checked.folder
    if not (folder.root / lang).is_dir():
        c.report.warning(c.file(lang), f"no folder for language '{lang}': every text falls back to "
                                       f"'{checked.source_language}' (create it with the same files, text only)")
        return
    sources = _source_files(checked)
    docs = checked.translations.setdefault(lang, {})
    for rel in folders.translation_files(folder, lang):
        full = f"{lang}/{rel}"
        if rel.startswith("_"):
            continue  # moocpack's own files, such as the l10n lock
        if not rel.endswith(".yaml"):
            c.report.error(c.file(full), "translation folders hold only .yaml files mirroring the source folder")
            continue
        if rel in broken:
            continue
        if rel not in sources:
            c.report.error(c.file(full), f"no file '{rel}' in the source folder '{checked.source_language}/'; "
                                         "a translation file must mirror a source file")
            continue
        doc = c.read(full)
        if doc is None:
            continue
        source_doc, kind = sources[rel]
        merge = Merge(checked.source_language, lang, rel, doc)
        merge.run(source_doc.data, kind)
        for message, pointer, position in merge.errors:
            c.report.error(c.file(full), message, pointer, position)
        docs[rel] = doc
        c.markdown(full, doc, kind)


# ---------------------------------------------------------------------------------------------
# Resolving one language

@lru_cache(maxsize=20000)
def _render(text: str) -> markup.Rendered:
    return markup.render(text)


def _html(value) -> Html | None:
    if value is None:
        return None
    lang = getattr(value, "lang", "")
    return Html(_render(str(value)).html, lang)


def _text(value) -> Text | None:
    if value is None:
        return None
    return value if isinstance(value, Text) else Text(str(value), "")


def parse_duration(value: str | None) -> Duration | None:
    if not value:
        return None
    match = re.match(r"^(\d+(?:\.\d+)?)(?:\s*-\s*(\d+(?:\.\d+)?))?\s*(min|h)$", value)
    factor = 60 if match.group(3) == "h" else 1
    low = float(match.group(1)) * factor
    high = float(match.group(2)) * factor if match.group(2) else low
    return Duration(low, high)


@lru_cache(maxsize=None)
def messages(lang: str) -> dict:
    """moocpack's own interface strings (buttons, labels) for a language, falling back to English."""
    folder = resources.files("moocpack.messages")
    english = yamlfile_load(folder.joinpath("en.yaml").read_text("utf-8"))
    name = folder.joinpath(f"{lang}.yaml")
    own = yamlfile_load(name.read_text("utf-8")) if name.is_file() else {}
    if not own and "-" in lang:
        return messages(lang.split("-")[0])
    return {**english, **own}


def yamlfile_load(text: str) -> dict:
    import yaml
    return yaml.safe_load(text) or {}


class _Resolver:
    def __init__(self, checked: Checked, lang: str, report: Report):
        self.checked = checked
        self.lang = lang
        self.src = checked.source_language
        self.report = report
        self.messages = messages(lang)
        self._lock: dict | None = None

    def merged(self, rel: str, doc: yamlfile.Document, kind: str) -> dict:
        target = doc if self.lang == self.src else self.checked.translations.get(self.lang, {}).get(rel)
        merge = Merge(self.src, self.lang, rel, target)
        data = merge.run(doc.data, kind)
        where = self.checked.folder.display(f"{self.lang}/{rel}")
        for key in merge.missing:
            self.report.warning(where, f"{MISSING_TRANSLATION} ({self.lang}): falls back to '{self.src}'", key)
        if target is not None and self.lang != self.src:
            self.stale_warnings(rel, doc, kind, where)
        return data

    def stale_warnings(self, rel: str, doc: yamlfile.Document, kind: str, where: str) -> None:
        """A translation whose source changed since it was accepted is still used, with a warning."""
        from .l10n.catalog import digest, read_lock
        from .translation import iter_units, key_of
        if self._lock is None:
            self._lock = read_lock(self.checked, self.lang)
        for segments, _, _, value in iter_units(doc.data, kind):
            entry = self._lock.get(key_of(rel, segments))
            if entry and (entry.get("fuzzy") or entry.get("source_sha") != digest(value)):
                self.report.warning(where, f"{STALE_TRANSLATION} ({self.lang}): the source changed since it was "
                                           "translated; the old translation is used",
                                    "".join("/" + yamlfile.escape(n) for _, n in segments))

    def multilingual(self, values: dict | None, fw_source: str, where: str, pointer: str) -> Text | None:
        if not values:
            return None
        for candidate in (self.lang, self.src, fw_source):
            if candidate in values:
                if candidate != self.lang:
                    self.report.warning(where, f"{MISSING_TRANSLATION} ({self.lang}): falls back to '{candidate}'",
                                        pointer)
                return Text(values[candidate], candidate)
        lang, value = next(iter(values.items()))
        return Text(value, lang)

    def framework(self, fid: str, doc: yamlfile.Document) -> Framework:
        fw = doc.data
        where = self.checked.folder.display(f"competences/{fid}.yaml")
        src = fw["source_language"]
        ml = lambda values, ptr: self.multilingual(values, src, where, ptr)  # noqa: E731
        categories = []
        for category in fw["categories"]:
            items = tuple(
                Competence(item["id"], item.get("number", item["id"].rsplit(".", 1)[-1]),
                           ml(item["text"], f"/{item['id']}/text"), category["id"], fid)
                for item in category["items"])
            categories.append(CompetenceCategory(category["id"], category.get("number", category["id"].rsplit(".", 1)[-1]),
                                                 ml(category["title"], f"/{category['id']}/title"), items))
        description = fw.get("description")
        note = (fw.get("translation_notes") or {}).get(self.lang)
        return Framework(
            id=fid, title=ml(fw["title"], "/title"),
            description=_html(ml(description, "/description")) if description else None,
            source=fw.get("source", ""), source_language=src,
            translation_note=Text(note, self.lang) if note else None, categories=tuple(categories))

    def worksheet(self, wid: str) -> tuple[Worksheet, dict]:
        data = self.merged(f"worksheets/{wid}.yaml", self.checked.worksheets[wid], "worksheet")
        table = data.get("table") or {}
        key = data.get("answer_key") or {}
        sheet = Worksheet(
            id=wid, number=data.get("number", ""), title=data["title"],
            instructions=_html(data.get("instructions")),
            columns=tuple(Column(col["id"], col["title"]) for col in table.get("columns", [])),
            rows=tuple(Row(row["id"], dict(row.get("cells", {})), tuple(row.get("competences", [])))
                       for row in table.get("rows", [])),
            prompts=tuple(ListItem(p["id"], _html(p["text"])) for p in data.get("prompts", [])),
            key_author=key.get("author"))
        return sheet, data

    def worksheet_questions(self, sheet: Worksheet, data: dict, outcomes: dict) -> tuple[Question, ...]:
        key = data.get("answer_key")
        if not key:
            return ()
        build = key["build"]
        source = f"worksheet:{sheet.id}"
        base_comp = list(key.get("competences", []))
        outcome_ids = tuple(key.get("outcomes", []))
        points = float(key.get("points", 1))
        general = _html(key.get("feedback"))
        columns = {col.id: col for col in sheet.columns}
        answers = {a["id"]: a for a in key.get("answers", [])}

        def competences(extra=()):
            found = dict.fromkeys(base_comp + list(extra))
            for oid in outcome_ids:
                found.update(dict.fromkeys(outcomes[oid].competences if oid in outcomes else ()))
            return tuple(found)

        def row_stem(row: Row) -> Html:
            stem = key.get("stem", "")
            rendered = _render(str(stem)).html if stem else ""
            lang = getattr(stem, "lang", self.lang)
            if _PLACEHOLDER.search(str(stem)):
                rendered = _PLACEHOLDER.sub(lambda m: _escape(row.cells.get(m.group(1), "")), rendered)
                return Html(rendered, lang)
            shown = key.get("prompt_columns") or [c.id for c in sheet.columns]
            items = "".join(f"<dt>{_escape(columns[cid].title)}</dt><dd>{_escape(row.cells[cid])}</dd>"
                            for cid in shown if cid in row.cells)
            return Html(f'<dl class="situation">{items}</dl>{rendered}', lang)

        questions = []
        if build == MATCHING:
            pairs = tuple(Pair(row.id, row.cells[key["prompt_column"]], row.cells[key["answer_column"]])
                          for row in sheet.rows)
            questions.append(Question(
                id=sheet.id, type=MATCHING, stem=_html(key.get("stem")) or Html(_escape(sheet.title), sheet.title.lang),
                points=points, graded=True, competences=competences(), outcomes=outcome_ids, pairs=pairs,
                feedback=general, source=source))
        elif build in (TRUE_FALSE, SINGLE_CHOICE):
            for row in sheet.rows:
                answer = answers[row.id]
                feedback = _html(answer.get("feedback"))
                if build == TRUE_FALSE:
                    options = (Option("true", Text(self.messages["true"], self.lang), answer["answer"] is True),
                               Option("false", Text(self.messages["false"], self.lang), answer["answer"] is False))
                else:
                    options = tuple(Option(o["id"], o["text"], o["id"] == answer["answer"])
                                    for o in key["options"])
                questions.append(Question(
                    id=f"{sheet.id}.{row.id}", type=build, stem=row_stem(row), points=points, graded=True,
                    competences=competences(list(row.competences) + answer.get("competences", [])),
                    outcomes=outcome_ids,
                    options=options, feedback=_join(feedback, general), source=source))
        elif build == LIKERT:
            scale = tuple(Option(o["id"], o["text"]) for o in key["options"])
            for row in sheet.rows:
                questions.append(Question(
                    id=f"{sheet.id}.{row.id}", type=LIKERT, stem=row_stem(row), points=points, graded=False,
                    competences=competences(row.competences), outcomes=outcome_ids, options=scale,
                    feedback=general, source=source))
        elif build == ESSAY:
            graded = bool(key.get("graded", False))
            items = ([(row.id, row_stem(row), row.competences) for row in sheet.rows] if sheet.rows
                     else [(p.id, p.text, ()) for p in sheet.prompts])
            for item_id, stem, extra in items:
                questions.append(Question(
                    id=f"{sheet.id}.{item_id}", type=ESSAY, stem=stem, points=points, graded=graded,
                    competences=competences(extra), outcomes=outcome_ids, feedback=general, source=source))
        return tuple(questions)

    def question(self, q: dict, outcomes: dict) -> Question:
        qtype = q["type"]
        found = dict.fromkeys(q.get("competences", []))
        for oid in q.get("outcomes", []):
            found.update(dict.fromkeys(outcomes[oid].competences))
        if qtype == TRUE_FALSE:
            options = (Option("true", Text(self.messages["true"], self.lang), q["answer"] is True),
                       Option("false", Text(self.messages["false"], self.lang), q["answer"] is False))
        else:
            options = tuple(Option(o["id"], o["text"], bool(o.get("correct")), _html(o.get("feedback")))
                            for o in q.get("options", []))
        graded = q.get("graded", qtype not in (ESSAY, LIKERT)) and qtype != LIKERT
        return Question(
            id=q["id"], type=qtype, stem=_html(q["stem"]), points=float(q.get("points", 1)), graded=bool(graded),
            competences=tuple(found), outcomes=tuple(q.get("outcomes", [])), options=options,
            pairs=tuple(Pair(p["id"], p["prompt"], p["answer"]) for p in q.get("pairs", [])),
            answers=tuple(a["text"] for a in q.get("answers", [])),
            case_sensitive=bool(q.get("case_sensitive", False)),
            feedback=_html(q.get("feedback")), correct_feedback=_html(q.get("correct_feedback")),
            incorrect_feedback=_html(q.get("incorrect_feedback")))

    def unit(self, uid: str, course_pass_mark: int, worksheet_cache: dict, frameworks: dict) -> Unit:
        rel = f"units/{uid}.yaml"
        u = self.merged(rel, self.checked.units[uid], "unit")
        outcomes = {o["id"]: Outcome(o["id"], o["text"], tuple(o["competences"])) for o in u["outcomes"]}

        def sheet(wid):
            if wid not in worksheet_cache:
                worksheet_cache[wid] = self.worksheet(wid)
            return worksheet_cache[wid]

        def items(values):
            return tuple(ListItem(i["id"], i["text"]) for i in values or [])

        def direct_and_outcomes(entry):
            found = dict.fromkeys(entry.get("competences", []))
            for oid in entry.get("outcomes", []):
                found.update(dict.fromkeys(outcomes[oid].competences))
            return tuple(found)

        activities = tuple(
            Activity(id=a["id"], title=a["title"], duration=parse_duration(a.get("duration")),
                     procedure=_html(a["procedure"]), tips=_html(a.get("tips")), reference=a.get("reference"),
                     worksheet=sheet(a["worksheet"])[0] if "worksheet" in a else None, case_id=a.get("case"),
                     materials=items(a.get("materials")), outcomes=tuple(a.get("outcomes", [])),
                     competences=direct_and_outcomes(a))
            for a in u.get("activities", []))
        cases = []
        for k in u.get("cases", []):
            questions = tuple(
                Question(id=f"{k['id']}.{q['id']}", type=ESSAY, stem=_html(q["text"]), points=1.0, graded=False,
                         competences=direct_and_outcomes(q), outcomes=tuple(q.get("outcomes", [])),
                         source=f"case:{k['id']}")
                for q in k.get("questions", []))
            cases.append(Case(k["id"], k["title"], _html(k["body"]), questions))
        own = {q["id"]: self.question(q, outcomes) for q in u.get("questions", [])}
        by_case = {case.id: case.questions for case in cases}
        quizzes = []
        sheets_used = [a.worksheet for a in activities if a.worksheet]
        for z in u.get("quizzes", []):
            chosen = []
            for ref in z["questions"]:
                kind, _, target = ref.rpartition(":")
                if kind == "worksheet":
                    ws, data = sheet(target)
                    sheets_used.append(ws)
                    chosen.extend(self.worksheet_questions(ws, data, outcomes))
                elif kind == "case":
                    chosen.extend(by_case[target])
                else:
                    chosen.append(own[ref])
            quizzes.append(Quiz(
                id=z["id"], title=z["title"], introduction=_html(z.get("introduction")),
                graded=bool(z.get("graded", True)), pass_mark=int(z.get("pass_mark", course_pass_mark)),
                max_attempts=int(z.get("max_attempts", 0)), questions=tuple(chosen)))
        assets = tuple(Asset(a["id"], a["path"], a["title"], a.get("alt"), self.checked.assets.get(a["path"], b""))
                       for a in u.get("assets", []))
        unique_sheets = tuple({ws.id: ws for ws in sheets_used}.values())
        return Unit(
            id=uid, number=u.get("number", ""), title=u["title"], summary=u.get("summary"),
            duration=parse_duration(u.get("duration")), introduction=_html(u.get("introduction")),
            introduction_duration=parse_duration(u.get("introduction_duration")),
            outcomes=tuple(outcomes.values()), materials=items(u.get("materials")),
            conceptual_contents=items(u.get("conceptual_contents")),
            pages=tuple(Page(p["id"], p["title"], _html(p["body"])) for p in u.get("pages", [])),
            activities=activities, cases=tuple(cases), quizzes=tuple(quizzes), closure=_html(u.get("closure")),
            bibliography=tuple(Reference(b["id"], b["title"], tuple(b.get("authors", [])), b.get("year"),
                                         b.get("publisher"), b.get("url")) for b in u.get("bibliography", [])),
            assets=assets, worksheets=unique_sheets)

    def course(self) -> Course:
        c = self.merged("course.yaml", self.checked.course, "course")
        frameworks = {fid: self.framework(fid, doc) for fid, doc in self.checked.frameworks.items()}
        pass_mark = int(c.get("pass_mark", 70))
        worksheet_cache: dict = {}
        units = tuple(self.unit(uid, pass_mark, worksheet_cache, frameworks) for uid in c["units"])
        keywords = tuple(Text(k.strip(), c["keywords"].lang) for k in str(c.get("keywords", "")).split(",") if k.strip())
        licence = c["licence"]
        return Course(
            id=c["id"], version=str(c["version"]), date=c.get("date", "1980-01-01"), language=self.lang,
            source_language=self.src, languages=tuple(c["languages"]), title=c["title"],
            short_description=c["short_description"], description=_html(c["description"]),
            project=_html(c.get("project")), acknowledgement=_html(c.get("acknowledgement")), keywords=keywords,
            organisations=tuple(Organisation(o["id"], Text(o["name"], ""), Text(o["place"], "") if o.get("place") else None, o.get("url"), o.get("role"))
                                for o in c["organisations"]),
            licence=Licence(licence["id"], licence.get("url"), licence.get("notice")),
            effort=parse_duration(c["effort"]), pass_mark=pass_mark,
            frameworks=tuple(frameworks[fid] for fid in c["frameworks"]), units=units,
            messages=dict(self.messages), platform={"olx": dict(c.get("olx", {}))})


def _escape(text) -> str:
    import html
    return html.escape(str(text), quote=True)


def _join(*parts) -> Html | None:
    present = [p for p in parts if p]
    if not present:
        return None
    return Html("".join(present), present[0].lang)


def load(path: str | Path, language: str | None = None, report: Report | None = None,
         checked: Checked | None = None) -> Course:
    """Load a course for one language (default: the source language).

    Raises CourseError, carrying every problem, if the folder has errors. Warnings (missing
    translations and the like) are added to `report`.
    """
    report = report if report is not None else Report(Path(path))
    checked = checked or check(path, report)
    if checked is None:
        raise CourseError(report)
    lang = language or checked.source_language
    if lang not in checked.languages:
        report.error(checked.folder.display(f"{checked.source_language}/course.yaml"),
                     f"language '{lang}' is not one of the course's languages ({', '.join(checked.languages)})",
                     "/languages", checked.course.position("/languages"))
        raise CourseError(report)
    return _Resolver(checked, lang, report).course()
