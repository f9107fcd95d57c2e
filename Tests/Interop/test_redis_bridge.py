"""The Redis bridge against a real redis-server: counters, rates, recent lists and host state
after N entries; Redis killed and restarted mid-stream (appendfsync always, so every write Redis
acknowledged is on disk) leaves the counters at exactly N; Redis absent at start is caught up
with; `warren stats` and `warren recent` read it back."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time

import pytest

import polling

from conftest import HOST, find_free_port
from redis_server import RedisServer

DEADLINE = 15.0


def wait_for(condition, timeout=DEADLINE, interval=0.02):
    return polling.wait_for(condition, timeout, interval)


def send_entries(port, count, start=0, pri=187, app="bridge-test"):
    """RFC 5424 entries over one TCP connection, octet-counted (no loss: TCP)."""
    with socket.create_connection((HOST, port), timeout=10) as sock:
        frames = []
        for i in range(start, start + count):
            message = f"<{pri}>1 2026-11-24T00:00:00Z host-a {app} - - - entry {i}".encode()
            frames.append(b"%d %s" % (len(message), message))
        sock.sendall(b"".join(frames))


def counter(server, key):
    try:
        return int(server.client().get(f"warren:count:{key}") or 0)
    except Exception:
        return -1


@pytest.fixture
def redis_dir(tmp_path):
    return tmp_path / "redis"


@pytest.fixture
def servers(redis_dir):
    started = []
    yield started
    for server in started:
        server.stop()


def start_warren(warren_factory, redis_url, extra=()):
    syslog_port = find_free_port()
    w = warren_factory(extra_args=["--syslog-port", str(syslog_port), "--redis", redis_url, *extra])
    assert w.wait_for_output("syslog TCP listener ready"), w.output()
    w.syslog_port = syslog_port
    return w


def test_counters_rates_recent_and_hosts_after_n_entries(warren_factory, redis_dir, servers):
    server = RedisServer(redis_dir).start()
    servers.append(server)
    w = start_warren(warren_factory, server.url)
    send_entries(w.syslog_port, 25)                      # local7.error
    send_entries(w.syslog_port, 5, pri=14, app="other")  # user.info
    wait_for(lambda: counter(server, "local7.error") == 25 and counter(server, "user.info") == 5)
    r = server.client()
    assert r.hgetall("warren:count:local7") == {"error": "25"}
    assert sum(int(v) for v in r.hgetall("warren:rate:local7.error").values()) == 25
    recent = r.lrange("warren:recent:local7.error", 0, -1)
    assert len(recent) == 25 and json.loads(recent[0])["message"] == "entry 24"
    assert r.llen("warren:recent:all") == 30
    host = r.hgetall("warren:host:host-a")
    assert host["last_severity"] in ("error", "info") and host["last_seen"]
    # Everything acknowledged: nothing waits in the bridge queue.
    conn = w.connect()
    assert conn.channel().queue_declare("warren.redis-bridge", passive=True).method.message_count == 0
    conn.close()


def test_recent_lists_are_trimmed_to_the_configured_limit(warren_factory, redis_dir, servers):
    server = RedisServer(redis_dir).start()
    servers.append(server)
    config = f'[redis]\nurl = "{server.url}"\nrecent_limit = 10\npatterns = ["local7.*"]\n'
    syslog_port = find_free_port()
    w = warren_factory(config, extra_args=["--syslog-port", str(syslog_port)])
    assert w.wait_for_output("syslog TCP listener ready"), w.output()
    send_entries(syslog_port, 40)
    send_entries(syslog_port, 3, pri=14)  # user.info: not bound, not counted
    wait_for(lambda: counter(server, "local7.error") == 40)
    r = server.client()
    assert r.llen("warren:recent:local7.error") == 10
    assert json.loads(r.lindex("warren:recent:local7.error", 0))["message"] == "entry 39"
    assert r.get("warren:count:user.info") is None


def test_redis_killed_and_restarted_mid_stream_counts_exactly_n(warren_factory, redis_dir, servers):
    server = RedisServer(redis_dir, appendfsync="always").start()
    servers.append(server)
    w = start_warren(warren_factory, server.url)
    send_entries(w.syslog_port, 200)
    wait_for(lambda: counter(server, "local7.error") > 0)
    server.kill()
    send_entries(w.syslog_port, 300, start=200)  # arrives while Redis is down: waits in the queue
    assert w.wait_for_output("entries wait in the queue"), w.output()
    server.start()
    wait_for(lambda: counter(server, "local7.error") == 500)
    r = server.client()
    messages = {json.loads(e)["message"] for e in r.lrange("warren:recent:local7.error", 0, -1)}
    assert messages == {f"entry {i}" for i in range(500)}
    assert w.wait_for_output("connected to redis"), w.output()


def test_bridge_waits_for_an_absent_redis_and_catches_up(warren_factory, redis_dir, servers):
    port = find_free_port()
    w = start_warren(warren_factory, f"redis://{HOST}:{port}/0")
    send_entries(w.syslog_port, 50)
    assert w.wait_for_output("entries wait in the queue"), w.output()
    server = RedisServer(redis_dir, port=port).start()
    servers.append(server)
    wait_for(lambda: counter(server, "local7.error") == 50)


def test_stats_and_recent_commands_read_the_bridge(warren_factory, redis_dir, servers):
    server = RedisServer(redis_dir).start()
    servers.append(server)
    w = start_warren(warren_factory, server.url)
    send_entries(w.syslog_port, 4)
    send_entries(w.syslog_port, 2, pri=14, app="other")
    wait_for(lambda: counter(server, "local7.error") == 4 and counter(server, "user.info") == 2)
    binary = os.environ["WARREN_BIN"]
    stats = subprocess.run([binary, "stats", "--redis", server.url, "--json"], capture_output=True, text=True, timeout=30)
    assert stats.returncode == 0, stats.stderr
    rows = {row["routing_key"]: row for row in json.loads(stats.stdout)}
    assert rows["local7.error"]["count"] == 4 and rows["user.info"]["count"] == 2
    assert rows["local7.error"]["last_5_minutes"] == 4
    only = subprocess.run([binary, "stats", "--redis", server.url, "*.error"], capture_output=True, text=True, timeout=30)
    assert "local7.error" in only.stdout and "user.info" not in only.stdout
    recent = subprocess.run([binary, "recent", "local7.error", "-n", "2", "--redis", server.url, "--no-color"],
                            capture_output=True, text=True, timeout=30)
    assert recent.returncode == 0, recent.stderr
    lines = recent.stdout.splitlines()
    assert len(lines) == 2 and lines[0].endswith("entry 2") and lines[1].endswith("entry 3")
    assert "host-a" in lines[0] and "bridge-test" in lines[0] and "local7.error" in lines[0]


def test_bad_redis_url_is_a_config_error(warren_factory):
    w = warren_factory(extra_args=["--redis", "http://nope"], expect_ready=False)
    w.expected_exit = True
    assert w.wait_exit() == 78
    assert "--redis must be redis://host[:port][/db], got 'http://nope'" in w.output()


def test_a_full_bridge_queue_parks_entries_instead_of_dropping_them(warren_factory):
    # No Redis at all: the bridge holds 1000 entries in flight (its prefetch), 10 more wait in its
    # queue (max_backlog), and the rest are parked with x-death instead of growing the queue.
    syslog_port = find_free_port()
    config = f'[redis]\nurl = "redis://{HOST}:{find_free_port()}/0"\nmax_backlog = 10\n'
    w = warren_factory(config, extra_args=["--syslog-port", str(syslog_port)])
    assert w.wait_for_output("syslog TCP listener ready"), w.output()
    send_entries(syslog_port, 1100)
    conn = w.connect()
    channel = conn.channel()

    def depths():
        return (channel.queue_declare("warren.redis-bridge", passive=True).method.message_count,
                channel.queue_declare("warren.redis-bridge.parked", passive=True).method.message_count)
    wait_for(lambda: depths() == (10, 90))
    _, properties, _ = channel.basic_get("warren.redis-bridge.parked", auto_ack=True)
    assert properties.headers["x-death"][0]["reason"] == "maxlen"
    assert properties.headers["x-death"][0]["queue"] == "warren.redis-bridge"
    conn.close()
