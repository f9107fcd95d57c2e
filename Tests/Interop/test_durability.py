"""Durability of warren across restarts, with pika against the real binary.

Each test runs warren instances one after another on one fixed data directory (through the
conftest factory, with `--data-dir` pointing at it), stopping the first gracefully (SIGTERM) or
by SIGKILL before starting the next.

Synchronisation is by protocol, never by sleeping: a publisher confirm for a persistent message
to a durable queue is sent only after its record is fsync'd, and the store writes in order, so a
confirmed publish made after some acks/gets/declarations on the same connection (a "barrier")
proves those are on disk too.
"""

from __future__ import annotations

import json
import random
import signal

import pika
import pytest
from pika.exceptions import ChannelClosedByBroker, UnroutableError

import conftest
import crash_test

PERSISTENT = pika.BasicProperties(delivery_mode=2)
TRANSIENT = pika.BasicProperties(delivery_mode=1)
BARRIER_QUEUE = "durability-barrier"
MiB = 1 << 20
# MessageStore.segmentLimit: a new segment file starts once the current one reaches this size.
SEGMENT_BYTES = 16 * MiB

STOPS = ["sigterm", "sigkill"]


class Restarts:
    """warren instances, one at a time, on one data directory."""

    def __init__(self, factory, data_dir):
        self.factory = factory
        self.data_dir = data_dir
        self.current = None

    def start(self, **kw):
        self.current = self.factory(None, extra_args=("--data-dir", str(self.data_dir)), **kw)
        return self.current

    def stop(self, how: str):
        w, self.current = self.current, None
        if how == "sigterm":
            rc = w.terminate()
            assert rc == 0, f"graceful stop exited with {rc}"
        elif how == "sigkill":
            w.expected_exit = True
            w.signal(signal.SIGKILL)
            rc = w.wait_exit()
            assert rc == -signal.SIGKILL, f"expected death by SIGKILL, got {rc}"
        else:
            raise ValueError(how)

    def restart(self, how: str):
        self.stop(how)
        return self.start()


@pytest.fixture
def restarts(warren_factory, tmp_path):
    data_dir = tmp_path / "fixed-data"
    data_dir.mkdir()
    return Restarts(warren_factory, data_dir)


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------

def confirmed_channel(conn):
    ch = conn.channel()
    ch.confirm_delivery()
    return ch


def barrier(conn):
    """Returns once everything this connection did so far is on disk (see the module docstring)."""
    ch = confirmed_channel(conn)
    ch.queue_declare(BARRIER_QUEUE, durable=True)
    ch.basic_publish("", BARRIER_QUEUE, b"barrier", PERSISTENT)
    ch.close()


def depth(w, queue) -> int:
    conn = w.connect()
    try:
        return conn.channel().queue_declare(queue, passive=True).method.message_count
    finally:
        conn.close()


def drain(w, queue, ack=True):
    """Every ready message of a queue, in order: [(body, redelivered, properties)]."""
    conn = w.connect()
    try:
        ch = conn.channel()
        got = []
        while True:
            method, properties, body = ch.basic_get(queue, auto_ack=False)
            if method is None:
                break
            got.append((body, method.redelivered, properties))
            last = method.delivery_tag
        if got and ack:
            ch.basic_ack(last, multiple=True)
        return got
    finally:
        conn.close()


def bodies(got):
    return [body for body, _, _ in got]


def assert_missing_queue(w, queue):
    conn = w.connect()
    try:
        with pytest.raises(ChannelClosedByBroker) as info:
            conn.channel().queue_declare(queue, passive=True)
        assert info.value.reply_code == 404
    finally:
        if conn.is_open:
            conn.close()


def assert_missing_exchange(w, exchange):
    conn = w.connect()
    try:
        with pytest.raises(ChannelClosedByBroker) as info:
            conn.channel().exchange_declare(exchange, passive=True)
        assert info.value.reply_code == 404
    finally:
        if conn.is_open:
            conn.close()


