"""One Moodle course backup, file by file, as Moodle's backup code writes it.

Ids are small counters: Moodle remaps every id on restore, and counters keep builds reproducible.
"""

from __future__ import annotations

import hashlib
import io
import mimetypes
import re
from collections.abc import Callable
from urllib.parse import quote, unquote

from lxml import etree

from moocpack.model import ESSAY, FACILITATOR, LIKERT, Course, Quiz
from moocpack import render

from . import columns, questionbank
from .multilang import moodle_lang
from .xmlparts import DECLARATION, NULL, add, document, empty_roles, fields, inforef, serialise
from .xmltext import Fields, element

NO_LINKS = render.NO_LINKS
RELEASES = {
    # declared format: (backup_version, release) — see docs/moodle.md
    "4.5": ("2024100700", "4.5"),
    "4.1": ("2022112800", "4.1"),
}


# What every activity carries, empty, the same bytes each time: serialised once, not per
# activity (a large course has thousands of activities).
# The backup declares no filters, comments, calendar events, xAPI states or content bank (root
# settings 0): as Moodle's own backup then does, it writes no file for them, and restore reads
# none (restore_activity_task, restore_course_task). Roles are always read.
_EMPTY_ACTIVITY_FILES = {"roles.xml": serialise(empty_roles())}
_NO_FILES = serialise(inforef([]))

# Moodle's feedback_item.name column; a longer question is shown in a label item above an item
# named by the question's first words (short enough for three languages' spans, see multilang.py).
ITEM_NAME, ITEM_NAME_SHORT = 255, 36


