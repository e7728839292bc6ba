#!/usr/bin/python3
"""Checks the files of monitoring/ against each other: the query file for
prometheus-postgres-exporter is well formed, and every metric and label the alert rules and the
Grafana dashboard use is one the query file exports, so they cannot drift apart.
Usage: monitoring_files.py MONITORING_DIR   (exits non-zero and says what is wrong)."""
import json
import re
import sys

import yaml

METRIC_RE = re.compile(r"\bmatview_scheduler_[a-z_]+\b")
DURATION_RE = re.compile(r"^([0-9]+(ms|s|m|h|d|w|y))+$")
USAGES = {"LABEL", "GAUGE", "COUNTER"}
# Labels the exporter and Prometheus add to every series.
OUTSIDE_LABELS = {"server", "instance", "job"}


def exported(queries_path):
    """The metric names and label names the query file exports."""
    with open(queries_path) as f:
        doc = yaml.safe_load(f)
    problems, metrics, labels = [], set(), set()
    if not isinstance(doc, dict) or not doc:
        return {"problems": [f"{queries_path}: not a mapping of namespaces"], "metrics": metrics,
                "labels": labels}
    for namespace, spec in doc.items():
        if not isinstance(spec, dict) or not isinstance(spec.get("query"), str):
            problems.append(f"{namespace}: no query")
            continue
        for entry in spec.get("metrics") or []:
            if not isinstance(entry, dict) or len(entry) != 1:
                problems.append(f"{namespace}: a metric entry is not one column: {entry!r}")
                continue
            (column, m), = entry.items()
            usage = (m or {}).get("usage")
            if usage not in USAGES:
                problems.append(f"{namespace}.{column}: usage {usage!r} not in {sorted(USAGES)}")
            if not (m or {}).get("description"):
                problems.append(f"{namespace}.{column}: no description")
            if not re.search(rf"\b{re.escape(column)}\b", spec["query"]):
                problems.append(f"{namespace}.{column}: not a column of the query")
            if usage == "LABEL":
                labels.add(column)
            else:
                metrics.add(f"{namespace}_{column}")
    return {"problems": problems, "metrics": metrics, "labels": labels}


def check_alerts(path, metrics, labels):
    with open(path) as f:
        doc = yaml.safe_load(f)
    problems = []
    groups = doc.get("groups") if isinstance(doc, dict) else None
    if not isinstance(groups, list) or not groups:
        return [f"{path}: no groups"]
    alerts = []
    for group in groups:
        if not isinstance(group.get("name"), str) or not isinstance(group.get("rules"), list):
            problems.append(f"{path}: a group without name or rules")
            continue
        for rule in group["rules"]:
            name = rule.get("alert")
            alerts.append(name)
            extra = set(rule) - {"alert", "expr", "for", "labels", "annotations"}
            if not isinstance(name, str) or not isinstance(rule.get("expr"), str) or extra:
                problems.append(f"{path}: rule {name!r}: needs alert and expr, has {sorted(extra)}")
                continue
            if "for" in rule and not DURATION_RE.match(str(rule["for"])):
                problems.append(f"{path}: {name}: for {rule['for']!r} is not a duration")
            for key in ("labels", "annotations"):
                if not all(isinstance(v, str) for v in (rule.get(key) or {}).values()):
                    problems.append(f"{path}: {name}: {key} values must be strings")
            used = set(METRIC_RE.findall(rule["expr"]))
            if not used:
                problems.append(f"{path}: {name}: uses no matview_scheduler metric")
            for metric in sorted(used - metrics):
                problems.append(f"{path}: {name}: {metric} is not exported by the query file")
            for text in (rule.get("annotations") or {}).values():
                for label in re.findall(r"\$labels\.([a-zA-Z_]+)", text):
                    if label not in labels | OUTSIDE_LABELS:
                        problems.append(f"{path}: {name}: label {label} is not exported")
    if len(set(alerts)) != len(alerts):
        problems.append(f"{path}: duplicate alert names")
    return problems


def check_dashboard(path, metrics, labels):
    with open(path) as f:
        doc = json.load(f)
    problems = []
    panels = doc.get("panels")
    if not isinstance(panels, list) or not panels:
        return [f"{path}: no panels"]
    exprs = []
    for panel in panels:
        targets = panel.get("targets") or []
        if not targets:
            problems.append(f"{path}: panel {panel.get('title')!r} has no targets")
        exprs += [t.get("expr", "") for t in targets]
    for var in doc.get("templating", {}).get("list", []):
        if isinstance(var.get("definition"), str):
            exprs.append(var["definition"])
    for expr in exprs:
        used = set(METRIC_RE.findall(expr))
        if not used:
            problems.append(f"{path}: {expr!r} uses no matview_scheduler metric")
        for metric in sorted(used - metrics):
            problems.append(f"{path}: {metric} (in {expr!r}) is not exported by the query file")
        # Label matchers and label_values(..., label).
        for label in re.findall(r"([a-zA-Z_]+)\s*=~?\s*\"", expr) + \
                re.findall(r",\s*([a-zA-Z_]+)\)\s*$", expr):
            if label not in labels | OUTSIDE_LABELS:
                problems.append(f"{path}: label {label} (in {expr!r}) is not exported")
    return problems


def main():
    root = sys.argv[1]
    info = exported(f"{root}/queries.yaml")
    problems = info["problems"]
    if not info["metrics"]:
        problems.append("queries.yaml exports no metric")
    problems += check_alerts(f"{root}/alerts.yml", info["metrics"], info["labels"])
    problems += check_dashboard(f"{root}/grafana-dashboard.json", info["metrics"], info["labels"])
    for p in problems:
        print(f"monitoring files: {p}", file=sys.stderr)
    if problems:
        sys.exit(1)
    print(f"monitoring files: {len(info['metrics'])} metrics, labels {sorted(info['labels'])}; "
          "alert rules and dashboard use only those")


if __name__ == "__main__":
    main()
