"""Writing translations into YAML files without disturbing what people wrote by hand.

ruamel.yaml's round-trip mode keeps comments, key order and quoting of the files translators
edit; PyYAML would rewrite them wholesale.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString


def _yaml() -> YAML:
    handler = YAML(typ="rt")
    handler.preserve_quotes = True
    handler.width = 4096  # never re-wrap translators' lines
    handler.indent(mapping=2, sequence=4, offset=2)
    return handler


def load(path: Path):
    if path.is_file():
        data = _yaml().load(path.read_text("utf-8"))
        return data if data is not None else CommentedMap()
    return CommentedMap()


def dump(data) -> bytes:
    out = io.StringIO()
    _yaml().dump(data, out)
    return out.getvalue().encode("utf-8")


def scalar(text: str):
    """The text as a YAML value that reads back exactly (moocpack reads YAML 1.1, where a plain
    `yes` is true): multi-line text as a literal block (its chomping says whether it ends with a
    line break), anything a reader could take for another type double-quoted."""
    if "\n" in text.strip("\n") and not text.startswith("\n"):
        return LiteralScalarString(text)
    try:
        plain = yaml.safe_load(text)
    except yaml.YAMLError:
        plain = None
    return text if plain == text and "\n" not in text else DoubleQuotedScalarString(text)


def set_value(root: Any, segments, text: str) -> None:
    """Set the text at an id-based path, creating mappings and list items as needed."""
    node: Any = root  # a mapping or a list, by the path's segment
    for index, (kind, name) in enumerate(segments):
        last = index == len(segments) - 1
        if kind == "key":
            if last:
                node[name] = scalar(text)
                return
            following = segments[index + 1][0]
            if name not in node or node[name] is None:
                node[name] = CommentedSeq() if following == "id" else CommentedMap()
            node = node[name]
        else:
            item = next((i for i in node if isinstance(i, dict) and i.get("id") == name), None)
            if item is None:
                item = CommentedMap()
                item["id"] = scalar(name)  # quoted where YAML would read it as another type: `id: "true"`
                node.append(item)
            node = item
