"""`<lang>/_l10n.lock.yaml`: what each accepted translation was translated from.

Part of the course folder like any course file, so it is read the same way: the safe YAML reader
(no aliases, no tags, size and nesting limits, positions for every value) and a shape check, with
every problem reported as file:line:column. Written by the translators' commands (moocpack l10n).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import yaml

from . import yamlfile
from .archive import write_atomic

LOCK = "_l10n.lock.yaml"
# key -> type of every field an entry may hold
ENTRY_FIELDS = {"source": str, "source_sha": str, "target_sha": str, "fuzzy": bool, "reviewed": bool}


def digest(text: str) -> str:
    """A short hash of a text, blind to trailing spaces and line-ending style."""
    normal = "\n".join(line.rstrip() for line in str(text).replace("\r\n", "\n").strip().split("\n"))
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()[:16]


def stale(entry: dict | None, source: str) -> bool:
    """Whether an accepted translation's source has changed since (or it was marked fuzzy)."""
    return entry is not None and bool(entry) and bool(entry.get("fuzzy") or entry.get("source_sha") != digest(source))


def path(root: Path, lang: str) -> Path:
    return root / lang / LOCK


def read(file: Path) -> tuple[dict, list[tuple[str, str, tuple[int, int], str]]]:
    """The lock's entries (translation key -> entry) and its problems as (message, pointer,
    position, code). A missing file is an empty lock; a broken one gives no entries."""
    if not file.is_file():
        return {}, []
    try:
        doc = yamlfile.read(file)
    except yamlfile.YamlError as exc:
        return {}, [(exc.message, "", exc.position, exc.code)]
    problems = []

    def problem(message: str, *parts) -> None:
        pointer = yamlfile.pointer_of(parts)
        problems.append((message, pointer, doc.position(pointer), "lock.invalid"))

    data = doc.data if doc.data is not None else {}
    if not isinstance(data, dict):
        problem("a lock file is a mapping with 'source_language' and 'units'")
        return {}, problems
    for key in data:
        if key not in ("source_language", "units"):
            problem(f"unknown field '{key}' in a lock file", key)
    units = data.get("units") or {}
    if not isinstance(units, dict):
        problem("'units' must be a mapping of translation keys to entries", "units")
        return {}, problems
    entries = {}
    for key, entry in units.items():
        if not isinstance(entry, dict):
            problem("each entry is a mapping (source, source_sha, target_sha)", "units", key)
            continue
        bad = [
            name
            for name, value in entry.items()
            if name not in ENTRY_FIELDS or not isinstance(value, ENTRY_FIELDS[name])
        ]
        for name in bad:
            problem(f"'{name}' is not a field of a lock entry, or has the wrong type", "units", key, name)
        if not bad:
            entries[key] = entry
    return (entries if not problems else {}), problems


class _Dumper(yaml.SafeDumper):
    """Multi-line source texts as literal blocks, so that diffs of the lock read like the text."""


def _text(dumper, value: str):
    style = "|" if "\n" in value.strip() else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def dump(source_language: str, entries: dict) -> bytes:
    body = yaml.dump(
        {"source_language": source_language, "units": dict(sorted(entries.items()))},
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=True,
        width=100,
    )
    return ("# written by moocpack l10n; do not edit by hand\n" + body).encode()


def write(root: Path, lang: str, source_language: str, entries: dict) -> None:
    write_atomic(path(root, lang), dump(source_language, entries))
