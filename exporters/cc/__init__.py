"""`cc`: IMS Common Cartridge (.imscc) with QTI 1.2 quizzes, for Canvas, Blackboard Learn,
D2L Brightspace, Schoology, Sakai and Moodle's own importer.

One cartridge per language. The organisation is the course: a unit is a folder holding its
introduction, content pages, activities, case scenarios and worksheets (web content, the learner's
view; the trainer's session plan as an instructor-only page), its graded quizzes (QTI assessments
in the Common Cartridge profile) and its discussions (discussion topics: a quiz of discussion or
reflection questions, whose answers are meant for others to read). Version 1.3 by default;
`--set cc_version=1.1` for the importers that read only 1.0/1.1 (Moodle's).

What the profile cannot say, and how it is said instead (docs/cc.md): a matching question is one
multiple-choice item per prompt, its points shared; a self-assessment (no right answer, no grade)
stays its worksheet page; competences are the assessment items' `moocpack_competences` metadata
and the resources' LOM classification.
"""

from __future__ import annotations

from lxml import etree

from moocpack import render
from moocpack.archive import zip_bytes
from moocpack.exporter import ExportError, ExportOptions, Exporter, Setting
from moocpack.model import ESSAY, LIKERT, MATCHING, MULTIPLE_RESPONSE, SHORT_TEXT, SINGLE_CHOICE, TRUE_FALSE
from moocpack.model import FACILITATOR, Course, Question, Quiz, Unit
from moocpack import kinds
from moocpack.xmlescape import attribute, text

__all__ = ["CommonCartridgeExporter"]

XSI = "http://www.w3.org/2001/XMLSchema-instance"
QTI = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
# What differs between the versions: namespaces, schema locations and resource types.
VERSIONS = {
    "1.1": {
        "schemaversion": "1.1.0",
        "cp": "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1",
        "lomm": "http://ltsc.ieee.org/xsd/imsccv1p1/LOM/manifest",
        "lomr": "http://ltsc.ieee.org/xsd/imsccv1p1/LOM/resource",
        "dt": "http://www.imsglobal.org/xsd/imsccv1p1/imsdt_v1p1",
        "cp_xsd": "http://www.imsglobal.org/profile/cc/ccv1p1/ccv1p1_imscp_v1p2_v1p0.xsd",
        "lomm_xsd": "http://www.imsglobal.org/profile/cc/ccv1p1/LOM/ccv1p1_lommanifest_v1p0.xsd",
        "lomr_xsd": "http://www.imsglobal.org/profile/cc/ccv1p1/LOM/ccv1p1_lomresource_v1p0.xsd",
        "dt_xsd": "http://www.imsglobal.org/profile/cc/ccv1p1/ccv1p1_imsdt_v1p1.xsd",
        "qti_xsd": "http://www.imsglobal.org/profile/cc/ccv1p1/ccv1p1_qtiasiv1p2p1_v1p0.xsd",
        "assessment": "imsqti_xmlv1p2/imscc_xmlv1p1/assessment",
        "topic": "imsdt_xmlv1p1",
    },
    "1.3": {
        "schemaversion": "1.3.0",
        "cp": "http://www.imsglobal.org/xsd/imsccv1p3/imscp_v1p1",
        "lomm": "http://ltsc.ieee.org/xsd/imsccv1p3/LOM/manifest",
        "lomr": "http://ltsc.ieee.org/xsd/imsccv1p3/LOM/resource",
        "dt": "http://www.imsglobal.org/xsd/imsccv1p3/imsdt_v1p3",
        "cp_xsd": "http://www.imsglobal.org/profile/cc/ccv1p3/ccv1p3_imscp_v1p2_v1p0.xsd",
        "lomm_xsd": "http://www.imsglobal.org/profile/cc/ccv1p3/LOM/ccv1p3_lommanifest_v1p0.xsd",
        "lomr_xsd": "http://www.imsglobal.org/profile/cc/ccv1p3/LOM/ccv1p3_lomresource_v1p0.xsd",
        "dt_xsd": "http://www.imsglobal.org/profile/cc/ccv1p3/ccv1p3_imsdt_v1p3.xsd",
        "qti_xsd": "http://www.imsglobal.org/profile/cc/ccv1p3/ccv1p3_qtiasiv1p2p1_v1p0.xsd",
        "assessment": "imsqti_xmlv1p2/imscc_xmlv1p3/assessment",
        "topic": "imsdt_xmlv1p3",
    },
}
WEB = "web_resources/"  # where web content lives (Canvas makes it the course's files)
PROFILES = {
    SINGLE_CHOICE: "cc.multiple_choice.v0p1",
    TRUE_FALSE: "cc.true_false.v0p1",
    MULTIPLE_RESPONSE: "cc.multiple_response.v0p1",
    SHORT_TEXT: "cc.fib.v0p1",
    ESSAY: "cc.essay.v0p1",
}


