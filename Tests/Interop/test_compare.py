"""`warren compare` and `POST /api/compare` against a real redis-server and a real warren: each
scenario's semantic outcome (lost / kept / redelivered counts), never its speed; the --json
shape; the CLI flags; the API's streaming, 409 while running, 400 and 403."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import threading
import urllib.error
import urllib.request

import pytest

from conftest import HOST, WARREN_BIN, find_free_port
from redis_server import RedisServer

SEMANTIC = ["consumer-crash", "server-restart", "fan-out", "replay", "routing", "ordering", "slow-consumer", "counters"]
SMALL = ["--count", "50", "--memory-mib", "2", "--messages", "2000", "--runs", "1", "--rate", "500", "--latency-seconds", "0.5"]


def compare(*args, timeout=120):
    result = subprocess.run([WARREN_BIN, "compare", *args], capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, result.stderr
    return result


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server.url
    server.stop()


@pytest.fixture(scope="module")
def report(redis_url):
    """One run of every semantic scenario with small counts, against a private warren."""
    args = ["--redis", redis_url, "--json", *SMALL]
    for name in SEMANTIC:
        args += ["--scenario", name]
    return json.loads(compare(*args).stdout)


def rows(report, scenario):
    found = [s for s in report["scenarios"] if s["name"] == scenario]
    assert len(found) == 1, [s["name"] for s in report["scenarios"]]
    return {row["system"]: row["numbers"] for row in found[0]["rows"]}


def row(report, scenario, prefix):
    matches = [numbers for system, numbers in rows(report, scenario).items() if system.startswith(prefix)]
    assert len(matches) == 1, (prefix, list(rows(report, scenario)))
    return matches[0]


def test_json_shape(report):
    assert report["version"] == 1
    assert report["build"] in ("debug", "release")
    assert report["redis"].startswith("redis://") and report["amqp"].startswith("amqp://")
    assert ":guest@" not in report["amqp"]  # the user, never the password
    assert [s["name"] for s in report["scenarios"]] == SEMANTIC
    for scenario in report["scenarios"]:
        assert set(scenario) == {"name", "title", "verdict", "rows"}
        assert scenario["verdict"] and scenario["rows"]
        for each in scenario["rows"]:
            assert set(each) == {"system", "result", "numbers", "how"}
            assert all(isinstance(value, (int, float)) for value in each["numbers"].values())


def test_consumer_crash(report):
    assert row(report, "consumer-crash", "Redis pub/sub")["lost"] == 1
    assert row(report, "consumer-crash", "Redis list, RPOP")["lost"] == 1
    reaper = row(report, "consumer-crash", "Redis list, BLMOVE")
    assert reaper["kept"] == 1 and reaper["handed_back"] == 1 and reaper["automatic_redelivery"] == 0
    stream = row(report, "consumer-crash", "Redis Stream")
    assert stream["kept"] == 1 and stream["handed_back"] == 1 and stream["delivery_count"] == 2
    amqp = row(report, "consumer-crash", "AMQP")
    assert amqp["kept"] == 1 and amqp["automatic_redelivery"] == 1


def test_server_restart(report):
    assert row(report, "server-restart", "Redis, no persistence")["survived"] == 0
    assert row(report, "server-restart", "Redis, AOF always")["lost"] == 0
    assert row(report, "server-restart", "AMQP durable queue")["lost"] == 0


def test_fan_out(report):
    assert row(report, "fan-out", "Redis pub/sub") == {"per_online_subscriber": 100, "offline_subscriber": 0}
    split = row(report, "fan-out", "Redis list")
    assert split["consumer_a"] + split["consumer_b"] == 100 and split["offline_subscriber"] == 0
    assert row(report, "fan-out", "Redis Stream")["offline_subscriber"] == 100
    assert row(report, "fan-out", "AMQP")["offline_subscriber"] == 100


def test_replay(report):
    assert row(report, "replay", "Redis Stream")["replayed"] == 50
    assert row(report, "replay", "Redis pub/sub")["replayed"] == 0
    assert row(report, "replay", "Redis list")["replayed"] == 0
    assert row(report, "replay", "AMQP classic queue")["replayed"] == 0
    stream = [s for s in report["scenarios"] if s["name"] == "replay"][0]["rows"][-1]
    assert stream["system"] == "AMQP stream queue"
    # Until stream queues land, the row says so; once they do, the late consumer gets everything.
    assert stream["result"].startswith("not available in this build") or stream["numbers"]["replayed"] == 50


def test_routing(report):
    redis = row(report, "routing", "Redis pub/sub")
    assert redis["online_subscriber"] == redis["matching"] == 60 and redis["offline_subscriber"] == 0
    amqp = row(report, "routing", "AMQP")
    assert amqp["online_subscriber"] == amqp["offline_subscriber"] == 60


def test_ordering(report):
    assert row(report, "ordering", "AMQP") == {"in_order": 1, "received": 8}
    assert row(report, "ordering", "Redis Stream") == {"in_order": 0, "received": 8}
    assert row(report, "ordering", "Redis list") == {"in_order": 0, "received": 8}


def test_slow_consumer(report):
    refused = row(report, "slow-consumer", "Redis list, maxmemory 2 MiB, noeviction")
    assert refused["producer_errors"] == 1 and refused["lost"] == 0 and refused["accepted"] < 4096
    evicted = row(report, "slow-consumer", "Redis list, maxmemory 2 MiB, allkeys-lru")
    assert evicted["producer_errors"] == 0 and evicted["accepted"] == 4096 and evicted["lost"] > 0
    amqp = row(report, "slow-consumer", "AMQP")
    assert amqp["producer_errors"] == 0 and amqp["accepted"] == 4096 and amqp["lost"] == 0


def test_counters(report):
    redis = row(report, "counters", "Redis")
    assert redis["count"] == 50 and redis["recent"] == 10
    assert row(report, "counters", "AMQP")["count"] == 0


@pytest.mark.deadline(90)
def test_throughput_and_latency_receive_everything_with_url_flag(warren, redis_url):
    """The speed scenarios' counts, not their speed; against a given broker via --url."""
    result = json.loads(compare("--url", warren.url(), "--redis", redis_url, "--json", "--scenario", "throughput",
                                "--scenario", "latency", *SMALL).stdout)
    throughput = rows(result, "throughput")
    assert any(system.startswith("redis-benchmark") for system in throughput)
    latency = rows(result, "latency")
    assert len(latency) == 2
    for numbers in latency.values():
        assert numbers["received"] == numbers["sent"] == 250
        assert numbers["p50_ms"] <= numbers["p99_ms"] <= numbers["p999_ms"] <= numbers["max_ms"]


