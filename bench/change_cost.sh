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

# /tmp rather than $TMPDIR, which the postgres user may not be able to reach.
tmp=$(mktemp -d /tmp/matview_scheduler_cost.XXXXXX)
chown postgres:postgres "$tmp"
started=()

as_postgres() {
    runuser -u postgres -- "$@"
}

cleanup() {
    local status=$?
    local name
    for name in "${started[@]}"; do
        if [[ -f "$tmp/$name/postmaster.pid" ]]; then
            # Only the servers this script started, each through its own data directory.
            as_postgres "$bindir/pg_ctl" -D "$tmp/$name" -m fast -w -t 60 stop >/dev/null || true
        fi
    done
    if ((status != 0)); then
        for name in "${started[@]}"; do
            if [[ -f "$tmp/$name.log" ]]; then
                echo "== Server log of $name (last 30 lines)" >&2
                tail -n 30 "$tmp/$name.log" >&2
            fi
        done
    fi
    rm -rf "$tmp"
    echo "== Total time: $((SECONDS - started_at)) s"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# init_cluster NAME PORT: a cluster in $tmp/NAME, listening on a socket in $tmp only, with the
# settings both clusters share; its own come on stdin.
init_cluster() {
    local name=$1 port=$2
    as_postgres "$bindir/initdb" -D "$tmp/$name" -U postgres -A trust --no-locale -E UTF8 >/dev/null
    {
        echo "listen_addresses = ''"
        echo "unix_socket_directories = '$tmp'"
        echo "port = $port"
        echo "log_line_prefix = '%m [%p] '"
        # CPU, not the disk, is what the write figure measures; checkpoints and autovacuum run
        # only where the benchmark asks for them, between measured rounds.
        echo "synchronous_commit = off"
        echo "autovacuum = off"
        echo "checkpoint_timeout = 30min"
        echo "max_wal_size = 8GB"
        echo "shared_buffers = 512MB"
        echo "jit = off"
        echo "max_worker_processes = 40"
        # 10,000 views scheduled in one transaction take a lock on each.
        echo "max_locks_per_transaction = 1024"
        cat
    } >>"$tmp/$name/postgresql.conf"
}

echo "== Starting two throwaway clusters in $tmp (Unix sockets only)"
init_cluster lib "$lib_port" <<EOF
shared_preload_libraries = 'matview_scheduler'
matview_scheduler.max_workers = $max_workers
matview_scheduler.max_workers_per_role = $max_workers
EOF
init_cluster nolib "$nolib_port" </dev/null
for name in lib nolib; do
    started+=("$name")
    as_postgres "$bindir/pg_ctl" -D "$tmp/$name" -l "$tmp/$name.log" -w -t 60 start >/dev/null
done

echo "== Running the measurements"
/usr/bin/python3 "$repo/bench/change_cost.py" \
    --bindir "$bindir" --host "$tmp" \
    --lib-port "$lib_port" --nolib-port "$nolib_port" \
    --lib-data "$tmp/lib" --nolib-data "$tmp/nolib" \
    --results "$repo/bench/compare/change_cost.md"
