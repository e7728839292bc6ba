#!/usr/bin/python3
"""The scheduler against the floor (what PostgreSQL itself needs for the same refreshes), each
figure with the floor measured in the same run and the ratio; run by bench/floor.sh (see there
and bench/compare/README.md). Standard library only; talks to the cluster through psql."""

import argparse
import math
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from change_cost import Session, poll  # noqa: E402


def env_int(name, default):
    value = os.environ.get(name)
    return int(value) if value else default


BURSTS = [int(x) for x in os.environ.get("BENCH_BURSTS", "500,5000").split(",") if x]
REPEATS = env_int("BENCH_REPEATS", 3)
RUN_VIEWS = env_int("BENCH_RUN_VIEWS", 100)
BIG_SCHEDULES = env_int("BENCH_BIG_SCHEDULES", 100000)
RUN_S = env_int("BENCH_RUN_S", 10)
LATENCY_S = env_int("BENCH_LATENCY_S", 100)
MAX_WORKERS = env_int("BENCH_MAX_WORKERS", 8)
ONLY = os.environ.get("BENCH_ONLY", "123")

BURST_RATIO = 1.5
RUN_CPU_MS = 0.3
RUN_CPU_RATIO = 1.5
LATENCY_P50_MS = 1.0
LATENCY_P99_MS = 3.0

SETUP = """
CREATE TABLE IF NOT EXISTS starts (tag text NOT NULL, ts timestamptz NOT NULL);
CREATE INDEX IF NOT EXISTS starts_tag_ts ON starts (tag, ts);
-- The moment a view's query runs: a small plpgsql function that logs clock_timestamp().
-- Qualified: from PostgreSQL 17 REFRESH runs the query with search_path = pg_catalog, pg_temp.
CREATE OR REPLACE FUNCTION note_start(tag text) RETURNS int LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    INSERT INTO public.starts (tag, ts) VALUES (tag, clock_timestamp());
    RETURN 1;
END $$;
CREATE EXTENSION IF NOT EXISTS matview_scheduler;
"""


def log(msg):
    print(msg, flush=True)


def proc_cpu_ns(pid):
    with open(f"/proc/{pid}/schedstat") as f:
        return int(f.read().split()[0])


def percentile(values, p):
    s = sorted(values)
    return s[max(1, math.ceil(p / 100.0 * len(s))) - 1]


def verdict(ok):
    return "**meets**" if ok else "**misses**"


def server_now(s):
    return float(s.value("SELECT extract(epoch FROM clock_timestamp())"))


def sleep_until_server(s, epoch):
    left = epoch - server_now(s)
    if left > 0:
        time.sleep(left)


def scheduler_pid(s):
    pid = s.value("SELECT pid FROM pg_stat_activity WHERE backend_type = "
                  "'matview_scheduler scheduler' AND datname = current_database()")
    if not pid:
        raise RuntimeError("no scheduler runs for the database")
    return int(pid)


def create_views(s, prefix, n, body, batch=2000):
    for first in range(1, n + 1, batch):
        last = min(n, first + batch - 1)
        s.rows(f"""DO $$ BEGIN FOR i IN {first}..{last} LOOP
  EXECUTE format('CREATE MATERIALIZED VIEW {prefix}%s AS {body} WITH NO DATA', i);
END LOOP; END $$""")


# ---- Figure 1: a burst -----------------------------------------------------------------------

def burst_floor(s, prefix, n):
    """Wall time of the n REFRESHes back to back in this one session."""
    sql = "\n".join(f"REFRESH MATERIALIZED VIEW {prefix}{i};" for i in range(1, n + 1))
    t0 = time.monotonic()
    s.rows(sql)
    return (time.monotonic() - t0) * 1000.0


