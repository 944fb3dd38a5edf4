"""`moocpack serve`: the website (or the facilitator guide) of one language on localhost,
built again whenever a file of the course changes, the open page reloading itself.

While the course has errors, the last good build stays up and every page shows the problems
over it, as `file:line:column: message`. It serves what it built, from memory: nothing on disk
is reachable through it, it answers GET and HEAD only, and it listens on the loopback interface
unless told otherwise.
"""

from __future__ import annotations

import html
import http.server
import json
import mimetypes
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

from . import handout, loader
from .problems import CourseError, Report

EVENTS = "/__moocpack__/version"  # the page asks here whether a newer build is up
# Injected into every page served: wait for a newer build, then reload (a long poll; no
# extension, no websocket).
RELOAD = """<script>(function () {
  var seen = %d;
  function wait() {
    fetch("%s?since=" + seen, {cache: "no-store"}).then(function (r) { return r.json(); }).then(function (d) {
      if (d.version !== seen) { location.reload(); } else { wait(); }
    }).catch(function () { setTimeout(wait, 1000); });
  }
  wait();
})();</script>"""
OVERLAY = (
    '<div id="moocpack-problems" role="alert" style="position:fixed;inset:auto 0 0 0;max-height:50vh;'
    "overflow:auto;background:#fff3f3;color:#600;border-top:3px solid #c00;padding:1rem;z-index:99999;"
    'font:14px/1.4 monospace"><strong>{title}</strong><ul>{items}</ul></div>'
)


class Preview:
    """The last good build of one language's website, and the problems of the latest try."""

    def __init__(self, course: Path, language: str | None = None, guide: bool = False):
        self.course, self.language, self.guide = course, language, guide
        self.files: dict[str, bytes] = {}
        self.problems: list[str] = []
        self.version = 0
        self.seconds = 0.0  # how long the last build took
        self.parsed: dict = {}  # the course's files as last parsed: a save parses only what changed
        # The last good build's model, to redo only what a save changed: the units as loaded
        # (by id), the same with their handouts, and what the course's every page shows.
        self.units: dict = {}  # the loader's memo: units rebuilt only when their files change
        self.loaded: dict = {}
        self.ready: dict = {}
        self.context = None
        self.changed = threading.Condition()

    def build(self) -> None:
        from moocpack_exporters.html.exporter import site_files

        from .model import FACILITATOR, LEARNER

        started = time.perf_counter()
        report = Report(self.course)
        try:
            checked = loader.check(self.course, report, parsed=self.parsed)
            if checked is None:
                raise CourseError(report)
            language = self.language or checked.source_language
            course = loader.load(self.course, language, report, checked=checked, quiet=True, memo=self.units)
            course, reuse, state = self.reused(course)
            files = site_files(course, FACILITATOR if self.guide else LEARNER, reuse)
            self.loaded, self.ready, self.context = state  # kept only with the files made from it
            problems = []
        except CourseError as error:
            files, problems = None, [str(problem) for problem in error.report.errors] or ["the course has errors"]
        except Exception as exc:  # a bug must not stop the preview: it is shown like a problem
            files, problems = None, [f"internal error: {type(exc).__name__}: {exc}"]
        with self.changed:
            if files is not None:
                self.files = files
            self.problems = problems
            self.version += 1
            self.seconds = time.perf_counter() - started
            self.changed.notify_all()

    def reused(self, course):
        """The course with its handouts, the pages of the last build that still hold, and the
        state to keep once the build succeeds: a unit
        equal to the one last built keeps its handouts and its pages, as long as what every page
        shows (the course's title, the units' names, the frameworks, the interface) is the same."""
        from dataclasses import replace

        from moocpack_exporters.html.exporter import unit_file, worksheet_file

        context = (
            course.language,
            course.title,
            course.licence,
            course.acknowledgement,
            course.translation_notice,
            course.frameworks,
            course.messages,
            tuple((u.id, u.number, u.title) for u in course.units),
        )
        same = {u.id for u in course.units if u.id in self.loaded and self.loaded[u.id] == u}
        fresh = [u for u in course.units if u.id not in same]
        made = handout.with_handouts({course.language: replace(course, units=tuple(fresh))})[course.language]
        ready = {u.id: u for u in made.units} | {uid: self.ready[uid] for uid in same}
        reuse = {}
        if context == self.context:
            fresh_sheets = {s.id for u in fresh for s in u.worksheets}
            for uid in same:
                reuse[unit_file(ready[uid])] = self.files[unit_file(ready[uid])]
                reuse.update(
                    {
                        worksheet_file(s): self.files[worksheet_file(s)]
                        for s in ready[uid].worksheets
                        if s.id not in fresh_sheets and worksheet_file(s) in self.files
                    }
                )
        state = ({u.id: u for u in course.units}, ready, context)
        return replace(course, units=tuple(ready[u.id] for u in course.units)), reuse, state

    def page(self, path: str) -> tuple[bytes, str] | None:
        """What is served at `path`: (body, content type), or None."""
        name = path.lstrip("/") or "index.html"
        data = self.files.get(name)
        if data is None and not self.files and name == "index.html":
            data = (
                b"<!DOCTYPE html><html><head><meta charset='utf-8'><title>moocpack</title></head><body></body></html>"
            )
        if data is None:
            return None
        kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
        if kind == "text/html":
            extra = RELOAD % (self.version, EVENTS)
            if self.problems:
                items = "".join(f"<li>{html.escape(p)}</li>" for p in self.problems)
                extra += OVERLAY.format(title="The course has problems; this is its last good build.", items=items)
            data = data.replace(b"</body>", extra.encode() + b"</body>", 1)
            kind = "text/html; charset=utf-8"
        return data, kind

    def wait(self, since: int, timeout: float = 25.0) -> int:
        with self.changed:
            self.changed.wait_for(lambda: self.version != since, timeout)
            return self.version


