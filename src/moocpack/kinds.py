"""Question kinds: the extension point for a new type of question.

The seven built-in types (single_choice, multiple_response, true_false, matching, short_text,
essay, likert) are written into the unit schema and into each format. A new kind is one class,
installed in the `moocpack.question_kinds` entry-point group, like an exporter in
`moocpack.exporters`:

    [project.entry-points."moocpack.question_kinds"]
    numeric = "my_package:Numeric"

It declares the question fields it reads (a JSON Schema fragment: the unit schema accepts them
for questions of that `type`, text fields translate like any other), may check them further,
and renders itself for each format it supports: `html` (the website, the facilitator guide and
SCORM, with a `script` that marks answers in the browser), `olx` (an Open edX response),
`moodle` (a question-bank entry) and `qti` (a Common Cartridge item). A format whose hook the
kind does not implement cannot express it: `validate` says so for every such question, and
building that format stops with exit 2.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib.metadata import entry_points

GROUP = "moocpack.question_kinds"
BUILT_IN = ("single_choice", "multiple_response", "true_false", "matching", "short_text", "essay", "likert")
# Which hook of a kind each format family renders with.
HOOKS = {
    "html": "html",
    "guide": "html",
    "scorm12": "html",
    "scorm2004": "html",
    "cmi5": "html",
    "olx": "olx",
    "moodle": "moodle",
    "cc": "qti",
}


@dataclass(frozen=True)
class MoodleQuestion:
    """A kind's question as Moodle's question bank stores it: its `qtype`, its answers (text,
    fraction 0–1, feedback HTML) and the qtype's own element, made from the answers' ids."""

    qtype: str
    answers: tuple[tuple[str, float, str], ...] = ()
    plugin: object = field(default=lambda answer_ids, next_id: "", repr=False)  # (ids, next) -> XML


class QuestionKind:
    """A kind of question a plug-in adds. Subclass it, set `name` (the `type` authors write),
    `properties`/`required` (the fields it reads, as JSON Schema) and implement the hooks of
    the formats it supports."""

    api: int = 1  # the plug-in API's major version the kind is written for (moocpack.exporter.PLUGIN_API)
    name: str = ""
    description: str = ""
    properties: dict = {}
    required: tuple[str, ...] = ()
    graded: bool = True  # graded unless the question says `graded: false`
    # JavaScript for the website and SCORM: registers window.moocpackKinds[name] with
    # response(field) -> value, mark(question, response) -> 0..1 or null, restore(field, value).
    script: str = ""

    def data(self, question: dict) -> dict:
        """What the model keeps of the question (its `data`): the kind's own fields."""
        return {key: question[key] for key in self.properties if key in question}

    def check(self, question: dict) -> list[tuple[str, str]]:
        """Problems the schema cannot see: (the field's name or "", message) each."""
        return []

    def html(self, course, question) -> str:
        """The answer area of the question on a page (inside its fieldset, after its stem)."""
        raise NotImplementedError

    def client(self, question) -> dict:
        """What the page's script needs to mark an answer (no learner-facing text)."""
        return {}

    def olx(self, question, label: str) -> str:
        """An Open edX response element (e.g. <numericalresponse>) with `label` (the question's
        <label>) and its input inside."""
        raise NotImplementedError

    def moodle(self, question) -> MoodleQuestion:
        raise NotImplementedError

    def qti(self, question) -> str:
        """Common Cartridge: the question as one QTI 1.2 <item> of the CC profile (whose item types
        are fixed: a kind that cannot be one of them leaves this out, and the cc format refuses it)."""
        raise NotImplementedError

    def xapi(self, question) -> dict:
        """cmi5: the question's xAPI interaction fields (interactionType, correctResponsesPattern,
        choices…); the runtime reports the kind's response as text. Optional: "other" by default."""
        return {"interactionType": "other"}

    def supports(self, fmt: str) -> bool:
        hook = HOOKS.get(fmt)
        return hook is None or getattr(type(self), hook) is not getattr(QuestionKind, hook)


