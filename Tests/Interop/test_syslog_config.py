"""The collector's config-file keys: several UDP and TCP listeners, body_format, max_message_size,
exchange; --syslog-port still runs its UDP+TCP pair next to them."""

import json
import socket

from conftest import HOST, find_free_port
from test_syslog import logger, receive


def free_udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def listeners(*entries):
    return "".join(f'\n[[syslog.listeners]]\nprotocol = "{p}"\nbind = "{HOST}"\nport = {port}\n' for p, port in entries)


def bind_all(w, exchange, pattern="#"):
    conn = w.connect()
    ch = conn.channel()
    queue = ch.queue_declare("", exclusive=True).method.queue
    ch.queue_bind(queue, exchange, pattern)
    return conn, ch, queue


def test_several_udp_and_tcp_listeners_and_the_flag_pair(warren_factory):
    udp1, udp2, tcp1, tcp2, pair = free_udp_port(), free_udp_port(), find_free_port(), find_free_port(), find_free_port()
    w = warren_factory(config=listeners(("udp", udp1), ("udp", udp2), ("tcp", tcp1), ("tcp", tcp2)),
                       extra_args=["--syslog-port", str(pair)])
    for port, kind in [(udp1, "UDP"), (udp2, "UDP"), (tcp1, "TCP"), (tcp2, "TCP"), (pair, "UDP"), (pair, "TCP")]:
        assert w.wait_for_output(f"syslog {kind} listener ready on {HOST}:{port}"), w.output()
    conn, ch, queue = bind_all(w, "topic_logs", "local0.*")
    logger(udp1, "-d", "-p", "local0.info", "-t", "t", "via udp1")
    logger(udp2, "-d", "-p", "local0.info", "-t", "t", "via udp2")
    logger(tcp1, "-T", "-p", "local0.info", "-t", "t", "via tcp1")
    logger(tcp2, "-T", "--octet-count", "-p", "local0.info", "-t", "t", "via tcp2")
    logger(pair, "-T", "-p", "local0.info", "-t", "t", "via the flag's port")
    got = sorted(json.loads(b)["message"] for _, _, b in receive(conn, ch, queue, 5))
    assert got == sorted(["via udp1", "via udp2", "via tcp1", "via tcp2", "via the flag's port"])
    conn.close()


def test_raw_body_max_message_size_and_exchange(warren_factory):
    udp, tcp = free_udp_port(), find_free_port()
    w = warren_factory(config='[syslog]\nport = 0\nexchange = "syslog_in"\nbody_format = "raw"\nmax_message_size = 1000\n'
                       + listeners(("udp", udp), ("tcp", tcp)))
    assert w.wait_for_output(f"syslog TCP listener ready on {HOST}:{tcp}"), w.output()
    conn, ch, queue = bind_all(w, "syslog_in")
    frame = b"<165>1 2026-11-23T10:00:00Z host app - - - raw body kept"
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.sendto(b"<165>1 2026-11-23T10:00:00Z host app - - - " + b"x" * 1000, (HOST, udp))  # over 1000: dropped
        s.sendto(frame, (HOST, udp))
    [(key, props, body)] = receive(conn, ch, queue, 1)
    assert key == "local4.notice" and body == frame and props.content_type == "text/plain"
    assert props.headers["app_name"] == "app"
    assert receive(conn, ch, queue, 1, timeout=0.5) == []
    # TCP: a frame over the limit is dropped (connection closed), never split into two entries.
    with socket.create_connection((HOST, tcp), timeout=5) as s:
        s.sendall(b"<165>" + b"y" * 1500 + b"\n")
        assert s.recv(1) == b""
    with socket.create_connection((HOST, tcp), timeout=5) as s:
        s.sendall(frame + b"\n")
    [(_, _, body)] = receive(conn, ch, queue, 1)
    assert body == frame
    conn.close()


def test_bad_syslog_keys_are_refused_with_the_key_named(warren_factory):
    for config, text in [('[syslog]\nbody_format = "xml"\n', "syslog.body_format"),
                         ("[syslog]\nmax_message_size = 10\n", "syslog.max_message_size"),
                         ("[syslog]\nmax_connections = 0\n", "syslog.max_connections must be between 1 and"),
                         ("[syslog]\npartial_frame_timeout = -1\n", "syslog.partial_frame_timeout must be between 1 and"),
                         ('[[syslog.listeners]]\nprotocol = "sctp"\nport = 5000\n', "syslog.listeners[0].protocol"),
                         ('[[syslog.listeners]]\nprotocol = "udp"\nport = 0\n', "syslog.listeners[0].port")]:
        w = warren_factory(config=config, expect_ready=False)
        w.expected_exit = True
        assert w.wait_exit() == 78, config
        assert text in w.output(), w.output()


def test_counters_per_listener_are_reported_at_shutdown(warren_factory):
    udp, tcp = free_udp_port(), find_free_port()
    w = warren_factory(config='[syslog]\nport = 0\nmax_message_size = 1000\n' + listeners(("udp", udp), ("tcp", tcp)))
    assert w.wait_for_output(f"syslog TCP listener ready on {HOST}:{tcp}"), w.output()
    conn, ch, queue = bind_all(w, "topic_logs")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.sendto(b"<14>Nov 23 10:00:00 host app: fine", (HOST, udp))
        s.sendto(b"no pri: repaired", (HOST, udp))
        s.sendto(b"<14>" + b"z" * 1200, (HOST, udp))                    # over max_message_size: dropped
    with socket.create_connection((HOST, tcp), timeout=5) as s:
        s.sendall(b"<14>Nov 23 10:00:00 host app: one\n<14>Nov 23 10:00:00 host app: two\n12x broken")
        assert s.recv(1) == b""                                          # broken octet count: closed
    assert len(receive(conn, ch, queue, 4)) == 4
    conn.close()
    assert w.terminate() == 0
    out = w.output()
    assert f"syslog udp://{HOST}:{udp} stopped: 2 received, 2 published, 1 repaired, 1 dropped" in out, out
    assert f"syslog tcp://{HOST}:{tcp} stopped: 2 received, 2 published, 0 repaired, 1 dropped" in out, out
