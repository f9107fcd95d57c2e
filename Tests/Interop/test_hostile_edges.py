"""Hostile peers at warren's edges: syslog TCP senders that hold connections, partial frames and
absurd octet counts, UDP from many sources, and HTTP clients with huge bodies, deep JSON, long
credentials and names, and more connections than allowed. Each bound as the peer meets it (Docs/
limits.md, "Syslog" and "Management HTTP"), and a well-behaved client is served afterwards.
Raw sockets for syslog and for HTTP where a library would refuse to misbehave."""

from __future__ import annotations

import base64
import http.client
import json
import re
import socket
import time
import urllib.parse

import pytest

import polling
from conftest import HOST, find_free_port
from test_syslog import receive, subscribe
from test_syslog_config import free_udp_port

GUEST = "Basic " + base64.b64encode(b"guest:guest").decode()
MAX_BODY = 1 << 20

EDGE_CONFIG = f"""\
[syslog]
max_message_size = 1024
max_connections = 4
partial_frame_timeout = 400

[http]
max_body_size = {MAX_BODY}
max_connections = 8
"""


def start(warren_factory, config=EDGE_CONFIG):
    syslog_port, http_port = find_free_port(), find_free_port()
    w = warren_factory(config, extra_args=["--syslog-port", str(syslog_port), "--http-port", str(http_port)])
    assert w.wait_for_output("management HTTP listener ready"), w.output()
    assert w.wait_for_output(f"syslog TCP listener ready on {HOST}:{syslog_port}"), w.output()
    w.syslog_port, w.http_port = syslog_port, http_port
    return w


@pytest.fixture
def edge(warren_factory):
    return start(warren_factory)


def request(w, method, path, body=None, headers=None):
    connection = http.client.HTTPConnection(HOST, w.http_port, timeout=10)
    try:
        connection.request(method, path, body=body,
                           headers={"Authorization": GUEST, "Content-Type": "application/json", **(headers or {})})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def metric(w, name, protocol="tcp"):
    """A sample of the listener's series, 0 while it has none."""
    _, text = request(w, "GET", "/metrics")
    sample = f'{name}{{listener="{protocol}://{HOST}:{w.syslog_port}"}}'
    match = re.search(r"^" + re.escape(sample) + r" (\S+)$", text.decode(), re.MULTILINE)
    return float(match.group(1)) if match else 0.0


def syslog_socket(w):
    sock = socket.create_connection((HOST, w.syslog_port), timeout=10)
    return sock


def closed_by_peer(sock) -> bool:
    """Reads until the peer closes (EOF or reset); False if it sends anything instead."""
    try:
        while True:
            data = sock.recv(65536)
            if not data:
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True


def send_until_closed(sock, data: bytes):
    """Sends `data`; the peer may close the connection part way, which is what the caller expects."""
    try:
        sock.sendall(data)
    except (ConnectionResetError, BrokenPipeError):
        pass
    return closed_by_peer(sock)


def published_after(w, send):
    """Runs `send` and waits until the TCP listener has published one more entry."""
    before = metric(w, "warren_syslog_entries_published_total")
    send()
    polling.wait_for(lambda: metric(w, "warren_syslog_entries_published_total") == before + 1)


def a_well_behaved_sender_is_served(w):
    def send():
        with syslog_socket(w) as sock:
            sock.sendall(b"<13>Dec  7 02:00:00 host app: still served\n")
    published_after(w, send)


# ---------------------------------------------------------------------------
# Syslog TCP
# ---------------------------------------------------------------------------

def test_one_connection_more_than_max_connections_is_closed_at_accept(edge):
    held = [syslog_socket(edge) for _ in range(4)]
    polling.wait_for(lambda: metric(edge, "warren_syslog_connections") == 4)
    with syslog_socket(edge) as refused:
        assert send_until_closed(refused, b"<13>refused\n")
    polling.wait_for(lambda: metric(edge, "warren_syslog_connections_refused_total") == 1)
    held.pop().close()
    polling.wait_for(lambda: metric(edge, "warren_syslog_connections") == 3)
    a_well_behaved_sender_is_served(edge)
    # The held connections were never disturbed: each still delivers.
    for sock in held:
        published_after(edge, lambda: sock.sendall(b"<13>held\n"))
        sock.close()


