"""Promises the repository makes about itself: CI runs the README's command, docs match schemas."""

from __future__ import annotations

import re

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
    ci = [line for line in (ROOT / ".ci" / "run").read_text().splitlines()
          if line.strip() and not line.startswith(("#", "set ", "cd "))]
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
                assert set(re.findall(r"\{\w+\}", form)) == (wanted or set(re.findall(r"\{\w+\}", form))), \
                    (path.name, key)
            if isinstance(catalogue[key], dict):
                from babel import Locale
                needed = Locale.parse(path.stem).plural_form.tags | {"other"}
                assert needed <= set(catalogue[key]), (path.name, key, needed)
