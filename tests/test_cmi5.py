"""cmi5: one course package per language, its cmi5.xml checked against the course structure XSD
of the cmi5 specification (shipped with the exporter), a block and an AU per unit, each question an
xAPI interaction in the course's language. The runtime against a real learning record store, in a
real browser, is tests/test_cmi5_lrs.py."""

from __future__ import annotations

import json
import re

import pytest
from lxml import etree

from conftest import SHIPPED, package_files

NS = {"c": "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"}
LANGUAGES = ("en", "nb", "fr")


@pytest.fixture(scope="module")
def packages(tmp_path_factory):
    from click.testing import CliRunner

    from moocpack.cli import main

    out = tmp_path_factory.mktemp("cmi5")
    result = CliRunner().invoke(main, ["build", str(SHIPPED), "--format", "cmi5", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return {lang: package_files(out / f"pat-peer-support-1.0.0-{lang}-cmi5.zip") for lang in LANGUAGES}


def xsd() -> etree.XMLSchema:
    from moocpack_exporters.cmi5 import xsd

    return etree.XMLSchema(etree.fromstring(xsd()))


def settings(page: bytes) -> dict:
    found = re.search(rb'<script type="application/json" id="moocpack-sco">(.*?)</script>', page, re.S)
    return json.loads(found.group(1))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_course_structure_is_valid_against_the_cmi5_xsd(packages, lang):
    schema = xsd()
    assert schema.validate(etree.fromstring(packages[lang]["cmi5.xml"])), schema.error_log


def test_the_xsd_check_rejects_a_broken_structure(packages):
    """The validation above is not blind: an AU without its launch URL, or an unknown moveOn, fails."""
    schema = xsd()
    root = etree.fromstring(packages["en"]["cmi5.xml"])
    url = root.find(".//c:au/c:url", NS)
    url.getparent().remove(url)
    assert not schema.validate(root)
    root = etree.fromstring(packages["en"]["cmi5.xml"])
    root.find(".//c:au", NS).set("moveOn", "Finished")
    assert not schema.validate(root)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_block_per_unit_holds_one_au_that_launches_the_units_page(packages, lang):
    files = packages[lang]
    root = etree.fromstring(files["cmi5.xml"])
    blocks = root.findall("c:block", NS)
    assert [b.get("id").rsplit(":", 1)[1] for b in blocks] == ["unit-02", "unit-02-6", "unit-09"]
    for block in blocks:
        (au,) = block.findall("c:au", NS)
        url = au.findtext("c:url", namespaces=NS)
        assert url in files and b'src="lms.js"' in files[url]  # the AU's page, with the cmi5 runtime
        assert au.get("id") != block.get("id") and f":{lang}:" in au.get("id")
        assert au.find("c:title/c:langstring", NS).get("lang") == lang
    assert b"cmi5 runtime" in files["lms.js"] and b"API_1484_11" not in files["lms.js"]


def test_a_graded_unit_moves_on_when_passed_at_its_pass_mark_the_others_when_completed(packages):
    root = etree.fromstring(packages["en"]["cmi5.xml"])
    aus = {au.get("id").rsplit(":", 1)[1]: au for au in root.iter("{%s}au" % NS["c"])}
    assert aus["unit-09"].get("moveOn") == "Passed" and aus["unit-09"].get("masteryScore") == "0.7"
    for unit in ("unit-02", "unit-02-6"):
        assert aus[unit].get("moveOn") == "Completed" and aus[unit].get("masteryScore") is None


def test_competences_are_the_courses_objectives_and_each_au_names_its_own(packages):
    root = etree.fromstring(packages["fr"]["cmi5.xml"])
    objectives = {o.get("id"): o for o in root.find("c:objectives", NS)}
    assert "urn:moocpack:pat-peer-support:competence:pat.02.2" in objectives
    title = objectives["urn:moocpack:pat-peer-support:competence:pat.02.2"].findtext(
        "c:title/c:langstring", namespaces=NS
    )
    assert title == "pat.02.2 Transmet aux usagers l'espoir de se rétablir."
    for au in root.iter("{%s}au" % NS["c"]):
        refs = [o.get("idref") for o in au.findall("c:objectives/c:objective", NS)]
        assert refs and set(refs) <= set(objectives)


def test_each_question_is_an_xapi_interaction_in_the_courses_language(packages):
    """The definitions the runtime sends: every built-in type with its own interaction type and
    correct-response pattern; ids without the language, so answers in every language add up."""
    en, fr = settings(packages["en"]["unit-09.html"]), settings(packages["fr"]["unit-09.html"])
    definitions = {qid: q["activity"]["definition"] for qid, q in en["questions"].items()}
    assert {qid: d["interactionType"] for qid, d in definitions.items()} == {
        "ws9-helper-or-empowering": "matching",
        "q-professional": "choice",
        "q-sharing-story": "choice",
        "q-drama-triangle": "fill-in",
        "q-self-efficacy": "true-false",
        "q-rescuer": "choice",
    }
    matching = definitions["ws9-helper-or-empowering"]
    assert len(matching["source"]) == 4 and [t["id"] for t in matching["target"]] == ["t0", "t1"]
    pattern = matching["correctResponsesPattern"][0].split("[,]")
    assert len(pattern) == 4 and all(re.fullmatch(r"[\w-]+\[\.\]t[01]", p) for p in pattern)
    assert definitions["q-drama-triangle"]["correctResponsesPattern"][0].startswith("{case_matters=false}")
    assert definitions["q-self-efficacy"]["correctResponsesPattern"] in (["true"], ["false"])
    assert "[,]" in definitions["q-sharing-story"]["correctResponsesPattern"][0]
    for qid, question in en["questions"].items():
        assert question["activity"]["id"] == f"urn:moocpack:pat-peer-support:question:{qid}"
        assert fr["questions"][qid]["activity"]["id"] == question["activity"]["id"]
        assert list(fr["questions"][qid]["activity"]["definition"]["description"]) == ["fr"]
    likert = settings(packages["nb"]["unit-02-6.html"])["questions"]["ws26-self-assessment.c01"]["activity"]
    assert likert["definition"]["interactionType"] == "likert" and "correctResponsesPattern" not in likert["definition"]
    assert list(likert["definition"]["scale"][0]["description"]) == ["nb"]
    essays = [q for q in settings(packages["en"]["unit-02.html"])["questions"].values() if q["type"] == "essay"]
    assert essays and all(q["activity"]["definition"]["interactionType"] == "long-fill-in" for q in essays)


def test_every_competence_a_question_names_is_sent_with_its_text(packages):
    config = settings(packages["nb"]["unit-09.html"])
    named = {cid for q in config["questions"].values() for cid in q["competences"]}
    assert named and named == set(config["competences"])
    for cid, activity in config["competences"].items():
        assert activity["id"] == f"urn:moocpack:pat-peer-support:competence:{cid}"
        assert activity["definition"]["name"]["nb"].startswith(cid + " ")


def test_the_package_holds_what_its_pages_use_and_nothing_from_scorm(packages):
    files = packages["en"]
    assert "imsmanifest.xml" not in files and not any(name.endswith(".xsd") for name in files)
    for name, data in files.items():
        if name.endswith(".html"):
            for ref in re.findall(rb'(?:src|href)="([^"#:]+)"', data):
                assert ref.decode() in files, (name, ref)
