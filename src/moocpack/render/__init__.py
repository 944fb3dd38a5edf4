"""Page rendering shared by every exporter that shows course content as HTML.

Part of moocpack's public surface for exporters, third-party ones included: functions from the
model to HTML fragments (`unit_body`, `quiz_block`, `worksheet_body`, `activity_block`, …),
whole pages (`document`), the quiz data the in-page quiz script reads (`quiz_data`,
`script_json`), and the stylesheet and quiz script themselves (`static_file("style.css")`,
`static_file("quiz.js")`). The html exporter assembles these into a website; SCORM wraps the
same pages with its runtime; OLX and Moodle embed the fragments. Every learner-facing word comes
from the course model (course text) or `course.messages` (interface strings in the course's
language). Text is escaped with `esc`/`t`; sanitised HTML from the model goes in with `h`.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, replace
from importlib import resources
from typing import Callable

from moocpack import kinds
from moocpack.exporter import for_last_course
from moocpack.media import svg_width
from moocpack.model import (
    AUDIO,
    ESSAY,
    FACILITATOR,
    FILE,
    IMAGE,
    LEARNER,
    LIKERT,
    MATCHING,
    MULTIPLE_RESPONSE,
    SHORT_TEXT,
    VIDEO,
    Activity,
    Course,
    Duration,
    Html,
    Media,
    Page,
    Question,
    Quiz,
    Text,
    Unit,
    Worksheet,
    language_name,
    text_direction,
)

DECIMAL_COMMA = {"nb", "nn", "no", "fr", "de", "es", "it", "pt", "ro", "nl", "da", "sv", "fi", "pl", "cs"}


@dataclass(frozen=True)
class Links:
    """How a page links to the rest of its package.

    The website links worksheets and the competence page in place; SCORM opens them in a new
    window (leaving the SCO's page would end its LMS session); OLX and Moodle, which have no
    such pages, show competence ids unlinked.
    """

    worksheet: Callable[[Worksheet], str] | None = lambda sheet: f"worksheet-{sheet.id}.html"
    competence: Callable[[str], str] | None = lambda cid: f"competences.html#{cid}"
    new_window: bool | None = False  # None: not yet known (see quiz_block)

    def a(self, href: str, label: str) -> str:
        target = _NEW_WINDOW if self.new_window else "" if self.new_window is False else _LATER
        return f'<a href="{esc(href)}"{target}>{label}</a>'


_NEW_WINDOW = ' target="_blank" rel="noopener"'
_LATER = "\0"  # where a link's target goes, once known; no course text holds a NUL


SITE = Links()
NO_LINKS = Links(worksheet=None, competence=None)  # pages in an LMS: no links to the website's other pages


def quiz_script(course: Course) -> bytes:
    """quiz.js, followed by the scripts of the plug-in question kinds the course uses."""
    used = {q.type for unit in course.units for q in unit.questions}
    extra = [one.script for name in sorted(used) if (one := kinds.kind(name)) is not None and one.script]
    script = static_file("quiz.js")
    return script + "".join(f"\n{code.strip()}\n" for code in extra).encode() if extra else script


def static_file(name: str) -> bytes:
    return resources.files("moocpack.render").joinpath("static", name).read_bytes()


def esc(value) -> str:
    value = value if type(value) is str else str(value)
    # Most texts have nothing to escape: looking costs less than html.escape's five replacements.
    if "&" in value or "<" in value or ">" in value or '"' in value or "'" in value:
        return html.escape(value, quote=True)
    return value


def t(course: Course, value: Text | str | None) -> str:
    """Escaped plain text; a fallback in another language is marked so screen readers switch voice."""
    if value is None:
        return ""
    lang = getattr(value, "lang", course.language)
    if lang and lang != course.language:
        return f'<span lang="{esc(lang)}"{direction_of(course, lang)}>{esc(value)}</span>'
    return esc(value)


def direction_of(course: Course, lang: str) -> str:
    """A dir attribute for text in `lang` inside the course's pages, where its direction differs
    (English fallback text on an Arabic page reads left to right)."""
    direction = text_direction(lang)
    return f' dir="{direction}"' if direction != course.direction else ""


def directed(course: Course, markup: str) -> str:
    """A right-to-left course's markup in a block that says so, for the LMSs that lay pages out
    in the learner's interface language (Open edX, Moodle); left-to-right markup as it is."""
    if course.direction != "rtl" or not markup:
        return markup
    return f'<div dir="rtl" lang="{esc(course.language)}">{markup}</div>'


def h(course: Course, value: Html | None, tag: str = "div", cls: str = "") -> str:
    """Sanitised HTML from the model, wrapped in a block carrying its language if it differs."""
    if not value:
        return ""
    lang = getattr(value, "lang", course.language)
    attrs = f' class="{cls}"' if cls else ""
    if lang and lang != course.language:
        attrs += f' lang="{esc(lang)}"{direction_of(course, lang)}'
    return f"<{tag}{attrs}>{value}</{tag}>"


# Without a leading \b: with it the engine tries every position instead of searching for the
# literal (a large page scanned 16 times slower); the word boundary is checked by hand instead.
_LANG_ATTRIBUTE = re.compile(r'lang="([^"]+)"')


def _other_languages(markup: str, own: str) -> list[str]:
    """The languages other than `own` that markup's lang attributes name, in order of first
    appearance. A page in a half-translated language has a lang attribute on every fallback:
    each language is looked at once, not each attribute."""
    if 'lang="' not in markup:
        return []
    first = {}
    for lang in set(_LANG_ATTRIBUTE.findall(markup)) - {own}:
        attribute = f'lang="{lang}"'
        at = markup.find(attribute)
        while at > 0 and (markup[at - 1].isalnum() or markup[at - 1] == "_"):  # hreflang="…"
            at = markup.find(attribute, at + 1)
        if at != -1:
            first[lang] = at
    return sorted(first, key=first.__getitem__)


def fallback_notice(course: Course, *parts) -> str:
    """A notice, in the learner's language, that some of what follows is shown in another
    language because it is not translated yet (as documentation sites say it); empty if none.
    `parts` are model texts (their .lang tells) or markup (its lang attributes tell)."""
    found = []
    own = course.language
    for part in parts:
        lang = getattr(part, "lang", None)
        if lang and lang != own and lang not in found:
            found.append(lang)
        # Markup says its languages in lang attributes; plain text has none, whatever it reads.
        if part and (isinstance(part, Html) or not isinstance(part, Text)):
            for lang in _other_languages(str(part), own):
                if lang not in found:
                    found.append(lang)
    if not found:
        return ""
    names = ", ".join(course.language_label(lang) for lang in found)
    return (
        f'<p class="fallback-notice" role="note"><em>{esc(course.message("fallback_notice", language=names))}</em></p>'
    )


_TAG = re.compile(r"<[^>]+>")


def plain(markup) -> str:
    """The text of an HTML fragment, whitespace folded (for titles, labels and metadata)."""
    text = str(markup)
    if "<" in text:
        text = _TAG.sub(" ", text)
    # split() and \s agree on what whitespace is (str.isspace), and splitting is faster.
    return " ".join(html.unescape(text).split())


def script_json(data) -> str:
    """JSON to put inside a <script> element. In a script element the HTML parser still reacts to
    `</script`, `<!--` and `<script` (even inside JSON strings), so every <, > and & is written as
    a JSON escape: the data reads the same and the parser sees none of them."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def short(text: str, length: int = 100) -> str:
    """At most `length` characters, with an ellipsis when cut: at a word when one ends in the
    last 40 %, else mid-word (a name or a URL)."""
    text = " ".join(str(text).split())  # whitespace folded (as plain() does)
    if len(text) <= length:
        return text
    cut = text[: length - 1]
    space = cut.rfind(" ")
    if space > length * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,;:.") + "…"


def question_title(question: Question, length: int = 100) -> str:
    """A question's short name for LMS outlines and gradebooks: its own title, else its stem's start."""
    return short(question.title if question.title else plain(question.stem), length) or question.id


def number(course: Course, value: float) -> str:
    text = f"{value:g}"
    return text.replace(".", ",") if course.language.split("-")[0] in DECIMAL_COMMA else text


def duration(course: Course, value: Duration | None) -> str:
    if value is None:
        return ""
    if value.high >= 60 and value.low % 30 == 0 and value.high % 30 == 0:
        low, high, key = value.low / 60, value.high / 60, "hours"
    else:
        low, high, key = value.low, value.high, "minutes"
    amount = number(course, low) + ("–" + number(course, high) if value.is_range else "")
    return esc(course.message(key, n=amount))


def unit_label(course: Course, unit: Unit) -> str:
    return course.message("unit_label", number=unit.number) if unit.number else ""


def unit_heading(course: Course, unit: Unit) -> str:
    label = unit_label(course, unit)
    return (f'<span class="unit-number">{esc(label)}</span> ' if label else "") + t(course, unit.title)


def competence_tags(course: Course, ids, links: Links = SITE) -> str:
    """The competences by their names in the learner's language (an id such as pat.02.2 means
    nothing to a learner); linked to the framework page where the package has one. The id stays
    in a data attribute, for scripts and styles."""
    if not ids:
        return ""
    tags = []
    for cid in ids:
        label = t(course, course.competence(cid).text)
        if links.competence:
            label = links.a(links.competence(cid), label)
        tags.append(f'<li class="competence" data-competence="{esc(cid)}">{label}</li>')
    return f'<ul class="competences" aria-label="{esc(course.message("competences"))}">' + "".join(tags) + "</ul>"


def credit_line(course: Course, credit: Text | None) -> str:
    """Who wrote a part when not the source ("Task by the course team"), where learners see the part."""
    return f'<p class="credit">{t(course, credit)}</p>' if credit else ""


def outcomes_block(course: Course, unit: Unit, links: Links = SITE) -> str:
    items = "".join(
        f'<li id="{esc(o.id)}">{t(course, o.text)}{competence_tags(course, o.competences, links)}</li>'
        for o in unit.outcomes
    )
    return (
        f'<section class="outcomes" id="unit-outcomes"><h2>{esc(course.message("learning_outcomes"))}</h2>'
        f"<ul>{items}</ul>{credit_line(course, unit.outcomes_credit)}</section>"
    )


def list_block(course: Course, title_key: str, items, level: int = 2) -> str:
    if not items:
        return ""
    lis = "".join(f"<li>{t(course, i.text)}{h(course, i.note, cls='obtain') if i.note else ''}</li>" for i in items)
    anchor = "unit-" + title_key.replace("_", "-")  # every part of a unit can be linked to (steps.js)
    return f'<section id="{anchor}"><h{level}>{esc(course.message(title_key))}</h{level}><ul>{lis}</ul></section>'


def activity_block(course: Course, activity: Activity, index: int, links: Links = SITE, audience: str = LEARNER) -> str:
    """An activity as learners see it (their task, its worksheet or case) or, for facilitators,
    with the trainer's procedure, tips and materials as well."""
    parts = [
        f'<section class="activity" id="{esc(activity.id)}">',
        f'<h3><span class="activity-number">{esc(course.message("activity_label", number=index))}</span> '
        f'{t(course, activity.title)}</h3><dl class="facts">',
    ]
    if activity.duration:
        parts.append(f"<dt>{esc(course.message('duration'))}</dt><dd>{duration(course, activity.duration)}</dd>")
    if activity.reference:
        parts.append(f"<dt>{esc(course.message('reference'))}</dt><dd>{t(course, activity.reference)}</dd>")
    if activity.worksheet:
        title = worksheet_title(course, activity.worksheet)
        shown = links.a(links.worksheet(activity.worksheet), title) if links.worksheet else title
        parts.append(f"<dt>{esc(course.message('worksheet'))}</dt><dd>{shown}</dd>")
    if activity.case_id:
        parts.append(
            f'<dt>{esc(course.message("case_scenario"))}</dt><dd><a href="#{esc(activity.case_id)}">'
            f"{esc(course.message('case_scenario'))}</a></dd>"
        )
    parts.append("</dl>")
    if activity.learner:
        parts.append(
            f"<h4>{esc(course.message('your_task'))}</h4>{h(course, activity.learner)}"
            f"{credit_line(course, activity.task_credit)}"
        )
    if audience == FACILITATOR:
        parts.append(activity_notes(course, activity))
    parts.append(competence_tags(course, activity.competences, links))
    parts.append("</section>")
    return "".join(parts)