def shortened(text: str, most: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"


def named(name: str, intro: str) -> dict:
    """The fields every activity's table begins with: its name and its introduction (HTML)."""
    return {"name": name, "intro": intro, "introformat": 1}


class Backup:
    """Builds the files of one backup; ids are small counters, remapped by Moodle on restore."""

    def __init__(
        self,
        course: Course,
        epoch: int,
        release: str,
        multilingual: tuple[str, ...] = (),
        warn: Callable[[str], None] = lambda message: None,
        siblings: dict | None = None,
        short_answers: dict | None = None,
        long_items: set | None = None,
    ):
        """`multilingual`: the names of every language when this backup is one language of a
        backup holding them all (see multilang.py); `siblings` then maps an asset's id to its
        file in every language, so that each language's backup stores all of them, in one order,
        and `short_answers` a short-text question's id to every language's accepted answers;
        `long_items` are the feedback questions too long for an item's name in some language."""
        self.siblings = siblings or {}
        self.long_items = long_items
        self.short_answers = short_answers or {}
        self.course = course
        self.languages = multilingual
        self.multilingual = bool(multilingual)
        self.warn = warn
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
        self.entries: dict[int, list[bytes]] = {}  # category id -> its bank entries, serialised
        self.bank_entries: dict[str, int] = {}  # question id -> question bank entry id
        self.used_competences: dict[str, None] = {}
        self.tags: dict[str, int] = {}  # competence id -> tag id
        self.assets = {a.path: a for unit in course.units for a in unit.assets}

    @property
    def fullname(self) -> str:
        """The course's name on the site. A restore renames a course whose full name is taken
        ("… copy 1"), so a language version whose title is not translated names its language."""
        title = self.course.title
        if self.multilingual:
            return f"{title} ({' · '.join(self.languages)})"
        if title.lang == self.course.language:
            return str(title)
        return f"{title} ({self.course.message('language_name')})"

    def write(self, name: str, root: etree._Element) -> None:
        # A multilingual backup is fitted after its languages are merged (see multilang.py).
        if not self.multilingual:
            columns.fit([(name, root)], self.warn)
        self.files[name] = serialise(root)

    def write_text(self, name: str, xml: str) -> None:
        self.files[name] = DECLARATION + xml.encode()

    def fields(self, name: str) -> Fields:
        """Writes rows' fields into the file `name`, fitted to their columns (a multi-language
        backup is fitted once its languages are merged, see multilang.py)."""
        return Fields(name, self.warn, fit=not self.multilingual)

    def next(self, kind: str, start: int = 1) -> int:
        self.counters[kind] = self.counters.get(kind, start - 1) + 1
        return self.counters[kind]

    # -- files embedded in HTML ---------------------------------------------------------------
    def quiz_intro(self, quiz: Quiz, contextid: int, component: str) -> tuple[str, list[int]]:
        """A quiz's (or a feedback's) introduction and credits, as its activity's intro."""
        html = render.h(self.course, quiz.introduction) + render.quiz_credits(self.course, quiz)
        return self.embed(html, contextid, component, "intro", 0)

    def embed(self, html: str, contextid: int, component: str, filearea: str, itemid: int) -> tuple[str, list[int]]:
        """Move course assets referenced in HTML into Moodle's file store (@@PLUGINFILE@@); a
        right-to-left course's markup says so (Moodle lays pages out in the user's language)."""
        html = render.directed(self.course, html)
        assets = self.assets
        ids = []
        stored: set[str] = set()  # a file shown and offered for download is stored once

        def replace(match):
            path = unquote(match.group(2))  # Markdown links are percent-encoded ("my%20pic.png")
            if path not in assets:
                return match.group(0)
            name = path.rsplit("/", 1)[-1]
            for asset in self.siblings.get(assets[path].id, [assets[path]]):
                stored_name = asset.path.rsplit("/", 1)[-1]
                if stored_name not in stored:
                    stored.add(stored_name)
                    ids.append(self.file_record(asset.data, stored_name, contextid, component, filearea, itemid))
            return f'{match.group(1)}="@@PLUGINFILE@@/{quote(name)}"'

        html = re.sub(r'(src|href)="([^"]+)"', replace, html)
        if ids:
            ids.append(self.file_record(b"", ".", contextid, component, filearea, itemid))
        return html, ids

    def file_record(self, data: bytes, name: str, contextid, component, filearea, itemid) -> int:
        file_id = self.next("file")
        digest = hashlib.sha1(data).hexdigest()
        self.file_records.append(
            {
                "id": file_id,
                "contenthash": digest,
                "contextid": contextid,
                "component": component,
                "filearea": filearea,
                "itemid": itemid,
                "filepath": "/",
                "filename": name,
                "filesize": len(data),
                "mimetype": (mimetypes.guess_type(name)[0] or "application/octet-stream") if name != "." else NULL,
            }
        )
        if name != ".":
            self.files[f"files/{digest[:2]}/{digest}"] = data
        return file_id

    # -- activities -------------------------------------------------------------------------
    def activity(
        self,
        section: dict,
        modulename: str,
        title: str,
        body_builder,
        competences=(),
        completion: dict | None = None,
        grade_item: dict | None = None,
        visible: bool = True,
    ) -> None:
        """An activity's files, written as text (xmltext.py): a backup has thousands.
        `body_builder(field, instance, contextid)` gives the activity's own element and the ids
        of the files it uses."""
        moduleid = self.next("module", 10)
        instance = self.next(f"instance-{modulename}")
        contextid = self.next("context", 200)
        directory = f"activities/{modulename}_{moduleid}"
        section["sequence"].append(moduleid)
        self.activities.append(
            {
                "moduleid": moduleid,
                "sectionid": section["id"],
                "modulename": modulename,
                "title": title,
                "directory": directory,
            }
        )
        completion = {
            "completion": 2,
            "completionview": 1,
            "completiongradeitemnumber": NULL,
            "completionpassgrade": 0,
            **(completion or {}),
        }
        if not visible:  # facilitator content: hidden from students, and no completion to wait for
            completion.update(completion=0, completionview=0)
        field = self.fields(f"{directory}/module.xml")
        self.write_text(
            f"{directory}/module.xml",
            element(
                "module",
                field(
                    "module",
                    modulename=modulename,
                    sectionid=section["id"],
                    sectionnumber=section["number"],
                    idnumber="",
                    added=self.time,
                    score=0,
                    indent=0,
                    visible=int(visible),
                    visibleoncoursepage=1,
                    visibleold=int(visible),
                    groupmode=0,
                    groupingid=0,
                    completion=completion["completion"],
                    completiongradeitemnumber=completion["completiongradeitemnumber"],
                    completionpassgrade=completion["completionpassgrade"],
                    completionview=completion["completionview"],
                    completionexpected=0,
                    availability=NULL,
                    showdescription=0,
                    downloadcontent=1,
                    lang=NULL,
                )
                + "<tags/>",
                id=moduleid,
                version=self.version,
            ),
        )
        name = f"{directory}/{modulename}.xml"
        body, file_ids = body_builder(self.fields(name), instance, contextid)
        self.write_text(
            name, element("activity", body, id=instance, moduleid=moduleid, modulename=modulename, contextid=contextid)
        )
        for name, data in _EMPTY_ACTIVITY_FILES.items():
            self.files[f"{directory}/{name}"] = data
        items = (
            self.grade_item(f"{directory}/grades.xml", modulename, instance, title, grade_item) if grade_item else ""
        )
        self.write_text(
            f"{directory}/grades.xml", element("activity_gradebook", element("grade_items", items) + "<grade_letters/>")
        )
        field, links = self.fields(f"{directory}/competencies.xml"), []
        for order, cid in enumerate(dict.fromkeys(competences)):
            self.used_competences[cid] = None
            links.append(
                element(
                    "competency",
                    field(
                        "competency",
                        idnumber=cid,
                        ruleoutcome=1,
                        sortorder=order,
                        frameworkidnumber=self.course.competence(cid).framework_id,
                        overridegrade=0,
                    ),
                )
            )
        self.write_text(
            f"{directory}/competencies.xml",
            element("course_module_competencies", element("competencies", "".join(links))),
        )
        # Most activities use no file: their inforef is the same bytes each time.
        self.files[f"{directory}/inforef.xml"] = serialise(inforef(file_ids)) if file_ids else _NO_FILES

    def grade_item(self, file: str, modulename: str, instance: int, title: str, spec: dict) -> str:
        item_id = self.next("grade_item")
        return element(
            "grade_item",
            self.fields(file)(
                "grade_item",
                categoryid=NULL,
                itemname=title,
                itemtype="mod",
                itemmodule=modulename,
                iteminstance=instance,
                itemnumber=0,
                iteminfo=NULL,
                idnumber="",
                calculation=NULL,
                gradetype=spec.get("gradetype", 1),
                grademax=f"{spec['grademax']:.5f}",
                grademin="0.00000",
                scaleid=NULL,
                outcomeid=NULL,
                gradepass=f"{spec.get('gradepass', 0):.5f}",
                multfactor="1.00000",
                plusfactor="0.00000",
                aggregationcoef="0.00000",
                aggregationcoef2="0.00000",
                weightoverride=0,
                sortorder=self.next("grade_sort"),
                display=0,
                decimals=NULL,
                hidden=0,
                locked=0,
                locktime=0,
                needsupdate=0,
                timecreated=self.time,
                timemodified=self.time,
            )
            + "<grade_grades/>",
            id=item_id,
        )

    def page(self, section: dict, title: str, html: str, competences=(), visible: bool = True) -> None:
        def body(field, instance, contextid):
            content, file_ids = self.embed(
                render.fallback_notice(self.course, html) + html, contextid, "mod_page", "content", 0
            )
            return element(
                "page",
                field(
                    "page",
                    **named(title, ""),
                    content=content,
                    contentformat=1,
                    legacyfiles=0,
                    legacyfileslast=NULL,
                    display=5,
                    displayoptions='a:2:{s:10:"printintro";s:1:"0";s:17:"printlastmodified";s:1:"0";}',
                    revision=1,
                    timemodified=self.time,
                ),
                id=instance,
            ), file_ids

        self.activity(section, "page", title, body, competences, visible=visible)

    def url(self, section: dict, title: str, address: str) -> None:
        def body(field, instance, contextid):
            return element(
                "url",
                field(
                    "url",
                    **named(title, ""),
                    externalurl=address,
                    display=0,
                    displayoptions='a:1:{s:10:"printintro";i:0;}',
                    parameters="a:0:{}",
                    timemodified=self.time,
                ),
                id=instance,
            ), []

        self.activity(section, "url", title, body)

    def feedback(self, section: dict, quiz: Quiz) -> None:
        """Ungraded reflections and self-assessments: Moodle's feedback activity, no grade."""

        def body(field, instance, contextid):
            intro, file_ids = self.quiz_intro(quiz, contextid, "mod_feedback")
            own = field(
                "feedback",
                **named(str(quiz.title), intro),
                anonymous=2,
                email_notification=0,
                multiple_submit=1,
                autonumbering=1,
                site_after_submit="",
                page_after_submit="",
                page_after_submitformat=1,
                publish_stats=0,
                timeopen=0,
                timeclose=0,
                timemodified=self.time,
                completionsubmit=1,
            )
            items = []
            position = 0
            for question in quiz.questions:
                stem = str(question.stem)
                position += 1
                if self.long_item(question):
                    # An item's name holds 255 characters: a longer question (a competence in
                    # full) is a label item, any length, and the item under it is named by its start.
                    items.append(
                        element(
                            "item",
                            field(
                                "item",
                                template=0,
                                name="",
                                label="",
                                presentation=stem,
                                typ="label",
                                hasvalue=0,
                                position=position,
                                required=0,
                                dependitem=0,
                                dependvalue="",
                                options="",
                            ),
                            id=self.next("feedback_item"),
                        )
                    )
                    position += 1
                    stem = render.esc(shortened(render.plain(question.stem), ITEM_NAME_SHORT))
                item_id = self.next("feedback_item")
                label = question.id[:255]
                if question.type == LIKERT:
                    presentation = "r>>>>>" + "|".join(str(o.text).replace("|", "/") for o in question.options)
                    typ, options = "multichoice", "h"
                else:
                    presentation, typ, options = "60|8", "textarea", ""
                items.append(
                    element(
                        "item",
                        field(
                            "item",
                            template=0,
                            name=stem,
                            label=label,
                            presentation=presentation,
                            typ=typ,
                            hasvalue=1,
                            position=position,
                            required=0,
                            dependitem=0,
                            dependvalue="",
                            options=options,
                        ),
                        id=item_id,
                    )
                )
            return element("feedback", own + element("items", "".join(items)) + "<completeds/>", id=instance), file_ids

        competences = [c for q in quiz.questions for c in q.competences]
        self.activity(
            section, "feedback", str(quiz.title), body, competences, completion={"completion": 2, "completionview": 0}
        )

    def quiz(self, section: dict, quiz: Quiz) -> None:
        course = self.course
        graded = quiz.graded and quiz.max_points > 0
        # An ungraded quiz has grade 0, which Moodle keeps out of the gradebook.
        max_points = quiz.max_points if graded else 0.0
        pass_points = round(max_points * quiz.pass_mark / 100, 5)

        def body(field, instance, contextid):
            intro, file_ids = self.quiz_intro(quiz, contextid, "mod_quiz")
            review = 69904  # during, immediately after, later, after close: everything
            own = field(
                "quiz",
                **named(str(quiz.title), intro),
                timeopen=0,
                timeclose=0,
                timelimit=0,
                overduehandling="autosubmit",
                graceperiod=0,
                preferredbehaviour="deferredfeedback",
                canredoquestions=0,
                attempts_number=quiz.max_attempts,
                attemptonlast=0,
                grademethod=1,
                decimalpoints=2,
                questiondecimalpoints=-1,
                reviewattempt=review,
                reviewcorrectness=review,
                reviewmaxmarks=review,
                reviewmarks=review,
                reviewspecificfeedback=review,
                reviewgeneralfeedback=review,
                reviewrightanswer=review,
                reviewoverallfeedback=4368,
                questionsperpage=1,
                navmethod="free",
                shuffleanswers=1,
                sumgrades=f"{max_points:.5f}",
                grade=f"{max_points:.5f}",
                timecreated=self.time,
                timemodified=self.time,
                password="",
                subnet="",
                browsersecurity="-",
                delay1=0,
                delay2=0,
                showuserpicture=0,
                showblocks=0,
                completionattemptsexhausted=0,
                completionminattempts=0 if graded else 1,
                allowofflineattempts=0,
            )
            instances = []
            for slot, q in enumerate(quiz.questions, 1):
                slot_id = self.next("slot")
                slot_fields = field(
                    "question_instance",
                    quizid=instance,
                    slot=slot,
                    page=slot,
                    displaynumber=NULL,
                    requireprevious=0,
                    maxmark=f"{q.points if graded and q.graded else 0:.7f}",
                    quizgradeitemid=NULL,
                )
                reference = element(
                    "question_reference",
                    field(
                        "question_reference",
                        usingcontextid=contextid,
                        component="mod_quiz",
                        questionarea="slot",
                        questionbankentryid=self.bank_entries[q.id],
                        version=NULL,
                    ),
                    id=self.next("reference"),
                )
                instances.append(element("question_instance", slot_fields + reference, id=slot_id))
            sections = element(
                "sections",
                element(
                    "section",
                    field("section", firstslot=1, heading="", shufflequestions=0),
                    id=self.next("quiz_section"),
                ),
            )
            # Overall feedback by grade band; like Moodle, the top band ends at grade + 1.
            bands = ((0.0, pass_points, "not_passed"), (pass_points, max_points + 1, "passed")) if graded else ()
            feedbacks = []
            for low, high, key in bands:
                feedback_id = self.next("quiz_feedback")
                text = course.message(key, pass_mark=quiz.pass_mark)
                feedbacks.append(
                    element(
                        "feedback",
                        field(
                            "feedback",
                            quizid=instance,
                            feedbacktext=f"<p>{render.esc(text)}</p>",
                            feedbacktextformat=1,
                            mingrade=f"{low:.5f}",
                            maxgrade=f"{high:.5f}",
                        ),
                        id=feedback_id,
                    )
                )
            return element(
                "quiz",
                own
                + element("question_instances", "".join(instances))
                + sections
                + element("feedbacks", "".join(feedbacks))
                + "<overrides/><grades/><attempts/>",
                id=instance,
            ), file_ids

        competences = [c for q in quiz.questions for c in q.competences]
        if graded:
            completion = {
                "completion": 2,
                "completionview": 0,
                "completiongradeitemnumber": 0,
                "completionpassgrade": 1,
            }
            grade_item = {"grademax": max_points, "gradepass": pass_points}
        else:
            # Nothing to pass (a discussion): complete once an attempt is submitted, its answers recorded.
            completion, grade_item = {"completion": 2, "completionview": 0}, None
        self.activity(section, "quiz", str(quiz.title), body, competences, completion=completion, grade_item=grade_item)

    # -- course ------------------------------------------------------------------------------
    def long_item(self, question) -> bool:
        """Whether a feedback question is too long for an item's name: in its own language, or
        in any language's when this backup is one of a multi-language backup's."""
        if self.long_items is not None:
            return question.id in self.long_items
        return len(str(question.stem)) > ITEM_NAME

    def build(self) -> dict[str, bytes]:
        course = self.course
        top, top_id = questionbank.category(self, "top", "top", 0)
        general = {"id": self.next("section"), "number": 0, "name": NULL, "summary": "", "sequence": []}
        self.sections.append(general)
        for number, unit in enumerate(course.units, 1):
            summary = "".join(
                filter(None, [render.h(course, unit.introduction), render.outcomes_block(course, unit, NO_LINKS)])
            )
            section = {
                "id": self.next("section"),
                "number": number,
                "name": render.plain(render.unit_heading(course, unit)),
                "summary": summary,
                "sequence": [],
            }
            self.sections.append(section)
            _, category_id = questionbank.category(self, section["name"], unit.id, top_id)
            for question in unit.questions:
                if question.id not in self.bank_entries:
                    questionbank.question(self, category_id, question)
            notes = render.list_block(course, "materials", unit.materials) + render.list_block(
                course, "conceptual_contents", unit.conceptual_contents
            )
            if notes:  # Facilitator content: a page teachers see and students do not.
                self.page(section, course.message("facilitator_guide"), notes, visible=False)
            for page in unit.pages:
                self.page(
                    section, str(page.title), render.page_block(course, page), visible=page.audience != FACILITATOR
                )
            for index, activity in enumerate(unit.activities, 1):
                self.page(
                    section,
                    str(activity.title),
                    render.activity_block(course, activity, index, NO_LINKS),
                    activity.competences,
                )
                self.page(
                    section,
                    f"{activity.title} – {course.message('facilitator_guide')}",
                    render.activity_notes(course, activity),
                    visible=False,
                )
            for case in unit.cases:
                self.page(
                    section,
                    f"{course.message('case_scenario')}: {case.title}",
                    render.case_block(course, case),
                    [c for q in case.questions for c in q.competences],
                )
            for sheet in unit.worksheets:
                title = render.plain(render.worksheet_title(course, sheet))
                self.page(
                    section,
                    title,
                    f"<h2>{render.worksheet_title(course, sheet)}</h2>{render.worksheet_body(course, sheet)}",
                )
            for quiz in unit.quizzes:
                # Reflections and self-assessments have no right answer: a feedback activity,
                # not a quiz that would show them as "not graded yet" for ever.
                if all(q.type in (ESSAY, LIKERT) for q in quiz.questions) and not quiz.graded:
                    self.feedback(section, quiz)
                else:
                    self.quiz(section, quiz)
            if unit.closure:
                self.page(section, course.message("closure"), render.h(course, unit.closure), visible=False)
            for reference in unit.bibliography:
                if reference.url:
                    self.url(section, reference.title, reference.url)
        self.write_course()
        self.write_sections()
        self.write_questions()
        self.write_root()
        return self.files

    def write_course(self) -> None:
        course = self.course
        about = "".join(
            filter(
                None,
                [
                    str(course.description),
                    render.h(course, course.project),
                    render.h(course, course.acknowledgement),
                    render.translation_notice(course),
                ],
            )
        )
        summary, file_ids = self.embed(about, self.course_context, "course", "summary", 0)
        node = document("course", {"id": 1, "contextid": self.course_context})
        fields(
            node,
            shortname=self.shortname,
            fullname=self.fullname,
            idnumber="",
            summary=summary,
            summaryformat=1,
            format="topics",
            showgrades=1,
            newsitems=0,
            startdate=self.time,
            enddate=0,
            marker=0,
            maxbytes=0,
            legacyfiles=0,
            showreports=0,
            visible=1,
            groupmode=0,
            groupmodeforce=0,
            defaultgroupingid=0,
            lang="" if self.multilingual else moodle_lang(course.language),
            theme="",
            timecreated=self.time,
            timemodified=self.time,
            requested=0,
            enablecompletion=1,
            completionnotify=0,
        )
        category = add(node, "category", id=1)
        fields(category, name="", description="")
        add(node, "tags")
        self.write("course/course.xml", node)
        self.write("course/roles.xml", empty_roles())
        course_refs = inforef(file_ids)
        # Question categories count only if an inforef lists them; else the bank is skipped silently.
        refs = etree.Element("question_categoryref")
        course_refs.insert(0, refs)
        for category in self.categories:
            add(add(refs, "question_category"), "id", category.get("id"))
        self.write("course/inforef.xml", course_refs)
        links = document("course_competencies")
        holder = add(links, "competencies")
        for order, cid in enumerate(self.used_competences):
            item = course.competence(cid)
            link = add(holder, "competency")
            fields(
                link,
                id=self.next("competency", 900),
                idnumber=cid,
                ruleoutcome=1,
                sortorder=order,
                frameworkid=1,
                frameworkidnumber=item.framework_id,
            )
        add(links, "user_competencies")
        self.write("course/competencies.xml", links)

    def write_sections(self) -> None:
        for section in self.sections:
            summary, file_ids = self.embed(section["summary"], self.course_context, "course", "section", section["id"])
            node = document("section", {"id": section["id"]})
            fields(
                node,
                number=section["number"],
                name=section["name"],
                summary=summary,
                summaryformat=1,
                sequence=",".join(map(str, section["sequence"])),
                visible=1,
                availabilityjson=NULL,
                timemodified=self.time,
            )
            directory = f"sections/section_{section['id']}"
            self.write(f"{directory}/section.xml", node)
            self.write(f"{directory}/inforef.xml", inforef(file_ids))

    def keep_entry(self, category_id: int, entry: bytes) -> None:
        """A question's bank entry, written out as soon as it is complete: thousands of questions
        held as elements until the end took most of a large backup's memory."""
        self.entries.setdefault(category_id, []).append(entry)

    def write_questions(self) -> None:
        # The categories with their entries put back in as written: the bytes a whole tree gives.
        root = document("question_categories")
        root.extend(self.categories)
        if not self.multilingual:
            columns.fit([("questions.xml", root)], self.warn)
        text = memoryview(serialise(root))
        empty = b"<question_bank_entries/>"
        # Written out category by category, each one's entries let go once written: joined at
        # once, the entries and the whole file were both held (a bank is a backup's largest file).
        out, start = io.BytesIO(), 0
        for category in self.categories:
            at = text.obj.index(empty, start)
            out.write(text[start:at])
            entries = self.entries.pop(int(category.get("id")), None)
            if entries:
                out.write(b"<question_bank_entries>")
                for entry in entries:
                    out.write(entry)
                out.write(b"</question_bank_entries>")
            else:
                out.write(empty)
            start = at + len(empty)
        out.write(text[start:])
        self.files["questions.xml"] = out.getvalue()

    def write_root(self) -> None:
        course = self.course
        files = document("files")
        for record in self.file_records:
            node = add(files, "file", id=record["id"])
            fields(
                node,
                contenthash=record["contenthash"],
                contextid=record["contextid"],
                component=record["component"],
                filearea=record["filearea"],
                itemid=record["itemid"],
                filepath=record["filepath"],
                filename=record["filename"],
                userid=NULL,
                filesize=record["filesize"],
                mimetype=record["mimetype"],
                status=0,
                timecreated=self.time,
                timemodified=self.time,
                source=NULL,
                author=NULL,
                license=NULL,
                sortorder=0,
                repositorytype=NULL,
                repositoryid=NULL,
                reference=NULL,
            )
        self.write("files.xml", files)
        groups = document("groups")
        add(groups, "groupings")
        self.write("groups.xml", groups)
        for name, tag in (
            ("outcomes.xml", "outcomes_definition"),
            ("roles.xml", "roles_definition"),
            ("scales.xml", "scales_definition"),
        ):
            self.write(name, document(tag))
        backup = document("moodle_backup")
        info = add(backup, "information")
        fields(
            info,
            name=f"{self.shortname}-moodle.mbz",
            moodle_version=self.version,
            moodle_release=f"{self.release} (Build: {self.version[:8]})",
            backup_version=self.version,
            backup_release=self.release,
            backup_date=self.time,
            mnet_remoteusers=0,
            include_files=1,
            include_file_references_to_external_content=0,
            original_wwwroot="https://moocpack.invalid",
            original_site_identifier_hash=hashlib.md5(course.id.encode()).hexdigest(),
            original_course_id=1,
            original_course_format="topics",
            original_course_fullname=self.fullname,
            original_course_shortname=self.shortname,
            original_course_startdate=self.time,
            original_course_enddate=0,
            original_course_contextid=self.course_context,
            original_system_contextid=1,
        )
        details = add(info, "details")
        detail = add(details, "detail", backup_id=hashlib.md5(self.shortname.encode()).hexdigest())
        fields(detail, type="course", format="moodle2", interactive=1, mode=10, execution=1, executiontime=0)
        contents = add(info, "contents")
        add(contents, "activities")  # thousands: written as text, put in below
        sections = add(contents, "sections")
        for s in self.sections:
            node = add(sections, "section")
            fields(
                node,
                sectionid=s["id"],
                title=s["name"] if s["name"] != NULL else str(s["number"]),
                directory=f"sections/section_{s['id']}",
            )
        course_node = add(contents, "course")
        fields(course_node, courseid=1, title=self.shortname, directory="course")
        add(info, "settings")  # as the activities
        root_settings = {
            "filename": f"{course.id}.mbz",
            "users": 0,
            "anonymize": 0,
            "role_assignments": 0,
            "activities": 1,
            "blocks": 0,
            "files": 1,
            "filters": 0,
            "comments": 0,
            "badges": 0,
            "calendarevents": 0,
            "userscompletion": 0,
            "logs": 0,
            "grade_histories": 0,
            "questionbank": 1,
            "groups": 0,
            "competencies": 1,
            "customfield": 0,
            "contentbankcontent": 0,
            "xapistate": 0,
            "legacyfiles": 0,
        }
        field = self.fields("moodle_backup.xml")
        activities = "".join(
            element(
                "activity",
                field(
                    "activity",
                    moduleid=a["moduleid"],
                    sectionid=a["sectionid"],
                    modulename=a["modulename"],
                    title=a["title"],
                    directory=a["directory"],
                ),
            )
            for a in self.activities
        )
        settings = [
            element("setting", field("setting", level="root", name=name, value=value))
            for name, value in root_settings.items()
        ]
        for s in self.sections:
            for suffix, value in (("included", 1), ("userinfo", 0)):
                settings.append(
                    element(
                        "setting",
                        field(
                            "setting",
                            level="section",
                            section=f"section_{s['id']}",
                            name=f"section_{s['id']}_{suffix}",
                            value=value,
                        ),
                    )
                )
        for a in self.activities:
            key = f"{a['modulename']}_{a['moduleid']}"
            for suffix, value in (("included", 1), ("userinfo", 0)):
                settings.append(
                    element(
                        "setting", field("setting", level="activity", activity=key, name=f"{key}_{suffix}", value=value)
                    )
                )
        self.write("moodle_backup.xml", backup)
        # Texts cannot hold a tag (their < is escaped): the first of each empty element is the one.
        self.files["moodle_backup.xml"] = (
            self.files["moodle_backup.xml"]
            .replace(b"<activities/>", element("activities", activities).encode(), 1)
            .replace(b"<settings/>", element("settings", "".join(settings)).encode(), 1)
        )
