"""The command-line contract: one way to name the course, exit statuses scripts can rely on."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import SHIPPED


@pytest.mark.parametrize(
    "args",
    [
        ["build", "--no-such-option"],
        ["build", "--format", "no-such-format"],
        ["validate", "--lang"],
        ["l10n", "export", "--lang", "nb", "--file-format", "docx"],
        ["l10n", "import", "a", "b", "c"],
        ["no-such-command"],
    ],
)
def test_a_command_used_wrongly_exits_64_not_2_which_means_a_broken_course(cli, args):
    code, stdout, stderr = cli(*args)
    assert code == 64, stdout + stderr
    assert "Usage:" in stderr or "Error:" in stderr


def test_an_output_that_cannot_be_written_is_an_input_error(cli, tmp_path):
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    code, _, stderr = cli("l10n", "export", SHIPPED, "--lang", "nb", "-o", "/dev/full")
    assert code == 2 and "No space left on device" in stderr and "Traceback" not in stderr
    assert Path("/dev/full").is_char_device()  # written into, never replaced


def test_the_course_is_the_first_argument_of_every_command(cli, tmp_path):
    assert cli("validate", SHIPPED)[0] == 0
    assert cli("info", SHIPPED)[0] == 0
    assert cli("l10n", "status", SHIPPED)[0] == 0
    code, _, _ = cli("l10n", "export", SHIPPED, "--lang", "nb", "-o", tmp_path / "nb.po")
    assert code == 0 and (tmp_path / "nb.po").read_text("utf-8").startswith(("#", "msgid"))
    assert cli("build", SHIPPED, "--format", "html", "--lang", "en", "--out", tmp_path / "out")[0] == 0


def test_format_settings_are_checked_before_anything_is_built(cli, tmp_path):
    out = tmp_path / "out"
    code, _, stderr = cli("build", SHIPPED, "--format", "olx", "--set", "olx_ogr=PAT", "--out", out)
    assert code == 2 and "unknown setting 'olx_ogr' (did you mean 'olx_org'?)" in stderr
    code, _, stderr = cli("build", SHIPPED, "--format", "moodle", "--set", "moodle_release=3.9", "--out", out)
    assert code == 2 and "moodle_release must be one of 4.5, 4.1" in stderr
    code, _, stderr = cli("build", SHIPPED, "--format", "moodle", "--set", "moodle_multilang=perhaps", "--out", out)
    assert code == 2 and "moodle_multilang is on or off" in stderr
    # A setting of a format not being built is unknown too: it would do nothing.
    code, _, stderr = cli("build", SHIPPED, "--format", "html", "--set", "olx_org=PAT", "--out", out)
    assert code == 2 and "for the chosen formats" in stderr
    assert not out.exists()


def test_formats_lists_each_formats_settings(cli):
    import json

    code, stdout, _ = cli("formats", "--json")
    assert code == 0
    settings = {f["name"]: {s["name"]: s for s in f["settings"]} for f in json.loads(stdout)["formats"]}
    assert settings["moodle"]["moodle_multilang"]["type"] == "bool"
    assert settings["olx"]["olx_essays"]["choices"] == ["ora", "html"]
    assert set(settings["html"]) == set()


def test_formats_fails_when_an_installed_plug_in_is_broken(cli, monkeypatch):
    from moocpack import cli as command
    from moocpack.exporter import Registered

    monkeypatch.setattr(command, "registry", lambda: {"broken": Registered("broken", None, "x:Y", "ImportError: no")})
    code, stdout, _ = cli("formats")
    assert code == 3 and "BROKEN" in stdout


def test_text_and_json_counts_agree_and_untranslated_strings_are_one_line_per_language(cli, partly_translated):
    import json

    code, text, _ = cli("validate", partly_translated)
    data = json.loads(cli("validate", partly_translated, "--json")[1])
    summary = text.strip().splitlines()[-1]
    assert summary.endswith(
        f"{data['errors']} error(s), {data['warnings']} warning(s), {data['untranslated']} untranslated string(s)"
    )
    notes = [line for line in text.splitlines() if "not translated into" in line]
    assert len(notes) == 2 and all(": note: " in line for line in notes)  # nb and fr, one line each
    coded = [p for p in data["problems"] if p["code"] == "translation.missing"]
    assert len(coded) == data["untranslated"] and {p["language"] for p in coded} == {"nb", "fr"}


def output_schema():
    from jsonschema import Draft202012Validator

    from moocpack.schema import documents

    return Draft202012Validator(documents()["cli-output.schema.json"])


def test_every_commands_json_is_one_envelope_that_the_schema_accepts(cli, mini, tmp_path, partly_translated):
    import json
    from conftest import edit

    schema = output_schema()
    runs = [
        ("validate", SHIPPED),
        ("info", SHIPPED),
        ("formats",),
        ("l10n", "status", SHIPPED, "--list"),
        ("build", partly_translated, "--format", "html", "--lang", "nb", "--out", tmp_path / "a"),
    ]
    for args in runs:
        code, stdout, _ = cli(*args, "--json")
        data = json.loads(stdout)
        schema.validate(data)
        assert code == 0 and data["ok"] is True, args
    built = json.loads(cli(*runs[-1], "--json")[1])
    assert [p["language"] for p in built["packages"]] == ["nb"] and built["untranslated"] > 0
    # A broken course: the same shape, ok false, every problem with its code, from every command.
    edit(mini / "en/units/u1.yaml", "type: single_choice", "type: single")
    for args in [
        ("validate", mini),
        ("info", mini),
        ("l10n", "status", mini),
        ("build", mini, "--out", tmp_path / "b"),
    ]:
        code, stdout, _ = cli(*args, "--json")
        data = json.loads(stdout)
        schema.validate(data)
        assert code == 2 and data["ok"] is False and data["errors"] >= 1, args
        assert any(p["code"] == "schema.enum" and p["line"] > 1 for p in data["problems"]), args


def test_parallel_builds_write_the_same_bytes_as_one_after_the_other(cli, tmp_path):
    for jobs in ("1", "2"):
        code, _, stderr = cli("build", SHIPPED, "--jobs", jobs, "--set", "moodle_multilang=1", "--out", tmp_path / jobs)
        assert code == 0, stderr
    one = {p.name: p.read_bytes() for p in (tmp_path / "1").iterdir()}
    two = {p.name: p.read_bytes() for p in (tmp_path / "2").iterdir()}
    assert one == two and len(one) == 24 + 1 + 12  # 8 formats × 3 languages, the multilingual one, the side files


def test_an_exporter_failing_in_a_worker_is_an_internal_error_with_its_traceback(cli, tmp_path, monkeypatch):
    from moocpack_exporters.html import HtmlExporter

    def broken(self, course, options):
        raise RuntimeError("the html exporter broke")

    monkeypatch.setattr(HtmlExporter, "files", broken)
    code, _, stderr = cli(
        "build", SHIPPED, "--jobs", "2", "--format", "html", "--format", "scorm12", "--debug", "--out", tmp_path
    )
    assert code == 3 and "the html exporter broke" in stderr and "Traceback" in stderr  # --debug asked for it
    assert not list(tmp_path.glob("*-html.zip"))


def test_progress_shows_on_a_terminal_and_nowhere_else(tmp_path):
    """On a terminal, checking counts the files read and building lists each package; piped
    output and --json stay free of it."""
    import os
    import pty
    import subprocess
    import sys as system
    from benchmarks.synthetic import generate

    course = generate(tmp_path / "course", units=20, questions=2)
    command = [system.executable, "-c", "from moocpack.cli import entry; entry()"]
    primary, secondary = pty.openpty()
    done = subprocess.run(
        [*command, "build", str(course), "-f", "html", "-o", str(tmp_path / "out")],
        stdout=subprocess.PIPE,
        stderr=secondary,
        timeout=300,
    )
    os.close(secondary)
    shown = b""
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(primary)
    assert done.returncode == 0
    assert b"files read" in shown and b"built " in shown
    piped = subprocess.run(
        [*command, "build", str(course), "-f", "html", "-o", str(tmp_path / "out2")], capture_output=True, timeout=300
    )
    assert piped.returncode == 0 and b"files read" not in piped.stderr and b"built " not in piped.stderr