def ident(*parts: str) -> str:
    """An XML ID from ids (which may hold dots): letters, digits, '-' and '_' only."""
    return "_".join(part.replace(".", "-") for part in parts)


class Cartridge:
    def __init__(self, course: Course, version: str):
        self.course, self.v = course, VERSIONS[version]
        self.files: dict[str, bytes] = {}
        self.resources: list[etree._Element] = []
        cp = self.v["cp"]
        self.E = lambda tag, **attrs: etree.Element(f"{{{cp}}}{tag}", **attrs)
        self.S = lambda parent, tag, **attrs: etree.SubElement(parent, f"{{{cp}}}{tag}", **attrs)

    # -- files and resources --------------------------------------------------------------
    def page(self, name: str, title: str, body: str) -> str:
        """A standalone page of web content (no script: the quizzes are QTI); its path."""
        path = f"{WEB}{name}.html"
        document = render.document(
            self.course, f"{title} – {self.course.title}", body, home=None, footer=render.footer(self.course)
        )
        self.files[path] = document.encode()
        return path

    def resource(
        self, identifier: str, rtype: str, href: str | None, files: list[str], instructor: bool = False
    ) -> str:
        res = self.E("resource", identifier=identifier, type=rtype)
        if href:
            res.set("href", href)
        if instructor:
            res.append(self.instructor_only())
        for path in files:
            self.S(res, "file", href=path)
        if rtype == "webcontent" and identifier != "R_shared":
            self.S(res, "dependency", identifierref="R_shared")
        self.resources.append(res)
        return identifier

    def instructor_only(self) -> etree._Element:
        """CC's mark of a resource for instructors only (Moodle's importer hides it, Canvas too)."""
        lomr = self.v["lomr"]
        metadata = self.E("metadata")
        lom = etree.SubElement(metadata, f"{{{lomr}}}lom")
        role = etree.SubElement(etree.SubElement(lom, f"{{{lomr}}}educational"), f"{{{lomr}}}intendedEndUserRole")
        etree.SubElement(role, f"{{{lomr}}}source").text = "IMSGLC_CC_Rolesv1p1"
        etree.SubElement(role, f"{{{lomr}}}value").text = "Instructor"
        return metadata

    def item(self, parent, identifier: str, title: str, ref: str | None = None) -> etree._Element:
        node = self.S(parent, "item", identifier=identifier)
        if ref:
            node.set("identifierref", ref)
        self.S(node, "title").text = title
        return node

    # -- the course -------------------------------------------------------------------------
    def build(self) -> dict[str, bytes]:
        course = self.course
        shared = {"style.css": render.static_file("style.css")}
        for unit in course.units:
            for asset in unit.assets:  # the worksheets' and cases' handouts among them (handout.py)
                shared[asset.path] = asset.data
        for path, data in sorted(shared.items()):
            self.files[WEB + path] = data
        self.resource("R_shared", "webcontent", None, [WEB + p for p in sorted(shared)])
        # Namespaces declared once, the manifest's the default one: importers look for
        # 'xmlns="…/imscp_v1p1"' as text to tell the version (Moodle's does).
        manifest = etree.Element(
            f"{{{self.v['cp']}}}manifest",
            identifier=ident("MANIFEST", course.id, course.language),
            nsmap={None: self.v["cp"], "lomimscc": self.v["lomm"], "lom": self.v["lomr"], "xsi": XSI},
        )
        manifest.set(
            f"{{{XSI}}}schemaLocation",
            " ".join(
                [self.v["cp"], self.v["cp_xsd"], self.v["lomm"], self.v["lomm_xsd"], self.v["lomr"], self.v["lomr_xsd"]]
            ),
        )
        manifest.append(self.manifest_metadata())
        organizations = self.S(manifest, "organizations")
        organization = self.S(organizations, "organization", identifier="ORG", structure="rooted-hierarchy")
        root = self.S(organization, "item", identifier="ROOT")
        for unit in course.units:
            self.unit(root, unit)
        resources = self.S(manifest, "resources")
        resources.extend(self.resources)
        self.files["imsmanifest.xml"] = xml(manifest)
        return self.files

    def manifest_metadata(self) -> etree._Element:
        course, lomm = self.course, self.v["lomm"]
        metadata = self.E("metadata")
        self.S(metadata, "schema").text = "IMS Common Cartridge"
        self.S(metadata, "schemaversion").text = self.v["schemaversion"]
        lom = etree.SubElement(metadata, f"{{{lomm}}}lom")

        def langstring(parent, tag, value):
            node = etree.SubElement(parent, f"{{{lomm}}}{tag}")
            string = etree.SubElement(node, f"{{{lomm}}}string", language=getattr(value, "lang", "") or course.language)
            string.text = render.plain(value) if "<" in str(value) else str(value)

        general = etree.SubElement(lom, f"{{{lomm}}}general")
        langstring(general, "title", course.title)
        etree.SubElement(general, f"{{{lomm}}}language").text = course.language
        langstring(general, "description", course.short_description)
        for keyword in course.keywords:
            langstring(general, "keyword", keyword)
        rights = etree.SubElement(lom, f"{{{lomm}}}rights")
        restrictions = etree.SubElement(rights, f"{{{lomm}}}copyrightAndOtherRestrictions")
        etree.SubElement(restrictions, f"{{{lomm}}}value").text = "yes"
        licence = course.licence.id + (f" {course.licence.url}" if course.licence.url else "")
        description = etree.SubElement(rights, f"{{{lomm}}}description")
        etree.SubElement(description, f"{{{lomm}}}string", language=course.language).text = licence
        return metadata

    def unit(self, root, unit: Unit) -> None:
        course = self.course
        folder = self.item(root, ident("U", unit.id), render.plain(render.unit_heading(course, unit)))
        # The introduction and learning outcomes.
        body = (
            f"<h1>{render.unit_heading(course, unit)}</h1>"
            + (f"<section>{render.h(course, unit.introduction)}</section>" if unit.introduction else "")
            + render.outcomes_block(course, unit, render.NO_LINKS)
        )
        title = course.message("introduction")
        path = self.page(f"{unit.id}", title, body)
        self.item(
            folder,
            ident("I", unit.id, "intro"),
            title,
            self.resource(ident("R", unit.id, "intro"), "webcontent", path, [path]),
        )
        for page in unit.pages:
            if page.audience == FACILITATOR:
                continue
            path = self.page(
                f"{unit.id}-{page.id}",
                str(page.title),
                f"<h1>{render.t(course, page.title)}</h1>{render.page_block(course, page)}",
            )
            self.item(
                folder,
                ident("I", unit.id, page.id),
                render.plain(page.title),
                self.resource(ident("R", unit.id, page.id), "webcontent", path, [path]),
            )
        for index, activity in enumerate(unit.activities, 1):
            path = self.page(
                f"{unit.id}-{activity.id}",
                str(activity.title),
                render.activity_block(course, activity, index, render.NO_LINKS),
            )
            self.item(
                folder,
                ident("I", unit.id, activity.id),
                render.plain(activity.title),
                self.resource(ident("R", unit.id, activity.id), "webcontent", path, [path]),
            )
        for case in unit.cases:
            path = self.page(f"{unit.id}-{case.id}", str(case.title), render.case_block(course, case))
            self.item(
                folder,
                ident("I", unit.id, case.id),
                render.plain(case.title),
                self.resource(ident("R", unit.id, case.id), "webcontent", path, [path]),
            )
        for sheet in unit.worksheets:
            title = render.plain(render.worksheet_title(course, sheet))
            path = self.page(
                f"worksheet-{sheet.id}",
                title,
                f"<h1>{render.worksheet_title(course, sheet)}</h1>{render.worksheet_body(course, sheet)}",
            )
            self.item(
                folder,
                ident("I", unit.id, sheet.id),
                title,
                self.resource(ident("R", unit.id, sheet.id), "webcontent", path, [path]),
            )
        for quiz in unit.quizzes:
            if quiz.graded and quiz.max_points > 0:
                self.assessment(folder, unit, quiz)
            elif all(q.type == ESSAY or (q.options and all(o.correct for o in q.options)) for q in quiz.questions):
                self.discussion(folder, unit, quiz)
            # A self-assessment (likert: no right answer, no grade) stays its worksheet's page.
        notes = self.facilitator_notes(unit)
        if notes:
            title = course.message("facilitator_guide")
            path = self.page(f"{unit.id}-facilitator", title, notes)
            self.item(
                folder,
                ident("I", unit.id, "facilitator"),
                title,
                self.resource(ident("R", unit.id, "facilitator"), "webcontent", path, [path], instructor=True),
            )

    def facilitator_notes(self, unit: Unit) -> str:
        """The trainer's side of a unit, for an instructor-only page: materials, running order,
        session pages, each activity's procedure and tips, and the closure."""
        course = self.course
        parts = [render.list_block(course, "materials", unit.materials), render.running_order(course, unit)]
        parts += [
            f"<section><h2>{render.t(course, p.title)}</h2>{render.page_block(course, p)}</section>"
            for p in unit.pages
            if p.audience == FACILITATOR
        ]
        parts += [
            f"<section><h3>{render.t(course, a.title)}</h3>{render.activity_notes(course, a)}</section>"
            for a in unit.activities
            if a.procedure
        ]
        if unit.closure:
            parts.append(
                f"<section><h2>{render.esc(course.message('closure'))}</h2>{render.h(course, unit.closure)}</section>"
            )
        content = "".join(p for p in parts if p)
        return f"<h1>{render.unit_heading(course, unit)}</h1>{content}" if content else ""

    # -- quizzes ----------------------------------------------------------------------------
    # Written as text: an assessment has thousands of elements, a tree of them costs more to
    # build than the text it serialises to (the tests parse and validate every one).
    def assessment(self, folder, unit: Unit, quiz: Quiz) -> None:
        course = self.course
        name = ident("Q", unit.id, quiz.id)
        out = [
            f"<?xml version='1.0' encoding='UTF-8'?>\n<questestinterop xmlns=\"{QTI}\" xmlns:xsi=\"{XSI}\" "
            f'xsi:schemaLocation="{QTI} {self.v["qti_xsd"]}">'
            f'<assessment ident="{name}" title="{attribute(render.plain(quiz.title))}"><qtimetadata>'
        ]
        field(out, "cc_profile", "cc.exam.v0p1")
        field(out, "qmd_assessmenttype", "Examination")
        field(out, "qmd_scoretype", "Percentage")
        field(out, "cc_maxattempts", str(quiz.max_attempts) if quiz.max_attempts else "unlimited")
        # The profile has no pass mark (QTI's cutvalue is left out of it): learners read it in
        # the introduction, and it stays in the metadata for tools that look.
        field(out, "moocpack_pass_mark", str(quiz.pass_mark))
        out.append("</qtimetadata>")
        introduction = (
            render.h(course, quiz.introduction)
            + render.quiz_credits(course, quiz)
            + f"<p>{render.esc(course.message('not_passed', pass_mark=quiz.pass_mark))}</p>"
        )
        out.append("<presentation_material><flow_mat>")
        material(out, introduction)
        out.append(f'</flow_mat></presentation_material><section ident="{ident(name, "S")}">')
        for question in quiz.questions:
            self.items(out, question)
        out.append("</section></assessment></questestinterop>\n")
        path = f"{name}/assessment.xml"
        self.files[path] = "".join(out).encode()
        self.item(
            folder,
            ident("I", unit.id, quiz.id),
            render.plain(quiz.title),
            self.resource(ident("R", unit.id, quiz.id), self.v["assessment"], None, [path]),
        )

    def items(self, out: list, q: Question) -> None:
        """The QTI items of one question (a matching question gives one per prompt)."""
        course = self.course
        stem = render.directed(course, render.fallback_notice(course, q.stem) + str(q.stem))
        points = q.points if q.graded else 0
        if q.type == MATCHING:
            targets = q.answer_targets
            texts = {str(p.answer): p.answer for p in q.pairs}
            for pair in q.pairs:
                options = [
                    (f"t{i}", texts[target], target == str(pair.answer), None) for i, target in enumerate(targets)
                ]
                prompt = f"{stem}<p><strong>{render.t(course, pair.prompt)}</strong></p>"
                self.choice_item(out, ident(q.id, pair.id), q, prompt, options, False, points / len(q.pairs))
        elif q.type in (SINGLE_CHOICE, TRUE_FALSE, MULTIPLE_RESPONSE):
            options = [(o.id, o.text, o.correct, o.feedback) for o in q.options]
            self.choice_item(out, ident(q.id), q, stem, options, q.type == MULTIPLE_RESPONSE, points)
        elif q.type in (SHORT_TEXT, ESSAY):
            self.text_item(out, q, stem, points)
        elif (plugin := kinds.for_format(q, "cc")) is not None:
            out.append(plugin.qti(q))
        elif q.type == LIKERT:
            raise ExportError(
                f"question '{q.id}': Common Cartridge's QTI profile cannot express a {q.type} "
                "question in a graded quiz; leave the cc format out, or the question"
            )
        else:
            raise ExportError(f"question '{q.id}': unknown type {q.type}")

    def item_head(self, out: list, identifier: str, q: Question, profile: str, points: float) -> None:
        title = attribute(render.plain(q.title or q.stem)[:255])
        out.append(f'<item ident="{attribute(identifier)}" title="{title}"><itemmetadata><qtimetadata>')
        field(out, "cc_profile", profile)
        field(out, "cc_weighting", f"{points:g}")
        if q.competences:
            field(out, "moocpack_competences", " ".join(q.competences))
        out.append("</qtimetadata></itemmetadata><presentation>")

    def choice_item(
        self, out: list, identifier: str, q: Question, stem: str, options, multiple: bool, points: float
    ) -> None:
        course = self.course
        profile = PROFILES[MULTIPLE_RESPONSE if multiple else (TRUE_FALSE if q.type == TRUE_FALSE else SINGLE_CHOICE)]
        self.item_head(out, identifier, q, profile, points)
        material(out, stem)
        out.append(
            f'<response_lid ident="response1" rcardinality="{"Multiple" if multiple else "Single"}"><render_choice>'
        )
        for oid, text_value, _, _ in options:
            out.append(f'<response_label ident="{attribute(oid)}">')
            material(out, render.t(course, text_value))
            out.append("</response_label>")
        out.append(
            "</render_choice></response_lid></presentation><resprocessing><outcomes>"
            '<decvar maxvalue="100" minvalue="0" varname="SCORE" vartype="Decimal"/></outcomes>'
        )
        feedbacks = []
        for oid, _, _, feedback in options:  # each option's own feedback, when it is picked
            if feedback:
                out.append('<respcondition continue="Yes"><conditionvar>')
                equal(out, oid)
                out.append(
                    f'</conditionvar><displayfeedback feedbacktype="Response" linkrefid="{attribute(oid)}_fb"/>'
                    "</respcondition>"
                )
                feedbacks.append((f"{oid}_fb", str(feedback)))
        out.append('<respcondition continue="No"><conditionvar>')
        if multiple:
            out.append("<and>")
            for oid, _, correct, _ in options:
                # case="Yes" on the right ones: how Moodle's importer tells them apart.
                if correct:
                    equal(out, oid, case="Yes")
                else:
                    out.append("<not>")
                    equal(out, oid)
                    out.append("</not>")
            out.append("</and>")
        else:
            for oid, _, correct, _ in options:
                if correct:
                    equal(out, oid)
        out.append('</conditionvar><setvar action="Set" varname="SCORE">100</setvar>')
        general = general_feedback(q)
        if general:
            out.append('<displayfeedback feedbacktype="Response" linkrefid="general_fb"/>')
            feedbacks.append(("general_fb", general))
        out.append("</respcondition></resprocessing>")
        self.feedbacks(out, feedbacks)

    def feedbacks(self, out: list, feedbacks) -> None:
        for fid, html in feedbacks:
            out.append(f'<itemfeedback ident="{attribute(fid)}"><flow_mat>')
            material(out, html)
            out.append("</flow_mat></itemfeedback>")
        out.append("</item>")

    def text_item(self, out: list, q: Question, stem: str, points: float) -> None:
        self.item_head(out, ident(q.id), q, PROFILES[q.type], points)
        material(out, stem)
        out.append(
            '<response_str ident="response1" rcardinality="Single"><render_fib>'
            '<response_label ident="answer1" rshuffle="No"/></render_fib></response_str></presentation>'
            '<resprocessing><outcomes><decvar maxvalue="100" minvalue="0" varname="SCORE" vartype="Decimal"/>'
            "</outcomes>"
        )
        general = general_feedback(q)
        shown = '<displayfeedback feedbacktype="Response" linkrefid="general_fb"/>' if general else ""
        for answer in q.answers:  # one condition per accepted answer: what importers read
            out.append('<respcondition continue="No"><conditionvar>')
            equal(out, str(answer), case="Yes" if q.case_sensitive else "No")
            out.append(f'</conditionvar><setvar action="Set" varname="SCORE">100</setvar>{shown}</respcondition>')
        if q.type == ESSAY and general:
            out.append(f'<respcondition continue="No"><conditionvar><other/></conditionvar>{shown}</respcondition>')
        out.append("</resprocessing>")
        self.feedbacks(out, [("general_fb", general)] if general else [])

    def discussion(self, folder, unit: Unit, quiz: Quiz) -> None:
        """A quiz of discussion or reflection questions: one discussion topic, its questions in
        the text, so that learners answer where the others read them."""
        course, dt = self.course, self.v["dt"]
        name = ident("D", unit.id, quiz.id)
        topic = etree.Element(f"{{{dt}}}topic", nsmap={None: dt, "xsi": XSI})
        topic.set(f"{{{XSI}}}schemaLocation", f"{dt} {self.v['dt_xsd']}")
        etree.SubElement(topic, f"{{{dt}}}title").text = render.plain(quiz.title)
        questions = "".join(f"<li>{q.stem}</li>" for q in quiz.questions)
        text = render.directed(
            course, render.h(course, quiz.introduction) + render.quiz_credits(course, quiz) + f"<ol>{questions}</ol>"
        )
        etree.SubElement(topic, f"{{{dt}}}text", texttype="text/html").text = text
        path = f"{name}/topic.xml"
        self.files[path] = xml(topic)
        self.item(
            folder,
            ident("I", unit.id, quiz.id),
            render.plain(quiz.title),
            self.resource(ident("R", unit.id, quiz.id), self.v["topic"], None, [path]),
        )


