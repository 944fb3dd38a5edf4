"""The question bank of a backup: one category per unit, questions as bank entries with versions.

Moodle's own types: multichoice (single and multiple response, and likert scales), truefalse,
match, shortanswer, essay; each question tagged with its competence ids.
"""

from __future__ import annotations

from lxml import etree

from moocpack.model import ESSAY, LIKERT, MATCHING, MULTIPLE_RESPONSE, SHORT_TEXT, SINGLE_CHOICE, TRUE_FALSE, Question
from moocpack import render

from .xmlparts import NULL, add, fields, fraction


def category(backup, name: str, idnumber: str, parent: int, info: str = "") -> tuple[etree._Element, int]:
    cat_id = backup.next("question_category")
    category = etree.Element("question_category", id=str(cat_id))
    fields(category, name=name, contextid=backup.course_context, contextlevel=50, contextinstanceid=1,
           info=info, infoformat=1, stamp=f"moocpack+{backup.course.id}+{idnumber}", parent=parent,
           sortorder=999 if parent else 0, idnumber=idnumber if parent else NULL)
    add(category, "question_bank_entries")
    backup.categories.append(category)
    return category, cat_id


def question(backup, category: etree._Element, category_id: int, q: Question) -> None:
    course = backup.course
    entry_id = backup.next("bank_entry")
    backup.bank_entries[q.id] = entry_id
    entry = add(category.find("question_bank_entries"), "question_bank_entry", id=entry_id)
    fields(entry, questioncategoryid=category_id, idnumber=q.id[:100], ownerid=NULL)
    versions = add(add(entry, "question_version"), "question_versions", id=backup.next("question_version"))
    fields(versions, version=1, status="ready")
    question_id = backup.next("question")
    question = add(add(versions, "questions"), "question", id=question_id)
    qtype = {SINGLE_CHOICE: "multichoice", MULTIPLE_RESPONSE: "multichoice", TRUE_FALSE: "truefalse",
             MATCHING: "match", SHORT_TEXT: "shortanswer", ESSAY: "essay", LIKERT: "multichoice"}[q.type]
    if qtype == "truefalse" and all(o.correct for o in q.options):
        # A discussion question: Moodle's true/false grades against one right answer, a
        # single-answer multichoice accepts every option that is right.
        qtype = "multichoice"
    general = str(q.feedback or "")
    # Moodle shows each question on its own page: the notice of untranslated text goes with it.
    stem = render.h(course, q.stem) if getattr(q.stem, "lang", course.language) != course.language else str(q.stem)
    text = render.fallback_notice(course, q.stem, *(o.text for o in q.options), *(p.prompt for p in q.pairs)) + stem
    fields(question, parent=0, name=(render.plain(q.stem)[:80] or q.id), questiontext=text, questiontextformat=1,
           generalfeedback=general, generalfeedbackformat=1, defaultmark=f"{q.points:.7f}",
           penalty="0.3333333" if qtype != "essay" else "0.0000000", qtype=qtype, length=1,
           stamp=f"moocpack+{course.id}+{q.id}", timecreated=backup.time, timemodified=backup.time,
           createdby=NULL, modifiedby=NULL)
    plugin = add(question, f"plugin_qtype_{qtype}_question")
    correct = str(q.correct_feedback or "")
    incorrect = str(q.incorrect_feedback or "")

    def answers(rows):
        holder = add(plugin, "answers")
        ids = []
        for text, value, feedback, textformat in rows:
            answer_id = backup.next("answer")
            ids.append(answer_id)
            answer = add(holder, "answer", id=answer_id)
            fields(answer, answertext=text, answerformat=textformat, fraction=fraction(value),
                   feedback=feedback, feedbackformat=1)
        return ids

    if qtype == "multichoice":
        single = q.type != MULTIPLE_RESPONSE
        right = [o for o in q.options if o.correct] or list(q.options)  # likert: every point is right
        share = 1 / len(right)
        rows = [(render.esc(o.text), (1.0 if single else share) if (o.correct or q.type == LIKERT) else
                 (0.0 if single else -1.0), str(o.feedback or ""), 1) for o in q.options]
        answers(rows)
        options = add(plugin, "multichoice", id=backup.next("multichoice"))
        fields(options, layout=0, single=1 if single else 0, shuffleanswers=0, correctfeedback=correct,
               correctfeedbackformat=1, partiallycorrectfeedback="", partiallycorrectfeedbackformat=1,
               incorrectfeedback=incorrect, incorrectfeedbackformat=1, answernumbering="abc", shownumcorrect=1,
               showstandardinstruction=0)
    elif qtype == "truefalse":
        true_option, false_option = q.options
        ids = answers([(str(true_option.text), 1.0 if true_option.correct else 0.0, general if true_option.correct
                        else incorrect, 0),
                       (str(false_option.text), 1.0 if false_option.correct else 0.0, general if
                        false_option.correct else incorrect, 0)])
        options = add(plugin, "truefalse", id=backup.next("truefalse"))
        fields(options, trueanswer=ids[0], falseanswer=ids[1], showstandardinstruction=0)
    elif qtype == "shortanswer":
        answers([(str(a), 1.0, "", 0) for a in q.answers])
        fields(add(plugin, "shortanswer", id=backup.next("shortanswer")), usecase=1 if q.case_sensitive else 0)
    elif qtype == "match":
        options = add(plugin, "matchoptions", id=backup.next("matchoptions"))
        fields(options, shuffleanswers=1, correctfeedback=correct, correctfeedbackformat=1,
               partiallycorrectfeedback="", partiallycorrectfeedbackformat=1, incorrectfeedback=incorrect,
               incorrectfeedbackformat=1, shownumcorrect=1)
        matches = add(plugin, "matches")
        for pair in q.pairs:
            match = add(matches, "match", id=backup.next("match"))
            fields(match, questiontext=render.esc(pair.prompt), questiontextformat=1, answertext=str(pair.answer))
    elif qtype == "essay":
        essay = add(plugin, "essay", id=backup.next("essay"))
        fields(essay, responseformat="editor", responserequired=1, responsefieldlines=10, minwordlimit=NULL,
               maxwordlimit=NULL, attachments=0, attachmentsrequired=0, graderinfo="", graderinfoformat=1,
               responsetemplate="", responsetemplateformat=1, filetypeslist="", maxbytes=0)
    add(question, "question_hints")
    tags = add(question, "tags")
    for cid in q.competences:
        backup.used_competences[cid] = None
        tag = add(tags, "tag", id=tag_id(backup, cid))
        fields(tag, name=cid.lower(), rawname=cid)
    backup.keep_entry(category_id, entry)


def tag_id(backup, cid: str) -> int:
    return backup.tags.setdefault(cid, len(backup.tags) + 1)
