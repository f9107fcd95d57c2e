"""Stream queues (x-queue-type: stream) over AMQP 0-9-1 with pika and py-amqp, against the real
binary: RabbitMQ's declare and consume rules and texts (checked against RabbitMQ 3.10), every
x-stream-offset form, filters, retention by size with a consumer reading through it, and
recovery after SIGKILL. Waiting is on deliveries (a sentinel published last), never on sleeps."""

from __future__ import annotations

import datetime
import json
import os
import signal
import subprocess
import time

import pika
import pytest

from conftest import WARREN_BIN
from process_output import LineCollector

STREAM = {"x-queue-type": "stream"}


def declare(ch, name, **arguments):
    return ch.queue_declare(name, durable=True, arguments={**STREAM, **arguments})


def publish(conn, queue, bodies, headers=None, routing_keys=None):
    """Publishes with confirms: every entry is on disk when this returns."""
    ch = conn.channel()
    ch.confirm_delivery()
    for index, body in enumerate(bodies):
        properties = pika.BasicProperties(headers=headers[index] if headers else None)
        exchange, key = ("", queue) if routing_keys is None else ("amq.topic", routing_keys[index])
        ch.basic_publish(exchange, key, body, properties)
    ch.close()


def read(conn, queue, count, prefetch=50, **arguments):
    """The first `count` deliveries of a new consumer: [(body, x-stream-offset)]."""
    ch = conn.channel()
    ch.basic_qos(prefetch_count=prefetch)
    got = []
    for method, properties, body in ch.consume(queue, arguments=arguments, inactivity_timeout=10):
        assert method is not None, f"only {len(got)} of {count} deliveries arrived"
        got.append((body, properties.headers["x-stream-offset"]))
        ch.basic_ack(method.delivery_tag)
        if len(got) == count:
            break
    ch.cancel()
    ch.close()
    return got


def refused(conn, call):
    with pytest.raises((pika.exceptions.ChannelClosedByBroker, pika.exceptions.ConnectionClosedByBroker)) as info:
        call(conn.channel())
    return info.value.args


def test_declare_and_consume_rules_are_rabbitmqs(warren):
    conn = warren.connect()
    what = "for queue 's' in vhost '/'"
    assert refused(conn, lambda ch: ch.queue_declare("s", durable=False, arguments=STREAM)) == \
        (406, f"PRECONDITION_FAILED - invalid property 'non-durable' {what}")
    assert refused(conn, lambda ch: ch.queue_declare("s", durable=True, exclusive=True, arguments=STREAM)) == \
        (406, f"PRECONDITION_FAILED - invalid property 'exclusive-owner' {what}")
    assert refused(conn, lambda ch: ch.queue_declare("s", durable=True, auto_delete=True, arguments=STREAM)) == \
        (406, f"PRECONDITION_FAILED - invalid property 'auto-delete' {what}")
    assert refused(conn, lambda ch: declare(ch, "s", **{"x-max-age": "7X"})) == \
        (406, f"PRECONDITION_FAILED - invalid arg 'x-max-age' {what}: invalid_max_age")
    assert refused(conn, lambda ch: declare(ch, "s", **{"x-max-age": 5})) == \
        (406, f"PRECONDITION_FAILED - invalid arg 'x-max-age' {what}: {{unacceptable_type,signedint}}")
    assert refused(conn, lambda ch: declare(ch, "s", **{"x-max-length-bytes": -5})) == \
        (406, f"PRECONDITION_FAILED - invalid arg 'x-max-length-bytes' {what}: {{value_negative,-5}}")
    declare(conn.channel(), "s", **{"x-max-age": "7D"})
    publish(conn, "s", [b"a", b"b"])
    assert conn.channel().queue_declare("s", passive=True).method.message_count == 2

    def no_qos(ch):
        ch.basic_consume("s", lambda *a: None)
        ch.connection.process_data_events(2)
    assert refused(conn, no_qos) == (406, "PRECONDITION_FAILED - consumer prefetch count is not set for 'queue 's' in vhost '/''")
    conn = warren.connect()

    def auto_ack(ch):
        ch.basic_qos(prefetch_count=10)
        ch.basic_consume("s", lambda *a: None, auto_ack=True)
    assert refused(conn, auto_ack) == \
        (540, "NOT_IMPLEMENTED - automatic acknowledgement not supported by stream queues queue 's' in vhost '/'")
    conn = warren.connect()
    assert refused(conn, lambda ch: ch.basic_get("s")) == \
        (540, "NOT_IMPLEMENTED - basic.get not supported by stream queues queue 's' in vhost '/'")
    conn = warren.connect()
    assert refused(conn, lambda ch: ch.queue_purge("s")) == \
        (540, "NOT_IMPLEMENTED - queue.purge not supported by stream queues queue 's' in vhost '/'")
    conn = warren.connect()
    assert conn.channel().queue_delete("s").method.message_count == 2
    conn.close()


