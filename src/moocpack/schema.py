"""The JSON Schemas (shipped from the repository's schemas/ folder) and friendly messages."""

from __future__ import annotations

import difflib
import json
from functools import lru_cache
from importlib import resources

import re

from jsonschema import Draft202012Validator, FormatChecker, ValidationError, validators
from referencing import Registry, Resource

BASE = "https://moocpack.org/schemas/v1/"
KINDS = ("course", "unit", "worksheet", "competences")
TEXT = BASE + "common.schema.json#/$defs/text"
MARKDOWN = BASE + "common.schema.json#/$defs/markdown"


@lru_cache(maxsize=None)
def packaged() -> dict[str, dict]:
    """The schemas as moocpack ships them (what the built-in question types are made of)."""
    folder = resources.files("moocpack.schemas")
    return {
        entry.name: json.loads(entry.read_text("utf-8"))
        for entry in folder.iterdir()
        if entry.name.endswith(".schema.json")
    }


@lru_cache(maxsize=None)
def documents() -> dict[str, dict]:
    """The schemas, the unit's with the question kinds plug-ins add (kinds.py)."""
    from moocpack import kinds

    found = dict(packaged())
    found["unit.schema.json"] = kinds.extend_unit_schema(found["unit.schema.json"])
    return found


@lru_cache(maxsize=None)
def registry() -> Registry:
    return Registry().with_resources((schema["$id"], Resource.from_contents(schema)) for schema in documents().values())


@lru_cache(maxsize=None)
def _ecma(pattern: str) -> re.Pattern:
    # JSON Schema patterns are ECMA-262 regular expressions, whose `$` matches only at the very
    # end; Python's also matches before a final newline, so "1.0.0\n" would pass as a version.
    return re.compile(re.sub(r"(?<!\\)\$", r"\\Z", pattern))


def _pattern(validator, pattern, instance, schema):
    if isinstance(instance, str) and not _ecma(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


# Draft 2020-12 with ECMA-262 semantics for `pattern`.
CourseValidator = validators.extend(Draft202012Validator, {"pattern": _pattern})


@lru_cache(maxsize=None)
def _fast(kind: str):
    """The schema compiled to Python by fastjsonschema: several times faster for the common case,
    a valid file. It answers only valid or not; jsonschema then explains a file that is not."""
    import fastjsonschema

    def ecma(node):  # the same ECMA-262 `$` as CourseValidator's pattern keyword
        if isinstance(node, dict):
            return {
                k: (re.sub(r"(?<!\\)\$", r"\\Z", v) if k == "pattern" and isinstance(v, str) else ecma(v))
                for k, v in node.items()
            }
        return [ecma(v) for v in node] if isinstance(node, list) else node

    schema = ecma(inline(documents()[f"{kind}.schema.json"], BASE + f"{kind}.schema.json"))
    code = fastjsonschema.compile_to_code(schema, use_formats=True, use_default=False)
    # Its errors are never shown (jsonschema explains), yet each one it raises formats a message
    # from locals() and builds the schema's dict again, and `oneOf` raises one per branch not
    # taken: thousands per large course, a third of the checking time. They raise bare instead.
    code = re.sub(
        r"^(\s*)raise JsonSchemaValueException\(.*\)$", r'\1raise JsonSchemaValueException("invalid")', code, flags=re.M
    )
    namespace: dict = {}
    exec(compile(code, f"<schema {kind}>", "exec"), namespace)  # what fastjsonschema.compile does
    name = re.search(r"^def (\w+)\(", code, re.M)
    assert name is not None, "fastjsonschema wrote no function"
    return namespace[name.group(1)]


# Compiling a schema costs about as much as checking 15 files with jsonschema: a small course
# never pays for it, a large one pays once per process.
COMPILE_AFTER = 15
_validated: dict[str, int] = {}


def errors(kind: str, data) -> list[ValidationError]:
    """Every schema error of a file's data, in document order (none for a valid file)."""
    _validated[kind] = _validated.get(kind, 0) + 1
    if _validated[kind] > COMPILE_AFTER:
        try:
            _fast(kind)(data)
            return []
        except Exception:  # fastjsonschema's own error: jsonschema says exactly what is wrong
            pass
    return sorted(validator(kind).iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))


@lru_cache(maxsize=None)
def validator(kind: str) -> Draft202012Validator:
    # The schemas are validated as written (with their $refs) in the tests; for checking courses
    # we inline every $ref once, which makes validation several times faster on large courses.
    schema = inline(documents()[f"{kind}.schema.json"], BASE + f"{kind}.schema.json")
    return CourseValidator(schema, format_checker=FormatChecker())


