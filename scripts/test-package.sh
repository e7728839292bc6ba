#!/usr/bin/env bash
# Tests what a release is made of:
#  - META.json (PGXN) and debian/changelog carry the control file's default_version (0.5 -> 0.5.0);
#  - `make dist` makes matview_scheduler-<version>.zip from git, holding META.json, LICENSE, the
#    control file and every SQL script;
#  - `make deb` builds the Debian package for PostgreSQL PG_MAJOR (default 15); installed with apt
#    on a PostgreSQL that has no other copy of the extension, it runs a scheduled refresh on a
#    throwaway cluster, and `apt-get remove` takes all of its files away.
# The package test works on the SYSTEM's PostgreSQL: it first deletes the extension's files that
# `make install` left in /usr/lib/postgresql/PG_MAJOR/lib and /usr/share/postgresql/PG_MAJOR/extension
# (so that only the package provides them), and ends with the package removed: the system is left
# WITHOUT the extension (`make install` brings it back).
# Usage (as root, Debian with postgresql-PG_MAJOR, postgresql-server-dev-all and debhelper; the
# tree a git checkout for the dist check):
#   bash scripts/test-package.sh             all of the above
#   bash scripts/test-package.sh --deb-only  only the package (for a tree without .git)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
major=${PG_MAJOR:-15}
package="postgresql-$major-matview-scheduler"
pgbin="/usr/lib/postgresql/$major/bin"
pkglibdir="/usr/lib/postgresql/$major/lib"
extdir="/usr/share/postgresql/$major/extension"
deb_only=false
[[ "${1:-}" == --deb-only ]] && deb_only=true

fail() {
    echo "test-package.sh: FAILED: $*" >&2
    exit 1
}

[[ $EUID -eq 0 ]] || fail "must run as root: it installs and removes the package"
[[ -x "$pgbin/postgres" ]] || fail "no PostgreSQL $major server in $pgbin"

tmp=$(mktemp -d /tmp/matview_scheduler_package.XXXXXX)
chmod 755 "$tmp"
# The test cluster, its socket and its log, in a directory of the user that runs it.
pg="$tmp/pg"
cleanup() {
    if [[ -f "$pg/data/postmaster.pid" ]]; then
        runuser -u postgres -- "$pgbin/pg_ctl" -D "$pg/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    # A failed run leaves no package behind either.
    if [[ "$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)" == installed ]]; then
        apt-get remove -y -q "$package" >/dev/null 2>&1 || echo "test-package.sh: could not remove $package" >&2
    fi
    rm -rf --one-file-system "$tmp"
}
trap cleanup EXIT

# The control file's version, as x.y.z.
control_version=$(sed -nE "s/^default_version *= *'([^']+)'.*/\1/p" "$repo/matview_scheduler.control")
[[ -n "$control_version" ]] || fail "no default_version in matview_scheduler.control"
release_version=$control_version
while [[ "$release_version" =~ ^[0-9]+(\.[0-9]+)?$ ]]; do release_version="$release_version.0"; done

if ! $deb_only; then
    echo "== META.json and debian/changelog against the control file's $control_version"
    /usr/bin/python3 - "$repo" "$release_version" <<'EOF' || fail "release files out of step (above)"
import json, os, re, sys
repo, want = sys.argv[1], sys.argv[2]
errors = []
meta = json.load(open(os.path.join(repo, "META.json")))
for key in ("name", "abstract", "version", "maintainer", "license", "provides", "meta-spec"):
    if key not in meta:
        errors.append(f"META.json has no {key}")
if meta.get("license") != "postgresql":
    errors.append(f"META.json license is {meta.get('license')!r}, not 'postgresql'")
if meta.get("version") != want:
    errors.append(f"META.json version is {meta.get('version')!r}, the control file says {want}")
ext = meta.get("provides", {}).get("matview_scheduler", {})
if ext.get("version") != want:
    errors.append(f"META.json provides.matview_scheduler.version is {ext.get('version')!r}, not {want}")
for key in ("file", "docfile"):
    if not os.path.isfile(os.path.join(repo, ext.get(key, "-"))):
        errors.append(f"META.json provides.matview_scheduler.{key} {ext.get(key)!r} is not a file")
if meta.get("prereqs", {}).get("runtime", {}).get("requires", {}).get("PostgreSQL") != "15.0.0":
    errors.append("META.json does not require PostgreSQL 15.0.0")
first = open(os.path.join(repo, "debian/changelog")).readline()
m = re.match(r"\S+ \(([^)-]+)-[^)]+\)", first)
if not m or m.group(1) != want:
    errors.append(f"debian/changelog's version is {m.group(1) if m else '?'}, not {want}")
for e in errors:
    print(e, file=sys.stderr)
sys.exit(1 if errors else 0)
EOF
    echo "ok: META.json and debian/changelog say $release_version"

    echo "== make dist"
    git -C "$repo" rev-parse --verify -q HEAD >/dev/null ||
        fail "$repo is not a git checkout: make dist archives HEAD (--deb-only skips this)"
    make -s -C "$repo" dist DIST_DIR="$tmp" >/dev/null || fail "make dist"
    zip="$tmp/matview_scheduler-$release_version.zip"
    [[ -f "$zip" ]] || fail "make dist made no $(basename "$zip")"
    mapfile -t want_files < <(cd "$repo" && git ls-files 'matview_scheduler--*.sql' &&
        echo META.json && echo LICENSE && echo matview_scheduler.control)
    /usr/bin/python3 - "$zip" "matview_scheduler-$release_version/" "${want_files[@]}" <<'EOF' ||
