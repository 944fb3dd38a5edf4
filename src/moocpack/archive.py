"""Deterministic archives and atomic writes.

Same files in, same bytes out: entries sorted, timestamps fixed, permissions fixed, no user or
host names. Entry names are checked so that nothing can escape the folder it is extracted into.
"""

from __future__ import annotations

import calendar
import gzip
import io
import os
import re
import struct
import tarfile
import tempfile
import time
import zlib
from pathlib import Path


class UnsafeEntry(ValueError):
    pass


def check_entry(name: str) -> str:
    parts = name.split("/")
    if (
        not name
        or name.startswith("/")
        or "\\" in name
        or ":" in parts[0]
        or any(part in ("..", ".", "") for part in parts)
    ):
        raise UnsafeEntry(f"unsafe archive entry name: {name!r}")
    return name


# The dates a zip entry can hold (its DOS timestamp counts years from 1980 in 7 bits).
EARLIEST_DATE, LATEST_DATE = "1980-01-01", "2107-12-31"
LATEST_EPOCH = calendar.timegm((2107, 12, 31, 23, 59, 58, 0, 0, 0))


def epoch_for(date: str) -> int:
    """SOURCE_DATE_EPOCH when set (the reproducible-builds convention), else the course date.
    Raises ValueError for a SOURCE_DATE_EPOCH that packages cannot carry."""
    env = os.environ.get("SOURCE_DATE_EPOCH")
    if env is not None and env.strip():
        value = env.strip()
        if not value.isdigit() or int(value) > LATEST_EPOCH:
            raise ValueError(
                f"SOURCE_DATE_EPOCH={value!r} is not a time packages can carry: use seconds since "
                f"1970 up to {LATEST_EPOCH} ({LATEST_DATE})"
            )
        return int(value)
    return calendar.timegm(time.strptime(date, "%Y-%m-%d"))


# zlib's default level: level 9 took about twice as long for packages about 1 % smaller.
LEVEL = 6


def zip_bytes(files: dict[str, bytes], epoch: int, deflated: dict[bytes, tuple[int, bytes]] | None = None) -> bytes:
    """A zip of the files, deflated, byte for byte what zipfile writes for them (tests compare
    the two) without its per-entry objects. `deflated`, if given, remembers each file's content
    deflated, for another package of the same files (SCORM 1.2 and 2004 hold the same pages)."""
    year, month, day, hour, minute, second = time.gmtime(max(epoch, 315532800))[:6]  # zip starts in 1980
    dos_time, dos_date = hour << 11 | minute << 5 | second // 2, (year - 1980) << 9 | month << 5 | day
    out: list[bytes] = []
    directory: list[bytes] = []
    offset = 0
    for name in sorted(files):
        data = files[name]
        encoded = check_entry(name).encode("utf-8")
        flags = 0 if name.isascii() else 0x800  # the name is UTF-8
        known = deflated.get(data) if deflated is not None else None
        if known is None:
            compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
            known = (zlib.crc32(data), compressor.compress(data) + compressor.flush())
            if deflated is not None:
                deflated[data] = known
        crc, packed = known
        fields = (20, 0, flags, 8, dos_time, dos_date, crc, len(packed), len(data), len(encoded), 0)
        out += (_LOCAL.pack(b"PK\x03\x04", *fields), encoded, packed)
        directory += (_CENTRAL.pack(b"PK\x01\x02", 20, 3, *fields, 0, 0, 0, 0o100644 << 16, offset), encoded)
        offset += _LOCAL.size + len(encoded) + len(packed)
    size = sum(len(part) for part in directory)
    end = _END.pack(b"PK\x05\x06", 0, 0, len(files), len(files), size, offset, 0)
    return b"".join(out) + b"".join(directory) + end


# The records of a zip (APPNOTE 4.3.7, 4.3.12, 4.3.16), as zipfile packs them.
_LOCAL = struct.Struct("<4s2B4HL2L2H")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_END = struct.Struct("<4s4H2LH")


