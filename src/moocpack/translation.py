"""Merging a translation folder's text into the source structure.

A translation file mirrors a source file but holds only text: list items are matched by `id`,
never by position, so reordering the source invalidates nothing. Which fields are text is read
from the JSON Schema (fields typed as common `text` or `markdown`), so the schemas stay the one
place that defines the format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from . import schema as schemas
from .model import Text
from .schema import suggest
from .yamlfile import Document, escape, pointer_of

TEXT, MARKDOWN = "text", "markdown"


_KINDS = {schemas.TEXT: TEXT, schemas.MARKDOWN: MARKDOWN}


def text_kind(node: dict, base: str) -> str | None:
    """ "text", "markdown" or None for a schema node (asked once per node: see _Plan)."""
    ref = schemas.resolve(node, base)[2]
    return _KINDS.get(ref) if ref else None


def _children(node: dict, base: str):
    node, base, _ = schemas.resolve(node, base)
    for sub in node.get("properties", {}).values():
        yield sub, base
    for key in ("items", "additionalProperties"):
        if isinstance(node.get(key), dict):
            yield node[key], base


_memo: dict[tuple[int, str], tuple[dict, bool]] = {}


def translatable(node: dict | None, base: str) -> bool:
    """Whether any text lives at or below this schema node."""
    if not node:
        return False
    key = (id(node), base)
    if key not in _memo:
        # The node is kept in the memo so its id cannot be reused by another dict.
        result = bool(text_kind(node, base)) or any(translatable(sub, b) for sub, b in _children(node, base))
        _memo[key] = (node, result)
    return _memo[key][1]


@dataclass
class Merge:
    """One source file merged with one translation file for one language."""

    source_lang: str
    lang: str
    file: str  # path of the file inside the language folder, e.g. units/unit-02.yaml
    target: Document | None
    errors: list[tuple[str, str, tuple[int, int]]] = field(default_factory=list)  # message, pointer, pos
    # Untranslated texts: (id-based pointer, JSON pointer of the text in the source file).
    missing: list[tuple[str, str]] = field(default_factory=list)
    # Translated texts: (id-based pointer, source text), to compare with the lock file.
    done: list[tuple[str, str]] = field(default_factory=list)
    translated: int = 0
    total: int = 0

    def run(self, source, kind: str):
        target = self.target.data if self.target else None
        plan = _Plan.for_kind(kind)
        if target is source:  # the source language's own file: each text is its own translation
            return _merged_text(source, source, plan, self.source_lang, self.lang)
        return self._merge(source, target, plan, None, "", "")

    # `ptr`, where a value is in the translation file, is a chain (parent chain, key or index)
    # rather than a list: it is needed only to place an error, and copying a list at every
    # level cost more than the rest of the merge.
    def _error(self, message: str, ptr, key: bool = False):
        pointer = pointer_of(path_of(ptr))
        position = self.target.position(pointer, key=key) if self.target else (0, 0)
        self.errors.append((message, pointer, position))

    def _merge(self, source, target, plan: "_Plan", ptr, key_path, source_ptr):
        if plan.kind:
            self.total += 1
            if target is None:
                self.missing.append((key_path or "/", source_ptr))
                return Text(source, self.source_lang)
            if not isinstance(target, str) or not target.strip():
                self._error("expected the translated text here", ptr)
                return Text(source, self.source_lang)
            self.translated += 1
            self.done.append((key_path or "/", source))
            return Text(target, self.lang)
        if isinstance(source, dict):
            return self._merge_mapping(source, target, plan, ptr, key_path, source_ptr)
        if _items_with_ids(source):
            return self._merge_list(source, target, plan, ptr, key_path, source_ptr)
        if target is not None:
            self._error("this is not translatable text; it belongs in the source-language file only", ptr)
        return source

    def _merge_mapping(self, source, target, plan: "_Plan", ptr, key_path, source_ptr):
        fields, others = plan.fields, plan.others
        if target is not None and not isinstance(target, dict):
            self._error("expected a mapping of fields, as in the source file", ptr)
            target = None
        target = target or {}
        for key in target:
            if key == "id" and ptr is not None:
                continue
            if key not in source:
                candidates = [k for k in source if fields.get(k, others) is not None]
                self._error(f"'{key}' is not in the source file{suggest(key, candidates)}", (ptr, key), key=True)
            elif fields.get(key, others) is None:
                self._error(
                    f"'{key}' is structure, not text: it belongs in the source-language file only", (ptr, key), key=True
                )
        result = {}
        for key, value in source.items():
            sub = fields.get(key, others)
            if sub is not None:
                escaped = escape(key)
                result[key] = self._merge(
                    value, target.get(key), sub, (ptr, key), f"{key_path}/{escaped}", f"{source_ptr}/{escaped}"
                )
            else:
                result[key] = value
        return result

    def _merge_list(self, source, target, plan: "_Plan", ptr, key_path, source_ptr):
        item_plan = plan.items
        by_id = {}
        if target is not None and not isinstance(target, list):
            self._error("expected a list of items with ids, as in the source file", ptr)
            target = None
        source_ids = [item["id"] for item in source]
        for index, item in enumerate(target or []):
            if not isinstance(item, dict) or "id" not in item:
                self._error("each item needs the 'id' of the source item it translates", (ptr, index))
                continue
            if item["id"] not in source_ids:
                self._error(
                    f"no item with id '{item['id']}' in the source file{suggest(item['id'], source_ids)}",
                    ((ptr, index), "id"),
                )
                continue
            if item["id"] in by_id:
                self._error(f"id '{item['id']}' is translated twice", ((ptr, index), "id"))
            by_id[item["id"]] = (index, item)
        result = []
        for position, item in enumerate(source):
            index, translated = by_id.get(item["id"], (None, None))  # type: ignore[assignment]  # None: no translation
            item_ptr = (ptr, index) if index is not None else ptr
            result.append(
                self._merge(
                    item,
                    translated,
                    item_plan,
                    item_ptr,
                    f"{key_path}/{escape(item['id'])}",
                    f"{source_ptr}/{position}",
                )
            )
        return result


def merged_text(source, target: Document | None, kind: str, source_lang: str, lang: str):
    """What `Merge(...).run(source, kind)` returns, without noting what is missing, translated
    or wrong: a checked course's model, whose check has said all that (a quarter less time)."""
    data = target.data if target else None
    # The source language's own file (target is source) gives each text in its own language.
    return _merged_text(source, data, _Plan.for_kind(kind), source_lang, lang)