def test_every_offset_form_and_the_offset_header(warren):
    conn = warren.connect()
    declare(conn.channel(), "s")
    publish(conn, "s", [b"m0", b"m1", b"m2", b"m3", b"m4"])
    everything = [(b"m%d" % n, n) for n in range(5)]
    assert read(conn, "s", 5, **{"x-stream-offset": "first"}) == everything
    assert read(conn, "s", 5, **{"x-stream-offset": -1}) == everything, "a negative offset starts at the first, as RabbitMQ"
    assert read(conn, "s", 3, **{"x-stream-offset": 2}) == everything[2:]
    assert read(conn, "s", 5, **{"x-stream-offset": "1h"}) == everything
    an_hour_ago = datetime.datetime.now() - datetime.timedelta(hours=1)
    assert read(conn, "s", 5, **{"x-stream-offset": an_hour_ago}) == everything
    assert read(conn, "s", 1, **{"x-stream-offset": "last"}) == [(b"m4", 4)]
    # next, an offset past the end and a time to come: nothing until the next publish.
    for start in ("next", 10**6, datetime.datetime.now() + datetime.timedelta(hours=1), None):
        ch = conn.channel()
        ch.basic_qos(prefetch_count=10)
        arguments = {} if start is None else {"x-stream-offset": start}
        got = []
        ch.basic_consume("s", lambda channel, method, properties, body: got.append(body), arguments=arguments)
        publish(conn, "s", [b"after %r" % (start,)])
        while not got:
            conn.process_data_events(1)
        assert got[0] == b"after %r" % (start,), f"start {start!r} delivered an older entry"
        ch.close()
    assert refused(conn, lambda ch: (ch.basic_qos(prefetch_count=1),
                                     ch.basic_consume("s", lambda *a: None, arguments={"x-stream-offset": "bogus"}),
                                     ch.connection.process_data_events(2))) == \
        (406, "PRECONDITION_FAILED - invalid arg 'x-stream-offset': bogus")


def test_filters_and_topic_patterns(warren):
    conn = warren.connect()
    ch = conn.channel()
    declare(ch, "s")
    ch.queue_bind("s", "amq.topic", "#")
    keys = ["kern.info", "auth.critical", "kern.critical", "mail.info", "auth.info", "kern.debug"]
    filters = [{"x-stream-filter-value": "red"}, {"x-stream-filter-value": "blue"}, None, {"x-stream-filter-value": "red"},
               None, {"x-stream-filter-value": "blue"}]
    publish(conn, "s", [k.encode() for k in keys], headers=filters, routing_keys=keys)
    first = {"x-stream-offset": "first"}
    assert [b for b, _ in read(conn, "s", 2, **first, **{"x-stream-filter": "red"})] == [b"kern.info", b"mail.info"]
    assert [b for b, _ in read(conn, "s", 4, **first, **{"x-stream-filter": ["red", "blue"]})] == \
        [b"kern.info", b"auth.critical", b"mail.info", b"kern.debug"]
    assert [b for b, _ in read(conn, "s", 4, **first, **{"x-stream-filter": "blue", "x-stream-match-unfiltered": True})] == \
        [b"auth.critical", b"kern.critical", b"auth.info", b"kern.debug"]
    assert [b for b, _ in read(conn, "s", 4, **first, **{"x-warren-match": ["kern.*", "*.critical"]})] == \
        [b"kern.info", b"auth.critical", b"kern.critical", b"kern.debug"]
    # Both filters at once; the sentinel shows nothing else matched before it.
    publish(conn, "s", [b"kern.sentinel"], headers=[{"x-stream-filter-value": "blue"}], routing_keys=["kern.sentinel"])
    assert [b for b, _ in read(conn, "s", 2, **first, **{"x-warren-match": ["kern.*"], "x-stream-filter": "blue"})] == \
        [b"kern.debug", b"kern.sentinel"]