def activity_notes(course: Course, activity: Activity) -> str:
    """What only facilitators see of an activity: the trainer's procedure, tips and materials."""
    parts = [
        f'<div class="for-facilitators"><h4>{esc(course.message("procedure"))}</h4>{h(course, activity.procedure)}'
    ]
    if activity.tips:
        parts.append(f"<h4>{esc(course.message('tips'))}</h4>{h(course, activity.tips)}")
    if activity.materials:
        parts.append(list_block(course, "materials", activity.materials, 4))
    return "".join(parts) + "</div>"


def worksheet_title(course: Course, sheet: Worksheet) -> str:
    prefix = f"{esc(course.message('worksheet'))} {esc(sheet.number)} – " if sheet.number else ""
    return prefix + t(course, sheet.title)


def file_size(course: Course, size: int) -> str:
    """A download's size as people read it: "2.1 MB", "740 kB" (decimal comma where the language has one)."""
    if size >= 1_000_000:
        return f"{number(course, round(size / 1_000_000, 1))} MB"
    return f"{number(course, max(1, round(size / 1000)))} kB"


def handout_link(course: Course, sheet) -> str:
    """The link to a worksheet's or a case's printable PDF."""
    if not sheet.handout:
        return ""
    return (
        f'<p class="handout"><a href="{esc(sheet.handout.path)}" download="" type="application/pdf">'
        f'{esc(course.message("handout"))}</a> <span class="size">({file_size(course, len(sheet.handout.data))})'
        f"</span></p>"
    )


