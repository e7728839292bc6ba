#!/usr/bin/env bash
# The scheduler against the floor: what PostgreSQL itself needs for the same refreshes, measured
# in the same run, printed beside each figure as a ratio.
#
#   1. A burst: N views due at one instant (max_workers = 8), last finish after the due time,
#      against the same N REFRESHes back to back in one session. N = 500 and 5,000.
#   2. Scheduler CPU per run, with 100 schedules and with 100,000 (the same 100 due every second).
#   3. Start latency of a due refresh on an idle machine, against a session that wakes at the
#      same instant and refreshes.
#
# Builds and installs the extension into the PostgreSQL of $PG_CONFIG, starts a throwaway cluster
# as the postgres user in a temporary directory (Unix socket only), runs bench/floor.py, writes
# bench/compare/floor.md, stops the cluster with pg_ctl and removes the directory.
#
# Usage (as root): bash bench/floor.sh
#
# Environment (defaults in brackets; the defaults take about 6 minutes on two cores):
#   PG_CONFIG            [/usr/lib/postgresql/15/bin/pg_config] the PostgreSQL to use
#   BENCH_BURSTS         [500,5000] figure 1: views due at once, one burst size after the other
#   BENCH_REPEATS        [3]   figure 1: repeats of each burst and its floor (medians are shown)
#   BENCH_RUN_VIEWS      [100] figure 2: views due every second
#   BENCH_BIG_SCHEDULES  [100000] figure 2: schedules in all, in the second measurement
#   BENCH_RUN_S          [10]  figure 2: seconds of each measurement
#   BENCH_LATENCY_S      [100] figure 3: seconds (one due refresh per second; with fewer than
#                              100 runs the p99 is the slowest run)
#   BENCH_MAX_WORKERS    [8]   matview_scheduler.max_workers (and max_workers_per_role)
#   BENCH_ONLY           [123] the figures to run
set -euo pipefail

export PG_CONFIG="${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}"
bindir=$("$PG_CONFIG" --bindir)
port=55481
max_workers="${BENCH_MAX_WORKERS:-8}"

if [[ $EUID -ne 0 ]]; then
    echo "bench/floor.sh: must run as root: it installs the extension, and runs the cluster as" >&2
    echo "the 'postgres' user (initdb refuses root)" >&2
    exit 1
fi

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
started_at=$SECONDS

echo "== Building and installing matview_scheduler into $("$PG_CONFIG" --pkglibdir)"
make -s -C "$repo" -j"$(nproc)" PG_CONFIG="$PG_CONFIG"
make -s -C "$repo" install PG_CONFIG="$PG_CONFIG" >/dev/null

# shellcheck source=bench/clusters.sh
source "$repo/bench/clusters.sh"
clusters_begin floor

echo "== Starting a throwaway cluster in $tmp (Unix socket only)"
init_cluster lib "$port" <<EOF
shared_preload_libraries = 'matview_scheduler'
matview_scheduler.max_workers = $max_workers
matview_scheduler.max_workers_per_role = $max_workers
EOF
start_cluster lib

echo "== Running the measurements"
/usr/bin/python3 "$repo/bench/floor.py" --bindir "$bindir" --host "$tmp" --port "$port" \
    --data "$tmp/lib" --results "$repo/bench/compare/floor.md"
