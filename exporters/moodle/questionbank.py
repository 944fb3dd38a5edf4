"""The question bank of a backup: one category per unit, questions as bank entries with versions.

Moodle's own types: multichoice (single and multiple response, and likert scales), truefalse,
match, shortanswer, essay; each question tagged with its competence ids.
"""

from __future__ import annotations

from lxml import etree

from moocpack.model import ESSAY, LIKERT, MATCHING, MULTIPLE_RESPONSE, SHORT_TEXT, SINGLE_CHOICE, TRUE_FALSE, Question
from moocpack import kinds, render

from .xmlparts import NULL, add, fields, fraction
from .xmltext import element


def category(backup, name: str, idnumber: str, parent: int, info: str = "") -> tuple[etree._Element, int]:
    cat_id = backup.next("question_category")
    category = etree.Element("question_category", id=str(cat_id))
    fields(
        category,
        name=name,
        contextid=backup.course_context,
        contextlevel=50,
        contextinstanceid=1,
        info=info,
        infoformat=1,
        stamp=f"moocpack+{backup.course.id}+{idnumber}",
        parent=parent,
        sortorder=999 if parent else 0,
        idnumber=idnumber if parent else NULL,
    )
    add(category, "question_bank_entries")
    backup.categories.append(category)
    return category, cat_id


