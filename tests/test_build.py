"""How a build shares its work out: formats of one family are made together, the largest
packages start first, and what the user sees is in the same order whatever the schedule."""

from __future__ import annotations

import os
import time
import zipfile

from conftest import SHIPPED
from moocpack.builder import build
from moocpack.exporter import Exporter, Scheduling, for_last_course, forget_courses, registry
from moocpack.problems import Report


class _Toy(Exporter):
    """A third-party-like format that says which process made it."""

    scheduling = Scheduling(family="toys")

    def files(self, course, options):
        time.sleep(0.1)  # long enough that, made apart, the two would go to both workers
        return {"made-by.txt": str(os.getpid()).encode()}


class ToyA(_Toy):
    name = "toy-a"


class ToyB(_Toy):
    name = "toy-b"


class Big(Exporter):
    name = "big"
    scheduling = Scheduling(cost=5.0)

    def files(self, course, options):
        return {"index.txt": str(course.title).encode()}


def made_by(path) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read("made-by.txt").decode()


def test_a_languages_packages_of_one_family_are_made_in_one_process(tmp_path):
    """So that what the family shares is made once; except for the language that the workers
    share at the end (three languages, two workers: the third), whose family is cut in two
    so that the workers finish together."""
    exporters = {"toy-a": ToyA(), "toy-b": ToyB(), "big": Big()}
    results = build(SHIPPED, exporters, None, tmp_path, Report(SHIPPED), jobs=2)
    made = {(r.format, r.language): made_by(r.package.path) for r in results if r.format != "big"}
    for lang in ("en", "nb"):
        assert made[("toy-a", lang)] == made[("toy-b", lang)] != str(os.getpid()), lang
    assert {(r.format, r.language) for r in results} >= {("toy-a", "fr"), ("toy-b", "fr"), ("big", "fr")}


def test_the_languages_workers_share_at_the_end_are_those_left_over_by_whole_rounds():
    from moocpack.builder import _halves, _shared

    assert _shared(["en", "nb", "fr"], 2) == ["fr"]
    assert _shared(["en"], 2) == ["en"] and _shared(["en", "nb"], 2) == []
    assert _shared(list("abcde"), 4) == ["e"] and _shared(["en", "nb", "fr"], 1) == []
    exporters = {name: registered.exporter for name, registered in registry().items()}
    # Cut by cost, in order: SCORM 1.2 and 2004, which share every page, stay together.
    assert _halves(("guide", "html", "scorm12", "scorm2004"), exporters) == [
        ("guide", "html"),
        ("scorm12", "scorm2004"),
    ]
    assert _halves(("moodle",), exporters) == [("moodle",)]


def test_packages_are_listed_by_language_then_format_whatever_order_they_were_made_in(tmp_path):
    # "big" costs most, so it is made first; the listing still follows the order given.
    exporters = {"toy-a": ToyA(), "toy-b": ToyB(), "big": Big()}
    results = build(SHIPPED, exporters, None, tmp_path, Report(SHIPPED), jobs=2)
    assert [(r.language, r.format) for r in results] == [
        (lang, name) for lang in ("en", "nb", "fr") for name in ("toy-a", "toy-b", "big")
    ]


def test_what_a_family_shares_is_made_once_per_course():
    made = []
    pages = for_last_course(lambda course: made.append(course) or len(made))
    first, second = object(), object()
    assert [pages(first), pages(first), pages(second), pages(second), pages(first)] == [1, 1, 2, 2, 3]
    forget_courses()  # as the build does after each family: nothing of it is kept
    assert pages(first) == 4


def test_both_scorm_versions_show_the_same_pages(tmp_path):
    """SCORM 1.2 and 2004 differ in their manifest, the version's schemas, and which API the
    runtime looks for; every page a learner sees is the same bytes in both."""
    exporters = {name: registry()[name].exporter for name in ("scorm12", "scorm2004")}
    build(SHIPPED, exporters, ["nb"], tmp_path, Report(SHIPPED), jobs=1)
    packages = {}
    for version in ("scorm12", "scorm2004"):
        with zipfile.ZipFile(tmp_path / f"pat-peer-support-1.0.0-nb-{version}.zip") as archive:
            packages[version] = {name: archive.read(name) for name in archive.namelist()}
    pages = {name for name in packages["scorm12"] if name.endswith(".html")}
    assert pages and pages == {name for name in packages["scorm2004"] if name.endswith(".html")}
    assert all(packages["scorm12"][name] == packages["scorm2004"][name] for name in pages)
    assert b'var version = "1.2";' in packages["scorm12"]["lms.js"]
    assert b'var version = "2004";' in packages["scorm2004"]["lms.js"]


