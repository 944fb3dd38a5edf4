"""The translators' workflow: status, XLIFF and PO round trips through independent tools,
stale detection, all-or-nothing imports that keep hand-written YAML, and builds."""

from __future__ import annotations

import hashlib
import re
import json
import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from lxml import etree

from conftest import ROOT, SHIPPED, edit

XLIFF_XSD = ROOT / "tests" / "schemas" / "xliff_core_2.0.xsd"


@pytest.fixture
def course(tmp_path: Path, partly_translated: Path) -> Path:
    """A writable copy of the shipped course half-way through its translation."""
    target = tmp_path / "peer-support"
    shutil.copytree(partly_translated, target)
    return target


def fingerprint(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(folder)).encode() + path.read_bytes())
    return digest.hexdigest()


def status(cli, course: Path, *args) -> dict:
    code, stdout, stderr = cli("l10n", "status", course, "--json", *args)
    assert code in (0, 1), stderr
    data = json.loads(stdout)
    return {row["language"]: row for row in data["languages"]} | {"problems": data["strings"]}


def test_status_of_the_shipped_course_is_honest(cli):
    rows = status(cli, SHIPPED)
    # Every string translated; reviewed are only the project's own Norwegian (project text, EU
    # notice) and French (project text); the rest is the course team's, translated not reviewed.
    for lang, reviewed in (("nb", 2), ("fr", 1)):
        row = rows[lang]
        assert row["missing"] == row["stale"] == 0 and row["complete"] == 100.0
        assert row["reviewed"] == reviewed
        assert row["ok"] + row["same-as-source"] + row["reviewed"] == row["strings"]
    assert rows["en"]["complete"] == 100.0  # the PAT framework, translated from Norwegian
    code, text, _ = cli("l10n", "status", SHIPPED)
    assert code == 0 and "nb" in text and "words to do" in text


def test_status_half_way_counts_what_is_left(cli, partly_translated):
    rows = status(cli, partly_translated)
    for lang in ("nb", "fr"):
        row = rows[lang]
        assert row["missing"] == 176 and row["words_to_do"] > 3000
        assert row["missing"] == row["strings"] - row["ok"] - row["same-as-source"] - row["reviewed"]


def test_list_points_at_each_missing_string_in_the_source(cli, partly_translated):
    code, text, _ = cli("l10n", "status", partly_translated, "--lang", "fr", "--list")
    assert code == 0
    assert "/en/units/unit-02.yaml:" in text and ": missing (fr): /activities/a1-my-role-model/procedure" in text


def test_a_lock_entry_for_a_string_the_course_no_longer_has_is_listed_as_an_orphan(cli, mini):
    """Left behind when a source string is deleted: listed at the lock file, in text and JSON
    (it once crashed the listing, exit 3)."""
    (mini / "nb" / "_l10n.lock.yaml").write_text(
        "source_language: en\nunits:\n  course.yaml#/gone:\n    source: A string the course no longer has\n"
        '    source_sha: "abcdef0123456789"\n    target_sha: "abcdef0123456789"\n',
        "utf-8",
    )
    code, text, _ = cli("l10n", "status", mini, "--lang", "nb", "--list")
    assert code == 0, text
    assert "nb/_l10n.lock.yaml:1:1: orphan (nb): /gone [course.yaml]" in text
    code, out, _ = cli("l10n", "status", mini, "--lang", "nb", "--list", "--json")
    orphans = [s for s in json.loads(out)["strings"] if s["state"] == "orphan"]
    assert [(s["key"], s["source"]) for s in orphans] == [("course.yaml#/gone", "A string the course no longer has")]
    assert status(cli, mini)["nb"]["orphan"] == 1


def test_fail_under_is_a_ci_gate(cli, partly_translated):
    assert cli("l10n", "status", partly_translated, "--fail-under", "50")[0] == 1
    assert cli("l10n", "status", partly_translated, "--lang", "en", "--fail-under", "50")[0] == 0
    assert cli("l10n", "status", SHIPPED, "--fail-under", "100")[0] == 0


def translate_xliff(source: Path, target: Path) -> None:
    """Fill every target with translate-toolkit's XLIFF 2 reader and writer (an independent tool)."""
    from translate.storage import xliff2

    store = xliff2.Xliff2File.parsefile(str(source))
    for unit in store.units:
        unit.target = f"«nb» {unit.source}"
    target.write_bytes(bytes(store))


