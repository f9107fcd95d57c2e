"""Hostile clients against a real warren: every limit of Docs/limits.md as a client meets it, with
RabbitMQ's reply codes and texts, and the crash and forgery inputs of issue 12 (concurrent /metrics
scrapers during a publish flood, live-tail events built from hostile routing keys and bodies).
Raw frames (amqp_raw) where a well-behaved client library would refuse to misbehave, pika elsewhere."""

from __future__ import annotations

import base64
import http.client
import json
import re
import socket
import threading
import time
import urllib.request

import pika
import pytest

import amqp_raw as r
import polling
from conftest import HOST, find_free_port
from redis_server import RedisServer

BASIC_PUBLISH = (60, 40)
GUEST = {"Authorization": "Basic " + base64.b64encode(b"guest:guest").decode()}


def start_with_http(warren_factory, config=None):
    http_port = find_free_port()
    w = warren_factory(config, extra_args=["--http-port", str(http_port)])
    assert w.wait_for_output("management HTTP listener ready"), w.output()
    w.http_port = http_port
    return w


def metrics(w) -> str:
    with urllib.request.urlopen(f"http://{HOST}:{w.http_port}/metrics", timeout=10) as response:
        assert response.status == 200
        return response.read().decode()


def metric(text: str, sample: str) -> float:
    match = re.search(r"^" + re.escape(sample) + r" (\S+)$", text, re.MULTILINE)
    assert match, f"{sample} missing from /metrics"
    return float(match.group(1))


def publish_args(exchange: str = "", routing_key: str = "q") -> bytes:
    return r.short(0) + r.shortstr(exchange) + r.shortstr(routing_key) + r.octet(0)


def content_header(channel: int, body_size: int) -> bytes:
    return r.frame(r.FRAME_HEADER, channel, r.short(60) + r.short(0) + r.longlong(body_size) + r.short(0))


def read_channel_close(c: r.RawClient, channel: int) -> r.Close:
    f = c.read_method(r.CHANNEL_CLOSE, channel=channel)
    args = f.args()
    return r.Close(args.short(), args.shortstr(), args.short(), args.short())


# ---------------------------------------------------------------------------
# max_message_size
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("body_size", [20_000_000, 2**64 - 1])
def test_an_oversized_message_closes_its_channel_not_the_connection(warren, body_size):
    """RabbitMQ 4: 406 on the channel, the text naming both sizes, before any body is sent."""
    with warren.raw_connect() as c:
        c.open_channel(1)
        c.send_method(1, BASIC_PUBLISH, publish_args())
        c.send(content_header(1, body_size))
        close = read_channel_close(c, 1)
        assert (close.reply_code, close.class_id, close.method_id) == (406, 60, 40)
        assert close.reply_text == f"PRECONDITION_FAILED - message size {body_size} is larger than configured max size 16777216"
        c.send(r.frame(r.FRAME_BODY, 1, b"x" * 1000))  # dropped until close-ok
        c.send_method(1, r.CHANNEL_CLOSE_OK)
        c.open_channel(2)
        c.open_channel(1)
        c.close()


def test_max_message_size_is_configurable(warren_factory):
    w = warren_factory("[amqp]\nmax_message_size = 1024\n")
    conn = w.connect()
    ch = conn.channel()
    ch.queue_declare("q")
    ch.basic_publish("", "q", b"x" * 1024)
    with pytest.raises(pika.exceptions.ChannelClosedByBroker) as closed:
        ch.basic_publish("", "q", b"x" * 1025)
        ch.queue_declare("q", passive=True)  # a round trip, so the channel's close arrives
    assert closed.value.reply_code == 406
    assert closed.value.reply_text == "PRECONDITION_FAILED - message size 1025 is larger than configured max size 1024"
    assert conn.channel().queue_declare("q", passive=True).method.message_count == 1
    conn.close()


# ---------------------------------------------------------------------------
# channel_max
# ---------------------------------------------------------------------------

