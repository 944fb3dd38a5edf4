"""A course's own interface catalogue: moocpack's buttons and labels in a language it does not
ship (or worded the course's way), in `<language>/_interface.yaml`.

moocpack ships its interface strings for a few languages (`moocpack/messages/*.yaml`); a course
in Arabic or Polish would otherwise show English buttons. The file maps message keys, the ones of
the English catalogue, to text; a message with a count gives one text per plural category of the
language (CLDR: Arabic has zero, one, two, few, many and other). Each text must keep the English
message's placeholders (`{author}`, `{count}`). Translators get these strings in `l10n export`
like course text and bring them back with `l10n import`.
"""

from __future__ import annotations

import string
from functools import lru_cache

FILE = "_interface.yaml"


def english() -> dict:
    from .loader import catalogue

    return catalogue("en") or {}


@lru_cache(maxsize=64)
def plural_categories(language: str) -> tuple[str, ...]:
    """The CLDR plural categories of a language, "other" last."""
    from .model import _locale

    tags = set(_locale(language).plural_form.tags) | {"other"}
    return tuple(sorted(tags - {"other"})) + ("other",)


def placeholders(text: str) -> set[str]:
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}
    except ValueError:
        return {"{"}  # an unbalanced brace: never equal to a real message's placeholders


def problems(data, language: str) -> list[tuple[str, list]]:
    """(message, path) for everything wrong in a course's interface catalogue for `language`."""
    from .schema import suggest

    if not isinstance(data, dict):
        return [("an interface catalogue maps message keys to text, e.g. 'check: Kontroller'", [])]
    source = english()
    found = []
    for key, value in data.items():
        if key not in source:
            found.append((f"unknown interface message '{key}'{suggest(key, source)}", [key]))
            continue
        wanted = set().union(*(placeholders(v) for v in _texts(source[key])))
        if isinstance(source[key], dict):
            if not isinstance(value, dict):
                found.append(
                    (
                        f"'{key}' has a text per plural category of '{language}': "
                        f"{', '.join(plural_categories(language))}",
                        [key],
                    )
                )
                continue
            for category in value:
                if category not in plural_categories(language):
                    found.append(
                        (
                            f"'{category}' is not a plural category of '{language}' (its categories: "
                            f"{', '.join(plural_categories(language))})",
                            [key, category],
                        )
                    )
            if "other" not in value:
                found.append((f"'{key}' needs its 'other' form", [key]))
            texts = [(v, [key, c]) for c, v in value.items()]
        else:
            texts = [(value, [key])]
        for text, path in texts:
            if not isinstance(text, str) or not text.strip():
                found.append(("the text must be a non-empty string", path))
            elif placeholders(text) != wanted:
                found.append(
                    (
                        f"the text must hold exactly the placeholders of the English message "
                        f"({', '.join('{' + p + '}' for p in sorted(wanted)) or 'none'}): "
                        f"{source[key] if isinstance(source[key], str) else source[key].get('other')!r}",
                        path,
                    )
                )
    return found


def _texts(value) -> list[str]:
    return list(value.values()) if isinstance(value, dict) else [value]