def test_xliff_round_trip_brings_a_language_to_100_percent(course, tmp_path, cli):
    exported = tmp_path / "nb.xlf"
    assert cli("l10n", "export", course, "--lang", "nb", "-o", exported)[0] == 0
    schema = etree.XMLSchema(etree.parse(str(XLIFF_XSD)))
    document = etree.parse(str(exported))
    assert schema.validate(document), schema.error_log
    ids = [u.get("id") for u in document.iter("{urn:oasis:names:tc:xliff:document:2.0}unit")]
    assert len(ids) == len(set(ids)) == status(cli, course)["nb"]["strings"]
    filled = tmp_path / "nb-filled.xlf"
    translate_xliff(exported, filled)
    assert schema.validate(etree.parse(str(filled)))
    code, _, stderr = cli("l10n", "import", course, filled)
    assert code == 0, stderr
    rows = status(cli, course)
    assert rows["nb"]["complete"] == 100.0 and rows["nb"]["missing"] == 0
    assert cli("validate", course)[0] == 0
    code, _, stderr = cli("build", course, "--lang", "nb", "--format", "html", "--out", tmp_path / "out", "--json")
    assert code == 0, stderr
    from moocpack import loader
    from moocpack.problems import Report

    model = loader.load(course, "nb", Report(course))
    assert str(model.units[0].title).startswith("«nb» ") and model.units[0].title.lang == "nb"
    assert str(model.competence("wwd.26.1").text).startswith("«nb» ")