def test_channel_max_counts_open_channels_whatever_their_numbers(warren):
    """As RabbitMQ 3.10: on a connection tuned to 2047, channel 65535 opens; the 2048th open channel is 530."""
    with warren.raw_connect(timeout=20) as c:
        assert c.tune.channel_max == 2047
        numbers = [65535] + list(range(1, 2047))
        c.send(b"".join(r.method_frame(n, r.CHANNEL_OPEN, r.channel_open_args()) for n in numbers))
        for n in numbers:
            c.read_method(r.CHANNEL_OPEN_OK, channel=n)
        c.send_method(3000, r.CHANNEL_OPEN, r.channel_open_args())
        code, text = c.wait_for_close()
        assert code == 530
        assert text == "NOT_ALLOWED - number of channels opened (2047) has reached the negotiated channel_max (2047)"


# ---------------------------------------------------------------------------
# handshake_timeout
# ---------------------------------------------------------------------------

def test_silent_and_stalled_handshakes_are_closed_and_counted(warren_factory):
    w = start_with_http(warren_factory, "[amqp]\nhandshake_timeout = 300\n")
    with w.raw() as silent:
        assert silent.read_until_eof(timeout=10) == b""  # nothing was ever sent: closed without a word
    with w.raw() as stalled:
        stalled.start()  # protocol header, then nothing
        assert stalled.read_until_eof(timeout=10) == b""
    with w.raw() as before_open:
        before_open.start()
        before_open.send_method(0, r.CONNECTION_START_OK, r.start_ok_args("guest", "guest"))
        before_open.read_tune()
        before_open.send_method(0, r.CONNECTION_TUNE_OK, r.tune_ok_args(0, 0, 0))
        assert before_open.read_until_eof(timeout=10) == b""
    with w.raw_connect() as opened:
        with w.raw() as later:  # connected after `opened`: when it is dropped, `opened` is past the timeout too
            assert later.read_until_eof(timeout=10) == b""
        opened.open_channel(1)  # an open connection outlives the handshake timeout
        opened.close()
    assert metric(metrics(w), "warren_handshake_timeouts_total") == 4
    assert "handshake_timeout (300 ms)" in w.output()


# ---------------------------------------------------------------------------
# connection_max, per-vhost max_connections, max_queues, consumers, transactions
# ---------------------------------------------------------------------------

LIMITED = """\
[amqp]
connection_max = 3
consumer_max_per_channel = 2
max_transaction_size = 5

[[vhosts]]
name = "/"
max_queues = 2

[[vhosts]]
name = "logs"
max_connections = 1

# guest has permissions on / only unless given more (Docs/security.md)
[[users]]
name = "guest"
password = "guest"
vhosts = ["/", "logs"]
tags = ["administrator"]
"""


def expect_refused_open(w, vhost, text):
    with w.raw() as c:
        c.start()
        c.send_method(0, r.CONNECTION_START_OK, r.start_ok_args("guest", "guest"))
        c.read_tune()
        c.send_method(0, r.CONNECTION_TUNE_OK, r.tune_ok_args(0, 0, 0))
        c.send_method(0, r.CONNECTION_OPEN, r.open_args(vhost))
        assert c.wait_for_close() == (530, text)
        assert (c.last_close.class_id, c.last_close.method_id) == (10, 40)


def test_connection_max_counts_sockets_handshaking_or_open(warren_factory):
    """As RabbitMQ's listener accept limit: one socket more is closed at once, so idle sockets
    cannot take every file descriptor; a closed one gives its slot back."""
    w = start_with_http(warren_factory, "[amqp]\nconnection_max = 2\n")
    opened, idle = w.raw_connect(), w.raw()
    idle.start()  # connection.start came back: this socket holds a slot
    with w.raw() as refused:
        assert refused.read_until_eof() == b""
    assert metric(metrics(w), 'warren_connections_refused_total{limit="connection_max"}') == 1
    idle.close_socket()

    def connects():
        try:
            w.raw_connect().close()
            return True
        except (r.RawProtocolError, OSError):
            return False
    polling.wait_for(connects)  # the idle socket's slot comes back once warren has seen it close
    opened.close()
    opened.close_socket()


def test_a_vhost_connection_limit_counts_open_connections(warren_factory):
    w = warren_factory(LIMITED)
    logs = w.raw_connect(vhost="logs")
    expect_refused_open(w, "logs", "NOT_ALLOWED - access to vhost 'logs' refused for user 'guest': connection limit (1) is reached")
    w.raw_connect().close()  # another vhost is not limited by it
    logs.close()
    logs.close_socket()


