"""Flow control against hostile or slow clients (issue 12, input 4): a consumer that stops reading
its socket gets no more deliveries, so the queue keeps the messages (where the memory alarm and
paging see them) instead of warren moving them into socket buffers; a slow live-tail page is told
how many entries it lost; a syslog-only warren (no AMQP listener) still raises the memory alarm
and stops intake."""

from __future__ import annotations

import base64
import select
import socket

import pytest

import amqp_raw
from amqp_raw import (BASIC_ACK, BASIC_CONSUME, BASIC_CONSUME_OK, BASIC_DELIVER, BASIC_PUBLISH, FRAME_BODY, FRAME_HEADER,
                      QUEUE_DECLARE_OK, frame, longlong, method_frame, octet, short, shortstr, table)
from conftest import HOST, find_free_port
from polling import wait_for
from test_management_api import call, managed  # noqa: F401 (a fixture)

MESSAGES = 50_000
BODY = 1024
# What may legitimately leave the queue for a stalled reader: its own small receive buffer, the
# server's kernel send buffer (autotuned up to tcp_wmem's maximum on loopback), warren's 1 MiB
# outbound window and 1 MiB NIO write buffer, with AMQP framing on top. Everything else stays ready.
with open("/proc/sys/net/ipv4/tcp_wmem") as tcp_wmem:
    SEND_BUFFER_MAX = int(tcp_wmem.read().split()[2])
IN_FLIGHT_ALLOWANCE = (SEND_BUFFER_MAX + 256 * 1024 + 2 * 1024 * 1024) * 5 // 4


def body(sequence: int, size: int = BODY) -> bytes:
    return f"{sequence:010d}".encode().ljust(size, b".")


def publish_frames(exchange: str, key: str, bodies) -> bytes:
    """basic.publish + content header + body frames for every body, on channel 1."""
    publish = method_frame(1, BASIC_PUBLISH, short(0) + shortstr(exchange) + shortstr(key) + octet(0))
    out = bytearray()
    for payload in bodies:
        out += publish
        out += frame(FRAME_HEADER, 1, short(60) + short(0) + longlong(len(payload)) + short(0))
        out += frame(FRAME_BODY, 1, payload)
    return bytes(out)


def api(w, path):
    status, body = call(w, "GET", path)
    assert status == 200, (path, status, body)
    return body.decode() if isinstance(body, bytes) else body


def stalled_consumer(w, queue: str, no_ack: bool) -> amqp_raw.RawClient:
    """A raw consumer with a small receive buffer that will not read until told to."""
    client = w.raw_connect()
    client.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
    client.open_channel(1)
    client.send_method(1, amqp_raw.QUEUE_DECLARE, amqp_raw.queue_declare_args(queue))
    client.read_method(QUEUE_DECLARE_OK, channel=1)
    bits = 0b10 if no_ack else 0  # no-local, no-ack, exclusive, no-wait
    client.send_method(1, BASIC_CONSUME, short(0) + shortstr(queue) + shortstr("stalled") + octet(bits) + table())
    client.read_method(BASIC_CONSUME_OK, channel=1)
    return client


def read_deliveries(client: amqp_raw.RawClient, count: int) -> list[bytes]:
    """Reads `count` deliveries (method, header, body frames); returns their bodies' sequence prefixes."""
    prefixes = []
    last_tag = 0
    while len(prefixes) < count:
        f = client.read_frame(10)
        if f.type == FRAME_BODY:
            prefixes.append(f.payload[:10])
        elif f.class_method == BASIC_DELIVER:
            args = f.args()
            args.shortstr()
            last_tag = args.longlong()
    client.last_tag = last_tag
    return prefixes


@pytest.mark.deadline(120)
@pytest.mark.parametrize("no_ack", [True, False], ids=["auto-ack", "manual-ack-no-prefetch"])
def test_a_consumer_that_stops_reading_leaves_the_messages_in_the_queue(managed, no_ack):
    queue = "stalled-" + ("auto" if no_ack else "manual")
    consumer = stalled_consumer(managed, queue, no_ack)
    publisher = managed.raw_connect()
    publisher.open_channel(1)
    publisher.sock.settimeout(60)  # a deadline for sending 50 MB, not a wait
    publisher.sock.sendall(publish_frames("", queue, (body(i) for i in range(MESSAGES))))

    def routed():
        stats = api(managed, f"/api/queues/%2F/{queue}")
        return stats if stats.get("message_stats", {}).get("publish", 0) == MESSAGES else None

    stats = wait_for(routed, timeout=60, interval=0.2)
    # Without flow control every message went to the socket: 0 ready.
    assert stats["messages_ready"] >= MESSAGES - IN_FLIGHT_ALLOWANCE // BODY, stats
    if not no_ack:
        assert stats["messages_unacknowledged"] <= IN_FLIGHT_ALLOWANCE // BODY, stats

    # The consumer starts reading: it gets every message, in publish order.
    prefixes = read_deliveries(consumer, MESSAGES)
    assert prefixes == [body(i)[:10] for i in range(MESSAGES)]
    if not no_ack:
        consumer.send_method(1, BASIC_ACK, longlong(consumer.last_tag) + octet(1))
    drained = wait_for(lambda: (q := api(managed, f"/api/queues/%2F/{queue}"))["messages"] == 0 and q, timeout=20)
    assert drained["messages_ready"] == 0
    consumer.close()
    publisher.close()


