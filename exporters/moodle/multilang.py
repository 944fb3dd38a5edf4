"""Moodle language codes, and one backup holding every language for the multi-language filter."""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from moocpack import render

from .columns import limit

# BCP 47 in the model; Moodle's language packs name a few languages differently.
MOODLE_LANG = {"nb": "no", "nn": "nn", "pt-BR": "pt_br", "zh-Hans": "zh_cn", "zh-Hant": "zh_tw"}


def moodle_lang(code: str) -> str:
    return MOODLE_LANG.get(code, code.replace("-", "_").lower())


# Fields that hold HTML in Moodle's tables; every other differing text is plain and is escaped
# before it goes inside a multi-language span.
HTML_FIELDS = {
    "summary",
    "intro",
    "content",
    "questiontext",
    "generalfeedback",
    "feedback",
    "feedbacktext",
    "correctfeedback",
    "partiallycorrectfeedback",
    "incorrectfeedback",
    "graderinfo",
    "responsetemplate",
    "page_after_submit",
    "description",
}


# What a <span lang="xx" class="multilang"></span> adds around a language's text.
MULTILANG_SPAN = len('<span lang="xx_xx" class="multilang"></span>')


def _spans(languages, texts, html: bool) -> str:
    return "".join(
        f'<span lang="{moodle_lang(lang)}" class="multilang">{text if html else render.esc(text)}</span>'
        for lang, text in zip(languages, texts)
    )


def _choices(languages, texts) -> str:
    """A feedback multiple choice's presentation ("r>>>>>one|two"): Moodle splits it before it
    formats each option, so each option gets its spans, and the type and separators stay plain."""
    kinds = {text.partition(">>>>>")[0] for text in texts}
    options = [text.partition(">>>>>")[2].split("|") for text in texts]
    if len(kinds) != 1 or len({len(o) for o in options}) != 1:
        raise ValueError("language versions differ in structure at <presentation>")
    merged = [column[0] if len(set(column)) == 1 else _spans(languages, column, html=False) for column in zip(*options)]
    return f"{kinds.pop()}>>>>>" + "|".join(merged)


def merge_languages(
    trees: dict[str, etree._Element], source: str, name: str = "", warn: Callable[[str], None] = lambda message: None
) -> etree._Element:
    """One XML tree whose texts carry every language as <span lang class="multilang">.

    The per-language backups are built from the same structure with the same counters, so they
    differ only in text; anything else is a bug and raises. Where the spans do not fit the
    field's database column (a name is 255 characters), the field keeps the `source` language.
    """
    languages = [source] + [lang for lang in trees if lang != source]
    merged = trees[source]
    nodes = {lang: list(tree.iter()) for lang, tree in trees.items()}
    for index, node in enumerate(nodes[languages[0]]):
        others = [nodes[lang][index] for lang in languages]
        if {o.tag for o in others} != {node.tag} or any(dict(o.attrib) != dict(node.attrib) for o in others):
            raise ValueError(f"language versions differ in structure at <{node.tag}>")
        texts = [o.text or "" for o in others]
        if len(set(texts)) > 1:
            typ = node.getparent().findtext("typ") if node.tag == "presentation" else None
            if typ == "multichoice":
                node.text = _choices(languages, texts)
                continue
            html = (
                node.tag in HTML_FIELDS
                or typ == "label"
                or (node.tag == "answertext" and node.getparent().findtext("answerformat") == "1")
                or (node.tag == "name" and node.getparent().tag == "item")
            )  # a feedback item's name is HTML
            text = _spans(languages, texts, html)
            length = limit(node)
            if length is not None and len(text) > length:
                warn(
                    f"{name}: <{node.getparent().tag}><{node.tag}> in every language needs {len(text)} characters, "
                    f"more than Moodle's {length}-character column: it keeps the '{source}' text only"
                )
                text = texts[0]
            node.text = text
    return merged
