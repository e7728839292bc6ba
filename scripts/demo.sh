#!/usr/bin/env bash
# Plays the everyday scenario on a throwaway cluster: a materialized view refreshed every 3 seconds
# picks up new rows by itself. Starts and stops its own server (Unix socket in a temp dir, no TCP).
# Exits 0 when the scheduled refresh happened, non-zero otherwise.
# Usage (as root, from anywhere): bash scripts/demo.sh
set -euo pipefail

# The PostgreSQL 15 build, even where other versions are installed too.
export PG_CONFIG="${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}"

if [[ $EUID -ne 0 ]]; then
    echo "demo.sh: must run as root: it installs packages and the extension, and runs the" >&2
    echo "demo cluster as the 'postgres' user (initdb refuses root)" >&2
    exit 1
fi

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bindir=/usr/lib/postgresql/15/bin
port=54329 # not 5432: the packaged cluster may be running there (we use a private socket anyway)
poll_timeout_s=20

echo "== Installing dependencies, building and installing the extension"
bash "$repo/scripts/install-deps.sh"
make -s -C "$repo" -j"$(nproc)"
make -s -C "$repo" install

# /tmp rather than $TMPDIR, which the postgres user may not be able to reach.
tmp=$(mktemp -d /tmp/matview_scheduler_demo.XXXXXX)
chown postgres:postgres "$tmp"
data="$tmp/data"
server_started=no

as_postgres() {
    runuser -u postgres -- "$@"
}

cleanup() {
    local status=$?
    if [[ $server_started == yes && -f "$data/postmaster.pid" ]]; then
        # Only the server this script started, through its own data directory.
        as_postgres "$bindir/pg_ctl" -D "$data" -m fast -w stop >/dev/null || true
    fi
    if ((status != 0)) && [[ -f "$tmp/server.log" ]]; then
        echo "== Server log (last 40 lines)" >&2
        tail -n 40 "$tmp/server.log" >&2
    fi
    rm -rf "$tmp"
    exit "$status"
}
trap cleanup EXIT

echo "== Starting a throwaway cluster in $tmp (Unix socket only, port $port)"
as_postgres "$bindir/initdb" -D "$data" -U postgres -A trust --no-locale -E UTF8 >/dev/null
cat >>"$data/postgresql.conf" <<EOF
listen_addresses = ''
unix_socket_directories = '$tmp'
port = $port
shared_preload_libraries = 'matview_scheduler'
EOF
server_started=yes
as_postgres "$bindir/pg_ctl" -D "$data" -l "$tmp/server.log" -w start >/dev/null

# psql against the demo server only; -e echoes each statement before its result.
# The sed drops the blank line psql prints after a table, so every step looks the same.
sql() {
    "$bindir/psql" -X -q -e -h "$tmp" -p "$port" -U postgres -d postgres \
        -v ON_ERROR_STOP=1 --pset=footer=off "$@" | sed '${/^$/d}'
}
# Same, for a single value, without echo or decoration.
sql_value() {
    "$bindir/psql" -X -q -At -h "$tmp" -p "$port" -U postgres -d postgres \
        -v ON_ERROR_STOP=1 -c "$1"
}

echo
echo "== 1. Install the extension"
sql -c "CREATE EXTENSION matview_scheduler;"

echo
echo "== 2. A table of users"
sql <<'SQL'
CREATE TABLE polls_user (id serial PRIMARY KEY, name text, age int);
INSERT INTO polls_user (name, age) VALUES ('Alice', 31), ('Bob', 22), ('Carol', 27), ('Dave', 19);
SQL

echo
echo "== 3. A materialized view of the users aged 25 or more"
sql <<'SQL'
CREATE MATERIALIZED VIEW polls_user_matt_view AS SELECT * FROM polls_user WHERE age >= 25;
SELECT * FROM polls_user_matt_view ORDER BY id;
SQL

echo
echo "== 4. Refresh it every 3 seconds"
sql -c "SELECT schedule_refresh('polls_user_matt_view', 'every 3 seconds');"

echo
echo "== 5. Two new users: Erin (40) belongs in the view, Frank (18) does not"
sql -c "INSERT INTO polls_user (name, age) VALUES ('Erin', 40), ('Frank', 18);"

echo
echo "== 6. The view before the next refresh: Erin is not there yet"
sql -c "SELECT * FROM polls_user_matt_view ORDER BY id;"

echo
echo "== 7. Waiting for the scheduled refresh (checking every 0.2 s, for up to ${poll_timeout_s} s)"
start=$SECONDS
deadline=$((start + poll_timeout_s))
until [[ $(sql_value "SELECT count(*) FROM polls_user_matt_view WHERE name = 'Erin'") == 1 ]]; do
    if ((SECONDS >= deadline)); then
        echo "demo.sh: the view was not refreshed within ${poll_timeout_s} s" >&2
        sql -x -c "SELECT * FROM matview_scheduler.status;" >&2 || true
        exit 1
    fi
    sleep 0.2
done
echo "refreshed after about $((SECONDS - start)) s"

echo
echo "== 8. The view after the refresh: Erin is there, Frank is not"
sql -c "SELECT * FROM polls_user_matt_view ORDER BY id;"

echo
echo "== 9. The schedule's status"
sql -x <<'SQL'
SELECT view, schedule, next_run, last_started, last_finished, last_status, last_error
FROM matview_scheduler.status;
SQL

echo
echo "== 10. The last runs"
sql <<'SQL'
SELECT run_id, view, scheduled_for, started, finished, status, message
FROM matview_scheduler.runs ORDER BY run_id DESC LIMIT 5;
SQL

echo
echo "== 11. Stop refreshing it"
sql -c "SELECT unschedule_refresh('polls_user_matt_view');"

echo
echo "== Stopping the throwaway cluster"
as_postgres "$bindir/pg_ctl" -D "$data" -m fast -w stop >/dev/null
server_started=no
echo "done"
