#!/usr/bin/env bash
# Sets up a throw-away Moodle 4.5 site for moocpack's real-LMS tests.
#
#   MOODLE_SRC=/path/to/moodle-4.5-source bash tests/lms/moodle/setup.sh /var/tmp/moodle-site
#
# Installs PHP 8.2 and PostgreSQL 15 from Debian, copies the Moodle source to SITE/moodle, makes
# a database and installs the site with Moodle's own admin/cli/install.php. Prints the line to
# export (MOODLE_DIR=SITE/moodle); the tests in tests/test_real_moodle.py then use it.
# Needs root. About 3 minutes; running it again reinstalls the site from scratch.
#
# Or, from a git repository holding Moodle 4.5.6 at commit b6e90f429 (a site's own import of it):
#
#   MOODLE_GIT=/path/to/repo bash tests/lms/moodle/setup.sh /var/tmp/moodle-site
#
# which exports that commit into SITE/src (leaving out one source map whose blob that repository
# lacks) and removes the site's own config.php and local plugins, then goes on as above.
set -euo pipefail
SITE=${1:?usage: MOODLE_SRC=… setup.sh SITE_DIR}
if [ -z "${MOODLE_SRC:-}" ] && [ -n "${MOODLE_GIT:-}" ]; then
  MOODLE_SRC="$SITE/src"
  rm -rf "$MOODLE_SRC" && mkdir -p "$MOODLE_SRC"
  attributes=$(mktemp)
  echo "h5p/h5plib/v127/joubel/editor/ckeditor/ckeditor.js.map export-ignore" > "$attributes"
  git -C "$MOODLE_GIT" -c core.attributesFile="$attributes" archive --worktree-attributes b6e90f429 |
    tar x -C "$MOODLE_SRC"
  rm -f "$attributes"
  rm -rf "$MOODLE_SRC/config.php" "$MOODLE_SRC"/local/{assessment,assessmentreport,corechanges}
fi
: "${MOODLE_SRC:?MOODLE_SRC must point at a Moodle 4.5 source tree (the folder holding version.php), or MOODLE_GIT at a repository}"
[ -f "$MOODLE_SRC/version.php" ] || { echo "no version.php in MOODLE_SRC=$MOODLE_SRC" >&2; exit 2; }
DB=moocpack_test
if ! command -v php >/dev/null || ! command -v pg_ctlcluster >/dev/null; then
  apt-get update -qq
  apt-get install -y -qq php8.2-cli php8.2-pgsql php8.2-xml php8.2-mbstring php8.2-intl php8.2-zip \
    php8.2-gd php8.2-curl php8.2-soap postgresql >/dev/null
fi
# Moodle's install refuses fewer than 5000 input variables.
ini=$(php -r 'echo PHP_CONFIG_FILE_SCAN_DIR;')
printf 'max_input_vars = 5000\nmemory_limit = 1024M\n' > "$ini/99-moocpack-moodle.ini"
cluster=$(pg_lsclusters -h | awk 'NR==1 {print $1" "$2}')
pg_ctlcluster $cluster start 2>/dev/null || true
su postgres -c "psql -qc \"DROP DATABASE IF EXISTS $DB\"" >/dev/null
su postgres -c "psql -qtc \"SELECT 1 FROM pg_roles WHERE rolname='moocpack'\"" | grep -q 1 ||
  su postgres -c "psql -qc \"CREATE USER moocpack WITH PASSWORD 'moocpack'\""
su postgres -c "psql -qc \"CREATE DATABASE $DB OWNER moocpack ENCODING 'UTF8' TEMPLATE template0\""
rm -rf "$SITE/moodle" "$SITE/mdata"
mkdir -p "$SITE/mdata"
# The data root must not start with the code path as a string (moodle vs mdata, not moodledata).
cp -a "$MOODLE_SRC" "$SITE/moodle"
rm -f "$SITE/moodle/config.php"
php "$SITE/moodle/admin/cli/install.php" --non-interactive --agree-license --lang=en \
  --wwwroot=http://localhost --dataroot="$SITE/mdata" --dbtype=pgsql --dbhost=localhost \
  --dbname=$DB --dbuser=moocpack --dbpass=moocpack --prefix=mdl_ --fullname="moocpack test site" \
  --shortname=moocpack --adminuser=admin --adminpass='Admin-1234' --adminemail=admin@example.invalid \
  >"$SITE/install.log" 2>&1 || { tail -30 "$SITE/install.log" >&2; exit 1; }
chmod -R a+rwX "$SITE/mdata"
# Tests delete their courses: no recycle-bin backups piling up.
php "$SITE/moodle/admin/cli/cfg.php" --component=tool_recyclebin --name=coursebinenable --set=0
php "$SITE/moodle/admin/cli/cfg.php" --component=tool_recyclebin --name=categorybinenable --set=0
echo "export MOODLE_DIR=$SITE/moodle"