def worksheet_body(course: Course, sheet: Worksheet, audience: str = LEARNER) -> str:
    """The printable worksheet: the table with empty cells to fill in, or prompts with space to
    write, and a link to the same as a PDF handout."""
    parts = [
        credit_line(course, sheet.credit),
        handout_link(course, sheet),
        h(course, sheet.instructions, cls="instructions"),
    ]
    # The facilitator's copy has the answer key's notes beside the rows: answers and discussion in one place.
    notes = sheet.notes if audience == FACILITATOR and sheet.columns else {}
    if sheet.columns:
        # Roles spelt out: a phone lays the rows out as cards (style.css), and a table whose rows
        # are not displayed as table rows keeps its meaning for screen readers only through them.
        # A self-assessment's scale: a column to tick per point ("tick the statement").
        titles = [c.title for c in sheet.columns] + list(sheet.scale)
        if notes:
            titles.append(Text(course.message("answer_notes"), course.language))
        head = "".join(f'<th scope="col" role="columnheader">{t(course, title)}</th>' for title in titles)
        labels = [esc(plain(title)) for title in titles]
        rows = []
        for row in sheet.rows:
            cells = []
            for i, column in enumerate(sheet.columns):
                value = row.cells.get(column.id)
                if column.id == sheet.answer_column and audience == LEARNER:
                    value = None  # what the quiz asks: for the learner to fill in, not to read off
                content = t(course, value) if value else ""
                cls = "" if value else ' class="write-in"'
                cells.append(
                    f'<th scope="row" role="rowheader">{content}</th>'
                    if i == 0
                    else f'<td{cls} role="cell" data-label="{labels[i]}">{content}</td>'
                )
            cells += [
                f'<td class="write-in tick" role="cell" data-label="{label}"></td>'
                for label in labels[len(sheet.columns) : len(sheet.columns) + len(sheet.scale)]
            ]
            if notes:
                cells.append(
                    f'<td class="answer-notes" role="cell" data-label="{labels[-1]}">'
                    f"{h(course, notes[row.id]) if row.id in notes else ''}</td>"
                )
            rows.append('<tr role="row">' + "".join(cells) + "</tr>")
        parts.append(
            f'<table class="worksheet-table" role="table"><thead role="rowgroup"><tr role="row">{head}</tr>'
            f'</thead><tbody role="rowgroup">{"".join(rows)}</tbody></table>'
        )
    if sheet.prompts:
        items = "".join(
            f'<li>{h(course, p.text)}<div class="write-space" aria-hidden="true"></div></li>' for p in sheet.prompts
        )
        parts.append(f'<ol class="prompts">{items}</ol>')
    return "".join(parts)


