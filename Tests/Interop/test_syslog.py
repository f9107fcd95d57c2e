"""The syslog collector end to end: util-linux `logger` (and raw sockets) send to warren's
syslog port over UDP and TCP, pika subscribers bound to patterns on `topic_logs` receive them."""

import json
import os
import socket
import subprocess
import sys
import time

import pytest

from conftest import HOST, find_free_port

TUTORIALS = os.path.join(os.path.dirname(__file__), "tutorials")
JSON_KEYS = {"timestamp", "received_at", "facility", "severity", "hostname", "app_name",
             "procid", "msgid", "structured_data", "message", "peer"}


@pytest.fixture
def collector(warren_factory):
    port = find_free_port()
    w = warren_factory(extra_args=["--syslog-port", str(port)])
    assert w.wait_for_output("syslog UDP listener ready"), w.output()
    assert w.wait_for_output("syslog TCP listener ready"), w.output()
    w.syslog_port = port
    return w


def subscribe(w, *patterns):
    conn = w.connect()
    ch = conn.channel()
    queue = ch.queue_declare("", exclusive=True).method.queue
    for pattern in patterns:
        ch.queue_bind(queue, "topic_logs", pattern)
    return conn, ch, queue


def receive(conn, ch, queue, count, timeout=10.0):
    got = []
    deadline = time.monotonic() + timeout
    while len(got) < count and time.monotonic() < deadline:
        method, props, body = ch.basic_get(queue, auto_ack=True)
        if method is None:
            conn.process_data_events(time_limit=0.05)
            continue
        got.append((method.routing_key, props, body))
    return got


def logger(port, *args):
    subprocess.run(["logger", "-n", HOST, "-P", str(port), *args], check=True, timeout=10)


def test_logger_over_udp_arrives_as_json_keyed_facility_severity(collector):
    conn, ch, queue = subscribe(collector, "user.*")
    logger(collector.syslog_port, "-d", "-p", "user.notice", "-t", "myapp", "hello over udp")
    [(key, props, body)] = receive(conn, ch, queue, 1)
    assert key == "user.notice"
    entry = json.loads(body)
    assert set(entry) == JSON_KEYS
    assert entry["facility"] == "user" and entry["severity"] == "notice"
    assert entry["app_name"] == "myapp"
    assert entry["message"] == "hello over udp"
    assert entry["peer"].startswith("[IPv4]127.0.0.1") or "127.0.0.1" in entry["peer"]
    assert props.content_type == "application/json"
    assert props.headers["facility"] == "user" and props.headers["severity"] == "notice"
    assert props.headers["app_name"] == "myapp"
    assert props.timestamp and abs(props.timestamp - time.time()) < 60
    conn.close()


def test_logger_over_tcp_octet_counted_and_patterns(collector):
    conn, ch, queue = subscribe(collector, "*.critical")
    logger(collector.syslog_port, "-T", "--octet-count", "-p", "auth.crit", "-t", "sshd", "root login")
    logger(collector.syslog_port, "-T", "-p", "auth.info", "-t", "sshd", "not for this subscriber")
    logger(collector.syslog_port, "-T", "-p", "local3.crit", "-t", "db", "disk on fire")
    got = receive(conn, ch, queue, 2)
    assert [(k, json.loads(b)["message"]) for k, _, b in got] == [
        ("auth.critical", "root login"), ("local3.critical", "disk on fire")]
    assert receive(conn, ch, queue, 1, timeout=0.5) == []
    conn.close()


def test_rfc3164_from_logger_keeps_hostname_and_tag(collector):
    conn, ch, queue = subscribe(collector, "local5.#")
    logger(collector.syslog_port, "-d", "--rfc3164", "-p", "local5.warning", "-t", "cron", "--id=4242", "job done")
    [(key, _, body)] = receive(conn, ch, queue, 1)
    entry = json.loads(body)
    assert key == "local5.warning"
    assert entry["app_name"] == "cron" and entry["procid"] == "4242"
    assert entry["message"] == "job done"
    assert entry["hostname"]
    assert entry["timestamp"] and entry["timestamp"].endswith("Z")
    conn.close()


def test_line_without_pri_is_kept_as_user_notice(collector):
    conn, ch, queue = subscribe(collector, "#")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.sendto(b"no priority here\n", (HOST, collector.syslog_port))
    [(key, _, body)] = receive(conn, ch, queue, 1)
    assert key == "user.notice"
    assert json.loads(body)["message"] == "no priority here"
    conn.close()


@pytest.mark.parametrize("header", ["Oct 11 24:14:15", "Feb 30 10:00:00", "Foo 11 10:00:00", "Oct 11 22:60:15"])
def test_rfc3164_line_with_an_impossible_time_is_kept_whole(collector, header):
    """RFC 3164 §4.3.2: a header that cannot be parsed is content. The PRI is kept; the time and
    host a relay would add are the entry's received_at and peer."""
    conn, ch, queue = subscribe(collector, "#")
    line = f"{header} myhost app: the rest"
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.sendto(b"<165>" + line.encode(), (HOST, collector.syslog_port))
    [(key, _, body)] = receive(conn, ch, queue, 1)
    entry = json.loads(body)
    assert key == "local4.notice"
    assert entry["message"] == line
    assert (entry["timestamp"], entry["hostname"], entry["app_name"]) == (None, None, None)
    assert entry["received_at"] and "127.0.0.1" in entry["peer"]
    conn.close()


def test_large_udp_datagram_arrives_whole(collector):
    conn, ch, queue = subscribe(collector, "local0.info")
    text = "x" * 60000
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.sendto(b"<134>1 2026-11-23T10:00:00Z host app - - - " + text.encode(), (HOST, collector.syslog_port))
    [(_, _, body)] = receive(conn, ch, queue, 1)
    assert json.loads(body)["message"] == text
    conn.close()


def test_tcp_mixed_framing_on_one_connection(collector):
    conn, ch, queue = subscribe(collector, "local1.*")
    first = b"<141>1 2026-11-23T10:00:00Z h a - - - one"
    with socket.create_connection((HOST, collector.syslog_port), timeout=5) as s:
        s.sendall(str(len(first)).encode() + b" " + first + b"<141>Nov 23 10:00:00 h a: two\n"
                  + b"<142>Nov  3 01:02:03 h a[7]: three\n")
    got = receive(conn, ch, queue, 3)
    assert [(k, json.loads(b)["message"]) for k, _, b in got] == [
        ("local1.notice", "one"), ("local1.notice", "two"), ("local1.info", "three")]
    conn.close()


def test_topic_tutorial_receives_real_syslog(collector):
    """receive_logs_topic.py from RabbitMQ's tutorial, unchanged, gets what `logger` sends."""
    env = dict(os.environ, AMQP_URL=collector.url(), PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, os.path.join(TUTORIALS, "receive_logs_topic.py"), "local7.*"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True)
    try:
        line = proc.stdout.readline()
        assert "Waiting for logs" in line, line
        logger(collector.syslog_port, "-d", "-p", "local7.err", "-t", "kernel-ish", "tutorial sees syslog")
        deadline = time.monotonic() + 10
        seen = ""
        while time.monotonic() < deadline:
            seen = proc.stdout.readline()
            if "local7.error" in seen:
                break
        assert "local7.error" in seen and "tutorial sees syslog" in seen, seen
    finally:
        proc.kill()
        proc.wait()
