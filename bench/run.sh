#!/usr/bin/env bash
# matview_scheduler and pg_cron side by side: the same workloads on two throwaway clusters, one table.
#
# Installs what it needs (postgresql-NN-cron, and the rest through scripts/install-deps.sh), builds
# and installs the extension, starts two clusters as the postgres user in a temporary directory
# (Unix sockets only), runs bench/compare/compare.py against them, prints the table and writes it
# to bench/compare/results.md (results-NN.md for a major other than 15), then stops both clusters
# and removes the directory.
#
# Usage (as root): bash bench/run.sh                 PostgreSQL 15, the host's
#                  PG_MAJOR=18 bash bench/run.sh     17, 18 or 19: inside that major's Debian root
#                                                    (scripts/pg_root.sh), as scripts/test.sh does
# Durations and sizes come from the environment; see bench/compare/README.md. The defaults take
# about ten minutes on two cores.
set -euo pipefail

major="${PG_MAJOR:-15}"
export PG_CONFIG="/usr/lib/postgresql/$major/bin/pg_config"
bindir="/usr/lib/postgresql/$major/bin"
mvs_port=55461
cron_port=55462

if [[ $EUID -ne 0 ]]; then
    echo "bench/run.sh: must run as root: it installs packages and the extension, and runs the" >&2
    echo "clusters as the 'postgres' user (initdb refuses root)" >&2
    exit 1
fi

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
started_at=$SECONDS
results=bench/compare/results.md
[[ "$major" != 15 ]] && results="bench/compare/results-$major.md"
command="bash bench/run.sh"
[[ "$major" != 15 ]] && command="PG_MAJOR=$major bash bench/run.sh"

# Another major: this script again, inside a copy of the tree in that major's root; the results
# file comes back here.
if [[ "$major" != 15 && -z "${MVS_BENCH_IN_ROOT:-}" ]]; then
    case "$major" in
    17 | 18 | 19) ;;
    *) echo "bench/run.sh: PG_MAJOR must be 15, 17, 18 or 19" >&2 && exit 1 ;;
    esac
    bash "$repo/scripts/install-deps.sh" debootstrap
    root=$(bash "$repo/scripts/pg_root.sh" setup "$major")
    target=()
    [[ "$major" == 19 ]] && target=(-t experimental)
    bash "$repo/scripts/pg_root.sh" run "$major" root sh -c \
        "apt-get -q update && apt-get install -y -q ${target[*]} python3 postgresql-$major-cron"
    work=$(mktemp -d "$root/work/bench.XXXXXX")
    trap 'rm -rf --one-file-system "$work"' EXIT
    tar -C "$repo" --exclude=./.git --exclude='./tmp_check*' --exclude=./results -cf - . | tar -C "$work" -xf -
    # The BENCH_* settings go along; nothing else of this environment does.
    settings=$(env | grep -E '^BENCH_[A-Z_]+=[0-9]+$' | tr '\n' ' ' || true)
    bash "$repo/scripts/pg_root.sh" run "$major" root sh -c \
        "cd ${work#"$root"} && env $settings PG_MAJOR=$major MVS_BENCH_IN_ROOT=1 bash bench/run.sh"
    cp "$work/$results" "$repo/$results"
    echo "== Results copied to $results"
    exit 0
fi

echo "== Dependencies"
status=$(dpkg-query -W -f='${db:Status-Status}' "postgresql-$major-cron" 2>/dev/null || true)
if [[ "$status" != "installed" ]]; then
    echo "installing postgresql-$major-cron"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -q --no-install-recommends "postgresql-$major-cron"
fi
# A root made by scripts/pg_root.sh has the build tools already.
[[ -z "${MVS_BENCH_IN_ROOT:-}" ]] && bash "$repo/scripts/install-deps.sh"

echo "== Building and installing matview_scheduler"
# A copy in a root may hold objects built on the host for 15.
[[ -n "${MVS_BENCH_IN_ROOT:-}" ]] && make -s -C "$repo" clean >/dev/null
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
    --results "$repo/$results" --cron-package "postgresql-$major-cron" --command "$command"