def targz_bytes(files: dict[str, bytes], epoch: int, root: str = "", directories: bool = True) -> bytes:
    """A gzip tar (with directory entries unless told otherwise); gzip header time is 0. The tar
    stream goes straight into the compressor, never whole into memory."""
    names = {f"{root}/{n}" if root else n for n in files}
    # Plain ustar (what Moodle's own backups use) unless a name needs PAX's longer or non-ASCII names.
    plain = all(n.isascii() and len(n) <= 100 for n in names)
    dirs = sorted({parent for n in names for parent in _parents(n)}) if directories else []
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", mtime=0, compresslevel=LEVEL, filename="") as gz:
        if plain:
            _ustar(gz, dirs, files, root, epoch)
        else:
            with tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as archive:
                for name in dirs:
                    info = tarfile.TarInfo(check_entry(name))
                    info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, epoch
                    archive.addfile(info)
                for name in sorted(files):
                    info = tarfile.TarInfo(check_entry(f"{root}/{name}" if root else name))
                    info.size, info.mode, info.mtime = len(files[name]), 0o644, epoch
                    archive.addfile(info, io.BytesIO(files[name]))
    return out.getvalue()


def _parents(name: str):
    """The folders a name is in, "a" and "a/b" for "a/b/c" (string slicing: a Path per entry
    costs more than the entry)."""
    at = name.find("/")
    while at != -1:
        yield name[:at]
        at = name.find("/", at + 1)


_BLOCK = 512
_BATCH = 1 << 20  # bytes handed to the compressor at a time
_RECORD = 20 * _BLOCK


_USTAR_TAIL = (b"\0" * 100 + b"ustar\x0000").ljust(_BLOCK - 157, b"\0")  # no link, owner names or device
_USTAR_CONSTANT = sum(b" " * 8) + sum(_USTAR_TAIL)  # the checksum counts its own field as spaces


def _ustar_header(name: str, size: int, mode: int, mtime: int, kind: bytes) -> bytes:
    """One POSIX ustar header, byte for byte as Python's tarfile writes it (tests compare the
    two), without its per-entry object copies: a backup has tens of thousands of entries.
    Only the first 148 bytes vary; the checksum sums those and a constant for the rest."""
    front = b"%s%07o\0%07o\0%07o\0%011o\0%011o\0" % (name.encode("ascii").ljust(100, b"\0"), mode, 0, 0, size, mtime)
    return b"%s%06o\0 %s%s" % (front, sum(front) + kind[0] + _USTAR_CONSTANT, kind, _USTAR_TAIL)


def _ustar(stream, dirs: list[str], files: dict[str, bytes], root: str, epoch: int) -> None:
    # Handed to gzip a megabyte at a time: one write per header, file and padding (a backup has
    # tens of thousands of small files) costs more than compressing them. Same compressed bytes.
    pending: list[bytes] = []
    size = written = 0
    for name in dirs:
        block = _ustar_header(check_entry(name) + "/", 0, 0o755, epoch, b"5")
        pending.append(block)
        written += len(block)
    for name in sorted(files):
        data = files[name]
        padding = -len(data) % _BLOCK
        pending.append(_ustar_header(check_entry(f"{root}/{name}" if root else name), len(data), 0o644, epoch, b"0"))
        if len(data) > _BATCH:  # a large file goes straight in, never copied into a batch
            stream.write(b"".join(pending))
            stream.write(data)
            pending, size = [], 0
        else:
            pending.append(data)
            size += len(data)
        pending.append(b"\0" * padding)
        written += _BLOCK + len(data) + padding
        size += _BLOCK
        if size > _BATCH:
            stream.write(b"".join(pending))
            pending, size = [], 0
    end = written + 2 * _BLOCK  # two empty blocks end the archive, then it fills its last record
    pending.append(b"\0" * (2 * _BLOCK + (-end % _RECORD)))
    stream.write(b"".join(pending))


class WriteError(OSError):
    """A package could not be written where it was asked for (a full disk, no permission, a
    folder in the way); says which file and why."""

    def __str__(self) -> str:
        return self.strerror or super().__str__()  # the message alone, without "[Errno 28]"


