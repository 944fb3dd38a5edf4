"""The course model: what every exporter reads, resolved for one language.

Everything here is immutable. Text fields are `Text` (plain text) or `Html` (rendered, sanitised
Markdown); both are `str` subclasses that remember the language they are written in, so an
exporter can mark source-language fallbacks (`lang="en"`) without knowing how they came about.
"""

from __future__ import annotations

from functools import lru_cache

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # media imports the model; a Remote only ever comes from there
    from .media import Remote


class Text(str):
    """Plain learner-facing text in a known language.

    A course holds hundreds of thousands of texts, so a text carries no attribute of its own:
    its language is that of its class, one small subclass per language (`Text("Hei", "nb")` is
    a `Text[nb]`, still a `Text` and a `str`)."""

    __slots__ = ()
    lang: str = ""
    family: type | None = None  # Text or Html, for a language's subclass

    def __new__(cls, value: str, lang: str):
        return str.__new__(_in_language(cls.family or cls, lang), value)

    def __reduce__(self):
        return (self.family or type(self), (str(self), self.lang))


class Html(Text):
    """Sanitised HTML rendered from Markdown, in a known language."""

    __slots__ = ()


_LANGUAGE_CLASSES: dict[tuple[type, str], type] = {}


def _in_language(family: type, lang: str) -> type:
    cls = _LANGUAGE_CLASSES.get((family, lang))
    if cls is None:
        cls = _LANGUAGE_CLASSES[(family, lang)] = type(
            f"{family.__name__}[{lang}]", (family,), {"__slots__": (), "lang": lang, "family": family}
        )
    return cls


@dataclass(frozen=True, slots=True)
class Duration:
    """A duration or a range, in minutes."""

    low: float
    high: float

    @property
    def is_range(self) -> bool:
        return self.high != self.low

    @property
    def iso(self) -> str:
        """ISO 8601 duration of the upper bound, as LOM and SCORM want it."""
        minutes = int(round(self.high))
        hours, rest = divmod(minutes, 60)
        return "PT" + (f"{hours}H" if hours else "") + (f"{rest}M" if rest or not hours else "")


@dataclass(frozen=True, slots=True)
class Competence:
    """An item of a framework. `source_text` is its wording in the framework's own language, the
    same in every language version of a course (platforms that share one taxonomy use it)."""

    id: str
    number: str
    text: Text
    category_id: str
    framework_id: str
    source_text: Text | None = None


@dataclass(frozen=True, slots=True)
class CompetenceCategory:
    id: str
    number: str
    title: Text
    items: tuple[Competence, ...]
    source_title: Text | None = None


@dataclass(frozen=True, slots=True)
class Framework:
    id: str
    title: Text
    description: Html | None
    source: str
    source_language: str
    translation_note: Text | None
    categories: tuple[CompetenceCategory, ...]

    @property
    def items(self) -> tuple[Competence, ...]:
        return tuple(item for category in self.categories for item in category.items)


@dataclass(frozen=True, slots=True)
class Outcome:
    id: str
    text: Text
    competences: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ListItem:
    id: str
    text: Text
    # A material's "where to get it" (facilitator content): shipped with the course, or where to ask.
    note: Html | None = None


@dataclass(frozen=True, slots=True)
class Prompt:
    """An open question of a worksheet, in Markdown (rendered): a learner writes the answer."""

    id: str
    text: Html


# Who a piece of content is for. Learner views (the website, SCORM, what students see in an LMS)
# leave facilitator content out; the facilitator guide and teachers in an LMS see everything.
LEARNER, FACILITATOR, BOTH = "learner", "facilitator", "both"


@dataclass(frozen=True, slots=True)
class MediaFile:
    """A file a package carries: where it goes (a path relative to the package's content, as
    links in the text name it), its bytes, and the language it is in ("" if none)."""

    path: str
    data: bytes = field(repr=False)
    lang: str = ""

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]


@dataclass(frozen=True, slots=True)
class Track:
    """Subtitles of a video or audio in one language; their cues make its transcript."""

    lang: str
    file: MediaFile
    cues: tuple = ()  # moocpack.media.Cue


