"""Promises the repository makes about itself: CI runs the README's command, docs match schemas."""

from __future__ import annotations

import re

import pytest

from jsonschema import Draft202012Validator

from conftest import ROOT
from moocpack import schema, schemadoc


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text("utf-8")
    setup = text.split("## Set-up", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", setup)


def test_readme_gives_exactly_two_setup_commands_and_ci_runs_the_test_one():
    install, tests = readme_commands()
    assert "moocpack build" in install and "pytest" in tests
    ci = [
        line
        for line in (ROOT / ".ci" / "run").read_text().splitlines()
        if line.strip() and not line.startswith(("#", "set ", "cd "))
    ]
    assert ci == [tests]


def test_every_schema_is_a_valid_draft_2020_12_schema_with_id_title_and_description():
    for name, document in schema.documents().items():
        Draft202012Validator.check_schema(document)
        assert document["$id"].endswith(name)
        assert document["title"] and document["description"]


def test_the_format_reference_is_generated_from_the_current_schemas():
    assert (ROOT / "docs" / "format.md").read_text("utf-8") == schemadoc.reference()


def test_every_interface_catalogue_has_every_message_of_the_english_one():
    import yaml

    folder = ROOT / "src" / "moocpack" / "messages"
    english = yaml.safe_load((folder / "en.yaml").read_text("utf-8"))
    for path in folder.glob("*.yaml"):
        catalogue = yaml.safe_load(path.read_text("utf-8"))
        assert set(catalogue) == set(english), path.name
        for key, text in english.items():
            wanted = set(re.findall(r"\{\w+\}", str(text)))
            # A plural message gives the forms its language's CLDR rules name, each with the placeholders.
            forms = catalogue[key].values() if isinstance(catalogue[key], dict) else [catalogue[key]]
            for form in forms:
                assert set(re.findall(r"\{\w+\}", form)) == (wanted or set(re.findall(r"\{\w+\}", form))), (
                    path.name,
                    key,
                )
            if isinstance(catalogue[key], dict):
                from babel import Locale

                needed = Locale.parse(path.stem).plural_form.tags | {"other"}
                assert needed <= set(catalogue[key]), (path.name, key, needed)


def test_the_code_passes_the_linter():
    """ruff (installed by the test command) over the code: no undefined or unused name, no
    statement that does nothing (the rules are in pyproject.toml)."""
    import shutil
    import subprocess

    ruff = shutil.which("ruff")
    assert ruff, "ruff is installed by the README's test command (pip install -e '.[test]')"
    done = subprocess.run(
        [ruff, "check", "--no-cache", "src", "exporters", "tests", "benchmarks"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_code_is_formatted():
    """`ruff format` leaves every file as it is: one layout, so that a diff shows only what
    changed (run `ruff format src exporters tests benchmarks` before committing)."""
    import shutil
    import subprocess

    ruff = shutil.which("ruff")
    assert ruff, "ruff is installed by the README's test command (pip install -e '.[test]')"
    done = subprocess.run(
        [ruff, "format", "--check", "--no-cache", "src", "exporters", "tests", "benchmarks"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_moodle_plugin_is_valid_php():
    """php -l over every PHP file of the Moodle plugin (the README's test command installs
    php-cli; a checkout tested without it skips this, saying so)."""
    import shutil
    import subprocess

    php = shutil.which("php")
    if not php:
        pytest.skip("no PHP here: the README's test command installs php-cli")
    files = sorted((ROOT / "lms" / "moodle" / "local_moocpack").rglob("*.php"))
    assert len(files) > 5
    for path in files:
        done = subprocess.run([php, "-l", str(path)], capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr


def test_the_code_passes_the_type_checker():
    """mypy (installed by the test command) over every module of src/moocpack, as pyproject.toml
    configures it; and no module is left out of it."""
    import shutil
    import subprocess

    mypy = shutil.which("mypy")
    assert mypy, "mypy is installed by the README's test command (pip install -e '.[test]')"
    done = subprocess.run([mypy, "--no-incremental"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "no issues found in" in done.stdout
    import tomllib

    settings = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["mypy"]
    assert "exclude" not in settings and settings["files"] == ["src/moocpack"]
