"""Text and attribute values escaped for XML written as text, as lxml escapes them.

Exporters that write XML by the thousand write it as text (a tree costs more to build than to
serialise); what they write reads back to the same values, and where a tree is also made the
bytes are those lxml writes (the tests compare).
"""

from __future__ import annotations


def text(value) -> str:
    """Element text escaped as lxml escapes it."""
    value = value if type(value) is str else str(value)
    if "&" in value:
        value = value.replace("&", "&amp;")
    if "<" in value:
        value = value.replace("<", "&lt;")
    if ">" in value:
        value = value.replace(">", "&gt;")
    if "\r" in value:
        value = value.replace("\r", "&#13;")
    return value


def attribute(value) -> str:
    """An attribute value escaped as lxml escapes it (it is written between double quotes);
    line breaks and tabs as references, which a parser keeps (literal ones it reads as spaces)."""
    value = text(value)
    for char, reference in (('"', "&quot;"), ("\n", "&#10;"), ("\t", "&#9;")):
        if char in value:
            value = value.replace(char, reference)
    return value
