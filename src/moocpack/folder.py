"""Reading a course folder: which files exist, safely, and their parsed YAML.

A course folder looks like this::

    course/peer-support/
      competences/pat.yaml          shared by every language
      assets/...                    images and documents
      en/course.yaml                the source language: structure and source text
      en/units/<unit id>.yaml
      en/worksheets/<worksheet id>.yaml
      nb/...                        a translation: the same files, text only, keyed by ids

The source language is the folder whose course.yaml names it as `source_language`.
"""

from __future__ import annotations

from collections.abc import Callable

from dataclasses import dataclass, field
from pathlib import Path

from . import yamlfile
from .problems import Report

MAX_ASSET_BYTES = 50 * 1024 * 1024


@dataclass
class CourseFolder:
    root: Path
    display_root: Path
    source_language: str | None = None
    documents: dict[str, yamlfile.Document] = field(default_factory=dict)  # relative path -> doc
    # Read ahead on other cores (see readahead.py), taken from here when the check reads them.
    prefetched: dict[str, yamlfile.Document] = field(default_factory=dict, repr=False)
    # Told the number of files read so far (a progress display on a terminal), or None.
    progress: Callable[[int], None] | None = field(default=None, repr=False, compare=False)
    # Files parsed by an earlier check of the same folder, kept by whoever checks it again (the
    # preview server): path -> ((mtime, size), document). A file whose stamp is unchanged is
    # not parsed again. None: no such memory.
    parsed: dict | None = field(default=None, repr=False, compare=False)

    def display(self, relative: str) -> str:
        return str(self.display_root / relative)

    def present(self, relative: str) -> bool:
        """Whether the course has this file. A symlink counts even if it points outside the
        folder, so that reading it reports *that* instead of "not found"."""
        path = self.root / relative
        return path.exists() or path.is_symlink()


def inside(root: Path, path: Path) -> bool:
    """True when path, with every symlink followed, stays within root."""
    try:
        path.resolve().relative_to(root.resolve())
        return True
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a symlink loop
        return False


def is_file(path: Path) -> bool:
    """Whether path is a readable regular file (False, not an exception, for links that loop)."""
    try:
        return path.is_file()
    except (OSError, RuntimeError):
        return False


def dangling(path: Path) -> bool:
    """A symbolic link that leads nowhere: a loop, or a target that does not exist."""
    return path.is_symlink() and not is_file(path) and not path.exists()


def read(folder: CourseFolder, relative: str, report: Report, pointer_from=None) -> yamlfile.Document | None:
    """Read a YAML file of the course once; problems go to the report, None is returned."""
    if relative in folder.documents:
        return folder.documents[relative]
    doc = folder.prefetched.pop(relative, None)
    if doc is not None:  # read ahead, after the same checks of its path as below
        return _keep(folder, relative, doc)
    path = folder.root / relative
    if dangling(path):
        report.error(
            folder.display(relative),
            "this is a symbolic link that leads nowhere (a loop, or its target is missing); replace it with the file",
            code="file.dangling-link",
        )
        return None
    if not inside(folder.root, path):
        report.error(
            folder.display(relative),
            "this path leads outside the course folder (a symlink?); move the file into the course folder",
            code="file.outside-folder",
        )
        return None
    try:
        doc = _parse(folder, path)
    except yamlfile.YamlError as exc:
        report.error(folder.display(relative), exc.message, position=exc.position, code=exc.code)
        return None
    if not isinstance(doc.data, dict):
        report.error(
            folder.display(relative),
            "expected a mapping of fields at the top of the file",
            position=(1, 1),
            code="file.not-a-mapping",
        )
        return None
    return _keep(folder, relative, doc)


def _parse(folder: CourseFolder, path: Path) -> yamlfile.Document:
    if folder.parsed is None:
        return yamlfile.read(path)
    try:
        status = path.stat()
        stamp = (status.st_mtime_ns, status.st_size)
    except OSError:
        return yamlfile.read(path)
    known = folder.parsed.get(str(path))
    if known is not None and known[0] == stamp:
        return known[1]
    doc = yamlfile.read(path)
    folder.parsed[str(path)] = (stamp, doc)
    return doc


def _keep(folder: CourseFolder, relative: str, doc: yamlfile.Document) -> yamlfile.Document:
    folder.documents[relative] = doc
    if folder.progress and len(folder.documents) % 25 == 0:
        folder.progress(len(folder.documents) + len(folder.prefetched))  # those read ahead are read too
    return doc


def open_folder(path: Path, report: Report, parsed: dict | None = None) -> CourseFolder | None:
    """Find the source language of a course folder; report what is wrong if it cannot.
    `parsed`: files kept from an earlier check of the folder (see CourseFolder.parsed)."""
    folder = CourseFolder(root=path.resolve(), display_root=path, parsed=parsed)
    if not path.is_dir():
        report.error(str(path), "course folder not found", code="folder.not-found")
        return None
    candidates = []
    for child in sorted(p for p in path.iterdir() if p.is_dir() and (p / "course.yaml").is_file()):
        doc = read(folder, f"{child.name}/course.yaml", report)
        if doc is not None and isinstance(doc.data, dict) and "source_language" in doc.data:
            candidates.append((child.name, doc))
    if not candidates:
        if not any(r.severity == "error" for r in report.problems):
            report.error(
                str(path),
                "no source course file found: expected <language>/course.yaml "
                "with 'source_language' set to that folder's name, e.g. en/course.yaml",
                code="folder.no-source",
            )
        return None
    if len(candidates) > 1:
        names = ", ".join(f"{name}/course.yaml" for name, _ in candidates)
        report.error(
            str(path),
            f"more than one folder claims to be the source language ({names}); "
            "only the source folder's course.yaml may set 'source_language'",
            code="folder.several-sources",
        )
        return None
    name, doc = candidates[0]
    declared = doc.data.get("source_language") if isinstance(doc.data, dict) else None
    if declared != name:
        report.error(
            folder.display(f"{name}/course.yaml"),
            f"source_language is '{declared}' but the file is in folder '{name}/'; "
            f"rename the folder or set source_language: {name}",
            "/source_language",
            doc.position("/source_language"),
            code="folder.source-mismatch",
        )
        return None
    folder.source_language = name
    return folder


def translation_files(folder: CourseFolder, language: str) -> list[str]:
    """Relative paths (under the language folder) of every YAML file a translation folder holds."""
    base = folder.root / language
    if not base.is_dir():
        return []
    found = []
    for path in sorted(base.rglob("*")):
        if path.is_file() or path.is_symlink():
            found.append(path.relative_to(base).as_posix())
    return found


def asset_bytes(
    folder: CourseFolder, relative: str, report: Report, where: str, pointer: str, position
) -> bytes | None:
    path = folder.root / relative
    if dangling(path):
        report.error(
            where,
            f"'{relative}' is a symbolic link that leads nowhere (a loop, or its target is missing)",
            pointer,
            position,
            code="file.dangling-link",
        )
        return None
    if not inside(folder.root, path):
        report.error(
            where, f"'{relative}' leads outside the course folder", pointer, position, code="file.outside-folder"
        )
        return None
    if not is_file(path):
        report.error(
            where, f"file '{relative}' not found in the course folder", pointer, position, code="file.asset-missing"
        )
        return None
    size = path.stat().st_size
    if size > MAX_ASSET_BYTES:
        report.error(
            where,
            f"'{relative}' is {size:,} bytes; the limit is {MAX_ASSET_BYTES:,}",
            pointer,
            position,
            code="file.asset-too-large",
        )
        return None
    return path.read_bytes()
