"""Archives, the exporter registry, and moocpack working from an installed wheel."""

from __future__ import annotations

import io
import os
import subprocess
import sysconfig
import sys
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT
from moocpack import archive
from moocpack.exporter import ExportOptions, Exporter, registry


@pytest.mark.parametrize("name", ["../evil", "/etc/passwd", "a/../../b", "a\\b", "C:/x", "a//b", "./a", ""])
def test_archive_entries_that_could_escape_are_refused(name):
    with pytest.raises(archive.UnsafeEntry):
        archive.zip_bytes({name: b"x"}, 0)
    with pytest.raises(archive.UnsafeEntry):
        archive.targz_bytes({name: b"x"}, 0)


def test_zip_is_deterministic_sorted_and_has_fixed_permissions():
    files = {"b.txt": b"2", "a/c.txt": b"3", "a.txt": b"1"}
    first = archive.zip_bytes(files, 1_700_000_000)
    assert first == archive.zip_bytes(dict(reversed(list(files.items()))), 1_700_000_000)
    with zipfile.ZipFile(io.BytesIO(first)) as z:
        assert z.namelist() == ["a.txt", "a/c.txt", "b.txt"]
        assert {i.external_attr >> 16 for i in z.infolist()} == {0o100644}


def test_tar_gz_is_deterministic_with_directories_and_no_owner():
    data = archive.targz_bytes({"course/x.xml": b"<x/>", "course.xml": b"<c/>"}, 1_700_000_000, root="root")
    assert data == archive.targz_bytes({"course.xml": b"<c/>", "course/x.xml": b"<x/>"}, 1_700_000_000, root="root")
    assert data[4:8] == b"\0\0\0\0"  # gzip header time
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        members = tar.getmembers()
    assert [m.name for m in members] == ["root", "root/course", "root/course.xml", "root/course/x.xml"]
    assert {(m.uid, m.gid, m.uname, m.mtime) for m in members} == {(0, 0, "", 1_700_000_000)}


