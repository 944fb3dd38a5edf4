"""Competency frameworks as the CSV of Site administration → Competencies → Import."""

from __future__ import annotations

import csv
import io

from moocpack.model import Course
from moocpack import render


def framework_csv(course: Course, framework_id: str) -> bytes:
    """The framework in the 14-column CSV that admin/tool/lpimportcsv reads."""
    framework = next(f for f in course.frameworks if f.id == framework_id)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "Parent ID number",
            "ID number",
            "Short name",
            "Description",
            "Description format",
            "Scale values",
            "Scale configuration",
            "Rule type (optional)",
            "Rule outcome (optional)",
            "Rule config (optional)",
            "Cross-referenced competency ID numbers",
            "Exported ID (optional)",
            "Is framework",
            "Taxonomy",
        ]
    )
    # The importer matches or creates a scale from these values (a comma separates them).
    scale = ",".join(course.message(k).replace(",", " ") for k in ("scale_not_competent", "scale_competent"))
    config = '[{"scaleid":"2"},{"id":1,"scaledefault":1,"proficient":0},{"id":2,"scaledefault":0,"proficient":1}]'
    description = f"<p>{render.esc(render.plain(framework.description or framework.title))}</p>"
    writer.writerow(
        [
            "",
            framework.id,
            str(framework.title)[:100],
            description,
            "1",
            scale,
            config,
            "",
            "",
            "",
            "",
            "",
            "1",
            "competency,competency",
        ]
    )
    for category in framework.categories:
        title = f"{category.number} {category.title}"
        writer.writerow(
            ["", category.id, title[:100], f"<p>{render.esc(title)}</p>", "1", "", "", "", "0", "", "", "", "", ""]
        )
        for item in category.items:
            writer.writerow(
                [
                    category.id,
                    item.id,
                    f"{item.id} {item.text}"[:100],
                    f"<p>{render.esc(item.text)}</p>",
                    "1",
                    "",
                    "",
                    "",
                    "0",
                    "",
                    "",
                    "",
                    "",
                    "",
                ]
            )
    return out.getvalue().encode()