def question(backup, category_id: int, q: Question) -> None:
    """A question's bank entry, written as text (xmltext.py) and kept by the backup."""
    course = backup.course
    field = backup.fields("questions.xml")
    entry_id = backup.next("bank_entry")
    backup.bank_entries[q.id] = entry_id
    entry_fields = field("question_bank_entry", questioncategoryid=category_id, idnumber=q.id[:100], ownerid=NULL)
    version_id = backup.next("question_version")
    version_fields = field("question_versions", version=1, status="ready")
    question_id = backup.next("question")
    kind = kinds.for_format(q, "moodle")  # a question kind a plug-in adds, or None
    if kind is not None:
        spec = kind.moodle(q)
        qtype = spec.qtype
    else:
        qtype = {
            SINGLE_CHOICE: "multichoice",
            MULTIPLE_RESPONSE: "multichoice",
            TRUE_FALSE: "truefalse",
            MATCHING: "match",
            SHORT_TEXT: "shortanswer",
            ESSAY: "essay",
            LIKERT: "multichoice",
        }[q.type]
    if qtype == "truefalse" and all(o.correct for o in q.options):
        # A discussion question: Moodle's true/false grades against one right answer, a
        # single-answer multichoice accepts every option that is right.
        qtype = "multichoice"
    general = str(q.feedback or "")
    # Moodle shows each question on its own page: the notice of untranslated text goes with it.
    stem = render.h(course, q.stem) if getattr(q.stem, "lang", course.language) != course.language else str(q.stem)
    text = render.directed(
        course,
        render.fallback_notice(course, q.stem, *(o.text for o in q.options), *(p.prompt for p in q.pairs)) + stem,
    )
    question_fields = field(
        "question",
        parent=0,
        name=(render.plain(q.stem)[:80] or q.id),
        questiontext=text,
        questiontextformat=1,
        generalfeedback=general,
        generalfeedbackformat=1,
        defaultmark=f"{q.points:.7f}",
        penalty="0.3333333" if qtype != "essay" else "0.0000000",
        qtype=qtype,
        length=1,
        stamp=f"moocpack+{course.id}+{q.id}",
        timecreated=backup.time,
        timemodified=backup.time,
        createdby=NULL,
        modifiedby=NULL,
    )
    plugin = []
    correct = str(q.correct_feedback or "")
    incorrect = str(q.incorrect_feedback or "")
    # Moodle's "combined feedback", in the order its backup writes the fields.
    combined = dict(
        correctfeedback=correct,
        correctfeedbackformat=1,
        partiallycorrectfeedback="",
        partiallycorrectfeedbackformat=1,
        incorrectfeedback=incorrect,
        incorrectfeedbackformat=1,
    )

    def answers(rows):
        ids, written = [], []
        for text, value, feedback, textformat in rows:
            answer_id = backup.next("answer")
            ids.append(answer_id)
            written.append(
                element(
                    "answer",
                    field(
                        "answer",
                        answertext=text,
                        answerformat=textformat,
                        fraction=fraction(value),
                        feedback=feedback,
                        feedbackformat=1,
                    ),
                    id=answer_id,
                )
            )
        plugin.append(element("answers", "".join(written)))
        return ids

    if kind is not None:
        ids = answers([(text, value, feedback, 0) for text, value, feedback in spec.answers])
        plugin.append(spec.plugin(ids, backup.next))
    elif qtype == "multichoice":
        single = q.type != MULTIPLE_RESPONSE
        right = [o for o in q.options if o.correct] or list(q.options)  # likert: every point is right
        share = 1 / len(right)
        rows = [
            (
                render.esc(o.text),
                (1.0 if single else share) if (o.correct or q.type == LIKERT) else (0.0 if single else -1.0),
                str(o.feedback or ""),
                1,
            )
            for o in q.options
        ]
        answers(rows)
        plugin.append(
            element(
                "multichoice",
                field(
                    "multichoice",
                    layout=0,
                    single=1 if single else 0,
                    shuffleanswers=0,
                    **combined,
                    answernumbering="abc",
                    shownumcorrect=1,
                    showstandardinstruction=0,
                ),
                id=backup.next("multichoice"),
            )
        )
    elif qtype == "truefalse":
        # The options are true then false (model.Question); the right one carries the feedback.
        ids = answers(
            [(str(o.text), 1.0 if o.correct else 0.0, general if o.correct else incorrect, 0) for o in q.options]
        )
        plugin.append(
            element(
                "truefalse",
                field("truefalse", trueanswer=ids[0], falseanswer=ids[1], showstandardinstruction=0),
                id=backup.next("truefalse"),
            )
        )
    elif qtype == "shortanswer":
        answers([(str(a), 1.0, "", 0) for a in backup.short_answers.get(q.id, q.answers)])
        plugin.append(
            element(
                "shortanswer", field("shortanswer", usecase=1 if q.case_sensitive else 0), id=backup.next("shortanswer")
            )
        )
    elif qtype == "match":
        plugin.append(
            element(
                "matchoptions",
                field(
                    "matchoptions",
                    shuffleanswers=1,
                    **combined,
                    shownumcorrect=1,
                ),
                id=backup.next("matchoptions"),
            )
        )
        matches = [
            element(
                "match",
                field("match", questiontext=render.esc(pair.prompt), questiontextformat=1, answertext=str(pair.answer)),
                id=backup.next("match"),
            )
            for pair in q.pairs
        ]
        plugin.append(element("matches", "".join(matches)))
    elif qtype == "essay":
        plugin.append(
            element(
                "essay",
                field(
                    "essay",
                    responseformat="editor",
                    responserequired=1,
                    responsefieldlines=10,
                    minwordlimit=NULL,
                    maxwordlimit=NULL,
                    attachments=0,
                    attachmentsrequired=0,
                    graderinfo="",
                    graderinfoformat=1,
                    responsetemplate="",
                    responsetemplateformat=1,
                    filetypeslist="",
                    maxbytes=0,
                ),
                id=backup.next("essay"),
            )
        )
    tags = []
    for cid in q.competences:
        backup.used_competences[cid] = None
        tags.append(element("tag", field("tag", name=cid.lower(), rawname=cid), id=tag_id(backup, cid)))
    question = element(
        "question",
        question_fields
        + element(f"plugin_qtype_{qtype}_question", "".join(plugin))
        + "<question_hints/>"
        + element("tags", "".join(tags)),
        id=question_id,
    )
    versions = element("question_versions", version_fields + element("questions", question), id=version_id)
    backup.keep_entry(
        category_id,
        element("question_bank_entry", entry_fields + element("question_version", versions), id=entry_id).encode(),
    )


def tag_id(backup, cid: str) -> int:
    return backup.tags.setdefault(cid, len(backup.tags) + 1)
