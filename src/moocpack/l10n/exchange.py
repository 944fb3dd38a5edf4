"""XLIFF 2.0 (core) and gettext PO: the files translators' tools read and write.

XLIFF: one <file> per source file (`original` = its path), one <unit> per string (`id` = a hash
of the key, since ids must be NMTOKENs; `name` = the id-based pointer), context in a note.
Missing strings have no target (state initial); stale ones keep their old target with state
initial, subState `moocpack:stale` and the previous source in a note; accepted ones are
`translated`, reviewed ones `final`. PO: msgctxt = the key, `#, fuzzy` with `#| msgid` for
stale strings, `#: file:line` references, the context as an extracted comment.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from pathlib import Path
from dataclasses import dataclass

import polib
from lxml import etree

from .catalog import MISSING, REVIEWED, STALE, Catalog

XLIFF_NS = "urn:oasis:names:tc:xliff:document:2.0"
XLIFF_NAMESPACES = (XLIFF_NS, "urn:oasis:names:tc:xliff:document:2.1")
# gettext plural forms for the languages moocpack ships interface strings for, and a default.
PLURAL_FORMS = {"fr": "nplurals=2; plural=(n > 1);", "pt-BR": "nplurals=2; plural=(n > 1);"}
DEFAULT_PLURALS = "nplurals=2; plural=(n != 1);"


@dataclass
class Entry:
    """One unit read back from an exchange file."""

    key: str
    source: str
    target: str | None
    final: bool
    fuzzy: bool  # not confirmed by the translator: PO's fuzzy flag, or XLIFF's moocpack:stale still set
    line: int
    fmt: str = "xliff"


def unit_id(key: str) -> str:
    return "u" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def selected(catalog: Catalog, only: set[str] | None):
    return [u for u in catalog.units + catalog.interface if not only or u.state in only]


def write_xliff(catalog: Catalog, source_lang: str, course: str, only: set[str] | None = None) -> bytes:
    root = etree.Element(f"{{{XLIFF_NS}}}xliff", nsmap={None: XLIFF_NS})
    root.set("version", "2.0")
    root.set("srcLang", source_lang)
    root.set("trgLang", catalog.language)
    files: dict[str, list] = {}
    for unit in selected(catalog, only):
        files.setdefault(unit.file, []).append(unit)
    for index, (name, units) in enumerate(sorted(files.items()), 1):
        node = etree.SubElement(root, f"{{{XLIFF_NS}}}file", id=f"f{index}", original=name)
        for unit in units:
            element = etree.SubElement(node, f"{{{XLIFF_NS}}}unit", id=unit_id(unit.key), name=unit.pointer)
            notes = etree.SubElement(element, f"{{{XLIFF_NS}}}notes")
            etree.SubElement(notes, f"{{{XLIFF_NS}}}note", category="context").text = f"{course}: {unit.context()}"
            if unit.source_lang != source_lang:
                etree.SubElement(
                    notes, f"{{{XLIFF_NS}}}note", category="moocpack:source-language"
                ).text = unit.source_lang
            segment = etree.SubElement(element, f"{{{XLIFF_NS}}}segment")
            if unit.state == MISSING:
                segment.set("state", "initial")
            elif unit.state == STALE:
                segment.set("state", "initial")
                segment.set("subState", "moocpack:stale")
                if unit.previous_source is not None:
                    etree.SubElement(
                        notes, f"{{{XLIFF_NS}}}note", category="moocpack:previous-source"
                    ).text = unit.previous_source
            else:
                segment.set("state", "final" if unit.state == REVIEWED else "translated")
            etree.SubElement(segment, f"{{{XLIFF_NS}}}source").text = unit.source
            if unit.target is not None:
                etree.SubElement(segment, f"{{{XLIFF_NS}}}target").text = unit.target
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(root, encoding="UTF-8", pretty_print=True)


def read_xliff(data: bytes) -> tuple[dict, list[Entry]]:
    """Raises etree.XMLSyntaxError or ValueError (with a line) on a file that is not XLIFF 2."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    root = etree.fromstring(data, parser)
    namespace = etree.QName(root).namespace
    if etree.QName(root).localname != "xliff" or namespace not in XLIFF_NAMESPACES:
        raise ValueError(f"line {root.sourceline}: not an XLIFF 2 document (root <{root.tag}>)")
    ns = {"x": namespace}
    header = {"srcLang": root.get("srcLang"), "trgLang": root.get("trgLang"), "version": root.get("version")}
    entries = []
    files: dict[str, int] = {}
    for file_node in root.iterfind("x:file", ns):
        original = file_node.get("original") or ""
        if original in files:
            # Two <file>s for one source file could translate one string twice, differently: which
            # one a tool meant cannot be told, so neither is taken.
            raise ValueError(
                f"line {file_node.sourceline}: a second <file> for '{original}' (the first is on line "
                f"{files[original]}); merge them into one"
            )
        files[original] = file_node.sourceline
        for unit in file_node.iter(f"{{{namespace}}}unit"):
            name = unit.get("name")
            if not name:
                raise ValueError(f'line {unit.sourceline}: <unit id="{unit.get("id")}"> has no name (the pointer)')
            segments = unit.findall("x:segment", ns)
            source = "".join(
                "".join(s.find("x:source", ns).itertext()) for s in segments if s.find("x:source", ns) is not None
            )
            targets = [s.find("x:target", ns) for s in segments]
            target = (
                None
                if all(t is None for t in targets)
                else "".join("".join(t.itertext()) for t in targets if t is not None)
            )
            states = {s.get("state", "initial") for s in segments}
            # Many CAT tools fill in targets without touching the state; only moocpack's own stale
            # marker means "not confirmed".
            stale = any(
                s.get("subState") == "moocpack:stale" and s.get("state", "initial") == "initial" for s in segments
            )
            entries.append(Entry(f"{original}#{name}", source, target, states == {"final"}, stale, unit.sourceline))
    _refuse_repeats(entries)
    return header, entries


