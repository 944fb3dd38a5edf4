"""The length of every text column a backup fills, so that a restore never overflows one.

A backup's XML rows become database rows on restore, and PostgreSQL refuses a value longer than
its column (`value too long for type character varying(255)`), leaving a half-restored course on
the site. The limits are those of Moodle 4.5's db/install.xml files (lib/db, mod/*/db,
question/type/match/db); columns of type text have no limit and are not listed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from lxml import etree

from moocpack.render import short

# Row element in the backup XML -> {field element: column length in characters}.
COLUMN_LENGTHS: dict[str, dict[str, int]] = {
    "course": {"fullname": 254, "shortname": 255, "idnumber": 100},  # course
    # The restore names the new course from these (restore_course_task's course_fullname setting).
    "information": {"original_course_fullname": 254, "original_course_shortname": 255},
    "section": {"name": 255},  # course_sections
    "question_category": {"name": 255, "idnumber": 100, "stamp": 255},  # question_categories
    "question_bank_entry": {"idnumber": 100},  # question_bank_entries
    "question": {"name": 255, "stamp": 255},  # question
    "match": {"answertext": 255},  # qtype_match_subquestions
    "page": {"name": 255},  # page
    "quiz": {"name": 255},  # quiz
    "url": {"name": 255},  # url
    "feedback": {"name": 255},  # feedback
    "item": {"name": 255, "label": 255, "options": 255, "dependvalue": 255},  # feedback_item
    "grade_item": {"itemname": 255, "idnumber": 255},  # grade_items
    "tag": {"name": 255, "rawname": 255},  # tag
    "file": {"filename": 255, "filepath": 255},  # files
    "competency": {"idnumber": 100},  # competency
}


def limit(node: etree._Element) -> int | None:
    """The column length of a field element, or None when its column is unlimited text."""
    parent = node.getparent()
    if parent is None:
        return None
    return COLUMN_LENGTHS.get(parent.tag, {}).get(node.tag)


def fit(trees: Iterable[tuple[str, etree._Element]], warn: Callable[[str], None]) -> None:
    """Shorten, in place, every field longer than its column, and say which and where."""
    for name, tree in trees:
        for row in tree.iter(*COLUMN_LENGTHS):  # only the rows that have limited columns
            for field, length in COLUMN_LENGTHS[row.tag].items():
                node = row.find(field)
                if node is not None and node.text and len(node.text) > length:
                    node.text = shortened(name, row.tag, field, node.text, length, warn)


def shortened(file: str, row: str, field: str, text: str, length: int, warn: Callable[[str], None]) -> str:
    """A field's text cut to its column's length, saying which and where."""
    fitted = short(text, length)
    warn(
        f"{file}: <{row}><{field}> has {len(text)} characters, more than Moodle's {length}-character column: "
        f"shortened to '{fitted[:60]}…'"
    )
    return fitted