@pytest.mark.deadline(90)
def test_a_slow_live_tail_page_is_told_how_many_entries_it_missed(managed):
    page = socket.create_connection((HOST, managed.http_port), timeout=10)
    page.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 * 1024)
    page.sendall(f"GET /api/tail?pattern=%23 HTTP/1.1\r\nHost: {HOST}\r\nAuthorization: Basic "
                 f"{base64.b64encode(b'guest:guest').decode()}\r\n\r\n".encode())
    received = bytearray()
    while b": subscribed to #" not in received:
        received += page.recv(4096)
    wait_for(lambda: any(q["name"].startswith("warren.live-tail.") and q["consumers"] == 1 for q in api(managed, "/api/queues")))

    # 20 MB of entries while the page does not read: far more than its backlog and socket hold.
    count = 20_000
    publisher = managed.raw_connect()
    publisher.open_channel(1)
    publisher.sock.settimeout(60)
    publisher.sock.sendall(publish_frames("topic_logs", "user.info", (body(i) for i in range(count))))

    def tail_queue():
        return next(q for q in api(managed, "/api/queues") if q["name"].startswith("warren.live-tail."))

    # Every entry reached the page's queue and left it: the live tail drops instead of queueing.
    wait_for(lambda: (q := tail_queue()).get("message_stats", {}).get("publish", 0) == count and q["messages_ready"] == 0,
             timeout=60, interval=0.2)

    # Now it reads: a `dropped` event says how many entries it lost, and the newest entry arrives.
    last = body(count - 1)[:10]
    while last not in received:
        chunk = page.recv(1 << 20)
        assert chunk, "the stream ended"
        received += chunk
    assert b"event: dropped" in received
    dropped = int(received.split(b"event: dropped\ndata: ", 1)[1].split(b"\n", 1)[0])
    assert 0 < dropped < count
    page.close()
    publisher.close()


def test_a_syslog_only_warren_blocks_intake_under_the_memory_alarm(warren_factory):
    http_port, syslog_port = find_free_port(), find_free_port()
    w = warren_factory("[limits]\nmemory_high_watermark_bytes = 1000\n", expect_ready=False,
                       extra_args=["--amqp-port", "0", "--http-port", str(http_port), "--syslog-port", str(syslog_port)])
    assert w.wait_for_output(f"syslog UDP listener ready on {HOST}:{syslog_port}"), w.output()
    assert "AMQP listener disabled" in w.output()
    w.http_port = http_port
    assert w.wait_for_output("resource alarm: low on memory"), w.output()
    wait_for(lambda: "warren_memory_alarm 1" in api(w, "/metrics"))

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.sendto(b"<13>Dec  7 01:00:00 host app: refused while the alarm is raised", (HOST, syslog_port))
    wait_for(lambda: any(line.startswith("warren_syslog_entries_dropped_total") and line.endswith(" 1")
                         for line in api(w, "/metrics").splitlines()))
    assert w.terminate() == 0
    assert f"syslog udp://{HOST}:{syslog_port} stopped: 0 received, 0 published, 0 repaired, 1 dropped" in w.output(), w.output()


def test_an_absurd_outbound_buffer_is_refused_with_the_key_named(warren_factory):
    for value in [-1, 10, 2**62]:
        w = warren_factory(config=f"[limits]\noutbound_buffer_bytes = {value}\n", expect_ready=False)
        w.expected_exit = True
        assert w.wait_exit() == 78, value
        assert "limits.outbound_buffer_bytes" in w.output(), w.output()


def test_the_memory_alarm_blocks_a_publishing_amqp_connection(warren_factory):
    w = warren_factory("[limits]\nmemory_high_watermark_bytes = 1000\n")
    assert w.wait_for_output("resource alarm: low on memory"), w.output()
    capabilities = table({"product": "hostile-flow", "capabilities": {"connection.blocked": True}})
    client = w.raw_connect(client_properties=capabilities)
    client.open_channel(1)
    client.send(publish_frames("", "nowhere", [b"one publish, then the alarm holds the connection"]))
    blocked = client.read_method(amqp_raw.CONNECTION_BLOCKED, channel=0)
    assert blocked.args().shortstr() == "low on memory"
    client.close_socket()


@pytest.mark.deadline(60)
def test_a_publisher_that_never_reads_its_returns_is_not_read_either(managed):
    # Mandatory publishes to nowhere: each comes back as basic.return. A client that never reads
    # them must not make warren buffer them without end: once its socket is full warren stops
    # reading the client, and TCP holds the publisher back.
    client = managed.raw_connect()
    client.open_channel(1)
    publish = method_frame(1, BASIC_PUBLISH, short(0) + shortstr("") + shortstr("nowhere") + octet(1))
    message = (publish + frame(FRAME_HEADER, 1, short(60) + short(0) + longlong(BODY) + short(0))
               + frame(FRAME_BODY, 1, body(0)))
    burst = memoryview(message * 1000)
    client.sock.setblocking(False)
    sent, limit = 0, 50 * 1024 * 1024
    while sent < limit:
        try:
            offset = sent % len(burst)
            sent += client.sock.send(burst[offset:])
        except BlockingIOError:
            # Warren stopped reading: the socket stays full for the whole quiet window.
            if not select.select([], [client.sock], [], 3)[1]:
                break
    assert sent < limit, "warren kept reading a client that does not read its returns"
    client.sock.setblocking(True)
    client.sock.settimeout(10)
    first = client.read_method(amqp_raw.BASIC_RETURN, channel=1)
    assert first.args().short() == 312  # NO_ROUTE
    client.close_socket()