def test_a_partial_frame_past_the_timeout_is_dropped_with_its_connection(edge):
    idle = syslog_socket(edge)  # holds no partial frame: not timed out
    published_after(edge, lambda: idle.sendall(b"<13>before\n"))
    with syslog_socket(edge) as loris:
        loris.sendall(b"<13>no newline yet")
        assert closed_by_peer(loris)
    assert metric(edge, "warren_syslog_partial_frame_timeouts_total") == 1
    assert metric(edge, "warren_syslog_entries_dropped_total") == 1
    published_after(edge, lambda: idle.sendall(b"<13>after the loris\n"))
    idle.close()


def test_trickling_a_frame_does_not_restart_the_clock(edge):
    with syslog_socket(edge) as loris:
        loris.sendall(b"900 <13>")
        loris.settimeout(0.05)
        sent = 0
        while True:  # one byte per 50 ms read timeout; the frame would need 900
            try:
                if not loris.recv(1):
                    break
            except socket.timeout:
                loris.sendall(b"x")
                sent += 1
            except ConnectionResetError:
                break
        assert sent < 200, "the connection stayed open while the frame trickled in"
    assert metric(edge, "warren_syslog_partial_frame_timeouts_total") == 1


def test_a_busy_sender_whose_reads_end_mid_frame_is_not_timed_out(edge):
    """Every write completes one frame and starts the next, for three times the timeout (400 ms)."""
    with syslog_socket(edge) as busy:
        busy.sendall(b"<13>par")
        start, sent = time.monotonic(), 0
        while time.monotonic() - start < 1.2:
            published_after(edge, lambda: busy.sendall(b"tial %d\n<13>par" % sent))
            sent += 1
        published_after(edge, lambda: busy.sendall(b"tial, the last\n"))
    assert metric(edge, "warren_syslog_partial_frame_timeouts_total") == 0


def test_a_frame_cut_short_by_the_close_is_dropped_and_counted_but_a_last_line_is_published(edge):
    """As rsyslog: an octet-counted frame claiming more than arrives before the close is dropped
    ("Incomplete frame at end of stream"), never published truncated; an LF-framed last line
    without its LF is a whole message and is published."""
    conn, ch, queue = subscribe(edge, "#")
    with syslog_socket(edge) as sock:
        sock.sendall(b"<13>complete\n40 <13>claims forty octets")
    polling.wait_for(lambda: metric(edge, "warren_syslog_incomplete_frames_total") == 1)
    assert metric(edge, "warren_syslog_entries_dropped_total") == 1
    with syslog_socket(edge) as sock:
        sock.sendall(b"<13>first\n<13>last line, no LF")
    polling.wait_for(lambda: metric(edge, "warren_syslog_entries_published_total") == 3)
    assert [json.loads(body)["message"] for _, _, body in receive(conn, ch, queue, 3)] == [
        "complete", "first", "last line, no LF"]
    assert metric(edge, "warren_syslog_incomplete_frames_total") == 1
    conn.close()


@pytest.mark.parametrize("stream", [
    b"9223372036854775807 <13>x",           # 2^63-1
    b"99999999999" * 10_000,                # a count of 110,000 digits
    b"<13>no newline " + b"y" * (4 << 20),  # a non-transparent frame of 4 MiB
], ids=["count 2^63-1", "110000 digits", "4 MiB without LF"])
def test_an_oversized_frame_closes_its_connection_and_is_counted(edge, stream):
    with syslog_socket(edge) as sock:
        assert send_until_closed(sock, stream)
    polling.wait_for(lambda: metric(edge, "warren_syslog_entries_dropped_total") == 1)
    assert metric(edge, "warren_syslog_entries_published_total") == 0
    a_well_behaved_sender_is_served(edge)


def test_datagrams_from_many_sources_hold_nothing_per_source(warren_factory):
    udp_port = free_udp_port()
    w = start(warren_factory, EDGE_CONFIG + f'\n[[syslog.listeners]]\nprotocol = "udp"\nbind = "{HOST}"\nport = {udp_port}\n')
    w.syslog_port = udp_port
    senders = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(300)]
    for index, sender in enumerate(senders):
        sender.sendto(b"<13>from source %d" % index, (HOST, udp_port))
    senders[0].sendto(b"<13>" + b"z" * 2000, (HOST, udp_port))  # over max_message_size
    polling.wait_for(lambda: metric(w, "warren_syslog_entries_published_total", "udp") == 300
                     and metric(w, "warren_syslog_entries_dropped_total", "udp") == 1, timeout=10)
    for sender in senders:
        sender.close()


# ---------------------------------------------------------------------------
# Management HTTP
# ---------------------------------------------------------------------------

