#!/usr/bin/env bash
# Tests monitoring/ end to end: the query file with Debian's prometheus-postgres-exporter against a
# throwaway cluster, and the alert rules and Grafana dashboard against the query file.
#  - monitoring files: the query file is well formed; every metric and label the alert rules and the
#    dashboard use is one the query file exports (test/monitoring/monitoring_files.py).
#  - a cluster (initdb as `postgres` in a temporary directory, Unix socket only, the library
#    preloaded) with database mvs: a view refreshed successfully, one whose refresh succeeded once
#    and then failed twice, a paused schedule due every second that never ran, one due every 2 s
#    refreshed once by refresh_now, a 'once' schedule
#    that ran and finished, and a view the exporter's role may not SELECT from; database plain
#    without the extension.
#  - the exporter (on 127.0.0.1, a free port) as a role with SELECT on five of the views:
#    every declared metric is exported, each with the value the database's facts give
#    (test/monitoring/scrape_check.py); the hidden view is not exported.
#  - with --auto-discover-databases, the database without the extension makes the query fail
#    there: the scrape still answers with mvs's series, and pg_exporter_last_scrape_error is 1;
#    with that database excluded it is 0.
# The exporter and the cluster are stopped on every exit path.
# Usage (as root, after `make install` into that PostgreSQL):
#   PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config bash scripts/test-monitoring.sh
set -euo pipefail

PG_CONFIG="${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}"
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
exporter=/usr/bin/prometheus-postgres-exporter
python=/usr/bin/python3

fail() {
    echo "test-monitoring: $*" >&2
    exit 1
}
[[ $EUID -eq 0 ]] || fail "must run as root (the cluster runs as the 'postgres' user)"
[[ -x "$exporter" ]] || fail "$exporter missing (scripts/install-deps.sh installs it)"
bindir=$("$PG_CONFIG" --bindir)
[[ -f "$("$PG_CONFIG" --sharedir)/extension/matview_scheduler.control" ]] ||
    fail "matview_scheduler is not installed into $("$PG_CONFIG" --bindir)/.. (make install)"

echo "== monitoring files"
"$python" "$repo/test/monitoring/monitoring_files.py" "$repo/monitoring"

work=$(mktemp -d /tmp/matview_scheduler_monitoring.XXXXXX)
chown postgres:postgres "$work"
data="$work/data"
exporter_pid=
stop_exporter() {
    if [[ -n "$exporter_pid" ]]; then
        kill "$exporter_pid" 2>/dev/null || true
        wait "$exporter_pid" 2>/dev/null || true
        exporter_pid=
    fi
}
cleanup() {
    stop_exporter
    if [[ -f "$data/postmaster.pid" ]]; then
        runuser -u postgres -- "$bindir/pg_ctl" -D "$data" -m fast -w stop >/dev/null || true
    fi
    rm -rf --one-file-system "$work"
}
trap cleanup EXIT

as_postgres() { runuser -u postgres -- env -u PGHOST -u PGPORT -u PGUSER -u PGDATABASE "$@"; }
psql_in() {
    local db=$1
    shift
    as_postgres "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$work" -d "$db" "$@"
}

echo "== cluster"
as_postgres "$bindir/initdb" -D "$data" -A trust --no-sync >/dev/null
cat >>"$data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$work'
shared_preload_libraries = 'matview_scheduler'
fsync = off
CONF
as_postgres "$bindir/pg_ctl" -D "$data" -l "$work/postmaster.log" -w start >/dev/null ||
    { cat "$work/postmaster.log" >&2; fail "the cluster did not start"; }

