"""Shared fixtures: a small course with every feature, copied fresh for each test, and a CLI runner."""

from __future__ import annotations

import shutil
import tarfile
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from moocpack.cli import main

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "fixtures" / "mini"
SHIPPED = ROOT / "course" / "peer-support"
SEEDS = ROOT.parent / "shared" / "seeds"
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(autouse=True, scope="session")
def handout_cache(tmp_path_factory):
    """Handouts made by the tests are kept in a folder of the test run, not the user's cache."""
    import os

    os.environ["MOOCPACK_CACHE"] = str(tmp_path_factory.mktemp("moocpack-cache"))


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A writable copy of the small test course."""
    target = tmp_path / "mini"
    shutil.copytree(MINI, target)
    return target


@pytest.fixture(scope="session")
def partly_translated(tmp_path_factory) -> Path:
    """The shipped course half-way through its translation: Norwegian and French without unit 2
    and the worksheets (what learners then see in English, announced, and what `l10n` reports)."""
    target = tmp_path_factory.mktemp("partly-translated") / "peer-support"
    shutil.copytree(SHIPPED, target)
    for lang in ("nb", "fr"):
        (target / lang / "units" / "unit-02.yaml").unlink()
        shutil.rmtree(target / lang / "worksheets")
    edit(target / "en" / "course.yaml", "min_complete: 80", "min_complete: 0")
    return target


@pytest.fixture
def cli():
    """Run a moocpack command in-process; returns (exit code, stdout, stderr)."""

    def run(*args: str):
        result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
        return result.exit_code, result.stdout, result.stderr

    return run


def edit(path: Path, old: str, new: str) -> None:
    """Replace text in a course file, failing loudly if the text is not there."""
    text = path.read_text("utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), "utf-8")


def package_files(path: Path) -> dict[str, bytes]:
    """Every file of a package (a zip, or a tar.gz as OLX and Moodle backups are), by name."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            return {n: z.read(n) for n in z.namelist()}
    with tarfile.open(path) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}


def package_text(path: Path, endings: tuple[str, ...] = ()) -> dict[str, str]:
    """A package's files as text, only those whose names end with one of `endings` if given."""
    return {
        name: data.decode("utf-8", "replace")
        for name, data in package_files(path).items()
        if not endings or name.endswith(endings)
    }
