"""The shipped course says only what its sources say: every Norwegian and French text occurs in
the project documents kept in course/peer-support/sources/ (whitespace and Markdown marks aside),
but for the extraction faults fixed on purpose, listed here with the reason."""

from __future__ import annotations

import re

import yaml
from markdown_it import MarkdownIt

from conftest import SHIPPED

SOURCES = SHIPPED / "sources"
LANGUAGES = ("nb", "fr")

# Text that differs from the extracted source on purpose: the text as published, and as extracted.
FIXED = {
    "Oppmuntre til innovasjon og utveksling av praksis om ovennevnte temaer.": "Øppmuntre til innovasjon og utveksling av praksis om ovennevnte temaer.",
    "Styrke ansettelsen av erfaringskonsulenter ved å styrke deres faglige profil og gi dem tilstrekkelig opplæring.": "BStyrke ansettelsen av erfaringskonsulenter ved å styrke deres faglige profil og gi dem tilstrekkelig "
    "opplæring.",
    "Opprette og konsolidere et europeisk nettverk av ulike og komplementære organisasjoner rundt innovative "
    "resultater innen psykisk helsefeltet, og knytte kontakter med verdensledende organisasjoner innen recovery og "
    "opplæring av erfaringskonsulenter.": "IOpprette og konsolidere et europeisk nettverk av ulike og komplementære organisasjoner rundt innovative "
    "resultater innen psykisk helsefeltet, og knytte kontakter med verdensledende organisasjoner innen recovery "
    "og opplæring av erfaringskonsulenter.",
}
# Paragraphs whose start was fixed (the rest is checked word for word): published start → extracted.
FIXED_STARTS = {"PSW-kompetansen har ikke eksplisitt": "PPSW-kompetansen har ikke eksplisitt"}


def normal(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("*", "")).strip()


def blocks(markdown: str) -> list[str]:
    """Each paragraph, heading or list item of a text, as plain words."""
    found, current = [], []
    for token in MarkdownIt().parse(markdown):
        if token.type == "inline":
            current.append(token.content)
        elif token.type in ("paragraph_close", "heading_close") and current:
            found.append(normal(" ".join(current)))
            current = []
    return [b for b in found if b]


