"""Markdown to safe HTML.

Authors and translators may write HTML inside Markdown; it is sanitised with nh3 (ammonia) against
the allowlist below, and everything removed is reported so nobody loses text silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "dfn", "div", "dl",
    "dt", "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd",
    "li", "mark", "ol", "p", "pre", "q", "s", "small", "span", "strong", "sub", "sup", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
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

_TAG = re.compile(r"<\s*([a-zA-Z][a-zA-Z0-9-]*)([^>]*)>")
_EVENT = re.compile(r"\s(on[a-z]+)\s*=", re.I)
_SCHEME = re.compile(r"""(?:href|src)\s*=\s*["']?\s*([a-zA-Z][a-zA-Z0-9+.-]*):""", re.I)
_LINK = re.compile(r"""(?:href|src)="([^"]*)\"""")


@dataclass(frozen=True)
class Rendered:
    html: str
    removed: tuple[str, ...]  # human-readable descriptions of what the sanitiser took out
    local_links: tuple[str, ...]  # relative href/src values, to be checked against the folder


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True, "typographer": False}).enable("table").enable("strikethrough")


def sanitise(html: str) -> tuple[str, tuple[str, ...]]:
    removed = []
    for match in _TAG.finditer(html):
        tag = match.group(1).lower()
        if tag not in ALLOWED_TAGS:
            removed.append(f"<{tag}> element")
        for event in _EVENT.findall(match.group(2)):
            removed.append(f"{event.lower()} attribute on <{tag}>")
    for scheme in _SCHEME.findall(html):
        if scheme.lower() not in URL_SCHEMES:
            removed.append(f"'{scheme.lower()}:' link")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=None,
        strip_comments=True,
    )
    return clean, tuple(dict.fromkeys(removed))


def render(markdown: str) -> Rendered:
    html = _parser().render(markdown)
    clean, removed = sanitise(html)
    links = tuple(
        link for link in _LINK.findall(clean)
        if link and not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", link) and not link.startswith(("#", "//"))
    )
    return Rendered(clean.strip(), removed, links)


def render_inline(markdown: str) -> str:
    """Markdown for a single paragraph, without the <p> wrapper (option texts, cells)."""
    html = render(markdown).html
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        return html[3:-4]
    return html


@lru_cache(maxsize=20000)
def render_cached(markdown: str) -> Rendered:
    """render(), remembered: the same text is rendered once per run, whatever the language."""
    return render(markdown)