def definitions(restarts):
    return json.loads((restarts.data_dir / "definitions.json").read_text())


# ---------------------------------------------------------------------------
# what survives
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("stop", STOPS)
def test_persistent_messages_in_a_durable_queue_survive(restarts, stop):
    w = restarts.start()
    conn = w.connect()
    ch = confirmed_channel(conn)
    ch.queue_declare("dq", durable=True)
    expected = []
    for i in range(30):
        if i % 10 == 5:
            ch.basic_publish("", "dq", f"transient-{i}".encode(), TRANSIENT)  # in a durable queue: not kept
        else:
            ch.basic_publish("", "dq", f"m{i}".encode(), PERSISTENT)  # returns once confirmed, i.e. on disk
            expected.append(f"m{i}".encode())
    rich = pika.BasicProperties(delivery_mode=2, content_type="application/json", correlation_id="c-1",
                                priority=7, headers={"x-n": 42, "x-s": "text"}, message_id="id-9")
    ch.basic_publish("", "dq", b'{"k": 1}', rich)
    expected.append(b'{"k": 1}')
    conn.close()

    w = restarts.restart(stop)
    assert "torn record" not in w.output()
    got = drain(w, "dq")
    assert bodies(got) == expected
    assert [redelivered for _, redelivered, _ in got] == [False] * len(expected)
    props = got[-1][2]
    assert (props.delivery_mode, props.content_type, props.correlation_id, props.priority, props.message_id) == \
           (2, "application/json", "c-1", 7, "id-9")
    assert props.headers == {"x-n": 42, "x-s": "text"}
    # Drained and acknowledged: not there after yet another restart.
    conn = w.connect()
    barrier(conn)
    conn.close()
    w = restarts.restart(stop)
    assert depth(w, "dq") == 0


@pytest.mark.parametrize("stop", STOPS)
def test_transient_queues_and_non_persistent_messages_do_not_survive(restarts, stop):
    w = restarts.start()
    conn = w.connect()
    ch = confirmed_channel(conn)
    ch.queue_declare("tq", durable=False)
    ch.queue_declare("dq", durable=True)
    for i in range(5):
        ch.basic_publish("", "tq", f"p{i}".encode(), PERSISTENT)  # persistent, but the queue is transient
        ch.basic_publish("", "dq", f"t{i}".encode(), TRANSIENT)
    ch.basic_publish("", "dq", b"kept", PERSISTENT)  # control, and a barrier for everything before
    assert depth(w, "tq") == 5
    conn.close()

    w = restarts.restart(stop)
    assert_missing_queue(w, "tq")
    assert bodies(drain(w, "dq")) == [b"kept"]
    assert [q["name"] for q in definitions(restarts)["queues"]] == ["dq"]
    # Only the one persistent message to a durable queue was ever stored.
    assert "store: 1 persistent message(s) recovered" in w.output()


