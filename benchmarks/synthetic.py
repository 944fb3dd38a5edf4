"""Generate a large synthetic course folder for benchmarks and stress tests.

    python benchmarks/synthetic.py OUT_DIR [--units 500] [--questions 10] [--languages en,nb,fr]

Every unit has outcomes, an activity with a worksheet, a case and `questions` questions of every
type; each non-source language translates every string, so loading exercises the full merge.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import yaml


def _dump(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100), "utf-8")


def question(uid: str, n: int, kind: str, competence: str) -> dict:
    base = {
        "id": f"{uid}-q{n}",
        "type": kind,
        "stem": f"Question {n}: which statement about *topic {n}* is right?",
        "competences": [competence],
    }
    if kind in ("single_choice", "multiple_response"):
        base["options"] = [
            {
                "id": f"o{i}",
                "text": f"Option {i} of question {n}",
                "correct": i == 1 or (kind == "multiple_response" and i == 2),
                "feedback": f"Feedback {i}.",
            }
            for i in range(1, 5)
        ]
    elif kind == "true_false":
        base["answer"] = n % 2 == 0
    elif kind == "matching":
        base["pairs"] = [{"id": f"p{i}", "prompt": f"Prompt {i}", "answer": f"Answer {i}"} for i in range(1, 5)]
    elif kind == "short_text":
        base["answers"] = [{"id": "a1", "text": f"answer {n}"}]
    return base


KINDS = [
    "single_choice",
    "multiple_response",
    "true_false",
    "matching",
    "short_text",
    "essay",
    "single_choice",
    "true_false",
    "multiple_response",
    "matching",
]


def generate(out: Path, units: int = 500, questions: int = 10, languages=("en", "nb", "fr")) -> Path:
    source, others = languages[0], languages[1:]
    items = [f"big.c{c:02d}.{i}" for c in range(1, 11) for i in range(1, 6)]
    _dump(
        out / "competences" / "big.yaml",
        {
            "id": "big",
            "source_language": source,
            "title": {lang: f"Framework ({lang})" for lang in languages},
            "categories": [
                {
                    "id": f"big.c{c:02d}",
                    "title": {lang: f"Category {c} ({lang})" for lang in languages},
                    "items": [
                        {"id": f"big.c{c:02d}.{i}", "text": {lang: f"Item {c}.{i} ({lang})" for lang in languages}}
                        for i in range(1, 6)
                    ],
                }
                for c in range(1, 11)
            ],
        },
    )
    unit_ids = [f"u{n:04d}" for n in range(1, units + 1)]
    course = {
        "id": "synthetic",
        "version": "1.0",
        "date": "2025-01-01",
        "source_language": source,
        "languages": list(languages),
        "title": "Synthetic course",
        "short_description": "Generated.",
        "description": "A generated course for benchmarks.",
        "organisations": [{"id": "o", "name": "Org"}],
        "licence": {"id": "CC0-1.0"},
        "effort": f"{units} h",
        "min_complete": 0,
        "frameworks": ["big"],
        "units": unit_ids,
    }
    _dump(out / source / "course.yaml", course)
    for lang in others:
        _dump(
            out / lang / "course.yaml", {"title": f"Synthetic course ({lang})", "description": f"Generated ({lang})."}
        )
    for index, uid in enumerate(unit_ids):
        comp = items[index % len(items)]
        qs = [question(uid, n, KINDS[n % len(KINDS)], comp) for n in range(1, questions + 1)]
        unit = {
            "id": uid,
            "number": str(index + 1),
            "title": f"Unit {index + 1}",
            "duration": "1 h",
            "introduction": f"Introduction to unit {index + 1}, with **bold** text and a list:\n\n- one\n- two\n",
            "outcomes": [{"id": "lo-1", "text": f"Outcome of unit {index + 1}", "competences": [comp]}],
            "pages": [{"id": "p1", "title": "Reading", "body": "Lorem ipsum dolor sit amet. " * 40}],
            "activities": [
                {
                    "id": "a1",
                    "title": "Sort",
                    "duration": "20-30 min",
                    "worksheet": f"w-{uid}",
                    "procedure": "Work in pairs.",
                    "outcomes": ["lo-1"],
                }
            ],
            "cases": [
                {
                    "id": f"case-{uid}",
                    "title": "A case",
                    "body": "Story. " * 50,
                    "questions": [{"id": "r1", "text": "What would you do?", "outcomes": ["lo-1"]}],
                }
            ],
            "questions": qs,
            "quizzes": [
                {"id": "quiz", "title": "Quiz", "questions": [f"worksheet:w-{uid}"] + [q["id"] for q in qs]},
                {"id": "reflection", "title": "Reflection", "graded": False, "questions": [f"case:case-{uid}"]},
            ],
        }
        _dump(out / source / "units" / f"{uid}.yaml", unit)
        _dump(
            out / source / "worksheets" / f"w-{uid}.yaml",
            {
                "id": f"w-{uid}",
                "title": "Breach or not",
                "table": {
                    "columns": [{"id": "s", "title": "Situation"}],
                    "rows": [{"id": f"r{r}", "cells": {"s": f"Situation {r}"}} for r in range(1, 4)],
                },
                "answer_key": {
                    "build": "true_false",
                    "stem": "Is this a breach?",
                    "outcomes": ["lo-1"],
                    "answers": [{"id": f"r{r}", "answer": r % 2 == 1} for r in range(1, 4)],
                },
            },
        )
        for lang in others:
            _dump(
                out / lang / "units" / f"{uid}.yaml",
                {
                    "title": f"Unit {index + 1} ({lang})",
                    "introduction": f"Introduction ({lang}).",
                    "outcomes": [{"id": "lo-1", "text": f"Outcome ({lang})"}],
                    "questions": [{"id": q["id"], "stem": f"{q['stem']} ({lang})"} for q in qs],
                },
            )
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--units", type=int, default=500)
    parser.add_argument("--questions", type=int, default=10)
    parser.add_argument("--languages", default="en,nb,fr")
    args = parser.parse_args()
    print(generate(args.out, args.units, args.questions, tuple(args.languages.split(","))))
