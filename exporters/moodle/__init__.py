"""`moodle`: a Moodle course backup (.mbz) per language, restored with Moodle's own restore.

Not a SCORM wrapper: sections, pages, native quizzes on a question bank, feedback activities for
reflections and self-assessments, grade items, completion and competency links. The layout and
element names follow Moodle's backup code (backup/moodle2, mod/*/backup/moodle2, question/,
competency/) for the release line in docs/moodle.md, checked in the tests against a backup made
by a real Moodle 4.5. Next to each .mbz: one competency-framework CSV per framework, in the
format of Site administration → Competencies → Import competency framework.
"""

from __future__ import annotations

import csv
import hashlib
import io
import mimetypes
import re

from lxml import etree

from moocpack.archive import targz_bytes
from moocpack.exporter import ExportOptions, Exporter
from moocpack.model import (
    ESSAY, LIKERT, MATCHING, MULTIPLE_RESPONSE, SHORT_TEXT, SINGLE_CHOICE, TRUE_FALSE, Course, Question, Quiz,
)
from moocpack_exporters.html import pages

NULL = "$@NULL@$"
NO_LINKS = pages.Links(worksheet=None, competence=None)
RELEASES = {
    # declared format: (backup_version, release) — see docs/moodle.md
    "4.5": ("2024100700", "4.5"),
    "4.1": ("2022112800", "4.1"),
}
# BCP 47 in the model; Moodle's language packs name a few languages differently.
MOODLE_LANG = {"nb": "no", "nn": "nn", "pt-BR": "pt_br", "zh-Hans": "zh_cn", "zh-Hant": "zh_tw"}


def moodle_lang(code: str) -> str:
    return MOODLE_LANG.get(code, code.replace("-", "_").lower())


def document(root_tag: str, attrs: dict | None = None) -> etree._Element:
    return etree.Element(root_tag, {k: str(v) for k, v in (attrs or {}).items()})


def add(parent: etree._Element, tag: str, text=None, **attrs) -> etree._Element:
    element = etree.SubElement(parent, tag, {k: str(v) for k, v in attrs.items()})
    if text is not None:
        element.text = str(text)
    return element


def fields(node: etree._Element, /, **values) -> None:
    for tag, value in values.items():
        add(node, tag, value)


def inforef(file_ids) -> etree._Element:
    """The inforef.xml of an owner: the files it uses (a file not listed here is not restored)."""
    node = document("inforef")
    if file_ids:
        refs = add(node, "fileref")
        for file_id in file_ids:
            add(add(refs, "file"), "id", file_id)
    return node


def empty_filters() -> etree._Element:
    node = document("filters")
    add(node, "filter_actives")
    add(node, "filter_configs")
    return node


def empty_roles() -> etree._Element:
    node = document("roles")
    add(node, "role_overrides")
    add(node, "role_assignments")
    return node


def serialise(root: etree._Element) -> bytes:
    # Moodle recognises a backup by this exact declaration (double quotes) at the very start.
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(root, encoding="UTF-8")


def fraction(value: float) -> str:
    return f"{value:.7f}"


