"""Checks that a translation keeps what must not change: placeholders, links and markup.

The model is pofilter's checks: the text may change, the machinery inside it may not.
"""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser

from .. import markup
from ..yamlfile import control_character

PLACEHOLDER = re.compile(r"\{[a-z0-9_-]+\}")
MD_LINK = re.compile(r"\]\(\s*<?([^)\s>]+)")
HTML_LINK = re.compile(r"""(?:href|src)\s*=\s*["']([^"']+)""")


class _Markup(HTMLParser):
    """The HTML elements of a text as the browser reads them: every start tag with all of its
    attributes, every end tag, and whether they nest properly."""

    VOID = {"br", "hr", "img", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: Counter = Counter()
        self.open: list[str] = []
        self.nested = True

    def handle_startendtag(self, tag, attrs):
        self.tags[(tag, tuple(sorted((name, value or "") for name, value in attrs)))] += 1

    def handle_starttag(self, tag, attrs):
        self.handle_startendtag(tag, attrs)
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag):
        self.tags[("/" + tag, ())] += 1
        if self.open and self.open[-1] == tag:
            self.open.pop()
        else:
            self.nested = False


def _markup(text: str) -> _Markup:
    parsed = _Markup()
    parsed.feed(text)
    parsed.close()
    parsed.nested = parsed.nested and not parsed.open
    return parsed


def problems(source: str, target: str) -> list[str]:
    found = []
    if "\ufffd" in target:
        found.append("contains U+FFFD, a character that did not survive an encoding conversion")
    bad = control_character(target)
    if bad:
        found.append(f"contains the control character {bad}, which course text may not hold")
    if Counter(PLACEHOLDER.findall(source)) != Counter(PLACEHOLDER.findall(target)):
        found.append(
            f"placeholders differ: source has {sorted(set(PLACEHOLDER.findall(source))) or 'none'}, "
            f"translation has {sorted(set(PLACEHOLDER.findall(target))) or 'none'}"
        )
    links = lambda text: Counter(MD_LINK.findall(text) + HTML_LINK.findall(text))  # noqa: E731
    if links(source) != links(target):
        missing = sorted((links(source) - links(target)).elements())
        extra = sorted((links(target) - links(source)).elements())
        found.append(
            "links differ" + (f"; missing {missing}" if missing else "") + (f"; added {extra}" if extra else "")
        )
    # The same elements with the same attributes (words may move, markup may not change), and
    # properly nested.
    theirs, ours = _markup(source), _markup(target)
    if theirs.tags != ours.tags:
        found.append("HTML markup differs from the source (the same elements with the same attributes are needed)")
    elif theirs.nested and not ours.nested:
        found.append("HTML elements are not properly closed and nested")
    # And then what any course text must pass.
    rendered = markup.render(target)
    for what in rendered.dangerous:
        found.append(f"unsafe HTML refused: {what}")
    return found