def test_two_consumers_at_different_offsets_and_acks_return_credit(warren):
    conn = warren.connect()
    declare(conn.channel(), "s")
    publish(conn, "s", [b"m%d" % n for n in range(6)])
    ch = conn.channel()
    ch.basic_qos(prefetch_count=2)
    got = {"a": [], "b": []}
    tags = {}

    def on_message(name):
        def handle(channel, method, properties, body):
            got[name].append((body, properties.headers["x-stream-offset"], method.delivery_tag))
        return handle
    ch.basic_consume("s", on_message("a"), arguments={"x-stream-offset": "first"}, consumer_tag="a")
    ch.basic_consume("s", on_message("b"), arguments={"x-stream-offset": 4}, consumer_tag="b")
    while len(got["a"]) < 2 or len(got["b"]) < 2:
        conn.process_data_events(1)
    # Prefetch 2 per consumer: nothing more until an ack gives credit back.
    publish(conn, "s", [b"m6"])
    conn.process_data_events(0.3)
    assert [o for _, o, _ in got["a"]] == [0, 1] and [o for _, o, _ in got["b"]] == [4, 5]
    ch.basic_ack(got["a"][-1][2], multiple=True)
    while len(got["a"]) < 4:
        conn.process_data_events(1)
    assert [o for _, o, _ in got["a"]] == [0, 1, 2, 3]
    ch.basic_ack(got["b"][-1][2])
    while len(got["b"]) < 3:
        conn.process_data_events(1)
    assert got["b"][2][:2] == (b"m6", 6)
    # A nack with requeue puts nothing back (the stream keeps the entry at its offset): the next
    # delivery is the next entry.
    ch.basic_nack(got["b"][2][2], requeue=True)
    publish(conn, "s", [b"m7"])
    while len(got["b"]) < 4:
        conn.process_data_events(1)
    assert got["b"][3][:2] == (b"m7", 7)
    conn.close()


def test_retention_by_size_with_a_consumer_reading_through_it(warren):
    conn = warren.connect()
    declare(conn.channel(), "s", **{"x-stream-max-segment-size-bytes": 2000, "x-max-length-bytes": 6000})
    publish(conn, "s", [b"early"])
    ch = conn.channel()
    ch.basic_qos(prefetch_count=1)
    deliveries = ch.consume("s", arguments={"x-stream-offset": "first"}, inactivity_timeout=10)
    method, properties, body = next(deliveries)
    assert (body, properties.headers["x-stream-offset"]) == (b"early", 0)
    publish(conn, "s", [b"x" * 100 + b"%d" % n for n in range(300)])
    segments = list((warren.data_dir / "streams" / "%2F~s").glob("*.segment"))
    assert 2 <= len(segments) <= 5, f"whole oldest segments deleted: {len(segments)} left"
    ch.basic_ack(method.delivery_tag)
    method, properties, body = next(deliveries)
    first_kept = properties.headers["x-stream-offset"]
    assert first_kept > 200, "the consumer jumped to the first entry kept"
    assert read(conn, "s", 1, **{"x-stream-offset": "first"})[0][1] == first_kept
    conn.close()


@pytest.mark.deadline(60)
def test_confirmed_entries_survive_sigkill_and_offsets_go_on(warren_factory, tmp_path):
    data_dir = tmp_path / "fixed-data"
    data_dir.mkdir()
    w = warren_factory(None, extra_args=("--data-dir", str(data_dir)))
    conn = w.connect()
    declare(conn.channel(), "s", **{"x-stream-max-segment-size-bytes": 4096})
    publish(conn, "s", [b"m%d" % n for n in range(200)])
    w.expected_exit = True
    w.signal(signal.SIGKILL)
    assert w.wait_exit() == -signal.SIGKILL
    w = warren_factory(None, extra_args=("--data-dir", str(data_dir)))
    conn = w.connect()
    assert read(conn, "s", 200, **{"x-stream-offset": "first"}) == [(b"m%d" % n, n) for n in range(200)]
    publish(conn, "s", [b"after"])
    assert read(conn, "s", 1, **{"x-stream-offset": "last"}) == [(b"after", 200)]
    conn.close()