def media_block(course: Course, medium: Media) -> str:
    """One image, video, audio or download, as HTML every platform plays natively: <img>,
    <video>/<audio> with a <track> per language (the learner's first, shown by default), a
    YouTube or Vimeo player, or a link; the transcript of the learner's language below."""
    file = medium.file
    title = t(course, medium.title)
    lang = f' lang="{esc(file.lang)}"' if file and file.lang and file.lang != course.language else ""
    parts = [f'<figure class="media media-{esc(medium.type)}" id="{esc(medium.id)}"{lang}>']
    if medium.type == IMAGE:
        assert file is not None  # only a video may be remote (the schema)
        image = f'<img src="{esc(file.path)}" alt="{esc(medium.alt or "")}" />'
        width = svg_width(file.data) if file.path.lower().endswith(".svg") else None
        if width:
            # A drawing's words are part of the picture: shrunk to a phone's width they would be
            # 6 px. It keeps at least its own width up to 42rem, scrolling sideways in its frame
            # (a region the keyboard can reach) where the screen is narrower.
            image = (
                f'<div class="drawing" role="region" tabindex="0" aria-label="{esc(plain(title))}" '
                f'style="--drawing-width:{width:g}px">{image}</div>'
            )
        parts.append(image)
    elif medium.type in (VIDEO, AUDIO) and file is not None:
        tracks = "".join(
            f'<track kind="subtitles" src="{esc(track.file.path)}" srclang="{esc(track.lang)}" '
            f'label="{esc(language_label_in_own(track.lang))}"{DEFAULT if i == 0 else ""} />'
            for i, track in enumerate(medium.tracks)
        )
        mime = MEDIA_TYPES.get(file.path.rsplit(".", 1)[-1].lower(), "")
        tag = "video" if medium.type == VIDEO else "audio"
        # nomediaplugin: Moodle's media filter would turn a link to a media file into a second player.
        download = (
            f'<a href="{esc(file.path)}" download="" class="nomediaplugin">'
            f"{esc(course.message('media_download', title=plain(title)))}</a>"
        )
        parts.append(
            f'<{tag} controls="" preload="metadata"><source src="{esc(file.path)}" type="{mime}" />{tracks}'
            f"{download}</{tag}>"
        )
    elif medium.type == VIDEO and medium.remote is not None:
        remote = medium.remote
        provider = "YouTube" if remote.provider == "youtube" else "Vimeo"
        parts.append(
            f'<div class="player"><iframe src="{esc(remote.embed)}" title="{esc(plain(title))}" '
            'allow="fullscreen; picture-in-picture" loading="lazy"></iframe></div>'
            f'<p><a href="{esc(remote.watch)}" class="nomediaplugin">'
            f"{esc(course.message('watch_on', title=plain(title), provider=provider))}</a></p>"
        )
    else:  # a download
        assert file is not None  # only a video may be remote (the schema)
        size = file_size(course, len(file.data))
        parts.append(
            f'<p class="download"><a href="{esc(file.path)}" download="">{title}</a> '
            f'<span class="size">({esc(file.path.rsplit(".", 1)[-1].upper())}, {size})</span></p>'
        )
    caption = (h(course, medium.caption) if medium.caption else "") + credit_line(course, medium.credit)
    if medium.type != FILE:
        parts.append(f"<figcaption>{title}{caption}</figcaption>")
    elif caption:
        parts.append(caption)
    track = medium.transcript
    if track is not None:
        lines = "".join(f"<p>{esc(cue.text)}</p>" for cue in track.cues)
        own = f' lang="{esc(track.lang)}"' if track.lang != course.language else ""
        parts.append(
            f'<details class="transcript"><summary>{esc(course.message("transcript"))}</summary>'
            f"<div{own}>{lines}</div></details>"
        )
    parts.append("</figure>")
    return "".join(parts)


