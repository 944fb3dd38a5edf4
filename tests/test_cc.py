"""IMS Common Cartridge: one .imscc per language, checked against the IMS XSDs of Common
Cartridge 1.1 and its QTI 1.2 profile (as Moodle ships them: tests/schemas/cc11/), with the
course's structure, learner pages, graded quizzes as QTI and discussions as topics. Moodle's own
importer (backup/cc) runs in tests/test_real_moodle.py."""

from __future__ import annotations

import io
import zipfile

import pytest
from lxml import etree

from conftest import ROOT, SHIPPED

XSD = ROOT / "tests" / "schemas" / "cc11"
QTI = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"
LANGUAGES = ("en", "nb", "fr")


def schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD / name)))


@pytest.fixture(scope="module")
def cartridges(tmp_path_factory):
    from click.testing import CliRunner

    from moocpack.cli import main

    built = {}
    for version in ("1.1", "1.3"):
        out = tmp_path_factory.mktemp(f"cc{version}")
        result = CliRunner().invoke(
            main, ["build", str(SHIPPED), "--format", "cc", "--set", f"cc_version={version}", "--out", str(out)]
        )
        assert result.exit_code == 0, result.output
        for lang in LANGUAGES:
            with zipfile.ZipFile(out / f"pat-peer-support-1.0.0-{lang}-cc.imscc") as z:
                built[version, lang] = {n: z.read(n) for n in z.namelist()}
    return built


def manifest(files) -> etree._Element:
    return etree.fromstring(files["imsmanifest.xml"])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_manifest_assessment_and_topic_of_a_1_1_cartridge_validates(cartridges, lang):
    files = cartridges["1.1", lang]
    validator = schema("cc11libxml2validator.xsd")
    assert validator.validate(etree.fromstring(files["imsmanifest.xml"])), validator.error_log
    qti, topics = schema("ccv1p1_qtiasiv1p2p1_v1p0.xsd"), schema("ccv1p1_imsdt_v1p1.xsd")
    assessments = [n for n in files if n.endswith("/assessment.xml")]
    discussions = [n for n in files if n.endswith("/topic.xml")]
    assert len(assessments) == 1 and len(discussions) == 3
    for name in assessments:
        assert qti.validate(etree.fromstring(files[name])), (name, qti.error_log)
    for name in discussions:
        assert topics.validate(etree.fromstring(files[name])), (name, topics.error_log)


def test_the_validation_is_not_blind(cartridges):
    files = cartridges["1.1", "en"]
    root = manifest(files)
    etree.SubElement(root[1], f"{{{root.nsmap[None]}}}bogus")
    assert not schema("cc11libxml2validator.xsd").validate(root)


def test_a_1_3_cartridge_uses_the_1_3_namespaces_and_resource_types(cartridges):
    """Contract test (the IMS 1.3 XSDs are not here): the names CC 1.3 importers look for."""
    files = cartridges["1.3", "en"]
    text = files["imsmanifest.xml"].decode()
    assert 'xmlns="http://www.imsglobal.org/xsd/imsccv1p3/imscp_v1p1"' in text
    assert "<schemaversion>1.3.0</schemaversion>" in text
    types = {r.get("type") for r in manifest(files).iter("{*}resource")}
    assert types == {"webcontent", "imsqti_xmlv1p2/imscc_xmlv1p3/assessment", "imsdt_xmlv1p3"}
    topic = next(files[n] for n in files if n.endswith("/topic.xml")).decode()
    assert 'xmlns="http://www.imsglobal.org/xsd/imsccv1p3/imsdt_v1p3"' in topic


@pytest.mark.parametrize("version", ["1.1", "1.3"])
def test_every_file_is_listed_and_every_reference_resolves(cartridges, version):
    files = cartridges[version, "nb"]
    root = manifest(files)
    resources = {r.get("identifier"): r for r in root.iter("{*}resource")}
    listed = {f.get("href") for r in resources.values() for f in r.iter("{*}file")}
    assert listed == set(files) - {"imsmanifest.xml"}
    for item in root.iter("{*}item"):
        if item.get("identifierref"):
            assert item.get("identifierref") in resources
    for resource in resources.values():
        for dependency in resource.iter("{*}dependency"):
            assert dependency.get("identifierref") in resources
    # The course's structure: a folder per unit, in order, named as the course names them.
    units = [item for item in root.find("{*}organizations/{*}organization/{*}item")]
    assert [u.findtext("{*}title") for u in units] == [
        "Enhet 2 Et dypere blikk på rollen som erfaringskonsulent",
        "Enhet 2.6 Evne til å arbeide med forskjellighet",
        "Enhet 9 Likepersonsrelasjonen",
    ]
    assert root.find(".//{*}general/{*}title/{*}string").get("language") == "nb"


def test_pages_are_the_learners_view_without_scripts_and_the_trainers_notes_are_instructor_only(cartridges):
    files = cartridges["1.1", "en"]
    pages = {n: files[n].decode() for n in files if n.endswith(".html")}
    assert pages and not any("<script" in page for page in pages.values())
    assert not any("for-facilitators" in page for name, page in pages.items() if not name.endswith("-facilitator.html"))
    root = manifest(files)
    instructor = [
        r for r in root.iter("{*}resource") if r.findtext(".//{*}intendedEndUserRole/{*}value") == "Instructor"
    ]
    assert {r.get("href") for r in instructor} == {
        f"web_resources/{u}-facilitator.html" for u in ("unit-02", "unit-02-6", "unit-09")
    }
    notes = pages["web_resources/unit-02-facilitator.html"]
    assert "Introduce the participants shortly to the concept of role modeling" in notes  # a procedure
    assert "Stationery" in notes  # the materials
    # Images and handouts travel with the pages that show them.
    assert "web_resources/assets/unit-09/triangles.en.svg" in files
    assert 'src="assets/unit-09/triangles.en.svg"' in pages["web_resources/unit-09-triangles-and-boundaries.html"]


