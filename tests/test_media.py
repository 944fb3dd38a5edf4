"""Media on pages, and worksheets as printable handouts, in every format.

Images have per-language versions (`{lang}` in the path) and SVG drawings per-language labels;
videos and audio carry every language's WebVTT subtitles, the learner's first, and a transcript;
YouTube videos play in the platform's player; downloads are links. Each package carries the files
its pages name: SCORM lists them in its manifest, OLX serves them from static/ (videos are video
components with SubRip transcripts per language), Moodle stores them in the page's file area. Every
worksheet is also a PDF handout in the learner's language, the same bytes on every build.
"""

from __future__ import annotations

import io
import json
import re
import tarfile
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from conftest import MINI, SHIPPED, edit

U1 = "en/units/u1.yaml"
NB_U1 = "nb/units/u1.yaml"
YOUTUBE_ID = "dQw4w9WgXcQ"
SVG = """<?xml version="1.0" encoding="utf-8"?>
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 80">
  <rect x="1" y="1" width="198" height="78" fill="#eee"/>
  <text id="left" x="10" y="40">Helper</text>
  <text id="right" x="110" y="40"><tspan>Peer</tspan></text>
</svg>
"""
VTT_EN = (
    "WEBVTT\n\n00:00:00.500 --> 00:00:02.000\nWelcome to the course.\n\n00:00:02.500 --> 00:00:04.000\nLet us begin.\n"
)
VTT_NB = (
    "WEBVTT\n\n00:00:00.500 --> 00:00:02.000\nVelkommen til kurset.\n\n00:00:02.500 --> 00:00:04.000\nLa oss begynne.\n"
)
MEDIA = f"""pages:
  - id: p1
    title: A page with media
    body: Read, look and listen.
    media:
      - id: photo
        type: image
        src: assets/photo.{{lang}}.png
        title: A photo
        alt: A dot on white
      - id: drawing
        type: image
        src: assets/drawing.svg
        title: A drawing
        alt: Two words side by side
        labels:
          - {{id: left, text: Helper}}
          - {{id: right, text: Peer}}
      - id: clip
        type: video
        src: assets/clip.mp4
        subtitles: assets/clip.{{lang}}.vtt
        title: A welcome clip
        caption: The *course team* says hello.
      - id: talk
        type: video
        url: https://youtu.be/{YOUTUBE_ID}
        title: A talk on YouTube
      - id: interview
        type: audio
        src: assets/interview.mp3
        subtitles: assets/interview.en.vtt
        title: An interview
      - id: notes
        type: file
        src: assets/notes.pdf
        title: Notes for the session
"""
NB_MEDIA = """pages:
  - id: p1
    title: En side med medier
    media:
      - id: photo
        alt: En prikk på hvitt
      - id: drawing
        labels:
          - {id: left, text: Hjelper}
          - {id: right, text: Likeperson}
"""


