"""`html`: the course as a static, offline, accessible website, zipped.

index.html (the course), one page per unit, one printable handout per worksheet, and
competences.html with the frameworks and a coverage matrix. No external requests: the styles
and the quiz script ship inside the package.
"""

from __future__ import annotations

from moocpack.exporter import ExportOptions, Exporter
from moocpack.model import Course, Unit, Worksheet

from . import pages
from .pages import esc, h, t


def unit_file(unit: Unit) -> str:
    return f"{unit.id}.html"


def worksheet_file(sheet: Worksheet) -> str:
    return pages.SITE.worksheet(sheet)


def navigation(course: Course, current: str = "", nav: str | None = None) -> str:
    """The site navigation; pass `nav` (from site_navigation) to avoid rebuilding it per page."""
    nav = nav if nav is not None else site_navigation(course)
    if current:
        # hrefs are unique in the list, so marking the current page is one replacement.
        nav = nav.replace(f'<a href="{current}">', f'<a href="{current}" aria-current="page">', 1)
    return nav


def site_navigation(course: Course) -> str:
    items = [f'<li><a href="{unit_file(unit)}">{pages.unit_heading(course, unit)}</a></li>' for unit in course.units]
    items.append(f'<li><a href="competences.html">{esc(course.message("competence_framework"))}</a></li>')
    return f'<nav aria-label="{esc(course.message("contents"))}"><ul>{"".join(items)}</ul></nav>'


def footer(course: Course) -> str:
    parts = [h(course, course.acknowledgement, cls="acknowledgement")]
    licence = esc(course.licence.id)
    if course.licence.url:
        licence = f'<a href="{esc(course.licence.url)}" rel="license">{licence}</a>'
    parts.append(f"<p>{esc(course.message('licence'))}: {licence}"
                 + (f" – {t(course, course.licence.notice)}" if course.licence.notice else "") + "</p>")
    return "".join(parts)


def index_page(course: Course) -> str:
    units = []
    for unit in course.units:
        extra = f' <span class="duration">({pages.duration(course, unit.duration)})</span>' if unit.duration else ""
        summary = f"<p>{t(course, unit.summary)}</p>" if unit.summary else ""
        units.append(f'<li><a href="{unit_file(unit)}">{pages.unit_heading(course, unit)}</a>{extra}{summary}</li>')
    organisations = "".join(
        f"<li>{t(course, o.name)}" + (f", {t(course, o.place)}" if o.place else "")
        + (f" ({t(course, o.role)})" if o.role else "") + "</li>" for o in course.organisations)
    body = [f"<h1>{t(course, course.title)}</h1>",
            f'<p class="lead">{t(course, course.short_description)}</p>',
            h(course, course.description),
            f'<dl class="facts"><dt>{esc(course.message("effort"))}</dt><dd>{pages.duration(course, course.effort)}</dd></dl>',
            f'<section><h2>{esc(course.message("contents"))}</h2><ol class="units">{"".join(units)}</ol></section>']
    if course.project:
        body.append(f'<section><h2>{esc(course.message("about_project"))}</h2>{h(course, course.project)}</section>')
    body.append(f'<section><h2>{esc(course.message("organisations"))}</h2><ul>{organisations}</ul></section>')
    return pages.document(course, str(course.title), "".join(body), nav=navigation(course), footer=footer(course))


def unit_page(course: Course, unit: Unit, nav: str | None = None) -> str:
    body = pages.unit_body(course, unit)
    index = course.units.index(unit)
    links = []
    if index > 0:
        prev = course.units[index - 1]
        links.append(f'<a rel="prev" href="{unit_file(prev)}">← {esc(course.message("previous"))}: '
                     f'{t(course, prev.title)}</a>')
    if index + 1 < len(course.units):
        nxt = course.units[index + 1]
        links.append(f'<a rel="next" href="{unit_file(nxt)}">{esc(course.message("next"))}: '
                     f'{t(course, nxt.title)} →</a>')
    body += f'<nav class="pager" aria-label="{esc(course.message("contents"))}">{"".join(links)}</nav>'
    title = f"{pages.unit_label(course, unit)} {unit.title} – {course.title}".strip()
    return pages.document(course, title, body, nav=navigation(course, unit_file(unit), nav), scripts=("quiz.js",),
                          footer=footer(course))