def test_amqp_is_an_alias_and_bad_flags_are_refused(warren, redis_url):
    table = compare("--amqp", warren.url(), "--redis", redis_url, "--scenario", "counters", "--count", "5").stdout
    assert "counters" in table and "Verdicts" in table
    unknown = subprocess.run([WARREN_BIN, "compare", "--scenario", "nope"], capture_output=True, text=True, timeout=30)
    assert unknown.returncode != 0 and "unknown scenario 'nope'" in unknown.stderr
    both = subprocess.run([WARREN_BIN, "compare", "--url", warren.url(), "--amqp", warren.url()], capture_output=True, text=True, timeout=30)
    assert both.returncode != 0
    huge = subprocess.run([WARREN_BIN, "compare", "--rate", str(2**63 - 1)], capture_output=True, text=True, timeout=30)
    assert huge.returncode != 0 and "rate must be within" in huge.stderr


CONFIG = """\
[[users]]
name = "watcher"
password = "w4tch"
tags = ["management"]
"""


def post(port, body, user="guest", password="guest"):
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(f"http://{HOST}:{port}/api/compare", data=data, method="POST")
    request.add_header("Authorization", "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode())
    request.add_header("Content-Type", "application/json")
    return urllib.request.urlopen(request, timeout=60)


def status_of(port, body, **kwargs):
    try:
        with post(port, body, **kwargs) as response:
            response.read()
            return response.status, None
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.mark.deadline(90)
def test_api_streams_progress_then_the_result_one_run_at_a_time(warren_factory, redis_url):
    port = find_free_port()
    w = warren_factory(CONFIG, extra_args=["--http-port", str(port)])
    assert w.wait_for_output("management HTTP listener ready"), w.output()
    assert status_of(port, {"scenarios": ["fan-out"]}, user="watcher", password="w4tch")[0] == 403
    code, error = status_of(port, {"scenarios": ["nope"]})
    assert code == 400 and "unknown scenario" in error["reason"]
    assert status_of(port, b"[1, 2")[0] == 400
    assert status_of(port, {"count": -1})[0] == 400

    # server-restart kills and restarts servers of its own: the run lasts long enough to be seen running.
    with post(port, {"scenarios": ["fan-out", "server-restart"], "redis": redis_url, "count": 20}) as response:
        assert response.headers.get_content_type() == "application/x-ndjson"
        first = json.loads(response.readline())
        assert first["event"] == "progress"
        # The first run is still streaming: a second one is refused.
        code, error = status_of(port, {"scenarios": ["counters"], "redis": redis_url})
        assert code == 409 and "already running" in error["reason"]
        events = [first] + [json.loads(line) for line in response.read().splitlines() if line]
    assert [e["event"] for e in events][-1] == "result"
    assert all(e["event"] == "progress" for e in events[:-1])
    result = events[-1]["result"]
    assert [s["name"] for s in result["scenarios"]] == ["server-restart", "fan-out"]
    assert rows(result, "fan-out")["AMQP, a queue per subscriber"]["offline_subscriber"] == 100
