"""Running tasks on forked worker processes, each worker kept to one group of tasks where it can.

The build's tasks are grouped by language, and a worker first loads the model of its language:
work that every task of the language shares, and that costs as much as a package. So an idle
worker takes, in the order given, the next task of the group it last worked on; else one of a
group no worker has begun; else one of the group with the most tasks left (which it then shares).
A pool that hands tasks out in order instead would have every worker load every language.

Workers are forked: what `work` reads (the checked course, the exporters) they inherit, and only
tasks and results go through the pipes. A worker that moves to another group is replaced by a
fresh fork, so that the last group's memory goes with it; `prepare(group)` lets the parent make
what every worker of a group begun late needs (the build: its language's model) once, for all
of them to inherit.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager
from multiprocessing.connection import wait
from typing import Any


def usable(jobs: int) -> int:
    """How many processes may really run side by side: `jobs`, or 1 where this system cannot
    fork (Windows; a Python whose only start method is spawn), since every pool here relies on
    what forked workers inherit. The results are the same either way, only slower."""
    if jobs > 1 and "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return jobs


def forked_map(function: Callable, items: list, jobs: int, chunksize: int = 1, ordered: bool = True) -> Iterable:
    """`function` over `items` on `jobs` forked processes that end with this one (the simple
    pools: handouts, reading a course ahead); what `function` reads it inherits. Results in the
    items' order, or as they come with `ordered=False`."""
    pool = multiprocessing.get_context("fork").Pool(
        min(jobs, len(items)), initializer=die_with_parent, initargs=(os.getpid(),)
    )
    with pool:
        mapped = pool.imap if ordered else pool.imap_unordered
        yield from mapped(function, items, chunksize)


