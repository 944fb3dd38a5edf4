"""Backup XML written straight as text, for the rows a backup has by the thousand.

Moodle writes its own backups with a streaming writer, not a document tree; for the parts of a
backup that repeat per activity and per question, so do we: building an element tree only to
serialise it cost most of a large backup's time. The bytes are those lxml writes for the same
elements (tests compare the two), and every limited column is fitted as it is written.
"""

from __future__ import annotations

from collections.abc import Callable

from moocpack.xmlescape import attribute, text

from .columns import COLUMN_LENGTHS, shortened


def _attributes(attrs: dict) -> str:
    # Most attributes are ids: nothing to escape.
    return (
        "".join(
            f' {name}="{value}"' if type(value) is int else f' {name}="{attribute(value)}"'
            for name, value in attrs.items()
        )
        if attrs
        else ""
    )


def element(tag: str, inner: str = "", **attrs) -> str:
    """An element with its (already written) content; empty, it is written <tag/> as lxml does."""
    if len(attrs) == 1 and type(attrs.get("id")) is int:  # a row: its id, then its fields
        head = f'<{tag} id="{attrs["id"]}"'
    else:
        head = f"<{tag}{_attributes(attrs)}"
    return f"{head}>{inner}</{tag}>" if inner else f"{head}/>"


class Fields:
    """Writes the fields of rows, fitting each limited column (see columns.py) and saying so
    through `warn`, naming `file`; `fit` False writes them as they are (a multi-language backup
    is fitted after its languages are merged)."""

    def __init__(self, file: str, warn: Callable[[str], None], fit: bool = True):
        self.file, self.warn, self.fit = file, warn, fit

    def __call__(self, row: str, /, **values) -> str:
        limits = COLUMN_LENGTHS.get(row) if self.fit else None
        parts = []
        add = parts.append
        for tag, value in values.items():
            kind = type(value)
            if kind is int:  # most fields: ids, flags, times; nothing to escape or fit
                add(f"<{tag}>{value}</{tag}>")
            elif value is None:
                add(f"<{tag}/>")
            else:
                if kind is not str:
                    value = str(value)
                if limits and tag in limits and len(value) > limits[tag]:
                    value = shortened(self.file, row, tag, value, limits[tag], self.warn)
                add(f"<{tag}>{text(value)}</{tag}>" if value else f"<{tag}></{tag}>")
        return "".join(parts)