def burst_scheduled(s, prefix, n, tag):
    """All n views 'once' at the same instant T: ms from T to the last finish, and what the
    runs table says (none lost, none left waiting), and the scheduler's CPU per run."""
    at = math.floor(server_now(s)) + 3
    s.rows(f"""BEGIN;
SELECT count(schedule_refresh(format('{prefix}%s', i)::regclass, 'once',
                              start_at => to_timestamp({at})))
  FROM generate_series(1, {n}) i;
COMMIT""")
    pid = scheduler_pid(s)
    sleep_until_server(s, at - 0.2)
    cpu0 = proc_cpu_ns(pid)
    poll(s, f"""SELECT count(*) = {n} FROM matview_scheduler.runs
 WHERE scheduled_for = to_timestamp({at}) AND status IN ('succeeded', 'failed')""",
         600, f"the {n} refreshes to finish", 0.05)
    cpu_ms = (proc_cpu_ns(pid) - cpu0) / 1e6
    r = s.rows(f"""SELECT extract(epoch FROM max(finished) - to_timestamp({at})) * 1000,
       count(*) FILTER (WHERE status = 'succeeded'),
       (SELECT extract(epoch FROM min(ts) - to_timestamp({at})) * 1000 FROM starts
         WHERE tag = '{tag}' AND ts >= to_timestamp({at}) - interval '1 second')
  FROM matview_scheduler.runs WHERE scheduled_for = to_timestamp({at})""")[0]
    left = int(s.value(f"""SELECT count(*) FROM matview_scheduler.status
 WHERE view::text LIKE '{prefix}%'
   AND (NOT finished OR waiting OR running OR last_status IS DISTINCT FROM 'succeeded')"""))
    s.rows(f"SELECT count(unschedule_refresh(format('{prefix}%s', i)::regclass)) "
           f"FROM generate_series(1, {n}) i")
    return {"last": float(r[0]), "succeeded": int(r[1]), "first_start": float(r[2]),
            "left": left, "cpu_per_run": cpu_ms / n}


def figure_bursts(s):
    out = []
    for n in BURSTS:
        prefix = f"b{n}_"
        log(f"1. {n} views due at one instant: creating them")
        create_views(s, prefix, n, f"SELECT public.note_start(''{prefix}'') AS x")
        floors, lasts, runs = [], [], []
        for rep in range(REPEATS):
            # ABBA: the floor first in even repeats, the scheduler first in odd ones.
            order = ("floor", "sched") if rep % 2 == 0 else ("sched", "floor")
            for what in order:
                if what == "floor":
                    floors.append(burst_floor(s, prefix, n))
                    log(f"   repeat {rep + 1}: floor {floors[-1]:.0f} ms")
                else:
                    r = burst_scheduled(s, prefix, n, prefix)
                    runs.append(r)
                    lasts.append(r["last"])
                    log(f"   repeat {rep + 1}: last finish +{r['last']:.0f} ms, "
                        f"{r['succeeded']}/{n} succeeded, {r['left']} not finished, "
                        f"scheduler {r['cpu_per_run']:.2f} ms CPU per run")
        out.append((n, floors, lasts, runs))
    # The cluster runs without autovacuum: the burst's schedules, removed, leave dead rows that
    # every later pass would step over.
    s.rows("VACUUM ANALYZE matview_scheduler.schedules")
    return out


# ---- Figure 2: scheduler CPU per run ---------------------------------------------------------

def run_cpu(s, seconds):
    """Scheduler CPU per run while the every-second views run: (ms per run, runs)."""
    pid = scheduler_pid(s)
    time.sleep(3.0)  # past the first runs of the schedules just made or resumed
    rid0 = int(s.value("SELECT coalesce(max(run_id), 0) FROM matview_scheduler.runs"))
    cpu0 = proc_cpu_ns(pid)
    time.sleep(seconds)
    cpu1 = proc_cpu_ns(pid)
    rid1 = int(s.value("SELECT coalesce(max(run_id), 0) FROM matview_scheduler.runs"))
    runs = int(s.value(f"SELECT count(*) FROM matview_scheduler.runs "
                       f"WHERE run_id > {rid0} AND run_id <= {rid1}"))
    return (cpu1 - cpu0) / 1e6 / max(1, runs), runs


PATTERNS = ("aligned", "spread")


def schedule_every_second(s, k, pattern):
    """The k views every second: all due at the same instant of each second, or their due instants
    spread evenly over the second (as views scheduled at different moments are)."""
    offset = "" if pattern == "aligned" else f" + (i - 1) * interval '{1000.0 / k} milliseconds'"
    s.rows(f"SELECT count(schedule_refresh(format('r%s', i)::regclass, 'every 1 second', "
           f"start_at => date_trunc('second', now()) + interval '2 seconds'{offset})) "
           f"FROM generate_series(1, {k}) i")