def test_queue_limit_per_vhost(warren_factory):
    conn = warren_factory(LIMITED).connect()
    ch = conn.channel()
    ch.queue_declare("a")
    ch.queue_declare("b")
    ch.queue_declare("a")  # redeclaring an existing queue is not a new one
    with pytest.raises(pika.exceptions.ChannelClosedByBroker) as closed:
        ch.queue_declare("c")
    assert closed.value.reply_code == 406
    assert closed.value.reply_text == "PRECONDITION_FAILED - cannot declare queue 'c': queue limit in vhost '/' (2) is reached"
    conn.close()


def test_consumers_per_channel(warren_factory):
    conn = warren_factory(LIMITED).connect()
    ch = conn.channel()
    ch.queue_declare("q")
    ch.basic_consume("q", lambda *a: None)
    ch.basic_consume("q", lambda *a: None)
    with pytest.raises(pika.exceptions.ConnectionClosedByBroker) as closed:
        ch.basic_consume("q", lambda *a: None)
    assert closed.value.reply_code == 530
    assert closed.value.reply_text == "NOT_ALLOWED - reached maximum (2) of consumers per channel"


def test_a_transaction_that_publishes_forever_is_bounded(warren_factory):
    conn = warren_factory(LIMITED).connect()
    ch = conn.channel()
    ch.queue_declare("q")
    ch.tx_select()
    with pytest.raises(pika.exceptions.ChannelClosedByBroker) as closed:
        for index in range(100):
            ch.basic_publish("", "q", b"%d" % index)
        ch.tx_commit()
    assert closed.value.reply_code == 406
    assert "transaction holds the maximum of 5" in closed.value.reply_text
    assert conn.channel().queue_declare("q", passive=True).method.message_count == 0
    conn.close()


# ---------------------------------------------------------------------------
# /metrics under concurrent scrapers (issue 12, input 5)
# ---------------------------------------------------------------------------

@pytest.mark.deadline(40)
def test_sixteen_concurrent_scrapers_during_a_publish_flood(warren_factory):
    w = start_with_http(warren_factory)
    flooding = threading.Event()
    stop = threading.Event()
    failures: list = []

    def flood():
        conn = w.connect()
        ch = conn.channel()
        ch.queue_declare("flood")
        ch.basic_consume("flood", lambda *a: None, auto_ack=True)
        while not stop.is_set():
            for _ in range(200):
                ch.basic_publish("", "flood", b"m")
            # A round trip after each burst: the flood runs as fast as warren takes it, never ahead of it.
            ch.queue_declare("flood", passive=True)
            flooding.set()
        conn.close()

    def scrape():
        seen = {"published": 0.0, "delivered": 0.0}
        deadline = time.monotonic() + 10  # bounds the work on a slow machine: at most 40 scrapes or 10 s each
        try:
            for _ in range(40):
                if time.monotonic() > deadline:
                    break
                text = metrics(w)
                for name in seen:
                    match = re.search(r'^warren_messages_%s_total\{vhost="/"\} (\S+)$' % name, text, re.MULTILINE)
                    value = float(match.group(1)) if match else 0.0
                    assert value >= seen[name], f"{name} went from {seen[name]} to {value}"
                    seen[name] = value
        except Exception as error:  # noqa: BLE001 - reported by the main thread
            failures.append(error)

    publisher = threading.Thread(target=flood)
    publisher.start()
    assert flooding.wait(10)
    scrapers = [threading.Thread(target=scrape) for _ in range(16)]
    for thread in scrapers:
        thread.start()
    for thread in scrapers:
        thread.join()
    stop.set()
    publisher.join()
    assert failures == []
    assert w.running()
    final = metrics(w)
    assert metric(final, 'warren_messages_published_total{vhost="/"}') > 0
    assert "# TYPE warren_messages_published_total counter" in final


def test_metric_labels_are_escaped(warren_factory):
    w = start_with_http(warren_factory)
    conn = w.connect()
    conn.channel().queue_declare('evil"} 1\nwarren_forged 1')
    text = metrics(w)
    assert "\nwarren_forged" not in text
    assert 'queue="evil\\"} 1\\nwarren_forged 1"} 0.0' in text
    conn.close()