IMAGE, VIDEO, AUDIO, FILE = "image", "video", "audio", "file"


@dataclass(frozen=True, slots=True)
class Media:
    """An image, a video, an audio or a downloadable file. `file` is the one for the course's
    language (its own variant, else the source language's); a video may instead be `remote`
    (a YouTube or Vimeo address). `tracks` are every language's subtitles, the course's first."""

    id: str
    type: str
    title: Text
    alt: Text | None = None
    caption: Html | None = None
    file: MediaFile | None = None
    remote: Remote | None = None
    tracks: tuple[Track, ...] = ()
    credit: Text | None = None  # "Made by the course team": who made it when not the source

    @property
    def transcript(self) -> Track | None:
        return self.tracks[0] if self.tracks else None


@dataclass(frozen=True, slots=True)
class Page:
    id: str
    title: Text
    body: Html
    audience: str = "both"  # LEARNER, FACILITATOR or BOTH
    media: tuple[Media, ...] = ()
    credit: Text | None = None  # "Text by the course team": who wrote it when not the source


@dataclass(frozen=True, slots=True)
class Option:
    id: str
    text: Text
    correct: bool = False
    feedback: Html | None = None


@dataclass(frozen=True, slots=True)
class Pair:
    id: str
    prompt: Text
    answer: Text


SINGLE_CHOICE = "single_choice"
MULTIPLE_RESPONSE = "multiple_response"
TRUE_FALSE = "true_false"
MATCHING = "matching"
SHORT_TEXT = "short_text"
ESSAY = "essay"
LIKERT = "likert"
QUESTION_TYPES = (SINGLE_CHOICE, MULTIPLE_RESPONSE, TRUE_FALSE, MATCHING, SHORT_TEXT, ESSAY, LIKERT)


def inherited_competences(
    own: Iterable[str], outcome_ids: Iterable[str], competences_of: Callable[[str], Iterable[str]]
) -> tuple[str, ...]:
    """The competences of a question (or an activity, or an answer key): its own, then those of
    each outcome it names, each once. The one place this rule lives; checks and loading use it."""
    found = dict.fromkeys(own)
    for oid in outcome_ids:
        found.update(dict.fromkeys(competences_of(oid)))
    return tuple(found)


def generated_question_id(source_id: str, item_id: str | None = None) -> str:
    """Questions built from a worksheet or a case are named `<worksheet>.<row>` (a matching
    question, one per worksheet, is the worksheet's id) and `<case>.<question>`."""
    return source_id if item_id is None else f"{source_id}.{item_id}"


@dataclass(frozen=True, slots=True)
class Question:
    """One question. `options` holds choices (true/false too: ids `true` and `false`) and
    likert scale points; `pairs` matching pairs; `answers` accepted short-text answers."""

    id: str
    type: str
    stem: Html
    points: float
    graded: bool
    competences: tuple[str, ...]
    outcomes: tuple[str, ...]
    options: tuple[Option, ...] = ()
    pairs: tuple[Pair, ...] = ()
    answers: tuple[Text, ...] = ()
    case_sensitive: bool = False
    feedback: Html | None = None
    correct_feedback: Html | None = None
    incorrect_feedback: Html | None = None
    source: str = ""  # "worksheet:<id>", "case:<id>" or "" for a question written directly
    title: Text | None = None  # a short name (a worksheet row's first cell); else derived from the stem
    # A plug-in kind's own fields (kinds.py), as the course's language has them; {} for built-in types.
    data: dict = field(default_factory=dict, compare=False)

    @property
    def correct_options(self) -> tuple[Option, ...]:
        return tuple(o for o in self.options if o.correct)

    @property
    def answer_targets(self) -> tuple[str, ...]:
        """Distinct matching answers in first-seen order (the choices a learner picks from)."""
        seen: dict[str, None] = {}
        for pair in self.pairs:
            seen.setdefault(str(pair.answer), None)
        return tuple(seen)


