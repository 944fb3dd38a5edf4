"""`html`: the course as a static, offline, accessible website, zipped; `guide`: the same
website for facilitators, with every trainer instruction (the session plan) in it.

index.html (the course), one page per unit, one printable handout per worksheet, and
competences.html with the frameworks and a coverage matrix. No external requests: the styles
and the quiz script ship inside the package.
"""

from __future__ import annotations

from importlib import resources

from moocpack import coverage, render
from moocpack.exporter import Exporter, ExportOptions, for_last_course, Scheduling
from moocpack.model import FACILITATOR, LEARNER, Course, Unit, Worksheet
from moocpack.render import competences_body, esc, footer, h, t, unit_file, worksheet_file


def toc_entries(course: Course) -> list[tuple[str, str]]:
    """(href, label HTML) of every entry of the table of contents."""
    entries = [(unit_file(unit), render.unit_heading(course, unit)) for unit in course.units]
    if not course.frameworks:  # a course without a framework has no competence page
        return entries
    return entries + [("competences.html", esc(course.message("competence_framework")))]


def full_navigation(course: Course) -> str:
    """The whole table of contents, written out: the home page's."""
    items = "".join(f'<li><a href="{href}">{label}</a></li>' for href, label in toc_entries(course))
    return f'<nav aria-label="{esc(course.message("contents"))}"><ul>{items}</ul></nav>'


def navigation(course: Course, current: str) -> str:
    """Any other page's: a link to the contents, which nav.js replaces with the table of
    contents from toc.js (one copy per package, not one per page)."""
    return (
        f'<nav aria-label="{esc(course.message("contents"))}" data-toc data-current="{esc(current)}">'
        f'<ul><li><a href="index.html#contents">{esc(course.message("contents"))}</a></li></ul></nav>'
    )


def toc_script(course: Course) -> bytes:
    return (
        b"window.moocpackToc = "
        + render.script_json([{"href": href, "label": label} for href, label in toc_entries(course)]).encode()
        + b";\n"
    )


NAV_SCRIPTS = ("toc.js", "nav.js")
QUIZ_SCRIPTS = ("quiz.js", "store.js")  # store.js: answers kept in this browser (the website only)
UNIT_SCRIPTS = QUIZ_SCRIPTS + ("steps.js",)  # steps.js: a unit a part at a time


def store_meta(course: Course, audience: str) -> str:
    """Where store.js keeps answers: per course, version and language; the facilitator guide's apart."""
    guide = "-guide" if audience == FACILITATOR else ""
    return (
        f'<meta name="moocpack-store" '
        f'content="{esc(course.id)}@{esc(str(course.version))}/{esc(course.language)}{guide}">'
    )


def banner(course: Course, audience: str) -> str:
    """The facilitator guide says on every page what it is; the learners' website says nothing."""
    if audience != FACILITATOR:
        return ""
    return f'<p class="guide-banner" role="note">{esc(course.message("facilitator_guide_note"))}</p>'


def coverage_facts(course: Course) -> str:
    """How much of each framework the course covers, counted, never claimed: "21 of 63 items"."""
    facts = []
    for fw in course.frameworks:
        items, covered = coverage.totals(coverage.matrix(course, fw))
        summary = esc(course.message("coverage_summary", covered=covered, items=items))
        facts.append(
            f'<dt>{t(course, fw.title)}</dt><dd><a href="competences.html#framework-{esc(fw.id)}">{summary}</a></dd>'
        )
    return "".join(facts)


def index_page(course: Course, audience: str = LEARNER) -> str:
    units = []
    for unit in course.units:
        extra = f' <span class="duration">({render.duration(course, unit.duration)})</span>' if unit.duration else ""
        summary = f"<p>{t(course, unit.summary)}</p>" if unit.summary else ""
        units.append(f'<li><a href="{unit_file(unit)}">{render.unit_heading(course, unit)}</a>{extra}{summary}</li>')
    organisations = "".join(
        f"<li>{t(course, o.name)}"
        + (f", {t(course, o.place)}" if o.place else "")
        + (f" ({t(course, o.role)})" if o.role else "")
        + "</li>"
        for o in course.organisations
    )
    body = [
        f"<h1>{t(course, course.title)}</h1>",
        f'<p class="lead">{t(course, course.short_description)}</p>',
        h(course, course.description),
        f'<dl class="facts"><dt>{esc(course.message("effort"))}</dt><dd>{render.duration(course, course.effort)}</dd>'
        + coverage_facts(course)
        + "</dl>",
        f'<section id="contents"><h2>{esc(course.message("contents"))}</h2><ol class="units">{"".join(units)}</ol>'
        "</section>",
    ]
    if course.project:
        body.append(f"<section><h2>{esc(course.message('about_project'))}</h2>{h(course, course.project)}</section>")
    body.append(f"<section><h2>{esc(course.message('organisations'))}</h2><ul>{organisations}</ul></section>")
    return render.document(
        course,
        str(course.title),
        "".join(body),
        nav=full_navigation(course),
        footer=footer(course),
        banner=banner(course, audience),
    )


