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
    debhelper
    postgresql-server-dev-all # pg_buildext and dh's pgxs add-on: make deb (scripts/test-package.sh)
    python3                  # /usr/bin/python3: META.json and the dist archive (scripts/test-package.sh)
    python3-yaml             # scripts/test-monitoring.sh
    python3-django           # contrib/django and its tests (scripts/test-django.sh)
    python3-psycopg2
    "$@"
)
# Packages whose service must not start: installed with a policy-rc.d that forbids it.
no_start=(
    prometheus-postgres-exporter # scripts/test-monitoring.sh runs its own, on 127.0.0.1
)

missing=()
for pkg in "${packages[@]}" "${no_start[@]}"; do
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
plain=() quiet=()
for pkg in "${missing[@]}"; do
    if [[ " ${no_start[*]} " == *" $pkg "* ]]; then quiet+=("$pkg"); else plain+=("$pkg"); fi
done
((${#plain[@]} == 0)) || apt-get install -y -q --no-install-recommends "${plain[@]}"
if ((${#quiet[@]} > 0)); then
    # prometheus-postgres-exporter's maintainer scripts enable and start a service listening on
    # :9187 on every address (systemd unit and init script): invoke-rc.d and deb-systemd-invoke
    # ask /usr/sbin/policy-rc.d, and 101 forbids the start (see invoke-rc.d(8)). An existing
    # policy-rc.d is set aside meanwhile and put back.
    policy=/usr/sbin/policy-rc.d
    [[ -e "$policy" ]] && mv "$policy" "$policy.matview_scheduler"
    restore_policy() {
        rm -f "$policy"
        if [[ -e "$policy.matview_scheduler" ]]; then mv "$policy.matview_scheduler" "$policy"; fi
    }
    trap restore_policy EXIT
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    apt-get install -y -q --no-install-recommends "${quiet[@]}"
    restore_policy
    trap - EXIT
    # Nor at the next boot.
    for pkg in "${quiet[@]}"; do
        if command -v systemctl >/dev/null && [[ -d /run/systemd/system ]]; then
            systemctl disable --now "$pkg.service" 2>/dev/null || true
        fi
        if [[ -x "/etc/init.d/$pkg" ]]; then update-rc.d "$pkg" disable >/dev/null 2>&1 || true; fi
    done
fi
