#!/usr/bin/env bash
# A Debian root (debootstrap --variant=minbase) holding one PostgreSQL major and what the build and
# the tests need, for the majors the host's Debian 12 does not carry (their binaries need a newer C
# library). Roots are cached between runs and rebuilt when missing or broken.
#
# Usage (as root):
#   pg_root.sh setup MAJOR                  make the root, or reuse a working one; prints its path
#   pg_root.sh run MAJOR root|postgres CMD  run CMD inside it, as root or as postgres, with /proc
#                                           and /dev/shm mounted only for the command's duration
#   pg_root.sh path MAJOR                   print where the root is (whether it exists or not)
#   pg_root.sh stop MAJOR                   stop what runs inside it and unmount (after a crash)
#   pg_root.sh remove MAJOR                 delete the root
# MAJOR is 17 (trixie), 18 (sid) or 19 (sid with experimental). Environment: MVS_ROOTS_DIR (default
# /var/cache/matview_scheduler/roots), MVS_DEBIAN_MIRROR (default http://deb.debian.org/debian).
set -euo pipefail

roots_dir="${MVS_ROOTS_DIR:-/var/cache/matview_scheduler/roots}"
mirror="${MVS_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
# Raised when the packages or settings below change, so that older roots are rebuilt.
root_format=2

die() {
    echo "pg_root.sh: $*" >&2
    exit 1
}

suite_of() {
    case "$1" in
    17) echo trixie ;;
    18 | 19) echo sid ;;
    *) die "no Debian suite known for PostgreSQL $1 (known: 17, 18, 19)" ;;
    esac
}

# Mount points of anything below $1, deepest first.
mounts_below() {
    awk -v r="$1" '$2 == r || index($2, r "/") == 1 { print $2 }' /proc/self/mounts | sort -r
}

# Every process whose root directory is $1: what a command left running there (a test cluster
# after a failed stage, for example).
pids_in_root() {
    local target pid
    target=$(readlink -f "$1")
    for pid in /proc/[0-9]*; do
        [[ "$(readlink "$pid/root" 2>/dev/null)" == "$target" ]] && echo "${pid#/proc/}"
    done
    return 0
}

# Stops what runs inside root $1 and unmounts all below it. Safe to call more than once.
teardown() {
    local root=$1 pids mp i
    for i in 1 2 3 4 5 6 7 8 9 10; do
        pids=$(pids_in_root "$root")
        [[ -z "$pids" ]] && break
        # TERM first (postmasters shut down), KILL what is still there after 5 s.
        if ((i <= 5)); then kill -TERM $pids 2>/dev/null || true; else kill -KILL $pids 2>/dev/null || true; fi
        sleep 1
    done
    for mp in $(mounts_below "$root"); do
        umount "$mp" 2>/dev/null || umount -l "$mp" || echo "pg_root.sh: could not unmount $mp" >&2
    done
}

mount_in() {
    local root=$1
    mount -t proc proc "$root/proc"
    mount -t tmpfs -o mode=1777,size=1g shm "$root/dev/shm"
}

# Runs a command inside root $1 as root, with a clean environment.
in_root() {
    local root=$1
    shift
    chroot "$root" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        HOME=/root LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}

apt_in() {
    local root=$1
    shift
    in_root "$root" apt-get -q -o Acquire::Check-Valid-Until=false -o Acquire::Retries=3 "$@"
}

# Is root $1 complete for major $2, and does its PostgreSQL run here?
root_ok() {
    local root=$1 major=$2
    [[ -f "$root/.matview_scheduler_root" ]] &&
        [[ "$(cat "$root/.matview_scheduler_root")" == "$major $root_format" ]] &&
        chroot "$root" "/usr/lib/postgresql/$major/bin/postgres" --version >/dev/null 2>&1 &&
        chroot "$root" "/usr/lib/postgresql/$major/bin/pg_config" --pgxs >/dev/null 2>&1
}

remove_root() {
    local root=$1
    [[ -e "$root" ]] || return 0
    teardown "$root"
    # Never delete through a mount (a bind mount would take its source with it).
    [[ -z "$(mounts_below "$root")" ]] || die "$root still has mounts; not removing it"
    rm -rf --one-file-system "$root"
}

