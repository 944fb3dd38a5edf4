"""A corpus of broken course folders.

Each case breaks the small test course in one way. For every one of them `moocpack build` must
exit with status 2, name the file, line and column with a message that says what to fix, print no
traceback, and leave no package behind.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from conftest import edit

U1 = "en/units/u1.yaml"
W1 = "en/worksheets/w1.yaml"
COURSE = "en/course.yaml"
NB_U1 = "nb/units/u1.yaml"


def append(rel: str, text: str):
    def mutate(root: Path):
        with (root / rel).open("a", encoding="utf-8") as stream:
            stream.write(text)

    return mutate


def replace(rel: str, old: str, new: str):
    return lambda root: edit(root / rel, old, new)


def write(rel: str, content: bytes | str):
    def mutate(root: Path):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, "utf-8")

    return mutate


def symlink_out(rel: str):
    def mutate(root: Path):
        outside = root.parent / "outside.yaml"
        outside.write_text((root / rel).read_text("utf-8"), "utf-8")
        (root / rel).unlink()
        os.symlink(outside, root / rel)

    return mutate


def symlink_loop(rel: str):
    def mutate(root: Path):
        (root / rel).unlink()
        os.symlink(root / (rel + ".other"), root / rel)
        os.symlink(root / rel, root / (rel + ".other"))

    return mutate


def empty_folder(root: Path):
    for child in sorted(root.rglob("*"), reverse=True):
        child.unlink() if child.is_file() else child.rmdir()


# (case id, mutation, file the error is reported in, message pattern)
CASES = [
    # YAML syntax and unsafe YAML
    ("unclosed-flow-list", append(U1, "extra: [unclosed\n"), U1, r"YAML syntax error"),
    ("tab-indentation", replace(U1, 'number: "1"', 'number: "1"\n\tbad: tab'), U1, r"YAML syntax error"),
    ("duplicate-key", replace(U1, 'number: "1"', 'number: "1"\ntitle: Again'), U1, r"duplicate key 'title'"),
    ("alias", replace(COURSE, "short_description: A small", "short_description: &s A small"), None, None),
    (
        "python-object-tag",
        replace(U1, "title: First unit", "title: !!python/object/apply:os.system [echo hi]"),
        U1,
        r"unsupported YAML value",
    ),
    ("not-utf8", write(W1, "id: w1\ntitle: caf\xe9\n".encode("latin-1")), W1, r"not UTF-8: byte 0xE9"),
    ("oversized-file", append(U1, "# " + "x" * (2 * 1024 * 1024) + "\n"), U1, r"the limit is"),
    ("top-level-list", write(W1, "- id: w1\n"), W1, r"expected a mapping"),
    # Schema
    ("missing-required-field", replace(COURSE, "effort: 1 h\n", ""), COURSE, r"missing required field 'effort'"),
    (
        "unknown-field-suggestion",
        replace(U1, "duration: 45 min", "duration: 45 min\ntitel: x"),
        U1,
        r"unknown field 'titel' \(did you mean 'title'\?\)",
    ),
    ("wrong-type", append(COURSE, "pass_mark: high\n"), COURSE, r"expected a whole number, found text"),
    (
        "bad-question-type",
        replace(U1, "type: single_choice", "type: single"),
        U1,
        r"'single' is not allowed here.*did you mean 'single_choice'",
    ),
    ("bad-id", replace(U1, "id: act-1", "id: Act 1"), U1, r"'Act 1' is not a valid identifier"),
    ("bad-duration", replace(U1, "duration: 45 min", "duration: 45 minutes"), U1, r"not a valid duration"),
    (
        "norway-problem",
        replace(U1, "{id: b, text: Wrong, feedback: No.}", "{id: b, text: no, feedback: No.}"),
        U1,
        r"found true/false.*quotes",
    ),
    (
        "matching-one-pair",
        replace(U1, "      - {id: p2, prompt: Rose, answer: Plant}\n", ""),
        U1,
        r"needs at least 2 item",
    ),
    (
        "worksheet-table-and-prompts",
        append(W1, "prompts:\n  - {id: p, text: Why?}\n"),
        W1,
        r"exactly one of 'table' or 'prompts'",
    ),
    # References
    (
        "unknown-competence",
        replace(U1, "competences: [fw.a.1]\n  - id: lo-2", "competences: [fw.a.l]\n  - id: lo-2"),
        U1,
        r"unknown competence 'fw.a.l' \(did you mean 'fw.a.[12]'\?\)",
    ),
    (
        "category-tagged",
        replace(U1, "competences: [fw.a.2]\n    options", "competences: [fw.a]\n    options"),
        U1,
        r"'fw.a' is a category",
    ),
    (
        "unknown-outcome",
        replace(U1, "    outcomes: [lo-1]\n    procedure", "    outcomes: [lo-3]\n    procedure"),
        U1,
        r"unknown outcome 'lo-3'",
    ),
    (
        "missing-unit-file",
        replace(COURSE, "units: [u1]", "units: [u1, u2]"),
        COURSE,
        r"unit file 'units/u2.yaml' not found",
    ),
    (
        "missing-worksheet-file",
        replace(U1, "worksheet: w1", "worksheet: w2"),
        U1,
        r"worksheet file 'worksheets/w2.yaml' not found \(did you mean 'w1'\?\)",
    ),
    (
        "missing-framework-file",
        replace(COURSE, "frameworks: [fw]", "frameworks: [fw, other]"),
        COURSE,
        r"framework file 'competences/other.yaml' not found",
    ),
    ("duplicate-question-id", replace(U1, "  - id: q-multi\n", "  - id: q-single\n"), U1, r"duplicate id 'q-single'"),
    ("duplicate-outcome-id", replace(U1, "  - id: lo-2\n", "  - id: lo-1\n"), U1, r"duplicate id 'lo-1'"),
    ("unit-id-mismatch", replace(U1, "id: u1\n", "id: u2\n"), U1, r"must match the file name"),
    (
        "quiz-unknown-question",
        replace(U1, "q-single, q-multi, q-match, q-short]", "q-single, q-nope]"),
        U1,
        r"unknown question 'q-nope'",
    ),
    (
        "source-language-not-listed",
        replace(COURSE, "languages: [en, nb]", "languages: [nb]"),
        COURSE,
        r"source language 'en' must be listed",
    ),
    # Questions and answer keys
    (
        "no-correct-answer",
        replace(
            U1,
            "{id: a, text: Right, correct: true, feedback: Well done.}",
            "{id: a, text: Right, feedback: Well done.}",
        ),
        U1,
        r"needs exactly one option with 'correct: true'",
    ),
    (
        "question-without-competence",
        replace(U1, "stem: Describe your practice.\n    outcomes: [lo-2]\n", "stem: Describe your practice.\n"),
        U1,
        r"tagged with no competence",
    ),
    (
        "answer-key-unknown-row",
        replace(W1, "{id: r2, answer: false}", "{id: r3, answer: false}"),
        W1,
        r"names row 'r3'.*did you mean 'r1'|names row 'r3'",
    ),
    ("answer-key-row-missing", replace(W1, "    - {id: r2, answer: false}\n", ""), W1, r"row 'r2' has no answer"),
    (
        "answer-key-not-boolean",
        replace(W1, "{id: r2, answer: false}", "{id: r2, answer: maybe}"),
        W1,
        r"must be true or false",
    ),
    # Translations
    ("translation-unknown-key", append(NB_U1, "titel: Feil\n"), NB_U1, r"'titel' is not in the source file"),
    ("translation-structure-key", append(NB_U1, "duration: 2 h\n"), NB_U1, r"structure, not text"),
    ("translation-unknown-id", replace(NB_U1, "id: lo-1", "id: lo-9"), NB_U1, r"no item with id 'lo-9'"),
    (
        "translation-file-without-source",
        write("nb/units/u9.yaml", "title: x\n"),
        "nb/units/u9.yaml",
        r"a translation file must mirror a source file",
    ),
    # Unsafe content and paths
    (
        "path-leaves-folder",
        replace(U1, "path: assets/dot.png", "path: ../../etc/passwd"),
        U1,
        r"not a valid relative path",
    ),
    ("symlink-out-of-folder", symlink_out(W1), W1, r"outside the course folder"),
    (
        "script-element",
        replace(U1, "introduction: An introduction", "introduction: <script>alert(1)</script> An"),
        U1,
        r"unsafe HTML refused: <script> element",
    ),
    (
        "event-handler",
        replace(U1, "body: Once upon a time.", 'body: \'<img src="assets/dot.png" onerror="x()">\''),
        U1,
        r"unsafe HTML refused: onerror attribute",
    ),
    (
        "javascript-link",
        replace(U1, "body: Once upon a time.", "body: '<a href=\"javascript:alert(1)\">x</a>'"),
        U1,
        r"unsafe HTML refused: 'javascript:' link",
    ),
    (
        "link-to-missing-file",
        replace(U1, "procedure: Go through the list.", "procedure: See [notes](assets/notes.pdf)."),
        U1,
        r"does not exist in the course folder",
    ),
    (
        "link-leaves-folder",
        replace(U1, "procedure: Go through the list.", "procedure: See [x](../../secret.txt)."),
        U1,
        r"leads outside the course folder",
    ),
    ("empty-course-folder", empty_folder, "", r"no source course file found"),
    # Hostile input (each once broke a build with exit 3 or a corrupt package)
    ("nested-500-levels", append(U1, "deep: " + "[" * 500 + "]" * 500 + "\n"), U1, r"nested more than 50 levels"),
    (
        "nested-500-levels-in-a-framework",
        append("competences/fw.yaml", "deep: " + "[" * 500 + "]" * 500 + "\n"),
        "competences/fw.yaml",
        r"nested more than 50 levels",
    ),
    (
        "nul-in-a-title",
        replace(U1, "title: First unit", 'title: "First\\0unit"'),
        U1,
        r"control character U\+0000 is not allowed",
    ),
    (
        "escape-in-a-title",
        replace(U1, "title: First unit", 'title: "First \\x1b[31m unit"'),
        U1,
        r"control character U\+001B",
    ),
    (
        "noncharacter-in-a-title",
        replace(U1, "title: First unit", 'title: "First \\uFFFE unit"'),
        U1,
        r"control character U\+FFFE",
    ),
    (
        "version-with-final-newline",
        replace(COURSE, 'version: "0.1"', 'version: "0.1\\n"'),
        COURSE,
        r"'0\.1\\n' does not have the expected form: Course version",
    ),
    ("id-with-final-newline", replace(U1, "id: act-1", 'id: "act-1\\n"'), U1, r"is not a valid identifier"),
    ("symlink-loop", symlink_loop(W1), W1, r"symbolic link that leads nowhere"),
    (
        "remote-image",
        replace(U1, "body: Once upon a time.", "body: '![x](https://example.org/x.png)'"),
        U1,
        r"image 'https://example.org/x.png' would be fetched from outside the package",
    ),
    (
        "protocol-relative-image",
        replace(U1, "body: Once upon a time.", "body: '<img src=\"//example.org/x.png\">'"),
        U1,
        r"image '//example.org/x.png' would be fetched",
    ),
    (
        "image-not-in-assets",
        replace(U1, "body: Once upon a time.", "body: '![dot](competences/fw.yaml)'"),
        U1,
        r"'competences/fw.yaml' is linked here but listed in no unit's assets",
    ),
    (
        "entity-encoded-javascript-link",
        replace(U1, "body: Once upon a time.", "body: '<a href=\"&#106;avascript:alert(1)\">x</a>'"),
        U1,
        r"unsafe HTML refused: 'javascript:' link",
    ),
    (
        "javascript-link-split-by-a-tab",
        replace(U1, "body: Once upon a time.", "body: '<a href=\"java&#9;script:alert(1)\">x</a>'"),
        U1,
        r"unsafe HTML refused: 'javascript:' link",
    ),
    (
        "markdown-javascript-link",
        replace(U1, "body: Once upon a time.", "body: '[x](javascript:alert(1))'"),
        U1,
        r"unsafe HTML refused: 'javascript:' link",
    ),
    (
        "style-attribute",
        replace(U1, "body: Once upon a time.", "body: '<p style=\"display:none\">hidden</p>'"),
        U1,
        r"unsafe HTML refused: style attribute on <p>",
    ),
    (
        "date-beyond-what-a-zip-holds",
        replace(COURSE, "date: 2024-05-01", "date: 2200-01-01"),
        COURSE,
        r"date 2200-01-01 is outside what packages can carry",
    ),
]
CASES[3] = (
    "alias",
    replace(COURSE, "title: Mini course", "title: &t Mini course\nkeywords: *t"),
    COURSE,
    r"aliases \(\*name\) are not allowed",
)


@pytest.mark.parametrize("compiled", [False, True], ids=["jsonschema", "compiled-schema"])
@pytest.mark.parametrize("case, mutate, where, pattern", CASES, ids=[c[0] for c in CASES])
def test_broken_course_is_refused_with_a_located_message(
    mini: Path, tmp_path: Path, cli, monkeypatch, compiled, case, mutate, where, pattern
):
    from moocpack import schema

    # Large courses check files with the compiled schema first: it must miss nothing.
    monkeypatch.setattr(schema, "COMPILE_AFTER", 0 if compiled else 10**9)
    mutate(mini)
    out = tmp_path / "dist"
    code, stdout, stderr = cli("build", mini, "--out", out)
    assert code == 2, stdout + stderr
    assert "Traceback" not in stdout + stderr
    expected_file = str(mini / where) if where else str(mini)
    located = [
        line
        for line in stderr.splitlines()
        if re.match(re.escape(expected_file) + r":\d+:\d+: error: ", line) and re.search(pattern, line)
    ]
    assert located, f"no '{pattern}' error located in {expected_file}:\n{stderr}"
    assert not out.exists() or not any(out.iterdir()), "a package was written for a broken course"


@pytest.mark.parametrize("case, mutate, where, pattern", CASES[:12], ids=[c[0] for c in CASES[:12]])
def test_validate_reports_the_same_errors_as_json(mini: Path, cli, case, mutate, where, pattern):
    import json

    mutate(mini)
    code, stdout, _ = cli("validate", mini, "--json")
    assert code == 2
    data = json.loads(stdout)
    assert data["errors"] >= 1
    assert any(re.search(pattern, p["message"]) and p["line"] >= 1 for p in data["problems"])


def test_all_problems_are_reported_at_once(mini: Path, cli):
    edit(mini / U1, "type: single_choice", "type: single")
    edit(mini / COURSE, "effort: 1 h\n", "")
    edit(mini / W1, "{id: r2, answer: false}", "{id: r2, answer: maybe}")
    code, stdout, _ = cli("validate", mini)
    assert code == 2
    assert "not allowed here" in stdout and "missing required field 'effort'" in stdout
    # The worksheet is checked too, although the course file already had an error.
    assert "must be true or false" in stdout or "expected" in stdout


def test_an_error_in_a_unit_adds_no_false_second_error_elsewhere(mini: Path, cli):
    edit(mini / U1, "id: act-1", "id: Act 1")
    code, stdout, _ = cli("validate", mini)
    assert code == 2 and "'Act 1' is not a valid identifier" in stdout
    # The unit that quizzes worksheet w1 could not be read: its outcomes are unknown, not missing.
    assert "tagged with no competence" not in stdout
    assert len([line for line in stdout.splitlines() if ": error: " in line]) == 1


def test_competence_tags_are_checked_even_in_a_unit_with_schema_errors(mini: Path, cli):
    edit(mini / U1, "duration: 45 min", "duration: 45 minutes")
    edit(mini / U1, "competences: [fw.a.2]\n    options", "competences: [fw.a.9]\n    options")
    code, stdout, _ = cli("validate", mini)
    assert code == 2
    assert "not a valid duration" in stdout and "unknown competence 'fw.a.9'" in stdout


def test_a_failed_build_keeps_the_previous_good_package(mini: Path, tmp_path: Path, cli):
    out = tmp_path / "dist"
    code, _, _ = cli("build", mini, "--out", out, "--format", "html", "--lang", "en")
    assert code == 0
    package = out / "mini-0.1-en-html.zip"
    good = package.read_bytes()
    edit(mini / U1, "type: single_choice", "type: single")
    code, _, _ = cli("build", mini, "--out", out, "--format", "html", "--lang", "en")
    assert code == 2
    assert package.read_bytes() == good
    assert sorted(p.name for p in out.iterdir()) == [package.name]


def test_strict_turns_warnings_into_exit_status_1(mini: Path, cli):
    assert cli("validate", mini)[0] == 0
    code, stdout, _ = cli("validate", mini, "--strict")
    assert code == 1 and "not translated into 'nb'" in stdout


def test_the_installed_command_never_shows_a_traceback(mini: Path, tmp_path: Path):
    import subprocess

    edit(mini / U1, "title: First unit", "title: [First unit")
    result = subprocess.run(
        ["moocpack", "build", str(mini), "--out", str(tmp_path / "out")], capture_output=True, text=True
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and re.search(r"u1\.yaml:\d+:\d+: error: YAML syntax error", result.stderr)


LOCK = "nb/_l10n.lock.yaml"
LOCK_CASES = [
    ("lock-malformed", "units: [unclosed\n", r"YAML syntax error"),
    ("lock-alias", "source_language: &l en\nunits: {}\nother: *l\n", r"aliases \(\*name\) are not allowed"),
    ("lock-nested-500-levels", "units: " + "[" * 500 + "]" * 500 + "\n", r"nested more than 50 levels"),
    ("lock-oversized", "units: {}\n# " + "x" * (3 * 1024 * 1024) + "\n", r"the limit is"),
    ("lock-wrong-shape", "units:\n  course.yaml#/title: just text\n", r"each entry is a mapping"),
    (
        "lock-unknown-entry-field",
        "units:\n  course.yaml#/title: {source: x, evil: 1}\n",
        r"'evil' is not a field of a lock entry",
    ),
]


@pytest.mark.parametrize("case, content, pattern", LOCK_CASES, ids=[c[0] for c in LOCK_CASES])
def test_a_broken_lock_file_is_a_located_error_like_any_course_file(
    mini: Path, tmp_path: Path, cli, case, content, pattern
):
    (mini / LOCK).write_text(content, "utf-8")
    for command in (["validate", mini], ["build", mini, "--out", tmp_path / "out"], ["l10n", "status", mini]):
        code, stdout, stderr = cli(*command)
        assert code == 2, (command, stdout + stderr)
        assert "Traceback" not in stdout + stderr
        assert re.search(re.escape(str(mini / LOCK)) + r":\d+:\d+: error: .*" + pattern, stdout + stderr), (
            stdout + stderr
        )


def test_remote_images_are_allowed_only_when_asked_and_then_warned_about(mini: Path, tmp_path: Path, cli):
    edit(mini / U1, "body: Once upon a time.", "body: '![x](https://example.org/x.png)'")
    assert cli("validate", mini)[0] == 2
    code, stdout, _ = cli("validate", mini, "--allow-remote-media")
    assert code == 0 and "fetched from outside the package when shown (allowed by --allow-remote-media)" in stdout
    code, _, stderr = cli("build", mini, "--allow-remote-media", "--format", "html", "--lang", "en", "--out", tmp_path)
    assert code == 0, stderr


@pytest.mark.parametrize("where", ["nb", "en/units", "."])
def test_an_output_folder_inside_the_course_is_refused(mini: Path, cli, where):
    before = sorted(str(p) for p in mini.rglob("*"))
    code, _, stderr = cli("build", mini, "--out", mini / where, "--format", "html")
    assert code == 2 and "is inside the course folder" in stderr and "Traceback" not in stderr
    assert sorted(str(p) for p in mini.rglob("*")) == before


def test_unwritable_outputs_are_usage_errors_not_crashes(mini: Path, tmp_path: Path, cli):
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    code, _, stderr = cli("build", mini, "--out", a_file / "child", "--format", "html", "--lang", "en")
    assert code == 2 and "is a file, not a folder" in stderr
    # A folder where the package should go.
    out = tmp_path / "out"
    (out / "mini-0.1-en-html.zip").mkdir(parents=True)
    code, _, stderr = cli("build", mini, "--out", out, "--format", "html", "--lang", "en")
    assert code == 2 and "cannot write" in stderr and "a folder named mini-0.1-en-html.zip is in the way" in stderr
    if Path("/dev/full").exists():
        import moocpack.archive as archive

        with pytest.raises(archive.WriteError, match="No space left on device"):
            archive.write_atomic(Path("/dev/full"), b"x")


def test_a_killed_build_leaves_nothing_the_next_build_keeps(mini: Path, tmp_path: Path, cli):
    out = tmp_path / "out"
    out.mkdir()
    import subprocess

    gone = subprocess.Popen(["true"])
    gone.wait()
    stale = out / f".mini-0.1-en-html.zip.{gone.pid}.abc123.part"  # what a killed build leaves
    stale.write_bytes(b"")
    running = out / f".mini-0.1-en-html.zip.{os.getpid()}.def456.part"  # a build still writing
    running.write_bytes(b"")
    other = out / ".notes.txt.part"
    other.write_bytes(b"mine")
    assert cli("build", mini, "--out", out, "--format", "html", "--lang", "en")[0] == 0
    assert not stale.exists() and running.exists() and other.exists()


def test_schema_errors_are_found_in_a_course_large_enough_for_the_compiled_schema(mini: Path, cli, monkeypatch):
    from moocpack import schema

    monkeypatch.setattr(schema, "COMPILE_AFTER", 0)  # every file through the compiled fast path first
    edit(mini / U1, "type: single_choice", "type: single")
    edit(mini / COURSE, "effort: 1 h\n", "")
    code, stdout, _ = cli("validate", mini)
    assert code == 2 and "not allowed here" in stdout and "missing required field 'effort'" in stdout


def reading_ahead(monkeypatch) -> list[int]:
    """Read ahead however small the course; the list hears how many files each read-ahead read."""
    from moocpack import readahead

    monkeypatch.setattr(readahead, "WORTH_IT", 0)
    counts = []
    original = readahead.prefetch

    def spy(folder, languages, jobs):
        original(folder, languages, jobs)
        counts.append(len(folder.prefetched))

    monkeypatch.setattr(readahead, "prefetch", spy)
    return counts


def test_a_large_course_is_read_ahead_on_every_core_and_checked_the_same(mini: Path, tmp_path: Path, cli, monkeypatch):
    counts = reading_ahead(monkeypatch)
    one = cli("validate", mini, "--json", "--jobs", "1")
    assert counts == []
    two = cli("validate", mini, "--json", "--jobs", "2")
    # Every unit, worksheet and framework file, and the translations (course.yaml files are read first).
    expected = [p for p in mini.rglob("*.yaml") if p.name != "course.yaml" and not p.name.startswith("_")]
    assert counts == [len(expected)]
    assert one == two and one[0] in (0, 1)
    # And the packages built from it (translations merged ahead, then again with their text).
    for jobs in ("1", "2"):
        assert cli("build", mini, "--out", tmp_path / jobs, "--jobs", jobs)[0] == 0
    assert counts == [len(expected)] * 2
    built = sorted(p.name for p in (tmp_path / "1").iterdir())
    assert built and built == sorted(p.name for p in (tmp_path / "2").iterdir())
    assert all((tmp_path / "1" / name).read_bytes() == (tmp_path / "2" / name).read_bytes() for name in built)


@pytest.mark.parametrize("case, mutate, where, pattern", CASES, ids=[c[0] for c in CASES])
def test_reading_ahead_on_two_cores_reports_exactly_what_one_core_does(
    mini: Path, cli, monkeypatch, case, mutate, where, pattern
):
    """A large course's files are read ahead on every core (readahead.py); whatever is broken,
    the report is the same, line for line, as reading them one after the other."""
    reading_ahead(monkeypatch)
    mutate(mini)
    one = cli("validate", mini, "--json", "--jobs", "1")
    two = cli("validate", mini, "--json", "--jobs", "2")
    assert one[0] == two[0] == 2
    assert one[1] == two[1]


@pytest.mark.parametrize("failure", ["no-fork", "worker-error"])
def test_reading_ahead_that_fails_leaves_the_check_to_read_the_files_itself(mini: Path, cli, monkeypatch, failure):
    from moocpack import readahead

    reading_ahead(monkeypatch)
    edit(mini / U1, "type: single_choice", "type: single")  # something to report
    expected = cli("validate", mini, "--json", "--jobs", "1")
    if failure == "no-fork":

        def no_fork(method):
            raise ValueError(f"cannot find context for {method!r}")

        monkeypatch.setattr(readahead.multiprocessing, "get_context", no_fork)
    else:
        original = readahead._read_ahead

        def failing(root, source_language, relative, *rest):
            if relative == U1:
                raise RuntimeError("a bug in reading ahead")
            return original(root, source_language, relative, *rest)

        monkeypatch.setattr(readahead, "_read_ahead", failing)
    assert cli("validate", mini, "--json", "--jobs", "2") == expected
    assert expected[0] == 2