def snapshot(course: Path) -> dict[str, int]:
    """Every file of the course and when it last changed (what the watcher compares)."""
    found = {}
    for path in course.rglob("*"):
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(course).parts):
            try:
                found[str(path)] = path.stat().st_mtime_ns
            except OSError:
                pass
    return found


def watch(preview: Preview, stop: threading.Event, interval: float = 0.2) -> None:
    before = snapshot(preview.course)
    while not stop.wait(interval):
        now = snapshot(preview.course)
        if now != before:
            before = now
            preview.build()


def handler_for(preview: Preview):
    class Handler(http.server.BaseHTTPRequestHandler):
        server_version = "moocpack-serve"

        def log_message(self, *args):
            pass

        def do_GET(self):
            url = urlsplit(self.path)
            if url.path == EVENTS:
                asked = dict(p.split("=", 1) for p in url.query.split("&") if "=" in p).get("since", "")
                since = int(asked) if asked.lstrip("-").isdigit() and len(asked) < 12 else -1  # anything else: now
                body = json.dumps({"version": preview.wait(since)}).encode()
                return self.answer(200, body, "application/json")
            found = preview.page(unquote(url.path))
            if found is None:
                return self.answer(404, b"not found", "text/plain")
            self.answer(200, *found)

        def do_HEAD(self):
            found = preview.page(unquote(urlsplit(self.path).path))
            self.answer(200 if found else 404, b"", found[1] if found else "text/plain")

        def answer(self, status: int, body: bytes, kind: str):
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def refuse(self):
            self.answer(405, b"read only", "text/plain")

        do_POST = do_PUT = do_DELETE = do_PATCH = refuse

    return Handler


def start(
    course: Path, language: str | None = None, guide: bool = False, host: str = "127.0.0.1", port: int = 8000
) -> tuple[http.server.ThreadingHTTPServer, Preview, threading.Event]:
    """Build once, then serve and watch in threads: (server, preview, stop). `stop.set()` and
    `server.shutdown()` end them."""
    preview = Preview(course, language, guide)
    preview.build()
    server = http.server.ThreadingHTTPServer((host, port), handler_for(preview))
    server.daemon_threads = True
    stop = threading.Event()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    threading.Thread(target=watch, args=(preview, stop), daemon=True).start()
    return server, preview, stop
