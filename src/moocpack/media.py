"""Media files: which file a language uses, and what is checked and changed in them.

A media path may hold `{lang}` (`assets/photo.{lang}.png`): each language then has its own file,
and one without it is shown the source language's. SVG drawings are checked for anything that
could run or fetch when the file is opened on its own, and their labels are put in per language;
WebVTT subtitles are read with webvtt-py (cue times, text) and written as SRT where a platform
wants that.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlparse

from lxml import etree

LANG = "{lang}"
IMAGE_TYPES = {"png", "jpg", "jpeg", "gif", "webp", "svg"}
VIDEO_TYPES = {"mp4", "webm"}
AUDIO_TYPES = {"mp3", "m4a", "ogg", "oga", "wav"}
EXTENSIONS = {"image": IMAGE_TYPES, "video": VIDEO_TYPES, "audio": AUDIO_TYPES}
SVG_NS = "http://www.w3.org/2000/svg"
XLINK = "{http://www.w3.org/1999/xlink}href"


def path_for(pattern: str, lang: str) -> str:
    return pattern.replace(LANG, lang)


def extension(path: str) -> str:
    return path.rsplit(".", 1)[-1].lower() if "." in path.rsplit("/", 1)[-1] else ""


# -- remote video ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Remote:
    provider: str  # "youtube" or "vimeo"
    video_id: str

    @property
    def embed(self) -> str:
        """The player address; YouTube's no-cookie host sets no cookie until the video plays."""
        if self.provider == "youtube":
            return f"https://www.youtube-nocookie.com/embed/{self.video_id}"
        return f"https://player.vimeo.com/video/{self.video_id}"

    @property
    def watch(self) -> str:
        if self.provider == "youtube":
            return f"https://www.youtube.com/watch?v={self.video_id}"
        return f"https://vimeo.com/{self.video_id}"


_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")


def remote_video(url: str) -> Remote | None:
    """A YouTube or Vimeo address read as (provider, id); None for anything else."""
    parts = urlparse(url)
    host = (parts.hostname or "").lower().removeprefix("www.").removeprefix("m.")
    path = [p for p in parts.path.split("/") if p]
    candidate = None
    if host in ("youtube.com", "youtube-nocookie.com"):
        if path[:1] == ["watch"]:
            candidate = (parse_qs(parts.query).get("v") or [""])[0]
        elif path[:1] in (["embed"], ["shorts"], ["live"]) and len(path) > 1:
            candidate = path[1]
        if candidate and _YOUTUBE_ID.match(candidate):
            return Remote("youtube", candidate)
    elif host == "youtu.be" and path and _YOUTUBE_ID.match(path[0]):
        return Remote("youtube", path[0])
    elif host in ("vimeo.com", "player.vimeo.com"):
        digits = [p for p in path if p.isdigit()]
        if digits:
            return Remote("vimeo", digits[0])
    return None


# -- SVG ---------------------------------------------------------------------------------------

def _svg_parser() -> etree.XMLParser:
    # No entities, no DTD, no network: a drawing cannot read local files or call out while parsed.
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                           remove_comments=False)


def svg_problems(data: bytes, labels: list[str]) -> list[tuple[int, str]]:
    """(line, message) for what makes a drawing unsafe or unusable: not SVG, scripts, event
    handlers, embedded HTML, links out of the file, or a label with no element to go into."""
    try:
        root = etree.fromstring(data, _svg_parser())
    except etree.XMLSyntaxError as exc:
        return [(exc.lineno or 0, f"not well-formed XML: {exc.msg}")]
    if root.tag != f"{{{SVG_NS}}}svg":
        return [(root.sourceline or 0, "not an SVG drawing (the root element must be <svg> in the SVG namespace)")]
    problems = []
    ids = set()
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        name = etree.QName(element).localname
        if name in ("script", "foreignObject", "iframe", "object", "embed", "handler"):
            problems.append((element.sourceline, f"<{name}> is not allowed in a drawing: it could run code "
                                                 "when the file is opened"))
        for attribute, value in element.attrib.items():
            local = etree.QName(attribute).localname
            if local.lower().startswith("on"):
                problems.append((element.sourceline, f"event handler '{local}' on <{name}> is not allowed"))
            elif local == "href" and not value.startswith(("#", "data:image/")):
                problems.append((element.sourceline, f"link '{value}' on <{name}> leads out of the drawing; "
                                                     "draw it in, or refer to an element by '#id'"))
            elif local == "style" and re.search(r"url\(\s*['\"]?(?!#)", value):
                problems.append((element.sourceline, f"style on <{name}> loads from outside the drawing"))
        if name == "style" and re.search(r"@import|url\(\s*['\"]?(?!#)", element.text or ""):
            problems.append((element.sourceline, "a <style> that loads from outside the drawing is not allowed"))
        if element.get("id"):
            ids.add(element.get("id"))
    for label in labels:
        if label not in ids:
            problems.append((root.sourceline or 1, f"label '{label}' has no element with id=\"{label}\" in the "
                                                   "drawing to go into"))
    return problems


def svg_with_labels(data: bytes, labels: dict[str, str], lang: str) -> bytes:
    """The drawing with each label's element holding the label's text, in `lang`."""
    root = etree.fromstring(data, _svg_parser())
    root.set("{http://www.w3.org/XML/1998/namespace}lang", lang)
    for element in root.iter():
        if isinstance(element.tag, str) and element.get("id") in labels:
            for child in list(element):
                element.remove(child)  # a label's <tspan>s are its old words
            element.text = labels[element.get("id")]
    return etree.tostring(root, xml_declaration=True, encoding="utf-8") + b"\n"


# -- WebVTT ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Cue:
    start: str  # "00:01:02.500"
    end: str
    text: str  # the words, tags removed


def read_vtt(data: bytes) -> tuple[Cue, ...]:
    """The cues of a WebVTT file; raises ValueError saying what is wrong."""
    import webvtt
    from webvtt.errors import MalformedCaptionError, MalformedFileError
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 text (byte {exc.start})") from None
    if not text.startswith("WEBVTT"):
        raise ValueError("a WebVTT file starts with the line 'WEBVTT'")
    try:
        captions = webvtt.from_buffer(io.StringIO(text)).captions
    except (MalformedFileError, MalformedCaptionError) as exc:
        raise ValueError(f"not valid WebVTT: {exc}") from None
    if not captions:
        raise ValueError("no cues found (each cue is a line 'start --> end', e.g. "
                         "'00:00:01.000 --> 00:00:04.000', then its text)")
    cues = []
    for caption in captions:
        if _seconds(caption.end) <= _seconds(caption.start):
            raise ValueError(f"the cue at {caption.start} ends before it starts ({caption.end})")
        cues.append(Cue(caption.start, caption.end, caption.text))
    return tuple(cues)


def _seconds(stamp: str) -> float:
    total = 0.0
    for part in stamp.split(":"):
        total = total * 60 + float(part)
    return total


def srt(cues: tuple[Cue, ...]) -> bytes:
    """The cues as SubRip, the transcript format Open edX imports."""
    blocks = [f"{i}\n{c.start.replace('.', ',')} --> {c.end.replace('.', ',')}\n{c.text}"
              for i, c in enumerate(cues, 1)]
    return ("\n\n".join(blocks) + "\n").encode()
