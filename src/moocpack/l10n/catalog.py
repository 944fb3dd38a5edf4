"""Translation units, their state per language, and the lock files that remember acceptance.

A unit is one translatable text, keyed by `<source file>#<pointer built from ids>`, e.g.
`units/unit-02.yaml#/activities/a1-my-role-model/procedure`. Competence frameworks hold every
language inline, so their units are keyed the same way in `competences/<id>.yaml`, with the
framework's own source language.

`<lang>/_l10n.lock.yaml` records, for each accepted unit, a short hash of the source text it was
translated from, a hash of the accepted target and that source text (so a translator sees what
changed). It is machine-written, committed, and sorted for stable diffs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .. import lockfile
from ..checks import Checked, source_files
from ..translation import iter_units, key_of

LOCK = lockfile.LOCK
digest = lockfile.digest
OK, STALE, MISSING, ORPHAN, SAME, REVIEWED = "ok", "stale", "missing", "orphan", "same-as-source", "reviewed"
DONE = (OK, SAME, REVIEWED)


def words(text: str) -> int:
    return len(re.findall(r"\w+", str(text)))


@dataclass
class Unit:
    key: str
    file: str  # source file, relative to its folder (course files) or the course root
    segments: tuple  # (("key", name) | ("id", id), ...) from the file's root
    kind: str  # "text" or "markdown"
    source: str
    source_lang: str
    target: str | None = None
    target_file: str = ""  # where the translation lives, relative to the course folder
    position: tuple[int, int] | None = None
    source_position: tuple[int, int] = (1, 1)
    state: str = MISSING
    previous_source: str | None = None
    framework: bool = False

    @property
    def source_file(self) -> str:
        """The file holding the source text, relative to the course folder."""
        return self.file if self.framework else f"{self.source_lang}/{self.file}"

    @property
    def pointer(self) -> str:
        return self.key.split("#", 1)[1]

    def context(self) -> str:
        where = " › ".join(name for _, name in self.segments)
        return f"{self.file} › {where} ({'Markdown' if self.kind == 'markdown' else 'text'})"


@dataclass
class Catalog:
    language: str
    units: list[Unit] = field(default_factory=list)
    orphans: list[Unit] = field(default_factory=list)
    lock: dict = field(default_factory=dict)
    # moocpack's interface strings the language has no catalogue text for, or that the course
    # words its own way (interface.py): exported and imported like course text, counted apart.
    interface: list[Unit] = field(default_factory=list)

    def by_key(self) -> dict[str, Unit]:
        return {u.key: u for u in self.units + self.interface}

    def stats(self) -> dict:
        counts = {
            state: sum(1 for u in self.units if u.state == state) for state in (OK, STALE, MISSING, SAME, REVIEWED)
        }
        total = len(self.units)
        done = sum(counts[s] for s in DONE)
        todo = sum(words(u.source) for u in self.units if u.state in (MISSING, STALE))
        return {
            "language": self.language,
            "strings": total,
            **counts,
            "orphan": len(self.orphans),
            "words_to_do": todo,
            "complete": round(100 * done / total, 1) if total else 100.0,
        }


def lock_path(checked: Checked, lang: str) -> Path:
    return lockfile.path(checked.folder.root, lang)


def read_lock(checked: Checked, lang: str) -> dict:
    """The lock as the course check read it (a copy: the commands change it before writing)."""
    return {key: dict(entry) for key, entry in checked.locks.get(lang, {}).items()}


def write_lock(checked: Checked, lang: str, entries: dict) -> None:
    lockfile.write(checked.folder.root, lang, checked.source_language, entries)


def _state(unit: Unit, entry: dict | None) -> str:
    if unit.target is None:
        return MISSING
    if entry is not None and lockfile.stale(entry, unit.source):
        if not entry.get("fuzzy"):
            unit.previous_source = entry.get("source")
        return STALE
    if entry and entry.get("reviewed"):
        return REVIEWED
    if unit.target.strip() == unit.source.strip():
        return SAME
    return OK


def collect(checked: Checked, lang: str) -> Catalog:
    """Every unit a translation into `lang` needs, with its target and state."""
    catalog = Catalog(lang, lock=read_lock(checked, lang))
    src = checked.source_language
    if lang != src:
        translations = checked.translations.get(lang, {})
        for rel, doc, kind in source_files(checked):
            target_doc = translations.get(rel)
            targets = {}
            if target_doc is not None:
                for segments, pointer, _, value in iter_units(target_doc.data, kind):
                    targets[segments] = (value, target_doc.position(pointer))
            known = set()
            for segments, pointer, text_kind, value in iter_units(doc.data, kind):
                known.add(segments)
                unit = Unit(
                    key_of(rel, segments),
                    rel,
                    segments,
                    text_kind,
                    value,
                    src,
                    target_file=f"{lang}/{rel}",
                    source_position=doc.position(pointer),
                )
                if segments in targets:
                    unit.target, unit.position = targets[segments]
                catalog.units.append(unit)
            for segments, (value, position) in targets.items():
                if segments not in known:
                    catalog.orphans.append(
                        Unit(
                            key_of(rel, segments),
                            rel,
                            segments,
                            "text",
                            "",
                            src,
                            value,
                            f"{lang}/{rel}",
                            position,
                            state=ORPHAN,
                        )
                    )
    for rel, doc, fw, segments, source, values, pointer in _framework_texts(checked, lang):
        kind = "markdown" if segments == (("key", "description"),) else "text"
        unit = Unit(
            key_of(rel, segments),
            rel,
            segments,
            kind,
            source,
            fw["source_language"],
            target_file=rel,
            framework=True,
            source_position=doc.position(f"{pointer}/{fw['source_language']}"),
        )
        if lang in values:
            unit.target = values[lang]
            unit.position = doc.position(f"{pointer}/{lang}")
        catalog.units.append(unit)
    catalog.interface = interface_units(checked, lang)
    keys = {u.key for u in catalog.units}
    for unit in catalog.units:
        unit.state = _state(unit, catalog.lock.get(unit.key))
    for key, entry in sorted(catalog.lock.items()):
        if key not in keys:
            file = key.split("#", 1)[0]
            catalog.orphans.append(
                Unit(
                    key,
                    file,
                    (),
                    "text",
                    entry.get("source", ""),
                    checked.source_language,
                    None,
                    f"{lang}/{LOCK}",
                    None,
                    state=ORPHAN,
                )
            )
    return catalog


def interface_units(checked: Checked, lang: str) -> list[Unit]:
    """The interface strings to translate into `lang`: each English message that moocpack's
    catalogue for the language lacks or the course's `_interface.yaml` words; a message with a
    count, once per plural category of the language (its source: the English 'one' form for
    'one', else 'other')."""
    from .. import interface
    from ..loader import catalogue

    builtin = catalogue(lang) or catalogue(lang.split("-")[0]) or {}
    own = checked.interfaces.get(lang, {})
    units = []
    for key, english in sorted(interface.english().items()):
        if key in builtin and key not in own:
            continue
        forms: list[tuple[tuple[str, str], ...]]
        if isinstance(english, dict):
            forms = [(("key", key), ("key", category)) for category in interface.plural_categories(lang)]
        else:
            forms = [(("key", key),)]
        for segments in forms:
            source: str = english
            if isinstance(english, dict):  # a plural: this category's form, else "other"
                source = english[segments[1][1]] if segments[1][1] in english else english["other"]
            target = own.get(key)
            if isinstance(target, dict):
                target = target.get(segments[1][1])
            unit = Unit(
                key_of(interface.FILE, segments),
                interface.FILE,
                segments,
                "text",
                source,
                "en",
                target=target if isinstance(target, str) else None,
                target_file=f"{lang}/{interface.FILE}",
            )
            unit.state = MISSING if unit.target is None else OK
            units.append(unit)
    return units


def _framework_texts(checked: Checked, lang: str):
    """The texts of the competence frameworks not written in `lang`: (file, document, framework,
    segments, source text, every language's text, JSON pointer)."""
    for fid, doc in checked.frameworks.items():
        fw = doc.data
        if fw["source_language"] == lang:
            continue
        rel = f"competences/{fid}.yaml"
        entries: list[tuple[tuple[tuple[str, str], ...], dict, str]] = [
            ((("key", name),), fw[name], f"/{name}") for name in ("title", "description") if name in fw
        ]
        for ci, category in enumerate(fw["categories"]):
            base = (("key", "categories"), ("id", category["id"]))
            entries.append((base + (("key", "title"),), category["title"], f"/categories/{ci}/title"))
            for ii, item in enumerate(category["items"]):
                entries.append(
                    (
                        base + (("key", "items"), ("id", item["id"]), ("key", "text")),
                        item["text"],
                        f"/categories/{ci}/items/{ii}/text",
                    )
                )
        for segments, values, pointer in entries:
            source = values.get(fw["source_language"])
            if source is not None:
                yield rel, doc, fw, segments, source, values, pointer


def completeness(checked: Checked, lang: str) -> float:
    """`collect(checked, lang).stats()["complete"]`, counted from the merges the course check
    made instead of a catalogue of every text (what a build needs for min_complete, in a
    fraction of the time on a large course). Tests hold the two equal."""
    lock = checked.locks.get(lang, {})
    total = done = 0
    for rel, doc, kind in source_files(checked):
        merged = checked.merges.get((lang, rel))
        if merged is None and rel in checked.translations.get(lang, {}):
            return collect(checked, lang).stats()["complete"]  # its merge already used by loading
        if merged is None:  # no translation file: every text is missing
            total += sum(1 for _ in iter_units(doc.data, kind))
            continue
        _, missing, translated = merged
        total += len(missing) + len(translated)
        done += sum(1 for key, source in translated if not lockfile.stale(lock.get(f"{rel}#{key}"), source))
    for rel, _, _, segments, source, values, _ in _framework_texts(checked, lang):
        total += 1
        if lang in values and not lockfile.stale(lock.get(key_of(rel, segments)), source):
            done += 1
    return round(100 * done / total, 1) if total else 100.0


def accept(catalog: Catalog, unit: Unit, source: str | None = None, reviewed: bool = False) -> None:
    """Record that unit's target translates `source` (default: the current source)."""
    source = unit.source if source is None else source
    entry: dict[str, str | bool] = {
        "source_sha": digest(source),
        "target_sha": digest(unit.target or ""),
        "source": source,
    }
    if reviewed:
        entry["reviewed"] = True
    catalog.lock[unit.key] = entry
