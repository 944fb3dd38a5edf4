"""`moocpack new`: a small, valid course to start from, whose comments teach the format.

One unit with a page, a worksheet whose answer key makes quiz questions, a question of its own
and a graded quiz; a competence framework only when asked for (a course without one tags
nothing). Every file's first line names its JSON Schema for YAML editors (VS Code's YAML
extension and others read `# yaml-language-server: $schema=`), from `.schemas/` in the course:
the schemas with their references resolved, so that editors need nothing from the network.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from . import schema
from .archive import write_all_atomic

SCHEMAS = ".schemas"

COURSE = """\
# The course: its identity, languages and units, in the source language's folder. Every field is
# described in docs/format.md; `moocpack validate` says what is missing, with file:line:column.
id: {id}
version: "0.1.0"
date: 2026-01-01            # the packages' timestamp: the same course gives the same bytes
source_language: {source}
languages: [{languages}]
title: {title}
short_description: A short course made with moocpack.
description: |
  What learners will do and learn, in Markdown: it opens the course's home page.
organisations:
  - id: my-organisation
    name: My organisation
licence:
  id: CC-BY-4.0
  url: https://creativecommons.org/licenses/by/4.0/
effort: 1 h
pass_mark: 70               # percent of a graded quiz's points to pass it
{frameworks}units: [unit-1]                # in reading order; each is units/<id>.yaml
"""

UNIT = """\
# A unit: outcomes, pages, activities and quizzes. Ids never change once learners use the
# course (translations and learner records are keyed by them); titles and text may.
id: unit-1
number: "1"
title: First steps
summary: What this unit is about, in a sentence.
introduction: |
  Markdown text. **Bold**, *italic*, [links](https://example.org), lists and tables work.
outcomes:
  - id: lo-1
    text: Explain what a learning outcome is{outcome_tags}
pages:
  - id: welcome
    title: Welcome
    body: |
      A content page. Add images, video, audio or downloads under `media:` (docs/format.md).
activities:
  - id: a-sort
    title: Sort the statements
    duration: 10 min
    worksheet: ws-statements   # worksheets/ws-statements.yaml, printed as a handout too
    outcomes: [lo-1]
    learner: |
      What a learner working alone does.
    procedure: |
      What the trainer does in a session (learners do not see it; the facilitator guide does).
questions:
  - id: q-outcome
    type: single_choice      # also multiple_response, true_false, matching, short_text, essay, likert
    stem: A learning outcome says…
    outcomes: [lo-1]
    options:
      - id: what
        text: what a learner will be able to do
        correct: true
        feedback: Yes.
      - id: how
        text: how long the unit takes
        feedback: That is its duration.
quizzes:
  - id: quiz-1
    title: Check your understanding
    graded: true
    max_attempts: 2          # tries at each question before its explanation shows
    questions: [worksheet:ws-statements, q-outcome]
"""

WORKSHEET = """\
# A worksheet: a table (or prompts) printed for learners; its answer key makes quiz questions.
id: ws-statements
number: "1"
title: True or false?
instructions: Is each statement true?
table:
  columns:
    - id: statement
      title: Statement
  rows:
    - id: outcome-verb
      cells: {{statement: "A learning outcome starts with a verb."}}
    - id: outcome-time
      cells: {{statement: "A learning outcome says how long a unit takes."}}
answer_key:
  build: true_false          # one question per row
  stem: "{{statement}}"
  outcomes: [lo-1]
  answers:
    - id: outcome-verb
      answer: true
      feedback: An outcome names what a learner can do.
    - id: outcome-time
      answer: false
      feedback: That is the unit's duration.
"""

TRANSLATION = """\
# {lang} translation of {source}/{rel}: the same ids, text only. `moocpack l10n export --lang {lang}`
# gives a file for your CAT tool; `moocpack l10n status` shows what is left.
{{}}
"""


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "course"


def new_course(path: Path, languages: tuple[str, ...] = ("en",), framework: Path | None = None) -> list[Path]:
    """Write a new course folder at `path` (which must not exist or be empty); the files written."""
    if path.exists() and any(path.iterdir()):
        raise FileExistsError(f"{path} is not empty: moocpack new writes a new course folder")
    source = languages[0]
    files: dict[Path, bytes] = {}
    frameworks, outcome_tags = "", ""
    if framework is not None:
        data = yaml.safe_load(framework.read_text("utf-8"))
        fid = data["id"]
        first = data["categories"][0]["items"][0]["id"]
        files[path / "competences" / f"{fid}.yaml"] = framework.read_bytes()
        frameworks = (
            f"# Competence frameworks: with one, every outcome and question is tagged with its items.\n"
            f"frameworks: [{fid}]\n"
        )
        outcome_tags = f"\n    competences: [{first}]"
    header = "# yaml-language-server: $schema=../{depth}" + SCHEMAS + "/{kind}.schema.json\n"
    documents = {
        "course.yaml": (
            "course",
            COURSE.format(
                id=slug(path.name),
                source=source,
                languages=", ".join(languages),
                title=path.name.replace("-", " ").capitalize() or "My course",
                frameworks=frameworks,
            ),
        ),
        "units/unit-1.yaml": ("unit", UNIT.format(outcome_tags=outcome_tags)),
        "worksheets/ws-statements.yaml": ("worksheet", WORKSHEET.format()),
    }
    for rel, (kind, text) in documents.items():
        depth = "../" * rel.count("/")
        files[path / source / rel] = (header.format(depth=depth, kind=kind) + text).encode()
        for lang in languages[1:]:  # a translation holds text only: no schema of its own to check it against
            files[path / lang / rel] = TRANSLATION.format(lang=lang, source=source, rel=rel).encode()
    for kind in schema.KINDS:
        inlined = schema.inline(schema.documents()[f"{kind}.schema.json"], schema.BASE + f"{kind}.schema.json")
        files[path / SCHEMAS / f"{kind}.schema.json"] = (
            json.dumps(inlined, indent=1, ensure_ascii=False) + "\n"
        ).encode()
    write_all_atomic(files)
    return sorted(files)