def test_po_round_trip_with_polib_and_msgfmt(course, tmp_path, cli):
    exported = tmp_path / "fr.po"
    assert cli("l10n", "export", course, "--lang", "fr", "--file-format", "po", "-o", exported)[0] == 0
    msgfmt = shutil.which("msgfmt")
    assert msgfmt, "gettext's msgfmt is needed (the README's test command installs it)"
    check = subprocess.run([msgfmt, "--check", "-o", "/dev/null", str(exported)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    po = polib.pofile(str(exported))
    assert po.metadata["Language"] == "fr" and po.metadata["X-Moocpack-Course"] == "pat-peer-support@1.0.0"
    entry = next(e for e in po if e.msgctxt == "units/unit-02.yaml#/activities/a1-my-role-model/title")
    lines = (SHIPPED / "en/units/unit-02.yaml").read_text("utf-8").splitlines()
    line = next(n for n, text in enumerate(lines, 1) if text.strip() == "title: My role model")
    assert entry.occurrences == [("en/units/unit-02.yaml", str(line))] and "(text)" in entry.comment
    for entry in po:
        entry.msgstr = f"[fr] {entry.msgid}"
    po.save(str(exported))
    assert subprocess.run([msgfmt, "--check", "-o", "/dev/null", str(exported)]).returncode == 0
    code, _, stderr = cli("l10n", "import", course, exported)
    assert code == 0, stderr
    assert status(cli, course)["fr"]["complete"] == 100.0


def test_import_keeps_comments_and_layout_of_hand_edited_yaml(course, tmp_path, cli):
    (course / "nb" / "units").mkdir(exist_ok=True)
    handmade = course / "nb" / "units" / "unit-09.yaml"
    handmade.write_text("# Oversatt av Kari\ntitle: Likepersonsrelasjonen   # kort tittel\n", "utf-8")
    exported = tmp_path / "nb.xlf"
    cli("l10n", "export", course, "--lang", "nb", "--only", "missing", "-o", exported)
    filled = tmp_path / "filled.xlf"
    translate_xliff(exported, filled)
    assert cli("l10n", "import", course, filled)[0] == 0
    text = handmade.read_text("utf-8")
    assert text.startswith("# Oversatt av Kari\ntitle: Likepersonsrelasjonen   # kort tittel\n")
    assert "«nb» Explain how shared experience" in text


def test_a_changed_source_string_is_stale_everywhere_until_accepted(course, cli):
    key = "course.yaml#/project"
    edit(course / "en" / "course.yaml", "It aimed to contribute", "It aimed to help")
    rows = status(cli, course, "--list")
    stale = [p for p in rows["problems"] if p["state"] == "stale"]
    assert {p["language"] for p in stale} == {"nb", "fr"} and {p["key"] for p in stale} == {key}
    assert "It aimed to contribute" in stale[0]["previous_source"] and "It aimed to help" in stale[0]["source"]
    code, text, _ = cli("l10n", "status", course, "--lang", "nb", "--list")
    assert "stale (nb): /project" in text and "source was:" in text and "now:" in text
    # A build uses the old translation, with a warning.
    code, _, stderr = cli("build", course, "--lang", "nb", "--format", "html", "--out", course.parent / "out")
    assert code == 0 and "stale translation (nb)" in stderr
    assert cli("l10n", "sync", course, "--accept", key)[0] == 0
    rows = status(cli, course)
    assert rows["nb"]["stale"] == rows["fr"]["stale"] == 0


def test_sync_accepts_hand_edits(course, cli):
    target = course / "fr" / "units" / "unit-02.yaml"  # not translated yet in this copy
    before = status(cli, course)["fr"]["ok"]
    target.write_text("title: Approfondir la figure du pair aidant\n", "utf-8")
    assert status(cli, course)["fr"]["ok"] == before + 1  # a hand edit counts once it is there
    assert cli("l10n", "sync", course, "--lang", "fr")[0] == 0
    lock = (course / "fr" / "_l10n.lock.yaml").read_text("utf-8")
    assert "units/unit-02.yaml#/title:" in lock


XLIFF_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" '
    'version="2.0" srcLang="en" trgLang="{lang}"><file id="f1" original="{file}">'
)


def xliff(units: str, lang: str = "nb", file: str = "units/unit-02.yaml") -> str:
    return XLIFF_HEAD.format(lang=lang, file=file) + units + "</file></xliff>\n"


def unit(name: str, source: str, target: str) -> str:
    return (
        f'<unit id="u1" name="{name}"><segment state="translated"><source>{source}</source>'
        f"<target>{target}</target></segment></unit>"
    )


WS1 = "worksheets/ws1-me-as-role-model.yaml"
BROKEN = [
    ("wrong-language", xliff(unit("/title", "x", "y"), lang="de"), r"for 'de', which is not one of the course's"),
    (
        "unknown-unit",
        xliff(unit("/activities/a9-nothing/title", "x", "y")),
        r"unknown string 'units/unit-02.yaml#/activities/a9",
    ),
    (
        "broken-placeholder",
        xliff(
            unit(
                "/answer_key/stem",
                "How could you interact with a peer (a person you support) to model the value **{value}**?",
                "Hvordan kan du vise verdien **{verdi}**?",
            ),
            file=WS1,
        ),
        r"placeholders differ",
    ),
    ("malformed-xml", xliff(unit("/title", "x", "y")).replace("</file>", ""), r":\d+:\d+: malformed XML"),
    ("truncated-file", xliff(unit("/title", "x", "y"))[:180], r":\d+:\d+: malformed XML"),
    ("not-xliff", '<?xml version="1.0"?>\n<html><body/></html>\n', r"not an XLIFF 2 document"),
]


@pytest.mark.parametrize("case, content, pattern", BROKEN, ids=[b[0] for b in BROKEN])
def test_a_broken_import_changes_nothing_and_says_where(course, tmp_path, cli, case, content, pattern):
    import re

    path = tmp_path / f"{case}.xlf"
    path.write_text(content, "utf-8")
    before = fingerprint(course)
    code, _, stderr = cli("l10n", "import", course, path)
    assert code == 2
    assert re.search(re.escape(str(path)) + r":\d+:\d+: ", stderr), stderr
    assert re.search(pattern, stderr), stderr
    assert "Traceback" not in stderr
    assert fingerprint(course) == before


def test_a_link_removed_by_the_translator_is_refused(course, tmp_path, cli):
    edit(
        course / "en" / "units" / "unit-09.yaml",
        "Shared experience builds trust",
        "Shared experience ([see](https://example.org/trust)) builds trust",
    )
    path = tmp_path / "link.po"
    cli("l10n", "export", course, "--lang", "nb", "-o", path)  # .po: the format follows the name
    po = polib.pofile(str(path))
    entry = next(e for e in po if "q-sharing-story/feedback" in e.msgctxt)
    entry.msgstr = "Felles erfaring bygger tillit."
    po.save(str(path))
    before = fingerprint(course)
    code, _, stderr = cli("l10n", "import", course, path)
    assert code == 2 and "links differ" in stderr and f"{path}:" in stderr
    assert fingerprint(course) == before


def test_init_creates_a_language_folder_that_validates(course, cli):
    code, _, stderr = cli("l10n", "init", course, "de")
    assert code == 0, stderr
    assert (course / "de" / "units" / "unit-02.yaml").is_file()
    assert (
        "de]" in (course / "en" / "course.yaml").read_text() or ", de]" in (course / "en" / "course.yaml").read_text()
    )
    assert cli("validate", course)[0] == 0
    assert status(cli, course)["de"]["missing"] > 200


def test_a_language_below_min_complete_is_not_packaged_unless_asked_for(course, tmp_path, cli):
    edit(course / "en" / "course.yaml", "min_complete: 0", "min_complete: 60")
    out = tmp_path / "out"
    code, _, stderr = cli("build", course, "--format", "html", "--out", out)
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == ["pat-peer-support-1.0.0-en-html.zip"]
    assert "below min_complete 60%: not packaged" in stderr
    assert cli("build", course, "--format", "html", "--lang", "fr", "--out", out)[0] == 0
    assert (out / "pat-peer-support-1.0.0-fr-html.zip").is_file()


def test_the_builds_completeness_is_the_figure_status_gives(course):
    """The build counts min_complete from the check's merges; status from a catalogue of every
    text. The two agree, with texts stale, fuzzy, missing, and files untranslated."""
    from moocpack import loader
    from moocpack.l10n.catalog import collect, completeness
    from moocpack.problems import Report

    def both(lang: str) -> tuple[float, float]:
        checked = loader.check(course, Report(course))
        return completeness(checked, lang), collect(checked, lang).stats()["complete"]

    before = {lang: both(lang) for lang in ("nb", "fr")}
    assert all(fast == slow for fast, slow in before.values()), before
    edit(course / "en" / "course.yaml", "It aimed to contribute", "It aimed to help")  # stale in nb and fr
    lock = course / "fr" / "_l10n.lock.yaml"
    lock.write_text(lock.read_text("utf-8").replace("target_sha:", "fuzzy: true\n    target_sha:", 3), "utf-8")
    (course / "nb" / "units" / "unit-09.yaml").unlink()  # every text of a file missing
    figures = {lang: both(lang) for lang in ("nb", "fr")}
    assert all(fast == slow for fast, slow in figures.values()), figures
    assert all(figures[lang][1] < before[lang][1] for lang in figures), (before, figures)
    checked = loader.check(course, Report(course))
    loader.load(course, "fr", Report(course), checked=checked)  # loading uses up the check's merges
    assert completeness(checked, "fr") == figures["fr"][1]


def test_status_also_checks_moocpacks_interface_catalogues(cli, course):
    code, text, _ = cli("l10n", "status", SHIPPED)
    assert "interface messages" in text
    assert [line for line in text.splitlines() if line.startswith("nb ") and "/" in line and "missing" not in line]
    from moocpack.l10n.commands import interface_messages

    assert interface_messages("nb")[0] == []
    missing, total, used = interface_messages("sv")
    assert used == "en" and len(missing) == total  # no Swedish catalogue: English shows, and status says so


def po_with(course: Path, tmp_path: Path, cli, key_part: str, msgstr: str) -> Path:
    """An exported PO file with one translation filled in (through polib, as Poedit would)."""
    path = tmp_path / "nb.po"
    assert cli("l10n", "export", course, "--lang", "nb", "-o", path)[0] == 0
    po = polib.pofile(str(path))
    entry = next(e for e in po if key_part in e.msgctxt)
    entry.msgstr = msgstr
    po.save(str(path))
    return path


def refused(course: Path, cli, path: Path, pattern: str) -> None:
    import re

    before = fingerprint(course)
    code, _, stderr = cli("l10n", "import", course, path)
    assert code == 2, stderr
    assert re.search(pattern, stderr), stderr
    assert "Traceback" not in stderr
    assert fingerprint(course) == before


@pytest.mark.parametrize(
    "target, pattern",
    [
        ("Felles <strong>erfaring<strong> bygger tillit.", r"HTML markup differs|not properly closed"),
        ('Felles <strong onmouseover="steal()">erfaring</strong> bygger tillit.', r"HTML markup differs"),
        ("Felles erfaring <em>bygger</em> tillit.", r"HTML markup differs"),
        ("Felles <strong>erfaring</strong> bygger tillit.\u0085", r"control character U\+0085"),
    ],
)
def test_translated_markup_must_be_the_sources_exactly(course, tmp_path, cli, target, pattern):
    edit(
        course / "en/units/unit-09.yaml",
        "Shared experience builds trust",
        "Shared <strong>experience</strong> builds trust",
    )
    refused(course, cli, po_with(course, tmp_path, cli, "q-sharing-story/feedback", target), pattern)


def test_markup_may_move_with_the_words(course, tmp_path, cli):
    edit(
        course / "en/units/unit-09.yaml",
        "Shared experience builds trust",
        "Shared <strong>experience</strong> builds trust",
    )
    path = po_with(
        course, tmp_path, cli, "q-sharing-story/feedback", "Tillit bygges av felles <strong>erfaring</strong>."
    )
    code, _, stderr = cli("l10n", "import", course, path)
    assert code == 0, stderr


def test_a_malformed_po_file_is_refused_not_read_short(course, tmp_path, cli):
    path = po_with(course, tmp_path, cli, "q-sharing-story/feedback", "Felles erfaring bygger tillit.")
    text = path.read_text("utf-8")
    broken = text.replace('msgstr "Felles erfaring bygger tillit."', 'msgstr "Felles erfaring bygger tillit.')
    assert broken != text
    path.write_text(broken, "utf-8")
    refused(course, cli, path, re.escape(str(path)) + r":\d+:1: malformed PO file: line \d+: not a PO line")


def test_a_file_whose_content_is_a_path_is_not_opened(course, tmp_path, cli):
    other = po_with(course, tmp_path, cli, "q-sharing-story/feedback", "Felles erfaring bygger tillit.")
    for content in (str(other), "/etc/passwd"):
        path = tmp_path / "path.po"
        path.write_text(content, "utf-8")
        refused(course, cli, path, r"malformed PO file")


def test_endless_or_huge_input_is_refused(course, tmp_path, cli):
    code, _, stderr = cli("l10n", "import", course, "/dev/zero")
    assert code == 2 and "not a regular file" in stderr
    huge = tmp_path / "huge.po"
    with huge.open("wb") as stream:
        stream.truncate(30 * 1024 * 1024)
    refused(course, cli, huge, r"larger than 20,971,520 bytes")


def test_an_import_that_fails_half_way_changes_nothing(course, tmp_path, cli, monkeypatch):
    import os

    path = tmp_path / "two-files.xlf"
    path.write_text(
        XLIFF_HEAD.format(lang="nb", file="units/unit-02.yaml")
        + unit("/title", "Delving deeper in the figure of a peer support agent", "Fordypning i rollen")
        + '</file><file id="f2" original="units/unit-09.yaml">'
        + unit("/title", "Peer relationship", "Likepersonsrelasjonen")
        + "</file></xliff>\n",
        "utf-8",
    )
    real_replace, calls = os.replace, []

    def full_disk_on_the_second_file(source, target):
        calls.append(target)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real_replace(source, target)

    before = fingerprint(course)
    monkeypatch.setattr(os, "replace", full_disk_on_the_second_file)
    code, _, stderr = cli("l10n", "import", course, path)
    monkeypatch.undo()
    assert code == 2 and "No space left on device" in stderr and "nothing was changed" in stderr
    assert len(calls) == 2
    assert fingerprint(course) == before
    assert not list(course.rglob("*.part"))


@pytest.mark.parametrize(
    "target", ["Første linje\nandre linje", "Slutter med linjeskift\n", "yes", "  innrykk\nx", "Linje\u2028skille"]
)
def test_imported_text_reads_back_exactly(course, tmp_path, cli, target):
    from moocpack import yamlfile

    path = tmp_path / "exact.xlf"
    path.write_text(
        xliff(
            unit(
                "/title",
                "Delving deeper in the figure of a peer support agent",
                target.replace("&", "&amp;").replace("<", "&lt;"),
            )
        ),
        "utf-8",
    )
    code, _, stderr = cli("l10n", "import", course, path)
    assert code == 0, stderr
    assert yamlfile.read(course / "nb/units/unit-02.yaml").data["title"] == target
