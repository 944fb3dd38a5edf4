"""Printable handouts: each worksheet as an A4 PDF in the course's language.

Trainers print worksheets for their sessions, so the PDF has what the printed sheet needs: the
course and worksheet titles, lines for a name and a date, the instructions, and the table with
empty cells to write in (or the prompts with lined space), with the licence and page numbers at
the foot. fpdf2 writes it: pure Python (no system libraries), and with the creation date fixed
the bytes are the same on every run. Text that Windows-1252 can write (English, Norwegian,
French and the other western European languages) uses the PDF's built-in Helvetica, which is
fast and embeds nothing; any other text embeds the bundled DejaVu Sans, which covers Greek,
Cyrillic and much more.

A build makes them once per language, before the packages (`with_handouts`), on every core;
making one takes a few to tens of milliseconds, so each is also kept in a cache folder keyed by a
digest of everything that goes into it: a second build of an unchanged course makes none.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import os
import re
import stat
import tempfile
from dataclasses import replace
from datetime import datetime, timezone
from functools import lru_cache
from importlib import resources
from pathlib import Path

from . import workers
from .model import Asset, Case, Course, MediaFile, Prompt, Text, Worksheet, language_name

ENCODING = "windows-1252"
FORMAT_VERSION = "5"  # bump when the layout changes, so cached handouts are made again


@lru_cache(maxsize=1)
def _fpdf_version() -> str:
    # Read from the installed metadata: importing fpdf takes longer than a cached build.
    from importlib.metadata import version

    return version("fpdf2")


def _paragraphs(markup: Text | None) -> list[str]:
    """An HTML fragment as paragraphs of plain text (list items marked with a bullet)."""
    if not markup:
        return []
    # A line break in the source is a space in HTML: only the ends of blocks start new lines.
    text = re.sub(r"<li[^>]*>", "\n• ", re.sub(r"\s+", " ", str(markup)))
    text = re.sub(r"</(p|li|h[1-6]|dd|dt|tr|blockquote)>|<br\s*/?>", "\n", text)
    text = html.unescape(re.sub(r"<[^>]+>", "", text))
    return [re.sub(r"[ \t]+", " ", line).strip() for line in text.split("\n") if line.strip()]


class Handout:
    """The words of one worksheet's handout; `pdf()` lays them out."""

    def __init__(
        self,
        sheet: Worksheet,
        course_title: str,
        licence: str,
        lang: str,
        messages: dict,
        date: str,
        label: str | None = None,
    ):
        self.sheet = sheet
        self.lang = lang
        self.course_title = str(course_title)
        self.licence = str(licence or "")
        self.messages = messages
        self.date = date
        label = label or messages["worksheet"]  # a case's handout says "Case scenario: …"
        number = f"{label} {sheet.number} – " if sheet.number else f"{label}: "
        self.title = number + str(sheet.title)
        self.credit = str(getattr(sheet, "credit", None) or "")  # "Worksheet by the course team"
        self.instructions = _paragraphs(sheet.instructions)
        # A self-assessment's scale is printed as columns of boxes to tick ("tick the statement").
        self.columns = [str(c.title) for c in sheet.columns] + [str(point) for point in sheet.scale]
        # The column a matching question asks for is left blank: the handout is the learner's.
        self.rows = [
            [str(row.cells.get(c.id, "") or "") if c.id != sheet.answer_column else "" for c in sheet.columns]
            + ["" for _ in sheet.scale]
            for row in sheet.rows
        ]
        self.prompts = [" ".join(_paragraphs(p.text)) for p in sheet.prompts]
        # Text shown in another language because it is not translated yet is said to be, as on screen.
        parts = [
            sheet.title,
            sheet.instructions,
            *(c.title for c in sheet.columns),
            *(cell for row in sheet.rows for cell in row.cells.values()),
            *(p.text for p in sheet.prompts),
        ]
        others = list(dict.fromkeys(getattr(p, "lang", lang) for p in parts if p and getattr(p, "lang", lang) != lang))
        self.notice = (
            messages["fallback_notice"].format(language=", ".join(language_name(lang, o) for o in others))
            if others
            else ""
        )

    def texts(self) -> list[str]:
        return [
            self.course_title,
            self.licence,
            self.title,
            self.credit,
            self.notice,
            *self.instructions,
            *self.columns,
            *(cell for row in self.rows for cell in row),
            *self.prompts,
            self.messages["name_line"],
            self.messages["date_line"],
            self.messages["page_of"],
        ]

    def key(self) -> str:
        digest = hashlib.sha256()
        for part in [FORMAT_VERSION, _fpdf_version(), self.lang, self.date, *self.texts()]:
            digest.update(part.encode() + b"\0")
        return digest.hexdigest()

    def pdf(self) -> bytes:
        from fpdf import FPDF

        pdf = FPDF(format="A4")
        pdf.set_lang(self.lang)
        pdf.set_title(self.title)
        pdf.set_subject(self.course_title)
        pdf.set_creation_date(datetime.fromisoformat(self.date).replace(tzinfo=timezone.utc))
        pdf.set_margins(18, 16, 18)
        pdf.set_auto_page_break(True, 18)
        try:
            "".join(self.texts()).encode(ENCODING)
            pdf.core_fonts_encoding = ENCODING
            family = "Helvetica"
        except UnicodeEncodeError:
            fonts = resources.files("moocpack.fonts")
            with (
                resources.as_file(fonts / "DejaVuSans.ttf") as regular,
                resources.as_file(fonts / "DejaVuSans-Bold.ttf") as bold,
            ):
                pdf.add_font("DejaVu", "", str(regular))
                pdf.add_font("DejaVu", "B", str(bold))
            family = "DejaVu"
        page_of = self.messages["page_of"]
        licence = self.licence

        def footer():
            pdf.set_y(-13)
            pdf.set_font(family, "", 8)
            pdf.set_text_color(90)
            pdf.cell(0, 5, licence[:150], align="L")
            pdf.set_x(pdf.l_margin)
            pdf.cell(0, 5, page_of.format(page=pdf.page_no(), pages="{nb}"), align="R")

        pdf.footer = footer  # type: ignore[method-assign]  # fpdf2 calls it on every page
        pdf.alias_nb_pages("{nb}")

        pdf.add_page()
        width = pdf.epw
        pdf.set_font(family, "", 9)
        pdf.set_text_color(90)
        pdf.multi_cell(width, 5, self.course_title, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
        pdf.set_text_color(0)
        pdf.set_font(family, "B", 15)
        pdf.multi_cell(width, 7, self.title, align="L", new_x="LMARGIN", new_y="NEXT")
        if self.credit:
            pdf.set_font(family, "", 10)
            pdf.multi_cell(width, 5, self.credit, align="L", new_x="LMARGIN", new_y="NEXT")
        if self.notice:
            pdf.set_font(family, "", 9)
            pdf.multi_cell(width, 5, self.notice, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
        pdf.set_font(family, "", 10)
        for label, share in ((self.messages["name_line"], 0.62), (self.messages["date_line"], 0.38)):
            pdf.cell(width * share, 7, f"{label}: " + "_" * (40 if share > 0.5 else 18), align="L")
        pdf.ln(11)
        pdf.set_font(family, "", 11)
        for paragraph in self.instructions:
            pdf.multi_cell(width, 5.5, paragraph, align="L", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1.5)
        pdf.ln(2)
        if self.columns:
            pdf.set_font(family, "", 10)
            first = 0.4 if len(self.columns) > 1 else 1.0
            rest = (1 - first) / max(len(self.columns) - 1, 1)
            widths = [first] + [rest] * (len(self.columns) - 1)
            cell_widths = [share * width - 5 for share in widths]  # minus the padding, and a margin
            # A row taller than a page cannot be drawn (fpdf refuses it): anything the schema allows
            # must print, so a long row goes on in continuation rows, a page's worth of lines each.
            heading = _split_row(pdf, self.columns, cell_widths, _HEADING_LINES)
            rows = [part for row in self.rows for part in _split_row(pdf, row, cell_widths, _ROW_LINES)]
            with pdf.table(
                col_widths=widths,
                text_align="LEFT",
                line_height=5,
                padding=2,
                min_row_height=18,
                repeat_headings=1 if len(heading) == 1 else 0,
                first_row_as_headings=len(heading) == 1,
            ) as table:
                for row in heading + rows:
                    table.row(row)
        for index, prompt in enumerate(self.prompts, 1):
            pdf.set_font(family, "B", 11)
            pdf.multi_cell(width, 5.5, f"{index}. {prompt}", align="L", new_x="LMARGIN", new_y="NEXT")
            pdf.set_draw_color(150)
            for _ in range(4):
                pdf.ln(8)
                pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + width, pdf.get_y())
            pdf.ln(6)
        return bytes(pdf.output())


# Lines of 5 mm: a heading repeated on every page gets at most 12, so that a row of up to 36 still
# fits under it on an A4 page (263 mm between the margins).
_HEADING_LINES, _ROW_LINES = 12, 36


def _split_row(pdf, cells: list[str], widths: list[float], most: int) -> list[list[str]]:
    """The row as it wraps in the table's columns, cut into rows of at most `most` lines."""
    wrapped = [
        pdf.multi_cell(w, 5, text, dry_run=True, output="LINES") if text else [""] for w, text in zip(widths, cells)
    ]
    if max(len(lines) for lines in wrapped) <= most:
        return [cells]
    parts = -(-max(len(lines) for lines in wrapped) // most)
    return [["\n".join(lines[i * most : (i + 1) * most]) for lines in wrapped] for i in range(parts)]


def cache_folder() -> Path | None:
    """Where made handouts are kept: $MOOCPACK_CACHE, else the user's cache folder; None (no
    caching) if MOOCPACK_CACHE is empty."""
    configured = os.environ.get("MOOCPACK_CACHE")
    if configured is not None:
        return Path(configured) if configured else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "moocpack"


# A cache entry is a header line with the SHA-256 of the PDF that follows: an entry cut short,
# emptied or altered is noticed and the handout made again. Entries are read only as regular files
# of this user, never through a link, and never larger than a handout can be.
_MAGIC = b"moocpack-handout sha256="
_MAX_ENTRY = 64 * 1024 * 1024


def _entry(folder: Path, key: str) -> Path:
    return folder / "handouts" / key[:2] / f"{key}.entry"


def _cached(folder: Path | None, key: str) -> bytes | None:
    """The cached handout for `key`, or None when there is none or it cannot be trusted."""
    if folder is None:
        return None
    path = _entry(folder, key)
    try:
        for parent in (path.parent.parent, path.parent):
            if not stat.S_ISDIR(os.lstat(parent).st_mode):
                return None  # a link where a cache folder belongs
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if (
            not stat.S_ISREG(info.st_mode)
            or info.st_size > _MAX_ENTRY
            or (hasattr(os, "getuid") and info.st_uid != os.getuid())
        ):
            return None
        with os.fdopen(fd, "rb", closefd=False) as handle:
            entry = handle.read(_MAX_ENTRY + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    header, _, data = entry.partition(b"\n")
    if not header.startswith(_MAGIC) or header[len(_MAGIC) :] != hashlib.sha256(data).hexdigest().encode():
        return None
    if not data.startswith(b"%PDF-"):
        return None
    return data


def _store(folder: Path | None, key: str, data: bytes) -> None:
    if folder is None:
        return
    path = _entry(folder, key)
    part = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".part") as handle:
            part = handle.name
            handle.write(_MAGIC + hashlib.sha256(data).hexdigest().encode() + b"\n" + data)
        os.replace(part, path)  # another build reading it sees all of it or none; a link there is replaced
    except OSError:
        # A full disk or a read-only home: the handout is simply made again next time, and no
        # half-written part is left behind.
        if part is not None:
            with contextlib.suppress(OSError):
                os.unlink(part)


def _spec(course: Course, sheet: Worksheet, label: str | None = None) -> Handout:
    licence = course.licence.notice or course.licence.id
    return Handout(sheet, course.title, licence, course.language, course.messages, course.date, label)


def _case_spec(course: Course, case: Case) -> Handout:
    """A case scenario printed for a group to read and discuss: its story, then its questions with
    lines to write on, laid out as a worksheet of prompts is."""
    sheet = Worksheet(
        id=case_handout_id(case),
        number="",
        title=case.title,
        instructions=case.body,
        prompts=tuple(Prompt(q.id, q.stem) for q in case.questions),
    )
    return _spec(course, sheet, label=course.message("case_scenario"))


def case_handout_id(case: Case) -> str:
    return f"case-{case.id}"


# The handouts a build still has to make, shared with forked workers (as build._JOB is).
_PENDING: list[Handout] = []


def _make(index: int) -> bytes:
    return _PENDING[index].pdf()


def with_handouts(courses: dict[str, Course], jobs: int = 1) -> dict[str, Course]:
    """The courses with every worksheet's handout made and attached: to the worksheet, to the
    activities that use it, and to its unit's files, so that every package carries it. Handouts
    not in the cache are made `jobs` at a time."""
    global _PENDING
    jobs = workers.usable(jobs)
    specs = {
        (lang, sheet.id): _spec(course, sheet)
        for lang, course in courses.items()
        for unit in course.units
        for sheet in unit.worksheets
    }
    specs.update(
        {
            (lang, f"case:{case.id}"): _case_spec(course, case)
            for lang, course in courses.items()
            for unit in course.units
            for case in unit.cases
        }
    )
    digests = {key: spec.key() for key, spec in specs.items()}
    folder = cache_folder()
    made: dict[tuple[str, str], bytes] = {}
    for key in specs:
        data = _cached(folder, digests[key])
        if data is not None:
            made[key] = data
    missing = [key for key in specs if key not in made]
    _PENDING = [specs[key] for key in missing]
    try:
        if jobs > 1 and len(missing) > 2:
            results = list(
                workers.forked_map(_make, list(range(len(missing))), jobs, chunksize=max(1, len(missing) // (jobs * 4)))
            )
        else:
            results = [_make(i) for i in range(len(missing))]
    finally:
        _PENDING = []
    for key, data in zip(missing, results):
        made[key] = data
        _store(folder, digests[key], data)
    return {lang: _attached(course, made) for lang, course in courses.items()}


def _attached(course: Course, made: dict) -> Course:
    units = []
    for unit in course.units:
        sheets = {
            sheet.id: replace(
                sheet,
                handout=MediaFile(
                    handout_path(sheet.id, course.language), made[(course.language, sheet.id)], course.language
                ),
            )
            for sheet in unit.worksheets
        }
        activities = tuple(
            replace(a, worksheet=sheets[a.worksheet.id]) if a.worksheet and a.worksheet.id in sheets else a
            for a in unit.activities
        )
        cases = tuple(
            replace(
                case,
                handout=MediaFile(
                    handout_path(case_handout_id(case), course.language),
                    made[(course.language, f"case:{case.id}")],
                    course.language,
                ),
            )
            for case in unit.cases
        )
        files = tuple(
            Asset(f"handout:{s.id}", made_file.path, s.title, None, made_file.data)
            for s in sheets.values()
            if (made_file := s.handout) is not None
        )
        files += tuple(
            Asset(f"handout:{case_handout_id(c)}", made_file.path, c.title, None, made_file.data)
            for c in cases
            if (made_file := c.handout) is not None
        )
        units.append(
            replace(
                unit, worksheets=tuple(sheets.values()), activities=activities, cases=cases, assets=unit.assets + files
            )
        )
    return replace(course, units=tuple(units))


def handout_path(name: str, lang: str) -> str:
    """Where a handout travels in packages (one folder, one name per worksheet or case and
    language): handouts/<name>.<lang>.pdf."""
    return f"handouts/{name}.{lang}.pdf"


__all__ = ["Handout", "with_handouts", "handout_path", "cache_folder"]