def measure_patterns(s, k, label):
    out = {}
    for pattern in PATTERNS:
        schedule_every_second(s, k, pattern)
        out[pattern] = run_cpu(s, RUN_S)
        log(f"   {label}, {pattern}: {out[pattern][0]:.3f} ms per run ({out[pattern][1]} runs)")
    return out


def figure_run_cpu(s):
    k = RUN_VIEWS
    log(f"2. scheduler CPU per run: {k} views due every second")
    create_views(s, "r", k, "SELECT 1 AS x")
    small = measure_patterns(s, k, f"{k} schedules")
    s.rows(f"SELECT count(pause_refresh(format('r%s', i)::regclass)) FROM generate_series(1, {k}) i")
    extra = BIG_SCHEDULES - k
    log(f"   adding {extra} schedules not due for hours")
    hour = int(s.value("SELECT extract(hour FROM clock_timestamp() AT TIME ZONE 'UTC')"))
    line = f"0 {(hour + 3) % 24} * * *"
    step = 10000
    for first in range(1, extra + 1, step):
        last = min(extra, first + step - 1)
        s.rows(f"""DO $$ BEGIN FOR i IN {first}..{last} LOOP
  EXECUTE format('CREATE MATERIALIZED VIEW i%s AS SELECT 1 AS x WITH NO DATA', i);
END LOOP; END $$""")
        s.rows(f"SELECT count(schedule_refresh(format('i%s', i)::regclass, '{line}', "
               f"timezone => 'UTC')) FROM generate_series({first}, {last}) i")
    s.rows("VACUUM ANALYZE matview_scheduler.schedules")
    total = int(s.value("SELECT count(*) FROM matview_scheduler.schedules"))
    big = measure_patterns(s, k, f"{total} schedules")
    s.rows(f"SELECT count(pause_refresh(format('r%s', i)::regclass)) FROM generate_series(1, {k}) i")
    return k, small, total, big


# ---- Figure 3: start latency -----------------------------------------------------------------

def figure_latency(s):
    n = LATENCY_S
    log(f"3. start latency: one view due every second for {n} s, then a session doing the same")
    s.rows("CREATE MATERIALIZED VIEW lat AS SELECT public.note_start('lat') AS x WITH NO DATA")
    s.rows("CREATE MATERIALIZED VIEW lat_floor AS SELECT public.note_start('lat_floor') AS x "
           "WITH NO DATA")
    since = server_now(s)
    s.rows("SELECT schedule_refresh('lat', 'every 1 second')")
    time.sleep(n + 1)
    s.rows("SELECT unschedule_refresh('lat')")
    ours = [float(r[0]) for r in s.rows(f"""
SELECT extract(epoch FROM (SELECT min(st.ts) FROM starts st WHERE st.tag = 'lat'
                             AND st.ts >= r.scheduled_for) - r.scheduled_for) * 1000
  FROM matview_scheduler.runs r
 WHERE r.view = 'lat'::regclass AND r.status = 'succeeded' AND r.scheduled_for > to_timestamp({since})
 ORDER BY r.scheduled_for""")]
    # The floor: a session that sleeps until each whole second and refreshes then.
    s.rows("CREATE TABLE IF NOT EXISTS floor_due (at timestamptz)")
    s.rows(f"""DO $$
DECLARE at timestamptz;
BEGIN
  FOR i IN 1..{n} LOOP
    at := date_trunc('second', clock_timestamp()) + interval '1 second';
    PERFORM pg_sleep_until(at);
    REFRESH MATERIALIZED VIEW lat_floor;
    INSERT INTO floor_due VALUES (at);
    COMMIT;
  END LOOP;
END $$""")
    floor = [float(r[0]) for r in s.rows("""
SELECT extract(epoch FROM (SELECT min(st.ts) FROM starts st WHERE st.tag = 'lat_floor'
                             AND st.ts >= d.at) - d.at) * 1000
  FROM floor_due d ORDER BY d.at""")]
    return ours, floor


# ---- The table -------------------------------------------------------------------------------

def med(values):
    return statistics.median(values)


