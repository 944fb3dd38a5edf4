"""Safe YAML reading that remembers where every value came from.

PyYAML's safe composer builds a node tree with line/column marks; we turn it into plain Python
data ourselves so that we can (a) refuse aliases, which authors never need and which make
"billion laughs" bombs possible, (b) refuse duplicate keys, which PyYAML silently overwrites,
and (c) keep a JSON-pointer → position map for error messages.
"""

from __future__ import annotations

import datetime
import re
import sys
from array import array
from pathlib import Path
from typing import Any

import yaml

_Composer: Any  # the C composer where PyYAML was built with it: several times faster, just as safe
try:
    _Composer = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Composer = yaml.SafeLoader


class _Loader(_Composer):
    """The safe loader, its tags resolved as PyYAML's Resolver resolves them (no path resolvers:
    the safe loader has none), without joining two lists for every value: the composer asks
    once per value, and a large course has hundreds of thousands."""

    _implicit = {
        first: [*found, *_Composer.yaml_implicit_resolvers.get(None, [])]
        for first, found in _Composer.yaml_implicit_resolvers.items()
        if first is not None
    }
    _wildcard = _Composer.yaml_implicit_resolvers.get(None, [])

    def resolve(self, kind, value, implicit):
        if kind is yaml.ScalarNode:
            if implicit[0]:
                for tag, regexp in self._implicit.get(value[:1], self._wildcard):
                    if regexp.match(value):
                        return tag
            return self.DEFAULT_SCALAR_TAG
        if self.yaml_path_resolvers:  # pragma: no cover - none are registered on the safe loader
            return super().resolve(kind, value, implicit)
        return self.DEFAULT_SEQUENCE_TAG if kind is yaml.SequenceNode else self.DEFAULT_MAPPING_TAG


MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_NODES = 200_000
MAX_DEPTH = 50  # no course file needs more than a dozen levels; deeper is a mistake or an attack

# Characters a course text never needs and that break formats downstream (a NUL in a zip entry,
# an escape sequence in a terminal, U+FFFE in XML): C0 controls but tab and line feed, DEL, C1
# controls (U+0085 "next line" included: YAML folds it into a space), lone surrogates and the
# non-characters U+FFFE/U+FFFF.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def control_character(text: str) -> str | None:
    """A description of the first forbidden control character in `text`, or None."""
    found = CONTROL.search(text)
    return f"U+{ord(found.group()):04X}" if found else None


class YamlError(Exception):
    """A file that cannot be read as safe YAML; position is 1-based (line, column)."""

    def __init__(self, message: str, position: tuple[int, int] = (1, 1), code: str = "yaml.invalid"):
        super().__init__(message)
        self.message = message
        self.position = position
        self.code = code


# A position is one int per value, line << _COLUMN_BITS | column, instead of a tuple of two: a
# large course has hundreds of thousands.
_COLUMN_BITS = 20


class Document:
    """One YAML file's data, and where each value of it was written."""

    __slots__ = ("path", "data", "_positions", "_key_positions", "_packed", "valid_as", "markdown_notes", "merge")

    def __init__(
        self,
        path: Path,
        data: object,
        positions: dict[str, int] | None = None,
        key_positions: dict[str, int] | None = None,
    ):
        self.path = path
        # Any: YAML data, whose shape the JSON Schema checks (never the type checker).
        self.data: Any = data
        self._positions = {} if positions is None else positions  # pointer -> packed (line, column)
        self._key_positions = {} if key_positions is None else key_positions
        self._packed: tuple | None = None  # positions as read by another process, unpacked when asked for
        self.valid_as: str | None = None  # the schema this data was found valid for, where known
        # The Markdown texts that have something to report, (path from the root, text), where
        # known: None means not looked at yet.
        self.markdown_notes: list[tuple[str, str]] | None = None
        # A translation merged with its source when it was read ahead: (missing, done, errors) as
        # translation.Merge finds them, or None.
        self.merge: tuple | None = None

    @property
    def positions(self) -> dict[str, int]:
        if self._packed is not None:
            self._unpack()
        return self._positions

    @property
    def key_positions(self) -> dict[str, int]:
        if self._packed is not None:
            self._unpack()
        return self._key_positions

    def packed(self) -> tuple:
        """The positions in a form that is cheap to send to another process (a pointer per value
        costs more to pickle than to compute): the pointers joined by NUL (which the reader
        refuses in text, so none holds one), each one's position, and its key's (0: none)."""
        positions, keys = self.positions, self.key_positions
        return (
            "\0".join(positions),
            array("q", positions.values()),
            array("q", [keys.get(pointer, 0) for pointer in positions]),
        )

    @classmethod
    def from_packed(cls, path: Path, data: object, packed: tuple) -> "Document":
        doc = cls(path, data)
        doc._packed = packed
        return doc

    def _unpack(self) -> None:
        assert self._packed is not None
        pointers, places, key_places = self._packed
        self._packed = None
        pointers = pointers.split("\0") if places else []
        self._positions = dict(zip(pointers, places))
        # The same pointer strings in both tables, as the reader makes them.
        self._key_positions = {pointer: place for pointer, place in zip(pointers, key_places) if place}

    def position(self, pointer: str, key: bool = False) -> tuple[int, int]:
        """Best known position for a JSON pointer: the node itself or its nearest ancestor."""
        positions = self.positions
        table = self.key_positions if key else positions
        while True:
            found = table.get(pointer)
            if found is None:
                found = positions.get(pointer)
            if found is not None:
                return (found >> _COLUMN_BITS, found & ((1 << _COLUMN_BITS) - 1))
            if not pointer:
                return (1, 1)
            pointer = pointer.rsplit("/", 1)[0]