DEFAULT = ' default=""'  # the track a player shows first: the learner's language
MEDIA_TYPES = {
    "mp4": "video/mp4",
    "webm": "video/webm",
    "mp3": "audio/mpeg",
    "m4a": "audio/mp4",
    "ogg": "audio/ogg",
    "oga": "audio/ogg",
    "wav": "audio/wav",
}


def language_label_in_own(code: str) -> str:
    """A subtitle track is named in its own language ("norsk bokmål"), as players list them."""
    return language_name(code, code)


def page_block(course: Course, page: Page, leave_out=()) -> str:
    """A content page's text, who wrote it when not the source, and its media (but those in
    `leave_out`, which a format shows its own way); what every format shows for a page."""
    return (
        h(course, page.body)
        + credit_line(course, page.credit)
        + "".join(media_block(course, m) for m in page.media if m not in leave_out)
    )


def case_block(course: Course, case) -> str:
    questions = "".join(f"<li>{h(course, q.stem)}</li>" for q in case.questions)
    block = (
        f'<section class="case" id="{esc(case.id)}"><h2>{esc(course.message("case_scenario"))}: '
        f"{t(course, case.title)}</h2>{handout_link(course, case)}{h(course, case.body)}"
    )
    if questions:
        block += f"<h3>{esc(course.message('reflection_questions'))}</h3><ol>{questions}</ol>"
    return block + "</section>"


def bibliography_block(course: Course, unit: Unit) -> str:
    if not unit.bibliography:
        return ""
    items = []
    for ref in unit.bibliography:
        authors = ", ".join(ref.authors).rstrip(".")
        title = f'<a href="{esc(ref.url)}">{esc(ref.title)}</a>' if ref.url else f"<cite>{esc(ref.title)}</cite>"
        bits = [b for b in (esc(authors), title, esc(ref.publisher or ""), str(ref.year or "")) if b]
        items.append(f"<li>{'. '.join(bits)}.</li>")
    return f'<section class="bibliography" id="unit-bibliography"><h2>{esc(course.message("bibliography"))}</h2><ul>{"".join(items)}</ul></section>'


# -- quizzes -------------------------------------------------------------------------------------


def quiz_data(course: Course, quiz: Quiz) -> dict:
    """What the in-page quiz script needs: structure and answer key, no learner-facing prose."""
    questions = []
    for q in quiz.questions:
        entry = {"id": q.id, "type": q.type, "points": q.points, "graded": q.graded, "competences": list(q.competences)}
        if q.options:
            entry["options"] = [{"id": o.id, "correct": o.correct} for o in q.options]
        if q.pairs:
            targets = list(q.answer_targets)
            entry["pairs"] = [{"id": p.id, "answer": targets.index(str(p.answer))} for p in q.pairs]
            entry["targets"] = len(targets)
        if q.type == SHORT_TEXT:
            entry["answers"] = [str(a) for a in q.answers]
            entry["caseSensitive"] = q.case_sensitive
        plugin = kinds.kind(q.type)
        if plugin is not None:
            entry["data"] = plugin.client(q)
        questions.append(entry)
    return {
        "id": quiz.id,
        "graded": quiz.graded,
        "passMark": quiz.pass_mark,
        "tries": quiz.max_attempts,
        "questions": questions,
        "messages": ui_messages(course),
    }


def ui_messages(course: Course) -> dict:
    keys = (
        "correct",
        "incorrect",
        "answered",
        "score",
        "passed",
        "not_passed",
        "try_again",
        "progress",
        "not_connected",
        "connected",
        "check_answer",
        "finish_quiz",
        "unanswered",
        "kept_in_browser",
        "not_kept_in_browser",
        "tries_left",
        "show_answer",
        "incorrect_final",
    )
    return {key: course.messages[key] for key in keys}


