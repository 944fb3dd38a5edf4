"""moocpack as a library, used without click: validate, build and new, what they return and
raise (publish: tests/test_publish_moodle.py, against its fake Moodle); and the README's example
exporter, installed as a third-party distribution would be."""

from __future__ import annotations

import re
import zipfile

import pytest

import moocpack
from conftest import ROOT, edit
from moocpack import kinds


def test_validate_returns_every_problem_without_raising(mini):
    assert moocpack.validate(mini).errors == []
    edit(mini / "en/units/u1.yaml", "type: single_choice", "type: single")
    report = moocpack.validate(mini)
    assert [p.code for p in report.errors] == ["schema.enum"] and report.errors[0].line > 1


def test_build_writes_the_packages_it_returns(mini, tmp_path):
    built = moocpack.build(
        mini, out=tmp_path / "dist", formats=["html", "cc"], languages=["en"], settings={"cc_version": "1.1"}
    )
    assert sorted(b.package.path.name for b in built) == ["mini-0.1-en-cc.imscc", "mini-0.1-en-html.zip"]
    assert all(b.package.path.is_file() for b in built)
    with zipfile.ZipFile(tmp_path / "dist" / "mini-0.1-en-cc.imscc") as cartridge:
        assert b"imsccv1p1" in cartridge.read("imsmanifest.xml")


def test_build_refuses_a_broken_course_and_writes_nothing(mini, tmp_path):
    edit(mini / "en/units/u1.yaml", "type: single_choice", "type: single")
    with pytest.raises(moocpack.CourseError) as refused:
        moocpack.build(mini, out=tmp_path / "dist")
    assert refused.value.report.errors and not (tmp_path / "dist").exists()
    with pytest.raises(ValueError, match="unknown or broken format 'pdf'"):
        moocpack.build(ROOT / "tests/fixtures/mini", out=tmp_path / "x", formats=["pdf"])
    with pytest.raises(ValueError, match="must be one of 1.3, 1.1"):
        moocpack.build(ROOT / "tests/fixtures/mini", out=tmp_path / "x", formats=["cc"], settings={"cc_version": "2"})
    with pytest.raises(ValueError, match="unknown setting 'cc.vresion'.*did you mean 'cc.version'"):
        moocpack.build(ROOT / "tests/fixtures/mini", out=tmp_path / "x", formats=["cc"], settings={"cc.vresion": "1.1"})


def test_build_takes_a_setting_in_its_formats_namespace_as_the_command_does(mini, tmp_path):
    [built] = moocpack.build(mini, out=tmp_path, formats=["cc"], languages=["en"], settings={"cc.version": "1.1"})
    with zipfile.ZipFile(built.package.path) as cartridge:
        assert b"imsccv1p1" in cartridge.read("imsmanifest.xml")


def test_every_public_name_is_there_and_publish_is_the_function():
    assert all(getattr(moocpack, name) is not None for name in moocpack.__all__)
    assert callable(moocpack.publish) and moocpack.publish.__module__ == "moocpack.api"


def test_new_returns_the_files_it_wrote(tmp_path):
    files = moocpack.new(tmp_path / "c", languages=["en", "fr"])
    assert tmp_path / "c" / "en" / "course.yaml" in files
    assert moocpack.validate(tmp_path / "c").errors == []


def test_the_documented_example_exporter_works_as_a_third_party_distribution(mini, tmp_path, monkeypatch, cli):
    """The exporter the developers' guide shows, copied from it into a package of its own with its
    entry point in dist-info (what pip leaves), is found, listed and built like a built-in format."""
    readme = (ROOT / "docs" / "architecture.md").read_text("utf-8")
    import textwrap

    block = re.search(r"```python\n( *from moocpack.exporter import Exporter\n.*?)\n *```", readme, re.S).group(1)
    code = textwrap.dedent(block)
    site = tmp_path / "site"
    (site / "my_package").mkdir(parents=True)
    (site / "my_package" / "__init__.py").write_text(code)
    info = site / "my_package-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: my-package\nVersion: 1.0\n")
    entry = re.search(r'# \[project.entry-points."moocpack.exporters"\]\n\s*# (\w+ = "[\w.:]+")', readme).group(1)
    (info / "entry_points.txt").write_text(f"[moocpack.exporters]\n{entry.replace(chr(34), '')}\n")  # TOML to INI
    monkeypatch.syspath_prepend(str(site))
    kinds.reload()
    code_, out, err = cli("formats")
    assert "outline" in out and "my_package:OutlineExporter" in out
    code_, out, err = cli("build", mini, "--format", "outline", "--lang", "en", "--out", tmp_path / "dist")
    assert code_ == 0, out + err
    with zipfile.ZipFile(tmp_path / "dist" / "mini-0.1-en-outline.zip") as package:
        assert package.read("outline.md").decode().startswith("# Mini course\n- First unit")
