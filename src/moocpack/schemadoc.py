"""Generate the course-folder format reference (docs/format.md) from the JSON Schemas.

    python -m moocpack.schemadoc > docs/format.md

The schemas are the one definition of the format; this keeps the reference from drifting.
"""

from __future__ import annotations

from . import schema as schemas

ORDER = ("course", "unit", "worksheet", "competences", "common")


def _type(node: dict, base: str) -> str:
    node, _, ref = schemas.resolve(node, base)
    if ref == schemas.TEXT:
        return "text (translatable)"
    if ref == schemas.MARKDOWN:
        return "Markdown (translatable)"
    if ref and "#/$defs/" in ref and not node.get("properties"):
        name = ref.rsplit("/", 1)[-1].replace("_", " ")
        return name
    if "enum" in node:
        return "one of " + ", ".join(f"`{v}`" for v in node["enum"])
    kind = node.get("type", "object" if "properties" in node else "")
    if kind == "array":
        return f"list of {_type(node.get('items', {}), base)}"
    if isinstance(kind, list):
        return " or ".join(kind)
    return kind or "value"


def _fields(node: dict, base: str, prefix: str, lines: list[str]) -> None:
    node, base, _ = schemas.resolve(node, base)
    required = set(node.get("required", []))
    for name, sub in node.get("properties", {}).items():
        target, sub_base, _ = schemas.resolve(sub, base)
        description = sub.get("description") or target.get("description", "")
        flag = "**required**" if name in required else "optional"
        lines.append(f"| `{prefix}{name}` | {_type(sub, base)} | {flag} | {description.replace('|', '/')} |")
        items = target.get("items") if target.get("type") == "array" else None
        if isinstance(items, dict):
            item, item_base, _ = schemas.resolve(items, sub_base)
            if item.get("properties"):
                _fields(item, item_base, f"{prefix}{name}[].", lines)
        elif target.get("properties"):
            _fields(target, sub_base, f"{prefix}{name}.", lines)


def reference() -> str:
    lines = [
        "# Course folder format reference",
        "",
        "Generated from the JSON Schemas in `schemas/` by `python -m moocpack.schemadoc`; do not edit by hand.",
        "Text fields marked *translatable* are the ones a translation folder may contain; everything else is",
        "structure and lives only in the source-language folder.",
        "",
    ]
    for kind in ORDER:
        doc = schemas.documents()[f"{kind}.schema.json"]
        lines += [f"## {doc['title']}", "", doc.get("description", ""), ""]
        if kind == "common":
            lines += ["| type | meaning |", "|---|---|"]
            for name, node in doc["$defs"].items():
                lines.append(f"| {node.get('title', name)} | {node.get('description', '').replace('|', '/')} |")
        else:
            lines += ["| field | type | | description |", "|---|---|---|---|"]
            _fields(doc, doc["$id"], "", lines)
            for name, node in doc.get("$defs", {}).items():
                if node.get("properties"):
                    lines += [
                        "",
                        f"### {node.get('title', name)}",
                        "",
                        node.get("description", ""),
                        "",
                        "| field | type | | description |",
                        "|---|---|---|---|",
                    ]
                    _fields(node, doc["$id"], "", lines)
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(reference(), end="")
