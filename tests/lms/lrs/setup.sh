#!/usr/bin/env bash
# Sets up a throw-away ADL LRS (adlnet/ADL_LRS: Django, xAPI 1.0.3 and 2.0, with the State API that
# cmi5 needs) for moocpack's cmi5 tests.
#
#   LRS_GIT=/path/to/ADL_LRS-repository bash tests/lms/lrs/setup.sh /var/tmp/lrs-site
#   LRS_SRC=/path/to/ADL_LRS-source     bash tests/lms/lrs/setup.sh /var/tmp/lrs-site
#
# Exports the repository's HEAD (or copies the source) into SITE/lrs, makes a Python virtual
# environment from its requirements (PyPI), a PostgreSQL database (Debian's postgresql) and an LRS
# user whose Basic credentials the tests use, and prints the line to export (ADL_LRS_DIR=SITE).
# tests/test_cmi5_lrs.py then starts the LRS on 127.0.0.1 itself. Needs root. About 2 minutes;
# running it again starts from an empty database.
set -euo pipefail
SITE=${1:?usage: LRS_GIT=… setup.sh SITE_DIR}
rm -rf "$SITE/lrs" && mkdir -p "$SITE/lrs"
if [ -n "${LRS_GIT:-}" ]; then
  git -C "$LRS_GIT" archive HEAD | tar x -C "$SITE/lrs"
else
  : "${LRS_SRC:?LRS_GIT must point at an ADL_LRS repository, or LRS_SRC at its source}"
  cp -a "$LRS_SRC/." "$SITE/lrs"
fi
[ -f "$SITE/lrs/manage.py" ] || { echo "no manage.py: not an ADL_LRS source" >&2; exit 2; }
if ! command -v pg_ctlcluster >/dev/null; then
  apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
fi
cluster=$(pg_lsclusters -h | awk 'NR==1 {print $1" "$2}')
pg_ctlcluster $cluster start 2>/dev/null || true
DB=moocpack_lrs
su postgres -c "psql -qc \"DROP DATABASE IF EXISTS $DB\"" >/dev/null
su postgres -c "psql -qtc \"SELECT 1 FROM pg_roles WHERE rolname='moocpack_lrs'\"" | grep -q 1 ||
  su postgres -c "psql -qc \"CREATE USER moocpack_lrs WITH PASSWORD 'moocpack_lrs'\""
su postgres -c "psql -qc \"CREATE DATABASE $DB OWNER moocpack_lrs ENCODING 'UTF8' TEMPLATE template0\""
python3 -m venv "$SITE/venv"
# The pinned psycopg2-binary 2.9.3 has no wheel for current Pythons: a newer 2.9 works the same.
grep -v '^psycopg2-binary' "$SITE/lrs/requirements.txt" > "$SITE/requirements.txt"
echo 'psycopg2-binary>=2.9.9,<3' >> "$SITE/requirements.txt"
[ -x "$SITE/venv/bin/django-admin" ] || "$SITE/venv/bin/pip" install -q -r "$SITE/requirements.txt"
sed -e "s/^NAME: .*/NAME: $DB/" -e 's/^USER: .*/USER: moocpack_lrs/' -e 's/^PASSWORD: .*/PASSWORD: moocpack_lrs/' \
    -e 's/^HOST: postgres/HOST: localhost/' -e 's/^USE_GOOGLE_RECAPTCHA: .*/USE_GOOGLE_RECAPTCHA: False/' \
    -e 's/^OAUTH_ENABLED: .*/OAUTH_ENABLED: False/' -e 's/^SECRET_KEY: .*/SECRET_KEY: moocpack-test-only/' \
    -e 's/^DEBUG: .*/DEBUG: False/' \
    "$SITE/lrs/settings.ini.example" > "$SITE/lrs/adl_lrs/settings.ini"
# No message broker here (its set-up runs RabbitMQ): its background tasks (reading activity metadata,
# statement hooks) run within the request instead.
printf '\nCELERY_ALWAYS_EAGER = True\n' >> "$SITE/lrs/adl_lrs/settings.py"
# Its logs go beside the source, in SITE/logs.
mkdir -p "$SITE/logs/celery"
cd "$SITE/lrs"
# Its own set-up order (fabfile.py): the cache tables, then migrations it makes for its apps.
"$SITE/venv/bin/python" manage.py createcachetable -v 0
"$SITE/venv/bin/python" manage.py migrate -v 0
"$SITE/venv/bin/python" manage.py makemigrations -v 0 adl_lrs lrs oauth_provider
"$SITE/venv/bin/python" manage.py migrate -v 0
# The learning platform's account: its Basic credentials sign every request of a launched AU.
"$SITE/venv/bin/python" manage.py shell -c "
from django.contrib.auth.models import User
User.objects.create_user('moocpack', 'lrs@example.invalid', 'moocpack-lrs')
" >/dev/null
echo "export ADL_LRS_DIR=$SITE"
