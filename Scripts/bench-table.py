#!/usr/bin/env python3
"""Part of `make bench`: turns `warren bench --json` lines (one per broker per scenario, warren's
first) into the Markdown table of Docs/benchmarks.md, headed with the date, the machine and the
versions. Usage: bench-table.py RESULTS.jsonl --rabbitmq VERSION --load-start L --load-end L
--minutes M --runs N."""
import argparse
import datetime
import json
import os
import subprocess


def machine():
    cpu = "unknown CPU"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = "?"
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
                break
    return f"{os.cpu_count()} cores ({cpu}), {memory} RAM, Linux {os.uname().release}"


def revision():
    try:
        return subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def number(value):
    if value != value or abs(value) == float("inf"):
        return "?"
    return f"{value:.2f}" if abs(value) < 100 else f"{value:,.0f}"


def cell(metric):
    if metric is None:
        return "—"
    return f"{number(metric['median'])} ({number(metric['min'])}–{number(metric['max'])})"


def ratio(warren, rabbit):
    """How many times better warren is (>1: warren better), by the metric's own direction."""
    if warren is None or rabbit is None:
        return "—"
    good, bad = (warren["median"], rabbit["median"]) if warren["better"] == "higher" else (rabbit["median"], warren["median"])
    return f"{good / bad:.1f}×" if bad > 0 else "—"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("results")
    parser.add_argument("--rabbitmq", required=True)
    parser.add_argument("--load-start", required=True)
    parser.add_argument("--load-end", required=True)
    parser.add_argument("--minutes", type=int, required=True)
    parser.add_argument("--runs", type=int, required=True)
    args = parser.parse_args()

    scenarios = {}  # label -> [warren row, RabbitMQ row], in the order they ran
    with open(args.results) as f:
        for line in f:
            row = json.loads(line)
            scenarios.setdefault(row["label"], []).append(row)

    print(f"`make bench`, {datetime.date.today().isoformat()}: warren {revision()} (release build) against "
          f"RabbitMQ {args.rabbitmq} (default settings, no plugins), both on 127.0.0.1; client `warren bench` on the "
          f"same machine; {machine()}. Load average (1, 5, 15 min) {args.load_start} at the start, {args.load_end} at "
          f"the end; {args.minutes} min for the table. Each figure: median of {args.runs} runs (min–max). "
          f"\"warren ×\" is how many times better warren's median is (higher rate or lower latency / memory).")
    print()
    print("| scenario | figure | warren | RabbitMQ | warren × |")
    print("| --- | --- | --- | --- | --- |")
    for label, rows in scenarios.items():
        warren = rows[0]
        rabbit = rows[1] if len(rows) > 1 else None
        for metric in warren["metrics"]:
            other = next((m for m in rabbit["metrics"] if m["name"] == metric["name"]), None) if rabbit else None
            print(f"| {label} | {metric['name']} ({metric['unit']}) | {cell(metric)} | {cell(other)} | {ratio(metric, other)} |")


if __name__ == "__main__":
    main()
