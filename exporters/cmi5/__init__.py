"""`cmi5`: a cmi5 course package per language, the xAPI profile that succeeds SCORM.

The package is a zip with `cmi5.xml` (the course structure) at its root: the course, a block per
unit and, in each, one assignable unit (AU) whose launch page is the unit's SCORM page: the same
pages, worksheets and quizzes (one family with the website and SCORM), with the cmi5 runtime
(static/cmi5.js, `lms.js` in the package) in place of the SCORM one. A unit with a graded quiz
moves on when passed, its quiz's pass mark its `masteryScore`; any other when completed.

What the runtime reports to the learning record store, and how each question becomes an xAPI
interaction, is in docs/cmi5.md. Identifiers: the course, its blocks and AUs carry the language
(each language's package is a course of its own to the LMS); questions and competences do not,
so that answers in every language add up for the same question and competence.
"""

from __future__ import annotations

from importlib import resources
from urllib.parse import quote

from lxml import etree

from moocpack import archive, kinds, render
from moocpack.exporter import Exporter, ExportOptions, Scheduling
from moocpack.model import ESSAY, LIKERT, MATCHING, MULTIPLE_RESPONSE, SHORT_TEXT, SINGLE_CHOICE, TRUE_FALSE
from moocpack.model import Course, Question, Unit
from moocpack_exporters import scorm

__all__ = ["Cmi5Exporter", "course_structure", "interaction"]

NS = "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"
INTERACTION = "http://adlnet.gov/expapi/activities/cmi.interaction"
OBJECTIVE = "http://adlnet.gov/expapi/activities/objective"
# xAPI interaction types of the built-in question types (a plug-in kind says its own, or "other").
INTERACTION_TYPES = {
    TRUE_FALSE: "true-false",
    SINGLE_CHOICE: "choice",
    MULTIPLE_RESPONSE: "choice",
    MATCHING: "matching",
    LIKERT: "likert",
    SHORT_TEXT: "fill-in",
    ESSAY: "long-fill-in",
}


def iri(*parts: str) -> str:
    """A URN from ids (which are ASCII slugs, but a plug-in's need not be): an IRI for xAPI."""
    return "urn:moocpack:" + ":".join(quote(part, safe="-._~") for part in parts)


def course_iri(course: Course) -> str:
    return iri(course.id, course.language)


def au_iri(course: Course, unit: Unit) -> str:
    return iri(course.id, course.language, "au", unit.id)


def question_iri(course: Course, question: Question) -> str:
    return iri(course.id, "question", question.id)


def competence_iri(course: Course, competence_id: str) -> str:
    return iri(course.id, "competence", competence_id)


def _text(course: Course, value: str, length: int | None = None) -> dict:
    """An xAPI language map in the course's language."""
    text = render.plain(value)
    return {course.language: render.short(text, length) if length else text}


def interaction(course: Course, question: Question) -> dict:
    """The question as an xAPI activity definition (cmi.interaction), in the course's language;
    response ids are those the runtime reports (option ids; matching targets t0, t1, …)."""
    definition = {
        "type": INTERACTION,
        "name": _text(course, render.question_title(question)),
        "description": _text(course, question.stem),
    }
    plugin = kinds.kind(question.type)
    if plugin is not None:
        definition.update(plugin.xapi(question))
        return definition
    definition["interactionType"] = INTERACTION_TYPES[question.type]
    correct = [o.id for o in question.options if o.correct]
    if question.type in (SINGLE_CHOICE, MULTIPLE_RESPONSE):
        definition["choices"] = [{"id": o.id, "description": _text(course, o.text)} for o in question.options]
        definition["correctResponsesPattern"] = ["[,]".join(correct)]
    elif question.type == TRUE_FALSE:
        definition["correctResponsesPattern"] = correct[:1]
    elif question.type == LIKERT:
        definition["scale"] = [{"id": o.id, "description": _text(course, o.text)} for o in question.options]
    elif question.type == MATCHING:
        targets = list(question.answer_targets)
        definition["source"] = [{"id": p.id, "description": _text(course, p.prompt)} for p in question.pairs]
        definition["target"] = [{"id": f"t{i}", "description": _text(course, t)} for i, t in enumerate(targets)]
        definition["correctResponsesPattern"] = [
            "[,]".join(f"{p.id}[.]t{targets.index(str(p.answer))}" for p in question.pairs)
        ]
    elif question.type == SHORT_TEXT:
        case = "true" if question.case_sensitive else "false"
        definition["correctResponsesPattern"] = [f"{{case_matters={case}}}{answer}" for answer in question.answers]
    return definition


