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
# A download opens in the learner's browser on the LMS's own site: a web page (.html, .xhtml), a
# script or a program could act there as the learner. Downloads are documents, data, archives and
# media; an SVG download is checked like any drawing.
FILE_TYPES = {
    "pdf",
    "txt",
    "csv",
    "rtf",
    "odt",
    "ods",
    "odp",
    "docx",
    "xlsx",
    "pptx",
    "epub",
    "zip",
    *IMAGE_TYPES,
    *VIDEO_TYPES,
    *AUDIO_TYPES,
}
EXTENSIONS = {"image": IMAGE_TYPES, "video": VIDEO_TYPES, "audio": AUDIO_TYPES, "file": FILE_TYPES}
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
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=False
    )


# What a drawing may hold: the elements and attributes of static SVG (shapes, text, paint,
# gradients, filters, markers, simple animation), as an allowlist like the one for HTML. Anything
# else (script, foreignObject, iframe, unknown elements) is refused rather than dropped: a drawing
# is the author's file, and silently changing it would hide the problem.
SVG_ELEMENTS = frozenset(
    """
    svg g defs desc title metadata symbol use switch view a style image
    path rect circle ellipse line polyline polygon text tspan textPath
    linearGradient radialGradient stop pattern clipPath mask marker filter
    feBlend feColorMatrix feComponentTransfer feComposite feConvolveMatrix feDiffuseLighting
    feDisplacementMap feDistantLight feDropShadow feFlood feFuncA feFuncB feFuncG feFuncR
    feGaussianBlur feImage feMerge feMergeNode feMorphology feOffset fePointLight
    feSpecularLighting feSpotLight feTile feTurbulence
    animate animateTransform animateMotion mpath set
""".split()
)
SVG_ATTRIBUTES = frozenset(
    """
    id class style lang tabindex role focusable aria-label aria-labelledby aria-describedby aria-hidden
    version baseProfile viewBox preserveAspectRatio width height x y x1 y1 x2 y2 cx cy r rx ry fx fy fr
    d points pathLength transform dx dy rotate textLength lengthAdjust startOffset method spacing side
    gradientUnits gradientTransform spreadMethod offset patternUnits patternContentUnits patternTransform
    clipPathUnits maskUnits maskContentUnits markerUnits markerWidth markerHeight refX refY orient
    filterUnits primitiveUnits in in2 result stdDeviation mode operator k1 k2 k3 k4 values type
    tableValues slope intercept amplitude exponent kernelMatrix order divisor bias targetX targetY
    edgeMode preserveAlpha surfaceScale diffuseConstant specularConstant specularExponent
    kernelUnitLength azimuth elevation pointsAtX pointsAtY pointsAtZ limitingConeAngle z scale
    xChannelSelector yChannelSelector baseFrequency numOctaves seed stitchTiles radius
    requiredExtensions systemLanguage href
    display visibility opacity fill fill-opacity fill-rule stroke stroke-width stroke-opacity
    stroke-linecap stroke-linejoin stroke-miterlimit stroke-dasharray stroke-dashoffset marker-start
    marker-mid marker-end marker clip-path clip-rule mask filter color color-interpolation
    color-interpolation-filters color-rendering shape-rendering text-rendering image-rendering
    font font-family font-size font-size-adjust font-stretch font-style font-variant font-weight
    text-anchor text-decoration dominant-baseline alignment-baseline baseline-shift letter-spacing
    word-spacing writing-mode direction unicode-bidi overflow stop-color stop-opacity flood-color
    flood-opacity lighting-color vector-effect paint-order mix-blend-mode isolation enable-background
    attributeName attributeType begin dur end min max restart repeatCount repeatDur calcMode keyTimes
    keySplines from to by additive accumulate path keyPoints
""".split()
)
_XLINK_NS = "http://www.w3.org/1999/xlink"
_XML_NS = "http://www.w3.org/XML/1998/namespace"
# Editors' bookkeeping (Inkscape, Sodipodi, RDF licence metadata): browsers neither render nor run
# it; its elements' children are checked all the same.
SVG_INERT_NAMESPACES = frozenset(
    {
        "http://www.inkscape.org/namespaces/inkscape",
        "http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd",
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
        "http://creativecommons.org/ns#",
        "http://purl.org/dc/elements/1.1/",
        "http://purl.org/dc/terms/",
    }
)
_ANIMATIONS = {"animate", "set", "animateTransform", "animateMotion"}
_RASTER_DATA = re.compile(r"data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]*\Z")


