#!/usr/bin/env bash
# Installs the Debian 12 packages needed to build matview_scheduler and run all of its tests.
# Idempotent: asks apt only when something is missing, and prints nothing when all is there.
# Usage (as root): bash scripts/install-deps.sh [MORE_PACKAGES...]
# (test.sh adds debootstrap when it tests other PostgreSQL majors, in roots of their own.)
set -euo pipefail

packages=(
    build-essential          # g++, make
    postgresql-15            # server binaries, and the unprivileged `postgres` user the tests run as
    postgresql-server-dev-15 # pg_config, PGXS, server headers, pg_regress, PostgreSQL::Test::Cluster
    libipc-run-perl          # needed by PostgreSQL::Test::Cluster (TAP tests)
    tzdata                   # time-zone rules for the unit tests
    googletest
    libgtest-dev             # unit tests of src/core
    libbenchmark-dev         # bench/
    clang-14
    libclang-rt-14-dev       # libFuzzer and the sanitizers, for test/fuzz/
    clang-format             # the style in .clang-format
    python3-django           # contrib/django and its tests (scripts/test-django.sh)
    python3-psycopg2
    "$@"
)

missing=()
for pkg in "${packages[@]}"; do
    # db:Status-Status is exactly "installed" only for a fully installed package.
    status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
    if [[ "$status" != "installed" ]]; then
        missing+=("$pkg")
    fi
done

if ((${#missing[@]} == 0)); then
    exit 0
fi

if [[ $EUID -ne 0 ]]; then
    echo "install-deps.sh: missing packages: ${missing[*]}" >&2
    echo "install-deps.sh: run as root to install them" >&2
    exit 1
fi

echo "install-deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -q --no-install-recommends "${missing[@]}"
