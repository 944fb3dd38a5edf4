"""Checks that a translation keeps what must not change: placeholders, links and markup.

The model is pofilter's checks: the text may change, the machinery inside it may not.
"""

from __future__ import annotations

import re
from collections import Counter

PLACEHOLDER = re.compile(r"\{[a-z0-9_-]+\}")
MD_LINK = re.compile(r"\]\(\s*<?([^)\s>]+)")
HTML_LINK = re.compile(r"""(?:href|src)\s*=\s*["']([^"']+)""")
HTML_TAG = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]*)[^>]*>")


def problems(source: str, target: str) -> list[str]:
    found = []
    if "\ufffd" in target:
        found.append("contains U+FFFD, a character that did not survive an encoding conversion")
    if Counter(PLACEHOLDER.findall(source)) != Counter(PLACEHOLDER.findall(target)):
        found.append(f"placeholders differ: source has {sorted(set(PLACEHOLDER.findall(source))) or 'none'}, "
                     f"translation has {sorted(set(PLACEHOLDER.findall(target))) or 'none'}")
    links = lambda text: Counter(MD_LINK.findall(text) + HTML_LINK.findall(text))  # noqa: E731
    if links(source) != links(target):
        missing = sorted((links(source) - links(target)).elements())
        extra = sorted((links(target) - links(source)).elements())
        found.append("links differ" + (f"; missing {missing}" if missing else "") + (f"; added {extra}" if extra else ""))
    tags = lambda text: Counter(t.lower() for t in HTML_TAG.findall(text))  # noqa: E731
    if tags(source) != tags(target):
        found.append("HTML markup differs from the source")
    return found
