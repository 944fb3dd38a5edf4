"""`olx`: an Open edX course export (.tar.gz) per language, as Studio's Import page accepts it.

Targets the Open edX releases from Redwood (2024) on, whose course import reads the OLX layout
written here and whose tagging app imports `tags.csv` and taxonomy CSV files; see
docs/olx.md. One chapter per unit; subsections for the introduction, the activities, the case
scenario, the worksheets and each quiz; HTML components reuse the html exporter's page code;
questions are native CAPA problems, reflections Open Response Assessments (self assessment) or,
with `--set olx_essays=html`, ungraded HTML prompts.
"""

from __future__ import annotations

import csv
import io
import json
import re
from urllib.parse import quote, unquote

from lxml import etree

from moocpack.archive import targz_bytes
from moocpack.exporter import Exporter, ExportOptions, Scheduling, Setting
from moocpack.model import ESSAY, LIKERT, MATCHING, MULTIPLE_RESPONSE, SHORT_TEXT
from moocpack.model import FACILITATOR, VIDEO, Course, Media, Question, Quiz, Unit
from moocpack import kinds, media, render
from moocpack.xmlescape import attribute, text
from moocpack.render import plain

NO_LINKS = render.NO_LINKS
_LAST_PARAGRAPH = re.compile(r"<p>((?:(?!<p>).)*)</p>\s*$", re.S)
_LINK = re.compile(r'\b(src|href)="([^"]+)"')


_NOT_URL_NAME = re.compile(r"[^A-Za-z0-9_-]")


def url_name(*parts: str) -> str:
    """Stable url_names from model ids: letters, digits, '-' and '_' only."""
    return _NOT_URL_NAME.sub("_", "_".join(parts))


def xml(element: etree._Element) -> bytes:
    return etree.tostring(element, encoding="utf-8", pretty_print=True)


def _element(tag: str, value, attributes: str = "") -> str:
    return f"<{tag}{attributes}>{text(value)}</{tag}>"


_VOID = re.compile(r"<(br|hr|img)([^>]*?)\s*/?>")


def _xmlish(markup: str) -> str:
    # nh3 writes HTML5: void elements without a slash, and a non-breaking space (French puts
    # one before ? ! : ;) as &nbsp;, which XML does not define. Make them XML.
    if "&nbsp;" in markup:
        markup = markup.replace("&nbsp;", "\u00a0")
    if "<br" in markup or "<hr" in markup or "<img" in markup:
        return _VOID.sub(r"<\1\2/>", markup)
    return markup