def question_block(course: Course, q: Question, index: int, links: Links = SITE) -> str:
    qid = esc(q.id)
    dom = "q-" + esc(q.id.replace(".", "--"))
    stem = h(course, q.stem, cls="stem")
    points = (
        f'<span class="points">{esc(course.message("points", q.points, n=number(course, q.points)))}</span>'
        if q.graded
        else f'<span class="points">{esc(course.message("not_graded"))}</span>'
    )
    parts = [
        f'<fieldset class="question" id="{dom}" data-question="{qid}" data-type="{q.type}">',
        f'<legend><span class="question-number">{index}.</span> {points}</legend>{stem}',
    ]
    if q.type == LIKERT:
        parts.append(f'<p class="hint">{esc(course.message("self_assessment_scale"))}</p>')
    if q.options:
        kind = "checkbox" if q.type == MULTIPLE_RESPONSE else "radio"
        parts.append('<ul class="options">')
        for o in q.options:
            oid = f"{dom}-{esc(o.id)}"
            feedback = h(course, o.feedback, cls="option-feedback") if o.feedback else ""
            parts.append(
                f'<li><input type="{kind}" id="{oid}" name="{dom}" value="{esc(o.id)}">'
                f'<label for="{oid}">{t(course, o.text)}</label>'
                + (
                    f'<div class="option-feedback-holder" data-option="{esc(o.id)}" hidden>{feedback}</div>'
                    if feedback
                    else ""
                )
                + "</li>"
            )
        parts.append("</ul>")
    elif q.type == MATCHING:
        targets = q.answer_targets
        target_text = {str(p.answer): p.answer for p in q.pairs}
        parts.append(f'<p class="hint">{esc(course.message("matching_instructions"))}</p><ul class="pairs">')
        for p in q.pairs:
            sid = f"{dom}-{esc(p.id)}"
            options = "".join(
                f'<option value="{i}">{t(course, target_text[target])}</option>' for i, target in enumerate(targets)
            )
            parts.append(
                f'<li><label for="{sid}">{t(course, p.prompt)}</label> '
                f'<select id="{sid}" data-pair="{esc(p.id)}"><option value="">'
                f"{esc(course.message('choose'))}</option>{options}</select></li>"
            )
        parts.append("</ul>")
    elif q.type == SHORT_TEXT:
        parts.append(
            f'<p><label for="{dom}-answer">{esc(course.message("your_answer"))}</label> '
            f'<input type="text" id="{dom}-answer" autocomplete="off"></p>'
        )
    elif q.type == ESSAY:
        parts.append(
            f'<p><label class="visually-hidden" for="{dom}-answer">{esc(course.message("your_answer"))}</label>'
            f'<textarea id="{dom}-answer" rows="4" placeholder="{esc(course.message("essay_placeholder"))}">'
            f"</textarea></p>"
        )
    elif (plugin := kinds.for_format(q, "html")) is not None:
        parts.append(plugin.html(course, q))
    feedback = "".join(
        filter(
            None,
            [
                h(course, q.correct_feedback, cls="when-correct") if q.correct_feedback else "",
                h(course, q.incorrect_feedback, cls="when-incorrect") if q.incorrect_feedback else "",
                h(course, q.feedback, cls="general-feedback") if q.feedback else "",
            ],
        )
    )
    parts.append(
        f'<p><button type="button" class="check">{esc(course.message("check_answer"))}</button></p>'
        f'<div class="feedback" role="status" aria-live="polite"><p class="verdict"></p>'
        f'<div class="feedback-texts" hidden>{feedback}</div></div>'
    )
    parts.append(competence_tags(course, q.competences, links))
    parts.append("</fieldset>")
    return "".join(parts)


def quiz_credits(course: Course, quiz: Quiz) -> str:
    """Who wrote the questions or the answer key, where it is not the source (the course team)."""
    return "".join(f'<p class="credit">{t(course, credit)}</p>' for credit in quiz.credits)


# A quiz shows the same in the website, the facilitator guide and SCORM (one family, see
# Scheduling.family), but that SCORM opens its links in a new window; its markup is most of a
# unit page's. Made once, with a mark where a link's target goes.
_quiz_blocks: Callable[[Course], dict[tuple, str]] = for_last_course(lambda course: {})


def quiz_block(course: Course, quiz: Quiz, links: Links = SITE) -> str:
    made = _quiz_blocks(course)
    key = (id(quiz), links.worksheet, links.competence)  # the course, remembered with them, keeps its quizzes
    markup = made.get(key)
    if markup is None:
        markup = made[key] = _quiz_block(course, quiz, replace(links, new_window=None))
    return markup.replace(_LATER, _NEW_WINDOW if links.new_window else "")


def _quiz_block(course: Course, quiz: Quiz, links: Links) -> str:
    data = script_json(quiz_data(course, quiz))
    questions = "".join(question_block(course, q, i, links) for i, q in enumerate(quiz.questions, 1))
    note = "" if quiz.graded else f'<p class="hint">{esc(course.message("reflection_kept_here"))}</p>'
    finish = (
        (
            f'<p><button type="button" class="finish">{esc(course.message("finish_quiz"))}</button></p>'
            f'<p class="quiz-result" role="status" aria-live="polite"></p>'
        )
        if quiz.graded
        else ""
    )
    return (
        f'<section class="quiz" id="{esc(quiz.id)}" data-quiz="{esc(quiz.id)}">'
        f"<h2>{t(course, quiz.title)}</h2>{h(course, quiz.introduction)}{quiz_credits(course, quiz)}{note}"
        f'<script type="application/json" class="quiz-data">{data}</script>'
        f"{questions}{finish}</section>"
    )


# -- whole pages -------------------------------------------------------------------------------