def general_feedback(q: Question) -> str:
    """What a right answer shows besides its option's own feedback."""
    return "".join(str(f) for f in (q.correct_feedback, q.feedback) if f)


def field(out: list, label: str, entry: str) -> None:
    out.append(
        f"<qtimetadatafield><fieldlabel>{text(label)}</fieldlabel><fieldentry>{text(entry)}</fieldentry>"
        "</qtimetadatafield>"
    )


def material(out: list, html: str) -> None:
    out.append(f'<material><mattext texttype="text/html">{text(html)}</mattext></material>')


def equal(out: list, value: str, case: str | None = None) -> None:
    case = f' case="{case}"' if case else ""
    out.append(f'<varequal respident="response1"{case}>{text(value)}</varequal>')


def xml(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


class CommonCartridgeExporter(Exporter):
    name = "cc"
    extension = "imscc"
    description = "IMS Common Cartridge with QTI quizzes (Canvas, Blackboard, Brightspace, Schoology, Sakai, Moodle)."
    settings = (
        Setting(
            "cc_version",
            "Common Cartridge version: 1.3, or 1.1 for importers that read only 1.0/1.1 (Moodle's)",
            default="1.3",
            choices=("1.3", "1.1"),
        ),
    )

    def files(self, course: Course, options: ExportOptions) -> dict[str, bytes]:
        return Cartridge(course, options.settings["cc_version"]).build()

    def archive(self, files: dict[str, bytes], course: Course, options: ExportOptions) -> bytes:
        return zip_bytes(files, options.epoch)
