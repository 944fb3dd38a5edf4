"""A package taken from an earlier build (`publish --from DIR`) is checked before anything is sent.

A folder of packages is not trustworthy: a build can have been interrupted by hand, a file copied
in from another course, or a link planted where a package should be. A package is sent only when
it is a regular file inside DIR (not a link, not a device), a complete gzip-compressed tar archive
(every member read, so a truncated file fails its checksum), with no member that could leave the
folder it is extracted into, and made by moocpack for this very course, version, language and
format (the names the exporters write inside the package). The file is copied into the publish's
private folder first and the copy checked and sent, so that what was checked is what is sent.
"""

from __future__ import annotations

import os
import shutil
import stat
import tarfile
import zlib
from pathlib import Path, PurePosixPath

from lxml import etree

# Far above any course (the 2,000-unit synthetic course's largest package is ~40 MB unpacked per
# 1,000 units): a package that unpacks to more is not one of ours, and must not fill the disk of
# the machine reading it.
MAX_UNPACKED = 4 * 1024**3
MAX_MEMBERS = 1_000_000
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


class NotAPackage(Exception):
    """Why a file is not the package it is named as; the message completes '<file>: …'."""


def take(path: Path, folder: Path, workdir: Path) -> Path:
    """A private copy (in `workdir`) of the regular file `path` of `folder`: what is checked is
    then what is sent, whatever happens to DIR in between. Raises NotAPackage for a link, a
    device or a file that is not in `folder` itself."""
    try:
        info = os.lstat(path)
    except OSError as exc:
        raise NotAPackage(f"cannot be read ({exc.strerror})") from None
    if stat.S_ISLNK(info.st_mode):
        raise NotAPackage("is a symbolic link; --from sends only regular files of the folder itself")
    if not stat.S_ISREG(info.st_mode):
        raise NotAPackage("is not a regular file")
    if path.resolve().parent != folder.resolve():
        raise NotAPackage(f"is not inside {folder}")
    copy = workdir / path.name
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as source:
            if not stat.S_ISREG(os.fstat(source.fileno()).st_mode):
                raise NotAPackage("is not a regular file")
            with copy.open("wb") as target:
                shutil.copyfileobj(source, target, 1 << 20)
    except OSError as exc:
        raise NotAPackage(f"cannot be read ({exc.strerror or exc})") from None
    return copy


def check(path: Path, format_name: str, expected: dict[str, str]) -> None:
    """Raise NotAPackage unless `path` is the package `expected` describes: for "moodle" the
    backup's own name; for "olx" the course key (org, course, run) and language."""
    wanted = {"moodle": {"moodle_backup.xml"}, "olx": {"course/course.xml"}}[format_name]
    if format_name == "olx":
        wanted.add(f"course/course/{expected['run']}.xml")
    found = _read(path, wanted)
    if format_name == "moodle":
        name = _xml(found, "moodle_backup.xml").findtext("information/name")
        if name != expected["name"]:
            raise NotAPackage(
                f"is the Moodle backup '{name}', not {expected['name']} (another course, version or "
                "language): build this course again, or leave out --from"
            )
    else:
        course = _xml(found, "course/course.xml")
        key = (course.get("org"), course.get("course"), course.get("url_name"))
        if key != (expected["org"], expected["course"], expected["run"]):
            raise NotAPackage(
                f"is the Open edX course {'+'.join(str(k) for k in key)}, not "
                f"{expected['org']}+{expected['course']}+{expected['run']}: build this course again "
                "with the same --set values, or leave out --from"
            )
        language = _xml(found, f"course/course/{expected['run']}.xml").get("language")
        if language != expected["language"]:
            raise NotAPackage(f"holds the course in '{language}', not '{expected['language']}'")


def _read(path: Path, wanted: set[str]) -> dict[str, bytes]:
    """Every member read to its end (gzip and tar detect a truncated or altered file); the wanted
    members' bytes. Links, devices and names that climb out of the folder are refused."""
    found, unpacked, members = {}, 0, 0
    try:
        with tarfile.open(path, "r:gz") as archive:
            for member in archive:
                members += 1
                name = member.name
                parts = PurePosixPath(name).parts
                if name.startswith("/") or ".." in parts or "\\" in name:
                    raise NotAPackage(
                        f"has a member '{name}' that would be written outside the folder it is unpacked into"
                    )
                if not (member.isfile() or member.isdir()):
                    raise NotAPackage(f"has a member '{name}' that is a link or a device, which moocpack never writes")
                unpacked += member.size
                if unpacked > MAX_UNPACKED or members > MAX_MEMBERS:
                    raise NotAPackage("unpacks to more than any course package (a damaged or hostile archive)")
                if member.isfile():
                    handle = archive.extractfile(member)
                    assert handle is not None  # a regular file has a stream
                    data = handle.read() if name in wanted else None
                    if data is None:
                        while handle.read(1 << 20):
                            pass
                    else:
                        found[name] = data
            # To the gzip trailer: its checksum and length catch a file cut after the last member.
            while archive.fileobj.read(1 << 20):
                pass
    except NotAPackage:
        raise
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise NotAPackage(f"is not a complete .tar.gz archive ({exc or type(exc).__name__}); build it again") from None
    missing = sorted(wanted - set(found))
    if missing:
        raise NotAPackage(f"is not a moocpack package of this format (no {', '.join(missing)} in it)")
    return found


def _xml(found: dict[str, bytes], name: str):
    try:
        return etree.fromstring(found[name], _PARSER)
    except etree.XMLSyntaxError as exc:
        raise NotAPackage(f"has a {name} that is not well-formed XML ({exc.msg})") from None