def running_order(course: Course, unit: Unit) -> str:
    """For the trainer: the session's timed parts in order, when each starts and what they add up
    to, beside the session's own length (the session plan gives each part a time, not the sum)."""
    timed = (
        [(esc(course.message("introduction")), "unit-introduction", unit.introduction_duration)]
        if unit.introduction_duration
        else []
    )
    timed += [(t(course, a.title), a.id, a.duration) for a in unit.activities if a.duration]
    if not timed:
        return ""
    rows, low, high = [], 0.0, 0.0
    for index, (title, anchor, length) in enumerate(timed, 1):
        start = duration(course, Duration(low, high)) if index > 1 else "0"
        rows.append(
            f'<tr><td>{index}</td><th scope="row"><a href="#{esc(anchor)}">{title}</a></th>'
            f"<td>{duration(course, length)}</td><td>{start}</td></tr>"
        )
        low, high = low + length.low, high + length.high
    total = (
        f'<tr><th scope="row" colspan="2">{esc(course.message("total_time"))}</th>'
        f'<td colspan="2">{duration(course, Duration(low, high))}'
        + (f" / {duration(course, unit.duration)}" if unit.duration else "")
        + "</td></tr>"
    )
    head = "".join(
        f'<th scope="col">{esc(course.message(key))}</th>'
        for key in ("step_number", "activity", "duration", "starts_after")
    )
    return (
        f'<section class="for-facilitators" id="unit-running-order"><h2>{esc(course.message("running_order"))}'
        f'</h2><table class="running-order"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody>'
        f"<tfoot>{total}</tfoot></table></section>"
    )


def unit_body(course: Course, unit: Unit, links: Links = SITE, audience: str = LEARNER) -> str:
    """Everything a unit shows, in reading order; the fragment SCORM, OLX and Moodle reuse.
    Learners get no facilitator content (the trainer's materials, procedures, session pages and
    closure); the facilitator guide gets everything."""
    guide = audience == FACILITATOR
    parts = [f"<h1>{unit_heading(course, unit)}</h1>"]
    facts = []
    if unit.duration:
        facts.append(f"<dt>{esc(course.message('duration'))}</dt><dd>{duration(course, unit.duration)}</dd>")
    if facts:
        parts.append(f'<dl class="facts">{"".join(facts)}</dl>')
    if unit.introduction:
        heading = esc(course.message("introduction"))
        if unit.introduction_duration:
            heading += f' <span class="duration">({duration(course, unit.introduction_duration)})</span>'
        parts.append(f'<section id="unit-introduction"><h2>{heading}</h2>{h(course, unit.introduction)}</section>')
    parts.append(outcomes_block(course, unit, links))
    if guide:
        parts.append(list_block(course, "materials", unit.materials))
        parts.append(list_block(course, "conceptual_contents", unit.conceptual_contents))
        parts.append(running_order(course, unit))
    for page in unit.pages:
        if page.audience == FACILITATOR and not guide:
            continue
        cls = "page for-facilitators" if page.audience == FACILITATOR else "page"
        parts.append(
            f'<section class="{cls}" id="{esc(page.id)}"><h2>{t(course, page.title)}</h2>'
            f"{page_block(course, page)}</section>"
        )
    if unit.activities:
        parts.append(f'<section class="activities" id="unit-activities"><h2>{esc(course.message("activities"))}</h2>')
        parts.extend(activity_block(course, a, i, links, audience) for i, a in enumerate(unit.activities, 1))
        parts.append("</section>")
    parts.extend(case_block(course, case) for case in unit.cases)
    parts.extend(quiz_block(course, quiz, links) for quiz in unit.quizzes)
    if unit.closure and guide:
        parts.append(
            f'<section class="for-facilitators" id="unit-closure"><h2>{esc(course.message("closure"))}</h2>'
            f"{h(course, unit.closure)}</section>"
        )
    parts.append(bibliography_block(course, unit))
    return "".join(p for p in parts if p)


def document(
    course: Course,
    title: str,
    body: str,
    root: str = "",
    nav: str = "",
    scripts=(),
    footer: str = "",
    home: str | None = "index.html",
    head: str = "",
    banner: str = "",
) -> str:
    """A complete, standalone HTML page in the course's language; `root` prefixes shared files,
    `home` is the course title's link (None: no link), `head` and `banner` add to <head> and
    to the top of <body>."""
    script_tags = "".join(f'<script src="{root}{esc(s)}"></script>' for s in scripts)
    course_title = t(course, course.title)
    if home:
        course_title = f'<a href="{root}{esc(home)}">{course_title}</a>'
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{esc(course.language)}" dir="{course.direction}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title>"
        f'<link rel="icon" href="data:,"><link rel="stylesheet" href="{root}style.css">{head}{script_tags}</head><body>'
        f'<a class="skip" href="#main">{esc(course.message("skip_to_content"))}</a>{banner}'
        f'<header class="site"><p class="course-title">{course_title}</p>'
        f"{nav}</header>"
        f'<main id="main" tabindex="-1">{fallback_notice(course, body)}{body}</main>'
        f'<footer class="site">{footer}</footer></body></html>\n'
    )


# -- pages shared by the website and the formats built on it (SCORM) ---------------------
def unit_file(unit: Unit) -> str:
    return f"{unit.id}.html"


def worksheet_file(sheet: Worksheet) -> str:
    page = SITE.worksheet
    assert page is not None  # the website links its worksheets
    return page(sheet)


def translation_notice(course: Course) -> str:
    """One line: this translation is not reviewed yet, and by whom it is (empty once reviewed)."""
    if not course.translation_notice:
        return ""
    return f'<p class="translation-notice" role="note">{t(course, course.translation_notice)}</p>'


