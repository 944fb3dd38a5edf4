"""Loading a course: the checked source resolved into the immutable model for one language.

`checks.check()` has already reported every problem; `load()` merges one language's text into
the source structure, renders Markdown, builds questions from worksheets and cases, and returns
the `Course` that exporters read. Exporters never see YAML.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

from . import kinds, lockfile, markup, media, yamlfile
from .checks import _PLACEHOLDER, Checked, check, cycle_collector_paused
from .model import (
    ESSAY,
    LIKERT,
    MATCHING,
    SINGLE_CHOICE,
    TRUE_FALSE,
    Activity,
    Asset,
    Case,
    Column,
    Competence,
    CompetenceCategory,
    Course,
    Duration,
    Framework,
    Html,
    Licence,
    ListItem,
    Media,
    MediaFile,
    Option,
    Organisation,
    Outcome,
    Page,
    Pair,
    Prompt,
    Question,
    Quiz,
    Reference,
    Row,
    Text,
    Track,
    Unit,
    Worksheet,
    generated_question_id,
    inherited_competences,
)
from .problems import MISSING_TRANSLATION, STALE_TRANSLATION, CourseError, Report
from .translation import Merge, merged_text

__all__ = ["Checked", "CourseError", "check", "load"]


# ---------------------------------------------------------------------------------------------
# Resolving one language


def _html(value) -> Html | None:
    """Markdown from the course, rendered and sanitised; None where the field is not given."""
    return None if value is None else _markdown(value)


def _markdown(value) -> Html:
    """A field the schema requires, rendered and sanitised (see _html)."""
    return Html(markup.render_cached(str(value)).html, getattr(value, "lang", ""))


def parse_duration(value: str | None) -> Duration | None:
    return duration(value) if value else None


def duration(value: str) -> Duration:
    """A duration the schema's pattern allows ("20 min", "1-1.5 h"), so always a match."""
    match = re.match(r"^(\d+(?:\.\d+)?)(?:\s*-\s*(\d+(?:\.\d+)?))?\s*(min|h)$", value)
    assert match is not None, f"not a duration the schema allows: {value!r}"
    factor = 60 if match.group(3) == "h" else 1
    low = float(match.group(1)) * factor
    high = float(match.group(2)) * factor if match.group(2) else low
    return Duration(low, high)


@lru_cache(maxsize=None)
def messages(lang: str) -> dict:
    """moocpack's own interface strings (buttons, labels) for a language, falling back to English."""
    english = catalogue("en") or {}
    own = catalogue(lang) or {}
    if not own and "-" in lang:
        return messages(lang.split("-")[0])
    # Without a catalogue of its own a language still must not call itself "English".
    return {**english, "language_name": lang, **own}


