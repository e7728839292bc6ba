#!/usr/bin/env bash
# Tests the Django app (contrib/django) and the example project (examples/django_polls) with
# Django's own test runner, against the installed extension: two throwaway PostgreSQL clusters,
# one preloading matview_scheduler and one not (for the migration's refusal), on Unix sockets
# only, run as the `postgres` user and stopped on every exit path. Then the example project's
# own manage.py migrates a fresh database forward and back to zero.
# Needs Debian's python3-django (3.2) and python3-psycopg2 (scripts/install-deps.sh), and the
# extension installed into the PostgreSQL of PG_CONFIG.
# Usage (as root): PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config bash scripts/test-django.sh
set -euo pipefail

PG_CONFIG="${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}"
python=/usr/bin/python3

if [[ $EUID -ne 0 ]]; then
    echo "test-django.sh: must run as root: the clusters run as the 'postgres' user" >&2
    exit 1
fi

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bindir=$("$PG_CONFIG" --bindir)

# /tmp rather than $TMPDIR, which the postgres user may not be able to reach.
tmp=$(mktemp -d /tmp/matview_scheduler_django.XXXXXX)
chown postgres:postgres "$tmp"
started=()

as_postgres() {
    runuser -u postgres -- env -u PGHOST -u PGHOSTADDR -u PGPORT -u PGUSER -u PGDATABASE \
        -u PGSERVICE -u PGPASSWORD -u PGOPTIONS HOME="$tmp" LC_ALL=C.UTF-8 "$@"
}

cleanup() {
    local status=$? data
    for data in "${started[@]}"; do
        # Only the servers this script started, through their own data directories.
        [[ -f "$data/postmaster.pid" ]] && as_postgres "$bindir/pg_ctl" -D "$data" -m fast -w stop >/dev/null || true
    done
    if ((status != 0)); then
        for data in "${started[@]}"; do
            echo "== $data/server.log (last 60 lines)" >&2
            tail -n 60 "$data/server.log" >&2 || true
        done
        echo "test-django.sh: FAILED" >&2
    fi
    rm -rf --one-file-system "$tmp"
    exit "$status"
}
trap cleanup EXIT

# Starts cluster $1 (a directory under $tmp, also its socket directory) with preload list $2.
start_cluster() {
    local dir="$tmp/$1"
    as_postgres mkdir "$dir"
    as_postgres "$bindir/initdb" -D "$dir/data" -U postgres -A trust --no-locale -E UTF8 >/dev/null
    cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$dir'
shared_preload_libraries = '$2'
CONF
    started+=("$dir/data")
    as_postgres "$bindir/pg_ctl" -D "$dir/data" -l "$dir/data/server.log" -w start >/dev/null
}

echo "== clusters (PostgreSQL $("$PG_CONFIG" --version | awk '{ print $2 }'))"
start_cluster preload matview_scheduler
start_cluster nopreload ''

export PYTHONDONTWRITEBYTECODE=1

echo "== Django test runner: contrib/django/tests"
(cd "$repo/contrib/django" && as_postgres PYTHONDONTWRITEBYTECODE=1 \
    PYTHONPATH="$repo/contrib/django:$repo/examples/django_polls" \
    MVS_TEST_HOST="$tmp/preload" MVS_TEST_NOPRELOAD_HOST="$tmp/nopreload" \
    "$python" -m django test --settings=tests.settings --noinput -v 2 tests)

echo "== the example project's manage.py: migrate, matview_status, migrate polls zero"
psql_polls() { as_postgres "$bindir/psql" -h "$tmp/preload" -U postgres -d polls -XAtq -v ON_ERROR_STOP=1 -c "$1"; }
manage() {
    (cd "$repo/examples/django_polls" && as_postgres PYTHONDONTWRITEBYTECODE=1 PGHOST="$tmp/preload" \
        PGUSER=postgres PGDATABASE=polls "$python" manage.py "$@")
}
as_postgres "$bindir/createdb" -h "$tmp/preload" -U postgres polls
manage migrate --noinput -v 0
schedule=$(psql_polls "SELECT schedule || ' notify=' || notify FROM matview_scheduler.status WHERE view = 'polls_user_matt_view'::regclass")
[[ "$schedule" == "hourly notify=true" ]] || { echo "example: schedule after migrate is '$schedule', not 'hourly notify=true'" >&2; exit 1; }
manage matview_status | tee "$tmp/status.txt"
grep -qE '^polls_user_matt_view +hourly ' "$tmp/status.txt" || { echo "example: matview_status shows no hourly schedule" >&2; exit 1; }
manage migrate polls zero --noinput -v 0
left=$(psql_polls "SELECT count(*) FROM pg_extension WHERE extname = 'matview_scheduler'")
[[ "$left" == 0 ]] || { echo "example: the extension is still there after migrate polls zero" >&2; exit 1; }
left=$(psql_polls "SELECT count(*) FROM pg_class WHERE relname LIKE 'polls%'")
[[ "$left" == 0 ]] || { echo "example: $left polls relations left after migrate polls zero" >&2; exit 1; }
echo "test-django.sh: all passed"