def table(bursts, runcpu, latency, version, elapsed_s):
    lines = [
        "# matview_scheduler against the floor",
        "",
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {os.cpu_count()} CPUs, "
        f"{version}, `matview_scheduler.max_workers = {MAX_WORKERS}`; `bash bench/floor.sh` "
        f"({elapsed_s / 60:.1f} minutes). Medians of {REPEATS} repeats where repeated. The floor "
        "is measured in the same run on the same cluster; the ratio is the figure over the floor.",
        "",
        "| workload | floor (same run) | matview_scheduler | ratio | target |",
        "|---|---|---|---|---|",
    ]
    for n, floors, lasts, runs in bursts:
        ratio = med(lasts) / med(floors)
        lost = sum(n - r["succeeded"] for r in runs)
        left = sum(r["left"] for r in runs)
        ok = ratio <= BURST_RATIO and lost == 0 and left == 0
        lines.append(
            f"| {n} views due at one instant, last finish after the due time | the same {n} "
            f"REFRESHes back to back in one session: {med(floors):.0f} ms "
            f"({', '.join(f'{x:.0f}' for x in floors)}) | {med(lasts):.0f} ms "
            f"({', '.join(f'{x:.0f}' for x in lasts)}); first query start "
            f"+{med([r['first_start'] for r in runs]):.1f} ms; {lost} runs lost, {left} left "
            f"unfinished; scheduler CPU {med([r['cpu_per_run'] for r in runs]):.2f} ms per run | "
            f"**{ratio:.2f}** | <= {BURST_RATIO} x floor, none lost or waiting {verdict(ok)} |")
    if runcpu:
        k, small, total, big = runcpu
        for pattern in PATTERNS:
            a, b = small[pattern], big[pattern]
            ratio = b[0] / a[0] if a[0] > 0 else float("inf")
            ok = a[0] <= RUN_CPU_MS and b[0] <= RUN_CPU_MS and ratio <= RUN_CPU_RATIO
            lines.append(
                f"| scheduler CPU per run, {k} views due every second ({pattern}) for {RUN_S} s | "
                f"{k} schedules: {a[0]:.3f} ms per run ({a[1]} runs) | {total} schedules: "
                f"{b[0]:.3f} ms per run ({b[1]} runs) | **{ratio:.2f}** | <= {RUN_CPU_MS} ms per "
                f"run at both sizes, ratio <= {RUN_CPU_RATIO} {verdict(ok)} |")
    if latency:
        ours, floor = latency
        p50, p99 = percentile(ours, 50), percentile(ours, 99)
        ok = p50 <= LATENCY_P50_MS and p99 <= LATENCY_P99_MS
        lines.append(
            f"| start latency: due at T, the view's query starts at T + x ({len(ours)} runs, "
            f"idle machine) | a session that sleeps until T and refreshes: p50 "
            f"{percentile(floor, 50):.2f} ms, p99 {percentile(floor, 99):.2f} ms | p50 {p50:.2f} "
            f"ms, p99 {p99:.2f} ms, max {max(ours):.2f} ms | **{p50 / max(percentile(floor, 50), 0.001):.2f}** "
            f"(p50) | p50 <= {LATENCY_P50_MS} ms, p99 <= {LATENCY_P99_MS} ms {verdict(ok)} |")
    return "\n".join(lines) + "\n"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bindir", required=True)
    p.add_argument("--host", required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--data", required=True)
    p.add_argument("--results", required=True)
    args = p.parse_args()
    t0 = time.monotonic()
    s = Session(args, args.port, "postgres")
    s.rows("CREATE DATABASE bench")
    s.close()
    s = Session(args, args.port, "bench")
    s.rows(SETUP)
    version = "PostgreSQL " + s.value("SHOW server_version")
    poll(s, "SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = "
            "'matview_scheduler scheduler' AND datname = 'bench'", 60, "the scheduler")
    latency = figure_latency(s) if "3" in ONLY else None
    bursts = figure_bursts(s) if "1" in ONLY else []
    runcpu = figure_run_cpu(s) if "2" in ONLY else None
    text = table(bursts, runcpu, latency, version, time.monotonic() - t0)
    if ONLY == "123":
        with open(args.results, "w") as f:
            f.write(text)
    print()
    print(text)


if __name__ == "__main__":
    sys.exit(main())
