#!/usr/bin/python3
"""Scrapes prometheus-postgres-exporter's /metrics and checks the matview_scheduler series.
Usage: scrape_check.py URL QUERIES_YAML FACTS_JSON
FACTS_JSON (written by scripts/test-monitoring.sh from the test database):
  {"scrape_error": 0 or 1,            pg_exporter_last_scrape_error expected
   "absent": [[database, view], ...], series that must not be exported
   "views": [{"database", "view",
              "exact": {metric: value or "NaN"},     without the namespace prefix
              "success_at": epoch,    seconds_since_success = scrape time - this
              "next_run": epoch,      seconds_until_next_run = this - scrape time
              "due_every": [anchor epoch, seconds],  due times at anchor + k*seconds, k >= 1
              "duration": seconds}]}  last_duration_seconds
Polls until every listed view is exported (60 s deadline), then checks one scrape, whose time is
bounded by the instants before and after the request (the database's now() lies between)."""
import json
import math
import re
import sys
import time
import urllib.request

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from monitoring_files import exported  # noqa: E402

LINE_RE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
LABEL_RE = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')
SLACK = 0.002  # rounding of the exported values


def parse(text):
    """{(name, frozenset(labels)): value}"""
    series = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = LINE_RE.match(line)
        if not m:
            raise ValueError(f"unparsable line: {line}")
        labels = frozenset(LABEL_RE.findall(m.group(2) or ""))
        series[(m.group(1), labels)] = float(m.group(3))
    return series


def scrape(url):
    t0 = time.time()
    with urllib.request.urlopen(url, timeout=20) as response:
        status, body = response.status, response.read().decode()
    return status, body, t0, time.time()


def value(series, name, database, view):
    for (n, labels), v in series.items():
        d = dict(labels)
        if n == name and d.get("database") == database and d.get("view") == view:
            return v
    return None


def main():
    url, queries, facts_path = sys.argv[1:4]
    with open(facts_path) as f:
        facts = json.load(f)
    metrics = exported(queries)["metrics"]
    probe = "matview_scheduler_runs_total"
    deadline = time.time() + 60
    last = "no answer"
    while True:
        try:
            status, body, t0, t1 = scrape(url)
            series = parse(body)
            missing = [v for v in facts["views"]
                       if value(series, probe, v["database"], v["view"]) is None]
            if status == 200 and not missing:
                break
            last = f"HTTP {status}, not yet exported: {[v['view'] for v in missing]}"
        except (OSError, ValueError) as e:
            last = str(e)
        if time.time() > deadline:
            sys.exit(f"scrape_check: {url} within 60 s: {last}")
        time.sleep(0.5)

    problems = []
    names = {n for (n, _) in series if n.startswith("matview_scheduler_")}
    for n in sorted(metrics - names):
        problems.append(f"{n}: declared in the query file, not exported")
    for n in sorted(names - metrics):
        problems.append(f"{n}: exported, not declared in the query file")
    scrape_error = series.get(("pg_exporter_last_scrape_error", frozenset()))
    if scrape_error != facts["scrape_error"]:
        problems.append(f"pg_exporter_last_scrape_error is {scrape_error}, "
                        f"expected {facts['scrape_error']}")
    for database, view in facts.get("absent", []):
        if any(value(series, n, database, view) is not None for n in metrics):
            problems.append(f"{database} {view}: exported, but the role may not see it")

    def within(name, got, lo, hi):
        if got is None or math.isnan(got) or not lo - SLACK <= got <= hi + SLACK:
            problems.append(f"{v['view']}: {name} is {got}, expected within [{lo:.6f}, {hi:.6f}]")

    for v in facts["views"]:
        db, view = v["database"], v["view"]
        get = lambda m: value(series, f"matview_scheduler_{m}", db, view)  # noqa: E731
        for m, want in v.get("exact", {}).items():
            got = get(m)
            ok = got is not None and (math.isnan(got) if want == "NaN" else got == want)
            if not ok:
                problems.append(f"{view}: {m} is {got}, expected {want}")
        if "success_at" in v:
            within("seconds_since_success", get("seconds_since_success"),
                   max(0.0, t0 - v["success_at"]), t1 - v["success_at"])
        if "next_run" in v:
            within("seconds_until_next_run", get("seconds_until_next_run"),
                   v["next_run"] - t1, v["next_run"] - t0)
        if "duration" in v:
            within("last_duration_seconds", get("last_duration_seconds"),
                   v["duration"], v["duration"])
        if "due_every" in v:
            anchor, step = v["due_every"]
            count = lambda t: max(0, min(10, math.floor((t - anchor) / step)))  # noqa: E731
            within("due_times_since_success", get("due_times_since_success"),
                   count(t0), count(t1))
    for p in problems:
        print(f"scrape_check: {p}", file=sys.stderr)
    if problems:
        sys.exit(1)
    print(f"scrape_check: {url}: {len(facts['views'])} views, {len(metrics)} metrics each, "
          f"scrape error {scrape_error}: as expected")


if __name__ == "__main__":
    main()
