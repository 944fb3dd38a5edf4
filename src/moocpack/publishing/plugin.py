"""The Moodle companion plugin as the zip Moodle's plugin installer takes."""

from __future__ import annotations

from importlib import resources

from .. import archive

# Moodle installs a plugin zip whose single top folder is the plugin's folder name (local/moocpack).
FOLDER = "moocpack"


def plugin_files() -> dict[str, bytes]:
    root = resources.files("moocpack.lms").joinpath("moodle/local_moocpack")
    files: dict[str, bytes] = {}

    def walk(node, prefix: str) -> None:
        for child in node.iterdir():
            name = f"{prefix}/{child.name}"
            if child.is_dir():
                walk(child, name)
            elif child.name.endswith((".php", ".md", ".txt")):
                files[name] = child.read_bytes()

    walk(root, FOLDER)
    return files


def plugin_zip(epoch: int) -> bytes:
    return archive.zip_bytes(plugin_files(), epoch)


def plugin_version() -> str:
    """The plugin's $plugin->version, to tell the admin what they install."""
    import re

    text = plugin_files()[f"{FOLDER}/version.php"].decode()
    found = re.search(r"\$plugin->version\s*=\s*(\d+)", text)
    assert found is not None, "the plugin's version.php names no version"
    return found.group(1)