class Backup:
    """Builds the files of one backup; ids are small counters, remapped by Moodle on restore."""

    def __init__(self, course: Course, epoch: int, release: str, multilingual: bool = False):
        self.course = course
        self.multilingual = multilingual
        # The short name is plain text (no multi-language spans) and must be unique on the site.
        self.shortname = f"{course.id}-{course.version}-{'mul' if multilingual else course.language}"[:255]
        self.time = str(epoch)
        self.version, self.release = RELEASES[release]
        self.files: dict[str, bytes] = {}
        self.counters: dict[str, int] = {}
        self.course_context = 100
        self.activities: list[dict] = []  # moduleid, sectionid, modulename, title, directory
        self.sections: list[dict] = []
        self.file_records: list[dict] = []
        self.categories: list[etree._Element] = []
        self.bank_entries: dict[str, int] = {}  # question id -> question bank entry id
        self.used_competences: dict[str, None] = {}
        self.tags: dict[str, int] = {}  # competence id -> tag id
        self.assets = {a.path: a for unit in course.units for a in unit.assets}

    def next(self, kind: str, start: int = 1) -> int:
        self.counters[kind] = self.counters.get(kind, start - 1) + 1
        return self.counters[kind]

    # -- files embedded in HTML ---------------------------------------------------------------
    def embed(self, html: str, contextid: int, component: str, filearea: str, itemid: int) -> tuple[str, list[int]]:
        """Move course assets referenced in HTML into Moodle's file store (@@PLUGINFILE@@)."""
        assets = self.assets
        ids = []

        def replace(match):
            path = match.group(2)
            if path not in assets:
                return match.group(0)
            data = assets[path].data
            name = path.rsplit("/", 1)[-1]
            ids.append(self.file_record(data, name, contextid, component, filearea, itemid))
            return f'{match.group(1)}="@@PLUGINFILE@@/{name}"'
        html = re.sub(r'(src|href)="([^"]+)"', replace, html)
        if ids:
            ids.append(self.file_record(b"", ".", contextid, component, filearea, itemid))
        return html, ids

    def file_record(self, data: bytes, name: str, contextid, component, filearea, itemid) -> int:
        file_id = self.next("file")
        digest = hashlib.sha1(data).hexdigest()
        self.file_records.append({
            "id": file_id, "contenthash": digest, "contextid": contextid, "component": component,
            "filearea": filearea, "itemid": itemid, "filepath": "/", "filename": name,
            "filesize": len(data), "mimetype": (mimetypes.guess_type(name)[0] or "application/octet-stream")
            if name != "." else NULL})
        if name != ".":
            self.files[f"files/{digest[:2]}/{digest}"] = data
        return file_id

    # -- activities -------------------------------------------------------------------------
    def activity(self, section: dict, modulename: str, title: str, body_builder, competences=(),
                 completion: dict | None = None, grade_item: dict | None = None) -> None:
        moduleid = self.next("module", 10)
        instance = self.next(f"instance-{modulename}")
        contextid = self.next("context", 200)
        directory = f"activities/{modulename}_{moduleid}"
        section["sequence"].append(moduleid)
        self.activities.append({"moduleid": moduleid, "sectionid": section["id"], "modulename": modulename,
                                "title": title, "directory": directory})
        completion = {"completion": 2, "completionview": 1, "completiongradeitemnumber": NULL,
                      "completionpassgrade": 0, **(completion or {})}
        module = document("module", {"id": moduleid, "version": self.version})
        fields(module, modulename=modulename, sectionid=section["id"], sectionnumber=section["number"], idnumber="",
               added=self.time, score=0, indent=0, visible=1, visibleoncoursepage=1, visibleold=1, groupmode=0,
               groupingid=0, completion=completion["completion"],
               completiongradeitemnumber=completion["completiongradeitemnumber"],
               completionpassgrade=completion["completionpassgrade"], completionview=completion["completionview"],
               completionexpected=0, availability=NULL, showdescription=0, downloadcontent=1, lang=NULL)
        add(module, "tags")
        self.files[f"{directory}/module.xml"] = serialise(module)
        root = document("activity", {"id": instance, "moduleid": moduleid, "modulename": modulename,
                                     "contextid": contextid})
        file_ids = body_builder(root, instance, contextid)
        self.files[f"{directory}/{modulename}.xml"] = serialise(root)
        for name, tag in (("calendar.xml", "events"), ("comments.xml", "comments"), ("xapistate.xml", "states")):
            self.files[f"{directory}/{name}"] = serialise(document(tag))
        self.files[f"{directory}/filters.xml"] = serialise(empty_filters())
        self.files[f"{directory}/roles.xml"] = serialise(empty_roles())
        gradebook = document("activity_gradebook")
        items = add(gradebook, "grade_items")
        if grade_item:
            self.grade_item(items, modulename, instance, title, grade_item)
        add(gradebook, "grade_letters")
        self.files[f"{directory}/grades.xml"] = serialise(gradebook)
        links = document("course_module_competencies")
        holder = add(links, "competencies")
        for order, cid in enumerate(dict.fromkeys(competences)):
            self.used_competences[cid] = None
            link = add(holder, "competency")
            fields(link, idnumber=cid, ruleoutcome=1, sortorder=order,
                   frameworkidnumber=self.course.competence(cid).framework_id, overridegrade=0)
        self.files[f"{directory}/competencies.xml"] = serialise(links)
        self.files[f"{directory}/inforef.xml"] = serialise(inforef(file_ids))

    def grade_item(self, parent, modulename: str, instance: int, title: str, spec: dict) -> None:
        item = add(parent, "grade_item", id=self.next("grade_item"))
        fields(item, categoryid=NULL, itemname=title, itemtype="mod", itemmodule=modulename, iteminstance=instance,
               itemnumber=0, iteminfo=NULL, idnumber="", calculation=NULL, gradetype=spec.get("gradetype", 1),
               grademax=f"{spec['grademax']:.5f}", grademin="0.00000", scaleid=NULL, outcomeid=NULL,
               gradepass=f"{spec.get('gradepass', 0):.5f}", multfactor="1.00000", plusfactor="0.00000",
               aggregationcoef="0.00000", aggregationcoef2="0.00000", weightoverride=0,
               sortorder=self.next("grade_sort"), display=0, decimals=NULL, hidden=0, locked=0, locktime=0,
               needsupdate=0, timecreated=self.time, timemodified=self.time)
        add(item, "grade_grades")

    def page(self, section: dict, title: str, html: str, competences=()) -> None:
        def body(root, instance, contextid):
            content, file_ids = self.embed(html, contextid, "mod_page", "content", 0)
            page = add(root, "page", id=instance)
            fields(page, name=title, intro="", introformat=1, content=content, contentformat=1, legacyfiles=0,
                   legacyfileslast=NULL, display=5,
                   displayoptions='a:2:{s:10:"printintro";s:1:"0";s:17:"printlastmodified";s:1:"0";}',
                   revision=1, timemodified=self.time)
            return file_ids
        self.activity(section, "page", title, body, competences)

    def url(self, section: dict, title: str, address: str) -> None:
        def body(root, instance, contextid):
            url = add(root, "url", id=instance)
            fields(url, name=title, intro="", introformat=1, externalurl=address, display=0,
                   displayoptions='a:1:{s:10:"printintro";i:0;}', parameters="a:0:{}", timemodified=self.time)
            return []
        self.activity(section, "url", title, body)

    def feedback(self, section: dict, quiz: Quiz) -> None:
        """Ungraded reflections and self-assessments: Moodle's feedback activity, no grade."""
        def body(root, instance, contextid):
            intro, file_ids = self.embed(str(quiz.introduction or ""), contextid, "mod_feedback", "intro", 0)
            feedback = add(root, "feedback", id=instance)
            fields(feedback, name=str(quiz.title), intro=intro, introformat=1, anonymous=2, email_notification=0,
                   multiple_submit=1, autonumbering=1, site_after_submit="", page_after_submit="",
                   page_after_submitformat=1, publish_stats=0, timeopen=0, timeclose=0, timemodified=self.time,
                   completionsubmit=1)
            items = add(feedback, "items")
            for position, question in enumerate(quiz.questions, 1):
                item = add(items, "item", id=self.next("feedback_item"))
                label = question.id[:255]
                if question.type == LIKERT:
                    presentation = "r>>>>>" + "|".join(str(o.text).replace("|", "/") for o in question.options)
                    typ, options = "multichoice", "h"
                else:
                    presentation, typ, options = "60|8", "textarea", ""
                fields(item, template=0, name=str(question.stem), label=label, presentation=presentation, typ=typ,
                       hasvalue=1, position=position, required=0, dependitem=0, dependvalue="", options=options)
            add(feedback, "completeds")
            return file_ids
        competences = [c for q in quiz.questions for c in q.competences]
        self.activity(section, "feedback", str(quiz.title), body, competences,
                      completion={"completion": 2, "completionview": 0})

    # -- question bank ------------------------------------------------------------------------
    def category(self, name: str, idnumber: str, parent: int, info: str = "") -> tuple[etree._Element, int]:
        cat_id = self.next("question_category")
        category = etree.Element("question_category", id=str(cat_id))
        fields(category, name=name, contextid=self.course_context, contextlevel=50, contextinstanceid=1,
               info=info, infoformat=1, stamp=f"moocpack+{self.course.id}+{idnumber}", parent=parent,
               sortorder=999 if parent else 0, idnumber=idnumber if parent else NULL)
        add(category, "question_bank_entries")
        self.categories.append(category)
        return category, cat_id

    def question(self, category: etree._Element, category_id: int, q: Question) -> None:
        course = self.course
        entry_id = self.next("bank_entry")
        self.bank_entries[q.id] = entry_id
        entry = add(category.find("question_bank_entries"), "question_bank_entry", id=entry_id)
        fields(entry, questioncategoryid=category_id, idnumber=q.id[:100], ownerid=NULL)
        versions = add(add(entry, "question_version"), "question_versions", id=self.next("question_version"))
        fields(versions, version=1, status="ready")
        question_id = self.next("question")
        question = add(add(versions, "questions"), "question", id=question_id)
        qtype = {SINGLE_CHOICE: "multichoice", MULTIPLE_RESPONSE: "multichoice", TRUE_FALSE: "truefalse",
                 MATCHING: "match", SHORT_TEXT: "shortanswer", ESSAY: "essay", LIKERT: "multichoice"}[q.type]
        general = str(q.feedback or "")
        fields(question, parent=0, name=(pages.plain(q.stem)[:80] or q.id), questiontext=str(q.stem), questiontextformat=1,
               generalfeedback=general, generalfeedbackformat=1, defaultmark=f"{q.points:.7f}",
               penalty="0.3333333" if qtype != "essay" else "0.0000000", qtype=qtype, length=1,
               stamp=f"moocpack+{course.id}+{q.id}", timecreated=self.time, timemodified=self.time,
               createdby=NULL, modifiedby=NULL)
        plugin = add(question, f"plugin_qtype_{qtype}_question")
        correct = str(q.correct_feedback or "")
        incorrect = str(q.incorrect_feedback or "")

        def answers(rows):
            holder = add(plugin, "answers")
            ids = []
            for text, value, feedback, textformat in rows:
                answer_id = self.next("answer")
                ids.append(answer_id)
                answer = add(holder, "answer", id=answer_id)
                fields(answer, answertext=text, answerformat=textformat, fraction=fraction(value),
                       feedback=feedback, feedbackformat=1)
            return ids

        if qtype == "multichoice":
            single = q.type != MULTIPLE_RESPONSE
            right = [o for o in q.options if o.correct] or list(q.options)  # likert: every point is right
            share = 1 / len(right)
            rows = [(pages.esc(o.text), (1.0 if single else share) if (o.correct or q.type == LIKERT) else
                     (0.0 if single else -1.0), str(o.feedback or ""), 1) for o in q.options]
            answers(rows)
            options = add(plugin, "multichoice", id=self.next("multichoice"))
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
            options = add(plugin, "truefalse", id=self.next("truefalse"))
            fields(options, trueanswer=ids[0], falseanswer=ids[1], showstandardinstruction=0)
        elif qtype == "shortanswer":
            answers([(str(a), 1.0, "", 0) for a in q.answers])
            fields(add(plugin, "shortanswer", id=self.next("shortanswer")), usecase=1 if q.case_sensitive else 0)
        elif qtype == "match":
            options = add(plugin, "matchoptions", id=self.next("matchoptions"))
            fields(options, shuffleanswers=1, correctfeedback=correct, correctfeedbackformat=1,
                   partiallycorrectfeedback="", partiallycorrectfeedbackformat=1, incorrectfeedback=incorrect,
                   incorrectfeedbackformat=1, shownumcorrect=1)
            matches = add(plugin, "matches")
            for pair in q.pairs:
                match = add(matches, "match", id=self.next("match"))
                fields(match, questiontext=pages.esc(pair.prompt), questiontextformat=1, answertext=str(pair.answer))
        elif qtype == "essay":
            essay = add(plugin, "essay", id=self.next("essay"))
            fields(essay, responseformat="editor", responserequired=1, responsefieldlines=10, minwordlimit=NULL,
                   maxwordlimit=NULL, attachments=0, attachmentsrequired=0, graderinfo="", graderinfoformat=1,
                   responsetemplate="", responsetemplateformat=1, filetypeslist="", maxbytes=0)
        add(question, "question_hints")
        tags = add(question, "tags")
        for cid in q.competences:
            self.used_competences[cid] = None
            tag = add(tags, "tag", id=self.tag_id(cid))
            fields(tag, name=cid.lower(), rawname=cid)

    def tag_id(self, cid: str) -> int:
        return self.tags.setdefault(cid, len(self.tags) + 1)

    def quiz(self, section: dict, quiz: Quiz) -> None:
        course = self.course
        graded = quiz.graded and quiz.max_points > 0
        # An ungraded quiz has grade 0, which Moodle keeps out of the gradebook.
        max_points = quiz.max_points if graded else 0.0
        pass_points = round(max_points * quiz.pass_mark / 100, 5)

        def body(root, instance, contextid):
            intro, file_ids = self.embed(str(quiz.introduction or ""), contextid, "mod_quiz", "intro", 0)
            node = add(root, "quiz", id=instance)
            review = 69904  # during, immediately after, later, after close: everything
            fields(node, name=str(quiz.title), intro=intro, introformat=1, timeopen=0, timeclose=0, timelimit=0,
                   overduehandling="autosubmit", graceperiod=0, preferredbehaviour="deferredfeedback",
                   canredoquestions=0, attempts_number=quiz.max_attempts, attemptonlast=0, grademethod=1,
                   decimalpoints=2, questiondecimalpoints=-1, reviewattempt=review, reviewcorrectness=review,
                   reviewmaxmarks=review, reviewmarks=review, reviewspecificfeedback=review,
                   reviewgeneralfeedback=review, reviewrightanswer=review, reviewoverallfeedback=4368,
                   questionsperpage=1, navmethod="free", shuffleanswers=1, sumgrades=f"{max_points:.5f}",
                   grade=f"{max_points:.5f}", timecreated=self.time, timemodified=self.time, password="",
                   subnet="", browsersecurity="-", delay1=0, delay2=0, showuserpicture=0, showblocks=0,
                   completionattemptsexhausted=0, completionminattempts=0, allowofflineattempts=0)
            instances = add(node, "question_instances")
            for slot, q in enumerate(quiz.questions, 1):
                instance_node = add(instances, "question_instance", id=self.next("slot"))
                fields(instance_node, quizid=instance, slot=slot, page=slot, displaynumber=NULL, requireprevious=0,
                       maxmark=f"{q.points if graded else 0:.7f}", quizgradeitemid=NULL)
                reference = add(instance_node, "question_reference", id=self.next("reference"))
                fields(reference, usingcontextid=contextid, component="mod_quiz", questionarea="slot",
                       questionbankentryid=self.bank_entries[q.id], version=NULL)
            sections = add(node, "sections")
            quiz_section = add(sections, "section", id=self.next("quiz_section"))
            fields(quiz_section, firstslot=1, heading="", shufflequestions=0)
            feedbacks = add(node, "feedbacks")
            # Overall feedback by grade band; like Moodle, the top band ends at grade + 1.
            bands = ((0.0, pass_points, "not_passed"), (pass_points, max_points + 1, "passed")) if graded else ()
            for low, high, key in bands:
                overall = add(feedbacks, "feedback", id=self.next("quiz_feedback"))
                text = course.message(key, pass_mark=quiz.pass_mark)
                fields(overall, quizid=instance, feedbacktext=f"<p>{pages.esc(text)}</p>", feedbacktextformat=1,
                       mingrade=f"{low:.5f}", maxgrade=f"{high:.5f}")
            for tag in ("overrides", "grades", "attempts"):
                add(node, tag)
            return file_ids
        competences = [c for q in quiz.questions for c in q.competences]
        if graded:
            completion = {"completion": 2, "completionview": 0, "completiongradeitemnumber": 0, "completionpassgrade": 1}
            grade_item = {"grademax": max_points, "gradepass": pass_points}
        else:
            completion, grade_item = {"completion": 2, "completionview": 1}, None
        self.activity(section, "quiz", str(quiz.title), body, competences, completion=completion, grade_item=grade_item)

    # -- course ------------------------------------------------------------------------------
    def build(self) -> dict[str, bytes]:
        course = self.course
        top, top_id = self.category("top", "top", 0)
        general = {"id": self.next("section"), "number": 0, "name": NULL, "summary": "", "sequence": []}
        self.sections.append(general)
        for number, unit in enumerate(course.units, 1):
            summary = "".join(filter(None, [pages.h(course, unit.introduction),
                                            pages.outcomes_block(course, unit, NO_LINKS)]))
            section = {"id": self.next("section"), "number": number, "name": pages.plain(pages.unit_heading(course, unit)),
                       "summary": summary, "sequence": []}
            self.sections.append(section)
            category, category_id = self.category(section["name"][:255], unit.id, top_id)
            for question in unit.questions:
                if question.id not in self.bank_entries:
                    self.question(category, category_id, question)
            for page in unit.pages:
                self.page(section, str(page.title), pages.h(course, page.body))
            for index, activity in enumerate(unit.activities, 1):
                self.page(section, str(activity.title), pages.activity_block(course, activity, index, NO_LINKS),
                          activity.competences)
            for case in unit.cases:
                self.page(section, f"{course.message('case_scenario')}: {case.title}", pages.case_block(course, case),
                          [c for q in case.questions for c in q.competences])
            for sheet in unit.worksheets:
                title = pages.plain(pages.worksheet_title(course, sheet))
                self.page(section, title, f"<h2>{pages.worksheet_title(course, sheet)}</h2>"
                                          f"{pages.worksheet_body(course, sheet)}")
            for quiz in unit.quizzes:
                # Reflections and self-assessments have no right answer: a feedback activity,
                # not a quiz that would show them as "not graded yet" for ever.
                if all(q.type in (ESSAY, LIKERT) for q in quiz.questions) and not quiz.graded:
                    self.feedback(section, quiz)
                else:
                    self.quiz(section, quiz)
            if unit.closure:
                self.page(section, course.message("closure"), pages.h(course, unit.closure))
            for reference in unit.bibliography:
                if reference.url:
                    self.url(section, reference.title[:255], reference.url)
        self.write_course()
        self.write_sections()
        self.write_questions()
        self.write_root()
        return self.files

    def write_course(self) -> None:
        course = self.course
        about = "".join(filter(None, [str(course.description), pages.h(course, course.project),
                                      pages.h(course, course.acknowledgement)]))
        summary, file_ids = self.embed(about, self.course_context, "course", "summary", 0)
        node = document("course", {"id": 1, "contextid": self.course_context})
        fields(node, shortname=self.shortname, fullname=str(course.title),
               idnumber="", summary=summary, summaryformat=1, format="topics", showgrades=1, newsitems=0,
               startdate=self.time, enddate=0, marker=0, maxbytes=0, legacyfiles=0, showreports=0, visible=1,
               groupmode=0, groupmodeforce=0, defaultgroupingid=0,
               lang="" if self.multilingual else moodle_lang(course.language), theme="",
               timecreated=self.time, timemodified=self.time, requested=0, enablecompletion=1, completionnotify=0)
        category = add(node, "category", id=1)
        fields(category, name="", description="")
        add(node, "tags")
        self.files["course/course.xml"] = serialise(node)
        for name, tag in (("calendar.xml", "events"), ("comments.xml", "comments"), ("contentbank.xml", "contents")):
            self.files[f"course/{name}"] = serialise(document(tag))
        self.files["course/filters.xml"] = serialise(empty_filters())
        self.files["course/roles.xml"] = serialise(empty_roles())
        course_refs = inforef(file_ids)
        # Question categories count only if an inforef lists them; else the bank is skipped silently.
        refs = etree.Element("question_categoryref")
        course_refs.insert(0, refs)
        for category in self.categories:
            add(add(refs, "question_category"), "id", category.get("id"))
        self.files["course/inforef.xml"] = serialise(course_refs)
        links = document("course_competencies")
        holder = add(links, "competencies")
        for order, cid in enumerate(self.used_competences):
            item = course.competence(cid)
            link = add(holder, "competency")
            fields(link, id=self.next("competency", 900), idnumber=cid, ruleoutcome=1, sortorder=order,
                   frameworkid=1, frameworkidnumber=item.framework_id)
        add(links, "user_competencies")
        self.files["course/competencies.xml"] = serialise(links)

    def write_sections(self) -> None:
        for section in self.sections:
            summary, file_ids = self.embed(section["summary"], self.course_context, "course", "section", section["id"])
            node = document("section", {"id": section["id"]})
            fields(node, number=section["number"], name=section["name"], summary=summary, summaryformat=1,
                   sequence=",".join(map(str, section["sequence"])), visible=1, availabilityjson=NULL,
                   timemodified=self.time)
            directory = f"sections/section_{section['id']}"
            self.files[f"{directory}/section.xml"] = serialise(node)
            self.files[f"{directory}/inforef.xml"] = serialise(inforef(file_ids))

    def write_questions(self) -> None:
        root = document("question_categories")
        root.extend(self.categories)
        self.files["questions.xml"] = serialise(root)

    def write_root(self) -> None:
        course = self.course
        files = document("files")
        for record in self.file_records:
            node = add(files, "file", id=record["id"])
            fields(node, contenthash=record["contenthash"], contextid=record["contextid"], component=record["component"],
                   filearea=record["filearea"], itemid=record["itemid"], filepath=record["filepath"],
                   filename=record["filename"], userid=NULL, filesize=record["filesize"], mimetype=record["mimetype"],
                   status=0, timecreated=self.time, timemodified=self.time, source=NULL, author=NULL, license=NULL,
                   sortorder=0, repositorytype=NULL, repositoryid=NULL, reference=NULL)
        self.files["files.xml"] = serialise(files)
        groups = document("groups")
        add(groups, "groupings")
        self.files["groups.xml"] = serialise(groups)
        for name, tag in (("outcomes.xml", "outcomes_definition"), ("roles.xml", "roles_definition"),
                          ("scales.xml", "scales_definition")):
            self.files[name] = serialise(document(tag))
        backup = document("moodle_backup")
        info = add(backup, "information")
        fields(info, name=f"{self.shortname}-moodle.mbz", moodle_version=self.version,
               moodle_release=f"{self.release} (Build: {self.version[:8]})", backup_version=self.version,
               backup_release=self.release, backup_date=self.time, mnet_remoteusers=0, include_files=1,
               include_file_references_to_external_content=0, original_wwwroot="https://moocpack.invalid",
               original_site_identifier_hash=hashlib.md5(course.id.encode()).hexdigest(), original_course_id=1,
               original_course_format="topics", original_course_fullname=str(course.title),
               original_course_shortname=self.shortname,
               original_course_startdate=self.time, original_course_enddate=0,
               original_course_contextid=self.course_context, original_system_contextid=1)
        details = add(info, "details")
        detail = add(details, "detail", backup_id=hashlib.md5(self.shortname.encode()).hexdigest())
        fields(detail, type="course", format="moodle2", interactive=1, mode=10, execution=1, executiontime=0)
        contents = add(info, "contents")
        activities = add(contents, "activities")
        for a in self.activities:
            node = add(activities, "activity")
            fields(node, moduleid=a["moduleid"], sectionid=a["sectionid"], modulename=a["modulename"], title=a["title"],
                   directory=a["directory"])
        sections = add(contents, "sections")
        for s in self.sections:
            node = add(sections, "section")
            fields(node, sectionid=s["id"], title=s["name"] if s["name"] != NULL else str(s["number"]),
                   directory=f"sections/section_{s['id']}")
        course_node = add(contents, "course")
        fields(course_node, courseid=1, title=self.shortname, directory="course")
        settings = add(info, "settings")
        root_settings = {"filename": f"{course.id}.mbz", "users": 0, "anonymize": 0, "role_assignments": 0,
                         "activities": 1, "blocks": 0, "files": 1, "filters": 0, "comments": 0, "badges": 0,
                         "calendarevents": 0, "userscompletion": 0, "logs": 0, "grade_histories": 0,
                         "questionbank": 1, "groups": 0, "competencies": 1, "customfield": 0,
                         "contentbankcontent": 0, "xapistate": 0, "legacyfiles": 0}
        for name, value in root_settings.items():
            setting = add(settings, "setting")
            fields(setting, level="root", name=name, value=value)
        for s in self.sections:
            for suffix, value in (("included", 1), ("userinfo", 0)):
                setting = add(settings, "setting")
                fields(setting, level="section", section=f"section_{s['id']}", name=f"section_{s['id']}_{suffix}",
                       value=value)
        for a in self.activities:
            key = f"{a['modulename']}_{a['moduleid']}"
            for suffix, value in (("included", 1), ("userinfo", 0)):
                setting = add(settings, "setting")
                fields(setting, level="activity", activity=key, name=f"{key}_{suffix}", value=value)
        self.files["moodle_backup.xml"] = serialise(backup)