def footer(course: Course) -> str:
    parts = [translation_notice(course), h(course, course.acknowledgement, cls="acknowledgement")]
    licence = esc(course.licence.id)
    if course.licence.url:
        licence = f'<a href="{esc(course.licence.url)}" rel="license">{licence}</a>'
    parts.append(
        f"<p>{esc(course.message('licence'))}: {licence}"
        + (f" – {t(course, course.licence.notice)}" if course.licence.notice else "")
        + "</p>"
    )
    return "".join(parts)


def competences_body(course: Course, unit_links: bool = True) -> str:
    """Each framework at a glance: a bar per category (items covered), then the matrix of items
    × units, each cell shaded by how many outcomes, activities and questions cover the item,
    with the count in it and the list on demand; `unit_links` links the list to the units."""
    from moocpack import coverage

    def link(href: str, label: str) -> str:
        return f'<a href="{href}">{label}</a>' if unit_links else label

    def anchor(unit: Unit, kind: str, ref: str) -> str:
        return f"{unit_file(unit)}#{esc('q-' + ref.replace('.', '--') if kind == 'question' else ref)}"

    labels = {}
    for unit in course.units:
        labels.update({("outcome", o.id): o.text for o in unit.outcomes})
        labels.update({("activity", a.id): a.title for a in unit.activities})
        labels.update(
            {
                ("question", q.id): Text(question_title(q), getattr(q.stem, "lang", course.language))
                for q in unit.questions
            }
        )
    kinds = {
        "outcome": course.message("outcome"),
        "activity": course.message("activity"),
        "question": course.message("question"),
    }
    body = [f"<h1>{esc(course.message('frameworks'))}</h1>"]
    for fw in course.frameworks:
        categories = coverage.matrix(course, fw)
        items, covered = coverage.totals(categories)
        body.append(f'<section class="framework" id="framework-{esc(fw.id)}"><h2>{t(course, fw.title)}</h2>')
        body.append(
            f"<p>{esc(course.message('framework_items', items=items, categories=len(categories)))} · "
            f"{esc(course.message('coverage_summary', covered=covered, items=items))}</p>"
        )
        body.append(h(course, fw.description))
        if fw.translation_note:
            body.append(
                f'<p class="note"><strong>{esc(course.message("translation_note"))}:</strong> '
                f"{t(course, fw.translation_note)}</p>"
            )
        if fw.source:
            body.append(f'<p class="source"><cite>{esc(fw.source)}</cite></p>')
        bars = "".join(
            f'<tr><th scope="row"><a href="#{esc(c.id)}">{esc(c.number)} {t(course, c.title)}</a></th>'
            f'<td><span class="bar" aria-hidden="true"><span style="width:{100 * c.covered / max(len(c.rows), 1):.0f}%">'
            f"</span></span> {esc(course.message('coverage_summary', covered=c.covered, items=len(c.rows)))}</td></tr>"
            for c in categories
        )
        body.append(
            f"<h3>{esc(course.message('coverage_by_category'))}</h3>"
            f'<table class="coverage-summary"><tbody>{bars}</tbody></table>'
        )
        head = "".join(
            f'<th scope="col">{link(unit_file(u), esc(unit_label(course, u) or u.title))}</th>' for u in course.units
        )
        rows = []
        units = {unit.id: (place, unit) for place, unit in enumerate(course.units)}
        for c in categories:
            rows.append(
                f'<tr class="category" id="{esc(c.id)}"><th scope="colgroup" colspan="{len(course.units) + 1}">'
                f"{esc(c.number)} {t(course, c.title)}</th></tr>"
            )
            for row in c.rows:
                # Most cells are empty: a row of them, then the few that cover the item.
                cells = ['<td class="level-0"></td>'] * len(units)
                for uid, cell in row.cells.items():
                    place, unit = units[uid]
                    where = esc(
                        course.message("coverage_cell", n=cell.count, unit=unit_label(course, unit) or unit.title)
                    )
                    refs = "".join(
                        f"<li>{esc(kinds[kind])}: {link(anchor(unit, kind, ref), t(course, labels.get((kind, ref), ref)))}</li>"
                        for kind, ref in cell.refs
                    )
                    cells[place] = (
                        f'<td class="level-{coverage.level(cell.count)}"><details><summary>'
                        f'<span aria-hidden="true">{cell.count}</span><span class="visually-hidden">{where}'
                        f"</span></summary><ul>{refs}</ul></details></td>"
                    )
                state = "" if row.total else f' <span class="uncovered">({esc(course.message("not_covered"))})</span>'
                rows.append(
                    f'<tr id="{esc(row.item.id)}"><th scope="row">{t(course, row.item.text)} '
                    f'<span class="competence-id">{esc(row.item.id)}</span>{state}</th>{"".join(cells)}</tr>'
                )
        body.append(
            f'<h3>{esc(course.message("coverage"))}</h3><p class="hint">{esc(course.message("coverage_legend"))}</p>'
            f'<div class="matrix-scroll"><table class="coverage"><caption class="visually-hidden">'
            f'{esc(course.message("coverage"))}</caption><thead><tr><th scope="col">'
            f"{esc(course.message('competences'))}</th>{head}</tr></thead><tbody>{''.join(rows)}</tbody>"
            f"</table></div>"
        )
        body.append("</section>")
    return "".join(body)
