#!/usr/bin/env bash
# Runs every test of matview_scheduler: build with warnings as errors, install, unit tests, a
# bounded fuzzing run, pg_regress, TAP, and on the host's 15 monitoring/ (with
# prometheus-postgres-exporter) and the Django app; last the release files and the Debian package;
# on the host's PostgreSQL 15, and on the other majors given
# in PG_MAJORS, each in a Debian root of its own (scripts/pg_root.sh). Prints one summary table
# at the end. Within a major, the first failing stage ends that major's run; the exit status is
# non-zero if any major failed.
# Usage (as root, from anywhere):
#   bash scripts/test.sh                            PostgreSQL 15 (the host's)
#   PG_MAJORS="15 17 18 19" bash scripts/test.sh    those majors; PG_MAJORS=all is the same
set -euo pipefail

# The PostgreSQL 15 build, even where other versions are installed too.
export PG_CONFIG="${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}"

if [[ $EUID -ne 0 ]]; then
    echo "test.sh: must run as root: it installs packages and the extension, and runs the" >&2
    echo "test clusters as the 'postgres' user (initdb refuses root)" >&2
    exit 1
fi

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
pg_root="$repo/scripts/pg_root.sh"

majors="${PG_MAJORS:-15}"
[[ "$majors" == all ]] && majors="15 17 18 19"
for major in $majors; do
    case "$major" in
    15 | 17 | 18 | 19) ;;
    16) echo "test.sh: no Debian suite carries PostgreSQL 16 with its headers: it is built for, but cannot be tested here" >&2 && exit 1 ;;
    *) echo "test.sh: PostgreSQL $major is not supported (PG_MAJORS: 15 17 18 19, or all)" >&2 && exit 1 ;;
    esac
done

echo "== dependencies"
extra=()
[[ "$majors" != 15 ]] && extra=(debootstrap)
bash "$repo/scripts/install-deps.sh" "${extra[@]}"

# Build and test in fresh copies: every file is compiled with -Werror (no stale object hides a
# warning), the work tree is left untouched, and a copy can belong to the unprivileged user that
# runs the test clusters. /tmp rather than $TMPDIR, which that user may not be able to reach.
logs=$(mktemp -d /tmp/matview_scheduler_logs.XXXXXX)
# The copies made (in subshells) are listed in $logs/copies.
cleanup() {
    local dir
    if [[ -f "$logs/copies" ]]; then
        while read -r dir; do rm -rf --one-file-system "$dir"; done <"$logs/copies"
    fi
    rm -rf "$logs"
}
trap cleanup EXIT

# Copies the work tree into directory $1.
copy_tree() {
    tar -C "$repo" --exclude=./.git --exclude=./build --exclude=./tmp_check --exclude='./tmp_check_*' \
        --exclude=./results -cf - . | tar -C "$1" -xf -
}

# Runs stage $2 of major $1: the command's output goes to the terminal and to a log, and its
# outcome to a file, which the summary reads. Fails as the command does.
stage() {
    local major=$1 name=$2
    shift 2
    echo "== $major: $name"
    if "$@" 2>&1 | tee "$logs/$major.$name.log"; then
        echo ok >"$logs/$major.$name.status"
    else
        echo FAILED >"$logs/$major.$name.status"
        return 1
    fi
}