def test_each_language_is_loaded_and_exported_by_one_worker_when_there_are_enough(tmp_path):
    exporters = {"toy-a": ToyA(), "toy-b": ToyB(), "big": Big()}

    class Own(Exporter):
        name = "own"

        def files(self, course, options):
            time.sleep(0.05)
            return {"made-by.txt": str(os.getpid()).encode()}

    exporters["own"] = Own()
    results = build(SHIPPED, exporters, ["en", "nb"], tmp_path, Report(SHIPPED), jobs=2)
    by_language = {
        lang: {made_by(r.package.path) for r in results if r.language == lang and r.format != "big"}
        for lang in ("en", "nb")
    }
    assert all(len(pids) == 1 for pids in by_language.values()), by_language
    assert by_language["en"] != by_language["nb"]


def test_a_parallel_build_reports_what_one_after_the_other_does(cli, tmp_path, partly_translated):
    """Workers load quietly; what loading says about translations the build reports itself."""
    import json

    one = json.loads(cli("build", partly_translated, "--json", "--jobs", "1", "--out", tmp_path / "1")[1])
    two = json.loads(cli("build", partly_translated, "--json", "--jobs", "2", "--out", tmp_path / "2")[1])
    assert one["problems"] == two["problems"] and one["untranslated"] > 0
    packages = [[(p["format"], p["language"], p["fallback_strings"]) for p in run["packages"]] for run in (one, two)]
    assert packages[0] == packages[1] and any(fallbacks for _, _, fallbacks in packages[0])


# -- the worker processes themselves -------------------------------------------------------


def _square_or_die(task):
    group, number = task
    if number < 0:
        os._exit(7)  # as if killed: no answer, no exception
    return (os.getpid(), number * number)


def test_workers_keep_to_a_group_and_a_new_group_gets_a_fresh_process():
    from moocpack import workers

    tasks = [("a", 1), ("b", 2), ("a", 3), ("b", 4), ("c", 5), ("c", 6)]
    with workers.Workers(2, _square_or_die) as pool:
        results = dict(pool.run(tasks, group=lambda task: task[0], lost=lambda task, code: code))
    assert [results[i][1] for i in range(len(tasks))] == [1, 4, 9, 16, 25, 36]
    pid = {i: results[i][0] for i in results}
    assert pid[0] == pid[2] and pid[1] == pid[3] and pid[0] != pid[1]
    # Both workers then share "c", each as a new process.
    assert {pid[4], pid[5]}.isdisjoint({pid[0], pid[1]})


def test_a_worker_that_dies_loses_only_its_own_task():
    from moocpack import workers

    tasks = [("a", 1), ("b", -1), ("a", 2), ("b", 3)]
    with workers.Workers(2, _square_or_die) as pool:
        results = dict(pool.run(tasks, group=lambda task: task[0], lost=lambda task, code: ("lost", code)))
    assert results[1] == ("lost", 7)
    assert [results[i][1] for i in (0, 2, 3)] == [1, 4, 9]


PREPARED: dict = {}


def _what_was_prepared(task):
    group, number = task
    time.sleep(0.05)
    return PREPARED.get(group)


def test_a_group_begun_later_is_prepared_once_in_the_parent_and_inherited():
    """The build's use: the model of the third language is loaded once, before its workers fork."""
    from moocpack import workers

    calls = []

    def prepare(group):
        calls.append(group)
        PREPARED[group] = os.getpid()

    tasks = [("a", 1), ("b", 2), ("c", 3), ("c", 4), ("c", 5)]
    try:
        with workers.Workers(2, _what_was_prepared, prepare=prepare) as pool:
            results = dict(pool.run(tasks, group=lambda task: task[0], lost=lambda task, code: code))
    finally:
        PREPARED.clear()
    assert calls == ["c"]  # "a" and "b" were begun by the first workers, which made their own
    assert results[0] is None and results[1] is None
    assert results[2] == results[3] == results[4] == os.getpid()


def test_a_quiz_made_once_for_the_website_and_scorm_opens_its_links_as_each_needs(tmp_path):
    """One family makes each quiz once; SCORM opens its competence links in a new window (leaving
    the SCO's page would end its session), the website in place."""
    exporters = {name: registry()[name].exporter for name in ("html", "scorm12")}
    build(SHIPPED, exporters, ["en"], tmp_path, Report(SHIPPED), jobs=1)
    pages = {}
    for fmt in ("html", "scorm12"):
        with zipfile.ZipFile(tmp_path / f"pat-peer-support-1.0.0-en-{fmt}.zip") as archive:
            pages[fmt] = archive.read("unit-02.html").decode()
    link = '<a href="competences.html#'
    assert pages["html"].count(link) > 0 and pages["scorm12"].count(link) == pages["html"].count(link)
    assert 'target="_blank"' not in pages["html"].split('<section class="quiz"', 1)[1]
    quiz = pages["scorm12"].split('<section class="quiz"', 1)[1]
    assert quiz.count(link) == quiz.count('" target="_blank" rel="noopener">')
    assert "\0" not in pages["html"] + pages["scorm12"]