@dataclass(frozen=True, slots=True)
class Quiz:
    id: str
    title: Text
    introduction: Html | None
    graded: bool
    pass_mark: int
    max_attempts: int
    questions: tuple[Question, ...]
    # Who wrote what, where it is not the source's, as whole sentences learners see with the quiz
    # ("Questions by the course team"). A sentence is in the language of its author's name: an
    # author not translated yet gives the source language's sentence, never half of each.
    credits: tuple[Text, ...] = ()

    @property
    def max_points(self) -> float:
        return sum(q.points for q in self.questions if q.graded)


@dataclass(frozen=True, slots=True)
class Column:
    id: str
    title: Text


@dataclass(frozen=True, slots=True)
class Row:
    id: str
    cells: dict  # column id -> Text; a frozen mapping in spirit, never mutated after loading
    competences: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Worksheet:
    id: str
    number: str
    title: Text
    instructions: Html | None
    columns: tuple[Column, ...] = ()
    rows: tuple[Row, ...] = ()
    prompts: tuple[Prompt, ...] = ()
    key_author: Text | None = None
    handout: MediaFile | None = None  # the worksheet printed, a PDF in the course's language
    # A self-assessment's scale (its answer key's options): printed as columns to tick.
    scale: tuple[Text, ...] = ()
    # The column a matching question asks learners to fill in: blank on what learners see and
    # print (it is the quiz's answer), filled in for facilitators.
    answer_column: str | None = None
    credit: Text | None = None  # "Worksheet by the course team": who wrote it when not the source
    # What the answer key says of each row (the answer, the explanation, notes for the discussion),
    # row id -> Html: the facilitator's copy prints them beside the rows, in one place.
    notes: dict = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Activity:
    id: str
    title: Text
    duration: Duration | None
    procedure: Html
    tips: Html | None
    reference: Text | None
    worksheet: Worksheet | None
    case_id: str | None
    materials: tuple[ListItem, ...]
    outcomes: tuple[str, ...]
    competences: tuple[str, ...]
    learner: Html | None = None  # what a learner working alone does (the procedure is the trainer's)
    task_credit: Text | None = None  # "Task by the course team": who wrote `learner` when not the source


@dataclass(frozen=True, slots=True)
class Case:
    id: str
    title: Text
    body: Html
    questions: tuple[Question, ...]
    handout: MediaFile | None = None  # the case printed, a PDF in the course's language


@dataclass(frozen=True, slots=True)
class Reference:
    id: str
    title: str
    authors: tuple[str, ...]
    year: int | None
    publisher: str | None
    url: str | None


@dataclass(frozen=True, slots=True)
class Asset:
    id: str
    path: str  # relative to the course folder, forward slashes
    title: Text
    alt: Text | None
    data: bytes = field(repr=False, default=b"")


@dataclass(frozen=True, slots=True)
class Unit:
    id: str
    number: str
    title: Text
    summary: Text | None
    duration: Duration | None
    introduction: Html | None
    introduction_duration: Duration | None
    outcomes: tuple[Outcome, ...]
    materials: tuple[ListItem, ...]
    conceptual_contents: tuple[ListItem, ...]
    pages: tuple[Page, ...]
    activities: tuple[Activity, ...]
    cases: tuple[Case, ...]
    quizzes: tuple[Quiz, ...]
    closure: Html | None
    bibliography: tuple[Reference, ...]
    assets: tuple[Asset, ...]
    worksheets: tuple[Worksheet, ...]
    outcomes_credit: Text | None = None  # "Learning outcomes by the course team"

    @property
    def questions(self) -> tuple[Question, ...]:
        """Every question of the unit's quizzes, each once, in quiz order."""
        seen: dict[str, Question] = {}
        for quiz in self.quizzes:
            for question in quiz.questions:
                seen.setdefault(question.id, question)
        return tuple(seen.values())

    @property
    def competences(self) -> tuple[str, ...]:
        """Competences the unit covers: its outcomes', activities' and questions'."""
        found: dict[str, None] = {}
        for outcome in self.outcomes:
            found.update(dict.fromkeys(outcome.competences))
        for activity in self.activities:
            found.update(dict.fromkeys(activity.competences))
        for question in self.questions:
            found.update(dict.fromkeys(question.competences))
        return tuple(found)