@pytest.mark.parametrize("stop", STOPS)
def test_durable_exchanges_and_bindings_survive(restarts, stop):
    w = restarts.start()
    conn = w.connect()
    ch = confirmed_channel(conn)
    ch.exchange_declare("dx", "topic", durable=True)
    ch.exchange_declare("dx-fan", "fanout", durable=True)
    ch.exchange_declare("tx", "direct", durable=False)
    ch.queue_declare("bq", durable=True)
    ch.queue_bind("bq", "dx", routing_key="orders.*")
    ch.queue_bind("bq", "dx", routing_key="gone.*")
    ch.queue_unbind("bq", "dx", routing_key="gone.*")
    ch.queue_bind("bq", "tx", routing_key="k")              # transient source: not kept
    ch.exchange_bind(destination="dx", source="dx-fan")     # exchange to exchange, both durable
    ch.basic_publish("dx", "orders.before", b"before", PERSISTENT, mandatory=True)  # routes, and is the barrier
    conn.close()

    w = restarts.restart(stop)
    assert_missing_exchange(w, "tx")
    conn = w.connect()
    ch = confirmed_channel(conn)
    ch.exchange_declare("dx", passive=True)
    ch.basic_publish("dx", "orders.after", b"after", PERSISTENT, mandatory=True)
    ch.basic_publish("dx-fan", "orders.fan", b"via-fanout", PERSISTENT, mandatory=True)  # dx-fan -> dx -> bq
    with pytest.raises(UnroutableError):
        ch.basic_publish("dx", "gone.x", b"unbound", PERSISTENT, mandatory=True)
    with pytest.raises(UnroutableError):
        ch.basic_publish("dx", "other.x", b"nothing", PERSISTENT, mandatory=True)
    # The type came back too: redeclaring as another type is refused.
    with pytest.raises(ChannelClosedByBroker) as info:
        ch.exchange_declare("dx", "direct", durable=True)
    assert info.value.reply_code == 406
    conn.close()
    assert bodies(drain(w, "bq")) == [b"before", b"after", b"via-fanout"]
    saved = definitions(restarts)
    names = {e["name"] for e in saved["exchanges"]}
    assert {"dx", "dx-fan"} <= names and "tx" not in names
    assert sorted((b["source"], b["destination"], b["destination_type"], b["routing_key"]) for b in saved["bindings"]
                  if b["source"] != "") == [("dx", "bq", "queue", "orders.*"), ("dx-fan", "dx", "exchange", "")]


@pytest.mark.parametrize("stop", STOPS)
def test_exclusive_queues_never_survive(restarts, stop):
    w = restarts.start()
    conn = w.connect()
    ch = confirmed_channel(conn)
    ch.queue_declare("xq", durable=True, exclusive=True)
    ch.basic_publish("", "xq", b"in-exclusive", PERSISTENT)
    ch.queue_declare("dq", durable=True)
    ch.basic_publish("", "dq", b"control", PERSISTENT)  # the barrier
    assert "xq" not in [q["name"] for q in definitions(restarts)["queues"]]
    if stop == "sigterm":
        conn.close()

    w = restarts.restart(stop)
    assert_missing_queue(w, "xq")
    assert bodies(drain(w, "dq")) == [b"control"]
    assert "store: 1 persistent message(s) recovered" in w.output()
    # The name is free again, for anyone.
    conn = w.connect()
    assert conn.channel().queue_declare("xq", durable=True).method.message_count == 0
    conn.close()


# ---------------------------------------------------------------------------
# deliveries and acknowledgements
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("stop", STOPS)
def test_unacked_messages_come_back_redelivered(restarts, stop):
    w = restarts.start()
    conn = w.connect()
    ch = confirmed_channel(conn)
    ch.queue_declare("rq", durable=True)
    for i in range(10):
        ch.basic_publish("", "rq", f"m{i}".encode(), PERSISTENT)
    getter = conn.channel()
    tags = [getter.basic_get("rq", auto_ack=False)[0].delivery_tag for _ in range(4)]  # m0..m3 delivered
    getter.basic_ack(tags[1], multiple=True)  # m0, m1 acknowledged; m2, m3 stay unacknowledged
    barrier(conn)
    if stop == "sigterm":
        conn.close()  # the channel close requeues m2, m3 in memory; the log already says "delivered"

    w = restarts.restart(stop)
    got = drain(w, "rq")
    assert [(body, redelivered) for body, redelivered, _ in got] == \
           [(b"m2", True), (b"m3", True)] + [(f"m{i}".encode(), False) for i in range(4, 10)]


