"""The command-line contract: one way to name the course, exit statuses scripts can rely on."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import SHIPPED


@pytest.mark.parametrize("args", [
    ["build", "--no-such-option"],
    ["build", "--format", "no-such-format"],
    ["validate", "--lang"],
    ["l10n", "export", "--lang", "nb", "--file-format", "docx"],
    ["l10n", "import", "a", "b", "c"],
    ["no-such-command"],
])
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
