"""Hostile and careless input on the rest of the surface: a killed build's workers, course files
that are not clean UTF-8, translation files that contradict themselves, and outputs that cannot
be written. Each ends in a clear error naming the file (exit 2, 64 only for wrong usage), or in
nothing at all being left behind.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT

# -- build workers -------------------------------------------------------------------------------


def _processes_in_group(group: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == group and fields[0] != "Z":
                found.append(int(entry.name))
    return found


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.slow
def test_a_build_killed_with_sigkill_leaves_no_worker_writing(tmp_path):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from synthetic import generate

    course = generate(tmp_path / "course", units=120, questions=4)
    out = tmp_path / "out"
    build = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from moocpack.cli import entry; entry()",
            "build",
            str(course),
            "--out",
            str(out),
            "--jobs",
            "2",
        ],
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "MOOCPACK_CACHE": ""},
    )
    deadline = time.monotonic() + 60
    # Killed while the export workers write packages (the first package is in the folder).
    while (
        not (out.exists() and any(out.iterdir()) and len(_children(build.pid)) >= 2)
        and time.monotonic() < deadline
        and build.poll() is None
    ):
        time.sleep(0.01)
    try:
        assert len(_children(build.pid)) >= 2, "the build never started two workers"
        os.kill(build.pid, signal.SIGKILL)
        build.wait()
        deadline = time.monotonic() + 5
        while _processes_in_group(build.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _processes_in_group(build.pid) == [], "workers outlived the build"
    finally:
        for pid in _processes_in_group(build.pid):  # the test's own clean-up, should it fail
            os.kill(pid, signal.SIGKILL)
    before = sorted(p.name for p in out.glob("*")) if out.exists() else []
    time.sleep(1)
    after = sorted(p.name for p in out.glob("*")) if out.exists() else []
    assert before == after, "something was written after the build was killed"
    assert not [
        name for name in after if not name.endswith((".zip", ".mbz", ".tar.gz", ".csv")) and not name.startswith(".")
    ], after


# -- course files that are not clean UTF-8 -------------------------------------------------------


def test_a_byte_order_mark_is_accepted_on_every_course_file(mini, cli, tmp_path):
    code, _, err = cli("build", mini, "--out", tmp_path / "plain", "--lang", "en", "--lang", "nb")
    assert code == 0, err
    for path in mini.rglob("*.yaml"):
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    code, out, err = cli("validate", mini)
    assert code == 0, out + err
    code, _, err = cli("build", mini, "--out", tmp_path / "bom", "--lang", "en", "--lang", "nb")
    assert code == 0, err
    for package in (tmp_path / "plain").iterdir():
        assert (tmp_path / "bom" / package.name).read_bytes() == package.read_bytes(), package.name


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_byte_that_is_not_utf8_and_a_nul_are_reported_where_they_are(mini, cli, jobs):
    unit = mini / "en" / "units" / "u1.yaml"
    raw = unit.read_bytes()
    at = raw.index(b"\ntitle: ") + len(b"\ntitle: ") + 3
    unit.write_bytes(raw[:at] + b"\xff" + raw[at:])
    line = raw[:at].count(b"\n") + 1
    sheet = mini / "en" / "worksheets" / "w1.yaml"
    sheet.write_bytes(sheet.read_bytes().replace(b"title: Breach", b"title: Bre\x00ach"))
    code, out, err = cli("validate", mini, "--jobs", jobs)
    assert code == 2
    assert f"u1.yaml:{line}:11: error: not UTF-8: byte 0xFF" in out, out
    assert "w1.yaml:3:11: error: control character U+0000 is not allowed" in out, out


# -- translation files that contradict themselves ------------------------------------------------

from test_l10n import fingerprint, unit as xliff_unit, xliff  # noqa: E402


@pytest.fixture
def course(tmp_path):
    import shutil
    from conftest import SHIPPED

    target = tmp_path / "peer-support"
    shutil.copytree(SHIPPED, target)
    return target


def refused_import(cli, course, path, *patterns):
    before = fingerprint(course)
    code, _, err = cli("l10n", "import", course, path)
    assert code == 2 and "Traceback" not in err, err
    for pattern in patterns:
        assert pattern in err, err
    assert fingerprint(course) == before


def test_two_xliff_files_for_one_source_file_are_refused_naming_both(course, cli, tmp_path):
    path = tmp_path / "nb.xlf"
    second_file = '</file>\n<file id="f2" original="units/unit-09.yaml">'
    first, again = (
        xliff_unit("/title", "Peer relationship", t) for t in ("Likepersonsrelasjonen", "Likemannsrelasjon")
    )
    path.write_text(xliff(first + second_file + again, file="units/unit-09.yaml"), "utf-8")
    refused_import(cli, course, path, f"{path}:3:1:", "second <file> for 'units/unit-09.yaml'", "line 2")


def test_one_string_translated_twice_in_a_file_is_refused(course, cli, tmp_path):
    path = tmp_path / "nb.xlf"
    first, again = (
        xliff_unit("/title", "Peer relationship", t) for t in ("Likepersonsrelasjonen", "Likemannsrelasjon")
    )
    path.write_text(xliff(first + "\n" + again, file="units/unit-09.yaml"), "utf-8")
    refused_import(cli, course, path, f"{path}:3:1:", "translated a second time (first on line 2)")


def po(entries: str) -> str:
    return 'msgid ""\nmsgstr ""\n"Language: nb\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n' + entries


def test_the_same_po_context_twice_is_refused_naming_both(course, cli, tmp_path):
    key = "units/unit-09.yaml#/title"
    path = tmp_path / "nb.po"
    path.write_text(
        po(
            f'msgctxt "{key}"\nmsgid "Peer relationship"\nmsgstr "Likepersonsrelasjonen"\n\n'
            f'msgctxt "{key}"\nmsgid "Peer relationship"\nmsgstr "Likemannsrelasjon"\n'
        ),
        "utf-8",
    )
    refused_import(cli, course, path, "translated a second time (first on line 6)")


def test_a_plural_po_entry_is_refused_not_dropped(course, cli, tmp_path):
    path = tmp_path / "nb.po"
    path.write_text(
        po(
            'msgctxt "units/unit-09.yaml#/title"\nmsgid "Peer relationship"\n'
            'msgid_plural "Peer relationships"\nmsgstr[0] "Relasjon"\nmsgstr[1] "Relasjoner"\n'
        ),
        "utf-8",
    )
    refused_import(cli, course, path, "has plural forms")


def test_init_refuses_a_code_validate_would_refuse_and_creates_nothing(course, cli):
    before = fingerprint(course)
    for code_given in ("de\n", "de ", "DE", "d"):
        code, _, err = cli("l10n", "init", course, code_given)
        assert code == 64 and "not a BCP 47 language code" in err
    assert fingerprint(course) == before and not (course / "de").exists()
    assert cli("l10n", "init", course, "de")[0] == 0 and cli("validate", course)[0] == 0


def _full_disk_after(monkeypatch, count: int):
    """os.replace fails with ENOSPC from its `count`-th call (0: every call)."""
    import errno

    real, calls = os.replace, []

    def replace(source, target):
        calls.append(target)
        if len(calls) >= count:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(source, target)

    monkeypatch.setattr(os, "replace", replace)


def test_a_full_disk_during_an_import_or_init_leaves_no_new_folder(course, cli, tmp_path, monkeypatch):
    path = tmp_path / "nb.xlf"
    sheet = "worksheets/ws1-me-as-role-model.yaml"
    import shutil

    shutil.rmtree(course / "nb" / "worksheets", ignore_errors=True)
    path.write_text(
        xliff(xliff_unit("/title", "Worksheet 1 – Me as a role model", "Arbeidsark 1"), file=sheet), "utf-8"
    )
    before = fingerprint(course)
    _full_disk_after(monkeypatch, 1)
    code, _, err = cli("l10n", "import", course, path)
    assert code == 2 and "No space left on device" in err, err
    code, _, err = cli("l10n", "init", course, "de")
    assert code == 2 and "No space left on device" in err, err
    monkeypatch.undo()
    assert fingerprint(course) == before
    assert not (course / "nb" / "worksheets").exists() and not (course / "de").exists()
    assert not list(course.rglob("*.part"))


# -- outputs that cannot be written --------------------------------------------------------------


def test_every_unwritable_output_is_exit_2(mini, cli, tmp_path):
    a_file, a_folder = tmp_path / "a-file", tmp_path / "a-folder"
    a_file.write_text("x")
    a_folder.mkdir()
    for args in (
        ("build", mini, "-o", a_file),
        ("l10n", "export", mini, "--lang", "nb", "-o", a_folder),
        ("moodle-plugin", "-o", a_folder),
    ):
        code, out, err = cli(*args)
        assert code == 2, (args, out, err)
        assert "[Errno" not in err and "Traceback" not in err


def test_a_full_disk_build_lists_every_package_it_wrote(cli, tmp_path, monkeypatch):
    import json
    from conftest import SHIPPED
    import moocpack.archive as archive

    real = archive._write_temp

    def full_for_norwegian(path, data):
        if "-nb-" in path.name:
            import errno

            raise OSError(errno.ENOSPC, "No space left on device")
        return real(path, data)

    monkeypatch.setattr(archive, "_write_temp", full_for_norwegian)  # forked workers inherit it
    out = tmp_path / "out"
    code, stdout, _ = cli("build", SHIPPED, "--out", out, "--jobs", "2", "--json")
    assert code == 2
    listed = {Path(p["path"]).name for p in json.loads(stdout)["packages"]}
    written = {p.name for p in out.iterdir() if not p.name.endswith(".csv")}
    assert written == listed and listed and not any("-nb-" in name for name in written)