@pytest.mark.parametrize("stop", STOPS)
def test_redelivered_flag_is_kept_through_a_second_restart(restarts, stop):
    w = restarts.start()
    conn = w.connect()
    ch = confirmed_channel(conn)
    ch.queue_declare("rq", durable=True)
    for i in range(3):
        ch.basic_publish("", "rq", f"m{i}".encode(), PERSISTENT)
    conn.channel().basic_get("rq", auto_ack=False)  # m0 delivered, never acknowledged
    barrier(conn)
    conn.close()
    w = restarts.restart(stop)
    conn = w.connect()
    got = []
    getter = conn.channel()
    for _ in range(3):
        method, _, body = getter.basic_get("rq", auto_ack=False)
        got.append((body, method.redelivered))
    assert got == [(b"m0", True), (b"m1", False), (b"m2", False)]
    barrier(conn)
    conn.close()  # not acknowledged: all three go back, and all three have now been delivered
    w = restarts.restart(stop)
    assert [(b, r) for b, r, _ in drain(w, "rq", ack=False)] == [(b"m0", True), (b"m1", True), (b"m2", True)]


@pytest.mark.parametrize("stop", STOPS)
def test_removed_messages_do_not_come_back(restarts, stop):
    """Acknowledged (by consumer and by get), taken with no-ack, rejected, purged, or in a deleted queue."""
    w = restarts.start()
    conn = w.connect()
    ch = confirmed_channel(conn)
    for queue in ("acked", "noack", "rejected", "purged", "deleted"):
        ch.queue_declare(queue, durable=True)
        for i in range(3):
            ch.basic_publish("", queue, f"{queue}-{i}".encode(), PERSISTENT)

    consumer = conn.channel()
    seen = []
    for method, _, body in consumer.consume("acked", inactivity_timeout=10):
        assert method is not None, "consumer got nothing"
        seen.append(body)
        consumer.basic_ack(method.delivery_tag)
        if len(seen) == 3:
            break
    consumer.cancel()
    assert seen == [b"acked-0", b"acked-1", b"acked-2"]
    ch.basic_publish("", "acked", b"acked-kept", PERSISTENT)  # after the consumer is gone: never delivered
    other = conn.channel()
    for _ in range(3):
        assert other.basic_get("noack", auto_ack=True)[0] is not None
    for _ in range(3):
        other.basic_reject(other.basic_get("rejected", auto_ack=False)[0].delivery_tag, requeue=False)
    other.queue_purge("purged")
    other.queue_delete("deleted")
    barrier(conn)
    if stop == "sigterm":
        conn.close()

    w = restarts.restart(stop)
    for queue in ("noack", "rejected", "purged"):
        assert depth(w, queue) == 0, queue
    assert_missing_queue(w, "deleted")
    got = drain(w, "acked")
    assert [(body, redelivered) for body, redelivered, _ in got] == [(b"acked-kept", False)]
    conn = w.connect()
    assert conn.channel().queue_declare("deleted", durable=True).method.message_count == 0
    conn.close()


@pytest.mark.deadline(60)
def test_graceful_stop_writes_what_was_done_before_it(restarts):
    """What the broker did before a graceful stop must be on disk when the process exits: a
    SIGTERM is not a crash. Each round declares durable queues one after another, each with a
    20 KB argument (every declare rewrites the whole of definitions.json, growing, with two
    fsyncs, on the store's writer thread, which falls behind the declare-oks), then
    takes one message with no-ack (its removal is written after those), closes the connection
    (close-ok proves the broker handled all of it), stops warren with SIGTERM at once and starts
    it again: every declared queue must exist and the taken message must stay gone. No barrier:
    the stop itself must write what is pending."""
    rounds, declares = 3, 40
    w = restarts.start()
    conn = w.connect()
    ch = confirmed_channel(conn)
    ch.queue_declare("gq", durable=True)
    for i in range(rounds):
        ch.basic_publish("", "gq", f"m{i}".encode(), PERSISTENT)
    conn.close()
    for round_number in range(1, rounds + 1):
        w = restarts.restart("sigterm")
        conn = w.connect()
        ch = conn.channel()
        for i in range(declares):
            ch.queue_declare(f"gq-{round_number}-{i}", durable=True, arguments={"x-padding": "p" * 20_000})
        method, _, taken = ch.basic_get("gq", auto_ack=True)
        assert taken == f"m{round_number - 1}".encode()
        conn.close()
        w = restarts.restart("sigterm")
        missing = [f"gq-{r}-{i}" for r in range(1, round_number + 1) for i in range(declares)
                   if f"gq-{r}-{i}" not in {q["name"] for q in definitions(restarts)["queues"]}]
        assert (depth(w, "gq"), missing) == (rounds - round_number, []), \
            f"round {round_number}: work done before a graceful stop was not on disk after it"