@dataclass(frozen=True, slots=True)
class Organisation:
    id: str
    name: Text
    place: Text | None
    url: str | None
    role: Text | None


@dataclass(frozen=True, slots=True)
class Licence:
    id: str
    url: str | None
    notice: Text | None


@dataclass(frozen=True, slots=True)
class Course:
    id: str
    version: str
    date: str
    language: str
    source_language: str
    languages: tuple[str, ...]
    title: Text
    short_description: Text
    description: Html
    project: Html | None
    acknowledgement: Html | None
    keywords: tuple[Text, ...]
    organisations: tuple[Organisation, ...]
    licence: Licence
    effort: Duration
    pass_mark: int
    frameworks: tuple[Framework, ...]
    units: tuple[Unit, ...]
    messages: dict  # UI strings for `language`: key -> str
    platform: dict = field(default_factory=dict)  # per-platform settings from course.yaml, e.g. {"olx": {...}}
    # "Translation by the course team, not yet reviewed…": a translation some of whose strings are
    # not reviewed says so on every page; None in the source language and once all are reviewed.
    translation_notice: Text | None = None
    # competence id -> Competence, filled on first use (exporters look competences up by the thousand).
    _competences: dict = field(default_factory=dict, compare=False, repr=False)

    def competence(self, competence_id: str) -> Competence:
        if not self._competences:
            for framework in self.frameworks:
                for item in framework.items:
                    self._competences.setdefault(item.id, item)
        return self._competences[competence_id]

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(q for unit in self.units for q in unit.questions)

    def coverage(self) -> dict[str, dict[str, list[tuple[str, str]]]]:
        """competence id -> unit id -> [(kind, id)] of the outcomes, activities and questions covering it."""
        found: dict[str, dict[str, list[tuple[str, str]]]] = {}
        for unit in self.units:
            counted: set[tuple[str, str]] = set()
            for kind, things in (
                ("outcome", unit.outcomes),
                ("activity", unit.activities),
                ("question", unit.questions),
            ):
                for thing in things:
                    source = getattr(thing, "source", "")
                    for cid in thing.competences:
                        # The questions a worksheet or a case makes (a prompt each) inherit the
                        # same tags: together they are one exercise of the item, counted once,
                        # by their first question.
                        if source:
                            if (cid, source) in counted:
                                continue
                            counted.add((cid, source))
                        found.setdefault(cid, {}).setdefault(unit.id, []).append((kind, thing.id))
        return found

    def message(self, key: str, count: float | None = None, /, **values) -> str:
        """A UI string in the course's language; `count` picks the plural form (CLDR rules) of a
        message given as {one: …, other: …}."""
        text = self.messages[key]
        if isinstance(text, dict):
            text = text.get(plural_category(self.language, count if count is not None else 1), text["other"])
        return text.format(**values) if values else text

    @property
    def direction(self) -> str:
        """ "rtl" for a language written right to left (Arabic, Hebrew, Persian …), else "ltr"."""
        return text_direction(self.language)

    def language_label(self, code: str) -> str:
        """The name of a language in the course's language ("engelsk" in a Norwegian course)."""
        return language_name(self.language, code)


@lru_cache(maxsize=64)
def _locale(language: str):
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


@lru_cache(maxsize=256)
def text_direction(language: str) -> str:
    """The writing direction of a language, from CLDR (babel): "rtl" or "ltr"."""
    return "rtl" if _locale(language).character_order == "right-to-left" else "ltr"


@lru_cache(maxsize=4096)  # the same few counts, asked for on every page of a large course
def plural_category(language: str, count: float) -> str:
    """CLDR's plural category of a number in a language: "one", "few", "many", "other" …"""
    number = int(count) if float(count).is_integer() else count
    return _locale(language).plural_form(number)


@lru_cache(maxsize=1024)  # babel builds its table of names again on each asking (a third of a ms)
def language_name(in_language: str, code: str) -> str:
    names = _locale(in_language).languages
    return names.get(code.replace("-", "_")) or names.get(code.split("-")[0]) or code
