"""How long `moocpack serve` takes to show a saved change: the whole rebuild of one language's
website (check, load, handouts from the cache, render), on the shipped course and on a generated
one, after a unit file is touched.

    python benchmarks/serve.py [--units 500]

Prints the first build, then the best and slowest of five rebuilds after a save.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def rebuilds(course: Path, unit: Path, times: int = 5) -> tuple[float, list[float]]:
    from moocpack.serve import Preview

    preview = Preview(course)
    started = time.perf_counter()
    preview.build()
    first = time.perf_counter() - started
    assert not preview.problems, preview.problems
    found = []
    for i in range(times):
        unit.write_text(unit.read_text("utf-8").replace("summary: ", f"summary: {i} ", 1), "utf-8")
        started = time.perf_counter()
        preview.build()
        found.append(time.perf_counter() - started)
        assert not preview.problems, preview.problems
    return first, found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--units", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["MOOCPACK_CACHE"] = str(Path(tmp) / "cache")
        from synthetic import generate
        import shutil

        shipped = Path(tmp) / "peer-support"
        shutil.copytree(HERE.parent / "course" / "peer-support", shipped)
        big = generate(Path(tmp) / "big", units=args.units, questions=10, languages=("en",))
        print(f"{'course':<28} {'first build':>12} {'rebuild best':>13} {'slowest':>8}")
        for name, course, unit in (
            ("shipped course/peer-support", shipped, shipped / "en/units/unit-09.yaml"),
            (f"synthetic {args.units} units", big, next((big / "en/units").glob("*.yaml"))),
        ):
            first, found = rebuilds(course, unit)
            print(f"{name:<28} {first:>11.3f}s {min(found):>12.3f}s {max(found):>7.3f}s")


if __name__ == "__main__":
    main()