@pytest.mark.deadline(90)
def test_acked_messages_stay_gone_when_their_segment_outlives_their_removal(restarts):
    """Segment 1 keeps "A" (never consumed) and holds "B" and 16 MiB of fill, all acknowledged
    later; those removal records go to segment 2. Segment 2 then fills with 16 MiB more that is
    acknowledged too, so segment 2 ends with no live message of its own and the log moves on to
    segment 3. Segment 2 must stay while segment 1 lives: it holds the removals of B and the fill.
    Checked over two SIGKILL restarts (one deletion happens at runtime, one at start-up)."""
    w = restarts.start()
    conn = w.connect()
    ch = confirmed_channel(conn)
    for queue in ("keep", "q", "fill", "fill2"):
        ch.queue_declare(queue, durable=True)
    ch.basic_publish("", "keep", b"A", PERSISTENT)
    ch.basic_publish("", "q", b"B", PERSISTENT)
    chunk = b"f" * MiB
    for _ in range(SEGMENT_BYTES // MiB):
        ch.basic_publish("", "fill", chunk, PERSISTENT)
    getter = conn.channel()
    for queue, count in (("q", 1), ("fill", SEGMENT_BYTES // MiB)):
        for _ in range(count):
            method, _, _ = getter.basic_get(queue, auto_ack=False)
            getter.basic_ack(method.delivery_tag)
    for _ in range(SEGMENT_BYTES // MiB):
        ch.basic_publish("", "fill2", chunk, PERSISTENT)
    for _ in range(SEGMENT_BYTES // MiB):
        method, _, _ = getter.basic_get("fill2", auto_ack=False)
        getter.basic_ack(method.delivery_tag)
    barrier(conn)
    segments = sorted(p.name for p in (restarts.data_dir / "messages").iterdir())
    assert len(segments) >= 2, segments  # the scenario needs the log to have rolled over

    for restart in (1, 2):
        w = restarts.restart("sigkill")
        assert (depth(w, "keep"), depth(w, "q"), depth(w, "fill"), depth(w, "fill2")) == (1, 0, 0, 0), \
            f"acknowledged messages came back after restart {restart}; segments now " \
            f"{sorted(p.name for p in (restarts.data_dir / 'messages').iterdir())}"
    assert bodies(drain(w, "keep")) == [b"A"]


@pytest.mark.deadline(90)
def test_confirmed_message_that_starts_a_segment_survives(restarts):
    """"X" is the first message after the log rolls over to segment 2. The rest of segment 2 is
    16 MiB of fill that is consumed and acknowledged (the log has moved on to segment 3 by then).
    X is still queued, and its publish was confirmed: segment 2 must not be deleted under it."""
    w = restarts.start()
    conn = w.connect()
    ch = confirmed_channel(conn)
    for queue in ("fill", "x", "fill2"):
        ch.queue_declare(queue, durable=True)
    chunk = b"f" * MiB
    for _ in range(SEGMENT_BYTES // MiB):
        ch.basic_publish("", "fill", chunk, PERSISTENT)
    ch.basic_publish("", "x", b"X", PERSISTENT)  # confirmed: on disk
    for _ in range(SEGMENT_BYTES // MiB):
        ch.basic_publish("", "fill2", chunk, PERSISTENT)
    getter = conn.channel()
    for _ in range(SEGMENT_BYTES // MiB):
        method, _, _ = getter.basic_get("fill2", auto_ack=False)
        getter.basic_ack(method.delivery_tag)
    barrier(conn)

    w = restarts.restart("sigkill")
    assert depth(w, "fill") == SEGMENT_BYTES // MiB
    assert depth(w, "fill2") == 0
    assert bodies(drain(w, "x")) == [b"X"], "a confirmed, never consumed message was lost"


# ---------------------------------------------------------------------------
# the data directory lock, confirms, crashes
# ---------------------------------------------------------------------------

def test_second_warren_on_the_same_data_dir_is_refused(restarts, warren_factory):
    first = restarts.start()
    second = warren_factory(None, expect_ready=False, extra_args=("--data-dir", str(restarts.data_dir)))
    second.expected_exit = True
    rc = second.wait_exit()
    assert rc == 1, f"second warren exit code {rc}\n{second.output()}"
    assert "is in use by another warren" in second.output()
    assert str(restarts.data_dir) in second.output()
    assert conftest.ready_line(second.host, second.port) not in second.output()
    # The first is unaffected, and once it is gone (even by SIGKILL) the directory is free again.
    assert first.running()
    conn = first.connect()
    ch = confirmed_channel(conn)
    ch.queue_declare("dq", durable=True)
    ch.basic_publish("", "dq", b"still-served", PERSISTENT)
    conn.close()
    w = restarts.restart("sigkill")
    assert bodies(drain(w, "dq")) == [b"still-served"]


@pytest.mark.deadline(90)
def test_publisher_confirms_for_1000_persistent_messages(restarts):
    w = restarts.start()
    conn = w.connect()
    ch = confirmed_channel(conn)
    ch.queue_declare("cq", durable=True)
    confirmed = 0
    for i in range(1000):
        ch.basic_publish("", "cq", f"{i:04d}".encode(), PERSISTENT, mandatory=True)  # raises on nack/return
        confirmed += 1
    assert confirmed == 1000
    # Confirms mean on disk: a SIGKILL right now loses none of them.
    w = restarts.restart("sigkill")
    got = drain(w, "cq")
    assert bodies(got) == [f"{i:04d}".encode() for i in range(1000)]
    assert not any(redelivered for _, redelivered, _ in got)


def test_pipelined_confirms_cover_every_message(restarts):
    """Many publishes in flight (group commit): every sequence number is acknowledged exactly once,
    none nacked, and all of them are on disk."""
    w = restarts.start()
    result = crash_test.publish_until_killed(_as_crash_target(w), 1, window=500, kill_delay=3600,
                                             rng=random.Random(1), max_body=64, limit=2000)
    assert result.opened
    assert sorted(result.confirmed) == list(range(1, 2001))
    assert not result.nacked
    w = restarts.restart("sigkill")
    assert depth(w, crash_test.QUEUE) == 2000


def _as_crash_target(w):
    """A conftest Warren seen through crash_test's interface (params, kill)."""
    class Target:
        def params(self):
            return pika.ConnectionParameters(host=w.host, port=w.port, connection_attempts=1, socket_timeout=10,
                                             heartbeat=0)

        def kill(self):
            w.expected_exit = True
            w.signal(signal.SIGKILL)
            w.wait_exit()
    return Target()


@pytest.mark.deadline(60)
def test_crash_cycles_lose_no_confirmed_message(tmp_path):
    summary = crash_test.run_crash_test(5, warren_bin=conftest.WARREN_BIN, data_dir=tmp_path / "crash",
                                        seed=20261123, max_delay=0.5, log=lambda *_: None)
    print(summary.line())
    assert summary.cycles == 5
    assert summary.confirmed > 0
    assert summary.lost == 0
    assert summary.confirmed_duplicates == 0
    assert summary.out_of_order == 0
    assert summary.problems == []
