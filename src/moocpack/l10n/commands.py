"""`moocpack l10n …`: status, export, import, sync and init for translators."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import click
from lxml import etree

from .. import interface, loader, lockfile
from ..archive import write_all_atomic, write_atomic
from ..console import EXIT_ERRORS, EXIT_WARNINGS, course_paths, print_problems
from ..problems import Report, envelope
from . import catalog as cat
from . import checks, exchange, writer

EXIT_BELOW = EXIT_WARNINGS  # --fail-under: a language is less complete than asked


def _checked(course: str | None, as_json: bool = False):
    """The course's folder, its checked files and the report; a course with errors ends the command."""
    path = course_paths(course)[0]
    report = Report(path)
    checked = loader.check(path, report)
    if checked is None:
        if as_json:
            click.echo(json.dumps(envelope([report]), ensure_ascii=False, indent=2))
        else:
            print_problems(report, False, sys.stderr)
            click.echo(f"{path}: the course has errors; fix them first (moocpack validate)", err=True)
        sys.exit(EXIT_ERRORS)
    return path, checked, report


def _languages(checked, wanted) -> list[str]:
    languages = list(wanted) or checked.languages
    for lang in languages:
        if lang not in checked.languages:
            raise click.UsageError(f"'{lang}' is not one of the course's languages ({', '.join(checked.languages)})")
    return languages


# The earlier spelling of the course, `-c COURSE`, kept working for scripts.
COURSE_OPTION = click.option("-c", "--course", "course_option", type=click.Path(file_okay=False), hidden=True)


def COURSE(command):
    """[COURSE] as the first argument, as in every moocpack command (the folder; default: the
    current folder if it is a course, else the one course under ./course/)."""
    return COURSE_OPTION(click.argument("course", required=False, type=click.Path(file_okay=False))(command))


def _course(course, course_option):
    return course or course_option


def _course_and(values: tuple[str, ...], course_option, what: str) -> tuple[str | None, str]:
    """[COURSE] WHAT: one value is WHAT, two are COURSE and WHAT."""
    if len(values) == 1:
        return course_option, values[0]
    if len(values) == 2:
        return values[0], values[1]
    raise click.UsageError(f"expected [COURSE] {what}")


@click.group(name="l10n")
def l10n():
    """Translators' tools: what is missing or out of date, and XLIFF/PO exchange files.

    \b
    moocpack l10n status                         a table per language
    moocpack l10n status --lang nb --list        every missing or stale string, with its place
    moocpack l10n export --lang nb -o nb.xlf     for any CAT tool (-o nb.po for gettext PO)
    moocpack l10n import nb.xlf                  checked, all or nothing, comments kept
    moocpack l10n sync --lang nb                 accept translations edited by hand in the YAML
    moocpack l10n sync --accept KEY              a source fix that needs no new translation
    moocpack l10n init de                        a new language folder
    """


