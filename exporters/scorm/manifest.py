"""imsmanifest.xml for SCORM 1.2 and SCORM 2004 4th edition, with LOM metadata.

Element order follows the ADL/IMS XSDs (checked in the tests with lxml): in an <item>, title,
child items, metadata, then adlcp (1.2) or imsss:sequencing (2004); <resources> holds no metadata.
"""

from __future__ import annotations

from urllib.parse import quote

from lxml import etree

from moocpack.model import Course, Duration, Unit

XSI = "http://www.w3.org/2001/XMLSchema-instance"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

SCORM12 = {
    None: "http://www.imsproject.org/xsd/imscp_rootv1p1p2",
    "adlcp": "http://www.adlnet.org/xsd/adlcp_rootv1p2",
    "imsmd": "http://www.imsglobal.org/xsd/imsmd_rootv1p2p1",
    "xsi": XSI,
}
SCORM12_LOCATIONS = (
    "http://www.imsproject.org/xsd/imscp_rootv1p1p2 imscp_rootv1p1p2.xsd "
    "http://www.imsglobal.org/xsd/imsmd_rootv1p2p1 imsmd_rootv1p2p1.xsd "
    "http://www.adlnet.org/xsd/adlcp_rootv1p2 adlcp_rootv1p2.xsd"
)
SCORM2004 = {
    None: "http://www.imsglobal.org/xsd/imscp_v1p1",
    "adlcp": "http://www.adlnet.org/xsd/adlcp_v1p3",
    "adlseq": "http://www.adlnet.org/xsd/adlseq_v1p3",
    "adlnav": "http://www.adlnet.org/xsd/adlnav_v1p3",
    "imsss": "http://www.imsglobal.org/xsd/imsss",
    "lom": "http://ltsc.ieee.org/xsd/LOM",
    "xsi": XSI,
}
SCORM2004_LOCATIONS = (
    "http://www.imsglobal.org/xsd/imscp_v1p1 imscp_v1p1.xsd "
    "http://www.adlnet.org/xsd/adlcp_v1p3 adlcp_v1p3.xsd "
    "http://www.adlnet.org/xsd/adlseq_v1p3 adlseq_v1p3.xsd "
    "http://www.adlnet.org/xsd/adlnav_v1p3 adlnav_v1p3.xsd "
    "http://www.imsglobal.org/xsd/imsss imsss_v1p0.xsd"
)


def _q(ns: dict, prefix: str | None, name: str) -> str:
    return f"{{{ns[prefix]}}}{name}"


def _sub(parent, ns, prefix, name, text=None, **attrs):
    element = etree.SubElement(parent, _q(ns, prefix, name), attrs)
    if text is not None:
        element.text = str(text)
    return element


def identifier(*parts: str) -> str:
    """An xs:ID-safe identifier (letters, digits, '-', '_', '.'; starting with a letter)."""
    raw = "-".join(parts)
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in raw)
    return safe if safe[:1].isalpha() else f"id-{safe}"


class Lom:
    """LOM metadata in either IMS MD 1.2.1 (SCORM 1.2, lower-case names, <langstring>) or
    IEEE LOM (SCORM 2004, camelCase names, <string language>)."""

    def __init__(self, ns: dict, prefix: str, ieee: bool):
        self.ns, self.prefix, self.ieee = ns, prefix, ieee

    def el(self, parent, name: str, text=None):
        names = {
            "typicallearningtime": "typicalLearningTime",
            "copyrightandotherrestrictions": "copyrightAndOtherRestrictions",
            "taxonpath": "taxonPath",
        }
        return _sub(parent, self.ns, self.prefix, names.get(name, name) if self.ieee else name, text)

    def langstring(self, parent, name: str, text: str, lang: str):
        holder = self.el(parent, name)
        if self.ieee:
            _sub(holder, self.ns, self.prefix, "string", text, language=lang)
        else:
            string = _sub(holder, self.ns, self.prefix, "langstring", text)
            string.set(XML_LANG, lang)
        return holder

    def vocabulary(self, parent, name: str, value: str):
        holder = self.el(parent, name)
        if self.ieee:
            _sub(holder, self.ns, self.prefix, "source", "LOMv1.0")
            _sub(holder, self.ns, self.prefix, "value", value)
        else:
            self.langstring(holder, "source", "LOMv1.0", "x-none")
            self.langstring(holder, "value", value, "x-none")
        return holder

    def build(
        self,
        parent,
        course: Course,
        title: str,
        description: str,
        duration: Duration | None,
        competences: list[tuple[str, str, str]],
    ):
        """competences: (framework title, competence id, competence text)."""
        lang = course.language
        lom = _sub(parent, self.ns, self.prefix, "lom")
        general = self.el(lom, "general")
        self.langstring(general, "title", title, lang)
        self.el(general, "language", lang)
        self.langstring(general, "description", description, lang)
        for keyword in course.keywords:
            self.langstring(general, "keyword", str(keyword), keyword.lang)
        if duration:
            educational = self.el(lom, "educational")
            learning_time = self.el(educational, "typicallearningtime")
            self.el(learning_time, "duration" if self.ieee else "datetime", duration.iso)
        rights = self.el(lom, "rights")
        self.vocabulary(rights, "copyrightandotherrestrictions", "yes")
        notice = course.licence.id + (f" {course.licence.url}" if course.licence.url else "")
        self.langstring(rights, "description", notice, "x-none" if not self.ieee else lang)
        if competences:
            classification = self.el(lom, "classification")
            self.vocabulary(classification, "purpose", "competency")
            for framework_title, cid, text in competences:
                path = self.el(classification, "taxonpath")
                self.langstring(path, "source", framework_title, lang)
                taxon = self.el(path, "taxon")
                self.el(taxon, "id", cid)
                self.langstring(taxon, "entry", text, lang)
        return lom