def _refuse_repeats(entries: list[Entry]) -> None:
    """One translation per string: a key given twice is refused, naming both lines, rather than
    letting the last one win without a word."""
    first: dict[str, int] = {}
    for entry in entries:
        if entry.key in first:
            raise ValueError(
                f"line {entry.line}: '{entry.key}' is translated a second time (first on line "
                f"{first[entry.key]}); keep one"
            )
        first[entry.key] = entry.line


def write_po(catalog: Catalog, source_lang: str, course: str, version: str, only: set[str] | None = None) -> bytes:
    po = polib.POFile(wrapwidth=0)
    po.metadata = {
        "Project-Id-Version": f"{course} {version}",
        "Language": catalog.language,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": PLURAL_FORMS.get(catalog.language, DEFAULT_PLURALS),
        "X-Moocpack-Course": f"{course}@{version}",
        "X-Moocpack-Source-Language": source_lang,
    }
    for unit in selected(catalog, only):
        # "#: file:line" points at the source text, as xgettext's references do.
        entry = polib.POEntry(
            msgctxt=unit.key,
            msgid=unit.source,
            msgstr=unit.target or "",
            comment=unit.context(),
            occurrences=[(unit.source_file, str(unit.source_position[0]))],
        )
        if unit.state == STALE:
            entry.flags.append("fuzzy")
            if unit.previous_source is not None:
                entry.previous_msgid = unit.previous_source
        po.append(entry)
    return str(po).encode("utf-8")


_PO_LINE = re.compile(
    r"""^(?:
      \s*
    | \#(?!\|).*
    | (?:\#\|\s*)?(?:\#~\s*)?(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+"(?:[^"\\]|\\.)*"\s*
    | (?:\#\|\s*)?(?:\#~\s*)?"(?:[^"\\]|\\.)*"\s*
    )$""",
    re.X,
)


def check_po(text: str) -> None:
    """Refuse what polib would read wrongly instead of failing: an unterminated string, a line
    that is none of a PO file's kinds. Raises ValueError naming the line."""
    for number, line in enumerate(text.split("\n"), 1):
        if not _PO_LINE.match(line.rstrip("\r")):
            raise ValueError(f"line {number}: not a PO line (an unterminated string?): {line[:60]!r}")


def read_po(text: str) -> tuple[dict, list[Entry]]:
    check_po(text)
    # polib opens its argument as a file whenever a file of that name exists, so the content goes
    # through a private file of our own, never as a string.
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "import.po"
        path.write_text(text, "utf-8")
        po = polib.pofile(str(path), encoding="utf-8")
    header = {"Language": po.metadata.get("Language", "")}
    entries = []
    for entry in po:
        if entry.obsolete or not entry.msgctxt:
            continue
        if entry.msgid_plural or entry.msgstr_plural:
            raise ValueError(
                f"line {entry.linenum}: '{entry.msgctxt}' has plural forms (msgid_plural, msgstr[n]); "
                "course text has none: translate it as one msgstr"
            )
        entries.append(Entry(entry.msgctxt, entry.msgid, entry.msgstr or None, False, entry.fuzzy, entry.linenum, "po"))
    _refuse_repeats(entries)
    return header, entries
