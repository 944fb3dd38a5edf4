"""moocpack benchmark: validate and build the shipped course and a large synthetic one.

    python benchmarks/run.py [--units 500] [--questions 10] [--formats html,...]
    python benchmarks/run.py --scale 250,500,1000,2000     # linearity: each size, and the fit

Handouts are made into a fresh cache for the run (MOOCPACK_CACHE): the shipped course's first
build is measured cold (every handout made) and the rest warm, as a designer's second build is.

Each measurement runs in a fresh process so that its peak memory is its own; builds use every CPU
(as `moocpack build` does). Prints one line per measurement: wall time, its ratio to the floor
(what parsing and compressing alone cost), peak resident memory of the largest process, bytes.

A shared or virtual machine adds noise (other tenants take the CPU for a while), never takes it
away: the headline steps (the floor, validate, build every format) are run --repeat times and the
fastest run is the figure, as timeit does; the slowest is printed beside it.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def measure(action: str, course: Path, formats: list[str], out: Path, repeat: int = 1) -> dict:
    """Runs in the child process."""
    from moocpack import loader
    from moocpack.builder import build
    from moocpack.exporter import registry
    from moocpack.problems import Report

    if action == "floor":
        return floor(course, formats, out, repeat)
    started = time.perf_counter()
    report = Report(course)
    written = 0
    exporting = 0.0
    if action == "validate":
        checked = loader.check(course, report, jobs=os.cpu_count() or 1)  # as `moocpack validate` does
        assert checked is not None, [str(p) for p in report.errors[:5]]
        for lang in checked.languages:
            loader.report_translation(course, lang, report, checked)
    else:
        exporters = {name: r.exporter for name, r in registry().items() if name in formats}
        results = build(course, exporters, None, out, report, jobs=os.cpu_count() or 1)
        written = sum(r.package.size for r in results)
        exporting = sum(r.seconds for r in results)
    seconds = time.perf_counter() - started
    # KiB on Linux: the largest process, this one or a build worker.
    peak = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return {
        "seconds": round(seconds, 3),
        "exporter_seconds": round(exporting, 3),
        "peak_mib": round(peak / 1024, 1),
        "bytes": written,
    }


def floor(course: Path, formats: list[str], out: Path, repeat: int = 1) -> dict:
    """The least any tool must spend on this course: composing every YAML file with libyaml's C
    composer (line and column marks kept), and deflating (zlib level 6) every member of every
    package that a build of every format writes; each the fastest of `repeat` runs."""
    import io
    import tarfile
    import zipfile
    import zlib

    import yaml

    from moocpack.builder import build
    from moocpack.exporter import registry
    from moocpack.problems import Report

    texts = [path.read_text("utf-8") for path in sorted(course.rglob("*.yaml"))]
    parse = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for text in texts:
            yaml.compose(text, Loader=yaml.CSafeLoader)
        parse = min(parse, time.perf_counter() - started)
    build(course, {name: r.exporter for name, r in registry().items() if name in formats}, None, out, Report(course))
    members = []
    for package in sorted(out.iterdir()):
        if package.suffix in (".zip",):
            with zipfile.ZipFile(package) as archive:
                members += [archive.read(name) for name in archive.namelist()]
        elif package.name.endswith((".tar.gz", ".mbz")):
            with tarfile.open(package) as archive:
                members += [archive.extractfile(m).read() for m in archive.getmembers() if m.isfile()]
    deflate = float("inf")
    for _ in range(repeat):
        raw = io.BytesIO()
        started = time.perf_counter()
        for data in members:
            raw.write(zlib.compress(data, 6))
        deflate = min(deflate, time.perf_counter() - started)
    return {
        "parse_seconds": round(parse, 3),
        "deflate_seconds": round(deflate, 3),
        "members": len(members),
        "member_bytes": sum(map(len, members)),
    }


def child(action: str, course: Path, formats: list[str], repeat: int = 1) -> dict:
    """The measurement in a fresh process; repeated, the fastest run, with the slowest's seconds
    as `worst`. (The floor repeats its own timing loops instead: it is one process.)"""
    runs = []
    for _ in range(1 if action == "floor" else repeat):
        with tempfile.TemporaryDirectory() as out:
            result = subprocess.run(
                [sys.executable, __file__, "--child", action, str(course), ",".join(formats), out, str(repeat)],
                capture_output=True,
                text=True,
                check=True,
            )
        runs.append(json.loads(result.stdout.strip().splitlines()[-1]))
    best = min(runs, key=lambda run: run.get("seconds", 0))
    return {**best, "worst": max(run.get("seconds", 0) for run in runs), "runs": len(runs)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=500)
    parser.add_argument("--questions", type=int, default=10)
    parser.add_argument("--formats", default="")
    parser.add_argument("--scale", default="", help="unit counts to measure for linearity, e.g. 250,500,1000,2000")
    parser.add_argument(
        "--repeat",
        type=int,
        default=None,
        help="runs of each headline step, the fastest reported (default 3; 1 with --scale)",
    )
    parser.add_argument(
        "--child", nargs=5, metavar=("ACTION", "COURSE", "FORMATS", "OUT", "REPEAT"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.child:
        action, course, formats, out, repeat = args.child
        print(json.dumps(measure(action, Path(course), formats.split(","), Path(out), int(repeat))))
        return
    repeat = max(1, args.repeat if args.repeat is not None else 1 if args.scale else 3)
    from moocpack.exporter import registry

    formats = args.formats.split(",") if args.formats else sorted(registry())
    sys.path.insert(0, str(HERE))
    from synthetic import generate

    print(
        f"moocpack benchmark  (python {sys.version.split()[0]}, formats: {', '.join(formats)}, "
        f"{os.cpu_count()} CPUs, headline steps best of {repeat})"
    )
    cache = tempfile.TemporaryDirectory()
    os.environ["MOOCPACK_CACHE"] = cache.name
    if args.scale:
        scale([int(n) for n in args.scale.split(",")], args.questions, formats, repeat)
        return
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        big = generate(Path(tmp) / "synthetic", args.units, args.questions)
        print(
            f"generated synthetic course: {args.units} units, {args.units * (args.questions + 4)} questions, "
            f"3 languages in {time.perf_counter() - started:.1f} s"
        )
        rows, floors = [], {}
        for label, course in (
            ("shipped course/peer-support", ROOT / "course" / "peer-support"),
            (f"synthetic {args.units} units", big),
        ):
            bound = child("floor", course, formats, repeat)
            floors[label] = bound
            if len(formats) > 1:
                rows.append(
                    (
                        label,
                        "build every format, cold cache",
                        child("build", course, formats),
                        bound["parse_seconds"] + bound["deflate_seconds"],
                    )
                )
            rows.append(
                (label, "validate (all languages)", child("validate", course, formats, repeat), bound["parse_seconds"])
            )
            for fmt in formats:
                rows.append((label, f"build {fmt} (all languages)", child("build", course, [fmt]), None))
            if len(formats) > 1:
                rows.append(
                    (
                        label,
                        "build every format",
                        child("build", course, formats, repeat),
                        bound["parse_seconds"] + bound["deflate_seconds"],
                    )
                )
    print("seconds: the whole step (checking and loading included); exporter: time inside exporters only")
    print(
        "floor: libyaml C composer over every course file (validate), plus zlib level 6 over every package "
        "member (build every format); ratio = seconds / floor"
    )
    for label, bound in floors.items():
        print(
            f"  {label}: parse floor {bound['parse_seconds']:.3f} s, deflate floor {bound['deflate_seconds']:.3f} s "
            f"({bound['members']:,} members, {bound['member_bytes']:,} bytes)"
        )
    print(
        f"{'course':<30} {'step':<32} {'seconds':>8} {'ratio':>6} {'slowest':>8} {'exporter':>9} {'peak MiB':>9} "
        f"{'bytes written':>14}"
    )
    for label, step, result, bound in rows:
        ratio = f"{result['seconds'] / bound:>6.2f}" if bound else f"{'':>6}"
        slowest = f"{result['worst']:>8.3f}" if result["runs"] > 1 else f"{'':>8}"
        print(
            f"{label:<30} {step:<32} {result['seconds']:>8.3f} {ratio} {slowest} {result['exporter_seconds']:>9.3f} "
            f"{result['peak_mib']:>9.1f} {result['bytes']:>14,}"
        )


def scale(sizes: list[int], questions: int, formats: list[str], repeat: int = 1) -> None:
    """Validate and build every format (handouts already made) at each size; how far each point
    is from the straight line through them all (least squares), in time and in memory, and the
    html package's size."""
    sys.path.insert(0, str(HERE))
    from synthetic import generate

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for units in sizes:
            course = generate(Path(tmp) / f"synthetic-{units}", units, questions)
            bound = child("floor", course, formats, repeat)
            html = child("build", course, ["html"])  # first: it makes the handouts every build then reuses
            validate = child("validate", course, formats, repeat)
            build = child("build", course, formats, repeat)
            rows.append((units, bound, validate, build, html))
            print(f"  measured {units} units", flush=True)
            shutil.rmtree(course)
    print(
        f"{'units':>6} {'validate s':>10} {'ratio':>6} {'MiB':>6} {'build s':>8} {'ratio':>6} {'MiB':>6} "
        f"{'html bytes':>12}"
    )
    for units, bound, validate, build, html in rows:
        print(
            f"{units:>6} {validate['seconds']:>10.2f} {validate['seconds'] / bound['parse_seconds']:>6.2f} "
            f"{validate['peak_mib']:>6.0f} {build['seconds']:>8.2f} "
            f"{build['seconds'] / (bound['parse_seconds'] + bound['deflate_seconds']):>6.2f} "
            f"{build['peak_mib']:>6.0f} {html['bytes']:>12,}"
        )
    xs = [r[0] for r in rows]
    for label, ys in (
        ("validate seconds", [r[2]["seconds"] for r in rows]),
        ("validate peak MiB", [r[2]["peak_mib"] for r in rows]),
        ("build seconds", [r[3]["seconds"] for r in rows]),
        ("build peak MiB", [r[3]["peak_mib"] for r in rows]),
        ("html package bytes", [r[4]["bytes"] for r in rows]),
    ):
        print(f"linearity of {label:<20} largest distance from the fitted line: {off_line(xs, ys):5.1f} %")


def off_line(xs: list[float], ys: list[float]) -> float:
    """The largest relative distance of a point from the least-squares line through all points."""
    n = len(xs)
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    spread = sum((x - mean_x) ** 2 for x in xs) or 1
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys)) / spread
    intercept = mean_y - slope * mean_x
    return max(abs(y - (slope * x + intercept)) / (slope * x + intercept) * 100 for x, y in zip(xs, ys))


if __name__ == "__main__":
    main()
