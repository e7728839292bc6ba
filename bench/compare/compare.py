#!/usr/bin/env python3
"""matview_scheduler and pg_cron, side by side, on two running clusters.

Started by bench/run.sh, which owns the clusters (starts, stops, removes them). This program only
talks to them through psql over their Unix sockets, and reads /proc for the scheduler processes'
CPU time and memory. Every wait has a deadline; nothing runs for ever.

When a refresh really starts is measured inside the refresh: each materialized view selects
note_start(tag), a VOLATILE SQL function that inserts clock_timestamp() into the table `starts`.
REFRESH MATERIALIZED VIEW runs the view's query as an ordinary query (as the view's owner, in a
security-restricted operation, which forbids temporary tables and the like but not writing to a
table), so the row is written in the refresh's own transaction and is there once it commits.
Some views also select note_proc(), which then stores the process's backend_start from
pg_stat_activity, to show how much of the delay is starting a process.

Standard library only (python3 on Debian 12).
"""

import argparse
import datetime
import math
import os
import platform
import re
import subprocess
import sys
import time

# ---------------------------------------------------------------------------------------------
# Settings (environment)


def env_int(name, default, minimum=1):
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        sys.exit(f"compare.py: {name} must be an integer, not {raw!r}")
    if value < minimum:
        sys.exit(f"compare.py: {name} must be at least {minimum}")
    return value


LATENCY_S = env_int("BENCH_LATENCY_S", 60, 5)  # workload 1: every-second schedule, ours
CRON_MINUTELY_RUNS = env_int("BENCH_CRON_MINUTELY_RUNS", 5, 1)  # workload 1: pg_cron minutely
DRIFT_S = env_int("BENCH_DRIFT_S", 120, 10)  # workload 2
BURST_VIEWS = env_int("BENCH_BURST_VIEWS", 500)  # workload 3
IDLE_SCHEDULES = env_int("BENCH_IDLE_SCHEDULES", 10000)  # workloads 4 and 6
CPU_S = env_int("BENCH_CPU_S", 60, 5)  # workload 4
BIG_SCHEDULES = env_int("BENCH_BIG_SCHEDULES", 100000)  # workload 5
DUE_CHECK_S = env_int("BENCH_DUE_CHECK_S", 10, 3)  # workload 5 and the paused check

VIEW_BATCH = 2000  # materialized views created per transaction
CLK_TCK = os.sysconf("SC_CLK_TCK")

T0 = time.monotonic()


# results.md keeps everything from this heading on when the benchmark rewrites the table above it.
BREAKDOWN_HEADING = "## Where the time goes"


def log(msg):
    print(f"[{time.monotonic() - T0:6.1f} s] {msg}", flush=True)


# ---------------------------------------------------------------------------------------------
# psql


class SqlError(Exception):
    pass


class Cluster:
    def __init__(self, label, bindir, host, port):
        self.label = label
        self.bindir = bindir
        self.host = host
        self.port = port

    def _run(self, sql, db, extra, timeout):
        cmd = [os.path.join(self.bindir, "psql"), "-X", "-q", "-At", "-F", "\x1f",
               "-v", "ON_ERROR_STOP=1", "-h", self.host, "-p", str(self.port),
               "-U", "postgres", "-d", db] + extra + ["-f", "-"]
        proc = subprocess.run(cmd, input=sql, capture_output=True, text=True, timeout=timeout)
        if proc.returncode != 0:
            raise SqlError(f"{self.label}: psql failed ({proc.returncode}): "
                           f"{proc.stderr.strip()}\nSQL: {sql[:500]}")
        return proc.stdout

    def rows(self, sql, db="bench", timeout=600):
        out = self._run(sql, db, [], timeout)
        return [line.split("\x1f") for line in out.splitlines() if line != ""]

    def value(self, sql, db="bench", timeout=600):
        rows = self.rows(sql, db, timeout)
        return rows[0][0] if rows else None

    def exec(self, sql, db="bench", timeout=600):
        self._run(sql, db, [], timeout)

    def timed(self, sql, db="bench", timeout=600):
        """Runs the script with \\timing on; returns the summed server round trips in ms."""
        out = self._run("\\timing on\n" + sql, db, [], timeout)
        times = [float(m.group(1)) for m in re.finditer(r"^Time: ([0-9.]+) ms", out, re.M)]
        if not times:
            raise SqlError(f"{self.label}: no timing in psql output: {out[:300]}")
        return sum(times)


def wait_until(what, predicate, timeout_s, interval_s=0.25):
    deadline = time.monotonic() + timeout_s
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() >= deadline:
            raise TimeoutError(f"gave up after {timeout_s} s waiting for {what}")
        time.sleep(interval_s)


def sleep_until_monotonic(t):
    delay = t - time.monotonic()
    if delay > 0:
        time.sleep(delay)


# ---------------------------------------------------------------------------------------------
# /proc


def proc_cpu_ns(pid):
    """CPU time (user + system) of a process in ns: schedstat where it is kept, else stat ticks."""
    try:
        with open(f"/proc/{pid}/schedstat") as f:
            ns = int(f.read().split()[0])
        if ns > 0:
            return ns
    except (OSError, ValueError, IndexError):
        pass
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # fields[0] is field 3 (state); utime and stime are fields 14 and 15.
    return (int(fields[11]) + int(fields[12])) * 1_000_000_000 // CLK_TCK


