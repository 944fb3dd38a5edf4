"""Course files with spaces and accents in their names travel in every package and are found."""

from __future__ import annotations

import shutil
import tarfile
import zipfile
from pathlib import Path
from urllib.parse import unquote

from lxml import etree

from conftest import edit

NAME = "assets/my pic é.png"
LINK = "assets/my%20pic%20%C3%A9.png"  # what a Markdown author writes (and what Markdown makes of it)


def with_awkward_asset(mini: Path) -> bytes:
    shutil.copy(mini / "assets" / "dot.png", mini / NAME)
    edit(mini / "en/units/u1.yaml", "body: Once upon a time.", f"body: 'Once upon a time. ![a picture]({LINK})'")
    edit(mini / "en/units/u1.yaml", "assets:\n", f"assets:\n  - id: pic\n    path: {NAME}\n    title: A picture\n")
    return (mini / NAME).read_bytes()


def test_a_percent_encoded_link_finds_its_file_and_every_package_carries_it(mini, tmp_path, cli):
    data = with_awkward_asset(mini)
    code, _, stderr = cli("validate", mini)
    assert code == 0, stderr
    out = tmp_path / "out"
    code, _, stderr = cli(
        "build",
        mini,
        "--lang",
        "en",
        "--out",
        out,
        "--format",
        "html",
        "--format",
        "scorm12",
        "--format",
        "olx",
        "--format",
        "moodle",
    )
    assert code == 0, stderr
    for fmt in ("html", "scorm12"):
        with zipfile.ZipFile(next(out.glob(f"*-{fmt}.zip"))) as archive:
            assert archive.read(NAME) == data
            pages = " ".join(archive.read(n).decode() for n in archive.namelist() if n.endswith(".html"))
            assert LINK in pages  # the browser decodes it to the file's name
            if fmt == "scorm12":
                hrefs = [
                    unquote(f.get("href"))
                    for f in etree.fromstring(archive.read("imsmanifest.xml")).iter()
                    if f.tag.endswith("}file")
                ]
                assert NAME in hrefs
    with tarfile.open(next(out.glob("*-olx.tar.gz"))) as tar:
        assert tar.extractfile("course/static/my pic é.png").read() == data
        html = " ".join(tar.extractfile(m).read().decode() for m in tar.getmembers() if m.name.endswith(".html"))
        assert '"/static/my%20pic%20%C3%A9.png"' in html
    with tarfile.open(next(out.glob("*-moodle.mbz"))) as tar:
        files = {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}
    records = etree.fromstring(files["files.xml"])
    record = next(r for r in records if r.findtext("filename") == "my pic é.png")
    digest = record.findtext("contenthash")
    assert files[f"files/{digest[:2]}/{digest}"] == data
    assert any(b"@@PLUGINFILE@@/my%20pic%20%C3%A9.png" in body for body in files.values())