build_root() {
    local major=$1 root=$2 suite tmp
    suite=$(suite_of "$major")
    tmp="$root.new"
    remove_root "$tmp"
    trap 'teardown "$tmp"' EXIT
    echo "pg_root.sh: debootstrap $suite into $tmp"
    command -v debootstrap >/dev/null || die "debootstrap is missing (apt-get install debootstrap)"
    debootstrap --variant=minbase "$suite" "$tmp" "$mirror"

    # Nothing installed here starts a service, and no cluster is created: tests make their own.
    printf '#!/bin/sh\nexit 101\n' >"$tmp/usr/sbin/policy-rc.d"
    chmod 755 "$tmp/usr/sbin/policy-rc.d"
    printf 'Acquire::Check-Valid-Until "false";\nAPT::Install-Recommends "false";\n' \
        >"$tmp/etc/apt/apt.conf.d/90matview_scheduler"
    cp /etc/resolv.conf "$tmp/etc/resolv.conf"
    if [[ "$major" == 19 ]]; then
        echo "deb $mirror experimental main" >"$tmp/etc/apt/sources.list.d/experimental.list"
    fi

    mount_in "$tmp"
    apt_in "$tmp" update
    apt_in "$tmp" install -y postgresql-common
    sed -i 's/^#\? *create_main_cluster *=.*/create_main_cluster = false/' \
        "$tmp/etc/postgresql-common/createcluster.conf"
    grep -q '^create_main_cluster = false' "$tmp/etc/postgresql-common/createcluster.conf" ||
        echo 'create_main_cluster = false' >>"$tmp/etc/postgresql-common/createcluster.conf"
    local pgpkgs=("postgresql-$major" "postgresql-server-dev-$major") target=()
    [[ "$major" == 19 ]] && target=(-t experimental)
    # g++ and make build; libgtest-dev the unit tests; libipc-run-perl the TAP tests;
    # tzdata(-legacy) the time zones of the unit tests; build-essential, debhelper and
    # postgresql-server-dev-all (pg_buildext) the Debian package of scripts/test-package.sh.
    apt_in "$tmp" install -y "${target[@]}" "${pgpkgs[@]}" g++ make libgtest-dev libipc-run-perl \
        tzdata tzdata-legacy build-essential debhelper postgresql-server-dev-all
    apt_in "$tmp" clean
    # The postgres user (made by postgresql-common) gets a home it owns, for the tests' files.
    in_root "$tmp" sh -c 'mkdir -p /work && chown postgres:postgres /work'
    teardown "$tmp"
    trap - EXIT

    [[ -d "$tmp/etc/postgresql/$major" ]] && die "a cluster was created in $tmp; refusing the root"
    echo "$major $root_format" >"$tmp/.matview_scheduler_root"
    remove_root "$root"
    mv "$tmp" "$root"
}

lock() {
    mkdir -p "$roots_dir"
    exec 9>"$roots_dir/$1.lock"
    flock 9
}

cmd=${1:-}
major=${2:-}
[[ -n "$cmd" && -n "$major" ]] || die "usage: pg_root.sh setup|run|path|stop|remove MAJOR [...]"
[[ "$major" =~ ^[0-9]+$ ]] || die "not a major version: $major"
[[ $EUID -eq 0 ]] || die "must run as root (debootstrap, chroot, mount)"
root="$roots_dir/$major"

case "$cmd" in
path) echo "$root" ;;
setup)
    suite_of "$major" >/dev/null
    lock "$major"
    if ! root_ok "$root" "$major"; then
        start=$SECONDS
        log="$roots_dir/$major.setup.log"
        echo "pg_root.sh: making the root for PostgreSQL $major (log: $log)" >&2
        # A download that fails (the mirror, the network) is tried again, twice, from scratch.
        attempt=1
        until (build_root "$major" "$root") >"$log" 2>&1; do
            tail -n 30 "$log" >&2
            ((attempt < 3)) || die "could not make the root for PostgreSQL $major"
            echo "pg_root.sh: making the root for $major failed (attempt $attempt of 3); again in 30 s" >&2
            sleep 30
            attempt=$((attempt + 1))
        done
        root_ok "$root" "$major" || die "the new root for $major does not work"
        echo "pg_root.sh: root for PostgreSQL $major ready in $((SECONDS - start)) s" >&2
    fi
    echo "$root"
    ;;
run)
    as=${3:-}
    shift 3 || die "usage: pg_root.sh run MAJOR root|postgres CMD..."
    (($# > 0)) || die "usage: pg_root.sh run MAJOR root|postgres CMD..."
    lock "$major"
    root_ok "$root" "$major" || die "no working root for $major; run: pg_root.sh setup $major"
    [[ "$as" == root || "$as" == postgres ]] || die "run as root or postgres, not '$as'"
    trap 'teardown "$root"' EXIT
    # A signal ends the script at once (the command runs in the background so that the shell can
    # take it), and the EXIT trap stops what was left running inside.
    trap 'exit 130' INT
    trap 'exit 143' TERM
    trap 'exit 129' HUP
    teardown "$root"
    mount_in "$root"
    if [[ "$as" == root ]]; then
        in_root "$root" "$@" <&0 &
    else
        in_root "$root" runuser -u postgres -- env HOME=/work "$@" <&0 &
    fi
    rc=0
    wait $! || rc=$?
    exit $rc
    ;;
stop)
    # Whatever a run left behind (none takes the lock: a run may hold it).
    teardown "$root"
    ;;
remove)
    lock "$major"
    remove_root "$root"
    ;;
*) die "unknown command: $cmd" ;;
esac