def _items_with_ids(value) -> bool:
    """A list whose items translations match by id (never by position)."""
    return isinstance(value, list) and bool(value) and all(isinstance(i, dict) and "id" in i for i in value)


class _Plan:
    """Where text lives under one schema node, worked out once: its text kind if it is text;
    for a mapping the plan of each field that holds text at or below it (None: structure) and
    of other keys' values; for a list its items'. Plans are kept by node, so walking a file
    does no schema lookups."""

    __slots__ = ("node", "kind", "fields", "others", "items")
    _made: dict[tuple[int, str], "_Plan"] = {}

    def __init__(self, node=None, kind=None, fields=None, others=None, items=None):
        self.node, self.kind, self.fields, self.others, self.items = node, kind, fields or {}, others, items

    @classmethod
    def for_kind(cls, kind: str) -> "_Plan":
        root = schemas.schema(kind)
        return cls.of(root, root["$id"])

    @classmethod
    def of(cls, node: dict, base: str) -> "_Plan":
        plan = cls._made.get((id(node), base))
        if plan is None:
            # Made and kept before its children: a recursive schema comes back to it.
            plan = cls._made[(id(node), base)] = cls(node, text_kind(node, base))  # node kept: its id is not reused
            resolved, base, _ = schemas.resolve(node, base)
            plan.fields = {
                name: cls.of(sub, base) if translatable(sub, base) else None
                for name, sub in resolved.get("properties", {}).items()
            }
            extra, items = resolved.get("additionalProperties"), resolved.get("items")
            plan.others = cls.of(extra, base) if isinstance(extra, dict) and translatable(extra, base) else None
            # No items schema: nothing below is text (a list of such items is kept as it is).
            plan.items = cls.of(items, base) if isinstance(items, dict) and not plan.kind else _NOTHING
        return plan