def test_write_atomic_leaves_no_partial_file_on_failure(tmp_path, monkeypatch):
    target = tmp_path / "p.zip"
    target.write_bytes(b"good")

    def boom(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        archive.write_atomic(target, b"new")
    assert target.read_bytes() == b"good"
    assert [p.name for p in tmp_path.iterdir()] == ["p.zip"]


def test_the_html_exporter_is_registered_through_the_entry_point_group():
    found = registry()
    assert "html" in found and found["html"].exporter is not None
    assert found["html"].origin == "moocpack_exporters.html:HtmlExporter"


def test_formats_lists_them(cli):
    code, stdout, _ = cli("formats")
    assert code == 0 and [line.split()[0] for line in stdout.splitlines() if not line.startswith(" ")] == [
        "cc",
        "cmi5",
        "guide",
        "html",
        "moodle",
        "olx",
        "scorm12",
        "scorm2004",
    ]


def test_an_exporter_failure_writes_nothing_and_exits_3(mini, tmp_path, monkeypatch, cli):
    class Broken(Exporter):
        name = "broken"

        def files(self, course, options: ExportOptions):
            raise RuntimeError("bug in exporter")

    import moocpack.cli as cli_module

    monkeypatch.setattr(cli_module, "choose_exporters", lambda formats: {"broken": Broken()})
    code, _, stderr = cli("build", mini, "--out", tmp_path / "out")
    assert code == 3
    assert "internal error" in stderr and "Traceback" not in stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


@pytest.mark.slow
def test_an_installed_wheel_builds_the_course_outside_the_checkout(tmp_path):
    wheel_dir = tmp_path / "wheel"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(wheel_dir),
            str(ROOT),
        ],
        check=True,
    )
    wheel = next(wheel_dir.glob("moocpack-*.whl"))
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
    for name in (
        "moocpack/render/static/quiz.js",
        "moocpack_exporters/scorm/static/scorm.js",
        "moocpack_exporters/scorm/xsd/scorm12/imscp_rootv1p1p2.xsd",
        "moocpack_exporters/scorm/xsd/scorm2004/imscp_v1p1.xsd",
        "moocpack/schemas/unit.schema.json",
        "moocpack/messages/nb.yaml",
        "moocpack_exporters/moodle/__init__.py",
        "moocpack_exporters/olx/__init__.py",
        "moocpack_exporters/cc/__init__.py",
        "moocpack/l10n/commands.py",
        "moocpack/publishing/commands.py",
        "moocpack/lms/moodle/local_moocpack/version.php",
        "moocpack/lms/moodle/local_moocpack/classes/external/restore_course.php",
        "moocpack/lms/moodle/local_moocpack/tests/external/restore_course_test.php",
    ):
        assert name in names, name
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False, system_site_packages=True).create(env_dir)
    python = env_dir / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    with zipfile.ZipFile(wheel) as z:
        z.extractall(site)  # a wheel is a zip laid out for site-packages; no network needed
    # The dependencies are wherever the tests run from: the system's site-packages, or a virtual
    # environment's, which system_site_packages does not reach. A .pth line adds a folder to the
    # path without running the .pth files in it, so the checkout's editable install stays out.
    here = {sysconfig.get_paths()[key] for key in ("purelib", "platlib")}
    (Path(site) / "outer-environment.pth").write_text("".join(f"{folder}\n" for folder in sorted(here)))
    entry_points = Path(site).glob("moocpack-*.dist-info/entry_points.txt")
    assert any("moocpack_exporters.html:HtmlExporter" in p.read_text() for p in entry_points)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    work = tmp_path / "elsewhere"
    work.mkdir()
    code = (
        "import sys; sys.path = [p for p in sys.path if 'src' not in p and p != '']; "
        "from moocpack.cli import main; main()"
    )
    result = subprocess.run(
        [str(python), "-I", "-c", code, "build", str(ROOT / "course" / "peer-support"), "--lang", "en", "--out", "out"],
        cwd=work,
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    built = sorted(p.name for p in (work / "out").iterdir())
    for fmt, ext in (
        ("html", "zip"),
        ("scorm12", "zip"),
        ("scorm2004", "zip"),
        ("olx", "tar.gz"),
        ("moodle", "mbz"),
        ("cc", "imscc"),
    ):
        assert f"pat-peer-support-1.0.0-en-{fmt}.{ext}" in built
    # The Moodle plugin comes out of the installed wheel too.
    result = subprocess.run(
        [str(python), "-I", "-c", code, "moodle-plugin", "-o", "plugin.zip"],
        cwd=work,
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(work / "plugin.zip") as z:
        assert "moocpack/db/services.php" in z.namelist()


@pytest.mark.parametrize("epoch", [0, 1_700_000_000, archive.LATEST_EPOCH])
def test_zips_are_byte_for_byte_those_of_pythons_zipfile(epoch):
    """Zips are written directly (so that a file deflated for one package can be reused by
    another); the bytes are exactly those the standard library's zipfile writes for the same
    entries: UTF-8 names flagged, empty files, sorted, fixed date and permissions."""
    import time

    files = {
        "index.html": b"<p>hei</p>" * 300,
        "\u00e9t\u00e9/\u00fcber.html": "ç".encode() * 50,
        "empty": b"",
        "files/data.bin": bytes(range(256)) * 40,
    }
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w") as expected:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=time.gmtime(max(epoch, 315532800))[:6])
            info.compress_type, info.create_system, info.external_attr = zipfile.ZIP_DEFLATED, 3, 0o100644 << 16
            expected.writestr(info, files[name], compresslevel=6)
    assert archive.zip_bytes(files, epoch) == raw.getvalue()
    deflated = {}
    assert archive.zip_bytes(files, epoch, deflated) == raw.getvalue()
    assert archive.zip_bytes(dict(files, extra=b"new"), epoch, deflated) != raw.getvalue()
    assert len(deflated) == len(files) + 1  # each content deflated once, reused by the second zip


def test_tar_headers_are_byte_for_byte_those_of_pythons_tarfile():
    """Backups and OLX archives write their ustar headers directly (tens of thousands of entries);
    the bytes are exactly those of the standard library's tarfile, directories and padding too."""
    import gzip
    import io
    import tarfile
    from pathlib import PurePosixPath

    from moocpack import archive

    files = {
        "a/b.xml": b"<x/>",
        "moodle_backup.xml": b"y" * 1000,
        "files/ab/abc": bytes(512),
        "empty": b"",
        "x" * 100: b"a name of exactly 100 characters",
    }
    for root, directories in (("", True), ("course", False)):
        raw = io.BytesIO()
        names = {f"{root}/{n}" if root else n for n in files if len(f"{root}/{n}") <= 100 or not root}
        kept = {n: d for n, d in files.items() if (f"{root}/{n}" if root else n) in names}
        with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as tar:
            if directories:
                for name in sorted({str(p) for n in names for p in PurePosixPath(n).parents if str(p) != "."}):
                    info = tarfile.TarInfo(name)
                    info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, 1700000000
                    tar.addfile(info)
            for name in sorted(kept):
                info = tarfile.TarInfo(f"{root}/{name}" if root else name)
                info.size, info.mode, info.mtime = len(kept[name]), 0o644, 1700000000
                tar.addfile(info, io.BytesIO(kept[name]))
        assert gzip.decompress(archive.targz_bytes(kept, 1700000000, root, directories)) == raw.getvalue()