@contextmanager
def cycle_collector_paused(keep: bool = False):
    """Reading a course makes millions of objects and almost no reference cycles, yet Python's
    cycle collector keeps walking all of them as they pile up: paused, checking and loading a
    large course take a fifth less time, growing in step with the course. What few cycles there
    are (an exception caught) are collected when it resumes.

    With `keep`, what was made is there to stay (a checked course, a model): it is frozen as the
    collector resumes, which otherwise walks all of it at the next allocation, every object
    being new to it, and again as it ages (a tenth of a second per language at 500 units)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if keep:
                gc.freeze()
            gc.enable()


def die_with_parent(parent: int) -> None:
    """Make this forked process end when `parent` does, whatever kills it (kill -9 included): a
    build stopped by the person must not leave workers that go on writing packages.

    On Linux the kernel sends SIGKILL (prctl PR_SET_PDEATHSIG); elsewhere a thread watches the
    parent. Either way, a parent already gone by the time this runs ends the process at once."""
    armed = False
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            armed = libc.prctl(1, int(signal.SIGKILL), 0, 0, 0) == 0  # 1: PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            armed = False
    if os.getppid() != parent:
        os._exit(1)
    if not armed:

        def watch() -> None:
            while os.getppid() == parent:
                time.sleep(0.2)
            os._exit(1)

        threading.Thread(target=watch, daemon=True).start()


class Workers:
    """`jobs` forked processes that run `work(task)`; use as a context manager (leaving it stops
    them), and give them tasks with `run`."""

    def __init__(self, jobs: int, work: Callable[[Any], Any], prepare: Callable[[Any], None] | None = None):
        """`prepare(group)`, if given, runs here before a worker is forked for a group that
        none has begun, so that it and any other worker that comes to share the group
        inherit what it made (the build: the language's model) instead of each making it."""
        self.context = multiprocessing.get_context("fork")
        self.work = work
        self.prepare = prepare
        self.ready: Hashable = None  # the group last prepared: what the next fork inherits
        self.workers: list[_Worker] = []
        self._pending: list[int] = []
        try:
            for _ in range(jobs):
                self.workers.append(self._fork())
        except BaseException:
            self.close()
            raise

    def _fork(self) -> "_Worker":
        ours, theirs = self.context.Pipe()
        process = self.context.Process(target=_serve, args=(theirs, self.work, os.getpid()), daemon=True)
        process.start()
        theirs.close()
        return _Worker(process, ours)

    def __enter__(self) -> "Workers":
        return self

    def __exit__(self, kind, error, trace) -> None:
        self.close(abort=kind is not None)

    def close(self, abort: bool = False) -> None:
        """Stop the workers: once idle, or at once with `abort` (the caller failed, and what
        they are making is not wanted; a package half written stays a temporary file, which
        archive.clean_stale removes)."""
        for worker in self.workers:
            if abort and worker.process.is_alive():
                worker.process.terminate()
            elif worker.process.is_alive() and not worker.dead:
                try:
                    worker.connection.send(None)
                except OSError:
                    pass
        for worker in self.workers:
            worker.process.join(timeout=5)
            if worker.process.is_alive():
                worker.process.terminate()
                worker.process.join()
            worker.connection.close()

    def run(
        self, tasks: list, group: Callable[[Any], Hashable], lost: Callable[[Any, int | None], Any]
    ) -> Iterator[tuple[int, Any]]:
        """Yields (index of the task, its result) as tasks finish. A worker that ends without
        answering (killed, out of memory) gives `lost(task, exit code)` for its task."""
        pending = self._pending = list(range(len(tasks)))
        begun: set[Hashable] = set()
        for worker in self.workers:  # at once, not when the first result is asked for
            self._hand_out(worker, tasks, pending, begun, group)
        return self._results(tasks, group, lost, pending, begun)

    def stop(self) -> None:
        """Hand out no more tasks; the tasks being worked on still give their results."""
        self._pending.clear()

    def _results(self, tasks, group, lost, pending, begun):
        workers = self.workers
        while any(worker.task is not None for worker in workers):
            self._prepare_ahead(tasks, group, pending, begun)
            busy = {worker.connection: worker for worker in workers if worker.task is not None}
            for connection in wait(list(busy)):
                worker = busy[connection]
                index, worker.task = worker.task, None
                try:
                    result = connection.recv()
                except (EOFError, OSError):
                    worker.process.join()
                    worker.dead = True
                    result = lost(tasks[index], worker.process.exitcode)
                yield index, result
            for worker in list(workers):
                if worker.task is None and not worker.dead:
                    self._hand_out(worker, tasks, pending, begun, group)
            if pending and all(worker.dead for worker in workers):
                for index in pending:
                    yield index, lost(tasks[index], None)
                pending.clear()

    def _hand_out(self, worker: "_Worker", tasks: list, pending: list[int], begun: set, group) -> None:
        if not pending:
            return
        chosen = next((i for i in pending if group(tasks[i]) == worker.group), None)
        if chosen is None:
            chosen = next((i for i in pending if group(tasks[i]) not in begun), None)
        if chosen is None:
            left: dict[Hashable, int] = {}
            for i in pending:
                left[group(tasks[i])] = left.get(group(tasks[i]), 0) + 1
            most = max(left.values())
            chosen = next(i for i in pending if left[group(tasks[i])] == most)
        chosen_group = group(tasks[chosen])
        if worker.group is not None and chosen_group != worker.group:
            # A new group, a new process, forked afresh: what the last group left in memory
            # (its language's model) goes with the old one, which returns nothing to the system
            # otherwise (Python keeps the partly used memory it got).
            self._retire(worker)
            if self.prepare is not None and chosen_group not in begun and chosen_group != self.ready:
                self.prepare(chosen_group)
                self.ready = chosen_group
            place = self.workers.index(worker)
            worker = self.workers[place] = self._fork()
        pending.remove(chosen)
        worker.task, worker.group = chosen, chosen_group
        begun.add(chosen_group)
        worker.connection.send(tasks[chosen])

    def _prepare_ahead(self, tasks, group, pending, begun) -> None:
        """While every worker is busy, the parent prepares the next group none has begun: the
        worker that finishes first then starts on it at once instead of waiting for it."""
        if self.prepare is None or (self.ready is not None and self.ready not in begun):
            return  # one group ahead at most: what the parent keeps is one group's
        upcoming = next((group(tasks[i]) for i in pending if group(tasks[i]) not in begun), None)
        if upcoming is not None:
            self.prepare(upcoming)
            self.ready = upcoming

    @staticmethod
    def _retire(worker: "_Worker") -> None:
        worker.connection.send(None)
        worker.process.join()
        worker.connection.close()


class _Worker:
    def __init__(self, process, connection):
        self.process, self.connection = process, connection
        self.task: int | None = None  # the index of the task it is working on
        self.group: Hashable = None  # the group of its last task
        self.dead = False


def _serve(connection, work, parent: int) -> None:
    die_with_parent(parent)
    while True:
        try:
            task = connection.recv()
        except EOFError:
            return
        if task is None:
            return
        connection.send(work(task))