class Slow(Exporter):
    name = "slow"
    cost = 9.0  # started first

    def files(self, course, options):
        time.sleep(3)
        return {"index.txt": b"late"}


class Broken(Exporter):
    name = "broken"

    def files(self, course, options):
        raise RuntimeError("broken on purpose")


def test_a_failed_build_stops_its_other_workers_at_once(tmp_path):
    """What the other workers are making is not wanted once the build has failed: they are
    stopped, not waited for, and write nothing more."""
    import pytest
    from moocpack.builder import BuildError

    with pytest.raises(BuildError, match="broken on purpose"):
        build(SHIPPED, {"slow": Slow(), "broken": Broken()}, ["en"], tmp_path, Report(SHIPPED), jobs=2)
    assert not list(tmp_path.glob("*-slow.zip"))


class _Refusing:
    """A format that cannot express something in the course, and says so (ExportError)."""

    def __new__(cls):
        from moocpack.exporter import ExportError, Exporter, Setting

        class Refusing(Exporter):
            name = "refusing"
            settings = (Setting("refusing_limit", "How many units the platform takes.", 1, int),)

            def files(self, course, options):
                if len(course.units) > options.settings["refusing_limit"]:  # the declared default, applied
                    raise ExportError(
                        f"this platform takes {options.settings['refusing_limit']} unit(s); "
                        f"the course has {len(course.units)}"
                    )
                return {"index.txt": b"ok"}

        return Refusing()


def test_an_exporters_own_error_is_an_error_of_the_course_not_a_crash(cli, tmp_path, monkeypatch):
    import json
    from conftest import SHIPPED
    from moocpack.exporter import Registered

    real = __import__("moocpack.console", fromlist=["registry"]).registry
    monkeypatch.setattr(
        "moocpack.console.registry",
        lambda: {**real(), "refusing": Registered("refusing", _Refusing(), "tests:Refusing")},
    )
    code, out, err = cli(
        "build", SHIPPED, "--format", "refusing", "--lang", "en", "--out", tmp_path / "out", "--jobs", "1"
    )
    assert code == 2 and "Traceback" not in err
    assert "refusing (en): this platform takes 1 unit(s); the course has 3" in err
    code, out, _ = cli("build", SHIPPED, "--format", "refusing", "--lang", "en", "--out", tmp_path / "out", "--json")
    problem = json.loads(out)["problems"][0]
    assert code == 2 and problem["code"] == "build.export"
    code, out, err = cli(
        "build", SHIPPED, "--format", "refusing", "--set", "refusing_limit=5", "--lang", "en", "--out", tmp_path / "out"
    )
    assert code == 0, err


def test_jobs_fall_back_to_one_process_where_this_system_cannot_fork(cli, tmp_path, monkeypatch):
    """On a system without fork (Windows; spawn only) --jobs still builds, in one process, the
    same packages."""
    import multiprocessing
    from conftest import SHIPPED

    code, _, err = cli("build", SHIPPED, "--out", tmp_path / "forked", "--jobs", "2")
    assert code == 0, err
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    monkeypatch.setattr(
        multiprocessing,
        "get_context",
        lambda method=None: (
            (_ for _ in ()).throw(AssertionError(f"a pool was started with {method}"))
            if method == "fork"
            else multiprocessing.context._default_context
        ),
    )
    code, _, err = cli("build", SHIPPED, "--out", tmp_path / "spawn-only", "--jobs", "2")
    assert code == 0, err
    code, _, err = cli("validate", SHIPPED, "--jobs", "2")
    assert code == 0, err
    forked = sorted(p.name for p in (tmp_path / "forked").iterdir())
    assert forked == sorted(p.name for p in (tmp_path / "spawn-only").iterdir())
    for name in forked:
        assert (tmp_path / "forked" / name).read_bytes() == (tmp_path / "spawn-only" / name).read_bytes(), name


def test_a_setting_can_be_named_in_its_formats_namespace(cli, tmp_path):
    from conftest import SHIPPED

    old = tmp_path / "old"
    new = tmp_path / "new"
    assert (
        cli("build", SHIPPED, "--format", "moodle", "--lang", "en", "--set", "moodle_release=4.1", "--out", old)[0] == 0
    )
    assert (
        cli("build", SHIPPED, "--format", "moodle", "--lang", "en", "--set", "moodle.release=4.1", "--out", new)[0] == 0
    )
    name = "pat-peer-support-1.0.0-en-moodle.mbz"
    assert (old / name).read_bytes() == (new / name).read_bytes()
    code, _, err = cli("build", SHIPPED, "--format", "moodle", "--set", "moodle.relase=4.1", "--out", tmp_path / "x")
    assert code == 2 and "unknown setting 'moodle.relase'" in err and "moodle.release" in err