def with_media(course: Path) -> Path:
    assets = course / "assets"
    dot = (MINI / "assets" / "dot.png").read_bytes()
    (assets / "photo.en.png").write_bytes(dot)
    (assets / "photo.nb.png").write_bytes(dot + b"nb")  # its own bytes: a Norwegian version
    (assets / "drawing.svg").write_text(SVG, "utf-8")
    (assets / "clip.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(64))
    (assets / "clip.en.vtt").write_text(VTT_EN, "utf-8")
    (assets / "clip.nb.vtt").write_text(VTT_NB, "utf-8")
    (assets / "interview.mp3").write_bytes(b"ID3" + bytes(64))
    (assets / "interview.en.vtt").write_text(VTT_EN, "utf-8")
    (assets / "notes.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    edit(course / U1, "\nquestions:\n", "\n" + MEDIA + "questions:\n")
    (course / NB_U1).write_text((course / NB_U1).read_text("utf-8") + NB_MEDIA, "utf-8")
    return course


@pytest.fixture
def course(mini) -> Path:
    return with_media(mini)


def build(course: Path, out: Path, cli, *formats: str) -> dict[str, bytes]:
    args = ["build", course, "--out", out, "--lang", "en", "--lang", "nb"]
    if course == SHIPPED or course.name == "peer-support":
        args += ["--lang", "fr"]
    for fmt in formats:
        args += ["--format", fmt]
    code, stdout, stderr = cli(*args)
    assert code == 0, stdout + stderr
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def members(data: bytes) -> dict[str, bytes]:
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return {n: archive.read(n) for n in archive.namelist() if not n.endswith("/")}
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}


def package(built: dict[str, bytes], lang: str, fmt: str) -> dict[str, bytes]:
    return members(
        next(
            data
            for name, data in built.items()
            if name.endswith(f"-{lang}-{fmt}.zip")
            or name.endswith(f"-{lang}-{fmt}.tar.gz")
            or name.endswith(f"-{lang}-{fmt}.mbz")
        )
    )


# -- the website ---------------------------------------------------------------------------------


def test_each_language_gets_its_own_image_and_drawing_and_every_subtitle_track(course, tmp_path, cli):
    built = build(course, tmp_path / "out", cli, "html")
    nb, en = package(built, "nb", "html"), package(built, "en", "html")
    page = nb["u1.html"].decode()
    # The Norwegian image, with the Norwegian text alternative.
    assert nb["assets/photo.nb.png"].endswith(b"nb") and "assets/photo.en.png" not in nb
    assert '<img src="assets/photo.nb.png" alt="En prikk på hvitt" />' in page
    # The drawing with its words in Norwegian, marked as Norwegian; the old <tspan> is gone.
    drawing = etree.fromstring(nb["assets/drawing.nb.svg"])
    words = {t.get("id"): "".join(t.itertext()) for t in drawing.iter("{http://www.w3.org/2000/svg}text")}
    assert words == {"left": "Hjelper", "right": "Likeperson"}
    assert drawing.get("{http://www.w3.org/XML/1998/namespace}lang") == "nb"
    assert "Helper" in en["assets/drawing.en.svg"].decode()
    # Both subtitle tracks, the learner's language first and shown by default; its transcript.
    clip = re.search(r'<figure class="media media-video" id="clip">.*?</figure>', page).group(0)
    tracks = re.findall(r"<track ([^>]*)/>", clip)
    assert [re.search(r'srclang="(\w+)"', t).group(1) for t in tracks] == ["nb", "en"]
    assert 'default=""' in tracks[0] and 'default=""' not in tracks[1] and 'label="norsk bokmål"' in tracks[0]
    assert nb["assets/clip.nb.vtt"].decode() == VTT_NB and nb["assets/clip.en.vtt"].decode() == VTT_EN
    transcript = re.search(r'<details class="transcript"><summary>Transkripsjon</summary><div>(.*?)</div>', page)
    assert transcript and "Velkommen til kurset." in transcript.group(1)
    # English-only subtitles of the interview: the transcript is marked as English.
    assert re.search(r'<summary>Transkripsjon</summary><div lang="en"><p>Welcome', page)
    # YouTube without cookies, with a link to watch it there; the download, with its size.
    assert f'src="https://www.youtube-nocookie.com/embed/{YOUTUBE_ID}"' in page
    assert f'href="https://www.youtube.com/watch?v={YOUTUBE_ID}"' in page
    # (its title is not translated: marked as English for screen readers)
    assert re.search(
        r'<a href="assets/notes.pdf" download=""><span lang="en">Notes for the session</span></a> '
        r'<span class="size">\(PDF, 1 kB\)',
        page,
    )
    assert nb["assets/clip.mp4"] == (course / "assets" / "clip.mp4").read_bytes()


def test_a_language_without_its_own_version_is_shown_the_source_one_and_validate_says_so(course, tmp_path, cli):
    (course / "assets" / "photo.nb.png").unlink()
    code, stdout, _ = cli("validate", course, "--json")
    assert code == 0
    warnings = [p for p in json.loads(stdout)["problems"] if p["code"] == "media.variant-missing"]
    assert len(warnings) == 1 and "'nb'" in warnings[0]["message"] and warnings[0]["file"].endswith(U1)
    assert warnings[0]["line"] > 1
    nb = package(build(course, tmp_path / "out", cli, "html"), "nb", "html")
    assert (
        '<figure class="media media-image" id="photo" lang="en"><img src="assets/photo.en.png"'
        in nb["u1.html"].decode()
    )


# -- SCORM -------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["scorm12", "scorm2004"])
def test_scorm_lists_every_media_file_in_its_manifest(course, tmp_path, cli, fmt):
    files = package(build(course, tmp_path / "out", cli, fmt), "nb", fmt)
    manifest = etree.fromstring(files["imsmanifest.xml"])
    listed = {f.get("href") for f in manifest.iter() if isinstance(f.tag, str) and f.tag.endswith("}file")}
    for name in (
        "assets/photo.nb.png",
        "assets/drawing.nb.svg",
        "assets/clip.mp4",
        "assets/clip.nb.vtt",
        "assets/clip.en.vtt",
        "assets/interview.mp3",
        "assets/notes.pdf",
        "handouts/w1.nb.pdf",
    ):
        assert name in files and name in listed, name
    assert {name for name in files if name.startswith(("assets/", "handouts/"))} <= listed


def test_scorm_manifests_with_media_stay_valid_against_the_xsds(course, tmp_path, cli, schemas):
    built = build(course, tmp_path / "out", cli, "scorm12", "scorm2004")
    for fmt in ("scorm12", "scorm2004"):
        document = etree.fromstring(package(built, "nb", fmt)["imsmanifest.xml"])
        assert schemas[fmt].validate(document), "\n".join(str(e) for e in schemas[fmt].error_log)


# -- Open edX ----------------------------------------------------------------------------------


def test_olx_videos_are_video_components_with_a_transcript_per_language(course, tmp_path, cli):
    import webvtt
    from test_olx import olxcleaner_findings

    built = build(course, tmp_path / "out", cli, "olx")
    files = {name.removeprefix("course/"): data for name, data in package(built, "nb", "olx").items()}
    clip = etree.fromstring(files["video/vid_u1_p1_clip.xml"])
    assert json.loads(clip.get("html5_sources")) == ["/static/clip.mp4"] and clip.get("youtube_id_1_0") == ""
    assert json.loads(clip.get("transcripts")) == {"en": "clip.en.srt", "nb": "clip.nb.srt"}
    assert clip.get("transcript_language") == "nb"
    assert [(t.get("language"), t.get("src")) for t in clip.findall("transcript")] == [
        ("en", "clip.en.srt"),
        ("nb", "clip.nb.srt"),
    ]
    (tmp_path / "clip.nb.srt").write_bytes(files["static/clip.nb.srt"])
    srt = webvtt.from_srt(str(tmp_path / "clip.nb.srt"))  # read back as SubRip
    assert [c.text for c in srt.captions] == ["Velkommen til kurset.", "La oss begynne."]
    assert files["static/clip.mp4"] == (course / "assets" / "clip.mp4").read_bytes()
    talk = etree.fromstring(files["video/vid_u1_p1_talk.xml"])
    assert talk.get("youtube_id_1_0") == YOUTUBE_ID and talk.get("youtube") == f"1.00:{YOUTUBE_ID}"
    # The page: its text and the other media in one HTML component, then the two videos.
    vertical = etree.fromstring(files["vertical/v_u1_p1.xml"])
    assert [(c.tag, c.get("url_name")) for c in vertical] == [
        ("html", "h_u1_p1"),
        ("video", "vid_u1_p1_clip"),
        ("video", "vid_u1_p1_talk"),
    ]
    html = files["html/h_u1_p1.html"].decode()
    assert 'src="/static/photo.nb.png"' in html and 'src="/static/drawing.nb.svg"' in html
    assert 'href="/static/notes.pdf"' in html and "<video" not in html
    # The Handouts sidebar offers each worksheet's PDF.
    assert 'href="/static/w1.nb.pdf"' in files["info/handouts.html"].decode() and "static/w1.nb.pdf" in files
    folder = tmp_path / "olx"
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    assert olxcleaner_findings(folder) == []


# -- Moodle ------------------------------------------------------------------------------------


def test_moodle_pages_store_their_media_and_handouts_in_their_file_areas_once_each(course, tmp_path, cli):
    files = package(build(course, tmp_path / "out", cli, "moodle"), "nb", "moodle")
    records = etree.fromstring(files["files.xml"]).findall("file")
    keys = [
        (
            r.findtext("contextid"),
            r.findtext("component"),
            r.findtext("filearea"),
            r.findtext("itemid"),
            r.findtext("filepath"),
            r.findtext("filename"),
        )
        for r in records
    ]
    assert len(keys) == len(set(keys)), "a file recorded twice in one file area would make the restore fail"
    stored = {r.findtext("filename"): r for r in records}
    for name in (
        "photo.nb.png",
        "drawing.nb.svg",
        "clip.mp4",
        "clip.nb.vtt",
        "clip.en.vtt",
        "interview.mp3",
        "notes.pdf",
        "w1.nb.pdf",
    ):
        record = stored[name]
        assert record.findtext("component") == "mod_page" and record.findtext("filearea") == "content"
        digest = record.findtext("contenthash")
        assert f"files/{digest[:2]}/{digest}" in files
    assert stored["clip.mp4"].findtext("mimetype") == "video/mp4"
    assert stored["w1.nb.pdf"].findtext("mimetype") == "application/pdf"
    pages = [etree.fromstring(data).find("page") for name, data in files.items() if name.endswith("/page.xml")]
    media_page = next(p for p in pages if "clip.mp4" in p.findtext("content"))
    content = media_page.findtext("content")
    assert '<source src="@@PLUGINFILE@@/clip.mp4"' in content and 'src="@@PLUGINFILE@@/clip.nb.vtt"' in content
    assert 'src="@@PLUGINFILE@@/drawing.nb.svg"' in content
    # Moodle's media filter plays the <video> itself; the download link and the "watch on YouTube"
    # link say nomediaplugin, so that it adds no second player (filter/mediaplugin reads that class).
    assert '<a href="@@PLUGINFILE@@/clip.mp4" download="" class="nomediaplugin">' in content
    assert f'<a href="https://www.youtube.com/watch?v={YOUTUBE_ID}" class="nomediaplugin">' in content


# -- what is refused -------------------------------------------------------------------------------


def swap(old: str, new: str):
    def mutate(course: Path):
        edit(course / U1, old, new)

    return mutate


def asset(name: str, content: str):
    def mutate(course: Path):
        (course / "assets" / name).write_text(content, "utf-8")

    return mutate


BROKEN = [
    (
        "svg-script",
        asset("drawing.svg", SVG.replace("<rect", "<script>alert(1)</script>\n  <rect")),
        r"drawing\.svg:3: <script> is not allowed",
    ),
    (
        "svg-event-handler",
        asset("drawing.svg", SVG.replace("<rect", '<rect onclick="x()"')),
        r"event handler 'onclick' on <rect>",
    ),
    (
        "svg-outside-link",
        asset("drawing.svg", SVG.replace("<rect", '<image href="https://example.org/x.png"/><rect')),
        r"link 'https://example.org/x.png' on <image> leads out of the drawing",
    ),
    ("svg-not-xml", asset("drawing.svg", "<svg"), r"drawing\.svg:1: not well-formed XML"),
    (
        "svg-label-without-element",
        swap("{id: right, text: Peer}", "{id: middle, text: Peer}"),
        r"label 'middle' has no element with id=\"middle\"",
    ),
    ("vtt-no-header", asset("clip.nb.vtt", VTT_NB.replace("WEBVTT", "")), r"clip\.nb\.vtt: a WebVTT file starts with"),
    (
        "vtt-bad-timing",
        asset("clip.en.vtt", VTT_EN.replace("00:00:02.000", "00:00:00.100")),
        r"clip\.en\.vtt: the cue at 00:00:00.500 ends before it starts",
    ),
    ("image-without-alt", swap("        alt: A dot on white\n", ""), r"an image needs 'alt'"),
    (
        "video-with-file-and-address",
        swap("        src: assets/clip.mp4\n", "        src: assets/clip.mp4\n        url: https://youtu.be/x\n"),
        r"a video needs either 'src'.*or 'url'",
    ),
    (
        "video-address-not-youtube-or-vimeo",
        swap(f"https://youtu.be/{YOUTUBE_ID}", "https://example.org/v.mp4"),
        r"is not a YouTube or Vimeo video address",
    ),
    (
        "labels-on-a-png",
        swap("src: assets/drawing.svg", "src: assets/photo.{lang}.png"),
        r"labels go into an SVG drawing",
    ),
    (
        "video-of-the-wrong-type",
        swap("src: assets/clip.mp4", "src: assets/notes.pdf"),
        r"'assets/notes.pdf' is not a video file this tool packages; use mp4, webm",
    ),
    (
        "media-file-missing",
        swap("src: assets/interview.mp3", "src: assets/missing.mp3"),
        r"file 'assets/missing.mp3' not found",
    ),
    ("media-path-leaves-the-folder", swap("src: assets/notes.pdf", "src: ../notes.pdf"), r"not a valid relative path"),
]


@pytest.mark.parametrize("case, mutate, pattern", BROKEN, ids=[b[0] for b in BROKEN])
def test_a_bad_medium_is_refused_with_a_located_message(course, tmp_path, cli, case, mutate, pattern):
    mutate(course)
    out = tmp_path / "out"
    code, stdout, stderr = cli("build", course, "--out", out)
    assert code == 2 and "Traceback" not in stdout + stderr
    located = [
        line
        for line in stderr.splitlines()
        if re.match(re.escape(str(course / U1)) + r":\d+:\d+: error: ", line) and re.search(pattern, line)
    ]
    assert located, f"no '{pattern}' error located in {U1}:\n{stderr}"
    assert not out.exists() or not any(out.iterdir())


# -- handouts ------------------------------------------------------------------------------------


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_every_worksheet_is_a_printable_pdf_in_the_learners_language_in_every_package(tmp_path, cli):
    built = build(SHIPPED, tmp_path / "out", cli, "html", "scorm2004", "olx", "moodle")
    for lang, heading, page, situation in (
        ("en", "Worksheet 3 – Secrecy and Confidentiality", "Page 1 of 2", "Police agents intervening at the entrance"),
        ("nb", "Arbeidsark 3 – Taushetsplikt og konfidensialitet", "Side 1 av 2", "Politiet griper inn ved inngangen"),
        (
            "fr",
            "Fiche de travail 3 – Secret et confidentialité",
            "Page 1 sur 2",
            "Des policiers interviennent à l'entrée",
        ),
    ):
        html = package(built, lang, "html")
        pdf = html[f"handouts/ws3-secrecy-confidentiality.{lang}.pdf"]
        text = pdf_text(pdf)
        assert heading in text and page in text and situation in " ".join(text.split())
        assert "Ikke oversatt ennå" not in text and "Pas encore traduit" not in text
        assert (
            f'href="handouts/ws3-secrecy-confidentiality.{lang}.pdf"'
            in html["worksheet-ws3-secrecy-confidentiality.html"].decode()
        )
        assert package(built, lang, "scorm2004")[f"handouts/ws3-secrecy-confidentiality.{lang}.pdf"] == pdf
        assert package(built, lang, "olx")[f"course/static/ws3-secrecy-confidentiality.{lang}.pdf"] == pdf
        moodle = package(built, lang, "moodle")
        assert any(data == pdf for name, data in moodle.items() if name.startswith("files/"))


def first_handout(course: Path, lang: str, jobs: int = 1):
    from moocpack import handout, loader

    return handout.with_handouts({lang: loader.load(course, lang)}, jobs)[lang].units[0].worksheets[0].handout


def test_handouts_are_the_same_bytes_with_or_without_the_cache_and_in_parallel(tmp_path, monkeypatch):
    from moocpack import handout, loader

    monkeypatch.setenv("MOOCPACK_CACHE", str(tmp_path / "cache"))
    first = first_handout(SHIPPED, "nb")
    assert list((tmp_path / "cache" / "handouts").rglob("*.entry")), "the handout was not kept"
    cached = first_handout(SHIPPED, "nb")
    monkeypatch.setenv("MOOCPACK_CACHE", "")
    assert handout.cache_folder() is None
    fresh = first_handout(SHIPPED, "nb")
    assert first.data == cached.data == fresh.data and first.data.startswith(b"%PDF-")
    # Made on two cores: the same bytes, every worksheet of every language.
    models = {lang: loader.load(SHIPPED, lang) for lang in ("en", "nb", "fr")}
    one, two = handout.with_handouts(models, 1), handout.with_handouts(models, 2)
    for lang in models:
        pdfs = [(s.handout.path, s.handout.data) for u in one[lang].units for s in u.worksheets]
        assert pdfs == [(s.handout.path, s.handout.data) for u in two[lang].units for s in u.worksheets]
        assert len(pdfs) == 5
    # Loading alone (validate, info) makes none.
    assert all(s.handout is None for u in models["nb"].units for s in u.worksheets)


def test_a_handout_in_a_script_helvetica_cannot_write_embeds_a_unicode_font(mini, monkeypatch):
    monkeypatch.setenv("MOOCPACK_CACHE", "")
    (mini / "nb" / "worksheets").mkdir()
    (mini / "nb" / "worksheets" / "w1.yaml").write_text("title: Παραβίαση ή όχι\n", "utf-8")
    greek, english = first_handout(mini, "nb").data, first_handout(mini, "en").data
    assert b"/FontFile2" in greek and b"/FontFile2" not in english  # DejaVu embedded; Helvetica built in
    assert "Παραβίαση ή όχι" in pdf_text(greek)


from test_scorm_package import schemas  # noqa: E402,F401  (the official XSDs, loaded once per module)


def test_a_self_assessment_prints_its_scale_to_tick(tmp_path, cli):
    """Worksheet 2.6 says "tick the statement that best describes your practice": the handout and
    the worksheet page give a column per point of its scale, with a box in every row."""
    built = build(SHIPPED, tmp_path / "out", cli, "html")
    html = package(built, "en", "html")
    scale = [
        "Not yet part of my practice",
        "Sometimes part of my practice",
        "Usually part of my practice",
        "Confidently part of my practice",
    ]
    text = " ".join(pdf_text(html["handouts/ws26-self-assessment.en.pdf"]).split())
    for point in scale:
        assert point in text or point.replace(" ", "") in text.replace(" ", ""), point
    page = html["worksheet-ws26-self-assessment.html"].decode()
    assert all(f'<th scope="col" role="columnheader">{point}</th>' in page for point in scale)
    assert page.count('class="write-in tick"') == 11 * 4


def test_a_worksheet_does_not_print_the_answers_its_quiz_asks_for(tmp_path, cli):
    """Worksheet 9's Relationship column is what unit 9's graded quiz asks: learners get it blank,
    on the page and the handout, in every format; the facilitator guide keeps the key."""
    built = build(SHIPPED, tmp_path / "out", cli, "html", "guide", "scorm2004", "olx", "moodle")
    answer = "Helper-type relationship"
    html = package(built, "en", "html")
    page = html["worksheet-ws9-helper-or-empowering.html"].decode()
    table = page[page.index('<table class="worksheet-table"') : page.index("</table>")]
    assert "Solving the client" in table and answer not in table and table.count("write-in") == 4
    assert answer not in pdf_text(html["handouts/ws9-helper-or-empowering.en.pdf"])
    guide = package(built, "en", "guide")["worksheet-ws9-helper-or-empowering.html"].decode()
    assert guide.count(answer) == 2
    scorm = package(built, "en", "scorm2004")
    assert answer not in next(d.decode() for n, d in scorm.items() if "ws9" in n and n.endswith(".html"))
    olx = package(built, "en", "olx")
    sheets = [d.decode() for n, d in olx.items() if "worksheet_ws9" in n]
    assert sheets and all(answer not in sheet for sheet in sheets)
    moodle = package(built, "en", "moodle")
    pages = [d.decode() for n, d in moodle.items() if n.endswith("/page.xml") and "Solving the client" in d.decode()]
    assert pages and all(answer not in p for p in pages)


def test_a_handout_not_translated_yet_says_so_in_the_learners_language(tmp_path, cli, partly_translated):
    built = build(partly_translated, tmp_path / "out", cli, "html")
    for lang, notice in (("nb", "Ikke oversatt ennå"), ("fr", "Pas encore traduit")):
        text = pdf_text(package(built, lang, "html")[f"handouts/ws3-secrecy-confidentiality.{lang}.pdf"])
        assert notice in text and "Police agents intervening at the entrance" in text


def test_the_case_scenario_is_a_printable_handout_in_every_package(tmp_path, cli):
    """The Story of Tomas, printed for a group to read and discuss: the story, then its questions
    with lines to write on; linked where the case shows and carried by every package."""
    built = build(SHIPPED, tmp_path / "out", cli, "html", "scorm2004", "olx", "moodle")
    for lang, title, question in (
        ("en", "Story of Tomas", "What may be the barriers for the person(s) trying to help Tomas?"),
        ("nb", "Historien om Tomas", "Hvilke hindringer kan den eller de som prøver å hjelpe Tomas, møte?"),
        ("fr", "L'histoire de Tomas", "Quels peuvent être les obstacles pour la ou les personnes"),
    ):
        html = package(built, lang, "html")
        pdf = html[f"handouts/case-story-of-tomas.{lang}.pdf"]
        text = " ".join(pdf_text(pdf).split())
        assert title in text and "Valladolid" in text and question in text
        assert f'href="handouts/case-story-of-tomas.{lang}.pdf"' in html["unit-02.html"].decode()
        assert package(built, lang, "scorm2004")[f"handouts/case-story-of-tomas.{lang}.pdf"] == pdf
        assert package(built, lang, "olx")[f"course/static/case-story-of-tomas.{lang}.pdf"] == pdf
        assert any(data == pdf for name, data in package(built, lang, "moodle").items() if name.startswith("files/"))
