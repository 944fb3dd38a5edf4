"""Reading a large course's YAML files on every core, ahead of checking it.

Checking a course reads every file, validates it against its schema and renders its Markdown,
one file after another, and merges each translation with its source; none of that needs more
than a file and its translations. On a course of thousands of files, forked workers do that part
first, each for a share of the files (a file and its translations together), and hand back what
the check would have found: the data and its positions (packed: a pointer per value costs more
to send than to make), whether it is valid for its schema, the Markdown renderings, which texts
have something to report (most have nothing), and what each translation's merge found (missing,
translated, wrong). The check then runs as before and finds each file already read. Whatever a
worker could not do (a file that is not YAML, a path that leaves the folder) it leaves alone:
the check does it itself, and reports it as ever.
"""

from __future__ import annotations

import dataclasses
import gc
import multiprocessing
from pathlib import Path

from . import folder as folders
from . import markup, workers, yamlfile
from . import schema as schemas
from .translation import Merge, markdown_texts, path_of

WORTH_IT = 200  # files; below this, starting workers costs more than it saves
CHUNK = 40  # files per task: small enough to share the work out evenly

# The kind of a source file by its folder, for its schema and its texts.
KINDS = {"units": "unit", "worksheets": "worksheet"}


def kind_of(relative: str, source_language: str, languages: set[str]) -> tuple[str | None, bool]:
    """The kind of course file at a relative path, and whether it is a source file (validated
    against its schema); (None, False) for files the check reads some other way or not at all."""
    parts = relative.split("/")
    if parts[0] == "competences" and len(parts) == 2:
        return "competences", True
    if parts[0] not in languages or parts[-1].startswith("_"):
        return None, False
    source = parts[0] == source_language
    if len(parts) == 2 and parts[1] == "course.yaml":
        return "course", source
    if len(parts) == 3 and parts[1] in KINDS:
        return KINDS[parts[1]], source
    return None, False


def prefetch(folder: folders.CourseFolder, languages: list[str], jobs: int) -> None:
    """Read the course's YAML files on `jobs` cores into `folder.prefetched`, when there are
    enough of them to be worth it."""
    if jobs < 2 or folder.source_language is None:
        return
    source_language = folder.source_language
    names = set(languages) | {source_language}
    files = []
    # The folder's own children by name (a language named "../x" in course.yaml names none).
    for top in sorted(p for p in folder.root.iterdir() if p.name in names | {"competences"}):
        if top.is_dir() and not top.is_symlink():
            for path in sorted(top.rglob("*.yaml")):
                relative = path.relative_to(folder.root).as_posix()
                kind, source = kind_of(relative, source_language, names)
                if kind is not None and relative not in folder.documents:
                    files.append((relative, kind, source))
    if len(files) < WORTH_IT:
        return
    for kind in {kind for _, kind, source in files if source}:
        schemas._fast(kind)  # compiled once here, not once per worker
    # A source file and its translations go to the same worker, which merges them.
    groups: dict[str, list] = {}
    for file in files:
        inside_language = file[0].split("/", 1)[1] if not file[0].startswith("competences/") else file[0]
        groups.setdefault(inside_language, []).append(file)
    chunks, chunk = [], []
    for group in groups.values():
        chunk += sorted(group, key=lambda file: not file[2])  # the source first, then its translations
        if len(chunk) >= CHUNK:
            chunks.append(chunk)
            chunk = []
    chunks += [chunk] if chunk else []
    global _JOB
    _JOB = (folder.root, source_language)
    try:
        for results in workers.forked_map(_read_chunk, chunks, jobs, ordered=False):
            for relative, data, packed, valid_as, notes, merge, rendered in results:
                doc = yamlfile.Document.from_packed(folder.root / relative, data, packed)
                doc.valid_as, doc.markdown_notes, doc.merge = valid_as, notes, merge
                folder.prefetched[relative] = doc
                for text, fields in rendered:
                    markup.remember(text, markup.Rendered(*fields))
            if folder.progress:  # a person at a terminal sees the files being read
                folder.progress(len(folder.documents) + len(folder.prefetched))
    except (OSError, ValueError, multiprocessing.ProcessError):
        pass  # no fork here, or no process to be had: the check reads every file itself, as ever
    finally:
        _JOB = None


_JOB: tuple[Path, str] | None = None  # the course folder and its source language (inherited by the workers)
_RENDERED = [f.name for f in dataclasses.fields(markup.Rendered)]


def _read_chunk(files: list[tuple[str, str, bool]]) -> list[tuple]:
    gc.disable()  # as when checking: many objects, no cycles
    assert _JOB is not None, "set by prefetch()"
    root, source_language = _JOB
    read: dict[str, yamlfile.Document] = {}
    results = []
    sent: set[str] = set()
    for relative, kind, source in files:
        try:
            results.append(_read_ahead(root, source_language, relative, kind, source, read, sent))
        except Exception:  # noqa: BLE001 - whatever it is, the check reads the file itself and says it
            pass
    return [result for result in results if result is not None]


def _read_ahead(
    root: Path,
    source_language: str,
    relative: str,
    kind: str,
    source: bool,
    read: dict[str, yamlfile.Document],
    sent: set[str],
) -> tuple | None:
    path = root / relative
    # Found by rglob, which never enters a linked folder, under real folders of the course: only
    # the file itself can be a link, and a link is left to the check (which says where it leads).
    if path.is_symlink():
        return None
    try:
        doc = yamlfile.read(path)
    except (yamlfile.YamlError, OSError):
        return None  # the check reads it again and says why
    if not isinstance(doc.data, dict):
        return None
    read[relative] = doc
    valid_as = None
    if source:
        try:
            schemas._fast(kind)(doc.data)
            valid_as = doc.valid_as = kind
        except Exception:  # noqa: BLE001 - not valid: the check explains it with jsonschema
            pass
    notes: list = []
    rendered: list = []
    understood = True
    try:
        for where, value in markdown_texts(doc.data, kind):
            found = markup.render_cached(value)
            if value not in sent:
                sent.add(value)
                rendered.append((value, tuple(getattr(found, name) for name in _RENDERED)))
            if found.noteworthy:
                notes.append((path_of(where), value))
    except Exception:  # noqa: BLE001 - data its schema refuses: the check looks itself
        understood = False
    merge = None
    language, _, inside_language = relative.partition("/")
    original = read.get(f"{source_language}/{inside_language}")
    if not source and original is not None and original.valid_as == kind:
        merging = Merge(source_language, language, inside_language, doc)
        try:
            merging.run(original.data, kind)
            merge = (merging.missing, merging.done, merging.errors)
        except Exception:  # noqa: BLE001 - the check merges it itself, and says what is wrong
            pass
    return (relative, doc.data, doc.packed(), valid_as, notes if understood else None, merge, rendered)