def framework_csv(course: Course, framework_id: str) -> bytes:
    """The framework in the 14-column CSV that admin/tool/lpimportcsv reads."""
    framework = next(f for f in course.frameworks if f.id == framework_id)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Parent ID number", "ID number", "Short name", "Description", "Description format",
                     "Scale values", "Scale configuration", "Rule type (optional)", "Rule outcome (optional)",
                     "Rule config (optional)", "Cross-referenced competency ID numbers", "Exported ID (optional)",
                     "Is framework", "Taxonomy"])
    # The importer matches or creates a scale from these values (a comma separates them).
    scale = ",".join(course.message(k).replace(",", " ") for k in ("scale_not_competent", "scale_competent"))
    config = '[{"scaleid":"2"},{"id":1,"scaledefault":1,"proficient":0},{"id":2,"scaledefault":0,"proficient":1}]'
    description = f"<p>{pages.esc(pages.plain(framework.description or framework.title))}</p>"
    writer.writerow(["", framework.id, str(framework.title)[:100], description, "1", scale, config, "", "", "", "", "",
                     "1", "competency,competency"])
    for category in framework.categories:
        title = f"{category.number} {category.title}"
        writer.writerow(["", category.id, title[:100], f"<p>{pages.esc(title)}</p>", "1", "", "", "", "0", "", "", "",
                         "", ""])
        for item in category.items:
            writer.writerow([category.id, item.id, f"{item.id} {item.text}"[:100], f"<p>{pages.esc(item.text)}</p>",
                             "1", "", "", "", "0", "", "", "", "", ""])
    return out.getvalue().encode()