def test_the_graded_quiz_keeps_its_points_answers_feedback_and_competences(cartridges):
    files = cartridges["1.3", "en"]
    test = etree.fromstring(next(files[n] for n in files if n.endswith("/assessment.xml")))
    items = list(test.iter(f"{QTI}item"))
    meta = {
        i.get("ident"): {
            f.findtext(f"{QTI}fieldlabel"): f.findtext(f"{QTI}fieldentry") for f in i.iter(f"{QTI}qtimetadatafield")
        }
        for i in items
    }
    # Matching has no CC profile: one multiple-choice item per statement, its 2 points shared.
    assert sum(float(m["cc_weighting"]) for m in meta.values()) == 7
    assert [m["cc_profile"] for m in meta.values()].count("cc.multiple_choice.v0p1") == 4 + 2
    assert {m["cc_profile"] for m in meta.values()} == {
        "cc.multiple_choice.v0p1",
        "cc.multiple_response.v0p1",
        "cc.fib.v0p1",
        "cc.true_false.v0p1",
    }
    assert meta["q-self-efficacy"]["moocpack_competences"] == "pat.05.1 pat.05.3"
    assessment_meta = {
        f.findtext(f"{QTI}fieldlabel"): f.findtext(f"{QTI}fieldentry")
        for f in test.find(f"{QTI}assessment/{QTI}qtimetadata")
    }
    assert assessment_meta["cc_maxattempts"] == "3" and assessment_meta["moocpack_pass_mark"] == "70"
    single = next(i for i in items if i.get("ident") == "q-professional")
    right = single.xpath(".//q:respcondition[q:setvar='100']//q:varequal/text()", namespaces={"q": QTI[1:-1]})
    assert right == ["empowering"]
    feedback = {f.get("ident"): "".join(f.itertext()) for f in single.iter(f"{QTI}itemfeedback")}
    assert "helper-type relationship" in feedback["solving_fb"]
    short = next(i for i in items if i.get("ident") == "q-drama-triangle")
    accepted = short.xpath(".//q:respcondition[q:setvar='100']//q:varequal/text()", namespaces={"q": QTI[1:-1]})
    assert accepted == ["Drama Triangle", "The Drama Triangle"]
    multiple = next(i for i in items if i.get("ident") == "q-sharing-story")
    assert multiple.find(f".//{QTI}response_lid").get("rcardinality") == "Multiple"


def test_discussion_and_reflection_quizzes_are_discussion_topics(cartridges):
    files = cartridges["1.1", "fr"]
    topics = [etree.fromstring(files[n]) for n in sorted(files) if n.endswith("/topic.xml")]
    titles = sorted(t.findtext("{*}title") for t in topics)
    assert titles == [
        "Discussion : secret et confidentialité",
        "Réflexion : l'histoire de Tomas",
        "Réflexion : les modèles",
    ]
    secrecy = next(t for t in topics if t.findtext("{*}title").startswith("Discussion"))
    assert secrecy.find("{*}text").get("texttype") == "text/html"
    assert secrecy.findtext("{*}text").count("<li>") == 13


def test_the_same_cartridge_every_time(tmp_path, cli):
    for run in ("a", "b"):
        assert cli("build", SHIPPED, "--format", "cc", "--lang", "en", "--out", tmp_path / run)[0] == 0
    name = "pat-peer-support-1.0.0-en-cc.imscc"
    assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    with zipfile.ZipFile(io.BytesIO((tmp_path / "a" / name).read_bytes())) as z:
        assert z.namelist() == sorted(z.namelist())  # sorted entries, fixed times: reproducible
        assert {info.date_time for info in z.infolist()} == {(2025, 1, 31, 0, 0, 0)}


def test_contract_canvas_reads_the_resource_types_and_folder_it_exports(cartridges):
    """Contract test from Canvas's own code (canvas-lms lib/cc/cc_helper.rb, CCHelper: the
    constants its Common Cartridge export writes and its import reads back), not a run of Canvas:
    the 1.1 cartridge uses exactly its assessment, discussion-topic and web-content types, and
    keeps files in its web-resources folder. Not exercised: Canvas's QTI converter and its
    handling of 1.3 (canvas-lms is too large to fetch here)."""
    canvas = {
        "ASSESSMENT_TYPE": "imsqti_xmlv1p2/imscc_xmlv1p1/assessment",
        "DISCUSSION_TOPIC": "imsdt_xmlv1p1",
        "WEBCONTENT": "webcontent",
        "WEB_RESOURCES_FOLDER": "web_resources",
    }
    files = cartridges["1.1", "en"]
    types = {r.get("type") for r in manifest(files).iter("{*}resource")}
    assert types == {canvas["ASSESSMENT_TYPE"], canvas["DISCUSSION_TOPIC"], canvas["WEBCONTENT"]}
    web = [name for name in files if name.endswith((".html", ".css", ".svg", ".pdf"))]
    assert web and all(name.startswith(canvas["WEB_RESOURCES_FOLDER"] + "/") for name in web)
