# Throwaway clusters for the benchmarks, sourced by bench/change_cost.sh and bench/floor.sh.
# The caller sets bindir (the PostgreSQL binaries) and started_at ($SECONDS at its start), and
# calls clusters_begin NAME first. Clusters live in a temporary directory owned by postgres,
# listen on a Unix socket there only, and are stopped with pg_ctl on every exit path.

as_postgres() {
    runuser -u postgres -- "$@"
}

# clusters_begin PREFIX: the temporary directory ($tmp) and the exit handler.
clusters_begin() {
    # /tmp rather than $TMPDIR, which the postgres user may not be able to reach.
    tmp=$(mktemp -d "/tmp/matview_scheduler_$1.XXXXXX")
    chown postgres:postgres "$tmp"
    started=()
    trap clusters_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

clusters_cleanup() {
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

# init_cluster NAME PORT: a cluster in $tmp/NAME, listening on a socket in $tmp only, with the
# settings every benchmark cluster shares; its own come on stdin.
init_cluster() {
    local name=$1 port=$2
    as_postgres "$bindir/initdb" -D "$tmp/$name" -U postgres -A trust --no-locale -E UTF8 >/dev/null
    {
        echo "listen_addresses = ''"
        echo "unix_socket_directories = '$tmp'"
        echo "port = $port"
        echo "log_line_prefix = '%m [%p] '"
        # CPU, not the disk, is what the benchmarks measure; checkpoints and autovacuum run
        # only where a benchmark asks for them, between measured rounds.
        echo "synchronous_commit = off"
        echo "autovacuum = off"
        echo "checkpoint_timeout = 30min"
        echo "max_wal_size = 8GB"
        echo "shared_buffers = 512MB"
        echo "jit = off"
        echo "max_worker_processes = 40"
        # Thousands of views scheduled in one transaction take a lock on each.
        echo "max_locks_per_transaction = 1024"
        cat
    } >>"$tmp/$name/postgresql.conf"
}

# start_cluster NAME: starts it (and stops it on exit).
start_cluster() {
    started+=("$1")
    as_postgres "$bindir/pg_ctl" -D "$tmp/$1" -l "$tmp/$1.log" -w -t 60 start >/dev/null
}
