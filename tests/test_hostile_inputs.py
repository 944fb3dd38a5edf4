"""Hostile and careless input on the rest of the surface: a killed build's workers, course files
that are not clean UTF-8, translation files that contradict themselves, and outputs that cannot
be written. Each ends in a clear error naming the file (exit 2, 64 only for wrong usage), or in
nothing at all being left behind.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import MINI, ROOT, edit

# -- build workers -------------------------------------------------------------------------------


def _processes_in_group(group: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == group and fields[0] != "Z":
                found.append(int(entry.name))
    return found


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.slow
def test_a_build_killed_with_sigkill_leaves_no_worker_writing(tmp_path):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from synthetic import generate
    course = generate(tmp_path / "course", units=120, questions=4)
    out = tmp_path / "out"
    build = subprocess.Popen([sys.executable, "-c", "from moocpack.cli import entry; entry()", "build", str(course),
                              "--out", str(out), "--jobs", "2"], start_new_session=True,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "MOOCPACK_CACHE": ""})
    deadline = time.monotonic() + 60
    # Killed while the export workers write packages (the first package is in the folder).
    while not (out.exists() and any(out.iterdir()) and len(_children(build.pid)) >= 2) \
            and time.monotonic() < deadline and build.poll() is None:
        time.sleep(0.01)
    try:
        assert len(_children(build.pid)) >= 2, "the build never started two workers"
        os.kill(build.pid, signal.SIGKILL)
        build.wait()
        deadline = time.monotonic() + 5
        while _processes_in_group(build.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _processes_in_group(build.pid) == [], "workers outlived the build"
    finally:
        for pid in _processes_in_group(build.pid):  # the test's own clean-up, should it fail
            os.kill(pid, signal.SIGKILL)
    before = sorted(p.name for p in out.glob("*")) if out.exists() else []
    time.sleep(1)
    after = sorted(p.name for p in out.glob("*")) if out.exists() else []
    assert before == after, "something was written after the build was killed"
    assert not [name for name in after if not name.endswith((".zip", ".mbz", ".tar.gz", ".csv"))
                and not name.startswith(".")], after