def inline(node, base: str):
    """A copy of a schema with every $ref replaced by its target (our schemas have no cycles)."""
    if isinstance(node, list):
        return [inline(item, base) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        ref = node["$ref"]
        target, _, fragment = ref.partition("#")
        doc_uri = BASE + target if target else base
        found = registry().contents(doc_uri)
        for part in fragment.strip("/").split("/") if fragment else []:
            found = found[part]
        extra = {k: v for k, v in node.items() if k not in ("$ref", "description", "title")}
        merged = {**inline(found, doc_uri), **{k: inline(v, base) for k, v in extra.items()}}
        return merged
    return {
        key: (value if key in ("$id", "$schema") else inline(value, base))
        for key, value in node.items()
        if key != "$defs"
    }


def schema(kind: str) -> dict:
    return documents()[f"{kind}.schema.json"]


_resolved: dict[tuple[int, str], tuple[dict, tuple]] = {}


def resolve(node: dict, base: str) -> tuple[dict, str, str | None]:
    """Follow $ref chains; returns (schema, base uri, the last ref's absolute uri).

    Memoised: walkers call this for every value of every file. The node is kept in the memo so
    that its id cannot be reused by another dict."""
    key = (id(node), base)
    if key not in _resolved:
        _resolved[key] = (node, _resolve(node, base))
    return _resolved[key][1]


def _resolve(node: dict, base: str) -> tuple[dict, str, str | None]:
    ref_uri = None
    while "$ref" in node:
        ref = node["$ref"]
        target, _, fragment = ref.partition("#")
        doc_uri = BASE + target if target else base
        ref_uri = f"{doc_uri}#{fragment}"
        if ref_uri in (TEXT, MARKDOWN):
            return node, doc_uri, ref_uri
        found = registry().contents(doc_uri)
        for part in fragment.strip("/").split("/") if fragment else []:
            found = found[part]
        extra = {k: v for k, v in node.items() if k not in ("$ref", "description", "title")}
        node, base = ({**found, **extra} if extra else found), doc_uri
    return node, base, ref_uri


_TYPE_NAMES = {
    "object": "a mapping",
    "array": "a list",
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "nothing",
}


def _kind_of(value) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, (int, float)):
        return "a number"
    if value is None:
        return "nothing"
    return "text"


def shown(value) -> str:
    """A value as a message quotes it: line breaks and other invisible characters escaped."""
    text = str(value)
    return re.sub(r"[\x00-\x1f\x7f-\x9f]", lambda m: m.group().encode("unicode_escape").decode(), text)


def suggest(word: str, candidates) -> str:
    close = difflib.get_close_matches(str(word), [str(c) for c in candidates], n=1, cutoff=0.5)
    return f" (did you mean '{close[0]}'?)" if close else ""


def explain(error) -> tuple[str, list, bool]:
    """A sentence an author understands, the path it belongs to, and whether to point at the key."""
    path = list(error.absolute_path)
    validator_name = error.validator
    value = error.instance
    schema_node = error.schema
    if validator_name == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        return f"missing required field '{missing}'", path, False
    if validator_name == "additionalProperties":
        allowed = list(schema_node.get("properties", {}))
        extras = [k for k in value if k not in allowed] if isinstance(value, dict) else []
        if extras:
            key = extras[0]
            hint = suggest(key, allowed) or (f"; allowed here: {', '.join(allowed)}" if allowed else "")
            return f"unknown field '{key}'{hint}", path + [key], True
    if validator_name == "type":
        expected = schema_node.get("type")
        names = " or ".join(
            _TYPE_NAMES.get(t, t) for t in (expected if isinstance(expected, list) else [str(expected)])
        )
        hint = ""
        if isinstance(value, bool) and "string" in (expected if isinstance(expected, list) else [expected]):
            hint = " (YAML reads yes/no/on/off/true/false as true/false: put the text in quotes)"
        return f"expected {names}, found {_kind_of(value)}{hint}", path, False
    if validator_name in ("enum", "const"):
        choices = schema_node.get("enum") or [schema_node.get("const")]
        return (
            (
                f"'{shown(value)}' is not allowed here; use one of: {', '.join(map(str, choices))}"
                f"{suggest(value, choices)}"
            ),
            path,
            False,
        )
    if validator_name == "pattern":
        what = schema_node.get("title")
        why = schema_node.get("description", "")
        verdict = f"is not a valid {what.lower()}" if what else "does not have the expected form"
        return f"'{shown(value)}' {verdict}" + (f": {why}" if why else ""), path, False
    if validator_name == "minItems":
        return f"needs at least {schema_node['minItems']} item(s)", path, False
    if validator_name == "minLength":
        return "must not be empty", path, False
    if validator_name == "maxLength":
        return f"is longer than {schema_node['maxLength']:,} characters", path, False
    if validator_name == "uniqueItems":
        return "contains the same entry twice", path, False
    if validator_name == "oneOf" and "table" in json.dumps(schema_node.get("oneOf", "")):
        return "a worksheet needs exactly one of 'table' or 'prompts'", path, False
    if validator_name in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        return f"{value} is out of range ({validator_name} {schema_node[validator_name]})", path, False
    if validator_name == "format":
        return f"'{shown(value)}' is not a valid {schema_node.get('format')}", path, False
    if validator_name == "minProperties":
        return "must not be empty", path, False
    if validator_name == "propertyNames":
        return f"'{shown(value)}' is not a valid language code", path, True
    return error.message, path, False