def test_py_amqp_consumer(warren):
    import amqp
    conn = warren.connect()
    declare(conn.channel(), "s")
    publish(conn, "s", [b"m0", b"m1", b"m2"])
    conn.close()
    client = amqp.Connection(f"127.0.0.1:{warren.port}")
    client.connect()
    channel = client.channel()
    channel.basic_qos(0, 10, False)
    got = []
    channel.basic_consume("s", callback=lambda message: got.append((message.body, message.headers["x-stream-offset"])),
                          arguments={"x-stream-offset": 1})
    while len(got) < 2:
        client.drain_events(timeout=10)
    assert got == [(b"m1", 1), (b"m2", 2)]
    client.close()



def test_management_api_shows_a_streams_offsets_and_size(warren_factory, free_port):
    import json
    import urllib.request
    http_port = free_port()
    w = warren_factory(None, extra_args=("--http-port", str(http_port)))
    conn = w.connect()
    declare(conn.channel(), "s")
    publish(conn, "s", [b"a" * 100, b"b" * 100, b"c" * 100])
    request = urllib.request.Request(f"http://127.0.0.1:{http_port}/api/queues/%2F/s",
                                     headers={"Authorization": "Basic Z3Vlc3Q6Z3Vlc3Q="})
    with urllib.request.urlopen(request, timeout=5) as response:
        queue = json.loads(response.read())
    assert queue["type"] == "stream" and queue["messages"] == 3
    assert (queue["first_offset"], queue["last_offset"], queue["committed_offset"]) == (0, 2, 2)
    assert queue["message_bytes"] > 300 and queue["segments"] == 1
    assert queue["first_timestamp"] <= queue["last_timestamp"]
    listing = subprocess.run([WARREN_BIN, "queues", "--api", f"http://guest:guest@127.0.0.1:{http_port}",
                              "name", "type", "first_offset", "last_offset"], capture_output=True, text=True, timeout=20)
    assert listing.returncode == 0, listing.stderr
    assert any(line.split() == ["s", "stream", "0", "2"] for line in listing.stdout.splitlines()), listing.stdout
    conn.close()


