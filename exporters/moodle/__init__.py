"""`moodle`: a Moodle course backup (.mbz) per language, restored with Moodle's own restore.

Not a SCORM wrapper: sections, pages, native quizzes on a question bank, feedback activities for
reflections and self-assessments, grade items, completion and competency links. The layout and
element names follow Moodle's backup code (backup/moodle2, mod/*/backup/moodle2, question/,
competency/) for the release line in docs/moodle.md, checked in the tests against a backup made
by a real Moodle 4.5. Next to each .mbz: one competency-framework CSV per framework, in the
format of Site administration → Competencies → Import competency framework.
"""

from __future__ import annotations

from lxml import etree

from moocpack.archive import targz_bytes
from moocpack.exporter import Exporter, ExportOptions, Scheduling, Setting
from moocpack.model import Course

from . import columns
from .backup import RELEASES, Backup
from .framework import framework_csv
from .backup import ITEM_NAME
from .multilang import MULTILANG_SPAN, merge_languages
from .xmlparts import serialise

__all__ = ["MoodleExporter"]


class MoodleExporter(Exporter):
    name = "moodle"
    extension = "mbz"
    scheduling = Scheduling(cost=2.4)
    description = (
        "Moodle course backup (restore it as a course): sections, pages, quizzes, question bank, competencies."
    )
    settings = (
        Setting(
            "moodle_release",
            "The backup format: 4.5 (for 4.5 and 5.x) or 4.1 (for 4.1 to 4.4).",
            "4.5",
            choices=tuple(RELEASES),
        ),
        Setting(
            "moodle_multilang",
            "Also write one backup holding every language, for the multi-language filter.",
            False,
            bool,
        ),
    )

    def files(self, course: Course, options: ExportOptions) -> dict[str, bytes]:
        release = options.settings["moodle_release"]
        return Backup(course, options.epoch, release, warn=options.warn).build()

    supports_multilingual = True

    def multilingual_files(self, courses: dict[str, Course], options: ExportOptions) -> dict[str, bytes]:
        release = options.settings["moodle_release"]
        names = tuple(course.message("language_name") for course in courses.values())
        # A file with a version per language (a handout, a drawing's labels) is stored in each
        # of its versions by every language's backup, so the backups differ only in text.
        siblings: dict[str, list] = {}
        for course in courses.values():
            for unit in course.units:
                for asset in unit.assets:
                    versions = siblings.setdefault(asset.id, [])
                    if all(v.path != asset.path for v in versions):
                        versions.append(asset)
        short_answers: dict[str, dict] = {}
        lengths: dict[str, int] = {}
        for course in courses.values():
            for question in course.questions:
                # Moodle grades a short answer against its plain text, which a multi-language span
                # would break: each language's backup accepts every language's answers, in one order.
                for answer in question.answers:
                    folded = " ".join(str(answer).split())
                    folded = folded if question.case_sensitive else folded.casefold()
                    short_answers.setdefault(question.id, {}).setdefault(folded, answer)
                # A feedback question too long for an item's name in every language's spans is a
                # label item in every language's backup (the backups must match in structure).
                lengths[question.id] = lengths.get(question.id, 0) + len(str(question.stem)) + MULTILANG_SPAN
        long_items = {qid for qid, length in lengths.items() if length > ITEM_NAME}
        backups = {
            lang: Backup(
                course,
                options.epoch,
                release,
                multilingual=names,
                siblings=siblings,
                short_answers={qid: tuple(found.values()) for qid, found in short_answers.items()},
                long_items=long_items,
            ).build()
            for lang, course in courses.items()
        }
        source = next(iter(courses.values())).source_language
        if source not in backups:
            source = next(iter(backups))
        merged = {}
        for name, data in backups[source].items():
            if name.endswith(".xml"):
                tree = merge_languages(
                    {lang: etree.fromstring(files[name]) for lang, files in backups.items()}, source, name, options.warn
                )
                columns.fit([(name, tree)], options.warn)
                merged[name] = serialise(tree)
            else:
                merged[name] = data
        return merged

    def archive(self, files, course, options) -> bytes:
        return targz_bytes(files, options.epoch, directories=False)

    def extra_files(self, course: Course, options: ExportOptions) -> dict[str, bytes]:
        return {f"competences-{f.id}.csv": framework_csv(course, f.id) for f in course.frameworks}