@lru_cache(maxsize=None)
def catalogue(lang: str) -> dict | None:
    """One interface catalogue as it is (not to be changed), None if there is no file for the
    language; read once (English is every language's fallback) and with the C parser where
    there is one (the pure-Python one took a tenth of a small course's build)."""
    path = resources.files("moocpack.messages").joinpath(f"{lang}.yaml")
    if not path.is_file():
        return None
    return yaml.load(path.read_text("utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}


def _own(values: dict, lang: str) -> Text:
    """A framework text in the framework's own language (the first given, if that one is not)."""
    if lang in values:
        return Text(values[lang], lang)
    first, value = next(iter(values.items()))
    return Text(value, first)


class _Resolver:
    def __init__(self, checked: Checked, lang: str, report: Report, quiet: bool = False, memo: dict | None = None):
        self.checked = checked
        # Units built by an earlier load of the same course (the preview server's): a unit whose
        # files (parsed documents, kept while unchanged), worksheets, interface and media are
        # the same is not built again.
        self.memo = memo
        # Part of every memo key: the course's files, compared by content (read anew each check).
        self.media = tuple(sorted(checked.assets.items())) if memo is not None else ()
        self.lang = lang
        self.src = checked.source_language
        self.report = report
        self.quiet = quiet  # the model only: nothing said about missing and stale translations
        self.messages = self.interface(lang)
        self._lock: dict | None = None
        # One string for the thousands of warnings that say it (a large course has 30,000 per language).
        self.not_translated = f"not translated into '{lang}' yet: shown in '{self.src}'"

    def accepted(self, q: dict, source_answers) -> tuple[Text, ...]:
        """A short-text question's accepted answers: this language's, then the source's that differ
        (as the question compares them: letter case aside unless it is case-sensitive)."""
        fold = (
            (lambda text: " ".join(str(text).split()))
            if q.get("case_sensitive")
            else (lambda text: " ".join(str(text).split()).casefold())
        )
        found: dict[str, Text] = {}
        for answer in [a["text"] for a in q.get("answers", [])] + [
            a["text"] if isinstance(a["text"], Text) else Text(a["text"], self.src) for a in source_answers
        ]:
            found.setdefault(fold(answer), answer)
        return tuple(found.values())

    def interface(self, lang: str) -> dict:
        """moocpack's interface strings in `lang`: the course's own (`<lang>/_interface.yaml`) over
        moocpack's catalogue for the language, over English."""
        return {**messages(lang), **self.checked.interfaces.get(lang, {})}

    def credit(self, key: str, author: Text) -> Text:
        """A credit line ("Questions by {author}") in the language its author's name is in."""
        lang = getattr(author, "lang", "") or self.lang
        sentence = (self.messages if lang == self.lang else self.interface(lang))[key]
        return Text(sentence.format(author=author), lang)

    def merged(self, rel: str, doc: yamlfile.Document, kind: str, text_needed: bool = True) -> dict:
        """The file's data with this language's text; without `text_needed`, what is missing and
        stale is reported and the source's data (the same structure) may be returned."""
        target = doc if self.lang == self.src else self.checked.translations.get(self.lang, {}).get(rel)
        # Merged when the translation was checked (used once: not kept twice); merged ahead on
        # another core, only what it found came back (data None).
        found = self.checked.merges.pop((self.lang, rel), None)
        if self.quiet and (found is None or found[0] is None):
            return merged_text(doc.data, target, kind, self.src, self.lang)
        if found is None or (text_needed and found[0] is None):
            merge = Merge(self.src, self.lang, rel, target)
            found = (merge.run(doc.data, kind), merge.missing, merge.done)
        data, missing, done = found
        if self.quiet:
            return doc.data if data is None else data
        where = self.checked.folder.display(f"{self.lang}/{rel}")
        source = self.checked.folder.display(f"{self.src}/{rel}")
        # Each points at the source string's own line (the translation file may not exist).
        self.report.warnings_at(
            source,
            self.not_translated,
            [(key, doc.position(source_pointer)) for key, source_pointer in missing],
            code=MISSING_TRANSLATION,
            language=self.lang,
        )
        if target is not None and self.lang != self.src:
            self.stale_warnings(rel, done, where)
        return doc.data if data is None else data

    def stale_warnings(self, rel: str, done: list[tuple[str, str]], where: str) -> None:
        """A translation whose source changed since it was accepted is still used, with a warning."""
        if self._lock is None:
            self._lock = self.checked.locks.get(self.lang, {})
        for key, value in done:
            if lockfile.stale(self._lock.get(f"{rel}#{key}"), value):
                self.report.warning(
                    where,
                    f"stale translation ({self.lang}): the source changed since it was "
                    "translated; the old translation is used",
                    key,
                    code=STALE_TRANSLATION,
                    language=self.lang,
                )

    def multilingual(
        self, values: dict | None, fw_source: str, where: str, pointer: str, position: tuple[int, int] | None = None
    ) -> Text | None:
        """A framework text in this language, else the course's source language, else the
        framework's own; a fallback is reported at the text's place in the framework file."""
        if not values:
            return None
        for candidate in (self.lang, self.src, fw_source):
            if candidate in values:
                if candidate != self.lang and not self.quiet:
                    self.report.warning(
                        where,
                        f"not translated into '{self.lang}' yet: shown in '{candidate}'",
                        pointer,
                        position,
                        code=MISSING_TRANSLATION,
                        language=self.lang,
                    )
                return Text(values[candidate], candidate)
        lang, value = next(iter(values.items()))
        return Text(value, lang)

    def framework(self, fid: str, doc: yamlfile.Document) -> Framework:
        fw = doc.data
        where = self.checked.folder.display(f"competences/{fid}.yaml")
        src = fw["source_language"]

        def ml(values, pointer, *path):  # pointer: by ids, as translators know it; path: where it is
            return self.multilingual(values, src, where, pointer, doc.position(yamlfile.pointer_of(path)))

        categories = []
        for ci, category in enumerate(fw["categories"]):
            items = tuple(
                Competence(
                    item["id"],
                    item.get("number", item["id"].rsplit(".", 1)[-1]),
                    ml(item["text"], f"/{item['id']}/text", "categories", ci, "items", ii, "text"),
                    category["id"],
                    fid,
                    source_text=_own(item["text"], src),
                )
                for ii, item in enumerate(category["items"])
            )
            categories.append(
                CompetenceCategory(
                    category["id"],
                    category.get("number", category["id"].rsplit(".", 1)[-1]),
                    ml(category["title"], f"/{category['id']}/title", "categories", ci, "title"),
                    items,
                    source_title=_own(category["title"], src),
                )
            )
        description = fw.get("description")
        note = (fw.get("translation_notes") or {}).get(self.lang)
        return Framework(
            id=fid,
            title=ml(fw["title"], "/title", "title"),
            description=_html(ml(description, "/description", "description")) if description else None,
            source=fw.get("source", ""),
            source_language=src,
            translation_note=Text(note, self.lang) if note else None,
            categories=tuple(categories),
        )

    def worksheet(self, wid: str) -> tuple[Worksheet, dict]:
        data = self.merged(f"worksheets/{wid}.yaml", self.checked.worksheets[wid], "worksheet")
        table = data.get("table") or {}
        key = data.get("answer_key") or {}
        sheet = Worksheet(
            id=wid,
            number=data.get("number", ""),
            title=data["title"],
            instructions=_html(data.get("instructions")),
            columns=tuple(Column(col["id"], col["title"]) for col in table.get("columns", [])),
            rows=tuple(
                Row(row["id"], dict(row.get("cells", {})), tuple(row.get("competences", [])))
                for row in table.get("rows", [])
            ),
            prompts=tuple(Prompt(p["id"], _markdown(p["text"])) for p in data.get("prompts", [])),
            key_author=key.get("author"),
            scale=tuple(o["text"] for o in key.get("options", [])) if key.get("build") == LIKERT else (),
            answer_column=key.get("answer_column") if key.get("build") == MATCHING else None,
            credit=self.credit("worksheet_by", data["author"]) if data.get("author") else None,
            notes=self.key_notes(key),
        )
        return sheet, data

    def key_notes(self, key: dict) -> dict:
        """Row id -> what the answer key says of it, for the facilitator's copy: the answer (when
        graded), the explanation and the notes for the discussion."""
        notes = {}
        for answer in key.get("answers", []):
            parts = []
            if answer.get("graded", True) and "answer" in answer:
                value = answer["answer"]
                shown = (
                    self.messages[str(value).lower()]
                    if isinstance(value, bool)
                    else next((o["text"] for o in key.get("options", []) if o["id"] == value), value)
                )
                parts.append(f"<p><strong>{_escape(shown)}</strong></p>")
            for name in ("discussion", "feedback"):
                if answer.get(name):
                    parts.append(str(_html(answer[name])))
            if parts:
                notes[answer["id"]] = Html("".join(parts), self.lang)
        return notes

    def medium(self, item: dict) -> Media:
        """A page's image, video, audio or file, with this language's files."""
        assets = self.checked.assets

        def variant(pattern: str) -> MediaFile:
            if media.LANG in pattern:
                for lang in (self.lang, self.src):
                    path = media.path_for(pattern, lang)
                    if path in assets:
                        return MediaFile(path, assets[path], lang)
            return MediaFile(pattern, assets[pattern], "")

        file = variant(item["src"]) if "src" in item else None
        labels = {label["id"]: str(label["text"]) for label in item.get("labels", [])}
        if file is not None and labels:
            # The drawing with this language's words: a file of its own beside the original.
            stem = file.path[: -len(".svg")]
            file = MediaFile(f"{stem}.{self.lang}.svg", media.svg_with_labels(file.data, labels, self.lang), self.lang)
        tracks = []
        pattern = item.get("subtitles")
        if pattern:
            langs = [self.lang, self.src] + [x for x in self.checked.languages if x not in (self.lang, self.src)]
            for lang in dict.fromkeys(langs) if media.LANG in pattern else [self.src]:
                path = media.path_for(pattern, lang)
                if path in assets:
                    tracks.append(Track(lang, MediaFile(path, assets[path], lang), self.checked.cues[path]))
        return Media(
            id=item["id"],
            type=item["type"],
            title=item["title"],
            alt=item.get("alt"),
            caption=_html(item.get("caption")),
            file=file,
            remote=media.remote_video(item["url"]) if "url" in item else None,
            tracks=tuple(tracks),
            credit=self.credit("made_by", item["author"]) if item.get("author") else None,
        )

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
            return inherited_competences(
                base_comp + list(extra), outcome_ids, lambda oid: outcomes[oid].competences if oid in outcomes else ()
            )

        def row_stem(row: Row) -> Html:
            stem = key.get("stem", "")
            rendered = markup.render_cached(str(stem)).html if stem else ""
            lang = getattr(stem, "lang", self.lang)
            if _PLACEHOLDER.search(str(stem)):
                rendered = _PLACEHOLDER.sub(lambda m: _escape(row.cells.get(m.group(1), "")), rendered)
                return Html(rendered, lang)
            shown = key.get("prompt_columns") or [c.id for c in sheet.columns]
            items = "".join(
                f"<dt>{_escape(columns[cid].title)}</dt><dd>{_escape(row.cells[cid])}</dd>"
                for cid in shown
                if cid in row.cells
            )
            return Html(f'<dl class="situation">{items}</dl>{rendered}', lang)

        def row_question(row: Row, **fields) -> Question:
            """The question a worksheet row becomes (a true/false, choice or likert row)."""
            return Question(
                id=generated_question_id(sheet.id, row.id),
                stem=row_stem(row),
                points=points,
                outcomes=outcome_ids,
                source=source,
                **fields,
            )

        questions = []
        if build == MATCHING:
            pairs = tuple(
                Pair(row.id, row.cells[key["prompt_column"]], row.cells[key["answer_column"]]) for row in sheet.rows
            )
            questions.append(
                Question(
                    id=generated_question_id(sheet.id),
                    type=MATCHING,
                    stem=_html(key.get("stem")) or Html(_escape(sheet.title), sheet.title.lang),
                    points=points,
                    graded=True,
                    competences=competences(),
                    outcomes=outcome_ids,
                    pairs=pairs,
                    feedback=general,
                    source=source,
                )
            )
        elif build in (TRUE_FALSE, SINGLE_CHOICE):
            for row in sheet.rows:
                answer = answers[row.id]
                graded = answer.get("graded", True)
                feedback = _join(_html(answer.get("discussion")), _html(answer.get("feedback")))

                # A discussion row has no right answer: every option is accepted, for no points.
                def right(value) -> bool:
                    return not graded or value == answer["answer"]

                if build == TRUE_FALSE:
                    options: tuple[Option, ...] = (
                        Option("true", Text(self.messages["true"], self.lang), right(True)),
                        Option("false", Text(self.messages["false"], self.lang), right(False)),
                    )
                else:
                    options = tuple(Option(o["id"], o["text"], right(o["id"])) for o in key["options"])
                shown = key.get("prompt_columns") or [c.id for c in sheet.columns]
                questions.append(
                    row_question(
                        row,
                        type=build,
                        graded=graded,
                        competences=competences(list(row.competences) + answer.get("competences", [])),
                        options=options,
                        feedback=_join(feedback, general),
                        title=row.cells.get(shown[0]) if shown else None,
                    )
                )
        elif build == LIKERT:
            scale = tuple(Option(o["id"], o["text"]) for o in key["options"])
            for row in sheet.rows:
                questions.append(
                    row_question(
                        row,
                        type=LIKERT,
                        graded=False,
                        competences=competences(row.competences),
                        options=scale,
                        feedback=general,
                    )
                )
        elif build == ESSAY:
            graded = bool(key.get("graded", False))
            items = (
                [(row.id, row_stem(row), row.competences) for row in sheet.rows]
                if sheet.rows
                else [(p.id, p.text, ()) for p in sheet.prompts]
            )
            for item_id, stem, extra in items:
                questions.append(
                    Question(
                        id=generated_question_id(sheet.id, item_id),
                        type=ESSAY,
                        stem=stem,
                        points=points,
                        graded=graded,
                        competences=competences(extra),
                        outcomes=outcome_ids,
                        feedback=general,
                        source=source,
                    )
                )
        return tuple(questions)

    def question(self, q: dict, outcomes: dict, source_answers=()) -> Question:
        qtype = q["type"]
        found = inherited_competences(
            q.get("competences", []), q.get("outcomes", []), lambda oid: outcomes[oid].competences
        )
        if qtype == TRUE_FALSE:
            options: tuple[Option, ...] = (
                Option("true", Text(self.messages["true"], self.lang), q["answer"] is True),
                Option("false", Text(self.messages["false"], self.lang), q["answer"] is False),
            )
        else:
            options = tuple(
                Option(o["id"], o["text"], bool(o.get("correct")), _html(o.get("feedback")))
                for o in q.get("options", [])
            )
        plugin = kinds.kind(qtype)
        graded = q.get("graded", plugin.graded if plugin else qtype not in (ESSAY, LIKERT)) and qtype != LIKERT
        return Question(
            id=q["id"],
            type=qtype,
            stem=_markdown(q["stem"]),
            points=float(q.get("points", 1)),
            graded=bool(graded),
            competences=found,
            outcomes=tuple(q.get("outcomes", [])),
            options=options,
            pairs=tuple(Pair(p["id"], p["prompt"], p["answer"]) for p in q.get("pairs", [])),
            answers=self.accepted(q, source_answers),
            case_sensitive=bool(q.get("case_sensitive", False)),
            feedback=_html(q.get("feedback")),
            correct_feedback=_html(q.get("correct_feedback")),
            incorrect_feedback=_html(q.get("incorrect_feedback")),
            data=plugin.data(q) if plugin else {},
        )

    def unit(self, uid: str, course_pass_mark: int, worksheet_cache: dict, frameworks: dict) -> Unit:
        if self.memo is None:
            return self._unit(uid, course_pass_mark, worksheet_cache, frameworks)
        translations = self.checked.translations.get(self.lang, {})
        data = self.checked.units[uid].data
        sheets = sorted(
            {a["worksheet"] for a in data.get("activities", []) if "worksheet" in a}
            | {
                ref.split(":", 1)[1]
                for z in data.get("quizzes", [])
                for ref in z.get("questions", [])
                if ref.startswith("worksheet:")
            }
        )
        key = (
            self.checked.units[uid],
            translations.get(f"units/{uid}.yaml"),
            course_pass_mark,
            self.messages,
            tuple((self.checked.worksheets.get(w), translations.get(f"worksheets/{w}.yaml")) for w in sheets),
            self.media,
        )
        known = self.memo.get((uid, self.lang))
        if known is not None and known[0] == key:
            return known[1]
        unit = self._unit(uid, course_pass_mark, worksheet_cache, frameworks)
        self.memo[(uid, self.lang)] = (key, unit)
        return unit

    def _unit(self, uid: str, course_pass_mark: int, worksheet_cache: dict, frameworks: dict) -> Unit:
        rel = f"units/{uid}.yaml"
        u = self.merged(rel, self.checked.units[uid], "unit")
        outcomes = {o["id"]: Outcome(o["id"], o["text"], tuple(o.get("competences", ()))) for o in u["outcomes"]}

        def sheet(wid):
            if wid not in worksheet_cache:
                worksheet_cache[wid] = self.worksheet(wid)
            return worksheet_cache[wid]

        def items(values):
            return tuple(ListItem(i["id"], i["text"], _html(i.get("obtain"))) for i in values or [])

        def direct_and_outcomes(entry):
            return inherited_competences(
                entry.get("competences", []), entry.get("outcomes", []), lambda oid: outcomes[oid].competences
            )

        activities = tuple(
            Activity(
                id=a["id"],
                title=a["title"],
                duration=parse_duration(a.get("duration")),
                procedure=_markdown(a["procedure"]),
                tips=_html(a.get("tips")),
                reference=a.get("reference"),
                worksheet=sheet(a["worksheet"])[0] if "worksheet" in a else None,
                case_id=a.get("case"),
                materials=items(a.get("materials")),
                outcomes=tuple(a.get("outcomes", [])),
                competences=direct_and_outcomes(a),
                learner=_html(a.get("learner")),
                task_credit=self.credit("task_by", a["learner_author"]) if a.get("learner_author") else None,
            )
            for a in u.get("activities", [])
        )
        cases = []
        for k in u.get("cases", []):
            questions = tuple(
                Question(
                    id=generated_question_id(k["id"], q["id"]),
                    type=ESSAY,
                    stem=_markdown(q["text"]),
                    points=1.0,
                    graded=False,
                    competences=direct_and_outcomes(q),
                    outcomes=tuple(q.get("outcomes", [])),
                    source=f"case:{k['id']}",
                )
                for q in k.get("questions", [])
            )
            cases.append(Case(k["id"], k["title"], _markdown(k["body"]), questions))
        # A short-text question accepts its answers as translated and as the source has them: a
        # translation adds the words a learner of the language types, and takes none away.
        source = (
            {q["id"]: q.get("answers") for q in self.checked.units[uid].data.get("questions", []) if q.get("answers")}
            if self.lang != self.src
            else {}
        )
        own = {q["id"]: self.question(q, outcomes, source.get(q["id"], ())) for q in u.get("questions", [])}
        by_case = {case.id: case.questions for case in cases}
        quizzes = []
        sheets_used = [a.worksheet for a in activities if a.worksheet]
        for z in u.get("quizzes", []):
            chosen: list[Question] = []
            credits: list[tuple[str, Text]] = []
            if z.get("author"):
                credits.append(("questions_by", z["author"]))
            for ref in z["questions"]:
                kind, _, target = ref.rpartition(":")
                if kind == "worksheet":
                    ws, data = sheet(target)
                    sheets_used.append(ws)
                    chosen.extend(self.worksheet_questions(ws, data, outcomes))
                    if ws.key_author and ("answer_key_by", ws.key_author) not in credits:
                        credits.append(("answer_key_by", ws.key_author))
                elif kind == "case":
                    chosen.extend(by_case[target])
                else:
                    chosen.append(own[ref])
            quizzes.append(
                Quiz(
                    id=z["id"],
                    title=z["title"],
                    introduction=_html(z.get("introduction")),
                    graded=bool(z.get("graded", True)),
                    pass_mark=int(z.get("pass_mark", course_pass_mark)),
                    max_attempts=int(z.get("max_attempts", 0)),
                    questions=tuple(chosen),
                    credits=tuple(self.credit(key, author) for key, author in credits),
                )
            )
        pages = tuple(
            Page(
                p["id"],
                p["title"],
                _markdown(p["body"]),
                p.get("audience", "both"),
                tuple(self.medium(m) for m in p.get("media", [])),
                self.credit("text_by", p["author"]) if p.get("author") else None,
            )
            for p in u.get("pages", [])
        )
        assets = [
            Asset(a["id"], a["path"], a["title"], a.get("alt"), self.checked.assets.get(a["path"], b""))
            for a in u.get("assets", [])
        ]
        unique_sheets = tuple({ws.id: ws for ws in sheets_used}.values())
        # Files the unit's pages show or offer travel with it, as its assets do.
        # Their ids name the same file in every language (a Moodle backup of all languages stores each version).
        for page in pages:
            for medium in page.media:
                if medium.file is not None:
                    assets.append(
                        Asset(f"{uid}/{medium.id}", medium.file.path, medium.title, medium.alt, medium.file.data)
                    )
                for track in medium.tracks:
                    assets.append(
                        Asset(f"{uid}/{medium.id}/{track.lang}", track.file.path, medium.title, None, track.file.data)
                    )
        unique_assets = tuple({a.path: a for a in assets}.values())
        return Unit(
            id=uid,
            number=u.get("number", ""),
            title=u["title"],
            summary=u.get("summary"),
            duration=parse_duration(u.get("duration")),
            introduction=_html(u.get("introduction")),
            introduction_duration=parse_duration(u.get("introduction_duration")),
            outcomes=tuple(outcomes.values()),
            materials=items(u.get("materials")),
            conceptual_contents=items(u.get("conceptual_contents")),
            pages=pages,
            activities=activities,
            cases=tuple(cases),
            quizzes=tuple(quizzes),
            closure=_html(u.get("closure")),
            bibliography=tuple(
                Reference(
                    b["id"], b["title"], tuple(b.get("authors", [])), b.get("year"), b.get("publisher"), b.get("url")
                )
                for b in u.get("bibliography", [])
            ),
            assets=unique_assets,
            worksheets=unique_sheets,
            outcomes_credit=self.credit("outcomes_by", u["outcomes_author"]) if u.get("outcomes_author") else None,
        )

    def course(self) -> Course:
        c = self.merged("course.yaml", self.checked.course, "course")
        frameworks = {fid: self.framework(fid, doc) for fid, doc in self.checked.frameworks.items()}
        pass_mark = int(c.get("pass_mark", 70))
        worksheet_cache: dict = {}
        units = tuple(self.unit(uid, pass_mark, worksheet_cache, frameworks) for uid in c["units"])
        keywords = tuple(
            Text(k.strip(), c["keywords"].lang) for k in str(c.get("keywords", "")).split(",") if k.strip()
        )
        licence = c["licence"]
        return Course(
            id=c["id"],
            version=str(c["version"]),
            date=c.get("date", "1980-01-01"),
            language=self.lang,
            source_language=self.src,
            languages=tuple(c["languages"]),
            title=c["title"],
            short_description=c["short_description"],
            description=_markdown(c["description"]),
            project=_html(c.get("project")),
            acknowledgement=_html(c.get("acknowledgement")),
            keywords=keywords,
            organisations=tuple(
                Organisation(
                    o["id"],
                    Text(o["name"], ""),
                    Text(o["place"], "") if o.get("place") else None,
                    o.get("url"),
                    o.get("role"),
                )
                for o in c["organisations"]
            ),
            licence=Licence(licence["id"], licence.get("url"), licence.get("notice")),
            effort=duration(c["effort"]),
            pass_mark=pass_mark,
            frameworks=tuple(frameworks[fid] for fid in c.get("frameworks", [])),
            units=units,
            messages=dict(self.messages),
            platform={"olx": dict(c.get("olx", {}))},
            translation_notice=self.translation_notice(c.get("translated_by")),
        )

    def translation_notice(self, translator: Text | None) -> Text | None:
        """The line a translation shows while any of its accepted strings is not reviewed
        (XLIFF `final` on import marks one reviewed); None in the source language."""
        if self.lang == self.src:
            return None
        lock = self.checked.locks.get(self.lang, {})
        if not lock or all(entry.get("reviewed") for entry in lock.values()):
            return None
        if translator and getattr(translator, "lang", self.lang) == self.lang:
            return Text(self.messages["translation_unreviewed"].format(translator=translator), self.lang)
        return Text(self.messages["translation_unreviewed_anonymous"], self.lang)


def _escape(text) -> str:
    import html

    return html.escape(str(text), quote=True)


def _join(*parts) -> Html | None:
    present = [p for p in parts if p]
    if not present:
        return None
    return Html("".join(present), present[0].lang)


def load(
    path: str | Path,
    language: str | None = None,
    report: Report | None = None,
    checked: Checked | None = None,
    quiet: bool = False,
    memo: dict | None = None,
) -> Course:
    """Load a course for one language (default: the source language).

    Raises CourseError, carrying every problem, if the folder has errors. Warnings (missing
    translations and the like) are added to `report`, unless `quiet`: then the model is all
    (what the warnings would be, report_translation says; placing each costs time and memory).
    """
    checked, lang, report = _prepare(path, language, report, checked)
    with cycle_collector_paused(keep=True):
        return _Resolver(checked, lang, report, quiet, memo).course()


def report_translation(path: str | Path, language: str, report: Report, checked: Checked) -> None:
    """Add to `report` what `load()` would say about one language (missing and stale
    translations, framework texts shown in another language) without building the model: what
    `validate` needs, in a fraction of the time on a large course."""
    checked, lang, report = _prepare(path, language, report, checked)
    with cycle_collector_paused(keep=True):  # the problems are kept
        _report_translation(checked, _Resolver(checked, lang, report))


def _report_translation(checked: Checked, resolver: "_Resolver") -> None:
    def merged(rel: str, doc: yamlfile.Document, kind: str) -> dict:
        # The source language's own text is never missing nor stale: nothing to merge for it.
        return doc.data if resolver.lang == resolver.src else resolver.merged(rel, doc, kind, text_needed=False)

    course = merged("course.yaml", checked.course, "course")
    for fid, doc in checked.frameworks.items():
        resolver.framework(fid, doc)
    sheets: dict[str, None] = {}  # the worksheets load() resolves: those units use, in that order
    for uid in course["units"]:
        unit = merged(f"units/{uid}.yaml", checked.units[uid], "unit")
        for activity in unit.get("activities", []):
            if "worksheet" in activity:
                sheets.setdefault(activity["worksheet"])
        for quiz in unit.get("quizzes", []):
            for ref in quiz["questions"]:
                kind, _, target = ref.rpartition(":")
                if kind == "worksheet":
                    sheets.setdefault(target)
    for wid in sheets:
        merged(f"worksheets/{wid}.yaml", checked.worksheets[wid], "worksheet")


def unknown_language(checked: Checked, lang: str, report: Report, code: str) -> None:
    """A language asked for that the course does not have: an error at course.yaml's list."""
    report.error(
        checked.folder.display(f"{checked.source_language}/course.yaml"),
        f"language '{lang}' is not one of the course's languages ({', '.join(checked.languages)})",
        "/languages",
        checked.course.position("/languages"),
        code=code,
    )


def _prepare(path, language, report, checked) -> tuple[Checked, str, Report]:
    report = report if report is not None else Report(Path(path))
    checked = checked or check(path, report)
    if checked is None:
        raise CourseError(report)
    lang = language or checked.source_language
    if lang not in checked.languages:
        unknown_language(checked, lang, report, code="course.load")
        raise CourseError(report)
    return checked, lang, report