class Olx:
    """Collects the files of one course export."""

    def __init__(self, course: Course, org: str, number: str, run: str, essays: str, start: str, end: str):
        self.course, self.org, self.number, self.run, self.essays = course, org, number, run, essays
        self.start, self.end = start, end
        self.asset_paths = {a.path for unit in course.units for a in unit.assets}
        self.files: dict[str, bytes] = {}
        self.tags: list[tuple[str, str, str, list[str]]] = []  # name, type, url_name, competence ids
        self.advanced: set[str] = set()  # block types written that are not core components

    def tag(self, display: str, block_type: str, name: str, competences) -> None:
        # Open edX's importer makes the usage key itself (course_key.make_usage_key(type, id)):
        # the ID column holds the bare block id, as its own tag export writes it.
        if competences:
            self.tags.append((display, block_type, name, list(competences)))

    # -- components ------------------------------------------------------------------------
    def static(self, markup: str) -> str:
        """Course assets are served from the course's static files as /static/<name>."""
        if not self.asset_paths or '="' not in markup:
            return markup

        def served(match):
            path = unquote(match.group(2))  # Markdown writes "my%20pic.png"
            if path not in self.asset_paths:
                return match.group(0)
            return f'{match.group(1)}="/static/{quote(path.rsplit("/", 1)[-1])}"'

        return _LINK.sub(served, markup)

    def html_component(self, name: str, title: str, body: str, staff_only: bool = False) -> etree._Element:
        name = f"h_{name}"  # url_names are unique across block types: each type has its prefix
        body = render.fallback_notice(self.course, body) + body
        self.files[f"html/{name}.html"] = self.static(render.directed(self.course, body)).encode()
        pointer = etree.Element("html", filename=name, display_name=title)
        if staff_only:  # facilitator content: course staff see it, learners do not
            pointer.set("visible_to_staff_only", "true")
        self.files[f"html/{name}.xml"] = xml(pointer)
        return etree.Element("html", url_name=name)

    def video(self, name: str, medium: Media) -> etree._Element:
        """A video component: the file from the course's static files or the YouTube video, with
        a transcript per language (SubRip, which Open edX's importer reads) in static/."""
        name = f"vid_{name}"
        video = etree.Element(
            "video",
            url_name=name,
            display_name=str(medium.title),
            download_track="true" if medium.tracks else "false",
            download_video="true" if medium.file else "false",
        )
        if medium.remote is not None and medium.remote.provider == "youtube":
            video.set("youtube", f"1.00:{medium.remote.video_id}")
            video.set("youtube_id_1_0", medium.remote.video_id)
        else:
            video.set("youtube", "")
            video.set("youtube_id_1_0", "")
        sources = [f"/static/{quote(medium.file.name)}"] if medium.file else []
        video.set("html5_sources", json.dumps(sources))
        transcripts = {}
        for track in medium.tracks:
            filename = f"{track.file.name.rsplit('.', 1)[0]}.srt"
            self.files[f"static/{filename}"] = media.srt(track.cues)
            transcripts[track.lang] = filename
        video.set("transcripts", json.dumps(transcripts, sort_keys=True))
        if self.course.language in transcripts:
            video.set("transcript_language", self.course.language)
        for source in sources:
            etree.SubElement(video, "source", src=source)
        for lang, filename in sorted(transcripts.items()):
            etree.SubElement(video, "transcript", language=lang, src=filename)
        self.files[f"video/{name}.xml"] = xml(video)
        return etree.Element("video", url_name=name)

    def problem(self, question: Question, quiz: Quiz, title: str) -> etree._Element:
        # Written as text and parsed once: the tree lxml would have built element by element
        # (so the same file), in less time; a course has thousands of problems.
        course = self.course
        name = url_name("p", question.id)
        weight = f"{question.points:g}" if question.graded else "0"
        out = [f'<problem display_name="{attribute(title)}" showanswer="finished" weight="{weight}"']
        if quiz.max_attempts:
            out.append(f' max_attempts="{quiz.max_attempts}"')
        out.append(">")
        if course.direction == "rtl":  # Open edX lays pages out in the learner's interface language
            out.append(f'<div dir="rtl" lang="{attribute(course.language)}">')
        notice = render.fallback_notice(
            course, question.stem, *(o.text for o in question.options), *(p.prompt for p in question.pairs)
        )
        if notice:
            out.append(f"<div>{_xmlish(notice)}</div>")
        stem = _xmlish(self.static(str(question.stem)))
        label_text = plain(question.stem)
        if question.type == MATCHING:
            # The prompts are the labels of the dropdowns; the stem introduces them.
            out.append(f"<div>{stem}</div>")
        else:
            # A long stem (a situation to judge, then the question) keeps its layout above the label.
            last = _LAST_PARAGRAPH.search(stem)
            if last and stem.strip() != last.group(0).strip():
                out.append(f"<div>{stem[: last.start()]}</div>")
                label_text = plain(last.group(1))
        if question.type == MATCHING:
            targets = question.answer_targets
            for pair in question.pairs:
                answer = str(pair.answer)
                out.append(f"<optionresponse>{_element('label', pair.prompt)}<optioninput>")
                out.extend(
                    f'<option correct="{"True" if target == answer else "False"}">{text(target)}</option>'
                    for target in targets
                )
                out.append("</optioninput></optionresponse>")
        elif question.type == SHORT_TEXT:
            answers = [str(a) for a in question.answers]
            out.append(
                f'<stringresponse answer="{attribute(answers[0])}" type="{"cs" if question.case_sensitive else "ci"}">'
                f"{_element('label', label_text)}"
            )
            out.extend(f'<additional_answer answer="{attribute(extra)}"/>' for extra in answers[1:])
            out.append('<textline size="40"/></stringresponse>')
        elif (plugin := kinds.for_format(question, "olx")) is not None:
            out.append(plugin.olx(question, _element("label", label_text)))
        else:
            multiple = question.type == MULTIPLE_RESPONSE
            response = "choiceresponse" if multiple else "multiplechoiceresponse"
            group = "<checkboxgroup>" if multiple else '<choicegroup type="MultipleChoice">'
            out.append(f"<{response}>{_element('label', label_text)}{group}")
            for option in question.options:
                hint = ""
                if option.feedback:
                    hint = _element("choicehint", plain(option.feedback), ' selected="true"' if multiple else "")
                out.append(
                    f'<choice correct="{"true" if option.correct else "false"}">{text(option.text)}{hint}</choice>'
                )
            out.append(f"</{'checkboxgroup' if multiple else 'choicegroup'}></{response}>")
        explanation = [f for f in (question.feedback, question.correct_feedback) if f]
        if explanation:
            out.append(f'<solution><div class="detailed-solution">{_element("p", course.message("explanation"))}')
            out.extend(f"<div>{_xmlish(self.static(str(part)))}</div>" for part in explanation)
            out.append("</div></solution>")
        if course.direction == "rtl":
            out.append("</div>")
        out.append("</problem>")
        self.files[f"problem/{name}.xml"] = xml(etree.fromstring("".join(out)))
        self.tag(title, "problem", name, question.competences)
        return etree.Element("problem", url_name=name)

    def reflection(self, question: Question, title: str) -> etree._Element:
        course = self.course
        name = url_name("o", question.id)
        if self.essays == "html":
            body = (
                f'<div class="reflection">{question.stem}'
                f"<p><em>{render.esc(course.message('reflection_kept_here'))}</em></p></div>"
            )
            self.tag(title, "html", name, question.competences)
            return self.html_component(name, title, body)
        self.advanced.add("openassessment")
        ora = etree.Element(
            "openassessment",
            url_name=name,
            text_response="required",
            file_upload_response="",
            prompts_type="html",
            allow_latex="False",
            show_rubric_during_response="True",
            submission_start=self.start,
            submission_due=self.end,
        )
        etree.SubElement(ora, "title").text = title
        assessments = etree.SubElement(ora, "assessments")
        etree.SubElement(assessments, "assessment", name="self-assessment", start=self.start, due=self.end)
        prompt = etree.SubElement(etree.SubElement(ora, "prompts"), "prompt")
        etree.SubElement(prompt, "description").text = render.fallback_notice(course, question.stem) + self.static(
            str(question.stem)
        )
        rubric = etree.SubElement(ora, "rubric")
        criterion = etree.SubElement(rubric, "criterion", feedback="optional")
        etree.SubElement(criterion, "name").text = "reflection"
        etree.SubElement(criterion, "label").text = course.message("reflection")
        etree.SubElement(criterion, "prompt").text = course.message("rubric_prompt")
        for points, key in ((0, "rubric_not_yet"), (1, "rubric_done")):
            option = etree.SubElement(criterion, "option", points=str(points))
            etree.SubElement(option, "name").text = key.split("_", 1)[1]
            etree.SubElement(option, "label").text = course.message(key)
            etree.SubElement(option, "explanation").text = course.message(key)
        self.tag(title, "openassessment", name, question.competences)
        return ora

    def survey(self, questions: list[Question], title: str) -> etree._Element:
        """Self-assessment rows sharing one scale: xblock-poll's survey block (bundled with Open
        edX), ungraded, each learner's answers private, and changeable (no right answer to find)."""
        name = url_name("l", questions[0].id)
        answers = [[option.id, str(option.text)] for option in questions[0].options]
        rows = [[url_name(q.id), {"label": plain(q.stem), "img": None, "img_alt": None}] for q in questions]
        survey = etree.Element(
            "survey",
            url_name=name,
            display_name=title,
            block_name=title,
            questions=json.dumps(rows, ensure_ascii=False),
            answers=json.dumps(answers, ensure_ascii=False),
            feedback="",
            private_results="true",
            max_submissions="0",
        )
        self.tag(title, "survey", name, [c for q in questions for c in q.competences])
        self.advanced.add("survey")
        return survey

    def quiz_children(self, quiz: Quiz) -> list[etree._Element]:
        """One component per question; consecutive self-assessment rows on one scale make one survey."""
        children: list[etree._Element] = []
        titles: dict[str, int] = {}

        def unique(title: str) -> str:
            titles[title] = titles.get(title, 0) + 1
            return title if titles[title] == 1 else f"{title} ({titles[title]})"

        questions = list(quiz.questions)
        while questions:
            question = questions.pop(0)
            if question.type == LIKERT:
                scale = [str(o.text) for o in question.options]
                rows = [question]
                while (
                    questions and questions[0].type == LIKERT and [str(o.text) for o in questions[0].options] == scale
                ):
                    rows.append(questions.pop(0))
                children.append(self.survey(rows, unique(str(quiz.title))))
            elif question.type == ESSAY:
                children.append(self.reflection(question, unique(render.question_title(question))))
            else:
                children.append(self.problem(question, quiz, unique(render.question_title(question))))
        return children

    # -- structure -------------------------------------------------------------------------
    def vertical(
        self, name: str, title: str, children: list[etree._Element], competences=(), staff_only: bool = False
    ) -> etree._Element:
        name = f"v_{name}"
        vertical = etree.Element("vertical", display_name=title)
        if staff_only:
            vertical.set("visible_to_staff_only", "true")
        vertical.extend(children)
        self.files[f"vertical/{name}.xml"] = xml(vertical)
        self.tag(title, "vertical", name, competences)
        return etree.Element("vertical", url_name=name)

    def sequential(self, name: str, title: str, verticals: list, graded: str | None = None) -> etree._Element:
        name = f"s_{name}"
        sequential = etree.Element("sequential", display_name=title)
        if graded:
            sequential.set("format", graded)
            sequential.set("graded", "true")
        sequential.extend(verticals)
        self.files[f"sequential/{name}.xml"] = xml(sequential)
        return etree.Element("sequential", url_name=name)

    def unit(self, unit: Unit) -> etree._Element:
        course = self.course
        base = url_name(unit.id)
        sequentials = []
        # Introduction: the unit's overview, outcomes, materials and content pages.
        intro_parts = [render.outcomes_block(course, unit, NO_LINKS)]
        if unit.introduction:
            intro_parts.insert(0, render.h(course, unit.introduction))
        verticals = [
            self.vertical(
                f"{base}-introduction",
                course.message("introduction"),
                [self.html_component(f"{base}-introduction", course.message("introduction"), "".join(intro_parts))],
                [c for o in unit.outcomes for c in o.competences],
            )
        ]
        notes = render.list_block(course, "materials", unit.materials) + render.list_block(
            course, "conceptual_contents", unit.conceptual_contents
        )
        if notes:
            title = course.message("facilitator_guide")
            verticals.append(
                self.vertical(
                    f"{base}-facilitator",
                    title,
                    [self.html_component(f"{base}-facilitator", title, notes)],
                    staff_only=True,
                )
            )
        for page in unit.pages:
            name = url_name(unit.id, page.id)
            staff = page.audience == FACILITATOR
            # Video files and YouTube videos are Open edX video components (its player,
            # transcripts per language); the page's text and its other media (Vimeo too, which
            # that player cannot play) are one HTML component before them.
            videos = [m for m in page.media if m.type == VIDEO and (m.file or m.remote.provider == "youtube")]
            body = render.page_block(course, page, leave_out=videos)
            verticals.append(
                self.vertical(
                    name,
                    str(page.title),
                    [
                        self.html_component(name, str(page.title), body),
                        *(self.video(url_name(unit.id, page.id, m.id), m) for m in videos),
                    ],
                    staff_only=staff,
                )
            )
        sequentials.append(self.sequential(f"{base}-introduction", course.message("introduction"), verticals))
        if unit.activities:
            verticals = []
            for index, activity in enumerate(unit.activities, 1):
                name = url_name(unit.id, activity.id)
                body = render.activity_block(course, activity, index, NO_LINKS)
                notes = render.activity_notes(course, activity)
                verticals.append(
                    self.vertical(
                        name,
                        str(activity.title),
                        [
                            self.html_component(name, str(activity.title), body),
                            self.html_component(
                                f"{name}-facilitator", course.message("facilitator_guide"), notes, staff_only=True
                            ),
                        ],
                        activity.competences,
                    )
                )
            sequentials.append(self.sequential(f"{base}-activities", course.message("activities"), verticals))
        for case in unit.cases:
            name = url_name(unit.id, case.id)
            verticals = [
                self.vertical(
                    name, str(case.title), [self.html_component(name, str(case.title), render.case_block(course, case))]
                )
            ]
            sequentials.append(self.sequential(name, f"{course.message('case_scenario')}: {case.title}", verticals))
        if unit.worksheets:
            verticals = []
            for sheet in unit.worksheets:
                name = url_name(unit.id, "worksheet", sheet.id)
                title = plain(render.worksheet_title(course, sheet))
                verticals.append(
                    self.vertical(
                        name,
                        title,
                        [
                            self.html_component(
                                name,
                                title,
                                f"<h2>{render.worksheet_title(course, sheet)}</h2>{render.worksheet_body(course, sheet)}",
                            )
                        ],
                    )
                )
            sequentials.append(self.sequential(f"{base}-worksheets", course.message("worksheets"), verticals))
        for quiz in unit.quizzes:
            name = url_name(unit.id, quiz.id)
            children = []
            if quiz.introduction or quiz.credits:
                children.append(
                    self.html_component(
                        f"{name}-introduction",
                        str(quiz.title),
                        render.h(course, quiz.introduction) + render.quiz_credits(course, quiz),
                    )
                )
            children += self.quiz_children(quiz)
            vertical = self.vertical(
                name, str(quiz.title), children, [c for q in quiz.questions for c in q.competences]
            )
            graded = None
            if quiz.graded and quiz.max_points > 0:
                graded = course.message("quiz")
            sequentials.append(self.sequential(name, str(quiz.title), [vertical], graded))
        if unit.closure:  # the trainer closes the session: staff only
            name, title = url_name(unit.id, "closure"), course.message("closure")
            sequentials.append(
                self.sequential(
                    name,
                    title,
                    [
                        self.vertical(
                            name,
                            title,
                            [self.html_component(name, title, render.h(course, unit.closure))],
                            staff_only=True,
                        )
                    ],
                )
            )
        chapter = etree.Element("chapter", display_name=plain(render.unit_heading(course, unit)))
        chapter.extend(sequentials)
        self.files[f"chapter/{base}.xml"] = xml(chapter)
        return etree.Element("chapter", url_name=base)

    def build(self) -> dict[str, bytes]:
        course = self.course
        self.files["course.xml"] = xml(etree.Element("course", url_name=self.run, org=self.org, course=self.number))
        # Course settings live in the course XML only; policy.json holds the rest (no overrides).
        root = etree.Element(
            "course",
            display_name=str(course.title),
            language=course.language,
            start=self.start,
            end=self.end,
            self_paced="true",
            course_image=COURSE_IMAGE,
        )
        for unit in course.units:
            root.append(self.unit(unit))
        self.files[f"course/{self.run}.xml"] = xml(root)
        graded = [q for u in course.units for q in u.quizzes if q.graded and q.max_points > 0]
        grader = (
            [
                {
                    "type": course.message("quiz"),
                    "short_label": course.message("quiz"),
                    "min_count": len(graded),
                    "drop_count": 0,
                    "weight": 1.0,
                }
            ]
            if graded
            else []
        )
        self.files[f"policies/{self.run}/grading_policy.json"] = json.dumps(
            {"GRADER": grader, "GRADE_CUTOFFS": {"Pass": round(course.pass_mark / 100, 2)}},
            indent=4,
            sort_keys=True,
            ensure_ascii=False,
        ).encode()
        self.files[f"policies/{self.run}/policy.json"] = json.dumps(
            {
                f"course/{self.run}": {
                    "short_description": str(course.short_description),
                    "learning_info": [str(o.text) for u in course.units for o in u.outcomes],
                    "effort": f"{int(course.effort.high // 60):02d}:{int(course.effort.high % 60):02d}",
                    # Studio lists a component type for editing only when the course names it here.
                    "advanced_modules": sorted(self.advanced),
                    "tabs": [
                        {"course_staff_only": False, "name": "Course", "type": "courseware"},
                        {"course_staff_only": False, "name": "Progress", "type": "progress"},
                    ],
                }
            },
            indent=4,
            sort_keys=True,
            ensure_ascii=False,
        ).encode()
        self.files[f"policies/{self.run}/assets.json"] = b"{}"
        outcomes = "".join(f"<li>{render.t(course, o.text)}</li>" for u in course.units for o in u.outcomes)
        overview = (
            f'<section class="about"><h2>{render.esc(course.message("about_project"))}</h2>'
            f"{render.h(course, course.description)}{render.h(course, course.project) if course.project else ''}"
            f'</section><section class="outcomes"><h2>{render.esc(course.message("about_outcomes"))}</h2>'
            f"<ul>{outcomes}</ul></section>{render.translation_notice(course)}"
        )
        self.files["about/overview.html"] = overview.encode()
        self.files["about/short_description.html"] = render.esc(course.short_description).encode()
        self.files["about/effort.html"] = (
            f"{int(course.effort.high // 60):02d}:{int(course.effort.high % 60):02d}".encode()
        )
        self.files["info/updates.html"] = b"<ol></ol>"
        # The course's "Handouts" sidebar: each worksheet's printable PDF, unit by unit.
        handouts = []
        for unit in course.units:
            sheets = "".join(
                f'<li><a href="/static/{quote(sheet.handout.name)}">{render.worksheet_title(course, sheet)}</a></li>'
                for sheet in unit.worksheets
                if sheet.handout
            )
            handouts.append(f"<li>{render.t(course, unit.title)}{f'<ul>{sheets}</ul>' if sheets else ''}</li>")
        self.files["info/handouts.html"] = f"<ol>{''.join(handouts)}</ol>".encode()
        for unit in course.units:
            for asset in unit.assets:
                self.files[f"static/{asset.path.rsplit('/', 1)[-1]}"] = asset.data
        self.files[f"static/{COURSE_IMAGE}"] = course_card()
        self.files["tags.csv"] = self.tags_csv()
        return self.files

    def tags_csv(self) -> bytes:
        """Competence tags in the layout of Studio's tag export (one column per taxonomy)."""
        frameworks = [f.id for f in self.course.frameworks]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["Name", "Type", "ID", *frameworks])
        for display, block_type, block_id, competences in self.tags:
            columns = []
            for fid in frameworks:
                values = [taxonomy_value(self.course, c) for c in competences if c.startswith(fid + ".")]
                columns.append(TAGS_SEPARATOR.join(dict.fromkeys(values)))
            writer.writerow([display, block_type, block_id, *columns])
        return out.getvalue().encode()