psql_in postgres -c "CREATE DATABASE mvs" -c "CREATE DATABASE plain" -c "CREATE ROLE metrics LOGIN"
psql_in mvs >/dev/null <<'SQL'
CREATE EXTENSION matview_scheduler;
CREATE TABLE src (a int, d int);
INSERT INTO src VALUES (1, 1);
-- Its refresh takes 0.3 s, so its start and end are told apart.
CREATE MATERIALIZED VIEW ok_v AS SELECT count(*) AS n, (SELECT 1 FROM pg_sleep(0.3)) AS slow FROM src;
CREATE MATERIALIZED VIEW bad_v AS SELECT a / d AS q FROM src;
CREATE MATERIALIZED VIEW stale_v AS SELECT 1 AS one;
CREATE MATERIALIZED VIEW once_v AS SELECT 1 AS one;
CREATE MATERIALIZED VIEW paused_v AS SELECT 1 AS one;
CREATE MATERIALIZED VIEW hidden_v AS SELECT 1 AS one;
GRANT SELECT ON ok_v, bad_v, stale_v, once_v, paused_v TO metrics;
-- No scheduled run during the test: the first due times are a day away, stale_v is paused.
BEGIN;
SELECT schedule_refresh('ok_v', 'every 1 hour', start_at => now() + interval '1 day');
SELECT schedule_refresh('bad_v', '1 day', start_at => now() + interval '1 day');
SELECT schedule_refresh('stale_v', 'every 1 second');
SELECT pause_refresh('stale_v');
SELECT schedule_refresh('paused_v', 'every 2 seconds');
SELECT pause_refresh('paused_v');
SELECT schedule_refresh('hidden_v', '1 day', start_at => now() + interval '1 day');
COMMIT;
-- Lets two of stale_v's due times pass, and keeps the successes apart from the schedules'
-- creation (the fallback for a view without one).
SELECT pg_sleep(2.2);
SELECT refresh_now('bad_v', wait => true);
-- Due times are counted from the success, not from the schedule's creation.
SELECT refresh_now('paused_v', wait => true);
UPDATE src SET d = 0;
SELECT refresh_now('ok_v', wait => true);
DO $$
BEGIN
    FOR i IN 1..2 LOOP
        BEGIN
            PERFORM refresh_now('bad_v', wait => true);
            RAISE EXCEPTION 'the refresh of bad_v succeeded';
        EXCEPTION WHEN division_by_zero THEN
        END;
    END LOOP;