# Fields that hold HTML in Moodle's tables; every other differing text is plain and is escaped
# before it goes inside a multi-language span.
HTML_FIELDS = {"summary", "intro", "content", "questiontext", "generalfeedback", "feedback", "feedbacktext",
               "correctfeedback", "partiallycorrectfeedback", "incorrectfeedback", "graderinfo", "responsetemplate",
               "page_after_submit", "description"}


def merge_languages(trees: dict[str, etree._Element]) -> etree._Element:
    """One XML tree whose texts carry every language as <span lang class="multilang">.

    The per-language backups are built from the same structure with the same counters, so they
    differ only in text; anything else is a bug and raises.
    """
    languages = list(trees)
    merged = trees[languages[0]]
    nodes = {lang: list(tree.iter()) for lang, tree in trees.items()}
    for index, node in enumerate(nodes[languages[0]]):
        others = [nodes[lang][index] for lang in languages]
        if {o.tag for o in others} != {node.tag} or any(dict(o.attrib) != dict(node.attrib) for o in others):
            raise ValueError(f"language versions differ in structure at <{node.tag}>")
        texts = [o.text or "" for o in others]
        if len(set(texts)) > 1:
            spans = []
            html = node.tag in HTML_FIELDS or (node.tag == "answertext" and node.getparent().findtext("answerformat") == "1")
            for lang, text in zip(languages, texts):
                body = text if html else pages.esc(text)
                spans.append(f'<span lang="{moodle_lang(lang)}" class="multilang">{body}</span>')
            node.text = "".join(spans)
    return merged