# What the summary says of a stage, from its log.
unit_count() {
    local passed
    passed=$(grep -oE '^\[  PASSED  \] [0-9]+ tests' "$logs/$1.unit.log" | grep -oE '[0-9]+' || true)
    echo "${passed:-?} passed"
}
regress_count() {
    # "# All 4 tests passed." from 16 on, " All 4 tests passed. " before.
    grep -oE '(All [0-9]+ tests passed|[0-9]+ of [0-9]+ tests failed)' "$logs/$1.regress.log" |
        sed -E 's/All ([0-9]+) tests passed/\1\/\1 passed/; s/([0-9]+) of ([0-9]+) tests failed/\1 of \2 failed/' | grep . || echo "?"
}
# TAP counts of stage $2 (tap, or upgrade) of major $1.
tap_count() {
    local files tests
    files=$(grep -oE '^Files=[0-9]+, Tests=[0-9]+' "$logs/$1.$2.log" | tail -1 || true)
    if [[ -n "$files" ]]; then
        tests=${files#*Tests=}
        files=${files%%,*}
        echo "${files#Files=} files, $tests tests $(grep -oE '^Result: [A-Z]+' "$logs/$1.$2.log" | tail -1 | cut -d' ' -f2)"
    else
        echo "?"
    fi
}

# "23 tests OK" from Django's test runner, and whether the example's migrations passed.
django_count() {
    local ran result
    ran=$(grep -oE '^Ran [0-9]+ tests?' "$logs/$1.django.log" | grep -oE '[0-9]+' || true)
    result=$(grep -oE '^(OK|FAILED)' "$logs/$1.django.log" | tail -1 || true)
    grep -q '^test-django.sh: all passed' "$logs/$1.django.log" || result=FAILED
    echo "${ran:-?} tests ${result:-?}"
}

# Shows what a failed pg_regress or TAP run left in directory $1.
show_failure_logs() {
    local dir=$1 log
    if [[ -f "$dir/regression.diffs" ]]; then
        echo "== regression.diffs"
        cat "$dir/regression.diffs"
    fi
    if [[ -f "$dir/log/postmaster.log" ]]; then
        echo "== log/postmaster.log (last 100 lines)"
        tail -n 100 "$dir/log/postmaster.log"
    fi
    shopt -s nullglob
    for log in "$dir"/tmp_check/log/*; do
        [[ -f "$log" ]] || continue
        echo "== $log (last 300 lines)"
        tail -n 300 "$log"
    done
    shopt -u nullglob
}

# PostgreSQL 15 on the host.
test_host() {
    local work
    work=$(mktemp -d /tmp/matview_scheduler_test.XXXXXX)
    echo "$work" >>"$logs/copies"
    copy_tree "$work" || return 1
    # cd instead of make -C, so that make prints no "Leaving directory" after the test summaries.
    cd "$work" || return 1
    make -s clean || return 1

    # Every C++ file in the style of .clang-format; nothing is rewritten.
    local clang_format sources
    clang_format=$(command -v clang-format || command -v clang-format-14) || return 1
    mapfile -t sources < <({ find src -name '*.cpp' -o -name '*.hpp'
        find test/unit test/fuzz bench -maxdepth 1 -name '*.cpp'; } | sort)
    stage 15 format "$clang_format" --dry-run -Werror "${sources[@]}" || return 1

    stage 15 build make -j"$(nproc)" EXTRA_CXXFLAGS=-Werror || return 1
    make install || return 1
    stage 15 unit make EXTRA_CXXFLAGS=-Werror unit || return 1
    # libFuzzer with ASan and UBSan on the schedule parser and the due-time arithmetic: one line
    # when nothing is found, the report and the failing input otherwise. On this host only: it
    # tests src/core, which does not depend on the PostgreSQL major.
    stage 15 fuzz make EXTRA_CXXFLAGS=-Werror FUZZ_SECONDS=30 fuzz || return 1

    chown -R postgres:postgres "$work" || return 1
    # As `postgres` in the copy, with none of the caller's libpq settings, so the tests only
    # ever reach the throwaway clusters they start themselves.
    local as_postgres=(runuser -u postgres -- env -u PGHOST -u PGHOSTADDR -u PGPORT -u PGUSER
        -u PGDATABASE -u PGSERVICE -u PGPASSWORD -u PGOPTIONS HOME="$work" LC_ALL=C.UTF-8)
    if ! stage 15 regress "${as_postgres[@]}" make regresscheck; then
        show_failure_logs "$work"
        return 1
    fi
    if ! stage 15 tap "${as_postgres[@]}" make tapcheck; then
        show_failure_logs "$work"
        return 1
    fi
    # monitoring/ with prometheus-postgres-exporter, against the extension installed above.
    stage 15 monitoring bash "$work/scripts/test-monitoring.sh" || return 1
    # The Django app and example (contrib/django, examples/django_polls) against what TAP tested.
    stage 15 django bash scripts/test-django.sh || return 1
    # Last: the release files and the Debian package, from the checkout (make dist archives its git
    # HEAD). The package is installed into the system's PostgreSQL 15 after the files of the
    # `make install` above are deleted, and removed at the end: the host is left WITHOUT the
    # extension (`make install` brings it back).
    stage 15 package bash "$repo/scripts/test-package.sh" || return 1
}

# PostgreSQL 15 with matview_scheduler built for it, unpacked into root $1 at /opt/pg15 for the
# pg_upgrade test there (the layout relocates: its paths follow its binaries). It is Debian 12's
# oldest 15 package, not the host's newest: from 15.20 on, 15 keeps attribute versions in every
# column's attoptions (pg_attver), which 18.6's pg_restore refuses, so pg_upgrade from 15.20 to
# 18.6 fails for any database with a table, ours or not. Its binaries run on the root's newer C
# library; the other libraries they need and the root lacks go to /opt/pg15/lib-extra.
old_install_into() {
    local root=$1 dest="$1/opt/pg15" version debs build lib name
    version=$(apt-cache madison postgresql-15 | awk '{ print $3 }' | sort -V | sed -n 1p)
    if [[ -z "$version" ]]; then
        apt-get update -qq || return 1
        version=$(apt-cache madison postgresql-15 | awk '{ print $3 }' | sort -V | sed -n 1p)
    fi
    [[ -n "$version" ]] || { echo "test.sh: no postgresql-15 package in the apt sources" >&2 && return 1; }
    echo "PostgreSQL 15 to upgrade from: $version"
    rm -rf --one-file-system "$dest"
    mkdir -p "$dest/lib-extra" || return 1
    debs=$(mktemp -d /tmp/matview_scheduler_debs.XXXXXX)
    echo "$debs" >>"$logs/copies"
    chown _apt "$debs"
    (cd "$debs" && apt-get -q -o Acquire::Retries=3 download "postgresql-15=$version" "postgresql-client-15=$version" \
        "postgresql-server-dev-15=$version") || return 1
    for deb in "$debs"/*.deb; do dpkg-deb -x "$deb" "$dest" || return 1; done
    build=$(mktemp -d /tmp/matview_scheduler_old.XXXXXX)
    echo "$build" >>"$logs/copies"
    copy_tree "$build" || return 1
    local pgc="$dest/usr/lib/postgresql/15/bin/pg_config"
    (cd "$build" && make -s clean && make -s -j"$(nproc)" PG_CONFIG="$pgc" && make -s install PG_CONFIG="$pgc") ||
        return 1
    # The root's libraries, read once (grep -q on a pipe would end ldconfig early: with pipefail, a
    # library found would count as missing).
    local have
    have=$(chroot "$root" ldconfig -p) || return 1
    for lib in $(ldd "$dest"/usr/lib/postgresql/15/bin/* $(ls "$dest"/usr/lib/postgresql/15/lib/*.so | grep -v llvmjit) 2>/dev/null |
        awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | sort -u); do
        name=$(basename "$lib")
        grep -q "^[[:space:]]*$name " <<<"$have" || cp -L "$lib" "$dest/lib-extra/$name" || return 1
    done
}

# Another major, in its root: made (or found in the cache), then the same stages but fuzzing.
test_in_root() {
    local major=$1 root work inside
    if ! root=$(bash "$pg_root" setup "$major" 2> >(tee "$logs/$major.setup.log" >&2)); then
        echo FAILED >"$logs/$major.setup.status"
        return 1
    fi
    echo ok >"$logs/$major.setup.status"
    work=$(mktemp -d "$root/work/test.XXXXXX") || return 1
    echo "$work" >>"$logs/copies"
    inside=${work#"$root"}
    copy_tree "$work" || return 1
    chroot "$root" chown -R postgres:postgres "$inside" || return 1
    local pgc="/usr/lib/postgresql/$major/bin/pg_config"
    run() { bash "$pg_root" run "$major" "$1" sh -c "cd $inside && $2"; }

    stage "$major" build run postgres \
        "make -s clean && make -j$(nproc) PG_CONFIG=$pgc EXTRA_CXXFLAGS=-Werror" || return 1
    # The root is shared between runs of other checkouts: what they installed goes first (an
    # update script of another version would change the extension's update paths).
    run root "rm -f \$($pgc --sharedir)/extension/matview_scheduler* \$($pgc --pkglibdir)/matview_scheduler.so &&
        make -s PG_CONFIG=$pgc install" || return 1
    stage "$major" unit run postgres "make PG_CONFIG=$pgc EXTRA_CXXFLAGS=-Werror unit" || return 1
    if ! stage "$major" regress run postgres "make PG_CONFIG=$pgc regresscheck"; then
        show_failure_logs "$work"
        return 1
    fi
    if ! stage "$major" tap run postgres "make PG_CONFIG=$pgc tapcheck"; then
        show_failure_logs "$work"
        return 1
    fi
    # pg_upgrade from 15, with both majors' binaries in this root.
    if [[ "$major" == 18 ]]; then
        echo "== $major: the PostgreSQL 15 installation to upgrade from"
        old_install_into "$root" || return 1
        if ! stage "$major" upgrade run postgres "OLD_PG_INSTALL=/opt/pg15/usr/lib/postgresql/15 \
            OLD_PG_LIBS=/opt/pg15/lib-extra make PG_CONFIG=$pgc upgradecheck"; then
            show_failure_logs "$work"
            return 1
        fi
    fi
    # Last: the Debian package for this major, built, installed and removed in the root (which is
    # then left without the extension; the next run installs it again).
    stage "$major" package run root "PG_MAJOR=$major bash scripts/test-package.sh --deb-only" || return 1
}

# The roots are made (or checked) in the background from the start, one after the other, while
# the majors before them are tested: their downloads and unpacking overlap the tests. A major's
# own setup waits for its root (pg_root.sh holds a lock per root while it makes it).
roots=()
for major in $majors; do [[ "$major" != 15 ]] && roots+=("$major"); done
if ((${#roots[@]} > 0)); then
    (for major in "${roots[@]}"; do
        bash "$pg_root" setup "$major" >/dev/null 2>"$logs/$major.prefetch.log" || true
    done) &
    prefetch=$!
fi

# A stage's cell in the summary: its counts, and FAILED when it failed; - if it did not run.
cell() {
    local major=$1 name=$2 status
    status=$(cat "$logs/$major.$name.status" 2>/dev/null || echo -)
    case "$name" in
    setup)
        # Made (in the background or here) or found working in the cache.
        local made
        made=$(cat "$logs/$major.prefetch.log" "$logs/$major.setup.log" 2>/dev/null |
            grep -oE 'ready in [0-9]+ s' | grep -oE '[0-9]+' | head -1 || true)
        [[ "$status" == ok ]] && status=$([[ -n "$made" ]] && echo "made ${made}s" || echo cached)
        ;;
    unit) [[ "$status" != - ]] && status="$(unit_count "$major")$([[ "$status" == FAILED ]] && echo ' FAILED')" ;;
    regress) [[ "$status" != - ]] && status=$(regress_count "$major") ;;
    tap) [[ "$status" != - ]] && status=$(tap_count "$major" tap) ;;
    upgrade) [[ "$status" != - ]] && status="15->$major $(tap_count "$major" upgrade)" ;;
    package) [[ "$status" == ok ]] && status=$([[ "$major" == 15 ]] && echo "deb, dist ok" || echo "deb ok") ;;
    django) [[ "$status" != - ]] && status=$(django_count "$major") ;;
    esac
    echo "$status"
}

failed=0
declare -A outcome elapsed
for major in $majors; do
    start=$SECONDS
    if [[ "$major" == 15 ]]; then
        (test_host) && outcome[$major]=ok || outcome[$major]=FAILED
    else
        (test_in_root "$major") && outcome[$major]=ok || outcome[$major]=FAILED
    fi
    [[ "${outcome[$major]}" == ok ]] || failed=1
    elapsed[$major]="$(((SECONDS - start) / 60))m$(printf '%02d' $(((SECONDS - start) % 60)))s"
done

[[ -n "${prefetch:-}" ]] && wait "$prefetch"

echo
echo "== summary"
format='%-6s %-7s %-11s %-6s %-14s %-16s %-26s %-32s %-10s %-16s %-13s %s\n'
# shellcheck disable=SC2059
printf "$format" major result "root" build unit regress TAP pg_upgrade monitoring django package time
for major in $majors; do
    root_cell=host
    [[ "$major" != 15 ]] && root_cell=$(cell "$major" setup)
    # shellcheck disable=SC2059
    printf "$format" "$major" "${outcome[$major]}" "$root_cell" "$(cell "$major" build)" \
        "$(cell "$major" unit)" "$(cell "$major" regress)" "$(cell "$major" tap)" \
        "$(cell "$major" upgrade)" "$(cell "$major" monitoring)" "$(cell "$major" django)" \
        "$(cell "$major" package)" "${elapsed[$major]}"
done
exit "$failed"
