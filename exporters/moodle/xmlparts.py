"""The XML of Moodle backups: elements, NULLs, and the small files every owner carries."""

from __future__ import annotations

from lxml import etree

NULL = "$@NULL@$"


def document(root_tag: str, attrs: dict | None = None) -> etree._Element:
    return etree.Element(root_tag, {k: str(v) for k, v in (attrs or {}).items()})


_SUB = etree.SubElement


def add(parent: etree._Element, tag: str, text=None, **attrs) -> etree._Element:
    # A backup holds hundreds of thousands of elements: most have no attributes, most texts are str.
    element = _SUB(parent, tag, {k: str(v) for k, v in attrs.items()}) if attrs else _SUB(parent, tag)
    if text is not None:
        element.text = text if type(text) is str else str(text)
    return element


def fields(node: etree._Element, /, **values) -> None:
    """One child element per field, in order, its text the value (None: an empty element)."""
    for tag, value in values.items():
        element = _SUB(node, tag)
        if value is not None:
            element.text = value if type(value) is str else str(value)


def inforef(file_ids) -> etree._Element:
    """The inforef.xml of an owner: the files it uses (a file not listed here is not restored)."""
    node = document("inforef")
    if file_ids:
        refs = add(node, "fileref")
        for file_id in file_ids:
            add(add(refs, "file"), "id", file_id)
    return node


def empty_roles() -> etree._Element:
    node = document("roles")
    add(node, "role_overrides")
    add(node, "role_assignments")
    return node


# Moodle recognises a backup by this exact declaration (double quotes) at the very start.
DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'


def serialise(root: etree._Element) -> bytes:
    return DECLARATION + etree.tostring(root, encoding="UTF-8")


def fraction(value: float) -> str:
    return f"{value:.7f}"