class MoodleExporter(Exporter):
    name = "moodle"
    extension = "mbz"
    description = "Moodle course backup (restore it as a course): sections, pages, quizzes, question bank, competencies."

    def files(self, course: Course, options: ExportOptions) -> dict[str, bytes]:
        release = options.settings.get("moodle_release", "4.5")
        if release not in RELEASES:
            raise ValueError(f"moodle_release must be one of {', '.join(RELEASES)}, not '{release}'")
        return Backup(course, options.epoch, release).build()

    supports_multilingual = True

    def multilingual_files(self, courses: dict[str, Course], options: ExportOptions) -> dict[str, bytes]:
        release = options.settings.get("moodle_release", "4.5")
        backups = {lang: Backup(course, options.epoch, release, multilingual=True).build()
                   for lang, course in courses.items()}
        first = next(iter(backups.values()))
        merged = {}
        for name, data in first.items():
            if name.endswith(".xml"):
                merged[name] = serialise(merge_languages({lang: etree.fromstring(files[name])
                                                          for lang, files in backups.items()}))
            else:
                merged[name] = data
        return merged

    def archive(self, files, course, options) -> bytes:
        return targz_bytes(files, options.epoch, directories=False)

    def extra_files(self, course: Course, options: ExportOptions) -> dict[str, bytes]:
        return {f"competences-{f.id}.csv": framework_csv(course, f.id) for f in course.frameworks}