def strings(node, path=()):
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from strings(value, (*path, str(key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from strings(value, (*path, str(index)))


def in_sources(text: str, source: str) -> bool:
    """Every paragraph of the text occurs in the sources (or is a listed fix of them)."""
    for block in blocks(text):
        for published, extracted in FIXED_STARTS.items():
            if block.startswith(published):
                block = extracted + block[len(published) :]
        if block not in source and block not in FIXED:
            return False
    return True


def reviewed_texts() -> list[tuple[str, str]]:
    """(where, text) for every Norwegian or French text the translation locks mark reviewed (the
    project's own wording), and for the framework's Norwegian original."""
    found = []
    for lang in LANGUAGES:
        lock = yaml.safe_load((SHIPPED / lang / "_l10n.lock.yaml").read_text("utf-8"))["units"]
        for key, entry in lock.items():
            if entry.get("reviewed"):
                file, _, pointer = key.partition("#")
                node = yaml.safe_load((SHIPPED / lang / file).read_text("utf-8"))
                for part in pointer.strip("/").split("/"):
                    node = node[part]
                found.append((f"{lang}/{key}", node))
    framework = yaml.safe_load((SHIPPED / "competences" / "pat.yaml").read_text("utf-8"))
    found += [
        (f"competences/pat.yaml:{'/'.join(where)}", text) for where, text in strings(framework) if where[-1] == "nb"
    ]
    return found


def test_the_projects_own_norwegian_and_french_is_in_the_sources_word_for_word():
    source = normal(" ".join(p.read_text("utf-8") for p in sorted(SOURCES.glob("*.txt"))))
    texts = reviewed_texts()
    assert len(texts) > 77  # the framework alone has 77 Norwegian texts
    missing = [f"{where}: {text[:120]}" for where, text in texts if not in_sources(text, source)]
    assert not missing, "not in the sources:\n" + "\n".join(missing)


def test_the_course_teams_translation_is_never_passed_off_as_the_projects():
    """A translation not in the sources is the course team's: its file says so on its first line,
    and the lock does not mark it reviewed (learners are told it is not reviewed yet)."""
    source = normal(" ".join(p.read_text("utf-8") for p in sorted(SOURCES.glob("*.txt"))))
    reviewed = {where for where, _ in reviewed_texts()}
    for lang in LANGUAGES:
        for path in sorted((SHIPPED / lang).rglob("*.yaml")):
            if path.name.startswith("_") or path.name == "course.yaml":
                continue
            assert path.read_text("utf-8").startswith("# course team: translated by the course team"), path
        lock = yaml.safe_load((SHIPPED / lang / "_l10n.lock.yaml").read_text("utf-8"))["units"]
        for key in lock:
            if f"{lang}/{key}" in reviewed or key.startswith("competences/"):
                continue  # a framework's translations are written beside its original, in one file
            file, _, pointer = key.partition("#")
            node = yaml.safe_load((SHIPPED / lang / file).read_text("utf-8"))
            for part in pointer.strip("/").split("/"):
                node = node[part] if isinstance(node, dict) else node
            assert not (isinstance(node, str) and len(node) > 200 and in_sources(node, source)), (
                f"{lang}/{key} is the project's text: review it (XLIFF final)"
            )


def test_each_fix_is_the_extracted_text_with_only_its_fault_removed():
    source = normal(" ".join(p.read_text("utf-8") for p in sorted(SOURCES.glob("*.txt"))))
    for published, extracted in {**FIXED, **FIXED_STARTS}.items():
        assert extracted in source and published != extracted, published
        # A stray or wrong first letter from the PDF's drop capitals, nothing else.
        assert extracted.endswith(published[1:]) and len(extracted) - len(published) in (0, 1), published


def test_the_norwegian_project_text_and_framework_description_are_complete():
    nb = (SHIPPED / "nb" / "course.yaml").read_text("utf-8")
    framework = (SHIPPED / "competences" / "pat.yaml").read_text("utf-8")
    for heading in ("HVORDAN", "MÅLSETTING FOR PROSJEKTET", "PROSJEKTRESULTATER", "RESULTAT NR 5"):
        assert heading in nb
    for heading in (
        "Kompetanse",
        "Økosystem",
        "Holdninger",
        "Svak overlapping mellom SW-kompetanse og PSW-kompetanse",
        "Elementer som utelukkende inngår i PSW-rammeverket",
    ):
        assert f"**{heading}**" in framework
    assert "Outils : un référentiel" not in framework  # not the framework's description: French falls back


def test_what_the_course_team_added_is_marked_in_the_files():
    """The course team's additions to the sources are marked where they are written."""
    marked = {
        "en/course.yaml": ["acknowledgement:", "licence:", "effort:"],
        "en/units/unit-02.yaml": ["  - id: enrich-principles"],
        "en/worksheets/ws3-secrecy-confidentiality.yaml": [
            "        description: A user complains about another client to the staff member in a private space"
        ],
    }
    for name, anchors in marked.items():
        lines = (SHIPPED / name).read_text("utf-8").splitlines()
        for anchor in anchors:
            at = next(i for i, line in enumerate(lines) if line.startswith(anchor))
            assert lines[at - 1].lstrip().startswith("# course team:"), (name, anchor)
    # Answer keys and questions the sources do not give are credited to the course team for learners.
    for sheet in (
        "ws1-me-as-role-model",
        "ws3-secrecy-confidentiality",
        "ws9-helper-or-empowering",
        "ws26-self-assessment",
    ):
        assert "  author: the course team" in (SHIPPED / "en" / "worksheets" / f"{sheet}.yaml").read_text("utf-8")
    assert "    author: the course team" in (SHIPPED / "en" / "units" / "unit-09.yaml").read_text("utf-8")
