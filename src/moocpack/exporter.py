"""The exporter plug-in surface.

An exporter is a small class: a `name`, an `extension`, and `files()`, which turns the validated
course model of one language into the files of one package. The base class does the rest that
every format shares: naming, deterministic archiving and atomic writing. Exporters register in
the `moocpack.exporters` entry-point group, so a third party adds a format with a package of its
own, without touching moocpack.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import TypeVar

from . import archive
from .model import Course

T = TypeVar("T")

GROUP = "moocpack.exporters"
# The version of the plug-in interface (this module's Exporter, Setting, ExportOptions and
# ExportError, and moocpack.kinds): a plug-in may say the major version it was written for
# (`api = 1`); one written for another is refused with that said, never half run. The major
# number changes only when a plug-in written for the old one would break (CHANGELOG.md).
PLUGIN_API = (1, 0)


def api_mismatch(plugin) -> str:
    """Why a plug-in cannot be used with this moocpack ("" when it can)."""
    wanted = getattr(plugin, "api", PLUGIN_API[0])
    if wanted != PLUGIN_API[0]:
        return (
            f"written for moocpack's plug-in API {wanted}, this moocpack has {PLUGIN_API[0]}.{PLUGIN_API[1]}: "
            "install a version of the plug-in made for it"
        )
    return ""


class ExportError(Exception):
    """Something in the course or the settings that this format cannot express, said by the
    exporter in words for the author (a value a platform refuses, a combination it cannot hold):
    the build reports it as an error of the course (exit 2), not as a bug of the exporter (3)."""


@dataclass(frozen=True)
class Package:
    """What one export produced: the main archive plus side files (e.g. a framework CSV)."""

    path: Path
    size: int
    extra: tuple[Path, ...] = ()


@dataclass(frozen=True)
class Setting:
    """A format-specific option, given as `--set NAME=VALUE`: declared by its exporter so that
    the command line can check it before building and `moocpack formats` can list it."""

    name: str
    help: str
    default: object = None
    kind: type = str  # str, bool or int
    choices: tuple[str, ...] = ()

    def parse(self, text: str):
        """The value of `--set NAME=text`; raises ValueError saying what is expected."""
        if self.choices and text not in self.choices:
            raise ValueError(f"{self.name} must be one of {', '.join(self.choices)}, not '{text}'")
        if self.kind is bool:
            lowered = text.strip().lower()
            if lowered in ("1", "true", "yes", "on"):
                return True
            if lowered in ("0", "false", "no", "off"):
                return False
            raise ValueError(f"{self.name} is on or off: 1/0, true/false or yes/no, not '{text}'")
        if self.kind is int:
            try:
                return int(text)
            except ValueError:
                raise ValueError(f"{self.name} takes a whole number, not '{text}'") from None
        return text


def choose(names: list[str] | None = None) -> dict[str, Exporter]:
    """The exporters of the formats named (default: every installed one that loads), by name;
    ValueError for one that is not installed or does not load."""
    available = registry()
    chosen = {}
    for name in names or [n for n, found in available.items() if found.exporter is not None]:
        found = available.get(name)
        if found is None or found.exporter is None:
            raise ValueError(f"unknown or broken format '{name}'; installed: {', '.join(available)}")
        chosen[name] = found.exporter
    return chosen


class UnknownSetting(ValueError):
    """A setting no chosen format declares (its message suggests the nearest name)."""


def parse_settings(settings, chosen: dict) -> dict:
    """Format settings, by name or as (name, value) pairs, checked against those the `chosen`
    exporters (name -> Exporter) declare. A setting may be named FORMAT_NAME or, within its
    format's namespace, FORMAT.NAME (moodle.release). A value given as text is parsed as
    `--set` would; any other is taken as it is. Raises UnknownSetting or ValueError."""
    from .schema import suggest

    declared = {s.name: s for exporter in chosen.values() for s in exporter.settings}
    spaced = {
        f"{fmt}.{s.name[len(fmt) + 1 :]}": s.name
        for fmt, exporter in chosen.items()
        for s in exporter.settings
        if s.name.startswith(f"{fmt}_")
    }
    parsed = {}
    for key, value in settings.items() if isinstance(settings, dict) else settings:
        key = spaced.get(key.strip(), key.strip())
        if key not in declared:
            known = ", ".join(sorted(spaced) or sorted(declared)) or "none"
            raise UnknownSetting(
                f"unknown setting '{key}'{suggest(key, {**declared, **spaced})} for the chosen formats "
                f"(theirs: {known}; see 'moocpack formats')"
            )
        parsed[key] = declared[key].parse(value.strip()) if isinstance(value, str) else value
    return parsed


@dataclass
class ExportOptions:
    """Options every exporter receives; `settings` holds format-specific ones (e.g. olx_org).

    `warn(message)` reports something the author should know about a package that was still
    written (a text shortened to fit a platform's limit); the build lists it with the package.
    """

    epoch: int = 0
    settings: dict = field(default_factory=dict)
    warn: Callable[[str], None] = field(default=lambda message: None, repr=False, compare=False)


@dataclass(frozen=True)
class Scheduling:
    """How the build schedules a format's packages; a third-party format may leave it alone.

    `family`: formats of one family share work (the website, the guide and SCORM show the same
    quizzes): the build makes a language's packages of a family in one process, one after the
    other, so that what one made for the course (remembered with `for_last_course`) serves the
    next. By default a format is a family of its own.
    `cost`: roughly how much work a package is, relative to the others (the website's is 1): the
    build starts the largest first, so that the cores finish together rather than one waiting
    for the other's last large package."""

    family: str = ""
    cost: float = 1.0


class Exporter:
    api: int = PLUGIN_API[0]  # the plug-in API's major version the exporter is written for
    name: str = ""
    extension: str = "zip"
    description: str = ""
    # The format's own options (`--set NAME=VALUE`); by convention each name starts with the
    # format's name. Their parsed values reach files() in options.settings.
    settings: tuple[Setting, ...] = ()
    # How the build schedules the format's packages: a hint, never what a package holds.
    scheduling: Scheduling = Scheduling()

    def files(self, course: Course, options: ExportOptions) -> dict[str, bytes]:
        """The package's files by archive path. Override this."""
        raise NotImplementedError

    def extra_files(self, course: Course, options: ExportOptions) -> dict[str, bytes]:
        """Files written next to the package (same naming prefix). Override if needed."""
        return {}

    def with_defaults(self, options: ExportOptions) -> ExportOptions:
        """The options with every declared setting's default filled in where none was given: an
        exporter reads `options.settings[name]` and never repeats a default."""
        defaults = {s.name: s.default for s in self.settings if s.default is not None}
        if all(name in options.settings for name in defaults):
            return options
        return ExportOptions(options.epoch, {**defaults, **options.settings}, options.warn)

    def archive(self, files: dict[str, bytes], course: Course, options: ExportOptions) -> bytes:
        if self.extension == "zip":
            return archive.zip_bytes(files, options.epoch)
        return archive.targz_bytes(files, options.epoch)

    def basename(self, course: Course, language: str | None = None) -> str:
        return f"{course.id}-{course.version}-{language or course.language}-{self.name}"

    # A format that can also put every language in one package (Moodle's multi-language filter)
    # overrides multilingual_files and declares a bool setting `<format>_multilang`.
    supports_multilingual = False

    def multilingual_files(self, courses: dict[str, Course], options: ExportOptions) -> dict[str, bytes]:
        raise NotImplementedError

    def export_multilingual(self, courses: dict[str, Course], out_dir: Path, options: ExportOptions) -> Package:
        """One package holding every language, named with the code 'mul' (ISO 639 "multiple")."""
        first = next(iter(courses.values()))
        options = self.with_defaults(options)
        data = self.archive(self.multilingual_files(courses, options), first, options)
        target = out_dir / f"{self.basename(first, 'mul')}.{self.extension}"
        archive.write_atomic(target, data)
        return Package(target, len(data))

    def export(self, course: Course, out_dir: Path, options: ExportOptions) -> Package:
        """Build everything in memory first; only a complete package reaches the disk."""
        options = self.with_defaults(options)
        data = self.archive(self.files(course, options), course, options)
        extras = {
            f"{self.basename(course)}-{name}": content
            for name, content in sorted(self.extra_files(course, options).items())
        }
        target = out_dir / f"{self.basename(course)}.{self.extension}"
        archive.write_atomic(target, data)
        written = []
        for name, content in extras.items():
            archive.write_atomic(out_dir / name, content)
            written.append(out_dir / name)
        return Package(target, len(data), tuple(written))


def for_last_course(make: Callable[[Course], T]) -> Callable[[Course], T]:
    """`make(course)`, remembered for the last course it was made for: what formats of one family
    share (see Scheduling.family) is made once per language. The course model never changes, so
    the same object gives the same result. `forget_courses()` lets go of them all."""
    last: tuple[Course, T] | None = None

    @functools.wraps(make)
    def remembered(course: Course) -> T:
        nonlocal last
        if last is None or last[0] is not course:
            last = (course, make(course))
        return last[1]

    def forget() -> None:
        nonlocal last
        last = None

    _REMEMBERED.append(forget)
    return remembered


_REMEMBERED: list[Callable[[], None]] = []


def forget_courses() -> None:
    """Let go of every course remembered by for_last_course (a build does, when it is done)."""
    for forget in _REMEMBERED:
        forget()


@dataclass(frozen=True)
class Registered:
    name: str
    exporter: Exporter | None
    origin: str
    error: str = ""


def registry() -> dict[str, Registered]:
    """Every exporter installed in the `moocpack.exporters` group, by format name."""
    found: dict[str, Registered] = {}
    for entry in sorted(entry_points(group=GROUP), key=lambda e: e.name):
        try:
            cls = entry.load()
            reason = api_mismatch(cls)
            if reason:
                found[entry.name] = Registered(entry.name, None, entry.value, reason)
                continue
            instance = cls()
            found[entry.name] = Registered(entry.name, instance, entry.value)
        except Exception as exc:  # a broken plug-in must not take the others down
            found[entry.name] = Registered(entry.name, None, entry.value, f"{type(exc).__name__}: {exc}")
    return found