def test_bad_http_limits_are_refused_with_the_key_named(warren_factory):
    for config, text in [("[http]\nmax_body_size = 0\n", "http.max_body_size must be between 1 and"),
                         ("[http]\nmax_connections = 9223372036854775807\n", "http.max_connections must be between 1 and"),
                         ("[http]\nidle_timeout = -5\n", "http.idle_timeout must be between 1 and")]:
        w = warren_factory(config, expect_ready=False)
        w.expected_exit = True
        assert w.wait_exit() == 78, config
        assert text in w.output(), w.output()


def raw_http(w, head: bytes, body: bytes = b"") -> bytes:
    """Sends a request head (and body bytes) on a raw socket; the response head and body."""
    with socket.create_connection((HOST, w.http_port), timeout=10) as sock:
        try:
            sock.sendall(head + body)
        except (ConnectionResetError, BrokenPipeError):
            pass
        response = b""
        try:
            while b"\r\n\r\n" not in response or not complete(response):
                data = sock.recv(65536)
                if not data:
                    break
                response += data
        except ConnectionResetError:
            pass
        return response


def complete(response: bytes) -> bool:
    head, _, body = response.partition(b"\r\n\r\n")
    match = re.search(rb"content-length: (\d+)", head, re.IGNORECASE)
    return match is None or len(body) >= int(match.group(1))


def status_and_json(response: bytes):
    head, _, body = response.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, json.loads(body) if body else None


TOO_LARGE = {"error": "payload_too_large",
             "reason": f"Exceeded HTTP request body size limit ({MAX_BODY} bytes, http.max_body_size)"}


def test_a_body_announced_over_the_limit_is_413_before_it_is_sent(edge):
    head = (b"POST /api/definitions HTTP/1.1\r\nHost: localhost\r\nAuthorization: " + GUEST.encode()
            + b"\r\nContent-Type: application/json\r\nContent-Length: 1000000000\r\n\r\n")
    assert status_and_json(raw_http(edge, head, b"{" * 1000)) == (413, TOO_LARGE)