COURSE_IMAGE = "course_image.png"


def course_card() -> bytes:
    """A plain course card image (378×225, the course-about size), drawn here so builds stay
    reproducible; replace it in Studio with the course's own picture."""
    import struct
    import zlib

    width, height = 378, 225
    row = b"\x00" + bytes((11, 90, 142)) * width

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height, 9))
        + chunk(b"IEND", b"")
    )


# Open edX's tagging reserves these in tag values (openedx_tagging RESERVED_TAG_CHARS): ';' separates
# tags in tags.csv, ' > ' and tabs separate levels. A value holds at most 500 characters.
TAGS_SEPARATOR = ";"
RESERVED = {";": ",", " > ": " – ", "\t": " "}


def tag_value(text: str) -> str:
    for reserved, replacement in RESERVED.items():
        text = text.replace(reserved, replacement)
    return " ".join(text.split())[:500]  # whitespace folded


def taxonomy_value(course: Course, competence_id: str) -> str:
    """A taxonomy value: the id, then the text in the framework's own language. Every language
    version of a course tags with the same values, so one taxonomy serves them all."""
    item = course.competence(competence_id)
    return tag_value(f"{item.id} {item.source_text or item.text}")


def taxonomy_csv(course: Course, framework_id: str) -> bytes:
    """A taxonomy file for Studio's taxonomy import (columns id, value, parent_id), identical
    from every language version of the course."""
    framework = next(f for f in course.frameworks if f.id == framework_id)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", "value", "parent_id"])
    for category in framework.categories:
        writer.writerow([category.id, tag_value(f"{category.id} {category.source_title or category.title}"), ""])
        for item in category.items:
            writer.writerow([item.id, taxonomy_value(course, item.id), category.id])
    return out.getvalue().encode()