def proc_status(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, rest = line.partition(":")
            parts = rest.split()
            if parts and parts[0].isdigit():
                out[key] = int(parts[0])
    return out


def system_busy_ms():
    """CPU time all CPUs spent busy since boot (ms), from /proc/stat."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal ...
    busy = fields[0] + fields[1] + fields[2] + sum(fields[5:8])
    return busy * 1000.0 / CLK_TCK


def mb(kb):
    return kb / 1024.0


# ---------------------------------------------------------------------------------------------
# Statistics


def percentile(values, p):
    """Nearest-rank percentile."""
    s = sorted(values)
    rank = max(1, math.ceil(p / 100.0 * len(s)))
    return s[rank - 1]


def fmt_ms(x):
    if x is None:
        return "-"
    if abs(x) >= 100:
        return f"{x:.0f} ms"
    return f"{x:.1f} ms"


def verdict(ok):
    return "**meets**" if ok else "**misses**"


# ---------------------------------------------------------------------------------------------
# Common SQL

SETUP_SQL = r"""
CREATE TABLE starts (tag text NOT NULL, ts timestamptz NOT NULL, pid int NOT NULL,
                     backend_start timestamptz);
CREATE INDEX ON starts (tag, ts);
-- The moment the view's query runs. Qualified: from PostgreSQL 17 REFRESH runs the query with
-- search_path = pg_catalog, pg_temp.
CREATE FUNCTION note_start(tag text) RETURNS int LANGUAGE sql VOLATILE AS $$
    INSERT INTO public.starts (tag, ts, pid) VALUES (tag, clock_timestamp(), pg_backend_pid());
    SELECT 1
$$;
-- Called after note_start in the same query: when this process was started.
CREATE FUNCTION note_proc() RETURNS int LANGUAGE sql VOLATILE AS $$
    UPDATE public.starts SET backend_start = (SELECT a.backend_start FROM pg_stat_activity a
                                               WHERE a.pid = pg_backend_pid())
     WHERE pid = pg_backend_pid() AND backend_start IS NULL;
    SELECT 1
$$;
"""


def create_probe_view(c, name, tag, with_proc=True):
    cols = f"public.note_start('{tag}') AS x" + (", public.note_proc() AS y" if with_proc else "")
    c.exec(f"CREATE MATERIALIZED VIEW {name} AS SELECT {cols} WITH NO DATA;")


def create_plain_views(c, prefix, first, last, guard=None):
    """Materialized views prefix<first..last> selecting a constant, VIEW_BATCH per transaction."""
    i = first
    while i <= last:
        j = min(last, i + VIEW_BATCH - 1)
        if guard:
            guard()
        c.exec(f"""DO $$ BEGIN
  FOR i IN {i}..{j} LOOP
    EXECUTE format('CREATE MATERIALIZED VIEW {prefix}%s AS SELECT 1 AS x WITH NO DATA', i);
  END LOOP; END $$;""", timeout=1200)
        i = j + 1


def server_epoch(c):
    return float(c.value("SELECT extract(epoch FROM clock_timestamp())"))


def utc(epoch):
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc)


def far_cron_line(c):
    """A daily cron line (UTC) whose next run is at least an hour away."""
    hour = int(c.value("SELECT extract(hour FROM clock_timestamp() AT TIME ZONE 'UTC')"))
    return f"0 {(hour + 2) % 24} * * *"


# ---------------------------------------------------------------------------------------------
# The benchmark


class Bench:
    def __init__(self, args):
        self.mvs = Cluster("matview_scheduler", args.bindir, args.host, args.mvs_port)
        self.cron = Cluster("pg_cron", args.bindir, args.host, args.cron_port)
        self.results = args.results
        self.cron_pkg_name = args.cron_package
        self.command = args.command
        self.cells = {}  # (workload, side) -> text
        self.notes = []
        self.cron_seconds = False
        self.cron_seconds_error = "?"
        self.cron_minutely_scheduled_at = None
        self.pg_version = self.cron_version = self.cron_pkg = "?"
        self.mvs_cold_rows = []  # runs of matview_scheduler in a process started for them

    # -- processes ----------------------------------------------------------------------------

    def mvs_scheduler_pid(self):
        return int(wait_until(
            "the matview_scheduler scheduler of database bench",
            lambda: self.mvs.value("SELECT pid FROM pg_stat_activity WHERE backend_type = "
                                   "'matview_scheduler scheduler' AND datname = 'bench'"),
            30))

    def cron_launcher_pid(self):
        return int(wait_until(
            "the pg_cron launcher",
            lambda: self.cron.value("SELECT pid FROM pg_stat_activity "
                                    "WHERE backend_type = 'pg_cron launcher'"),
            30))

    def wait_idle(self, c, pid, settle_s=2.0):
        """Waits until the process has been idle (waiting on its latch) for settle_s."""
        def idle():
            state = c.value(f"SELECT coalesce(state, '') || '/' || coalesce(wait_event, '') "
                            f"FROM pg_stat_activity WHERE pid = {pid}")
            return state is not None and state.split("/")[0] in ("idle", "")
        wait_until(f"process {pid} to go idle", idle, 120, 0.2)
        time.sleep(settle_s)

    def cpu_window(self, pid, seconds):
        """CPU ms and voluntary context switches (sleeps) of pid over `seconds`."""
        cpu0, sw0 = proc_cpu_ns(pid), proc_status(pid).get("voluntary_ctxt_switches", 0)
        time.sleep(seconds)
        cpu1, sw1 = proc_cpu_ns(pid), proc_status(pid).get("voluntary_ctxt_switches", 0)
        return (cpu1 - cpu0) / 1e6, sw1 - sw0

    # -- setup --------------------------------------------------------------------------------

    def setup(self):
        log("setup: databases, extensions, the starts table")
        for c, ext in ((self.mvs, "matview_scheduler"), (self.cron, "pg_cron")):
            c.exec("CREATE DATABASE bench;", db="postgres")
            c.exec(f"CREATE EXTENSION {ext};\n" + SETUP_SQL)
        self.mvs_pid = self.mvs_scheduler_pid()
        self.cron_pid = self.cron_launcher_pid()
        self.mvs_rss_empty = proc_status(self.mvs_pid)
        self.cron_rss_empty = proc_status(self.cron_pid)
        self.pg_version = self.mvs.value("SHOW server_version")
        self.cron_version = self.cron.value(
            "SELECT extversion FROM pg_extension WHERE extname = 'pg_cron'")
        self.cron_pkg = subprocess.run(
            ["dpkg-query", "-W", "-f=${Version}", self.cron_pkg_name],
            capture_output=True, text=True).stdout.strip() or "?"
        # pg_cron 1.5 added '[1-59] seconds' schedules; 1.4 refuses them.
        try:
            self.cron.exec("BEGIN; SELECT cron.schedule('probe', '1 seconds', 'SELECT 1'); "
                           "ROLLBACK;")
            self.cron_seconds = True
        except SqlError as e:
            self.cron_seconds = False
            self.cron_seconds_error = str(e).split("ERROR:")[-1].strip().splitlines()[0]
        log(f"PostgreSQL {self.pg_version}; pg_cron {self.cron_version} (package "
            f"{self.cron_pkg}), seconds schedules: {'yes' if self.cron_seconds else 'no'}")

    # -- workload 1: start latency -------------------------------------------------------------

    def latency_rows_mvs(self, view, tag, since_epoch):
        """Per run: query start, runs.started, process start, finish; ms after due time."""
        return [tuple(float(x) if x != "" else None for x in r) for r in self.mvs.rows(f"""
SELECT extract(epoch FROM s.ts - r.scheduled_for) * 1000,
       extract(epoch FROM r.started - r.scheduled_for) * 1000,
       extract(epoch FROM s.backend_start - r.scheduled_for) * 1000,
       extract(epoch FROM r.finished - r.scheduled_for) * 1000
  FROM starts s
  JOIN LATERAL (SELECT * FROM matview_scheduler.runs r
                 WHERE r.view = '{view}'::regclass AND r.scheduled_for <= s.ts
                 ORDER BY r.scheduled_for DESC LIMIT 1) r ON true
 WHERE s.tag = '{tag}' AND s.ts >= to_timestamp({since_epoch})
 ORDER BY s.ts""")]

    def every_second_mvs(self, view, tag, seconds):
        """Schedules view '* * * * * *' for `seconds`, then unschedules it; returns its runs."""
        since = server_epoch(self.mvs)
        self.mvs.exec(f"SELECT schedule_refresh('{view}', '* * * * * *');")
        time.sleep(seconds)
        self.mvs.exec(f"SELECT unschedule_refresh('{view}');")
        self.wait_mvs_runs_done(view)
        return self.latency_rows_mvs(view, tag, since)

    def wait_mvs_runs_done(self, view_pattern_sql):
        wait_until("refreshes to finish", lambda: self.mvs.value(
            f"SELECT count(*) = 0 FROM matview_scheduler.runs "
            f"WHERE status = 'running' AND view::text LIKE '{view_pattern_sql}'") == "t", 60)

    def split_runs(self, rows):
        """Runs in a process started for them (backend_start after the due time) and runs taken
        by a worker that was already up (a warm pool worker)."""
        cold = [r for r in rows if r[2] is not None and r[2] >= 0]
        warm = [r for r in rows if r[2] is not None and r[2] < 0]
        self.mvs_cold_rows.extend(cold)
        return cold, warm

    def w1_mvs(self):
        log(f"1. start latency, matview_scheduler: '* * * * * *' for {LATENCY_S} s")
        create_probe_view(self.mvs, "lat", "lat")
        rows = self.every_second_mvs("lat", "lat", LATENCY_S)
        q = [r[0] for r in rows]
        p50, p99 = percentile(q, 50), percentile(q, 99)
        sched = percentile([r[1] for r in rows], 50)
        fin = percentile([r[3] for r in rows if r[3] is not None], 50)
        cold, warm = self.split_runs(rows)
        kinds = []
        if warm:
            kinds.append(f"{len(warm)} in a warm pool worker (query p50 "
                         f"{fmt_ms(percentile([r[0] for r in warm], 50))})")
        if cold:
            kinds.append(f"{len(cold)} in a process started for the run (process up p50 "
                         f"{fmt_ms(percentile([r[2] for r in cold], 50))}, query p50 "
                         f"{fmt_ms(percentile([r[0] for r in cold], 50))})")
        self.cells[(1, "mvs")] = (
            f"`'* * * * * *'`: p50 {fmt_ms(p50)}, p99 {fmt_ms(p99)}, max {fmt_ms(max(q))} "
            f"(n={len(q)}) {verdict(p50 <= 2 and p99 <= 10)}<br>p50 of the steps: runs.started "
            f"{fmt_ms(sched)}, query {fmt_ms(p50)}, run finished {fmt_ms(fin)}"
            f"<br>runs: " + "; ".join(kinds))
        self.w1_mvs_steps = (sched, p50, len(warm), len(cold))
        log(f"   p50 {p50:.1f} ms p99 {p99:.1f} ms (runs.started {sched:.1f}; warm {len(warm)}, "
            f"new process {len(cold)})")

    def start_cron_minutely(self):
        create_probe_view(self.cron, "cronmin", "cronmin")
        self.cron.exec("SELECT cron.schedule('cronmin', '* * * * *', "
                       "'REFRESH MATERIALIZED VIEW cronmin');")
        self.cron_minutely_scheduled_at = time.monotonic()
        log("   pg_cron minutely job scheduled; it runs while matview_scheduler is measured")

    def quiet_minute_boundary(self):
        """Keeps heavy work on the matview_scheduler cluster away from the minute boundaries,
        where pg_cron's minutely job is being measured."""
        if self.cron_minutely_scheduled_at is None:
            return
        sec = server_epoch(self.mvs) % 60
        if sec >= 56:
            time.sleep(60 - sec + 1.5)
        elif sec < 1.5:
            time.sleep(1.5 - sec)

    def finish_cron_minutely(self):
        def samples():
            return int(self.cron.value("SELECT count(*) FROM starts WHERE tag = 'cronmin'"))
        if samples() < CRON_MINUTELY_RUNS:
            log(f"   waiting for {CRON_MINUTELY_RUNS} runs of pg_cron's minutely job "
                f"(have {samples()})")
        wait_until("pg_cron minutely samples", lambda: samples() >= CRON_MINUTELY_RUNS,
                   60 * (CRON_MINUTELY_RUNS + 2), 1.0)
        self.cron.exec("SELECT cron.unschedule('cronmin');")
        self.cron_minutely_scheduled_at = None
        time.sleep(1)
        rows = [tuple(float(x) if x != "" else None for x in r) for r in self.cron.rows("""
SELECT extract(epoch FROM s.ts - date_trunc('minute', s.ts)) * 1000,
       extract(epoch FROM s.backend_start - date_trunc('minute', s.ts)) * 1000,
       (SELECT extract(epoch FROM d.start_time - date_trunc('minute', s.ts)) * 1000
          FROM cron.job_run_details d WHERE d.job_pid = s.pid
          ORDER BY d.runid DESC LIMIT 1)
  FROM starts s WHERE s.tag = 'cronmin' ORDER BY s.ts""")]
        q = [r[0] for r in rows]
        p50, p99 = percentile(q, 50), percentile(q, 99)
        proc = percentile([r[1] for r in rows if r[1] is not None], 50)
        own = [r[2] for r in rows if r[2] is not None]
        own50 = percentile(own, 50) if own else None
        text = (f"minutely `'* * * * *'`: p50 {fmt_ms(p50)}, p99 {fmt_ms(p99)}, "
                 f"max {fmt_ms(max(q))} (n={len(q)}) {verdict(p50 <= 2 and p99 <= 10)}"
                 f"<br>p50 of the steps: job_run_details.start_time {fmt_ms(own50)}, worker "
                 f"process started {fmt_ms(proc)}, query {fmt_ms(p50)}")
        self.cells[(1, "cron_min")] = text
        log(f"   pg_cron minutely: p50 {p50:.1f} ms p99 {p99:.1f} ms (n={len(q)})")

    def w1_cron_seconds(self):
        if not self.cron_seconds:
            return
        log(f"1. start latency, pg_cron: '1 seconds' for {LATENCY_S} s")
        create_probe_view(self.cron, "lat", "lat")
        since = server_epoch(self.cron)
        self.cron.exec("SELECT cron.schedule('lat', '1 seconds', 'REFRESH MATERIALIZED VIEW lat');")
        time.sleep(LATENCY_S)
        self.cron.exec("SELECT cron.unschedule('lat');")
        time.sleep(2)
        q = [float(r[0]) for r in self.cron.rows(f"""
SELECT extract(epoch FROM ts - date_trunc('second', ts)) * 1000 FROM starts
 WHERE tag = 'lat' AND ts >= to_timestamp({since})""")]
        self.cells[(1, "cron_sec")] = (
            f"`'1 seconds'`, offset from the whole second: p50 {fmt_ms(percentile(q, 50))}, "
            f"p99 {fmt_ms(percentile(q, 99))} (n={len(q)})")

    # -- workload 2: every second, drift ------------------------------------------------------

    def drift_stats(self, c, tag, since):
        ts = [float(r[0]) for r in c.rows(f"""
SELECT extract(epoch FROM ts) FROM starts
 WHERE tag = '{tag}' AND ts >= to_timestamp({since}) ORDER BY ts""")]
        if len(ts) < 2:
            return None
        # DRIFT_S seconds of a 1 s schedule hold DRIFT_S starts, the last one DRIFT_S - 1 s
        # after the first; half a second of slack either way absorbs start-time jitter.
        window = [t for t in ts if t <= ts[0] + DRIFT_S - 0.5]
        n = len(window)
        gaps = [(b - a) * 1000 for a, b in zip(window, window[1:])]
        mean = (window[-1] - window[0]) * 1000 / (n - 1)
        total = (window[-1] - window[0]) * 1000 - (n - 1) * 1000
        return n, mean, total, min(gaps), max(gaps)

    def drift_cell(self, stats):
        if stats is None:
            return "fewer than 2 runs"
        n, mean, total, lo, hi = stats
        ok = abs(n - DRIFT_S) <= 1 and abs(mean - 1000) < 1.0
        return (f"{n} runs in {DRIFT_S} s, mean interval {mean:.2f} ms, drift "
                f"{mean - 1000:+.2f} ms per run ({total:+.0f} ms over the window), intervals "
                f"{lo:.0f}..{hi:.0f} ms {verdict(ok)}")

    def w2(self):
        log(f"2. 'every 1 second' for {DRIFT_S} s" +
            (" on both clusters at once" if self.cron_seconds else " (matview_scheduler only)"))
        create_probe_view(self.mvs, "drift", "drift")
        since_m = server_epoch(self.mvs)
        self.mvs.exec("SELECT schedule_refresh('drift', 'every 1 second');")
        if self.cron_seconds:
            create_probe_view(self.cron, "drift", "drift")
            since_c = server_epoch(self.cron)
            self.cron.exec("SELECT cron.schedule('drift', '1 seconds', "
                           "'REFRESH MATERIALIZED VIEW drift');")
        time.sleep(DRIFT_S + 3)
        self.mvs.exec("SELECT unschedule_refresh('drift');")
        self.wait_mvs_runs_done("drift")
        self.cells[(2, "mvs")] = self.drift_cell(self.drift_stats(self.mvs, "drift", since_m))
        self.split_runs(self.latency_rows_mvs("drift", "drift", since_m))
        if self.cron_seconds:
            self.cron.exec("SELECT cron.unschedule('drift');")
            time.sleep(2)
            self.cells[(2, "cron")] = self.drift_cell(
                self.drift_stats(self.cron, "drift", since_c))
        else:
            self.cells[(2, "cron")] = (f"not supported by pg_cron {self.cron_version}: no "
                                       f"schedule shorter than a minute")
        log(f"   {self.cells[(2, 'mvs')]}")

    # -- workload 3: many views due at once ---------------------------------------------------

    def w3_mvs(self):
        n = BURST_VIEWS
        log(f"3. {n} views due at the same instant, matview_scheduler (max_workers = 8)")
        c = self.mvs
        c.exec(f"""DO $$ BEGIN FOR i IN 1..{n} LOOP
  EXECUTE format('CREATE MATERIALIZED VIEW b%s AS SELECT note_start(''burst'') AS x WITH NO DATA', i);
END LOOP; END $$;""")
        # A whole second 5 to 6 s ahead, away from the minute boundary (pg_cron's minutely job).
        now = server_epoch(c)
        t = math.floor(now) + 6
        if t % 60 >= 45 or t % 60 < 3:
            t = t - t % 60 + 63 if t % 60 >= 45 else t - t % 60 + 3
        ts = utc(t).isoformat()
        c.exec(f"""BEGIN;
SELECT count(schedule_refresh(format('b%s', i)::regclass, 'once', start_at => '{ts}'))
  FROM generate_series(1, {n}) i;
COMMIT;""")
        sleep_until_monotonic(time.monotonic() + max(0.0, t - server_epoch(c)))
        busy0, sched0 = system_busy_ms(), proc_cpu_ns(self.mvs_pid)
        wait_until(f"{n} refreshes to finish", lambda: c.value(f"""
SELECT count(*) FROM matview_scheduler.runs
 WHERE scheduled_for = '{ts}' AND status <> 'running'""") == str(n), 300, 0.5)
        busy = system_busy_ms() - busy0
        sched = (proc_cpu_ns(self.mvs_pid) - sched0) / 1e6
        r = c.rows(f"""
SELECT (SELECT count(*) FROM starts WHERE tag = 'burst' AND ts >= '{ts}'::timestamptz - interval '1 s'),
       (SELECT extract(epoch FROM min(ts) - '{ts}'::timestamptz) * 1000 FROM starts WHERE tag = 'burst'),
       (SELECT extract(epoch FROM max(ts) - '{ts}'::timestamptz) * 1000 FROM starts WHERE tag = 'burst'),
       extract(epoch FROM max(finished) - '{ts}'::timestamptz) * 1000,
       count(*) FILTER (WHERE status <> 'succeeded')
  FROM matview_scheduler.runs WHERE scheduled_for = '{ts}'""")[0]
        started, first, last, fin, failed = int(r[0]), float(r[1]), float(r[2]), float(r[3]), int(r[4])
        self.cells[(3, "mvs")] = self.burst_cell(n, started, first, last, fin, failed, busy,
                                                 "scheduler", sched)
        c.exec(f"SELECT count(unschedule_refresh(format('b%s', i)::regclass)) "
               f"FROM generate_series(1, {n}) i;")
        log(f"   {self.cells[(3, 'mvs')]}")

    def burst_cell(self, n, started, first, last, fin, failed, busy_ms, what, sched_ms):
        ok = started == n and failed == 0 and last <= 1000 and fin <= 1000
        return (f"{started}/{n} started; first start +{fmt_ms(first)}, last start "
                f"+{fmt_ms(last)}, last finish +{fmt_ms(fin)}"
                + (f", {failed} failed" if failed else "") + f" {verdict(ok)}<br>machine CPU "
                f"busy from T until all had finished: {busy_ms / 1000:.1f} s of "
                f"{os.cpu_count()} CPUs, {busy_ms / n:.1f} ms per refresh, of which the "
                f"{what} process {sched_ms / n:.1f} ms")

    def w3_cron(self):
        n = BURST_VIEWS
        log(f"3. {n} views due at the same instant, pg_cron (cron.max_running_jobs = 32)")
        c = self.cron
        c.exec(f"""DO $$ BEGIN FOR i IN 1..{n} LOOP
  EXECUTE format('CREATE MATERIALIZED VIEW b%s AS SELECT note_start(''burst'') AS x WITH NO DATA', i);
END LOOP; END $$;""")
        # pg_cron runs jobs on minute boundaries (UTC): the next one at least 8 s ahead.
        now = server_epoch(c)
        t = (math.floor(now + 8) // 60 + 1) * 60
        d = utc(t)
        line = f"{d.minute} {d.hour} {d.day} {d.month} *"
        ts = d.isoformat()
        c.exec(f"""BEGIN;
SELECT count(cron.schedule(format('b%s', i), '{line}', format('REFRESH MATERIALIZED VIEW b%s', i)))
  FROM generate_series(1, {n}) i;
COMMIT;""")
        log(f"   due at {d.strftime('%H:%M:%S')} UTC, in {t - now:.0f} s")
        time.sleep(max(0.0, t - server_epoch(c)))
        busy0, sched0 = system_busy_ms(), proc_cpu_ns(self.cron_pid)
        wait_until(f"{n} pg_cron jobs to finish", lambda: c.value(f"""
SELECT count(*) FROM cron.job_run_details d JOIN cron.job j USING (jobid)
 WHERE j.jobname LIKE 'b%' AND d.status IN ('succeeded', 'failed')""") == str(n), 600, 0.5)
        busy = system_busy_ms() - busy0
        sched = (proc_cpu_ns(self.cron_pid) - sched0) / 1e6
        r = c.rows(f"""
SELECT (SELECT count(*) FROM starts WHERE tag = 'burst' AND ts >= '{ts}'::timestamptz - interval '1 s'),
       (SELECT extract(epoch FROM min(ts) - '{ts}'::timestamptz) * 1000 FROM starts WHERE tag = 'burst'),
       (SELECT extract(epoch FROM max(ts) - '{ts}'::timestamptz) * 1000 FROM starts WHERE tag = 'burst'),
       extract(epoch FROM max(d.end_time) - '{ts}'::timestamptz) * 1000,
       count(*) FILTER (WHERE d.status <> 'succeeded')
  FROM cron.job_run_details d JOIN cron.job j USING (jobid) WHERE j.jobname LIKE 'b%'""")[0]
        started, first, last, fin, failed = int(r[0]), float(r[1]), float(r[2]), float(r[3]), int(r[4])
        self.cells[(3, "cron")] = self.burst_cell(n, started, first, last, fin, failed, busy,
                                                  "launcher", sched)
        c.exec("SELECT count(cron.unschedule(jobid)) FROM cron.job WHERE jobname LIKE 'b%';")
        log(f"   {self.cells[(3, 'cron')]}")

    # -- workload 6 (then 4): many schedules in one transaction --------------------------------

    def w6_mvs(self):
        n = IDLE_SCHEDULES
        c = self.mvs
        log(f"6. schedule_refresh for {n} views in one transaction, matview_scheduler")
        # All the views workload 5 needs, now: creating them gives the refresh workers of the
        # earlier workloads time to exit before workload 4 measures an idle scheduler.
        create_plain_views(c, "i", 1, max(n, BIG_SCHEDULES), self.quiet_minute_boundary)
        line = far_cron_line(c)
        self.quiet_minute_boundary()
        ms = c.timed(f"""BEGIN;
SELECT count(schedule_refresh(format('i%s', i)::regclass, '{line}', timezone => 'UTC'))
  FROM generate_series(1, {n}) i;
COMMIT;""")
        self.cells[(6, "mvs")] = f"{ms / 1000:.2f} s ({ms / n * 1000:.0f} us per call) {verdict(ms < 5000)}"
        log(f"   {self.cells[(6, 'mvs')]}")

    def w6_cron(self):
        n = IDLE_SCHEDULES
        c = self.cron
        log(f"6. cron.schedule for {n} jobs in one transaction, pg_cron")
        line = far_cron_line(c)
        ms = c.timed(f"""BEGIN;
SELECT count(cron.schedule(format('i%s', i), '{line}', format('REFRESH MATERIALIZED VIEW i%s', i)))
  FROM generate_series(1, {n}) i;
COMMIT;""")
        self.cells[(6, "cron")] = f"{ms / 1000:.2f} s ({ms / n * 1000:.0f} us per call) {verdict(ms < 5000)}"
        log(f"   {self.cells[(6, 'cron')]}")

    def w4(self, side):
        c, pid = (self.mvs, self.mvs_pid) if side == "mvs" else (self.cron, self.cron_pid)
        what = "scheduler" if side == "mvs" else "launcher"
        log(f"4. {IDLE_SCHEDULES} schedules, none due for an hour: {c.label} {what} CPU "
            f"over {CPU_S} s")
        drained = ""
        if side == "mvs":
            # Warm refresh workers leave after a minute idle, and the scheduler is woken when
            # one does: measure the steady state after that.
            t = time.monotonic()
            wait_until("idle refresh workers to exit", lambda: c.value(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE backend_type = 'matview_scheduler refresh'") == "0", 180, 1.0)
            drained = f" (measured once the idle refresh workers had exited)"
            log(f"   refresh workers gone after {time.monotonic() - t:.0f} s more")
        self.wait_idle(c, pid, 3.0)
        cpu_ms, sleeps = self.cpu_window(pid, CPU_S)
        st = proc_status(pid)
        per_min = cpu_ms * 60 / CPU_S
        wakes = sleeps * 60 / CPU_S
        self.cells[(4, side)] = (
            f"{per_min:.2f} ms CPU per minute, {wakes:.0f} wake-ups per minute{drained} "
            f"{verdict(per_min < 10)}<br>{what} RSS {mb(st.get('VmRSS', 0)):.1f} MB "
            f"(private {mb(st.get('RssAnon', 0)):.1f} MB)")
        if side == "mvs":
            self.mvs_rss_idle = st
        log(f"   {self.cells[(4, side)]}")

    # -- workload 5: 100,000 schedules (ours) --------------------------------------------------

    def w5_mvs(self):
        n = BIG_SCHEDULES
        c = self.mvs
        extra = n - IDLE_SCHEDULES
        log(f"5. {n} schedules in one database, matview_scheduler: adding {extra} "
            f"schedules")
        if extra > 0:
            line = far_cron_line(c)
            step = 10000
            for i in range(IDLE_SCHEDULES + 1, n + 1, step):
                j = min(n, i + step - 1)
                self.quiet_minute_boundary()
                c.exec(f"""SELECT count(schedule_refresh(format('i%s', i)::regclass, '{line}',
                                                  timezone => 'UTC'))
  FROM generate_series({i}, {j}) i;""")
        total = int(c.value("SELECT count(*) FROM matview_scheduler.schedules"))
        self.wait_idle(c, self.mvs_pid, 3.0)
        st = proc_status(self.mvs_pid)
        # One more view, due every second: is the scheduler still on time?
        create_probe_view(c, "due", "due")
        self.quiet_minute_boundary()
        cpu0 = proc_cpu_ns(self.mvs_pid)
        rows = self.every_second_mvs("due", "due", DUE_CHECK_S)
        cpu_ms = (proc_cpu_ns(self.mvs_pid) - cpu0) / 1e6
        st_after = proc_status(self.mvs_pid)
        floor_ms = self.once_a_second_floor(c, DUE_CHECK_S)
        q = [r[0] for r in rows]
        wake = [r[1] for r in rows]
        cold, warm = self.split_runs(rows)
        rss = mb(st.get("VmRSS", 0))
        ok = rss < 100 and percentile(wake, 99) <= 10
        plan = c.rows("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) "
                      "SELECT pg_catalog.min(next_run) FROM matview_scheduler.schedules")
        scan = next((r[0].strip() for r in plan if "Scan" in r[0]), "?")
        exec_ms = next((r[0].split(":")[1].strip() for r in plan
                        if r[0].startswith("Execution Time")), "?")
        plan2 = c.rows("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) "
                       "SELECT pg_catalog.min(next_run) FROM matview_scheduler.schedules "
                       "WHERE NOT paused")
        scan2 = next((r[0].strip() for r in plan2 if "Scan" in r[0]), "?")
        exec2 = next((r[0].split(":")[1].strip() for r in plan2
                      if r[0].startswith("Execution Time")), "?")
        size = c.value("SELECT pg_size_pretty(pg_total_relation_size('matview_scheduler.schedules'))")
        self.w5_min_plan = (scan, exec_ms, scan2, exec2, size)
        self.cells[(5, "mvs")] = (
            f"{total} schedules: scheduler RSS {rss:.1f} MB (private "
            f"{mb(st.get('RssAnon', 0)):.1f} MB, shared memory touched "
            f"{mb(st.get('RssShmem', 0)):.1f} MB; {mb(self.mvs_rss_empty.get('VmRSS', 0)):.1f} MB "
            f"with none); after a due run {mb(st_after.get('VmRSS', 0)):.1f} MB<br>one more view "
            f"due every second for {DUE_CHECK_S} s: {len(q)} runs ({len(cold)} in a new "
            f"process, {len(warm)} in a warm worker), runs.started p50 "
            f"{fmt_ms(percentile(wake, 50))} p99 {fmt_ms(percentile(wake, 99))}; query start p50 "
            f"{fmt_ms(percentile(q, 50))} p99 {fmt_ms(percentile(q, 99))}; scheduler CPU "
            f"{cpu_ms / max(1, len(q)):.1f} ms per run; floor {floor_ms:.1f} ms (a plain "
            f"session's transaction of the same shape once a second), ratio "
            f"{cpu_ms / max(1, len(q)) / max(floor_ms, 0.001):.1f} {verdict(ok)}")
        log(f"   {self.cells[(5, 'mvs')]}")

    def once_a_second_floor(self, c, seconds):
        """CPU per transaction (ms) of a plain session that, once a second, does what the
        scheduler does for a due run: read the due schedules, record a run (insert + update),
        read the earliest next_run, commit. A process woken once a second runs from cold caches,
        so this, not a figure from a busy loop, is what the scheduler's CPU per run compares with."""
        c.exec("""DROP TABLE IF EXISTS floor_runs, floor_state;
CREATE TABLE floor_runs (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, at timestamptz);
CREATE TABLE floor_state (n bigint); INSERT INTO floor_state VALUES (0);""")
        n = seconds + 2
        sql = f"""DO $$
BEGIN
  FOR i IN 1..{n} LOOP
    PERFORM pg_sleep(1 - extract(epoch FROM clock_timestamp())::numeric % 1);
    PERFORM s.id FROM matview_scheduler.schedules s
     WHERE s.next_run <= now() AND NOT s.paused ORDER BY s.next_run, s.id LIMIT 100;
    INSERT INTO floor_runs (at) VALUES (clock_timestamp());
    UPDATE floor_state SET n = n + 1;
    PERFORM min(next_run) FROM matview_scheduler.schedules WHERE NOT paused AND next_run > now();
    COMMIT;
  END LOOP;
END $$;"""
        cmd = [os.path.join(c.bindir, "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", c.host,
               "-p", str(c.port), "-U", "postgres", "-d", "bench", "-c", sql]
        proc = subprocess.Popen(cmd, env=dict(os.environ, PGAPPNAME="bench_floor"),
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            pid = int(wait_until("the floor session", lambda: c.value(
                "SELECT pid FROM pg_stat_activity WHERE application_name = 'bench_floor'"), 30))
            # Measure whole seconds between the first and the last transaction.
            sleep_until_monotonic(time.monotonic() + 1.5 - time.time() % 1)
            cpu0 = proc_cpu_ns(pid)
            time.sleep(seconds)
            cpu1 = proc_cpu_ns(pid)
        finally:
            _, err = proc.communicate(timeout=n + 60)
        if proc.returncode != 0:
            raise SqlError(f"floor session failed: {err.strip()}")
        return (cpu1 - cpu0) / 1e6 / seconds

    def paused_check_mvs(self):
        """One paused schedule whose next_run has passed, and a view due every second."""
        c = self.mvs
        log(f"extra: one paused schedule past its next_run, and a view due every second "
            f"for {DUE_CHECK_S} s, matview_scheduler")
        c.exec("CREATE MATERIALIZED VIEW paused AS SELECT 1 AS x WITH NO DATA;")
        c.exec("SELECT schedule_refresh('paused', 'every 1 second');")
        c.exec("SELECT pause_refresh('paused');")
        time.sleep(1.5)  # its next_run, kept by pause_refresh, is now in the past
        create_probe_view(c, "due2", "due2")
        self.quiet_minute_boundary()
        pid = self.mvs_pid
        cpu0, sw0 = proc_cpu_ns(pid), proc_status(pid).get("voluntary_ctxt_switches", 0)
        rows = self.every_second_mvs("due2", "due2", DUE_CHECK_S)
        cpu_ms = (proc_cpu_ns(pid) - cpu0) / 1e6
        sw = proc_status(pid).get("voluntary_ctxt_switches", 0) - sw0
        c.exec("SELECT unschedule_refresh('paused');")
        q = [r[0] for r in rows]
        wake = [r[1] for r in rows]
        self.split_runs(rows)
        # Afterwards, idle: does the scheduler still wake without a reason?
        c.exec("SELECT schedule_refresh('paused', 'every 1 second');")
        c.exec("SELECT pause_refresh('paused');")
        time.sleep(1.5)
        idle_cpu, idle_sw = self.cpu_window(pid, 10)
        c.exec("SELECT unschedule_refresh('paused');")
        self.cells[("x", "mvs")] = (
            f"{len(q)} runs; runs.started p50 {fmt_ms(percentile(wake, 50))}, max "
            f"{fmt_ms(max(wake))}; query start p50 {fmt_ms(percentile(q, 50))}, max "
            f"{fmt_ms(max(q))}<br>with nothing due: {idle_sw * 6:.0f} wake-ups and "
            f"{idle_cpu * 6:.0f} ms CPU per minute")
        log(f"   {self.cells[('x', 'mvs')]}")

    # -- report -------------------------------------------------------------------------------

    def table(self):
        def target_w2():
            return f"{DRIFT_S} runs ±1, no drift (mean interval within 1 ms of 1000 ms)"
        rows = [
            ("1. Start latency: due at T, the view's query starts at T + x",
             "p50 <= 2 ms, p99 <= 10 ms", 1),
            ("2. `'every 1 second'` for " + f"{DRIFT_S} s", target_w2(), 2),
            (f"3. {BURST_VIEWS} small views due at the same instant T",
             f"all {BURST_VIEWS} started and finished within 1.0 s of T", 3),
            (f"4. {IDLE_SCHEDULES} schedules, none due for an hour: scheduler process CPU",
             "< 10 ms CPU per minute", 4),
            (f"5. {BIG_SCHEDULES} schedules in one database (matview_scheduler only)",
             "scheduler RSS < 100 MB, and it still wakes on time (p99 <= 10 ms) for a due one", 5),
            (f"6. {IDLE_SCHEDULES} schedules created in one transaction",
             "< 5 s", 6),
            ("extra: one paused schedule whose next_run has passed, plus a view due every second "
             "(at " + f"{BIG_SCHEDULES} schedules)",
             "as workload 1; no wake-ups while nothing is due", "x"),
        ]
        lines = ["| workload | target | matview_scheduler | pg_cron |",
                 "|---|---|---|---|"]
        for name, target, key in rows:
            m = self.cells.get((key, "mvs"), "not run")
            cr = self.cells.get((key, "cron"), "not run")
            if key == 1:
                if self.cron_seconds:
                    sec = self.cells.get((1, "cron_sec"), "every second: not run")
                else:
                    sec = (f"every second: not supported by pg_cron {self.cron_version} "
                           f"(`'1 seconds'`: {self.cron_seconds_error})")
                cr = sec + "<br>" + self.cells.get((1, "cron_min"), "minutely: not run")
            if key == 5:
                cr = "not run (matview_scheduler only)"
            if key == "x":
                cr = "n/a"
            lines.append(f"| {name} | {target} | {m} | {cr} |")
        return "\n".join(lines)

    def write(self, elapsed_s):
        table = self.table()
        print()
        print(table)
        print()
        now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        cpu_model = "?"
        try:
            with open("/proc/cpuinfo") as f:
                for line in f:
                    if line.startswith("model name"):
                        cpu_model = line.split(":", 1)[1].strip()
                        break
        except OSError:
            pass
        steps = ""
        if hasattr(self, "w1_mvs_steps"):
            sched, q50, n_warm, n_cold = self.w1_mvs_steps
            steps = (f"In workload 1 the scheduler records each run and hands it to a worker 25 to "
                     f"75 ms before its due time; the worker does its catalog work, waits for the "
                     f"due time and starts the refresh then: `runs.started` is {fmt_ms(sched)} "
                     f"after the due time (p50) and the view's query starts at {fmt_ms(q50)}; "
                     f"{n_warm} of its "
                     f"runs were taken by a warm pool worker, {n_cold} by a process started for "
                     f"the run.")
        cold = self.mvs_cold_rows
        if cold:
            steps += (f" Over all of matview_scheduler's every-second workloads, {len(cold)} runs "
                      f"started a new process: that process was up {fmt_ms(percentile([r[2] for r in cold], 50))} "
                      f"after the due time and the query started at "
                      f"{fmt_ms(percentile([r[0] for r in cold], 50))} (p50; max "
                      f"{fmt_ms(max(r[0] for r in cold))}).")
        plan = ""
        if hasattr(self, "w5_min_plan"):
            scan, ms, scan2, ms2, size = self.w5_min_plan
            plan = (f"With {BIG_SCHEDULES} schedules (table and indexes: {size}), the query the "
                    f"scheduler runs on every pass, `SELECT min(next_run) FROM "
                    f"matview_scheduler.schedules`, is `{scan}` ({ms}); with `WHERE NOT paused`, "
                    f"the predicate of the index `schedules_next_run_idx`, it would be `{scan2}` "
                    f"({ms2}).")
        body = f"""# matview_scheduler and pg_cron, side by side

Run {now} on {os.cpu_count()} CPUs ({cpu_model}), {platform.system()} {platform.release()};
PostgreSQL {self.pg_version}; pg_cron {self.cron_version} (Debian package {self.cron_pkg_name}
{self.cron_pkg}). The workloads took {elapsed_s / 60:.1f} minutes (`{self.command}`, after
installing and building).

Settings of this run: BENCH_LATENCY_S={LATENCY_S}, BENCH_CRON_MINUTELY_RUNS={CRON_MINUTELY_RUNS},
BENCH_DRIFT_S={DRIFT_S}, BENCH_BURST_VIEWS={BURST_VIEWS}, BENCH_IDLE_SCHEDULES={IDLE_SCHEDULES},
BENCH_CPU_S={CPU_S}, BENCH_BIG_SCHEDULES={BIG_SCHEDULES}, BENCH_DUE_CHECK_S={DUE_CHECK_S}.

{table}

How it was measured:

- Two clusters, both with `max_worker_processes = 40`, default `fsync`/`synchronous_commit`,
  Unix sockets only. matview_scheduler: `matview_scheduler.max_workers = 8`. pg_cron:
  `cron.use_background_workers = on` (jobs run in background workers, no TCP, no password) and
  `cron.max_running_jobs = 32` (set: with background workers its default is 5).
- A start is the moment the view's query runs: each view selects `note_start(tag)`, a VOLATILE SQL
  function that inserts `clock_timestamp()` into a table. REFRESH MATERIALIZED VIEW runs the query as
  an ordinary query of the view's owner (a security-restricted operation forbids temporary tables and
  the like, not table writes), so the row is written by the refresh itself. Some views also select
  `note_proc()`, which stores `backend_start` of the refreshing process.
- Due time: matview_scheduler's `runs.scheduled_for`; for pg_cron the start of the minute (its jobs
  run on minute boundaries) or of the second. Finish: `runs.finished` (set in the refresh's own
  transaction, just before it commits) and pg_cron's `job_run_details.end_time`.
- pg_cron's minutely job runs while the matview_scheduler cluster is measured (heavy steps there
  wait until a minute boundary has passed), so that the minutes it needs cost no extra time. One of
  its runs may coincide with workload 1's refresh at second :00 on the other cluster.
- CPU: `/proc/<pid>/schedstat` (ns) of the process with `backend_type` `matview_scheduler
  scheduler` / `pg_cron launcher`; wake-ups are its voluntary context switches. RSS: `VmRSS` of
  `/proc/<pid>/status`: it counts every page of shared memory (shared buffers) the process has
  touched since it started (`RssShmem`), so it grows with what the process scans, up to
  `shared_buffers` (128 MB here); the process's own memory is `RssAnon`.
- Workload 6 is the sum of psql's `\\timing` for BEGIN, the statement and COMMIT.

{steps}
{plan}
"""
        # The breakdown of where the time goes (written by hand from profiles) stays.
        try:
            with open(self.results) as f:
                old = f.read()
            at = old.find(BREAKDOWN_HEADING)
            if at >= 0:
                body = body.rstrip("\n") + "\n\n" + old[at:]
        except OSError:
            pass
        with open(self.results, "w") as f:
            f.write(body)
        log(f"wrote {self.results}")

    def run(self):
        self.setup()
        self.w2()
        self.start_cron_minutely()
        self.w1_mvs()
        self.w3_mvs()
        self.w6_mvs()
        self.w4("mvs")
        self.w5_mvs()
        self.paused_check_mvs()
        self.finish_cron_minutely()
        self.w1_cron_seconds()
        self.w3_cron()
        self.w6_cron()
        self.w4("cron")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bindir", required=True)
    parser.add_argument("--host", required=True)
    parser.add_argument("--mvs-port", type=int, required=True)
    parser.add_argument("--cron-port", type=int, required=True)
    parser.add_argument("--results", required=True)
    parser.add_argument("--cron-package", default="postgresql-15-cron")
    parser.add_argument("--command", default="bash bench/run.sh")
    args = parser.parse_args()
    bench = Bench(args)
    try:
        bench.run()
    finally:
        bench.write(time.monotonic() - T0)


if __name__ == "__main__":
    main()
