"""Hostile media: drawings that would run a script or fetch from outside, downloads that are web
pages, files whose bytes are not what their extension says, and subtitles with control characters.

Every hostile drawing is first shown to be live in a real headless Chromium (opened on its own, as
a learner opening the file would, it requests /pwned from the test server), then shown to be
refused by `validate` with its line. The drawings the check lets through run nothing and request
nothing in the same browser.
"""

from __future__ import annotations

import functools
import http.server
import re
import threading
from pathlib import Path

import pytest

from conftest import SHIPPED, edit
from test_media import U1, VTT_EN, with_media
from moocpack import media
from test_browser import browser as chromium  # noqa: F401 - the fixture: one headless Chromium

SVG = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="200" height="100">\n'
FETCH = "fetch('/pwned')"

# name: (drawing, live in Chromium 156 when opened on its own). Two are blocked by Chromium itself
# (an animated javascript: link, image-set() in fill) but not by every browser: refused all the same.
HOSTILE = {
    "animate-sets-href": (
        SVG + f'<a id="t"><animate attributeName="href" to="javascript:{FETCH}"/>'
        '<rect width="200" height="100"/></a></svg>',
        False,
    ),
    "set-sets-xlink-href": (
        SVG + f'<a id="t"><set attributeName="xlink:href" to="javascript:{FETCH}"/>'
        '<rect width="200" height="100"/></a></svg>',
        True,
    ),
    "import-after-comment": (
        SVG + '<style>/* a comment */@import url(/pwned.css);</style><rect width="10" height="10"/></svg>',
        True,
    ),
    "import-css-escape": (SVG + '<style>@\\69mport "/pwned.css";</style><rect width="10" height="10"/></svg>', True),
    "url-css-escape": (SVG + '<rect width="10" height="10" style="fill: u\\72l(/pwned.svg#p)"/></svg>', True),
    "filter-attribute": (SVG + '<rect width="10" height="10" filter="url(/pwned.svg#f)"/></svg>', True),
    "mask-attribute": (SVG + '<rect width="10" height="10" mask="url(/pwned.svg#m)"/></svg>', True),
    "xml-stylesheet": ('<?xml-stylesheet href="/pwned.css"?>\n' + SVG + '<rect width="10" height="10"/></svg>', True),
    "entity": (
        "<!DOCTYPE svg [<!ENTITY x \"<script xmlns='http://www.w3.org/2000/svg'>"
        + FETCH
        + '</script>">]>\n'
        + SVG
        + "&x;</svg>",
        True,
    ),
    "xhtml-script": (SVG + f'<h:script xmlns:h="http://www.w3.org/1999/xhtml">{FETCH}</h:script></svg>', True),
    "use-external": (SVG + '<use href="/pwned.svg#a"/></svg>', True),
    "onload": (SVG.replace("<svg ", f'<svg onload="{FETCH}" ') + "</svg>", True),
    "javascript-link": (SVG + f'<a id="t" href="javascript:{FETCH}"><rect width="200" height="100"/></a></svg>', True),
    "external-image": (SVG + '<image href="/pwned.png" width="10" height="10"/></svg>', True),
    "feimage": (
        SVG + '<filter id="f"><feImage href="/pwned.png"/></filter>'
        '<rect width="10" height="10" filter="url(#f)"/></svg>',
        True,
    ),
    "font-face": (
        SVG + "<style>@font-face{font-family:x;src:url(/pwned.woff)} text{font-family:x}</style>"
        '<text y="20">hi</text></svg>',
        True,
    ),
    "cursor": (SVG + '<rect id="t" width="200" height="100" style="cursor:url(/pwned.cur),auto"/></svg>', True),
    "image-set": (
        SVG + '<style>rect{fill:image-set("/pwned.png" 1x)}</style><rect width="10" height="10"/></svg>',
        False,
    ),
}

