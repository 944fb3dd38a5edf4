"""What a learner reads, in every format: text that is not translated yet is announced in the
learner's language (and keeps its own language for screen readers), and counts read naturally."""

from __future__ import annotations

import re

import pytest

from conftest import SHIPPED, package_text
from moocpack.model import language_name, plural_category

NOTICE_NB = "Ikke oversatt ennå: denne delen vises på engelsk."


@pytest.fixture(scope="module")
def built(tmp_path_factory, partly_translated):
    """English and Norwegian of the course half-way through its translation (unit 2 and the
    worksheets still English in Norwegian)."""
    from click.testing import CliRunner

    from moocpack.cli import main

    out = tmp_path_factory.mktemp("dist")
    result = CliRunner().invoke(
        main, ["build", str(partly_translated), "--lang", "en", "--lang", "nb", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    return out


def members(path) -> dict[str, str]:
    """A package's pages and XML files (what learners' text is in)."""
    return package_text(path, (".html", ".xml"))


@pytest.mark.parametrize("fmt", ["html", "scorm12", "scorm2004", "cmi5", "olx", "moodle"])
def test_untranslated_text_is_announced_in_the_learners_language_in_every_format(built, fmt):
    package = next(built.glob(f"*-nb-{fmt}.*"))
    files = members(package)
    text = "\n".join(files.values())
    assert NOTICE_NB in text.replace("&#x27;", "'")
    assert 'lang="en"' in text  # the English text itself is marked, for screen readers and hyphenation
    english = "\n".join(members(next(built.glob(f"*-en-{fmt}.*"))).values())
    assert "fallback-notice" not in english


def test_a_page_with_fallback_text_says_so_once_at_its_top(built):
    files = members(next(built.glob("*-nb-html.zip")))
    unit = files["unit-02.html"]
    assert unit.count("fallback-notice") == 1
    main = unit.index("<main")
    assert main < unit.index("fallback-notice") < unit.index('lang="en"', main)
    assert NOTICE_NB in unit  # one language named once, however many blocks are English


def test_the_notice_names_each_language_markup_is_in_once_in_order_of_appearance():
    from moocpack import loader, render
    from moocpack.model import Html, Text

    course = loader.load(SHIPPED, "nb")
    page = (
        '<p hreflang="de"><a hreflang="de" href="x">x</a></p><span lang="nb">hei</span>'
        '<div lang="fr">un</div><span lang="en">one</span><div lang="fr">deux</div>'
    )
    notice = render.fallback_notice(course, page)
    assert "fransk, engelsk" in notice  # not German: hreflang names the linked page's language
    assert render.fallback_notice(course, '<a hreflang="de" href="x">x</a>', Text("hei", "nb")) == ""
    # A text's own language first, then what its markup holds; plain text has no markup.
    assert "engelsk, fransk" in render.fallback_notice(course, Html('<b lang="fr">un</b>', "en"))
    assert render.fallback_notice(course, Text('Write lang="fr" in the tag', "nb")) == ""


def test_points_follow_each_languages_plural_rules(built):
    english = members(next(built.glob("*-en-html.zip")))
    norwegian = members(next(built.glob("*-nb-html.zip")))
    points = set(re.findall(r'class="points">([^<]+)<', "".join(english.values())))
    assert {"1 point", "2 points"} <= points and not any("(s)" in p for p in points)
    assert "2 poeng" in "".join(norwegian.values())
    assert [plural_category("fr", n) for n in (0, 1, 1.5, 2)] == ["one", "one", "one", "other"]
    assert plural_category("en", 1.5) == "other"


def test_language_names_are_given_in_the_learners_language():
    assert language_name("nb", "en") == "engelsk"
    assert language_name("fr", "nb") == "norvégien bokmål"
    assert language_name("en", "nb") == "Norwegian Bokmål"
    assert language_name("en", "x-unknown") == "x-unknown"


@pytest.mark.parametrize("fmt", ["html", "scorm2004", "olx", "moodle"])
def test_learners_see_what_the_course_team_wrote_in_every_format(built, fmt):
    english = "\n".join(members(next(built.glob(f"*-en-{fmt}.*"))).values()).replace("&#x27;", "'")
    norwegian = "\n".join(members(next(built.glob(f"*-nb-{fmt}.*"))).values())
    if fmt == "moodle":  # Moodle's XML holds the intro as escaped HTML
        import html

        english, norwegian = html.unescape(english), html.unescape(norwegian)
    for credit in ("Answer key by the course team", "Questions by the course team"):
        assert credit in english, credit
    # The author's name is not translated into Norwegian yet: the whole sentence falls back, marked
    # English (and announced like any fallback), never half Norwegian, half English.
    assert '<p class="credit"><span lang="en">Answer key by the course team</span></p>' in norwegian
    assert "laget av the course team" not in norwegian and 'laget av <span lang="en">' not in norwegian


def test_a_translated_author_gives_the_whole_credit_in_the_learners_language(mini, cli, tmp_path):
    import zipfile
    from conftest import edit

    edit(
        mini / "en" / "worksheets" / "w1.yaml",
        "  build: true_false\n",
        "  build: true_false\n  author: the course team\n",
    )
    nb = mini / "nb" / "worksheets" / "w1.yaml"
    nb.parent.mkdir(exist_ok=True)
    nb.write_text("answer_key:\n  author: kursteamet\n", "utf-8")
    code, out, err = cli("build", mini, "--format", "html", "--lang", "nb", "--out", tmp_path / "out")
    assert code == 0, out + err
    with zipfile.ZipFile(next((tmp_path / "out").glob("*-nb-html.zip"))) as package:
        pages = "".join(package.read(n).decode() for n in package.namelist() if n.endswith(".html"))
    assert '<p class="credit">Fasit laget av kursteamet</p>' in pages


def test_the_competence_matrix_reads_at_a_glance_and_scripts_get_the_same_numbers(built, cli):
    import json

    page = members(next(built.glob("*-en-html.zip")))["competences.html"]
    info = json.loads(cli("info", SHIPPED, "--json")[1])
    pat = next(f for f in info["courses"][0]["frameworks"] if f["id"] == "pat")
    assert len(pat["by_category"]) == 12 and sum(c["items"] for c in pat["by_category"]) == 63
    assert pat["covered"] == sum(c["covered"] for c in pat["by_category"])
    row = next(r for c in pat["by_category"] for r in c["rows"] if r["id"] == "pat.09.5")
    # The label is the competence's text; the page counts in each cell what the JSON lists.
    assert row["text"].startswith("Follows laws and rules")
    cell = re.search(r'<tr id="pat\.09\.5"><th scope="row">([^<]+)<.*?</tr>', page).group(0)
    counts = [int(n) for n in re.findall(r'<span aria-hidden="true">(\d+)</span>', cell)]
    assert counts == [
        row["units"][u]["outcome"] + row["units"][u]["activity"] + row["units"][u]["question"]
        for u in ("unit-02", "unit-02-6", "unit-09")
        if u in row["units"]
    ]
    # Worksheet 3's eleven questions (a row each) are one exercise of the item: counted once, so
    # an outline, an activity and the worksheet's quiz make three, not thirteen.
    assert row["units"]["unit-02"]["question"] == 1 and "level-2" in cell
    assert page.count('class="bar"') == 12 + 1  # a bar per category of both frameworks (wwd has one)


TRAINER = "Introduce the participants to the topics of this session"  # the session plan's voice


@pytest.mark.parametrize("fmt", ["html", "scorm12", "scorm2004"])
def test_learners_are_addressed_as_learners_and_get_no_trainer_instructions(built, fmt):
    text = "\n".join(members(next(built.glob(f"*-en-{fmt}.*"))).values())
    assert TRAINER not in text and "Ask the participants" not in text and "Flipchart" not in text
    assert "Your task" in text and "Think about one person who was a role model to you" in text


def test_the_facilitator_guide_holds_every_trainer_instruction_and_says_what_it_is(built):
    files = members(next(built.glob("*-en-guide.zip")))
    unit = files["unit-02.html"]
    for trainer in (
        TRAINER,
        "Ask the participants to think about one person",
        "Flipchart/whiteboard",
        "At the end of the session, ask reflection questions",
    ):
        assert trainer in unit.replace("&#x27;", "'"), trainer
    assert all('class="guide-banner"' in page for name, page in files.items() if name.endswith(".html"))
    assert "Veiledning for kursledere" in "".join(members(next(built.glob("*-nb-guide.zip"))).values())


def test_open_edx_and_moodle_show_facilitator_content_to_staff_only(built):
    olx = members(next(built.glob("*-en-olx.tar.gz")))
    staff = {name for name, text in olx.items() if 'visible_to_staff_only="true"' in text}
    shown = "\n".join(text for name, text in olx.items() if name.endswith(".html"))
    assert TRAINER in shown  # in the export, for staff
    for name, text in olx.items():
        if TRAINER in text:
            pointer = name.replace(".html", ".xml")
            vertical = next(
                n for n, x in olx.items() if n.startswith("course/vertical/") and pointer.rsplit("/", 1)[1][:-4] in x
            )
            assert vertical in staff or pointer in staff
    assert sum(1 for n in staff if "/html/" in n) == 6  # each activity's procedure
    moodle = members(next(built.glob("*-en-moodle.mbz")))
    for name, text in moodle.items():
        if name.endswith("/page.xml") and TRAINER in text:
            assert "<visible>0</visible>" in moodle[name.replace("page.xml", "module.xml")]


COMPETENCE_ID = re.compile(r"\b(?:pat|wwd)\.\d+(?:\.\d+)+\b")


def visible_text(markup: str) -> str:
    """What a reader sees of a page or an XML document holding escaped HTML: text, no tags."""
    import html as html_module
    from lxml import html as lxml_html

    text = markup
    for _ in range(2):  # Moodle and OLX keep HTML escaped inside XML
        text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.S | re.I)  # data for scripts: not shown
        text = html_module.unescape(re.sub(r"<[^>]+>", " ", text))
    return lxml_html.fromstring(f"<div>{text}</div>").text_content() if text.strip() else ""


@pytest.mark.parametrize("fmt", ["html", "scorm2004", "olx", "moodle"])
@pytest.mark.parametrize("lang", ["en", "nb"])
def test_learners_see_competence_names_never_ids(built, fmt, lang):
    package = next(built.glob(f"*-{lang}-{fmt}.*"))
    pages = {
        name: text
        for name, text in members(package).items()
        if not name.endswith(
            (
                "imsmanifest.xml",
                "moodle_backup.xml",
                "competencies.xml",
                "inforef.xml",
                "module.xml",
                "grades.xml",
                "grade_history.xml",
                "roles.xml",
                "questions.xml",
            )
        )  # question tags: the bank, teachers only
        and "competence" not in name
        and "policies" not in name
        and not name.startswith(("tags", "course/tags"))
    }
    shown = {name: COMPETENCE_ID.findall(visible_text(text)) for name, text in pages.items()}
    assert {name: ids for name, ids in shown.items() if ids} == {}
    from moocpack import loader

    model = loader.load(SHIPPED, lang)
    name = str(model.competence("pat.02.2").text)
    assert any(name in visible_text(text) for text in pages.values()), name


def test_short_text_answers_are_translatable_and_a_translation_adds_to_what_is_accepted(tmp_path, cli):
    """The nb translation accepts "Dramatrekanten": a Norwegian learner typing it is right, and so
    is one typing the English term the source accepts. Every format grades with the same list."""
    import html
    import json

    out = tmp_path / "out"
    code, stdout, stderr = cli(
        "build",
        SHIPPED,
        "--lang",
        "en",
        "--lang",
        "nb",
        "--format",
        "html",
        "--format",
        "olx",
        "--format",
        "moodle",
        "--out",
        out,
    )
    assert code == 0, stdout + stderr
    english = {"Drama Triangle", "The Drama Triangle"}
    for lang, expected in (("nb", english | {"Dramatrekanten", "Dramatrekant"}), ("en", english)):
        html_pages = "".join(members(next(out.glob(f"*-{lang}-html.zip"))).values())
        data = re.search(r'"answers": (\[[^\]]*\])[^{}]*?"id": "q-drama-triangle"', html_pages)
        assert set(json.loads(data.group(1))) == expected, lang
        olx = members(next(out.glob(f"*-{lang}-olx.tar.gz")))
        problem = next(text for name, text in olx.items() if "q-drama-triangle" in name and "/problem/" in name)
        found = set(re.findall(r'<stringresponse answer="([^"]+)"', problem)) | set(
            re.findall(r'<additional_answer answer="([^"]+)"', problem)
        )
        assert found == expected, (lang, problem)
        from lxml import etree

        bank = etree.fromstring(members(next(out.glob(f"*-{lang}-moodle.mbz")))["questions.xml"].encode())
        question = next(q for q in bank.iter("question_bank_entry") if q.findtext("idnumber") == "q-drama-triangle")
        assert {html.unescape(a.text) for a in question.iter("answertext")} == expected, lang


def test_the_home_page_states_coverage_as_counted_never_claimed(built, cli):
    import json

    page = members(next(built.glob("*-en-html.zip")))["index.html"]
    info = json.loads(cli("info", SHIPPED, "--json")[1])
    for framework in info["courses"][0]["frameworks"]:
        wanted = f"{framework['covered']} of {framework['items']} items covered"
        assert f'href="competences.html#framework-{framework["id"]}">{wanted}</a>' in page, wanted
    assert "Every learning outcome and every question is linked" not in page


def test_the_facilitator_guide_gives_each_session_its_running_order(tmp_path, cli):
    code, out, err = cli("build", SHIPPED, "--format", "guide", "--format", "html", "--lang", "en", "--out", tmp_path)
    assert code == 0, out + err
    guide = members(next(tmp_path.glob("*-en-guide.zip")))["unit-02.html"]
    order = guide[guide.index('id="unit-running-order"') :]
    order = re.sub(r"<[^>]+>", "|", order[: order.index("</table>")])
    cells = [c for c in order.split("|") if c.strip()]
    # The introduction and the five activities, when each starts, and the sum beside the session.
    assert cells[cells.index("Introduction") : cells.index("Introduction") + 3] == ["Introduction", "15–20 min", "0"]
    assert "Case scenario analysis" in cells and cells[-1] == "125–150 min / 2.5 h"
    assert 'id="unit-running-order"' not in members(next(tmp_path.glob("*-en-html.zip")))["unit-02.html"]
