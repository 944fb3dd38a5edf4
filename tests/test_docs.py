"""The README and every page of docs/ are kept true: each relative link leads to a file, and each
`moocpack` command of their shell blocks runs, in order, in a fresh folder holding a copy of the
shipped course (`serve` and `publish`, which wait for a person or a server, aside: they are
tested in test_designer_loop.py and the publish tests)."""

from __future__ import annotations

import re
import shlex
import shutil

import pytest
from click.testing import CliRunner

from conftest import ROOT, SHIPPED
from moocpack.cli import main

PAGES = [ROOT / "README.md", ROOT / "CHANGELOG.md", *sorted((ROOT / "docs").glob("*.md"))]
WAITING = {"serve", "publish"}


def commands(page) -> list[list[str]]:
    found = []
    for block in re.findall(r"```(?:sh|bash)\n(.*?)```", page.read_text("utf-8"), re.S):
        for line in block.replace("\\\n", " ").splitlines():
            line = line.split(" #", 1)[0].strip()
            if line.startswith("moocpack "):
                found.append(shlex.split(line)[1:])
    return found


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_relative_link_leads_to_a_file(page):
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text("utf-8")):
        if re.match(r"[a-z]+:", target):
            continue  # a web address
        assert (page.parent / target).exists(), f"{page.name}: {target}"


@pytest.mark.parametrize(
    "page", [p for p in PAGES if any(a[0] not in WAITING for a in commands(p))], ids=lambda p: p.name
)
def test_every_command_a_page_shows_runs(page, tmp_path, monkeypatch):
    shutil.copytree(SHIPPED, tmp_path / "course" / SHIPPED.name)
    monkeypatch.chdir(tmp_path)
    ran = 0
    for args in commands(page):
        if args[0] in WAITING:
            continue
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, (page.name, args, result.output)
        ran += 1
    assert ran > 0


def test_the_readme_fits_a_screen_per_reader():
    """One short section per reader (designer, admin, translator, developer), the rest in docs/."""
    readme = (ROOT / "README.md").read_text("utf-8")
    assert len(readme.splitlines()) <= 130
    sections = re.split(r"\n## ", readme)[1:]
    for section in sections:
        assert len(section.splitlines()) <= 25, section.splitlines()[0]