@l10n.command()
@COURSE
@click.option("-l", "--lang", "languages", multiple=True, metavar="L", help="Language (repeatable; default all).")
@click.option("--list", "listing", is_flag=True, help="One line per missing, stale or orphan string.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--fail-under", type=float, metavar="PCT", help="Exit 1 if a language is less complete than PCT %.")
def status(course, course_option, languages, listing, as_json, fail_under):
    """How complete each language is: strings ok, stale, missing, orphan; words still to do."""
    path, checked, report = _checked(_course(course, course_option), as_json=as_json)
    catalogs = [cat.collect(checked, lang) for lang in _languages(checked, languages)]
    rows = [c.stats() for c in catalogs]
    problems = []
    for catalog in catalogs:
        for unit in catalog.units + catalog.orphans:
            if unit.state in (cat.MISSING, cat.STALE, cat.ORPHAN, cat.SAME):
                problems.append((catalog.language, unit))
    if as_json:
        click.echo(
            json.dumps(
                envelope(
                    [report],
                    languages=rows,
                    strings=[
                        {
                            "language": lang,
                            "state": u.state,
                            "key": u.key,
                            "file": str(
                                checked.folder.display(u.target_file if u.state != cat.MISSING else u.source_file)
                            ),
                            "line": (u.position or u.source_position)[0]
                            if u.state != cat.MISSING
                            else u.source_position[0],
                            "source": u.source,
                            "previous_source": u.previous_source,
                            "target": u.target,
                        }
                        for lang, u in problems
                    ]
                    if listing
                    else [],
                ),
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        click.echo(
            f"{'lang':<6} {'strings':>7} {'ok':>5} {'stale':>6} {'missing':>8} {'orphan':>7} "
            f"{'same':>5} {'reviewed':>9} {'words to do':>12} {'complete':>9}"
        )
        for row in rows:
            source = " (source)" if row["language"] == checked.source_language else ""
            click.echo(
                f"{row['language']:<6} {row['strings']:>7} {row['ok']:>5} {row['stale']:>6} {row['missing']:>8} "
                f"{row['orphan']:>7} {row['same-as-source']:>5} {row['reviewed']:>9} {row['words_to_do']:>12,} "
                f"{row['complete']:>8.1f}%{source}"
            )
        if listing:
            for lang, unit in problems:
                if unit.state == cat.MISSING:
                    where, (line, col) = unit.source_file, unit.source_position
                else:
                    where, (line, col) = unit.target_file, unit.position or (1, 1)
                click.echo(
                    f"{checked.folder.display(where)}:{line}:{col}: {unit.state} ({lang}): {unit.pointer} [{unit.file}]"
                )
                if unit.state == cat.STALE:
                    click.echo(f"    source was: {unit.previous_source!r}")
                    click.echo(f"    now:        {unit.source!r}")
        click.echo("")
        click.echo("interface messages (moocpack's own catalogues: buttons, feedback, navigation)")
        for lang in _languages(checked, languages):
            missing, total, used = interface_messages(lang, checked.interfaces.get(lang))
            state = f"{total - len(missing)}/{total}" + (f", missing: {', '.join(missing)}" if missing else "")
            label = used if "/" in used else f"the '{used}' catalogue"
            click.echo(f"{lang:<6} {state}" + (f" (uses {label})" if used != lang else ""))
    if fail_under is not None and any(row["complete"] < fail_under for row in rows):
        sys.exit(EXIT_BELOW)


def interface_messages(lang: str, course_strings: dict | None = None) -> tuple[list[str], int, str]:
    """Keys of the English catalogue that neither the language's catalogue nor the course's own
    interface strings have (English shows instead), how many there are, and what is used."""
    english = loader.catalogue("en") or {}  # always shipped
    course_strings = course_strings or {}
    mine = f"{lang}/{interface.FILE}" if course_strings else ""
    for candidate in (lang, lang.split("-")[0]):
        own = loader.catalogue(candidate)
        if own is not None:
            used = candidate if not mine else f"{mine} and the '{candidate}' catalogue"
            return sorted(set(english) - set(own) - set(course_strings)), len(english), used
    return sorted(set(english) - set(course_strings)), len(english), mine or "en"


@l10n.command()
@COURSE
@click.option("-l", "--lang", "language", required=True, metavar="L", help="The target language.")
@click.option(
    "--file-format",
    "fmt",
    type=click.Choice(["xliff", "po"]),
    help="Exchange file format (default: from the -o file name's ending, else xliff).",
)
@click.option("-f", "--format", "old_fmt", type=click.Choice(["xliff", "po"]), hidden=True)
@click.option("--only", metavar="STATES", help="Comma-separated states to export, e.g. missing,stale.")
@click.option("-o", "--out", "--output", "output", type=click.Path(), help="Write here instead of standard output.")
def export(course, course_option, language, fmt, old_fmt, only, output):
    """Write an XLIFF 2.0 or PO file of the strings to translate into L."""
    fmt = fmt or old_fmt or ("po" if output and output.lower().endswith((".po", ".pot")) else "xliff")
    _, checked, _ = _checked(_course(course, course_option))
    _languages(checked, [language])
    states = {s.strip() for s in only.split(",")} if only else None
    if states and not states <= {cat.OK, cat.STALE, cat.MISSING, cat.SAME, cat.REVIEWED}:
        raise click.UsageError(f"--only takes ok, stale, missing, same-as-source, reviewed; not '{only}'")
    catalog = cat.collect(checked, language)
    course_id = checked.course.data["id"]
    version = str(checked.course.data["version"])
    if fmt == "xliff":
        data = exchange.write_xliff(catalog, checked.source_language, course_id, states)
    else:
        data = exchange.write_po(catalog, checked.source_language, course_id, version, states)
    if output:
        write_atomic(Path(output), data)
        count = len(exchange.selected(catalog, states))
        click.echo(f"{output}: {count} string(s) for '{language}'", err=True)
    else:
        sys.stdout.buffer.write(data)


MAX_EXCHANGE_BYTES = 20 * 1024 * 1024  # a whole course's text is a few hundred KiB


def _read_exchange(path: Path) -> tuple[str, str, dict, list[exchange.Entry]]:
    with path.open("rb") as stream:
        raw = stream.read(MAX_EXCHANGE_BYTES + 1)
    if len(raw) > MAX_EXCHANGE_BYTES:
        raise ValueError(
            f"{path}:1:1: the file is larger than {MAX_EXCHANGE_BYTES:,} bytes; is it really a translation file?"
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ValueError(f"{path}:{line}:1: not valid UTF-8") from exc
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith("<"):
        try:
            header, entries = exchange.read_xliff(raw)
        except etree.XMLSyntaxError as exc:
            line, column = exc.position if exc.position else (1, 1)
            raise ValueError(f"{path}:{line}:{column}: malformed XML: {exc.msg}") from exc
        except ValueError as exc:
            match = re.match(r"line (\d+): (.*)", str(exc))
            raise ValueError(f"{path}:{match.group(1)}:1: {match.group(2)}" if match else f"{path}:1:1: {exc}") from exc
        return "xliff", header.get("trgLang") or "", header, entries
    try:
        header, entries = exchange.read_po(text)
    except (OSError, ValueError) as exc:
        match = re.search(r"line (\d+)", str(exc))
        raise ValueError(f"{path}:{match.group(1) if match else 1}:1: malformed PO file: {exc}") from exc
    return "po", header.get("Language", ""), header, entries


@l10n.command(name="import")
@click.argument("values", nargs=-1, metavar="[COURSE] FILE")
@COURSE_OPTION
def import_command(values, course_option):
    """Bring translations from an XLIFF or PO file into the language folder.

    Every unit is checked first (language, known key, placeholders, links and markup as in the
    source); one bad unit rejects the whole file with file:line errors and changes nothing.
    Hand-written comments and layout of the YAML files are kept.
    """
    course, file = _course_and(values, course_option, "FILE")
    path = Path(file)
    if not path.is_file():
        click.echo(f"{file}: not a regular file; give the XLIFF or PO file to import", err=True)
        sys.exit(EXIT_ERRORS)
    course_path, checked, _ = _checked(course)
    try:
        fmt, language, header, entries = _read_exchange(path)
    except ValueError as exc:
        click.echo(f"{exc}", err=True)
        sys.exit(EXIT_ERRORS)
    errors = []
    if not language:
        errors.append(f"{path}:1:1: the file names no target language (XLIFF trgLang or PO 'Language')")
    elif language not in checked.languages:
        errors.append(
            f"{path}:1:1: the file is for '{language}', which is not one of the course's languages "
            f"({', '.join(checked.languages)})"
        )
    if (
        fmt == "xliff"
        and header.get("srcLang") not in (None, checked.source_language)
        and language in checked.languages
    ):
        errors.append(
            f"{path}:1:1: the file's source language is '{header.get('srcLang')}'; this course's is "
            f"'{checked.source_language}'"
        )
    if errors:
        click.echo("\n".join(errors), err=True)
        sys.exit(EXIT_ERRORS)
    catalog = cat.collect(checked, language)
    units = catalog.by_key()
    accepted = []
    for entry in entries:
        unit = units.get(entry.key)
        if unit is None:
            errors.append(
                f"{path}:{entry.line}:1: unknown string '{entry.key}': no such text in the course "
                "(exported from another version?)"
            )
            continue
        if entry.target is None or not entry.target.strip():
            continue
        for problem in checks.problems(unit.source, entry.target):
            errors.append(f"{path}:{entry.line}:1: {entry.key}: {problem}")
        accepted.append((unit, entry))
    if errors:
        click.echo("\n".join(errors), err=True)
        click.echo(f"{path}: not imported: {len(errors)} error(s); nothing was changed", err=True)
        sys.exit(EXIT_ERRORS)
    counts = apply(checked, catalog, accepted)
    click.echo(
        f"{path}: imported {counts['imported']}, unchanged {counts['unchanged']}, "
        f"kept stale {counts['stale']} into '{language}'",
        err=True,
    )


def apply(checked, catalog: cat.Catalog, accepted) -> dict:
    """Write accepted targets into the YAML files and the lock, each file atomically."""
    root = checked.folder.root
    documents: dict[Path, object] = {}
    counts = {"imported": 0, "unchanged": 0, "stale": 0}
    for unit, entry in accepted:
        target_path = root / unit.target_file
        if target_path not in documents:
            documents[target_path] = writer.load(target_path)
        segments = unit.segments + ((("key", catalog.language),) if unit.framework else ())
        unchanged = unit.target == entry.target and unit.state in cat.DONE
        if not unchanged:
            writer.set_value(documents[target_path], segments, entry.target)
        if unit.file == interface.FILE:  # moocpack's strings: no source in the course to lock against
            counts["unchanged" if unchanged else "imported"] += 1
            continue
        unconfirmed = entry.fuzzy and (entry.fmt == "po" or unchanged or entry.target == unit.target)
        unit.target = entry.target
        if entry.source != unit.source:
            # Translated from another version of the source: import it, but keep it stale.
            cat.accept(catalog, unit, source=entry.source)
            counts["stale"] += 1
        elif unconfirmed:
            # Still fuzzy / still marked stale: keep the earlier acceptance, or mark it unconfirmed.
            if unit.key not in catalog.lock:
                cat.accept(catalog, unit)
                catalog.lock[unit.key]["fuzzy"] = True
            counts["stale"] += 1
        else:
            cat.accept(catalog, unit, reviewed=entry.final)
            counts["unchanged" if unchanged else "imported"] += 1
    # Every file of the language and its lock change together, or none does.
    rendered = {p: writer.dump(doc) for p, doc in documents.items()}
    rendered[cat.lock_path(checked, catalog.language)] = lockfile.dump(checked.source_language, catalog.lock)
    write_all_atomic(rendered)
    return counts


@l10n.command()
@COURSE
@click.option("-l", "--lang", "languages", multiple=True, metavar="L", help="Accept hand edits in L (repeatable).")
@click.option(
    "--accept",
    "keys",
    multiple=True,
    metavar="KEY",
    help="Re-lock KEY in every language: a source fix (a typo) that needs no new translation.",
)
def sync(course, course_option, languages, keys):
    """Accept translations edited by hand in the YAML files, or source fixes with --accept."""
    _, checked, _ = _checked(_course(course, course_option))
    if not languages and not keys:
        raise click.UsageError("give --lang L (accept hand edits) or --accept KEY (re-lock a source fix)")
    if keys:
        found = set()
        for lang in checked.languages:
            catalog = cat.collect(checked, lang)
            units = catalog.by_key()
            changed = False
            for key in keys:
                if key in units and key in catalog.lock and units[key].target is not None:
                    entry = catalog.lock[key]
                    entry["source_sha"] = cat.digest(units[key].source)
                    entry["source"] = units[key].source
                    found.add(key)
                    changed = True
            if changed:
                cat.write_lock(checked, lang, catalog.lock)
        unknown = [k for k in keys if k not in found]
        if unknown:
            click.echo("\n".join(f"{k}: no accepted translation has this key" for k in unknown), err=True)
            sys.exit(EXIT_ERRORS)
        click.echo(f"re-locked {len(found)} key(s) in every language that translates them", err=True)
        return
    for lang in _languages(checked, languages):
        catalog = cat.collect(checked, lang)
        accepted = 0
        for unit in catalog.units:
            if unit.target is None:
                continue
            entry = catalog.lock.get(unit.key)
            if entry is None or entry.get("target_sha") != cat.digest(unit.target):
                cat.accept(catalog, unit)
                accepted += 1
        for orphan in catalog.orphans:
            catalog.lock.pop(orphan.key, None)
        cat.write_lock(checked, lang, catalog.lock)
        click.echo(f"{lang}: accepted {accepted} hand-edited string(s); {len(catalog.lock)} locked", err=True)


@l10n.command()
@click.argument("values", nargs=-1, metavar="[COURSE] LANGUAGE")
@COURSE_OPTION
def init(values, course_option):
    """Create the folder of a new language, with one (empty) file per source file."""
    from ..schema import documents

    course, language = _course_and(values, course_option, "LANGUAGE")
    _, checked, _ = _checked(course)
    pattern = documents()["common.schema.json"]["$defs"]["language"]["pattern"]
    # fullmatch: the schema's '$' lets a final line feed through ("de\n"), which validate refuses.
    if not re.fullmatch(pattern.removeprefix("^").removesuffix("$"), language):
        raise click.UsageError(f"{language!r} is not a BCP 47 language code such as 'de' or 'pt-BR'")
    folder = checked.folder.root / language
    if folder.exists():
        raise click.UsageError(f"{checked.folder.display(language)} already exists")
    files = {}
    for rel, _, _ in cat.source_files(checked):
        header = (
            f"# {language} translation of {checked.source_language}/{rel}: the same ids, text only.\n"
            f"# moocpack l10n export --lang {language} gives a file for your CAT tool.\n{{}}\n"
        )
        files[folder / rel] = header.encode()
    course_file = checked.folder.root / checked.source_language / "course.yaml"
    data = writer.load(course_file)
    data["languages"].append(language)
    files[course_file] = writer.dump(data)
    files[cat.lock_path(checked, language)] = lockfile.dump(checked.source_language, {})
    write_all_atomic(files)  # the folder, its files, the course's languages and the lock: all or none
    click.echo(f"created {checked.folder.display(language)}/ and added '{language}' to languages", err=True)