import sys, zipfile
zip_path, prefix, want = sys.argv[1], sys.argv[2], sys.argv[3:]
names = set(zipfile.ZipFile(zip_path).namelist())
missing = [prefix + f for f in want if prefix + f not in names]
outside = [n for n in names if not n.startswith(prefix)]
for m in missing:
    print(f"missing from the archive: {m}", file=sys.stderr)
if outside:
    print(f"{len(outside)} files outside {prefix}, such as {sorted(outside)[0]}", file=sys.stderr)
sys.exit(1 if missing or outside else 0)
EOF
        fail "the dist archive (above)"
    echo "ok: $(basename "$zip") holds ${#want_files[@]} release files under matview_scheduler-$release_version/"
fi

echo "== make deb (PostgreSQL $major)"
if ! PG_SUPPORTED_VERSIONS=$major make -C "$repo" deb DEB_DIR="$tmp/deb" >"$tmp/deb.log" 2>&1; then
    tail -n 60 "$tmp/deb.log"
    fail "make deb"
fi
debs=("$tmp/deb/${package}_${release_version}-"*.deb)
[[ ${#debs[@]} -eq 1 && -f "${debs[0]}" ]] || fail "make deb made no single ${package}_${release_version}-*.deb: $(ls "$tmp/deb")"
echo "ok: $(basename "${debs[0]}")"

echo "== apt-get install on a PostgreSQL $major without the extension"
if [[ "$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)" == installed ]]; then
    apt-get remove -y -q "$package" >/dev/null
fi
rm -f "$pkglibdir/matview_scheduler.so" "$extdir"/matview_scheduler.control "$extdir"/matview_scheduler--*.sql
rm -rf "$pkglibdir/bitcode/matview_scheduler" "$pkglibdir/bitcode/matview_scheduler.index.bc"
if ! (cd "$tmp/deb" && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    "./$(basename "${debs[0]}")") >"$tmp/apt.log" 2>&1; then
    cat "$tmp/apt.log"
    fail "apt-get install"
fi
mapfile -t files < <(dpkg -L "$package" | while read -r f; do [[ -f "$f" ]] && echo "$f"; done)
for f in "$pkglibdir/matview_scheduler.so" "$extdir/matview_scheduler.control" "$extdir/matview_scheduler--0.1.sql"; do
    [[ "$(dpkg -S "$f" 2>/dev/null | cut -d: -f1)" == "$package" ]] || fail "$f is not installed by $package"
done
echo "ok: $package installed, ${#files[@]} files"

echo "== a scheduled refresh with the packaged extension"
mkdir "$pg"
chown postgres:postgres "$pg"
as_postgres=(runuser -u postgres -- env -u PGHOST -u PGHOSTADDR -u PGPORT -u PGUSER -u PGDATABASE
    -u PGSERVICE -u PGPASSWORD -u PGOPTIONS LC_ALL=C.UTF-8)
"${as_postgres[@]}" "$pgbin/initdb" -D "$pg/data" -A trust --no-sync >"$pg/initdb.log" 2>&1 ||
    { cat "$pg/initdb.log"; fail "initdb"; }
cat >>"$pg/data/postgresql.conf" <<EOF
listen_addresses = ''
unix_socket_directories = '$pg'
shared_preload_libraries = 'matview_scheduler'
EOF
"${as_postgres[@]}" "$pgbin/pg_ctl" -D "$pg/data" -l "$pg/server.log" -w start >/dev/null ||
    { cat "$pg/server.log"; fail "the cluster did not start"; }
psql() { "${as_postgres[@]}" "$pgbin/psql" -X -q -A -t -v ON_ERROR_STOP=1 -h "$pg" -d postgres "$@"; }

version=$(psql -c "CREATE EXTENSION matview_scheduler" \
    -c "SELECT extversion FROM pg_extension WHERE extname = 'matview_scheduler'") || fail "CREATE EXTENSION"
[[ "$version" == "$control_version" ]] || fail "CREATE EXTENSION made version $version, not $control_version"
# The view counts one row; the table has two when the schedule starts.
psql -c "CREATE TABLE items (id int)" -c "INSERT INTO items VALUES (1)" \
    -c "CREATE MATERIALIZED VIEW item_count AS SELECT count(*) AS n FROM items" \
    -c "INSERT INTO items VALUES (2)" \
    -c "SELECT schedule_refresh('item_count', 'every 1 second')" >/dev/null || fail "schedule_refresh"
deadline=$((SECONDS + 60))
until [[ "$(psql -c "SELECT s.last_status = 'succeeded' AND v.n = 2
        FROM matview_scheduler.status s, item_count v WHERE s.view = 'item_count'::regclass")" == t ]]; do
    if ((SECONDS > deadline)); then
        psql -c "SELECT * FROM matview_scheduler.status" -c "SELECT * FROM item_count" || true
        tail -n 30 "$pg/server.log"
        fail "no successful scheduled refresh within 60 s"
    fi
    sleep 0.2
done
echo "ok: the scheduler refreshed item_count"
psql -c "DROP EXTENSION matview_scheduler" || fail "DROP EXTENSION"
"${as_postgres[@]}" "$pgbin/pg_ctl" -D "$pg/data" -w stop >/dev/null || fail "pg_ctl stop"

echo "== apt-get remove"
if ! DEBIAN_FRONTEND=noninteractive apt-get remove -y -q "$package" >"$tmp/apt.log" 2>&1; then
    cat "$tmp/apt.log"
    fail "apt-get remove"
fi
for f in "${files[@]}"; do
    [[ ! -e "$f" ]] || fail "$f is still there after apt-get remove"
done
shopt -s nullglob
left=("$pkglibdir"/matview_scheduler* "$extdir"/matview_scheduler*)
((${#left[@]} == 0)) || fail "left after apt-get remove: ${left[*]}"
echo "ok: $package removed, none of its ${#files[@]} files left"