def worksheet_page(course: Course, sheet: Worksheet, unit: Unit, nav: str | None = None) -> str:
    body = (f'<p class="print-hide"><a href="{unit_file(unit)}">← {pages.unit_heading(course, unit)}</a> '
            f'<button type="button" class="print">{esc(course.message("print"))}</button></p>'
            f'<article class="worksheet"><h1>{pages.worksheet_title(course, sheet)}</h1>'
            f'{pages.worksheet_body(course, sheet)}</article>')
    number = f"{course.message('worksheet')} {sheet.number} – " if sheet.number else ""
    return pages.document(course, f"{number}{sheet.title} – {course.title}", body, nav=navigation(course, "", nav),
                          scripts=("quiz.js",), footer=footer(course))


def competences_page(course: Course) -> str:
    return pages.document(course, f"{course.message('frameworks')} – {course.title}", competences_body(course),
                          nav=navigation(course, "competences.html"), footer=footer(course))


def competences_body(course: Course, unit_links: bool = True) -> str:
    """The frameworks with their coverage matrix; `unit_links` links cells to the unit pages."""
    covered = course.coverage()

    def link(href: str, label: str) -> str:
        return f'<a href="{href}">{label}</a>' if unit_links else label
    body = [f"<h1>{esc(course.message('frameworks'))}</h1>"]
    for fw in course.frameworks:
        items = fw.items
        count = sum(1 for i in items if i.id in covered)
        body.append(f'<section class="framework" id="framework-{esc(fw.id)}"><h2>{t(course, fw.title)}</h2>')
        body.append(f'<p>{esc(course.message("framework_items", items=len(items), categories=len(fw.categories)))} · '
                    f'{esc(course.message("coverage_summary", covered=count, items=len(items)))}</p>')
        body.append(h(course, fw.description))
        if fw.translation_note:
            body.append(f'<p class="note"><strong>{esc(course.message("translation_note"))}:</strong> '
                        f"{t(course, fw.translation_note)}</p>")
        if fw.source:
            body.append(f'<p class="source"><cite>{esc(fw.source)}</cite></p>')
        head = "".join(f'<th scope="col">{link(unit_file(u), esc(pages.unit_label(course, u) or u.title))}</th>'
                       for u in course.units)
        for category in fw.categories:
            body.append(f'<h3 id="{esc(category.id)}">{esc(category.number)} {t(course, category.title)}</h3>')
            rows = []
            for item in category.items:
                cells = []
                for unit in course.units:
                    refs = covered.get(item.id, {}).get(unit.id, [])
                    links = ", ".join(
                        link(f'{unit_file(unit)}#{esc(ref if kind != "question" else "q-" + ref.replace(".", "--"))}',
                             esc(ref)) for kind, ref in refs)
                    cells.append(f"<td>{links}</td>")
                state = "" if item.id in covered else f' <span class="uncovered">({esc(course.message("not_covered"))})</span>'
                rows.append(f'<tr id="{esc(item.id)}"><th scope="row"><span class="competence-id">{esc(item.id)}</span> '
                            f'{t(course, item.text)}{state}</th>{"".join(cells)}</tr>')
            body.append(f'<table class="coverage"><caption class="visually-hidden">{esc(course.message("coverage"))}'
                        f'</caption><thead><tr><th scope="col">{esc(course.message("competences"))}</th>{head}</tr>'
                        f'</thead><tbody>{"".join(rows)}</tbody></table>')
        body.append("</section>")
    return "".join(body)


def site_files(course: Course) -> dict[str, bytes]:
    """Every file of the website; shared with exporters that wrap the same pages."""
    files = {
        "index.html": index_page(course).encode(),
        "competences.html": competences_page(course).encode(),
        "style.css": pages.static_file("style.css"),
        "quiz.js": pages.static_file("quiz.js"),
    }
    nav = site_navigation(course)
    for unit in course.units:
        files[unit_file(unit)] = unit_page(course, unit, nav).encode()
        for sheet in unit.worksheets:
            if worksheet_file(sheet) not in files:
                files[worksheet_file(sheet)] = worksheet_page(course, sheet, unit, nav).encode()
        for asset in unit.assets:
            files[asset.path] = asset.data
    return files


class HtmlExporter(Exporter):
    name = "html"
    extension = "zip"
    description = "Static, offline, accessible website of the course (open index.html)."

    def files(self, course: Course, options: ExportOptions) -> dict[str, bytes]:
        return site_files(course)
