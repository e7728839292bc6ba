#!/usr/bin/env bash
# Runs every test of matview_scheduler: build with warnings as errors, install, unit tests, a
# bounded fuzzing run, pg_regress, TAP. Exits non-zero as soon as a stage fails.
# Usage (as root, from anywhere): bash scripts/test.sh
set -euo pipefail

# The PostgreSQL 15 build, even where other versions are installed too.
export PG_CONFIG="${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}"

if [[ $EUID -ne 0 ]]; then
    echo "test.sh: must run as root: it installs packages and the extension, and runs the" >&2
    echo "test clusters as the 'postgres' user (initdb refuses root)" >&2
    exit 1
fi

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
trap 'echo "test.sh: FAILED at: $BASH_COMMAND" >&2' ERR

echo "== dependencies"
bash "$repo/scripts/install-deps.sh"

# Build and test in a fresh copy: every file is compiled with -Werror (no stale object hides a
# warning), the work tree is left untouched, and the copy can belong to the unprivileged user
# that runs the test clusters. /tmp rather than $TMPDIR, which that user may not be able to reach.
work=$(mktemp -d /tmp/matview_scheduler_test.XXXXXX)
cleanup() { rm -rf "$work"; }
trap cleanup EXIT

tar -C "$repo" --exclude=./.git --exclude=./tmp_check --exclude='./tmp_check_*' \
    --exclude=./results -cf - . | tar -C "$work" -xf -
# cd instead of make -C, so that make prints no "Leaving directory" after the test summaries.
cd "$work"
make -s clean

echo "== build (warnings are errors)"
make -j"$(nproc)" EXTRA_CXXFLAGS=-Werror
make install

echo "== unit tests"
make EXTRA_CXXFLAGS=-Werror unit

# libFuzzer with ASan and UBSan on the schedule parser and the due-time arithmetic: one line when
# nothing is found, the report and the failing input otherwise.
echo "== fuzz (parser, 30 s)"
make EXTRA_CXXFLAGS=-Werror FUZZ_SECONDS=30 fuzz

chown -R postgres:postgres "$work"

# Run a command as `postgres` in the copy, with none of the caller's libpq settings, so the
# tests only ever reach the throwaway clusters they start themselves.
as_postgres() {
    runuser -u postgres -- env -u PGHOST -u PGHOSTADDR -u PGPORT -u PGUSER -u PGDATABASE \
        -u PGSERVICE -u PGPASSWORD -u PGOPTIONS HOME="$work" LC_ALL=C.UTF-8 "$@"
}

echo "== pg_regress"
if ! as_postgres make regresscheck; then
    if [[ -f regression.diffs ]]; then
        echo "== regression.diffs"
        cat regression.diffs
    fi
    if [[ -f log/postmaster.log ]]; then
        echo "== log/postmaster.log (last 100 lines)"
        tail -n 100 log/postmaster.log
    fi
    echo "test.sh: pg_regress failed" >&2
    exit 1
fi

# TAP runs last so that prove's summary is the last thing printed.
echo "== TAP"
if ! as_postgres make tapcheck; then
    shopt -s nullglob
    for log in tmp_check/log/*; do
        [[ -f "$log" ]] || continue
        echo "== $log (last 300 lines)"
        tail -n 300 "$log"
    done
    echo "test.sh: TAP tests failed" >&2
    exit 1
fi