def css_plain(css: str) -> str:
    """CSS as the browser's tokenizer reads it: comments removed, then escapes resolved
    (`@\\69mport` is `@import`, `u\\72l(` is `url(`), in lower case. Comments go first because an
    escaped slash-star does not start one; nothing is removed after resolving, so an escape cannot
    hide a word from the checks."""
    css = re.sub(r"/\*.*?(\*/|\Z)", " ", css, flags=re.S)

    def character(match: re.Match) -> str:
        if match.group(1):
            code = int(match.group(1), 16)
            return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"
        return match.group(2)

    return re.sub(r"\\(?:([0-9a-fA-F]{1,6})[ \t\r\n\f]?|(.))", character, css, flags=re.S).lower()


_CSS_OUT = re.compile(
    r"@import|url\((?!\s*['\"]?\s*#)|image-set\(|(?<![\w-])src\(|expression\(|javascript:|vbscript:|"
    r"-moz-binding|behavior\s*:"
)


def css_problem(css: str) -> str | None:
    """Why a piece of CSS (a <style>, a style or presentation attribute) could load or run
    something from outside the drawing; None if it cannot."""
    found = _CSS_OUT.search(css_plain(css))
    if not found:
        return None
    word = found.group().strip()
    return (
        f"'{word}' loads from outside the drawing"
        if word.startswith(("@import", "url", "image-set", "src"))
        else f"'{word}' could run code"
    )