_NOTHING = _Plan()  # a node under which nothing is text
_NOTHING.items = _NOTHING


def _merged_text(source, target, plan: _Plan, source_lang: str, lang: str):
    # Merge._merge, value for value, less the bookkeeping.
    if plan.kind:
        if target is None or not isinstance(target, str) or not target.strip():
            return Text(source, source_lang)
        return Text(target, lang)
    if isinstance(source, dict):
        fields, others = plan.fields, plan.others
        if not isinstance(target, dict):
            target = {}
        result = {}
        for key, value in source.items():
            sub = fields.get(key, others)
            result[key] = value if sub is None else _merged_text(value, target.get(key), sub, source_lang, lang)
        return result
    if _items_with_ids(source):
        by_id = {}
        if isinstance(target, list):
            source_ids = [item["id"] for item in source]
            for item in target:
                if isinstance(item, dict) and "id" in item and item["id"] in source_ids:
                    by_id[item["id"]] = item
        items = plan.items
        return [_merged_text(item, by_id.get(item["id"]), items, source_lang, lang) for item in source]
    return source


def iter_units(data, kind: str):
    """Yield (segments, pointer, text kind, value) for every text field present in a file's data.

    `segments` name the text by ids, never positions: ("key", name) for a mapping field and
    ("id", item id) for a list item; `pointer` is the JSON pointer by position, to find the line.
    """
    for chain, found, value in _texts(data, _Plan.for_kind(kind), None, []):
        path, segments, here = path_of(chain), [], data
        for part in path:
            here = here[part]
            segments.append(("id", here["id"]) if isinstance(part, int) else ("key", part))
        yield tuple(segments), pointer_of(path), found, value


def markdown_texts(data, kind: str) -> list:
    """(where, value) for every Markdown text in a file's data, as iter_units() finds
    them but without naming the others: checking a large course's Markdown walks every file.
    `where` is a chain, made into a path by path_of() only for a text that needs one."""
    return [(chain, value) for chain, found, value in _texts(data, _Plan.for_kind(kind), None, []) if found == MARKDOWN]


def path_of(chain) -> list:
    """The keys and indexes from a file's root to a value, from a (parent chain, key) chain."""
    parts = []
    while chain is not None:
        chain, part = chain
        parts.append(part)
    parts.reverse()
    return parts


def _texts(data, plan: "_Plan", chain, out: list) -> list:
    """(chain, text kind, value) for every text with a value, added to `out`, walked as the
    schema says where text lives (its plans): mapping fields, list items by their ids."""
    if plan.kind:
        if isinstance(data, str):
            out.append((chain, plan.kind, data))
    elif isinstance(data, dict):
        fields, others = plan.fields, plan.others
        for key, value in data.items():
            sub = fields.get(key, others)
            if sub is not None:
                _texts(value, sub, (chain, key), out)
    elif isinstance(data, list) and plan.items is not _NOTHING:
        items = plan.items
        for index, value in enumerate(data):
            if isinstance(value, dict) and isinstance(value.get("id"), str):
                _texts(value, items, (chain, index), out)
    return out


def key_pointer(segments) -> str:
    """The id-based pointer of a text: `/activities/a1/title` for segments from iter_units."""
    return "".join("/" + escape(name) for _, name in segments)


def key_of(file: str, segments) -> str:
    """The translation unit key: source file path, '#', then the id-based pointer."""
    return file + "#" + key_pointer(segments)