END $$;
SELECT schedule_refresh('once_v', 'once');
SQL
# once_v runs at once, by the scheduler, and is then finished.
for ((i = 0; ; i++)); do
    [[ $(psql_in mvs -At -c "SELECT finished AND last_status IS NOT DISTINCT FROM 'succeeded'
                               FROM matview_scheduler.status WHERE view = 'once_v'::regclass") == t ]] && break
    ((i < 600)) || fail "once_v did not finish within 60 s"
    sleep 0.1
done

# What the exported values must be: counts from the scenario above, times from the runs recorded.
psql_in mvs -At -o "$work/facts.json" <<'SQL'
WITH r AS (
    SELECT view, status, started, finished,
           row_number() OVER (PARTITION BY view ORDER BY run_id DESC) AS newest
      FROM matview_scheduler.runs),
t AS (
    SELECT s.view,
           (SELECT extract(epoch FROM finished) FROM r
             WHERE r.view = s.view AND status = 'succeeded' ORDER BY finished DESC LIMIT 1)
               AS success_at,
           (SELECT extract(epoch FROM finished - started) FROM r
             WHERE r.view = s.view AND newest = 1) AS duration,
           extract(epoch FROM s.created) AS created,
           extract(epoch FROM s.start_at) AS start_at
      FROM matview_scheduler.status s)
SELECT json_build_object(
    'scrape_error', 0,
    'absent', json_build_array(json_build_array('mvs', 'public.hidden_v')),
    'views', json_build_array(
        json_build_object('database', 'mvs', 'view', 'public.ok_v',
            'exact', json_build_object('runs_total', 1, 'failures_total', 0,
                'consecutive_failures', 0, 'skipped_total', 0, 'unchanged_total', 0,
                'due_times_since_success', 0, 'running', 0, 'waiting', 0, 'paused', 0,
                'finished', 0, 'running_seconds', 'NaN', 'waiting_seconds', 'NaN'),
            'success_at', ok.success_at, 'duration', ok.duration, 'next_run', ok.start_at),
        json_build_object('database', 'mvs', 'view', 'public.bad_v',
            'exact', json_build_object('runs_total', 3, 'failures_total', 2,
                'consecutive_failures', 2, 'skipped_total', 0, 'due_times_since_success', 0,
                'running', 0, 'waiting', 0, 'paused', 0, 'finished', 0),
            'success_at', bad.success_at, 'duration', bad.duration, 'next_run', bad.start_at),
        json_build_object('database', 'mvs', 'view', 'public.stale_v',
            'exact', json_build_object('runs_total', 0, 'failures_total', 0,
                'consecutive_failures', 0, 'paused', 1, 'waiting', 0, 'running', 0,
                'last_duration_seconds', 'NaN'),
            'success_at', stale.created, 'due_every', json_build_array(stale.created, 1)),
        json_build_object('database', 'mvs', 'view', 'public.once_v',
            'exact', json_build_object('runs_total', 1, 'failures_total', 0,
                'consecutive_failures', 0, 'finished', 1, 'waiting', 0, 'running', 0,
                'paused', 0, 'due_times_since_success', 'NaN', 'seconds_until_next_run', 'NaN'),
            'success_at', once.success_at, 'duration', once.duration),
        json_build_object('database', 'mvs', 'view', 'public.paused_v',
            'exact', json_build_object('runs_total', 1, 'paused', 1, 'waiting', 0),
            'success_at', paused.success_at, 'due_every', json_build_array(paused.success_at, 2))))
  FROM t ok, t bad, t stale, t once, t paused
 WHERE ok.view = 'ok_v'::regclass AND bad.view = 'bad_v'::regclass
   AND stale.view = 'stale_v'::regclass AND once.view = 'once_v'::regclass
   AND paused.view = 'paused_v'::regclass;
SQL
# bad_v's success is its first run, before the two failures.
grep -q '"success_at" : [0-9]' "$work/facts.json" || fail "no facts: $(cat "$work/facts.json")"

# Runs the exporter on a free port of 127.0.0.1 as the `metrics` role, with extra flags $@;
# sets $url.
start_exporter() {
    local port
    port=$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    url="http://127.0.0.1:$port/metrics"
    # setpriv execs: $! is the exporter itself.
    DATA_SOURCE_NAME="host=$work dbname=mvs user=metrics sslmode=disable" \
        setpriv --reuid=postgres --regid=postgres --clear-groups \
        "$exporter" --web.listen-address="127.0.0.1:$port" \
        --extend.query-path="$repo/monitoring/queries.yaml" \
        --disable-default-metrics --disable-settings-metrics \
        --no-collector.database --no-collector.bgwriter "$@" >"$work/exporter.log" 2>&1 &
    exporter_pid=$!
}
check_scrape() {
    if ! "$python" "$repo/test/monitoring/scrape_check.py" "$url" "$repo/monitoring/queries.yaml" "$1"; then
        echo "== exporter log" >&2
        cat "$work/exporter.log" >&2
        fail "the exported metrics are not as expected"
    fi
}

echo "== exporter, the DSN's database only"
start_exporter
check_scrape "$work/facts.json"
if grep -E 'level=(error|warn)|Unknown metric|Error running query' "$work/exporter.log"; then
    fail "the exporter logged the errors above"
fi
stop_exporter

# Only presence and the error flag: the values are checked above.
present='{"database": "mvs", "view": "public.ok_v", "exact": {"runs_total": 1}}'
echo '{"scrape_error": 1, "views": ['"$present"']}' >"$work/discover.json"
echo '{"scrape_error": 0, "views": ['"$present"']}' >"$work/exclude.json"

echo "== exporter, every database (postgres and plain have no extension)"
start_exporter --auto-discover-databases
check_scrape "$work/discover.json"
grep -q 'relation \\"matview_scheduler.status\\" does not exist' "$work/exporter.log" ||
    { cat "$work/exporter.log" >&2; fail "the exporter did not log the missing extension"; }
stop_exporter

echo "== exporter, every database but those without the extension"
start_exporter --auto-discover-databases --exclude-databases=postgres,plain
check_scrape "$work/exclude.json"
stop_exporter
echo "test-monitoring: ok"
