"""`scorm12` and `scorm2004`: one SCO per unit, the html exporter's pages plus an LMS runtime.

Each unit page is a SCO; worksheets, the competence page, styles and scripts form one shared
`asset` resource. The XSDs of the version ship at the zip root. See manifest.py for the manifest
and static/scorm.js for the runtime (lms.js in the package).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources

from moocpack.exporter import Exporter, ExportOptions, for_last_course, Scheduling
from moocpack.model import Course, Unit
from moocpack import archive, render

from . import manifest

__all__ = ["Scorm12Exporter", "Scorm2004Exporter"]


def _static(name: str) -> bytes:
    return resources.files("moocpack_exporters.scorm").joinpath("static", name).read_bytes()


def xsd_files(version: str) -> dict[str, bytes]:
    folder = resources.files("moocpack_exporters.scorm").joinpath("xsd", "scorm12" if version == "1.2" else "scorm2004")
    return {entry.name: entry.read_bytes() for entry in folder.iterdir() if entry.name.endswith(".xsd")}


LINKS = render.Links(new_window=True)
# The script that connects a unit page to the platform, under one name whichever standard it
# speaks (static/scorm.js here, the cmi5 exporter's own there): both formats share the pages.
RUNTIME = "lms.js"


def sco_config(course: Course, unit: Unit) -> dict:
    questions = {}
    for quiz in unit.quizzes:
        data = render.quiz_data(course, quiz)
        for question, entry in zip(quiz.questions, data["questions"]):
            if question.id in questions:
                continue
            entry = dict(entry)
            entry.update(
                quiz=quiz.id,
                graded=question.graded and quiz.graded,
                id12=question.id[:255],
                uri=f"urn:moocpack:{course.id}:{question.id}",
                description=render.plain(question.stem)[:250],
            )
            questions[question.id] = entry
    graded_quizzes = [quiz.id for quiz in unit.quizzes if quiz.graded and quiz.max_points > 0]
    return {
        "unit": unit.id,
        "passMark": manifest.pass_mark(unit, course),
        "gradedQuizzes": graded_quizzes,
        "questions": questions,
        "order": list(questions),
        "messages": {key: course.messages[key] for key in ("not_connected", "connected", "answer_shortened")},
    }


def sco_page(course: Course, unit: Unit) -> str:
    config = render.script_json(sco_config(course, unit))
    body = render.unit_body(course, unit, LINKS)
    body += (
        f'<div id="end-of-unit"></div><p class="print-hide"><button type="button" id="lms-exit">'
        f"{render.esc(course.message('exit'))}</button></p>"
    )
    head = f'<script type="application/json" id="moocpack-sco">{config}</script>'
    banner = '<p class="lms-status" id="lms-status" role="status"></p>'
    title = f"{render.unit_label(course, unit)} {unit.title}".strip()
    page = render.document(
        course,
        title,
        body,
        scripts=("quiz.js", RUNTIME),
        home=None,
        head=head,
        banner=banner,
        footer=render.footer(course),
    )
    return outside_links_in_new_window(page)


def outside_links_in_new_window(page: str) -> str:
    """Following a web link inside the SCO's frame would end its LMS session: open them apart."""
    return re.sub(r'<a href="(https?://[^"]*)"', r'<a target="_blank" rel="noopener" href="\1"', page)


def runtime(version: str) -> bytes:
    """The LMS runtime, told which version's API to look for: the one file of a package's pages
    and scripts that differs between the versions."""
    return _static("scorm.js").replace(b'var version = "";', b'var version = "%s";' % version.encode(), 1)


def side_page(course: Course, title: str, body: str) -> str:
    """Worksheets and the competence page: opened in a new window, no links to SCOs."""
    return outside_links_in_new_window(
        render.document(course, title, body, scripts=("quiz.js",), home=None, footer=render.footer(course))
    )


@dataclass(frozen=True)
class Pages:
    """What both versions' packages of one course hold alike: every page, style and script but
    the runtime, and which files make each unit's SCO."""

    files: dict[str, bytes]
    sco_files: dict[str, list[str]]
    shared: list[str]  # the asset resource's files
    # Each file deflated once for both packages, by content (the files above, which the family
    # holds anyway, are the keys): see archive.zip_bytes.
    deflated: dict[bytes, tuple[int, bytes]] = field(default_factory=dict)


@for_last_course
def pages(course: Course) -> Pages:
    """The course's pages, made once for both versions (one family, with the website):
    rendering them is most of the work of either package."""
    files: dict[str, bytes] = {}
    shared = {"style.css": render.static_file("style.css"), "quiz.js": render.quiz_script(course)}
    if course.frameworks:
        shared["competences.html"] = side_page(
            course,
            f"{course.message('frameworks')} – {course.title}",
            render.competences_body(course, unit_links=False),
        ).encode()
    sco_files: dict[str, list[str]] = {}
    for unit in course.units:
        launch = render.unit_file(unit)
        files[launch] = sco_page(course, unit).encode()
        sco_files[unit.id] = [launch]
        for sheet in unit.worksheets:
            name = render.worksheet_file(sheet)
            body = (
                f'<article class="worksheet"><h1>{render.worksheet_title(course, sheet)}</h1>'
                f"{render.worksheet_body(course, sheet)}</article>"
                f'<p class="print-hide"><button type="button" class="print">'
                f"{render.esc(course.message('print'))}</button></p>"
            )
            shared.setdefault(name, side_page(course, f"{sheet.title} – {course.title}", body).encode())
        for asset in unit.assets:
            shared[asset.path] = asset.data
    files.update(shared)
    return Pages(files, sco_files, sorted([*shared, RUNTIME]))


class ScormExporter(Exporter):
    version = "1.2"
    extension = "zip"
    scheduling = Scheduling(family="pages")

    def files(self, course: Course, options: ExportOptions) -> dict[str, bytes]:
        common = pages(course)
        files = {**xsd_files(self.version), **common.files, RUNTIME: runtime(self.version)}
        files["imsmanifest.xml"] = manifest.build(course, self.version, common.sco_files, common.shared)
        return files

    def archive(self, files: dict[str, bytes], course: Course, options: ExportOptions) -> bytes:
        return archive.zip_bytes(files, options.epoch, deflated=pages(course).deflated)


class Scorm12Exporter(ScormExporter):
    name = "scorm12"
    version = "1.2"
    scheduling = Scheduling(family="pages", cost=1.0)  # its quizzes come from the website's
    description = "SCORM 1.2 package: one SCO per unit, score, status, interactions and bookmarks."


class Scorm2004Exporter(ScormExporter):
    name = "scorm2004"
    version = "2004"
    scheduling = Scheduling(family="pages", cost=0.4)  # it reuses every page of SCORM 1.2
    description = "SCORM 2004 4th edition package: one SCO per unit, objectives per competence."