def svg_problems(data: bytes, labels: list[str]) -> list[tuple[int, str]]:
    """(line, message) for what makes a drawing unsafe or unusable: not SVG, an element or
    attribute outside the allowlist (scripts, event handlers, embedded HTML), a reference that
    leaves the file (links, external images, CSS url(), @import, CSS escapes resolved first),
    an animation that sets a link, entities or processing instructions, or a label with no
    element to go into."""
    try:
        root = etree.fromstring(data, _svg_parser())
    except etree.XMLSyntaxError as exc:
        return [(exc.lineno or 0, f"not well-formed XML: {exc.msg}")]
    if root.tag != f"{{{SVG_NS}}}svg":
        return [(root.sourceline or 0, "not an SVG drawing (the root element must be <svg> in the SVG namespace)")]
    problems = []
    tree = root.getroottree()
    if tree.docinfo.internalDTD is not None and (
        tree.docinfo.internalDTD.entities() or tree.docinfo.internalDTD.elements()
    ):
        problems.append(
            (
                1,
                "a drawing may not declare entities or elements in a DOCTYPE: browsers expand them, "
                "so they can put in anything",
            )
        )
    # Inside the drawing, and before or after its root (where <?xml-stylesheet?> goes).
    for node in (
        *root.itersiblings(preceding=True),
        *tree.iter(etree.ProcessingInstruction, etree.Entity),
        *root.itersiblings(),
    ):
        if isinstance(node, etree._ProcessingInstruction):
            problems.append(
                (
                    node.sourceline or 1,
                    f"processing instruction <?{node.target} …?> is not allowed "
                    "(it can load a style sheet from outside the drawing)",
                )
            )
        elif isinstance(node, etree._Entity):
            problems.append((node.sourceline or 1, f"entity &{node.name}; is not allowed in a drawing"))
    ids = set()
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        qname = etree.QName(element)
        name, line = qname.localname, element.sourceline
        inert = qname.namespace in SVG_INERT_NAMESPACES
        if not inert and (qname.namespace != SVG_NS or name not in SVG_ELEMENTS):
            what = f"<{name}>" if qname.namespace in (SVG_NS, None) else f"<{name}> of {qname.namespace}"
            problems.append(
                (
                    line,
                    f"{what} is not allowed in a drawing (only static SVG: shapes, text, paint, "
                    "gradients, filters; no script, no embedded HTML)",
                )
            )
            continue
        for attribute, value in element.attrib.items():
            attr = etree.QName(attribute)
            local, namespace = attr.localname, attr.namespace
            if local.lower().startswith("on"):
                problems.append((line, f"event handler '{local}' on <{name}> is not allowed"))
                continue
            if namespace in SVG_INERT_NAMESPACES or inert:
                continue
            known = (
                (namespace is None and local in SVG_ATTRIBUTES)
                or (namespace == _XLINK_NS and local in ("href", "title", "type", "show", "actuate", "role"))
                or (namespace == _XML_NS and local in ("space", "lang"))
            )
            if not known:
                problems.append((line, f"attribute '{local}' on <{name}> is not allowed in a drawing"))
            elif local == "href":
                if not (value.strip().startswith("#") or (name == "image" and _RASTER_DATA.match(value.strip()))):
                    problems.append(
                        (
                            line,
                            f"link '{value[:80]}' on <{name}> leads out of the drawing; draw it in, "
                            "or refer to an element by '#id'",
                        )
                    )
            elif local == "style" or namespace is None:
                problem = css_problem(value) if ("(" in value or "\\" in value or ":" in value) else None
                if problem:
                    problems.append((line, f"{local} on <{name}>: {problem}"))
        if name in _ANIMATIONS and not inert:
            target = (element.get("attributeName") or "").strip()
            if (
                etree.QName(target.split(":")[-1]).localname.lower() in ("href", "style")
                or target.lower().startswith("on")
                or (target and target.split(":")[-1] not in SVG_ATTRIBUTES)
            ):
                problems.append(
                    (
                        line,
                        f"<{name}> may not change '{target}': an animation could set a link or a "
                        "script that the drawing itself does not have",
                    )
                )
        if name == "style" and not inert:
            problem = css_problem("".join(element.itertext()))
            if problem:
                problems.append((line, f"<style>: {problem}"))
        if element.get("id"):
            ids.add(element.get("id"))
    for label in labels:
        if label not in ids:
            problems.append(
                (root.sourceline or 1, f"label '{label}' has no element with id=\"{label}\" in the drawing to go into")
            )
    return problems


def svg_width(data: bytes) -> float | None:
    """The width a drawing is drawn for, in CSS pixels: its width attribute, else its viewBox's."""
    match = re.search(rb"<svg\b[^>]*>", data)
    if not match:
        return None
    tag = match.group(0).decode("utf-8", "replace")
    width = re.search(r'\swidth="\s*([0-9.]+)\s*(px)?\s*"', tag)
    if width:
        return float(width.group(1))
    box = re.search(r'\sviewBox="\s*[-0-9.]+[\s,]+[-0-9.]+[\s,]+([0-9.]+)', tag)
    return float(box.group(1)) if box else None


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


# -- file signatures ---------------------------------------------------------------------------


def _zip(data: bytes) -> bool:
    return data.startswith((b"PK\x03\x04", b"PK\x05\x06"))


def _text(data: bytes) -> bool:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return "\x00" not in text


