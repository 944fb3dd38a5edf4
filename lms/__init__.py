"""Companion plugins that moocpack installs into learning platforms (shipped as package data;
`moocpack moodle-plugin` writes the Moodle one as an installable zip)."""
