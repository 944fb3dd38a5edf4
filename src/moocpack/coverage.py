"""How the course covers its competence frameworks: per item and unit, what outcomes,
activities and questions carry it. One computation for the coverage page of every format and
for `moocpack info --json`."""

from __future__ import annotations

from dataclasses import dataclass, field

from .model import Competence, Course, Framework

KINDS = ("outcome", "activity", "question")


@dataclass(frozen=True)
class Cell:
    refs: tuple[tuple[str, str], ...] = ()  # (kind, id) of what covers the item in the unit

    @property
    def count(self) -> int:
        return len(self.refs)

    def counts(self) -> dict[str, int]:
        return {kind: sum(1 for k, _ in self.refs if k == kind) for kind in KINDS}


@dataclass(frozen=True)
class ItemRow:
    item: Competence
    # By unit id, in the course's order: only the units that cover the item (a framework of a
    # hundred items across five hundred units is mostly empty cells).
    cells: dict[str, Cell] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(cell.count for cell in self.cells.values())


@dataclass(frozen=True)
class CategoryRows:
    id: str
    number: str
    title: str
    rows: tuple[ItemRow, ...]

    @property
    def covered(self) -> int:
        return sum(1 for row in self.rows if row.total)


def matrix(course: Course, framework: Framework) -> tuple[CategoryRows, ...]:
    found = course.coverage()
    categories = []
    for category in framework.categories:
        rows = tuple(
            ItemRow(item, {unit: Cell(tuple(refs)) for unit, refs in found.get(item.id, {}).items()})
            for item in category.items
        )
        categories.append(CategoryRows(category.id, category.number, category.title, rows))
    return tuple(categories)


def totals(categories: tuple[CategoryRows, ...]) -> tuple[int, int]:
    """A framework's items, and how many of them the course covers."""
    return sum(len(c.rows) for c in categories), sum(c.covered for c in categories)


def level(count: int) -> int:
    """Shade of a cell: 0 none, 1 one, 2 two or three, 3 four or more."""
    return 0 if count == 0 else 1 if count == 1 else 2 if count <= 3 else 3


def as_json(course: Course) -> list[dict]:
    """The matrix for scripts: every framework, category and item, with counts per unit."""
    out = []
    for fw in course.frameworks:
        categories = matrix(course, fw)
        items, covered = totals(categories)
        out.append(
            {
                "id": fw.id,
                "title": str(fw.title),
                "categories": len(categories),
                "items": items,
                "covered": covered,
                "not_covered": [r.item.id for c in categories for r in c.rows if not r.total],
                "by_category": [
                    {
                        "id": c.id,
                        "number": c.number,
                        "title": str(c.title),
                        "items": len(c.rows),
                        "covered": c.covered,
                        "rows": [
                            {
                                "id": r.item.id,
                                "text": str(r.item.text),
                                "total": r.total,
                                "units": {
                                    uid: {**cell.counts(), "refs": [f"{k}:{i}" for k, i in cell.refs]}
                                    for uid, cell in r.cells.items()
                                    if cell.count
                                },
                            }
                            for r in c.rows
                        ],
                    }
                    for c in categories
                ],
            }
        )
    return out