class OlxExporter(Exporter):
    name = "olx"
    extension = "tar.gz"
    scheduling = Scheduling(cost=1.5)
    description = "Open edX course export (Studio → Tools → Import), with CAPA problems and competence tags."
    settings = (
        Setting("olx_org", "Organisation of the course key (default: olx.org in course.yaml, else moocpack)."),
        Setting("olx_course", "Course number of the course key (default: olx.course in course.yaml, else the id)."),
        Setting("olx_run", "Run of the course key; {lang} and {version} are filled in (default {version}_{lang})."),
        Setting("olx_end", "Course end date, ISO 8601 (default: start + 5 years)."),
        Setting(
            "olx_essays",
            "Reflections as Open Response Assessments (ora) or ungraded HTML prompts (html).",
            "ora",
            choices=("ora", "html"),
        ),
    )

    def key_and_essays(self, course: Course, options: ExportOptions) -> tuple[str, str, str, str]:
        s = options.settings
        own = course.platform.get("olx", {})
        org = s.get("olx_org") or own.get("org") or "moocpack"
        number = s.get("olx_course") or own.get("course") or course.id
        run = (s.get("olx_run") or own.get("run") or "{version}_{lang}").format(
            version=course.version.replace(".", "_"), lang=course.language
        )
        essays = s.get("olx_essays", "ora")
        return (url_name(org), url_name(number), url_name(run), essays)

    def files(self, course: Course, options: ExportOptions) -> dict[str, bytes]:
        import time

        org, number, run, essays = self.key_and_essays(course, options)
        start = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(options.epoch))
        # Open edX wants an end date; a self-paced course stays open five years unless told otherwise.
        end = options.settings.get("olx_end") or time.strftime(
            "%Y-%m-%dT%H:%M:%SZ", time.gmtime(options.epoch + 5 * 365 * 24 * 3600 + 86400)
        )
        return Olx(course, org, number, run, essays, start, end).build()

    def archive(self, files, course, options) -> bytes:
        return targz_bytes(files, options.epoch, root="course")

    def extra_files(self, course: Course, options: ExportOptions) -> dict[str, bytes]:
        return {f"taxonomy-{f.id}.csv": taxonomy_csv(course, f.id) for f in course.frameworks}
