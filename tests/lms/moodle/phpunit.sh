#!/usr/bin/env bash
# Runs the local_moocpack plugin's own PHPUnit tests inside a Moodle test site made by setup.sh.
#
#   MOODLE_DIR=/var/tmp/msite/moodle bash tests/lms/moodle/phpunit.sh
#
# Moodle's tests normally run with PHPUnit from Composer; here Debian's phpunit 9.6 stands in
# (no network to Packagist is needed). The first run installs Moodle's PHPUnit environment (its
# own tables with prefix phpu_ and its own data root, about 1 minute); later runs reuse it.
# Copies the plugin from this checkout into the site first. Needs root for apt-get and locales.
set -euo pipefail
: "${MOODLE_DIR:?MOODLE_DIR must point at a site made by tests/lms/moodle/setup.sh}"
HERE=$(cd "$(dirname "$0")/../../.." && pwd)
SITE=$(dirname "$MOODLE_DIR")
if ! command -v phpunit >/dev/null || ! locale -a | grep -qi '^en_AU.utf8$'; then
  apt-get install -y -qq phpunit locales >/dev/null
  grep -q '^en_AU.UTF-8' /etc/locale.gen || echo 'en_AU.UTF-8 UTF-8' >> /etc/locale.gen
  locale-gen >/dev/null  # Moodle's PHPUnit environment requires the en_AU locale
fi
rm -rf "$MOODLE_DIR/local/moocpack"
cp -r "$HERE/lms/moodle/local_moocpack" "$MOODLE_DIR/local/moocpack"
# What Moodle's util.php looks for from Composer, pointed at Debian's PHPUnit.
mkdir -p "$MOODLE_DIR/vendor/phpunit/phpunit" "$MOODLE_DIR/vendor/bin"
echo '{"name": "phpunit/phpunit"}' > "$MOODLE_DIR/vendor/phpunit/phpunit/composer.json"
printf '<?php\nrequire_once("/usr/share/php/PHPUnit/Autoload.php");\n' > "$MOODLE_DIR/vendor/autoload.php"
ln -sf "$(command -v phpunit)" "$MOODLE_DIR/vendor/bin/phpunit"
if ! grep -q phpunit_prefix "$MOODLE_DIR/config.php"; then
  mkdir -p "$SITE/phpu" && chmod a+rwx "$SITE/phpu"
  sed -i "s|^require_once(__DIR__ . '/lib/setup.php');|\$CFG->phpunit_prefix = 'phpu_';\n\$CFG->phpunit_dataroot = '$SITE/phpu';\nrequire_once(__DIR__ . '/lib/setup.php');|" \
    "$MOODLE_DIR/config.php"
fi
cd "$MOODLE_DIR"
# The test environment is installed the first time, and again when a plugin changed (--diag
# then says it is out of date).
if ! php admin/tool/phpunit/cli/util.php --diag >/dev/null 2>&1; then
  php admin/tool/phpunit/cli/util.php --drop >/dev/null 2>&1 || true
  php admin/tool/phpunit/cli/util.php --install >/dev/null
fi
php admin/tool/phpunit/cli/util.php --buildconfig >/dev/null
exec phpunit -c phpunit.xml --testsuite local_moocpack_testsuite