def au_config(course: Course, unit: Unit) -> dict:
    """What the runtime needs besides the SCORM page's settings: each question's activity and each
    competence's, ready to send."""
    config = scorm.sco_config(course, unit)
    competences = {}
    for question in unit.questions:
        entry = config["questions"][question.id]
        entry["activity"] = {"id": question_iri(course, question), "definition": interaction(course, question)}
        for cid in question.competences:
            if cid not in competences:
                item = course.competence(cid)
                competences[cid] = {
                    "id": competence_iri(course, cid),
                    "definition": {"type": OBJECTIVE, "name": _text(course, f"{item.id} {item.text}", 250)},
                }
    config["competences"] = competences
    config["language"] = course.language
    return config


SETTINGS = b'<script type="application/json" id="moocpack-sco">'


def au_page(course: Course, unit: Unit, sco_page: bytes) -> bytes:
    """The unit's SCORM page (made once for both), with the cmi5 settings in its settings element."""
    start = sco_page.index(SETTINGS) + len(SETTINGS)
    end = sco_page.index(b"</script>", start)
    return sco_page[:start] + render.script_json(au_config(course, unit)).encode() + sco_page[end:]


def _langstring(parent, name: str, text: str, lang: str) -> None:
    holder = etree.SubElement(parent, f"{{{NS}}}{name}")
    etree.SubElement(holder, f"{{{NS}}}langstring", lang=lang).text = text


def course_structure(course: Course, launch: dict[str, str]) -> bytes:
    """cmi5.xml: the course, its competences as objectives, a block per unit holding its AU."""
    lang = course.language
    root = etree.Element(f"{{{NS}}}courseStructure", nsmap={None: NS})
    head = etree.SubElement(root, f"{{{NS}}}course", id=course_iri(course))
    _langstring(head, "title", str(course.title), lang)
    _langstring(head, "description", render.plain(course.description) or str(course.short_description), lang)
    used = list(dict.fromkeys(c for unit in course.units for c in unit.competences))
    if used:
        objectives = etree.SubElement(root, f"{{{NS}}}objectives")
        for cid in used:
            item = course.competence(cid)
            objective = etree.SubElement(objectives, f"{{{NS}}}objective", id=competence_iri(course, cid))
            _langstring(objective, "title", render.short(f"{item.id} {item.text}", 200), lang)
            _langstring(objective, "description", str(item.text), lang)
    for unit in course.units:
        title = f"{render.unit_label(course, unit)} {unit.title}".strip()
        description = str(unit.summary) if unit.summary else render.plain(unit.introduction or "") or title
        block = etree.SubElement(root, f"{{{NS}}}block", id=iri(course.id, lang, "block", unit.id))
        _langstring(block, "title", title, lang)
        _langstring(block, "description", description, lang)
        graded = any(quiz.graded and quiz.max_points > 0 for quiz in unit.quizzes)
        attributes = {"id": au_iri(course, unit), "moveOn": "Passed" if graded else "Completed"}
        if graded:
            attributes["masteryScore"] = f"{scorm.manifest.pass_mark(unit, course) / 100:g}"
        # The AU's page opens links outside the course in a new window and can live in a frame.
        attributes["launchMethod"] = "AnyWindow"
        au = etree.SubElement(block, f"{{{NS}}}au", attributes)
        _langstring(au, "title", title, lang)
        _langstring(au, "description", description, lang)
        if unit.competences:
            references = etree.SubElement(au, f"{{{NS}}}objectives")
            for cid in unit.competences:
                etree.SubElement(references, f"{{{NS}}}objective", idref=competence_iri(course, cid))
        etree.SubElement(au, f"{{{NS}}}url").text = launch[unit.id]
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def runtime() -> bytes:
    return resources.files("moocpack_exporters.cmi5").joinpath("static", "cmi5.js").read_bytes()


def xsd() -> bytes:
    """The cmi5 course structure XSD, from the cmi5 specification (Apache 2.0)."""
    return resources.files("moocpack_exporters.cmi5").joinpath("xsd", "CourseStructure.xsd").read_bytes()


class Cmi5Exporter(Exporter):
    name = "cmi5"
    extension = "zip"
    # The SCORM packages' pages, worksheets and styles, made once.
    scheduling = Scheduling(family="pages", cost=0.6)
    description = "cmi5 course package: an AU per unit reporting answers, competences and results as xAPI."

    def files(self, course: Course, options: ExportOptions) -> dict[str, bytes]:
        common = scorm.pages(course)
        files = dict(common.files)
        launch = {}
        for unit in course.units:
            launch[unit.id] = common.sco_files[unit.id][0]
            files[launch[unit.id]] = au_page(course, unit, common.files[launch[unit.id]])
        files[scorm.RUNTIME] = runtime()
        files["cmi5.xml"] = course_structure(course, launch)
        return files

    def archive(self, files: dict[str, bytes], course: Course, options: ExportOptions) -> bytes:
        return archive.zip_bytes(files, options.epoch, deflated=scorm.pages(course).deflated)
