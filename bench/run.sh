#!/usr/bin/env bash
# matview_scheduler and pg_cron side by side: the same workloads on two throwaway clusters, one table.
#
# Installs what it needs (postgresql-15-cron, and the rest through scripts/install-deps.sh), builds
# and installs the extension, starts two clusters as the postgres user in a temporary directory
# (Unix sockets only), runs bench/compare/compare.py against them, prints the table and writes it
# to bench/compare/results.md, then stops both clusters and removes the directory.
#
# Usage (as root): bash bench/run.sh
# Durations and sizes come from the environment; see bench/compare/README.md. The defaults take
# about ten minutes on two cores.
set -euo pipefail

export PG_CONFIG="${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}"
bindir=/usr/lib/postgresql/15/bin
mvs_port=55461
cron_port=55462

if [[ $EUID -ne 0 ]]; then
    echo "bench/run.sh: must run as root: it installs packages and the extension, and runs the" >&2
    echo "clusters as the 'postgres' user (initdb refuses root)" >&2
    exit 1
fi

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
started_at=$SECONDS

echo "== Dependencies"
status=$(dpkg-query -W -f='${db:Status-Status}' postgresql-15-cron 2>/dev/null || true)
if [[ "$status" != "installed" ]]; then
    echo "installing postgresql-15-cron"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -q --no-install-recommends postgresql-15-cron
fi
bash "$repo/scripts/install-deps.sh"

echo "== Building and installing matview_scheduler"
make -s -C "$repo" -j"$(nproc)"
make -s -C "$repo" install >/dev/null

# /tmp rather than $TMPDIR, which the postgres user may not be able to reach.
tmp=$(mktemp -d /tmp/matview_scheduler_bench.XXXXXX)
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

# init_cluster NAME PORT: a cluster in $tmp/NAME, listening on a socket in $tmp only. The rest of
# its settings come on stdin.
init_cluster() {
    local name=$1 port=$2
    as_postgres "$bindir/initdb" -D "$tmp/$name" -U postgres -A trust --no-locale -E UTF8 >/dev/null
    {
        echo "listen_addresses = ''"
        echo "unix_socket_directories = '$tmp'"
        echo "port = $port"
        echo "max_worker_processes = 40"
        echo "log_line_prefix = '%m [%p] '"
        cat
    } >>"$tmp/$name/postgresql.conf"
}

echo "== Starting two throwaway clusters in $tmp (Unix sockets only)"
init_cluster mvs "$mvs_port" <<EOF
shared_preload_libraries = 'matview_scheduler'
matview_scheduler.max_workers = 8
# One role owns every view here: let it use all eight places.
matview_scheduler.max_workers_per_role = 8
EOF
# use_background_workers: jobs run in background workers, so pg_cron needs no TCP connection or
# password. With it, cron.max_running_jobs defaults to 5; 32 is its default without it.
init_cluster cron "$cron_port" <<EOF
shared_preload_libraries = 'pg_cron'
cron.database_name = 'bench'
cron.use_background_workers = on
cron.max_running_jobs = 32
EOF
for name in mvs cron; do
    started+=("$name")
    as_postgres "$bindir/pg_ctl" -D "$tmp/$name" -l "$tmp/$name.log" -w -t 60 start >/dev/null
done

echo "== Running the workloads"
python3 "$repo/bench/compare/compare.py" \
    --bindir "$bindir" --host "$tmp" \
    --mvs-port "$mvs_port" --cron-port "$cron_port" \
    --results "$repo/bench/compare/results.md"