def unit_page(course: Course, unit: Unit, audience: str = LEARNER) -> str:
    body = render.unit_body(course, unit, audience=audience)
    index = next(i for i, u in enumerate(course.units) if u is unit)  # by identity: == compares whole units
    links = []
    if index > 0:
        prev = course.units[index - 1]
        links.append(
            f'<a rel="prev" href="{unit_file(prev)}">← {esc(course.message("previous"))}: {t(course, prev.title)}</a>'
        )
    if index + 1 < len(course.units):
        nxt = course.units[index + 1]
        links.append(
            f'<a rel="next" href="{unit_file(nxt)}">{esc(course.message("next"))}: {t(course, nxt.title)} →</a>'
        )
    body += f'<nav class="pager" aria-label="{esc(course.message("contents"))}">{"".join(links)}</nav>'
    # steps.js shows the unit a part at a time; these are its words, in the course's language.
    words = {
        key: course.message(key) for key in ("on_this_page", "previous", "next", "step_progress", "quizzes_passed")
    }
    body += f'<script type="application/json" class="unit-steps">{render.script_json(words)}</script>'
    title = f"{render.unit_label(course, unit)} {unit.title} – {course.title}".strip()
    return render.document(
        course,
        title,
        body,
        nav=navigation(course, unit_file(unit)),
        scripts=UNIT_SCRIPTS + NAV_SCRIPTS,
        footer=footer(course),
        banner=banner(course, audience),
        head=store_meta(course, audience),
    )


def worksheet_page(course: Course, sheet: Worksheet, unit: Unit, audience: str = LEARNER) -> str:
    body = (
        f'<p class="print-hide"><a href="{unit_file(unit)}">← {render.unit_heading(course, unit)}</a> '
        f'<button type="button" class="print">{esc(course.message("print"))}</button></p>'
        f'<article class="worksheet"><h1>{render.worksheet_title(course, sheet)}</h1>'
        f"{render.worksheet_body(course, sheet, audience)}</article>"
    )
    number = f"{course.message('worksheet')} {sheet.number} – " if sheet.number else ""
    return render.document(
        course,
        f"{number}{sheet.title} – {course.title}",
        body,
        nav=navigation(course, worksheet_file(sheet)),
        scripts=QUIZ_SCRIPTS + NAV_SCRIPTS,
        footer=footer(course),
        banner=banner(course, audience),
    )


# The same in the website and the guide (one family, with SCORM), and a large course's largest page.
shared_competences_body = for_last_course(competences_body)


def competences_page(course: Course, audience: str = LEARNER) -> str:
    return render.document(
        course,
        f"{course.message('frameworks')} – {course.title}",
        shared_competences_body(course),
        nav=navigation(course, "competences.html"),
        scripts=NAV_SCRIPTS,
        footer=footer(course),
        banner=banner(course, audience),
    )


def site_files(course: Course, audience: str = LEARNER, reuse: dict[str, bytes] | None = None) -> dict[str, bytes]:
    """Every file of the website for learners or facilitators; shared with exporters that wrap
    the same pages. `reuse`: pages already made for the same units (the preview server's, after
    a save that changed other units), taken instead of rendered."""
    reuse = reuse or {}
    files = {
        "index.html": index_page(course, audience).encode(),
        "style.css": render.static_file("style.css"),
        "quiz.js": render.quiz_script(course),
        "toc.js": toc_script(course),
        **{
            name: resources.files("moocpack_exporters.html").joinpath("static", name).read_bytes()
            for name in ("nav.js", "store.js", "steps.js")
        },  # the website's own scripts
    }
    if course.frameworks:
        files["competences.html"] = competences_page(course, audience).encode()
    for unit in course.units:
        name = unit_file(unit)
        files[name] = reuse[name] if name in reuse else unit_page(course, unit, audience).encode()
        for sheet in unit.worksheets:
            name = worksheet_file(sheet)
            if name not in files:
                files[name] = reuse[name] if name in reuse else worksheet_page(course, sheet, unit, audience).encode()
        for asset in unit.assets:
            files[asset.path] = asset.data
    return files


class HtmlExporter(Exporter):
    name = "html"
    extension = "zip"
    scheduling = Scheduling(family="pages")
    description = "Static, offline, accessible website of the course (open index.html)."

    def files(self, course: Course, options: ExportOptions) -> dict[str, bytes]:
        return site_files(course)


class GuideExporter(Exporter):
    """The facilitator guide: the website with the trainer's session plan in it (procedures,
    tips, materials, facilitator pages, session closure), printable page by page."""

    name = "guide"
    extension = "zip"
    # In one family with the website, it reuses its quizzes and competence page.
    scheduling = Scheduling(family="pages", cost=0.5)
    description = "Facilitator guide: the website with every trainer instruction, for running the sessions."

    def files(self, course: Course, options: ExportOptions) -> dict[str, bytes]:
        return site_files(course, FACILITATOR)
