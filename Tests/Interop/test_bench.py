"""`warren bench` against a real warren: every mode `make bench` uses (fan-out, multi-frame
bodies, open-loop latency, backlog RSS) completes, its --json rows have the shape
Scripts/bench-table.py reads, and out-of-range options are refused before any connection.
What the figures are is never asserted (speed is measured by `make bench`, not tested)."""

from __future__ import annotations

import base64
import json
import subprocess
import urllib.request

import pytest

from conftest import HOST, WARREN_BIN, find_free_port


def bench(warren, *args, timeout=60):
    result = subprocess.run([WARREN_BIN, "bench", "--url", warren.url(), "--json", *args],
                            capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert len(rows) == 1, result.stdout
    return rows[0]


def metrics(row):
    for metric in row["metrics"]:
        assert set(metric) == {"name", "unit", "better", "median", "min", "max"}
        assert metric["better"] in ("higher", "lower")
        assert metric["min"] <= metric["median"] <= metric["max"], metric
    return {metric["name"]: metric for metric in row["metrics"]}


def test_fan_out_waits_for_every_copy(warren):
    row = bench(warren, "--label", "fan-out", "--messages", "300", "--exchange-type", "fanout", "--queues", "3",
                "--runs", "2", "--max-in-flight", "0")
    assert row["label"] == "fan-out" and row["broker"].startswith("amqp://")
    found = metrics(row)
    assert list(found) == ["deliveries", "published", "latency p50", "latency p99"]
    assert found["deliveries"]["min"] > 0 and found["deliveries"]["unit"] == "msg/s"


def test_bodies_larger_than_a_frame(warren):
    found = metrics(bench(warren, "--messages", "6", "--size", "300000", "--confirm", "2", "--prefetch", "1"))
    assert found["consumed"]["min"] > 0


def test_open_loop_reports_latency_percentiles(warren):
    found = metrics(bench(warren, "--messages", "400", "--rate", "2000", "--size", "16"))
    assert list(found) == ["latency p50", "latency p99", "latency p99.9"]
    assert found["latency p50"]["median"] <= found["latency p99"]["median"] <= found["latency p99.9"]["median"]


def test_backlog_reads_the_broker_memory_and_deletes_its_queue(warren_factory):
    port = find_free_port()
    warren = warren_factory(extra_args=["--http-port", str(port)])
    assert warren.wait_for_output("management HTTP listener ready"), warren.output()
    found = metrics(bench(warren, "--backlog", "--pid", str(warren.proc.pid), "--messages", "3000", "--size", "1024"))
    assert list(found) == ["RSS before", "RSS holding the backlog", "RSS growth per message"]
    assert found["RSS before"]["min"] > 0 and found["RSS holding the backlog"]["min"] > 0
    request = urllib.request.Request(f"http://{HOST}:{port}/api/queues")
    request.add_header("Authorization", "Basic " + base64.b64encode(b"guest:guest").decode())
    with urllib.request.urlopen(request, timeout=10) as response:
        queues = [queue["name"] for queue in json.loads(response.read())]
    assert not [name for name in queues if name.startswith("warren-bench")], queues


@pytest.mark.parametrize("args", [
    ["--size", "7"], ["--size", "134217729"], ["--messages", "0"], ["--messages", "-1"],
    ["--messages", "9223372036854775808"], ["--rate", "10000001"], ["--queues", "0"], ["--queues", "10001"],
    ["--prefetch", "65536"], ["--confirm", "-5"], ["--runs", "0"], ["--max-in-flight", "-1"],
    ["--exchange-type", "headers"], ["--backlog"], ["--backlog", "--pid", "0"],
])
def test_out_of_range_options_are_refused(args):
    # Port 1 would refuse a connection: a refusal here comes from the option checks, before any.
    result = subprocess.run([WARREN_BIN, "bench", "--url", "amqp://guest:guest@127.0.0.1:1/%2F", *args],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode != 0
    assert "Error:" in result.stderr and "Connection refused" not in result.stderr, result.stderr