# Drawings a designer makes, with the features that look like the hostile ones but stay inside.
SAFE = {
    "gradient-and-marker": (
        SVG + '<defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient>'
        '<marker id="m"><path d="M0 0L5 5"/></marker></defs>'
        '<rect width="10" height="10" fill="url(#g)" style="stroke: url( \'#g\' )"/>'
        '<line x2="9" marker-end="url(#m)"/></svg>'
    ),
    "animation-and-use": (
        SVG + '<circle id="c" r="5"><animate attributeName="opacity" values="0;1" dur="1s"/>'
        '</circle><use href="#c" x="20"/><a href="#c"><text y="30">A link inside</text></a>'
        "</svg>"
    ),
    "inkscape-metadata": (
        SVG.replace(
            "<svg ",
            '<svg xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" '
            'xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd" ',
        )
        + '<sodipodi:namedview inkscape:zoom="1"/><g inkscape:label="Layer 1"><rect width="9" '
        'height="9"/></g><style>/* url(http://example.org) in a comment */ rect{fill:#abc}'
        "</style></svg>"
    ),
    "embedded-raster": (SVG + '<image width="1" height="1" href="data:image/png;base64,iVBORw0KGgo="/></svg>'),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_drawing_is_refused_with_its_line(mini, cli, name):
    course = with_media(mini)
    (course / "assets" / "drawing.svg").write_text(HOSTILE[name][0], "utf-8")
    edit(
        course / U1, "        labels:\n          - {id: left, text: Helper}\n          - {id: right, text: Peer}\n", ""
    )
    code, out, err = cli("validate", course)
    assert code == 2 and "Traceback" not in out + err
    assert re.search(r"u1\.yaml:\d+:\d+: error: assets/drawing\.svg:\d+: ", out), out


@pytest.mark.parametrize("name", SAFE)
def test_a_drawing_that_stays_inside_itself_passes(name):
    assert media.svg_problems(SAFE[name].encode(), []) == []


def test_the_shipped_drawings_pass():
    for drawing in (SHIPPED / "assets").rglob("*.svg"):
        assert media.svg_problems(drawing.read_bytes(), []) == [], drawing


def test_css_is_read_as_the_browser_reads_it():
    assert media.css_plain("/* x */@\\69mport u\\72l(a) \\000055rl(") == " @import url(a) url("
    assert media.css_problem("fill: url(#g)") is None and media.css_problem("fill:url( '#g')") is None
    assert "outside" in media.css_problem("fill: URL(http://x)")
    assert media.css_problem("behavior : url(x.htc)")


# -- in Chromium ---------------------------------------------------------------------------------


class Recorder(http.server.SimpleHTTPRequestHandler):
    requested: list[str] = []

    def log_message(self, *args):
        pass

    def log_request(self, *args):
        Recorder.requested.append(self.path)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("svg")
    for name, (drawing, _) in HOSTILE.items():
        (root / f"hostile-{name}.svg").write_text(drawing, "utf-8")
    for name, drawing in SAFE.items():
        (root / f"safe-{name}.svg").write_text(drawing, "utf-8")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Recorder, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def requests_made(chromium, url: str) -> list[str]:
    """What opening the drawing on its own (and clicking it, where it is a link) requested."""
    Recorder.requested.clear()
    page = chromium.new_page()
    try:
        page.goto(url)
        page.wait_for_timeout(200)
        if page.locator("#t").count():
            page.click("#t", timeout=2000)
            page.wait_for_timeout(200)
    finally:
        page.close()
    return [path for path in Recorder.requested if "pwned" in path]


@pytest.mark.browser
@pytest.mark.slow
def test_each_hostile_drawing_is_live_in_chromium_and_refused_by_the_check(chromium, served):
    live = {name: requests_made(chromium, f"{served}/hostile-{name}.svg") for name in HOSTILE}
    assert [name for name in HOSTILE if HOSTILE[name][1] and not live[name]] == [], "a test case is not live"
    for name, (drawing, _) in HOSTILE.items():
        assert media.svg_problems(drawing.encode(), []), f"{name} passed the check"


@pytest.mark.browser
@pytest.mark.slow
def test_the_drawings_the_check_passes_run_and_request_nothing_in_chromium(chromium, served):
    for name in SAFE:
        assert requests_made(chromium, f"{served}/safe-{name}.svg") == [], name


# -- downloads, file contents, subtitles ---------------------------------------------------------


@pytest.mark.parametrize("name", ["page.html", "page.xhtml", "tool.js", "setup.exe", "data.xml"])
def test_a_download_must_be_a_document_data_or_media_file(mini, cli, name):
    course = with_media(mini)
    (course / "assets" / name).write_text("<script>alert(1)</script>", "utf-8")
    edit(course / U1, "src: assets/notes.pdf", f"src: assets/{name}")
    code, err, _ = cli("validate", course)
    assert code == 2
    assert re.search(
        rf"error: 'assets/{re.escape(name)}' is not a kind of download this tool packages \(a web page", err
    ), err


@pytest.mark.parametrize(
    "target, content",
    [
        ("assets/photo.en.png", b"<html><script>alert(1)</script></html>"),
        ("assets/clip.mp4", b"<html><script>alert(1)</script></html>"),
        ("assets/photo.en.png", b""),
        ("assets/interview.mp3", b"GIF89a" + bytes(20)),
        ("assets/notes.pdf", b"PK\x03\x04" + bytes(20)),
    ],
)
def test_a_media_file_must_hold_what_its_extension_says(mini, cli, target, content):
    course = with_media(mini)
    (course / target).write_bytes(content)
    code, err, _ = cli("validate", course)
    expected = "is empty" if not content else "does not hold"
    assert code == 2 and re.search(rf"u1\.yaml:\d+:\d+: error: {re.escape(target)} {expected}", err), err


def test_a_control_character_in_a_subtitle_is_refused_with_its_line(mini, cli, tmp_path):
    course = with_media(mini)
    (course / "assets" / "clip.en.vtt").write_text(VTT_EN.replace("Let us begin.", "Let us\x00 begin."), "utf-8")
    code, _, err = cli("build", course, "--out", tmp_path / "out")
    assert code == 2 and re.search(r"error: assets/clip\.en\.vtt:7: control character U\+0000 is not allowed", err), err
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_the_shipped_course_still_validates(cli):
    code, out, err = cli("validate", SHIPPED)
    assert code == 0, err


# -- handouts ------------------------------------------------------------------------------------

LONG = ("confidential " * 160)[:2000].strip()


def with_long_cells(course: Path, title: str = "C") -> Path:
    sheet = course / "en" / "worksheets" / "w1.yaml"
    edit(
        sheet,
        "    - {id: who, title: Who hears}\n",
        f"    - {{id: who, title: Who hears}}\n    - {{id: a, title: A}}\n    - {{id: b, title: B}}\n"
        f'    - {{id: c, title: "{title}"}}\n',
    )
    edit(sheet, "who: Everyone}", f'who: Everyone, c: "{LONG}"}}')
    return course


@pytest.mark.parametrize("title", ["C", LONG[:1500]])
def test_a_cell_or_heading_as_long_as_the_schema_allows_prints_on_several_pages(mini, cli, tmp_path, title):
    from test_media import pdf_text
    import zipfile

    course = with_long_cells(mini, title)
    code, out, err = cli("build", course, "--out", tmp_path / "out", "--format", "html", "--lang", "en")
    assert code == 0, out + err
    with zipfile.ZipFile(next((tmp_path / "out").glob("*-en-html.zip"))) as package:
        text = pdf_text(package.read("handouts/w1.en.pdf"))
    assert text.count("confidential") == LONG.count("confidential") + title.count("confidential")
    assert "Page 3 of" in text


def entries(cache: Path) -> list[Path]:
    return sorted((cache / "handouts").rglob("*.entry"))


@pytest.mark.parametrize("how", ["truncated", "emptied", "replaced", "link to /etc/passwd", "folder"])
def test_a_damaged_or_planted_cache_entry_is_never_packaged(monkeypatch, tmp_path, how):
    from test_media import first_handout

    monkeypatch.setenv("MOOCPACK_CACHE", "")
    fresh = first_handout(SHIPPED, "en").data
    cache = tmp_path / "cache"
    monkeypatch.setenv("MOOCPACK_CACHE", str(cache))
    first_handout(SHIPPED, "en")
    for entry in entries(cache):
        data = entry.read_bytes()
        entry.unlink()
        if how == "truncated":
            entry.write_bytes(data[: len(data) // 2])
        elif how == "emptied":
            entry.write_bytes(b"")
        elif how == "replaced":
            entry.write_bytes(data.split(b"\n", 1)[0] + b"\n%PDF-1.4 another document")
        elif how == "link to /etc/passwd":
            entry.symlink_to("/etc/passwd")
        else:
            entry.mkdir()
    assert first_handout(SHIPPED, "en").data == fresh
    if how != "folder":  # a folder in the way stays; the handout is made each time
        for entry in entries(cache):
            from moocpack import handout

            assert not entry.is_symlink() and handout._cached(cache, entry.stem) is not None  # made again


def test_a_full_cache_disk_leaves_no_part_file(monkeypatch, tmp_path):
    import errno
    import tempfile
    from test_media import first_handout

    cache = tmp_path / "cache"
    monkeypatch.setenv("MOOCPACK_CACHE", str(cache))
    real = tempfile.NamedTemporaryFile

    class Full:
        def __init__(self, *args, **kwargs):
            self.handle = real(*args, **kwargs)
            self.name = self.handle.name

        def __enter__(self):
            return self

        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

        def __exit__(self, *exc):
            self.handle.close()

    monkeypatch.setattr("moocpack.handout.tempfile.NamedTemporaryFile", Full)
    assert first_handout(SHIPPED, "en").data.startswith(b"%PDF-")
    assert list(cache.rglob("*.part")) == [] and entries(cache) == []


@pytest.mark.parametrize(
    "name, content, expected",
    [
        ("page.html", b"<script>alert(1)</script>", "is not a kind of file this tool packages"),
        ("drawing.svg", HOSTILE["onload"][0].encode(), "event handler 'onload' on <svg>"),
        ("dot.png", b"<html><script>alert(1)</script></html>", "does not hold PNG data"),
    ],
)
def test_a_unit_asset_gets_the_checks_media_get(mini, cli, name, content, expected):
    (mini / "assets" / name).write_bytes(content)
    edit(mini / U1, "    path: assets/dot.png\n", f"    path: assets/{name}\n")
    code, out, _ = cli("validate", mini)
    assert code == 2 and re.search(rf"u1\.yaml:\d+:\d+: error: .*{re.escape(expected)}", out), out