class TailProcess:
    """A running `warren tail` reading the log stream; stdout lines collected."""

    def __init__(self, w, *args):
        self.proc = subprocess.Popen([WARREN_BIN, "tail", "--url", w.url(), "--json", *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        self.out = LineCollector(self.proc.stdout, name="tail-stdout")
        self.err = LineCollector(self.proc.stderr, name="tail-stderr")

    def wait_lines(self, count, timeout=20):
        assert self.out.wait_until(lambda lines: len(lines) >= count, timeout), \
            f"{len(self.out.lines)} of {count} lines: {self.err.text()}"
        return list(self.out.lines)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(10)


def publish_logs(conn, entries):
    ch = conn.channel()
    ch.confirm_delivery()
    for key, body in entries:
        ch.basic_publish("topic_logs", key, body)
    ch.close()


LOG_STREAM_ON = {**os.environ, "WARREN_LOG_STREAM": "true"}


@pytest.mark.deadline(60)
def test_tail_since_replays_then_follows_with_no_gap_and_no_duplicate(warren_factory):
    warren = warren_factory(None, env=LOG_STREAM_ON)
    conn = warren.connect()
    keys = ["kern.info", "auth.info", "kern.critical"]
    before = [(keys[n % 3], b"before %d" % n) for n in range(60)]
    publish_logs(conn, before)
    tail = TailProcess(warren, "--since", "1h", "kern.*")
    # Published while tail starts, replays and switches to live entries: each must appear once.
    during = [(keys[n % 3], b"during %d" % n) for n in range(300)]
    for start in range(0, len(during), 30):
        publish_logs(conn, during[start:start + 30])
    expected = [body.decode() for key, body in before + during if key.startswith("kern.")]
    lines = tail.wait_lines(len(expected))
    after = [("kern.info", b"after")]
    publish_logs(conn, after)
    lines = tail.wait_lines(len(expected) + 1)
    assert lines == expected + ["after"]
    tail.stop()
    conn.close()


@pytest.mark.deadline(60)
def test_tail_window_and_from_offset_print_and_exit(warren_factory):
    warren = warren_factory(None, env=LOG_STREAM_ON)
    conn = warren.connect()
    publish_logs(conn, [("kern.info", b"early %d" % n) for n in range(5)])
    boundary = int(time.time()) + 1
    while time.time() < boundary:  # the window's end is a whole second: let it pass
        time.sleep(boundary - time.time())
    publish_logs(conn, [("kern.info", b"late %d" % n) for n in range(5)])
    window = subprocess.run([WARREN_BIN, "tail", "--url", warren.url(), "--json", "--since", "1h",
                             "--until", str(boundary)], capture_output=True, text=True, timeout=20)
    assert window.returncode == 0, window.stderr
    assert window.stdout.splitlines() == ["early %d" % n for n in range(5)]
    tail = TailProcess(warren, "--from-offset", "7")
    assert tail.wait_lines(3) == ["late 2", "late 3", "late 4"]
    tail.stop()
    conn.close()


def test_live_tail_page_stream_replays_since_then_follows(warren_factory, free_port):
    import json
    import urllib.request
    http_port = free_port()
    w = warren_factory(None, env=LOG_STREAM_ON, extra_args=("--http-port", str(http_port)))
    conn = w.connect()
    publish_logs(conn, [("kern.info", b"old kern"), ("auth.info", b"old auth")])
    request = urllib.request.Request(f"http://127.0.0.1:{http_port}/api/tail?pattern=kern.*&since=1h",
                                     headers={"Authorization": "Basic Z3Vlc3Q6Z3Vlc3Q="})
    events = urllib.request.urlopen(request, timeout=10)
    bodies = []

    def next_entry():
        while True:
            line = events.readline().decode()
            if line.startswith("data: {"):
                return json.loads(line[len("data: "):])["body"]
    bodies.append(next_entry())
    publish_logs(conn, [("auth.info", b"new auth"), ("kern.info", b"new kern")])
    bodies.append(next_entry())
    assert bodies == ["old kern", "new kern"]
    events.close()
    bad = urllib.request.Request(f"http://127.0.0.1:{http_port}/api/tail?since=yesterday",
                                 headers={"Authorization": "Basic Z3Vlc3Q6Z3Vlc3Q="})
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(bad, timeout=10)
    assert info.value.code == 400
    conn.close()


def test_a_filter_that_skips_thousands_of_entries_still_finds_its_match(warren):
    conn = warren.connect()
    declare(conn.channel(), "s")
    ch = conn.channel()
    for n in range(6000):  # more than one dispatch pass reads (StreamQueue.entriesPerPass)
        ch.basic_publish("", "s", b"hay %d" % n)
    publish(conn, "s", [b"needle"], headers=[{"x-stream-filter-value": "needle"}])
    assert read(conn, "s", 1, **{"x-stream-offset": "first", "x-stream-filter": "needle"}) == [(b"needle", 6000)]
    conn.close()


@pytest.mark.deadline(60)
def test_syslog_entries_reach_the_log_stream_and_tail_since_shows_them(warren_factory, free_port):
    import socket
    syslog_port = free_port()
    w = warren_factory(None, env=LOG_STREAM_ON, extra_args=("--syslog-port", str(syslog_port)))
    assert w.wait_for_output("syslog TCP listener ready"), w.output()
    with socket.create_connection(("127.0.0.1", syslog_port)) as s:
        for n in range(3):
            s.sendall(b"<38>1 2026-12-07T03:00:00Z host sshd - - - login %d\n" % n)  # auth.info
            s.sendall(b"<2>1 2026-12-07T03:00:00Z host kernel - - - disk %d\n" % n)   # kern.critical
    tail = TailProcess(w, "--since", "1h", "auth.*")
    lines = tail.wait_lines(3)
    assert [json.loads(line)["message"] for line in lines] == ["login 0", "login 1", "login 2"]
    with socket.create_connection(("127.0.0.1", syslog_port)) as s:  # and then it follows
        s.sendall(b"<38>1 2026-12-07T03:00:01Z host sshd - - - login 3\n")
    assert json.loads(tail.wait_lines(4)[3])["message"] == "login 3"
    tail.stop()