def test_a_chunked_body_over_the_limit_is_413(edge):
    chunk = b"%x\r\n%s\r\n" % (64 * 1024, b" " * 64 * 1024)
    head = (b"PUT /api/queues/%2F/q HTTP/1.1\r\nHost: localhost\r\nAuthorization: " + GUEST.encode()
            + b"\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
    assert status_and_json(raw_http(edge, head, chunk * 17)) == (413, TOO_LARGE)
    assert request(edge, "GET", "/api/queues/%2F/q")[0] == 404
    assert request(edge, "PUT", "/api/queues/%2F/q", body=b"{}")[0] == 201


def test_an_unauthenticated_huge_body_is_401_without_reading_it(edge):
    head = b"POST /api/definitions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000000000\r\n\r\n"
    assert status_and_json(raw_http(edge, head, b"x" * 1000))[0] == 401


@pytest.mark.parametrize("path,wrap", [
    ("/api/queues/%2F/deep", lambda nest: b'{"arguments": {"x-deep": ' + nest + b"}}"),
    ("/api/definitions", lambda nest: b'{"queues": ' + nest + b"}"),
], ids=["queue arguments", "definitions"])
def test_deeply_nested_json_is_400_not_a_stack_overflow(edge, path, wrap):
    nest = b"[" * 100_000 + b"]" * 100_000
    method = "POST" if path == "/api/definitions" else "PUT"
    status, body = request(edge, method, path, body=wrap(nest), headers={"Content-Type": "application/json"})
    assert status == 400, body
    assert json.loads(body)["error"] == "bad_request"
    assert request(edge, "GET", "/api/overview")[0] == 200


def test_arguments_and_definitions_amqp_cannot_carry_are_400_before_anything_is_declared(edge):
    nested = json.dumps({"arguments": {"x-nested": json.loads("[" * 100 + "]" * 100)}}).encode()
    status, body = request(edge, "PUT", "/api/queues/%2F/nested", body=nested)
    assert (status, json.loads(body)["reason"]) == (400, "arguments nest deeper than an AMQP field table may (64 levels)")
    long_key = json.dumps({"arguments": {"k" * 256: 1}}).encode()
    status, body = request(edge, "PUT", "/api/queues/%2F/long-key", body=long_key)
    assert (status, json.loads(body)["reason"]) == (400, "arguments have a key longer than 255 bytes")
    queue = {"vhost": "/", "durable": True, "auto_delete": False, "arguments": {}}
    definitions = {"vhosts": [], "exchanges": [], "bindings": [], "queues": [dict(queue, name="fine"), dict(queue, name="q" * 300)]}
    status, body = request(edge, "POST", "/api/definitions", body=json.dumps(definitions).encode())
    assert (status, json.loads(body)["reason"]) == (400, "queue name is 300 bytes long; at most 255 are allowed")
    for name in ["nested", "long-key", "fine"]:
        assert request(edge, "GET", f"/api/queues/%2F/{name}")[0] == 404


def test_a_megabyte_of_basic_auth_is_refused_and_the_server_goes_on(edge):
    credentials = base64.b64encode(b"guest:" + b"p" * (1 << 20)).decode()
    head = f"GET /api/overview HTTP/1.1\r\nHost: localhost\r\nAuthorization: Basic {credentials}\r\n\r\n".encode()
    status, _ = status_and_json(raw_http(edge, head))
    assert status == 400
    assert request(edge, "GET", "/api/overview")[0] == 200


def test_names_past_255_bytes_and_absurd_paging_values_are_400(edge):
    long_name = urllib.parse.quote("é" * 200, safe="")  # 400 UTF-8 bytes, percent-encoded
    status, body = request(edge, "PUT", f"/api/queues/%2F/{long_name}", body=b"{}")
    assert (status, json.loads(body)) == (400, {"error": "bad_request", "reason": "name is 400 bytes long; at most 255 are allowed"})
    status, body = request(edge, "PUT", "/api/exchanges/%2F/" + "e" * 256, body=b'{"type": "direct"}')
    assert status == 400, body
    request(edge, "PUT", "/api/queues/%2F/q", body=b"{}")
    status, body = request(edge, "POST", "/api/bindings/%2F/e/amq.direct/q/q", body=json.dumps({"routing_key": "k" * 300}).encode())
    assert (status, json.loads(body)["reason"]) == (400, "routing_key is 300 bytes long; at most 255 are allowed")
    status, body = request(edge, "GET", "/api/tail?" + "&".join(f"pattern=p{i}.*" for i in range(5000)))
    assert (status, json.loads(body)["reason"]) == (400, "5000 patterns; a live-tail stream binds at most 64")
    status, body = request(edge, "GET", "/api/tail?pattern=" + "a" * 300)
    assert (status, json.loads(body)["reason"]) == (400, "pattern is 300 bytes long; at most 255 are allowed")
    # Absurd paging values get RabbitMQ's 400 with a reason (test_management_paging.py has the exact texts),
    # and the list still answers afterwards.
    for query in ["page=-1&page_size=99999999999999999999999", "page=NaN&page_size=0", "page=1&page_size=" + "9" * 10_000]:
        status, body = request(edge, "GET", "/api/queues?" + query)
        assert status == 400 and json.loads(body)["reason"], (query, body)
    status, body = request(edge, "GET", "/api/queues")
    assert status == 200 and [q["name"] for q in json.loads(body)] == ["q"]


def test_connections_past_max_connections_wait_for_a_free_slot(edge):
    held = []
    for _ in range(8):  # keep-alive connections that have been served and stay open
        connection = http.client.HTTPConnection(HOST, edge.http_port, timeout=10)
        connection.request("GET", "/api/healthchecks/node")
        assert connection.getresponse().read()
        held.append(connection)
    waiting = socket.create_connection((HOST, edge.http_port), timeout=0.5)
    waiting.sendall(b"GET /api/healthchecks/node HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
    with pytest.raises(socket.timeout):
        waiting.recv(1)  # the ninth is not read while eight are open
    held.pop().close()
    waiting.settimeout(10)
    assert waiting.recv(65536).startswith(b"HTTP/1.1 200")
    waiting.close()
    for connection in held:
        connection.close()


def test_an_idle_http_connection_is_closed_after_idle_timeout(warren_factory):
    w = start(warren_factory, EDGE_CONFIG + "idle_timeout = 300\n")
    with socket.create_connection((HOST, w.http_port), timeout=10) as idle:
        idle.sendall(b"GET /api/healthchecks/node HTTP/1.1\r\nHost: localhost\r\n\r\n")
        response = b""
        while not closed_after(idle, response):
            response += idle.recv(65536)
        assert response.startswith(b"HTTP/1.1 200")
    assert request(w, "GET", "/api/healthchecks/node")[0] == 200


def closed_after(sock, response: bytes) -> bool:
    """True once the response was read and the peer closed; raises on a socket timeout (10 s)."""
    if not complete(response) or b"\r\n\r\n" not in response:
        return False
    return sock.recv(1) == b""
