"""docs/tutorial.md is run, not just read: every `moocpack` command in its shell blocks runs in a
fresh folder, in order, and succeeds (serve and import, which wait for a person, aside: serve is
tested in test_designer_loop.py, import in test_l10n.py)."""

from __future__ import annotations

from click.testing import CliRunner

from conftest import ROOT
from moocpack.cli import main
from test_docs import commands

SKIPPED = {"serve"}


def test_the_tutorials_commands_run_in_order(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ran = []
    for args in commands(ROOT / "docs" / "tutorial.md"):
        if args[0] in SKIPPED:
            continue
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, (args, result.output)
        ran.append(args[0] if args[0] != "l10n" else f"l10n {args[1]}")
    assert ran == ["new", "validate", "l10n status", "l10n export", "build"]
    assert (tmp_path / "fr.xlf").is_file()
    assert len(list((tmp_path / "dist").glob("my-course-0.1.0-en-*"))) == 8
