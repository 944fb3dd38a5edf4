"""Markdown to safe HTML.

Authors and translators may write HTML inside Markdown; it is sanitised with nh3 (ammonia) against
the allowlist below, and everything removed is reported so nobody loses text silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser
from urllib.parse import unquote

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.normalize_url import validateLink as _default_validate

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "dd",
    "del",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "small",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "*": {"lang", "dir", "title", "class"},
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}
# Tags whose content is dropped with them; anything else unknown is unwrapped (its text kept).
DROPPED_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "template", "noscript", "svg", "math"}

_LINK = re.compile(r"""(?:href|src)="([^"]*)\"""")
# Browsers ignore ASCII whitespace and control characters inside a URL's scheme ("java\tscript:").
_URL_NOISE = re.compile(r"[\x00-\x20\x7f]")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")


def _scheme(url: str) -> str | None:
    """A URL's scheme as a browser reads it (lower case), or None for a relative URL."""
    found = _SCHEME.match(_URL_NOISE.sub("", url))
    return found.group(1).lower() if found else None


class _Inventory(HTMLParser):
    """What an HTML fragment asks for, as a browser reads it: entities decoded, case folded."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, bool]] = []  # (what, dangerous)
        self.remote_media: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED_TAGS:
            self.found.append((f"<{tag}> element", tag in DROPPED_WITH_CONTENT))
        allowed = ALLOWED_ATTRIBUTES["*"] | ALLOWED_ATTRIBUTES.get(tag, set())
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append((f"{name} attribute on <{tag}>", True))
            elif name == "style":
                # Styles can hide text, overlay the page or load from elsewhere: never kept.
                self.found.append((f"style attribute on <{tag}>", True))
            elif name not in allowed and tag in ALLOWED_TAGS:
                self.found.append((f"{name} attribute on <{tag}>", False))
            if name in ("href", "src") and value:
                scheme = _scheme(value)
                if scheme and scheme not in URL_SCHEMES:
                    self.found.append((f"'{scheme}:' link", True))
                elif name == "src" and (scheme or _URL_NOISE.sub("", value).startswith("//")):
                    self.remote_media.append(value)

    handle_startendtag = handle_starttag


@dataclass(frozen=True)
class Rendered:
    html: str
    removed: tuple[str, ...]  # human-readable descriptions of what the sanitiser took out
    local_links: tuple[str, ...]  # relative href/src values (percent-decoded), to check against the folder
    dangerous: tuple[str, ...] = ()  # what of `removed` is an attack or a mistake to refuse, not tidy up
    remote_media: tuple[str, ...] = ()  # images fetched from outside the package when shown

    @property
    def noteworthy(self) -> bool:
        """Whether checking has anything to say about this text."""
        return bool(self.removed or self.remote_media or self.local_links)


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": True, "typographer": False}).enable("table").enable("strikethrough")
    parser.validateLink = _validate_link  # type: ignore[method-assign]  # markdown-it's hook for it
    return parser


_refused: list[str] = []  # links markdown-it refused during the current render()


def _validate_link(url: str) -> bool:
    """markdown-it's own check (it leaves `[x](javascript:…)` as plain text), remembered."""
    ok = _default_validate(url)
    if not ok:
        _refused.append(url)
    return ok


def sanitise(html: str) -> tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """The clean HTML; what was removed; which of it is dangerous; remote media sources."""
    inventory = _Inventory()
    inventory.feed(html)
    inventory.close()
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=None,
        strip_comments=True,
    )
    removed = tuple(dict.fromkeys(what for what, _ in inventory.found))
    dangerous = tuple(dict.fromkeys(what for what, bad in inventory.found if bad))
    return clean, removed, dangerous, tuple(inventory.remote_media)


def render(markdown: str) -> Rendered:
    _refused.clear()
    html = _parser().render(markdown)
    clean, removed, dangerous, remote = sanitise(html)
    for url in _refused:
        scheme = _scheme(url)
        what = f"'{scheme}:' link" if scheme else f"link '{url}'"
        removed += (what,)
        dangerous += (what,)
    links = tuple(
        unquote(link)
        for link in _LINK.findall(clean)
        if link and not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", link) and not link.startswith(("#", "//"))
    )
    return Rendered(clean.strip(), tuple(dict.fromkeys(removed)), links, tuple(dict.fromkeys(dangerous)), remote)


def render_inline(markdown: str) -> str:
    """Markdown for a single paragraph, without the <p> wrapper (option texts, cells)."""
    html = render(markdown).html
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        return html[3:-4]
    return html


_rendered: dict[str, Rendered] = {}
CACHE_SIZE = 20000


def render_cached(markdown: str) -> Rendered:
    """render(), remembered: the same text is rendered once per run, whatever the language."""
    found = _rendered.get(markdown)
    if found is None:
        remember(markdown, found := render(markdown))
    return found


def remember(markdown: str, rendered: Rendered) -> None:
    """Keep a rendering (made here, or by a process reading ahead) for render_cached()."""
    if len(_rendered) >= CACHE_SIZE:  # a bound on memory, as a least-recently-used cache would
        _rendered.clear()
    _rendered[markdown] = rendered