def escape(token: str) -> str:
    token = str(token)
    if "~" not in token and "/" not in token:  # almost every key and id: no copy
        return token
    return token.replace("~", "~0").replace("/", "~1")


def pointer_of(parts) -> str:
    return "".join("/" + escape(p) for p in parts)


def _mark(node) -> tuple[int, int]:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def read(path: Path) -> Document:
    """Read one YAML file; raises YamlError with a position for anything unsafe or malformed."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise YamlError(f"cannot read file: {exc.strerror}", code="file.unreadable") from exc
    if size > MAX_FILE_BYTES:
        raise YamlError(f"file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,} bytes", code="file.too-large")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        column = len(raw[line_start : exc.start].decode("utf-8").lstrip("\ufeff")) + 1
        line = raw[: exc.start].count(b"\n") + 1
        raise YamlError(
            f"not UTF-8: byte 0x{raw[exc.start]:02X} here is not part of a UTF-8 character; save the "
            "file as UTF-8 (most editors: Save with encoding)",
            (line, column),
            code="file.not-utf8",
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]  # a byte order mark, which Windows editors write: not part of the YAML
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except RecursionError as exc:  # the pure-Python composer recurses per level
        raise YamlError(
            f"values are nested too deeply (the limit is {MAX_DEPTH} levels)", code="yaml.too-deep"
        ) from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        pos = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise YamlError(f"YAML syntax error: {exc.problem or exc.context}", pos, code="yaml.syntax") from exc
    except yaml.reader.ReaderError as exc:  # a character YAML refuses (NUL, other controls)
        before = text[: exc.position]
        position = (before.count("\n") + 1, exc.position - (before.rfind("\n") + 1) + 1)
        character = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise YamlError(
            f"control character U+{character:04X} is not allowed in a course file; remove it",
            position,
            code="text.control-character",
        ) from None
    except yaml.YAMLError as exc:
        raise YamlError(f"YAML error: {exc}", code="yaml.syntax") from exc
    finally:
        loader.dispose()
    doc = Document(path, None)
    if node is None:
        doc.data = None
        return doc
    converter = _Converter(doc)
    doc.data = converter.convert(node, "")
    return doc


_STR = "tag:yaml.org,2002:str"
_PLAIN_COLLECTIONS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}


class _Converter:
    def __init__(self, doc: Document):
        self.positions = doc.positions
        self.key_positions = doc.key_positions
        self.seen: set[int] = set()
        self.count = 0
        # The constructor alone: a whole SafeLoader per file is a reference cycle (its parser state).
        self.constructor = yaml.constructor.SafeConstructor()

    def convert(self, node, pointer: str, depth: int = 0):
        self.count += 1
        if self.count > MAX_NODES:
            raise YamlError(f"file has more than {MAX_NODES:,} values", _mark(node), code="yaml.too-many-values")
        if depth > MAX_DEPTH:
            raise YamlError(f"values are nested more than {MAX_DEPTH} levels deep", _mark(node), code="yaml.too-deep")
        if id(node) in self.seen:
            raise YamlError("YAML aliases (*name) are not allowed; write the value out", _mark(node), code="yaml.alias")
        self.seen.add(id(node))
        mark = node.start_mark
        self.positions[pointer] = (mark.line + 1) << _COLUMN_BITS | (mark.column + 1)
        kind = node.id  # "scalar", "mapping" or "sequence": one string compare, not isinstance chains
        if kind == "scalar":
            return self.scalar(node)
        if node.tag not in _PLAIN_COLLECTIONS:
            raise YamlError(f"unsupported YAML value: tag '{node.tag}' is not allowed", _mark(node), code="yaml.tag")
        if kind == "mapping":
            result = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise YamlError("YAML merge keys (<<) are not allowed", _mark(key_node), code="yaml.merge-key")
                if key_node.id != "scalar":  # a scalar's value is never a mapping or a list
                    raise YamlError("mapping keys must be plain text", _mark(key_node), code="yaml.complex-key")
                key = sys.intern(str(self.scalar(key_node)))  # "id", "title"… one string each, however often written
                if key in result:
                    raise YamlError(f"duplicate key '{key}'", _mark(key_node), code="yaml.duplicate-key")
                child = f"{pointer}/{escape(key)}"
                key_mark = key_node.start_mark
                self.key_positions[child] = (key_mark.line + 1) << _COLUMN_BITS | (key_mark.column + 1)
                result[key] = self.convert(value_node, child, depth + 1)
            return result
        return [self.convert(item, f"{pointer}/{i}", depth + 1) for i, item in enumerate(node.value)]

    def scalar(self, node):
        if node.tag == _STR:  # most values: the text as written (what the constructor would return)
            value = node.value
            # Printable ASCII (ids, most titles) holds no control character: no search needed.
            if not (value.isascii() and value.isprintable()) and (bad := control_character(value)):
                raise YamlError(
                    f"control character {bad} is not allowed in text; remove it",
                    _mark(node),
                    code="text.control-character",
                )
            return value
        try:
            value = self.constructor.construct_object(node)
        except yaml.constructor.ConstructorError as exc:
            raise YamlError(f"unsupported YAML value: {exc.problem}", _mark(node), code="yaml.tag") from exc
        # JSON Schema knows no dates or binary; authors' dates stay ISO text.
        if isinstance(value, (datetime.date, datetime.datetime)):
            return value.isoformat()
        if isinstance(value, bytes):
            raise YamlError("binary YAML values are not allowed", _mark(node), code="yaml.binary")
        if isinstance(value, float) and value != value:
            raise YamlError("NaN is not a valid value", _mark(node), code="yaml.nan")
        if isinstance(value, str) and (bad := control_character(value)):
            raise YamlError(
                f"control character {bad} is not allowed in text; remove it", _mark(node), code="text.control-character"
            )
        return value
