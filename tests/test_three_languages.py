"""The shipped course in Norwegian and French is a whole course: every string translated through
the translators' workflow, no English left where a learner reads (but titles of works), the
course team's translation and the course team's own material said to be so, in every format."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
import yaml
from click.testing import CliRunner
from lxml import etree
from lxml import html as lxml_html

from conftest import SHIPPED, package_files
from moocpack.cli import main

# Titles of published works, cited as published (bibliography and the page citing its sources):
# proper names, left in their language on purpose.
TITLES_OF_WORKS = {
    "Peer Support, a tool for recovery in Homelessness Services",
    "The story of Jessica, who became a peer mentor",
    "The Power of TED*",
    "The Power of TED* (*The Empowerment Dynamic)",
}
# Names of the project and its partners, in the language they are registered in.
PROPER_NAMES = ("PAT – Peer and Team Support", "Peer and Team Support", "Inland Norway University of Applied Sciences")
# Words that make a text English when they are a good part of it (articles, pronouns, auxiliaries);
# not "for", as common in Norwegian ("Veiledning for kursledere").
ENGLISH_WORDS = set(
    "the and of to is are your you with this that it in on be by or as an a was not at from "
    "can will what which who how when their they them have has".split()
)


def looks_english(text: str) -> bool:
    for name in PROPER_NAMES:
        text = text.replace(name, "")
    words = re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)*", text)  # whole words, accents and all
    if len(words) < 3 or not re.search(r"\s", text.strip()):
        return False  # ids, file names and digests are no sentences
    hits = [w for w in words if w.lower() in ENGLISH_WORDS]
    return len(hits) >= 2 and len(hits) / len(words) >= 0.25


def visible_texts(markup: str) -> list[str]:
    """The text of an HTML page or fragment a learner reads or hears: text nodes and the
    attributes a browser shows or reads out."""
    try:
        doc = lxml_html.fromstring(markup)
    except (etree.ParserError, ValueError):
        return []
    for hidden in doc.xpath("//script|//style"):
        hidden.drop_tree()
    return [str(t) for t in doc.xpath("//text()|//@alt|//@title|//@aria-label|//@placeholder|//@data-label")]


def package_texts(path) -> list[tuple[str, str]]:
    """(member, text) for every learner-visible text of a package: pages, XML fields holding
    HTML (Moodle), drawings' words and handouts' text."""
    from pypdf import PdfReader

    found = []
    for name, data in package_files(path).items():
        if name.endswith(".pdf"):
            found += [
                (name, line) for page in PdfReader(io.BytesIO(data)).pages for line in page.extract_text().splitlines()
            ]
        elif name.endswith(".svg"):
            found += [(name, t) for t in etree.fromstring(data).xpath("//*[local-name()='text']//text()")]
        elif name.endswith(".html"):
            found += [(name, t) for t in visible_texts(data.decode())]
        elif name.endswith(".xml"):
            for element in etree.fromstring(data).iter():
                text = (element.text or "").strip()
                if text:
                    found += [(name, t) for t in (visible_texts(text) if "<" in text else [text])]
                found += [(name, v) for k, v in element.attrib.items() if k in ("display_name", "title")]
    return found


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    result = CliRunner().invoke(main, ["build", str(SHIPPED), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_norwegian_and_french_are_complete_and_a_language_needs_80_percent_to_ship():
    course = yaml.safe_load((SHIPPED / "en" / "course.yaml").read_text("utf-8"))
    assert course["min_complete"] == 80
    result = CliRunner().invoke(main, ["l10n", "status", str(SHIPPED), "--json"])
    assert result.exit_code == 0, result.output
    rows = {row["language"]: row for row in json.loads(result.output)["languages"]}
    for lang in ("nb", "fr"):
        assert rows[lang]["complete"] == 100.0
        assert rows[lang]["missing"] == rows[lang]["stale"] == 0


def test_the_course_teams_translation_is_translated_not_reviewed_and_only_the_projects_text_is_reviewed():
    """The lock says what was reviewed: only the project's own Norwegian and French wording (kept
    word for word in sources/); everything else the course team translated stays unreviewed."""
    for lang, reviewed in (
        ("nb", {"course.yaml#/project", "course.yaml#/acknowledgement"}),
        ("fr", {"course.yaml#/project"}),
    ):
        lock = yaml.safe_load((SHIPPED / lang / "_l10n.lock.yaml").read_text("utf-8"))["units"]
        assert {key for key, entry in lock.items() if entry.get("reviewed")} == reviewed
        assert len(lock) > 250


@pytest.mark.parametrize("lang", ["nb", "fr"])
def test_no_english_is_left_where_a_norwegian_or_french_learner_reads(dist, lang):
    packages = sorted(
        p for p in dist.iterdir() if f"-{lang}-" in p.name and p.suffix in (".zip", ".gz", ".mbz", ".imscc")
    )
    assert len(packages) == 8  # html, guide, scorm12, scorm2004, cmi5, olx, moodle, cc
    english = sorted(
        {
            (p.name, member, text.strip()[:120])
            for p in packages
            for member, text in package_texts(p)
            if looks_english(text) and text.strip() not in TITLES_OF_WORKS
        }
    )
    assert english == [], "English text in a translated package:\n" + "\n".join(map(str, english))


def test_the_english_check_finds_english(dist):
    """The check above is not blind: the English packages are full of what it looks for."""
    package = next(dist.glob("*-en-html.zip"))
    assert sum(looks_english(text) for _, text in package_texts(package)) > 200
    assert not looks_english("Les historien om Tomas og svar på refleksjonsspørsmålene.")
    assert not looks_english("Lisez l'histoire de Tomas et répondez à ses questions de réflexion.")


NOTICE = {
    "nb": "Oversatt av kursteamet, ennå ikke gjennomgått av en kursleder med norsk som morsmål.",
    "fr": "Traduction : l'équipe du cours, pas encore relue par un formateur de langue maternelle française.",
}


@pytest.mark.parametrize("lang", ["nb", "fr"])
@pytest.mark.parametrize("fmt", ["html", "scorm2004", "cmi5", "olx", "moodle"])
def test_learners_are_told_the_translation_is_the_course_teams_and_not_reviewed(dist, lang, fmt):
    package = next(dist.glob(f"*-{lang}-{fmt}.*"))
    texts = [text.strip() for _, text in package_texts(package)]
    assert NOTICE[lang] in texts
    english = [text.strip() for _, text in package_texts(next(dist.glob(f"*-en-{fmt}.*")))]
    assert not any("not yet reviewed" in text for text in english)  # the source language is no translation


def test_a_translation_whose_strings_are_all_reviewed_says_nothing():
    from moocpack import checks, loader
    from moocpack.problems import Report

    checked = checks.check(SHIPPED, Report(str(SHIPPED)))
    assert loader.load(SHIPPED, "nb", checked=checked, quiet=True).translation_notice
    checked.locks["nb"] = {key: {**entry, "reviewed": True} for key, entry in checked.locks["nb"].items()}
    assert loader.load(SHIPPED, "nb", checked=checked, quiet=True).translation_notice is None
    assert loader.load(SHIPPED, "en", checked=checked, quiet=True).translation_notice is None


# What the course team wrote, as learners see it credited in Norwegian.
CREDITS_NB = [
    "Læringsutbytte formulert av kursteamet",
    "Oppgave av kursteamet",
    "Laget av kursteamet",
    "Tekst av kursteamet",
    "Spørsmål laget av kursteamet",
]


@pytest.mark.parametrize("fmt", ["html", "scorm12", "olx", "moodle"])
def test_the_course_teams_material_is_marked_where_learners_see_it(dist, fmt):
    texts = {text.strip() for _, text in package_texts(next(dist.glob(f"*-nb-{fmt}.*")))}
    for credit in CREDITS_NB:
        assert credit in texts, credit
    assert "Arbeidsark av kursteamet" in texts  # ws9 and ws26, on screen


def test_the_course_teams_worksheets_say_so_on_the_printed_handout(dist):
    with zipfile.ZipFile(next(dist.glob("*-nb-html.zip"))) as z:
        from pypdf import PdfReader

        ws9 = PdfReader(io.BytesIO(z.read("handouts/ws9-helper-or-empowering.nb.pdf"))).pages[0].extract_text()
        ws3 = PdfReader(io.BytesIO(z.read("handouts/ws3-secrecy-confidentiality.nb.pdf"))).pages[0].extract_text()
    assert "Arbeidsark av kursteamet" in ws9
    assert "kursteamet" not in ws3  # the project's worksheet: its answer key is the course team's, not the sheet
