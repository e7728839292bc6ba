#!/usr/bin/env bash
# What only_if_changed costs and saves: three figures, each with its target, in one table.
#
#   1. Write overhead: single-row INSERT and UPDATE throughput (pgbench, custom scripts) on a table
#      a change-aware view reads and on one no view reads, with the library preloaded vs not
#      loaded at all. Two clusters side by side, A/B rounds interleaved.
#   2. The saving: 100 views over 100 tables of 100k rows, 2 tables changed, all due at once, with
#      only_if_changed off and on: wall time, CPU of the cluster's processes, WAL bytes.
#   3. The skip decision: 10,000 unchanged views due at once: the scheduler's CPU per view.
#
# Builds and installs the extension into the PostgreSQL of $PG_CONFIG, starts two throwaway
# clusters as the postgres user in a temporary directory (Unix sockets only), runs
# bench/change_cost.py, writes bench/compare/change_cost.md, stops both clusters with pg_ctl and
# removes the directory.
#
# Usage (as root): bash bench/change_cost.sh
#
# Environment (defaults in brackets; the defaults take about 8 minutes on two cores):
#   PG_CONFIG               [/usr/lib/postgresql/15/bin/pg_config] the PostgreSQL to use
#   BENCH_WRITE_REPEATS     [5]   figure 1: A/B repeats per workload
#   BENCH_WRITE_S           [3]   figure 1: seconds of each pgbench run
#   BENCH_WRITE_CLIENTS     [2]   figure 1: pgbench clients (-c) and threads (-j)
#   BENCH_SAVING_VIEWS      [100] figure 2: views, each over its own table
#   BENCH_SAVING_ROWS       [100000] figure 2: rows per table
#   BENCH_SAVING_CHANGED    [2]   figure 2: tables changed before the round
#   BENCH_SKIP_VIEWS        [10000] figure 3: unchanged views due at once
#   BENCH_MAX_WORKERS       [8]   matview_scheduler.max_workers (and max_workers_per_role)
set -euo pipefail

export PG_CONFIG="${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}"
bindir=$("$PG_CONFIG" --bindir)
lib_port=55471
nolib_port=55472
max_workers="${BENCH_MAX_WORKERS:-8}"

if [[ $EUID -ne 0 ]]; then
    echo "bench/change_cost.sh: must run as root: it installs the extension, and runs the" >&2
    echo "clusters as the 'postgres' user (initdb refuses root)" >&2
    exit 1
fi

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
started_at=$SECONDS

echo "== Building and installing matview_scheduler into $("$PG_CONFIG" --pkglibdir)"
make -s -C "$repo" -j"$(nproc)" PG_CONFIG="$PG_CONFIG"
make -s -C "$repo" install PG_CONFIG="$PG_CONFIG" >/dev/null

# shellcheck source=bench/clusters.sh
source "$repo/bench/clusters.sh"
clusters_begin cost

echo "== Starting two throwaway clusters in $tmp (Unix sockets only)"
init_cluster lib "$lib_port" <<EOF
shared_preload_libraries = 'matview_scheduler'
matview_scheduler.max_workers = $max_workers
matview_scheduler.max_workers_per_role = $max_workers
EOF
init_cluster nolib "$nolib_port" </dev/null
start_cluster lib
start_cluster nolib

echo "== Running the measurements"
/usr/bin/python3 "$repo/bench/change_cost.py" \
    --bindir "$bindir" --host "$tmp" \
    --lib-port "$lib_port" --nolib-port "$nolib_port" \
    --lib-data "$tmp/lib" --nolib-data "$tmp/nolib" \
    --results "$repo/bench/compare/change_cost.md"