def _write_temp(path: Path, data: bytes) -> str:
    """The data, on disk, in a temporary file beside `path` whose name carries this process's id."""
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp, 0o644)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return temp


def write_atomic(path: Path, data: bytes) -> None:
    """Write next to the target and rename: a reader never sees half a file, and a failed
    build never replaces a good package. The temporary file's name carries this process's id,
    so a later build can tell a killed build's leftovers from a running build's (clean_stale)."""
    temp = None
    made: list[Path] = []
    try:
        made = _make_folders(path.parent)
        if path.is_dir():
            raise IsADirectoryError(f"a folder named {path.name} is in the way")
        if path.exists() and not path.is_file():
            # A device or a pipe (-o /dev/stdout): written into, never replaced by a rename.
            with path.open("wb") as stream:
                stream.write(data)
                stream.flush()
            return
        temp = _write_temp(path, data)
        os.replace(temp, path)
    except OSError as exc:
        if temp:
            Path(temp).unlink(missing_ok=True)
        _remove_folders(made)
        reason = exc.strerror or str(exc)
        raise WriteError(exc.errno, f"cannot write {path}: {reason}") from exc
    except BaseException:
        if temp:
            Path(temp).unlink(missing_ok=True)
        _remove_folders(made)
        raise


def _make_folders(folder: Path) -> list[Path]:
    """mkdir -p, returning the folders it made (deepest last), for a failed write to take back."""
    missing = []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    made: list[Path] = []
    for each in reversed(missing):
        try:
            each.mkdir()
        except FileExistsError:
            continue  # made meanwhile by another process: not ours to remove
        except OSError:
            _remove_folders(made)
            raise
        made.append(each)
    return made


def _remove_folders(made: list[Path]) -> None:
    """Take back the folders a failed write made, if they are still empty."""
    for folder in reversed(made):
        try:
            folder.rmdir()
        except OSError:
            pass


def write_all_atomic(files: dict[Path, bytes]) -> None:
    """Write several files as one change: every new content goes to a temporary file first, then
    all are renamed into place; if any step fails, the files already replaced get their old
    content back and no temporary file is left. (A crash of the machine between two renames is
    the one case this cannot cover.)"""
    temps: dict[Path, str] = {}
    originals: dict[Path, bytes | None] = {}
    made: list[Path] = []
    try:
        for path, data in files.items():
            originals[path] = path.read_bytes() if path.is_file() else None
            made += _make_folders(path.parent)
            temps[path] = _write_temp(path, data)
    except OSError as exc:
        for temp in temps.values():
            Path(temp).unlink(missing_ok=True)
        _remove_folders(made)
        raise WriteError(
            exc.errno, f"cannot write {exc.filename or 'a file'}: {exc.strerror or exc}; nothing was changed"
        ) from exc
    replaced: list[Path] = []
    try:
        for path, temp in temps.items():
            os.replace(temp, path)
            replaced.append(path)
    except OSError as exc:
        for path in replaced:  # put back what was there
            original = originals[path]
            if original is None:
                path.unlink(missing_ok=True)
            else:
                path.write_bytes(original)
        for path, temp in temps.items():
            Path(temp).unlink(missing_ok=True)
        _remove_folders(made)
        raise WriteError(exc.errno, f"cannot write {path}: {exc.strerror or exc}; nothing was changed") from exc


_PART = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)\.[^.]+\.part$")


def clean_stale(folder: Path, prefix: str) -> list[Path]:
    """Remove temporary files that builds killed before they finished left in `folder` (those of
    packages starting with `prefix`, whose process is gone). Returns what was removed."""
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    for entry in folder.iterdir():
        match = _PART.match(entry.name)
        if not match or not match.group("name").startswith(prefix) or not entry.is_file():
            continue
        if _running(int(match.group("pid"))):
            continue
        entry.unlink(missing_ok=True)
        removed.append(entry)
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True