def _competence_rows(course: Course, ids) -> list[tuple[str, str, str]]:
    rows = []
    for cid in ids:
        item = course.competence(cid)
        framework = next(f for f in course.frameworks if f.id == item.framework_id)
        rows.append((str(framework.title), cid, str(item.text)))
    return rows


def graded_questions(unit: Unit):
    return [q for quiz in unit.quizzes if quiz.graded for q in quiz.questions if q.graded]


def pass_mark(unit: Unit, course: Course) -> int:
    marks = [quiz.pass_mark for quiz in unit.quizzes if quiz.graded]
    return max(marks) if marks else course.pass_mark


def build(course: Course, version: str, sco_files: dict[str, list[str]], shared: list[str]) -> bytes:
    """version '1.2' or '2004'; sco_files maps unit id -> files of that SCO (launch page first)."""
    v12 = version == "1.2"
    ns = SCORM12 if v12 else SCORM2004
    # The same identifier for every version of a course (the version attribute says which), so an
    # LMS can recognise an upload as a new version of the course it already has.
    manifest_id = identifier("MANIFEST", course.id, course.language)
    root = etree.Element(_q(ns, None, "manifest"), nsmap=ns)
    root.set("identifier", manifest_id)
    root.set("version", course.version)
    root.set(f"{{{XSI}}}schemaLocation", SCORM12_LOCATIONS if v12 else SCORM2004_LOCATIONS)
    lom = Lom(ns, "imsmd" if v12 else "lom", ieee=not v12)

    metadata = _sub(root, ns, None, "metadata")
    _sub(metadata, ns, None, "schema", "ADL SCORM")
    _sub(metadata, ns, None, "schemaversion", "1.2" if v12 else "2004 4th Edition")
    all_competences = list(dict.fromkeys(c for unit in course.units for c in unit.competences))
    lom.build(
        metadata,
        course,
        str(course.title),
        str(course.short_description),
        course.effort,
        _competence_rows(course, all_competences),
    )

    org_id = identifier("ORG", course.id)
    organizations = _sub(root, ns, None, "organizations", default=org_id)
    organization = _sub(organizations, ns, None, "organization", identifier=org_id)
    if not v12:
        organization.set(_q(ns, "adlseq", "objectivesGlobalToSystem"), "false")
    _sub(organization, ns, None, "title", str(course.title))
    for unit in course.units:
        item = _sub(
            organization,
            ns,
            None,
            "item",
            identifier=identifier("ITEM", unit.id),
            identifierref=identifier("RES", unit.id),
        )
        label = f"{course.message('unit_label', number=unit.number)} {unit.title}" if unit.number else str(unit.title)
        _sub(item, ns, None, "title", label)
        item_meta = _sub(item, ns, None, "metadata")
        lom.build(
            item_meta,
            course,
            label,
            str(unit.summary or unit.title),
            unit.duration,
            _competence_rows(course, unit.competences),
        )
        graded = graded_questions(unit)
        mark = pass_mark(unit, course)
        if v12:
            if graded:
                _sub(item, ns, "adlcp", "masteryscore", mark)
        else:
            sequencing = _sub(item, ns, "imsss", "sequencing")
            if not graded:
                # A unit without a graded quiz never reports success or a score: it must not keep
                # the course from being satisfied, nor pull the course's measure down.
                _sub(
                    sequencing, ns, "imsss", "rollupRules", rollupObjectiveSatisfied="false", objectiveMeasureWeight="0"
                )
            objectives = _sub(sequencing, ns, "imsss", "objectives")
            primary = _sub(
                objectives,
                ns,
                "imsss",
                "primaryObjective",
                objectiveID=f"{unit.id}.mastery",
                satisfiedByMeasure="true" if graded else "false",
            )
            if graded:
                _sub(primary, ns, "imsss", "minNormalizedMeasure", f"{mark / 100:.2f}")
            for cid in unit.competences:
                _sub(objectives, ns, "imsss", "objective", objectiveID=cid)
            _sub(
                sequencing,
                ns,
                "imsss",
                "deliveryControls",
                tracked="true",
                completionSetByContent="true",
                objectiveSetByContent="true",
            )
    if not v12:
        sequencing = _sub(organization, ns, "imsss", "sequencing")
        _sub(sequencing, ns, "imsss", "controlMode", choice="true", flow="true")

    resources = _sub(root, ns, None, "resources")
    shared_id = identifier("RES", "shared")
    for unit in course.units:
        files = sco_files[unit.id]
        resource = _sub(
            resources, ns, None, "resource", identifier=identifier("RES", unit.id), type="webcontent", href=files[0]
        )
        resource.set(_q(ns, "adlcp", "scormtype" if v12 else "scormType"), "sco")
        for name in files:
            _sub(resource, ns, None, "file", href=quote(name))
        _sub(resource, ns, None, "dependency", identifierref=shared_id)
    asset = _sub(resources, ns, None, "resource", identifier=shared_id, type="webcontent")
    asset.set(_q(ns, "adlcp", "scormtype" if v12 else "scormType"), "asset")
    for name in shared:
        _sub(asset, ns, None, "file", href=quote(name))  # an href is a URI: "my%20pic.png"
    # Written by hand: some LMS parsers only accept the declaration with double quotes.
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(root, encoding="UTF-8", pretty_print=True)