# The first bytes each packaged type starts with (its "magic number"): a file whose content is
# not what its extension says would be served to learners under the wrong type (HTML saved as
# .png runs as a page where a browser sniffs it) or fail in every player.
SIGNATURES = {
    "png": lambda d: d.startswith(b"\x89PNG\r\n\x1a\n"),
    "jpg": lambda d: d.startswith(b"\xff\xd8\xff"),
    "jpeg": lambda d: d.startswith(b"\xff\xd8\xff"),
    "gif": lambda d: d.startswith((b"GIF87a", b"GIF89a")),
    "webp": lambda d: d[:4] == b"RIFF" and d[8:12] == b"WEBP",
    "mp4": lambda d: d[4:8] == b"ftyp",
    "m4a": lambda d: d[4:8] == b"ftyp",
    "webm": lambda d: d.startswith(b"\x1a\x45\xdf\xa3"),
    "mp3": lambda d: d.startswith(b"ID3") or (len(d) > 1 and d[0] == 0xFF and d[1] & 0xE0 == 0xE0),
    "ogg": lambda d: d.startswith(b"OggS"),
    "oga": lambda d: d.startswith(b"OggS"),
    "wav": lambda d: d[:4] == b"RIFF" and d[8:12] == b"WAVE",
    "pdf": lambda d: d.startswith(b"%PDF-"),
    "rtf": lambda d: d.startswith(b"{\\rtf"),
    **{ext: _zip for ext in ("zip", "docx", "xlsx", "pptx", "odt", "ods", "odp", "epub")},
    "txt": _text,
    "csv": _text,
}


def content_problem(ext: str, data: bytes) -> str | None:
    """Why a media file's bytes are not what its extension says; None if they are (or the type
    is checked by reading it: SVG, WebVTT)."""
    if not data:
        return "is empty"
    check = SIGNATURES.get(ext)
    if check is None or check(data):
        return None
    if ext in ("txt", "csv"):
        return f"is not UTF-8 text (a .{ext} download must be)"
    return (
        f"does not hold {ext.upper()} data (it starts with {data[:8].hex(' ')}); save it in the format its "
        "extension names, or give it the right extension"
    )


# -- WebVTT ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cue:
    start: str  # "00:01:02.500"
    end: str
    text: str  # the words, tags removed


class VttError(ValueError):
    """What is wrong with a subtitles file, and on which line (0: the file as a whole)."""

    def __init__(self, message: str, line: int = 0):
        super().__init__(message)
        self.line = line


def read_vtt(data: bytes) -> tuple[Cue, ...]:
    """The cues of a WebVTT file; raises VttError saying what is wrong."""
    import webvtt
    from webvtt.errors import MalformedCaptionError, MalformedFileError

    from .yamlfile import CONTROL

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise VttError(f"not UTF-8 text (byte {exc.start})", line) from None
    # Cue text reaches HTML pages, Moodle's XML and Open edX's SRT: it gets course text's rules
    # (a NUL makes a Moodle backup invalid). A carriage return is a WebVTT line ending.
    bad = CONTROL.search(text.replace("\r", ""))
    if bad:
        line = text.replace("\r", "")[: bad.start()].count("\n") + 1
        raise VttError(f"control character U+{ord(bad.group()):04X} is not allowed in subtitles; remove it", line)
    if not text.startswith("WEBVTT"):
        raise VttError("a WebVTT file starts with the line 'WEBVTT'")
    try:
        captions = webvtt.from_buffer(io.StringIO(text)).captions
    except (MalformedFileError, MalformedCaptionError) as exc:
        raise VttError(f"not valid WebVTT: {exc}") from None
    if not captions:
        raise VttError(
            "no cues found (each cue is a line 'start --> end', e.g. '00:00:01.000 --> 00:00:04.000', then its text)"
        )
    cues = []
    for caption in captions:
        if _seconds(caption.end) <= _seconds(caption.start):
            raise VttError(f"the cue at {caption.start} ends before it starts ({caption.end})")
        cues.append(Cue(caption.start, caption.end, caption.text))
    return tuple(cues)


def _seconds(stamp: str) -> float:
    total = 0.0
    for part in stamp.split(":"):
        total = total * 60 + float(part)
    return total


def srt(cues: tuple[Cue, ...]) -> bytes:
    """The cues as SubRip, the transcript format Open edX imports."""
    blocks = [
        f"{i}\n{c.start.replace('.', ',')} --> {c.end.replace('.', ',')}\n{c.text}" for i, c in enumerate(cues, 1)
    ]
    return ("\n\n".join(blocks) + "\n").encode()