# Kinds installed but not usable (written for another plug-in API, or failing to load): name ->
# why. validate reports them, so that a question of such a kind is not just "not allowed".
BROKEN: dict[str, str] = {}


@lru_cache(maxsize=None)
def registry() -> dict[str, QuestionKind]:
    """Every question kind installed, by name (a kind named like a built-in type is ignored)."""
    found: dict[str, QuestionKind] = {}
    from .exporter import api_mismatch

    BROKEN.clear()
    for entry in sorted(entry_points(group=GROUP), key=lambda e: e.name):
        try:
            cls = entry.load()
            reason = api_mismatch(cls)
            if reason:
                BROKEN[entry.name] = f"{entry.value}: {reason}"
                continue
            kind = cls()
        except Exception as exc:  # a broken plug-in must not take the others down
            BROKEN[entry.name] = f"{entry.value}: {type(exc).__name__}: {exc}"
            continue
        if kind.name and kind.name not in BUILT_IN:
            found[kind.name] = kind
    return found


def reload() -> None:
    """Look for installed kinds again, and rebuild the schemas and what is derived from them
    (for a program that installs a plug-in while it runs, and the tests)."""
    from moocpack import schema, translation

    registry.cache_clear()
    plugin_fields.cache_clear()
    for cached in (schema.documents, schema.registry, schema.validator, schema._fast):
        cached.cache_clear()
    schema._validated.clear()
    schema._resolved.clear()
    translation._memo.clear()
    translation._Plan._made.clear()


@lru_cache(maxsize=None)
def plugin_fields() -> dict[str, frozenset[str]]:
    """The question fields installed kinds add, each with the kinds that read it: on a question
    of any other type such a field has no meaning. A field a built-in type has too is left out."""
    from moocpack import schema

    built_in = schema.packaged()["unit.schema.json"]["$defs"]["question"]["properties"]
    owners: dict[str, set[str]] = {}
    for name, one in registry().items():
        for key in one.properties:
            if key not in built_in:
                owners.setdefault(key, set()).add(name)
    return {key: frozenset(names) for key, names in owners.items()}


def broken() -> dict[str, str]:
    """The kinds installed but not usable, name -> why."""
    registry()  # finds them
    return BROKEN


def kind(name: str) -> QuestionKind | None:
    """The plug-in kind of that name; None for a built-in type."""
    return registry().get(name) if name not in BUILT_IN else None


# What cannot express a question, by the hook each format renders with (HOOKS).
PLATFORMS = {
    "html": "a page (website, guide, SCORM, cmi5)",
    "olx": "Open edX",
    "moodle": "Moodle",
    "qti": "Common Cartridge's QTI profile",
}


def for_format(question, fmt: str) -> QuestionKind | None:
    """The plug-in kind a format renders the question with; None for a built-in type. A kind
    without that format's hook stops the build with an ExportError (validate warned already)."""
    one = kind(question.type)
    if one is not None and not one.supports(fmt):
        from .exporter import ExportError

        raise ExportError(
            f"question '{question.id}': {PLATFORMS[HOOKS[fmt]]} cannot express a {question.type} question (its "
            f"kind has no '{HOOKS[fmt]}' hook); leave the format out, or the question"
        )
    return one


def extend_unit_schema(unit: dict) -> dict:
    """The unit schema with every installed kind's type and fields in its question definition."""
    kinds = registry()
    if not kinds:
        return unit
    import copy

    unit = copy.deepcopy(unit)
    question = unit["$defs"]["question"]
    question["properties"]["type"]["enum"] += sorted(kinds)
    for name, one in sorted(kinds.items()):
        for key, fragment in one.properties.items():
            question["properties"].setdefault(key, fragment)
        if one.required:
            question.setdefault("allOf", []).append(
                {"if": {"properties": {"type": {"const": name}}}, "then": {"required": list(one.required)}}
            )
    return unit