# ---------------------------------------------------------------------------
# The live-tail event stream
# ---------------------------------------------------------------------------

def open_tail(w):
    stream = http.client.HTTPConnection(HOST, w.http_port, timeout=10)
    stream.request("GET", "/api/tail?pattern=%23", headers=GUEST)
    return stream, stream.getresponse()


def sse_events(raw: bytes):
    """Parses an event stream as a browser does: CR, LF and CRLF all end lines; a blank line ends an event."""
    events, fields = [], {}
    for line in re.split(rb"\r\n|\r|\n", raw):
        if not line:
            if fields:
                events.append(fields)
            fields = {}
        elif not line.startswith(b":"):
            name, _, value = line.partition(b":")
            fields.setdefault(name.decode(), []).append(value[1:] if value.startswith(b" ") else value)
    return events


def test_hostile_routing_keys_and_bodies_cannot_forge_live_tail_events(warren_factory):
    w = start_with_http(warren_factory)
    stream, response = open_tail(w)
    assert response.status == 200
    assert response.readline().startswith(b": subscribed to #")
    routing_key = "kern.crit\r\nevent: forged\rid: 1"
    body = b"x\n\ndata: forged\r\rdata: {}\r\n\r\nevent: forged\n\n"
    conn = w.connect()
    conn.channel().basic_publish("topic_logs", routing_key, body)
    received = b""
    while not (b"event: entry" in received and received.endswith(b"\n\n")):  # up to the end of the entry's event
        received += response.read1(65536)
    events = sse_events(received)
    assert [event.get("event") for event in events] == [[b"entry"]]
    data = events[0]["data"]
    assert len(data) == 1
    assert json.loads(data[0]) == {"routing_key": routing_key, "body": body.decode()}
    conn.close()
    stream.close()


def test_a_pattern_with_line_breaks_cannot_forge_a_live_tail_event(warren_factory):
    w = start_with_http(warren_factory)
    stream = http.client.HTTPConnection(HOST, w.http_port, timeout=10)
    stream.request("GET", "/api/tail?pattern=kern.%2A%0D%0Aevent%3A%20forged%0Adata%3A%20x%0A%0A", headers=GUEST)
    response = stream.getresponse()
    assert response.status == 200
    line = response.readline()
    assert line.startswith(b": subscribed to kern.*") and line.endswith(b"\n")
    assert b"\r" not in line and b"forged" in line  # the whole pattern stays on the comment line
    stream.close()


def test_live_tail_streams_beyond_the_limit_are_refused(warren_factory):
    w = start_with_http(warren_factory, "[http]\nmax_live_tail_streams = 1\n")
    stream, response = open_tail(w)
    assert response.readline().startswith(b": subscribed to #")
    second, refused = open_tail(w)
    assert refused.status == 503
    assert json.loads(refused.read())["reason"] == "1 live-tail streams are open (max_live_tail_streams)"
    assert metric(metrics(w), "warren_live_tail_streams_refused_total") == 1
    second.close()
    stream.close()


# ---------------------------------------------------------------------------
# Redis key cardinality from syslog hostnames
# ---------------------------------------------------------------------------

def test_a_flood_of_unique_hostnames_makes_a_bounded_number_of_redis_keys(warren_factory, tmp_path):
    server = RedisServer(tmp_path / "redis").start()
    try:
        syslog_port = find_free_port()
        w = warren_factory("[redis]\nurl = \"%s\"\nmax_hosts = 5\n" % server.url,
                           extra_args=["--syslog-port", str(syslog_port)])
        assert w.wait_for_output("syslog TCP listener ready"), w.output()
        frames = []
        for index in range(200):
            message = f"<14>1 2026-11-24T00:00:00Z flood-{index} app - - - entry {index}".encode()
            frames.append(b"%d %s" % (len(message), message))
        with socket.create_connection((HOST, syslog_port), timeout=10) as sock:
            sock.sendall(b"".join(frames))
        client = server.client()
        polling.wait_for(lambda: int(client.get("warren:count:user.info") or 0) == 200, timeout=15)
        hosts = sorted(client.scan_iter("warren:host:*"))
        assert hosts == sorted(["warren:host:_other"] + [f"warren:host:flood-{index}" for index in range(5)])
    finally:
        server.stop()
