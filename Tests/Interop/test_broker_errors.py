"""Broker-level behaviour seen from clients: every error path (reply code, what is closed, text)
and the message-flow guarantees (confirms, transactions, acks, requeue order, cancel notify,
exchange-to-exchange and headers routing).

The reference is RabbitMQ. Every assertion was checked against RabbitMQ 3.10.8 (Debian 12)
except where a test says otherwise:

* an unknown exchange type is asserted as current RabbitMQ answers it (3.11+ rabbit_exchange:
  check_type: 406 PRECONDITION_FAILED "unknown exchange type 'T'", closing the channel);
  RabbitMQ 3.10.8 instead closes the CONNECTION with 503 COMMAND_INVALID and the same text.

Channel errors close the channel only: the connection stays open and a new channel works.
Connection errors close the connection. Each error test also runs a bystander: a second
connection consuming its own queue (with messages it holds unacked throughout), which must keep
receiving exactly what it publishes, in order, never redelivered.
"""

from __future__ import annotations

import time

import pika
import pika.exceptions as pe
import pytest

import amqp_raw as r

DEADLINE = 5.0

BASIC_PUBLISH = (60, 40)
BASIC_CONSUME = (60, 20)
BASIC_CONSUME_OK = (60, 21)
BASIC_ACK = (60, 80)
QUEUE_DECLARE_OK = (50, 11)
CONFIRM_SELECT = (85, 10)
CONFIRM_SELECT_OK = (85, 11)

LOCKED = ("RESOURCE_LOCKED - cannot obtain exclusive access to locked queue '{}' in vhost '/'. "
          "It could be originally declared on another connection or the exclusive property value "
          "does not match that of the original declaration.")


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------

def drive(conn, until, timeout=DEADLINE, what="condition"):
    """Run pika's I/O loop until until() is true; fail at the deadline."""
    deadline = time.monotonic() + timeout
    while not until():
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            pytest.fail(f"timed out after {timeout}s waiting for {what}")
        conn.process_data_events(time_limit=min(0.05, remaining))


def assert_channel_error(exc_info, code, text):
    e = exc_info.value
    assert (e.reply_code, e.reply_text) == (code, text)


def assert_only_channel_closed(conn, ch):
    """A channel error: that channel is closed, the connection and new channels work."""
    assert ch.is_closed
    assert conn.is_open
    ch2 = conn.channel()
    ok = ch2.queue_declare("", exclusive=True)
    assert ok.method.queue.startswith("amq.gen-")
    ch2.close()


def drain(ch, queue, auto_ack=True):
    """Every message in `queue` via basic.get: [(body, redelivered)]."""
    out = []
    while True:
        method, _props, body = ch.basic_get(queue, auto_ack=auto_ack)
        if method is None:
            return out
        out.append((body, method.redelivered))


def count(ch, queue):
    return ch.queue_declare(queue, passive=True).method.message_count


def raw_publish(c, channel, exchange, routing_key, body=b"x", mandatory=False, immediate=False):
    bits = (1 if mandatory else 0) | (2 if immediate else 0)
    c.send_method(channel, BASIC_PUBLISH,
                  r.short(0) + r.shortstr(exchange) + r.shortstr(routing_key) + r.octet(bits))
    header = r.short(60) + r.short(0) + r.longlong(len(body)) + r.short(0)
    c.send(r.frame(r.FRAME_HEADER, channel, header) + r.frame(r.FRAME_BODY, channel, body))


def raw_consume(c, channel, queue, tag, no_ack=True):
    bits = 2 if no_ack else 0
    c.send_method(channel, BASIC_CONSUME, r.short(0) + r.shortstr(queue) + r.shortstr(tag)
                  + r.octet(bits) + r.table())


def raw_declare(c, channel, queue, **kw):
    c.send_method(channel, r.QUEUE_DECLARE, r.queue_declare_args(queue, **kw))
    return c.read_method(QUEUE_DECLARE_OK, channel=channel)


class Bystander:
    """A well-behaved client on its own connection; check() proves it is undisturbed."""

    HELD = 3  # delivered and left unacked until finish()

    def __init__(self, warren):
        self.conn = warren.connect()
        self.ch = self.conn.channel()
        self.queue = self.ch.queue_declare("", exclusive=True).method.queue
        self.sent: list = []
        self.received: list = []
        self.ch.basic_consume(self.queue, self._on_message)
        for _ in range(self.HELD):
            self._publish()
        self._wait()

    def _on_message(self, ch, method, props, body):
        self.received.append((body, method.redelivered, method.delivery_tag))

    def _publish(self):
        body = f"bystander-{len(self.sent)}".encode()
        self.ch.basic_publish("", self.queue, body)
        self.sent.append(body)

    def _wait(self):
        drive(self.conn, lambda: len(self.received) >= len(self.sent), what="bystander messages")
        assert [b for b, _, _ in self.received] == self.sent
        assert not any(redelivered for _, redelivered, _ in self.received), self.received
        assert [t for _, _, t in self.received] == list(range(1, len(self.sent) + 1))

    def check(self):
        assert self.conn.is_open and self.ch.is_open
        self._publish()
        self._publish()
        self._wait()

    def finish(self):
        self.check()
        self.ch.basic_ack(self.received[-1][2], multiple=True)
        ok = self.ch.queue_declare(self.queue, passive=True)
        assert (ok.method.message_count, ok.method.consumer_count) == (0, 1)
        self.conn.close()


@pytest.fixture
def bystander(warren):
    b = Bystander(warren)
    yield b
    if b.conn.is_open:
        b.finish()


@pytest.fixture
def conn(warren):
    c = warren.connect()
    yield c
    if c.is_open:
        c.close()


# ---------------------------------------------------------------------------
# Channel errors (404, 403, 405, 406): the channel closes, the connection lives
# ---------------------------------------------------------------------------

def test_passive_declare_of_missing_queue_is_404(conn, bystander):
    ch = conn.channel()
    with pytest.raises(pe.ChannelClosedByBroker) as e:
        ch.queue_declare("nosuchqueue", passive=True)
    assert_channel_error(e, 404, "NOT_FOUND - no queue 'nosuchqueue' in vhost '/'")
    assert_only_channel_closed(conn, ch)
    bystander.check()


def test_passive_declare_of_missing_exchange_is_404(conn, bystander):
    ch = conn.channel()
    with pytest.raises(pe.ChannelClosedByBroker) as e:
        ch.exchange_declare("nosuchexchange", passive=True)
    assert_channel_error(e, 404, "NOT_FOUND - no exchange 'nosuchexchange' in vhost '/'")
    assert_only_channel_closed(conn, ch)
    bystander.check()


def test_queue_name_with_amq_prefix_is_403(conn, bystander):
    ch = conn.channel()
    with pytest.raises(pe.ChannelClosedByBroker) as e:
        ch.queue_declare("amq.x")
    assert_channel_error(e, 403, "ACCESS_REFUSED - queue name 'amq.x' contains reserved prefix 'amq.*'")
    assert_only_channel_closed(conn, ch)
    bystander.check()


def test_exchange_name_with_amq_prefix_is_403(conn, bystander):
    ch = conn.channel()
    with pytest.raises(pe.ChannelClosedByBroker) as e:
        ch.exchange_declare("amq.x", "direct")
    assert_channel_error(e, 403, "ACCESS_REFUSED - exchange name 'amq.x' contains reserved prefix 'amq.*'")
    assert_only_channel_closed(conn, ch)
    # Redeclaring an existing amq.* exchange with its own type and flags is fine.
    ch = conn.channel()
    ch.exchange_declare("amq.direct", "direct", durable=True)
    ch.exchange_declare("amq.topic", passive=True)
    bystander.check()


def test_redeclare_queue_with_other_durable_is_406(conn, bystander):
    ch = conn.channel()
    ch.queue_declare("q1")
    ch.queue_declare("q1")  # an identical redeclare is fine
    with pytest.raises(pe.ChannelClosedByBroker) as e:
        ch.queue_declare("q1", durable=True)
    assert_channel_error(e, 406, "PRECONDITION_FAILED - inequivalent arg 'durable' for queue 'q1' "
                                 "in vhost '/': received 'true' but current is 'false'")
    assert_only_channel_closed(conn, ch)
    bystander.check()


X_ARG_CASES = {
    # name: (first arguments, redeclare arguments, text after "... for queue 'qa' in vhost '/': ")
    "different value": ({"x-max-length": 10}, {"x-max-length": 20},
                        "received '20' but current is '10'"),
    "dropped": ({"x-max-length": 10}, None,
                "received none but current is the value '10' of type 'signedint'"),
    "added": (None, {"x-max-length": 10},
              "received the value '10' of type 'signedint' but current is none"),
}


@pytest.mark.parametrize("case", list(X_ARG_CASES))
def test_redeclare_queue_with_other_x_argument_is_406(conn, bystander, case):
    first, second, detail = X_ARG_CASES[case]
    ch = conn.channel()
    ch.queue_declare("qa", arguments=first)
    with pytest.raises(pe.ChannelClosedByBroker) as e:
        ch.queue_declare("qa", arguments=second)
    assert_channel_error(e, 406, "PRECONDITION_FAILED - inequivalent arg 'x-max-length' for queue "
                                 "'qa' in vhost '/': " + detail)
    assert_only_channel_closed(conn, ch)
    bystander.check()


def test_redeclare_queue_ignores_arguments_rabbitmq_does_not_check(conn):
    """RabbitMQ compares only the x-arguments it knows (x-max-length, x-message-ttl, ...)."""
    ch = conn.channel()
    ch.queue_declare("qb", arguments={"x-custom": 1, "note": "a"})
    ch.queue_declare("qb", arguments={"x-custom": 2})
    ch.queue_declare("qb")
    assert ch.is_open


def test_redeclare_exchange_with_other_type_is_406(conn, bystander):
    ch = conn.channel()
    ch.exchange_declare("x1", "direct")
    with pytest.raises(pe.ChannelClosedByBroker) as e:
        ch.exchange_declare("x1", "fanout")
    assert_channel_error(e, 406, "PRECONDITION_FAILED - inequivalent arg 'type' for exchange 'x1' "
                                 "in vhost '/': received 'fanout' but current is 'direct'")
    assert_only_channel_closed(conn, ch)
    bystander.check()


EXCLUSIVE_OPS = {
    "basic.consume": lambda ch: ch.basic_consume("excl", lambda *a: None),
    "basic.get": lambda ch: ch.basic_get("excl"),
    "queue.declare": lambda ch: ch.queue_declare("excl"),
    "queue.declare passive": lambda ch: ch.queue_declare("excl", passive=True),
    "queue.bind": lambda ch: ch.queue_bind("excl", "amq.fanout"),
    "queue.purge": lambda ch: ch.queue_purge("excl"),
    "queue.delete": lambda ch: ch.queue_delete("excl"),
}


@pytest.mark.parametrize("op", list(EXCLUSIVE_OPS))
def test_exclusive_queue_from_another_connection_is_405(warren, conn, bystander, op):
    owner = warren.connect()
    try:
        och = owner.channel()
        och.queue_declare("excl", exclusive=True)
        och.basic_publish("", "excl", b"mine")
        ch = conn.channel()
        with pytest.raises(pe.ChannelClosedByBroker) as e:
            EXCLUSIVE_OPS[op](ch)
        assert_channel_error(e, 405, LOCKED.format("excl"))
        assert_only_channel_closed(conn, ch)
        # The owner's queue is untouched.
        assert drain(och, "excl") == [(b"mine", False)]
    finally:
        owner.close()
    bystander.check()


@pytest.mark.parametrize("op", ["exchange.declare", "exchange.delete", "queue.bind", "queue.unbind"])
def test_default_exchange_is_off_limits_403(conn, bystander, op):
    ch = conn.channel()
    ch.queue_declare("q3")
    calls = {
        "exchange.declare": lambda: ch.exchange_declare("", "direct"),
        "exchange.delete": lambda: ch.exchange_delete(""),
        "queue.bind": lambda: ch.queue_bind("q3", "", routing_key="q3"),
        "queue.unbind": lambda: ch.queue_unbind("q3", "", routing_key="q3"),
    }
    with pytest.raises(pe.ChannelClosedByBroker) as e:
        calls[op]()
    assert_channel_error(e, 403, "ACCESS_REFUSED - operation not permitted on the default exchange")
    assert_only_channel_closed(conn, ch)
    bystander.check()


def test_unknown_exchange_type_is_406_on_the_channel(conn, bystander):
    """Current RabbitMQ: 406 on the channel. RabbitMQ 3.10.8 (Debian 12) closes the connection
    instead: (503, "COMMAND_INVALID - unknown exchange type 'nosuchtype'"). Both say 'unknown'
    ('invalid exchange type' is RabbitMQ's text for a known type name whose plugin is disabled)."""
    ch = conn.channel()
    with pytest.raises(pe.ChannelClosedByBroker) as e:
        ch.exchange_declare("x2", "nosuchtype")
    assert_channel_error(e, 406, "PRECONDITION_FAILED - unknown exchange type 'nosuchtype'")
    assert_only_channel_closed(conn, ch)
    # Nothing was declared.
    ch = conn.channel()
    with pytest.raises(pe.ChannelClosedByBroker) as e:
        ch.exchange_declare("x2", passive=True)
    assert e.value.reply_code == 404
    bystander.check()


def test_ack_of_unknown_delivery_tag_is_406(conn, bystander):
    ch = conn.channel()
    ch.basic_ack(99)  # asynchronous: the close arrives with the next synchronous call
    with pytest.raises(pe.ChannelClosedByBroker) as e:
        ch.queue_declare("", exclusive=True)
    assert_channel_error(e, 406, "PRECONDITION_FAILED - unknown delivery tag 99")
    assert_only_channel_closed(conn, ch)
    bystander.check()


@pytest.mark.parametrize("second", ["ack", "nack", "reject"])
def test_double_ack_is_406(conn, bystander, second):
    ch = conn.channel()
    q = ch.queue_declare("", exclusive=True).method.queue
    ch.basic_publish("", q, b"once")
    method, _, body = ch.basic_get(q)
    assert body == b"once" and method.delivery_tag == 1
    ch.basic_ack(1)
    {"ack": lambda: ch.basic_ack(1), "nack": lambda: ch.basic_nack(1),
     "reject": lambda: ch.basic_reject(1)}[second]()
    with pytest.raises(pe.ChannelClosedByBroker) as e:
        ch.queue_declare(q, passive=True)
    assert_channel_error(e, 406, "PRECONDITION_FAILED - unknown delivery tag 1")
    assert_only_channel_closed(conn, ch)
    bystander.check()


@pytest.mark.parametrize("op", ["commit", "rollback"])
def test_tx_without_select_is_406(conn, bystander, op):
    ch = conn.channel()
    with pytest.raises(pe.ChannelClosedByBroker) as e:
        ch.tx_commit() if op == "commit" else ch.tx_rollback()
    assert_channel_error(e, 406, "PRECONDITION_FAILED - channel is not transactional")
    assert_only_channel_closed(conn, ch)
    bystander.check()


def test_tx_select_after_confirm_select_is_406(conn, bystander):
    ch = conn.channel()
    ch.confirm_delivery()
    with pytest.raises(pe.ChannelClosedByBroker) as e:
        ch.tx_select()
    assert_channel_error(e, 406, "PRECONDITION_FAILED - cannot switch from confirm to tx mode")
    assert_only_channel_closed(conn, ch)
    bystander.check()


def test_publish_to_missing_exchange_is_404(conn, bystander):
    ch = conn.channel()
    ch.basic_publish("nosuchexchange", "k", b"lost")
    with pytest.raises(pe.ChannelClosedByBroker) as e:
        ch.queue_declare("", exclusive=True)
    assert_channel_error(e, 404, "NOT_FOUND - no exchange 'nosuchexchange' in vhost '/'")
    assert_only_channel_closed(conn, ch)
    # In confirm mode the publish itself fails.
    ch = conn.channel()
    ch.confirm_delivery()
    with pytest.raises(pe.ChannelClosedByBroker) as e:
        ch.basic_publish("nosuchexchange", "k", b"lost")
    assert_channel_error(e, 404, "NOT_FOUND - no exchange 'nosuchexchange' in vhost '/'")
    assert_only_channel_closed(conn, ch)
    bystander.check()


@pytest.mark.parametrize("then", ["channel.close", "connection.close", "ack"])
def test_publish_error_is_reported_even_when_the_client_closes_right_after(warren, then):
    """amqp-publish does exactly this: publish, then channel.close, in one burst. RabbitMQ
    processes the publish first, so its 404 channel.close arrives before the close-ok (and the
    tool reports the error). The same holds for a failed ack (checked as a control)."""
    with warren.raw_connect() as c:
        c.open_channel(1)
        if then == "ack":
            c.send_method(1, BASIC_ACK, r.longlong(5) + r.octet(0))
            expected = (406, "PRECONDITION_FAILED - unknown delivery tag 5", 60, 80)
        else:
            raw_publish(c, 1, "nosuchexchange", "k", b"x")
            expected = (404, "NOT_FOUND - no exchange 'nosuchexchange' in vhost '/'", 60, 40)
        if then == "connection.close":
            c.send_method(0, r.CONNECTION_CLOSE, r.close_args(200, "bye"))
        else:
            c.send_method(1, r.CHANNEL_CLOSE, r.close_args(200, "bye"))
        f = c.read_frame()
        assert f.class_method == r.CHANNEL_CLOSE and f.channel == 1, (
            f"expected the error's channel.close first, got {f!r}")
        a = f.args()
        assert (a.short(), a.shortstr(), a.short(), a.short()) == expected
        f = c.read_frame()
        want = r.CONNECTION_CLOSE_OK if then == "connection.close" else r.CHANNEL_CLOSE_OK
        assert f.class_method == want, f


def test_queue_delete_if_unused_and_if_empty_are_406(warren, conn, bystander):
    ch = conn.channel()
    ch.queue_declare("busy")
    ch.basic_consume("busy", lambda *a: None)
    other = conn.channel()
    with pytest.raises(pe.ChannelClosedByBroker) as e:
        other.queue_delete("busy", if_unused=True)
    assert_channel_error(e, 406, "PRECONDITION_FAILED - queue 'busy' in vhost '/' in use")
    assert_only_channel_closed(conn, other)

    other = conn.channel()
    other.queue_declare("full")
    other.basic_publish("", "full", b"1")
    with pytest.raises(pe.ChannelClosedByBroker) as e:
        other.queue_delete("full", if_empty=True)
    assert_channel_error(e, 406, "PRECONDITION_FAILED - queue 'full' in vhost '/' not empty")
    assert_only_channel_closed(conn, other)

    # Both queues survived; without the flags they can be deleted (delete-ok counts messages).
    other = conn.channel()
    assert count(other, "full") == 1
    assert other.queue_delete("full").method.message_count == 1
    assert other.queue_delete("busy", if_empty=True).method.message_count == 0
    bystander.check()


def test_direct_reply_to_without_reply_consumer_is_406(conn, bystander):
    ch = conn.channel()
    ch.queue_declare("rpc")
    ch.basic_publish("", "rpc", b"q", pika.BasicProperties(reply_to="amq.rabbitmq.reply-to"))
    with pytest.raises(pe.ChannelClosedByBroker) as e:
        ch.queue_declare("rpc", passive=True)
    assert_channel_error(e, 406, "PRECONDITION_FAILED - fast reply consumer does not exist")
    assert_only_channel_closed(conn, ch)
    bystander.check()


# ---------------------------------------------------------------------------
# Connection errors (530, 540): the whole connection closes
# ---------------------------------------------------------------------------

def test_prefetch_size_is_540_connection_error(conn, bystander):
    ch = conn.channel()
    with pytest.raises(pe.ConnectionClosedByBroker) as e:
        ch.basic_qos(prefetch_size=1, prefetch_count=10)
    assert_channel_error(e, 540, "NOT_IMPLEMENTED - prefetch_size!=0 (1)")
    assert conn.is_closed
    bystander.check()


def test_recover_without_requeue_is_540(conn, bystander):
    ch = conn.channel()
    with pytest.raises(pe.ConnectionClosedByBroker) as e:
        ch.basic_recover(requeue=False)
    assert_channel_error(e, 540, "NOT_IMPLEMENTED - requeue=false")
    assert conn.is_closed
    bystander.check()


def test_publish_immediate_is_540_connection_error(warren, bystander):
    with warren.raw_connect() as c:
        c.open_channel(1)
        raw_declare(c, 1, "imm")
        raw_publish(c, 1, "", "imm", b"now", immediate=True)
        code, text = c.wait_for_close()
        assert (code, text) == (540, "NOT_IMPLEMENTED - immediate=true")
        assert (c.last_close.class_id, c.last_close.method_id) == BASIC_PUBLISH
        assert c.read_until_eof() == b""
    conn = warren.connect()
    ch = conn.channel()
    assert count(ch, "imm") == 0  # the immediate message was not enqueued
    conn.close()
    bystander.check()


def test_consumer_tag_reuse_is_530_connection_error(warren, bystander):
    with warren.raw_connect() as c:
        c.open_channel(1)
        raw_declare(c, 1, "tags")
        raw_consume(c, 1, "tags", "dup")
        f = c.read_method(BASIC_CONSUME_OK, channel=1)
        assert f.args().shortstr() == "dup"
        raw_consume(c, 1, "tags", "dup")
        code, text = c.wait_for_close()
        assert (code, text) == (530, "NOT_ALLOWED - attempt to reuse consumer tag 'dup'")
        assert (c.last_close.class_id, c.last_close.method_id) == BASIC_CONSUME
        assert c.read_until_eof() == b""
    bystander.check()


def test_channel_error_reports_the_failing_method(warren):
    """channel.close carries the class/method id of the method that failed (raw view)."""
    with warren.raw_connect() as c:
        c.open_channel(1)
        c.send_method(1, r.QUEUE_DECLARE, r.queue_declare_args("nosuch", passive=True))
        f = c.read_method(r.CHANNEL_CLOSE, channel=1)
        a = f.args()
        assert (a.short(), a.shortstr(), a.short(), a.short()) == (
            404, "NOT_FOUND - no queue 'nosuch' in vhost '/'", 50, 10)
        c.send_method(1, r.CHANNEL_CLOSE_OK)
        # The channel number can be reused; the connection is fine.
        c.open_channel(1)
        c.close()


def test_misbehaving_client_never_disturbs_another(warren, bystander):
    """One connection runs through a series of errors while another keeps consuming."""
    bad = warren.connect()
    errors = [
        lambda ch: ch.queue_declare("nosuch", passive=True),
        lambda ch: ch.queue_declare("amq.nope"),
        lambda ch: ch.exchange_delete(""),
        lambda ch: (ch.basic_ack(7), ch.queue_declare("", exclusive=True)),
        lambda ch: ch.tx_commit(),
        lambda ch: ch.queue_bind(bystander.queue, "amq.direct"),          # 405
        lambda ch: ch.basic_get(bystander.queue),                         # 405
        lambda ch: ch.queue_delete(bystander.queue),                      # 405
    ]
    for make_error in errors:
        ch = bad.channel()
        with pytest.raises(pe.ChannelClosedByBroker):
            make_error(ch)
        bystander.check()
    ch = bad.channel()
    with pytest.raises(pe.ConnectionClosedByBroker):
        ch.basic_qos(prefetch_size=5)
    assert bad.is_closed
    bystander.check()
    bystander.finish()


# ---------------------------------------------------------------------------
# Mandatory, confirms, transactions
# ---------------------------------------------------------------------------

def test_mandatory_unroutable_is_returned_312(conn):
    ch = conn.channel()
    returned = []
    ch.add_on_return_callback(lambda c, method, props, body: returned.append((method, props, body)))
    ch.basic_publish("amq.direct", "nobody", b"back", pika.BasicProperties(message_id="m1"),
                     mandatory=True)
    ch.basic_publish("amq.direct", "nobody", b"dropped")  # not mandatory: silently dropped
    drive(conn, lambda: returned, what="basic.return")
    method, props, body = returned[0]
    assert (method.reply_code, method.reply_text) == (312, "NO_ROUTE")
    assert (method.exchange, method.routing_key) == ("amq.direct", "nobody")
    assert body == b"back" and props.message_id == "m1"
    # A routable mandatory message is not returned.
    q = ch.queue_declare("", exclusive=True).method.queue
    ch.basic_publish("", q, b"fine", mandatory=True)
    assert drain(ch, q) == [(b"fine", False)]
    conn.process_data_events(time_limit=0)
    assert len(returned) == 1, returned
    assert ch.is_open


def test_confirms_ack_every_message(conn):
    ch = conn.channel()
    q = ch.queue_declare("confirmed").method.queue
    ch.confirm_delivery()
    for i in range(300):
        ch.basic_publish("", q, f"m{i}".encode())  # blocks until basic.ack; raises on nack
    assert count(ch, q) == 300
    # Unroutable + mandatory in confirm mode: basic.return then basic.ack -> UnroutableError.
    with pytest.raises(pe.UnroutableError) as e:
        ch.basic_publish("amq.topic", "no.route", b"r", mandatory=True)
    (msg,) = e.value.messages
    assert (msg.method.reply_code, msg.method.reply_text, msg.body) == (312, "NO_ROUTE", b"r")
    # Unroutable without mandatory is simply acked.
    ch.basic_publish("amq.topic", "no.route", b"r")
    assert ch.is_open


def test_confirms_for_pipelined_publishes_cover_every_tag_once(warren):
    n = 500
    with warren.raw_connect() as c:
        c.open_channel(1)
        raw_declare(c, 1, "pipelined")
        c.send_method(1, CONFIRM_SELECT, r.octet(0))
        c.read_method(CONFIRM_SELECT_OK, channel=1)
        for i in range(n):
            raw_publish(c, 1, "", "pipelined", f"{i}".encode())
        raw_publish(c, 1, "", "nosuchqueue", b"unroutable")  # still confirmed (tag n+1)
        # Confirms may come out of order (RabbitMQ acks the unroutable one at once) and merged
        # (multiple=true covers every earlier tag not yet confirmed); each tag exactly once.
        confirmed = set()
        while len(confirmed) < n + 1:
            f = c.read_method(BASIC_ACK, channel=1)
            a = f.args()
            tag, multiple = a.longlong(), a.octet() & 1
            assert 1 <= tag <= n + 1 and tag not in confirmed, (tag, multiple, sorted(confirmed))
            confirmed.update(range(1, tag + 1) if multiple else [tag])
        assert confirmed == set(range(1, n + 2))
        ok = raw_declare(c, 1, "pipelined", passive=True)
        r2 = ok.args()
        assert r2.shortstr() == "pipelined" and r2.long() == n
        c.close()


def test_tx_commit_and_rollback_visibility(warren, conn):
    ch = conn.channel()
    ch.queue_declare("txq")
    ch.tx_select()
    observer = warren.connect()
    och = observer.channel()
    try:
        for i in range(3):
            ch.basic_publish("", "txq", f"c{i}".encode())
        assert count(och, "txq") == 0
        assert och.basic_get("txq")[0] is None
        ch.tx_commit()
        assert count(och, "txq") == 3

        ch.basic_publish("", "txq", b"rolled-back-1")
        ch.basic_publish("", "txq", b"rolled-back-2")
        ch.tx_rollback()
        assert count(och, "txq") == 3

        # Acks are transactional too: a rolled-back ack leaves the message unacked.
        m1, _, b1 = ch.basic_get("txq")
        ch.basic_ack(m1.delivery_tag)
        ch.tx_rollback()
        m2, _, b2 = ch.basic_get("txq")
        ch.basic_ack(m2.delivery_tag)
        ch.tx_commit()
        assert (b1, b2) == (b"c0", b"c1")
        ch.close()  # c0's ack was rolled back: it is requeued; c1's was committed
        assert drain(och, "txq") == [(b"c0", True), (b"c2", False)]
    finally:
        observer.close()


# ---------------------------------------------------------------------------
# Delivery: get, recover, nack/reject, requeue on close, cancel notify
# ---------------------------------------------------------------------------

def test_basic_get_reports_message_count(conn):
    ch = conn.channel()
    q = ch.queue_declare("", exclusive=True).method.queue
    for i in range(3):
        ch.basic_publish("", q, f"g{i}".encode())
    seen = []
    for _ in range(3):
        method, _props, body = ch.basic_get(q, auto_ack=True)
        seen.append((body, method.message_count, method.redelivered))
    assert seen == [(b"g0", 2, False), (b"g1", 1, False), (b"g2", 0, False)]
    assert ch.basic_get(q) == (None, None, None)


def test_basic_recover_redelivers_unacked(conn):
    ch = conn.channel()
    q = ch.queue_declare("", exclusive=True).method.queue
    got = []
    ch.basic_consume(q, lambda c, m, p, b: got.append((b, m.redelivered, m.delivery_tag)))
    for i in range(3):
        ch.basic_publish("", q, f"r{i}".encode())
    drive(conn, lambda: len(got) == 3, what="first deliveries")
    ch.basic_recover(requeue=True)
    drive(conn, lambda: len(got) == 6, what="redeliveries")
    assert got == [(b"r0", False, 1), (b"r1", False, 2), (b"r2", False, 3),
                   (b"r0", True, 4), (b"r1", True, 5), (b"r2", True, 6)]
    ch.basic_ack(6, multiple=True)
    ch.basic_cancel(ch.consumer_tags[0])
    assert count(ch, q) == 0


def test_nack_and_reject_requeue_to_original_position(conn):
    ch = conn.channel()
    q = ch.queue_declare("", exclusive=True).method.queue
    for i in range(1, 6):
        ch.basic_publish("", q, f"m{i}".encode())
    tags = {}
    for i in range(1, 4):
        method, _, body = ch.basic_get(q)
        tags[body] = method.delivery_tag
    ch.basic_reject(tags[b"m2"], requeue=True)
    ch.basic_nack(tags[b"m1"], requeue=True)
    method, _, body = ch.basic_get(q)
    assert (body, method.redelivered) == (b"m1", True)
    ch.basic_nack(method.delivery_tag, requeue=True)  # back to the head again
    assert drain(ch, q, auto_ack=False) == [(b"m1", True), (b"m2", True), (b"m4", False),
                                            (b"m5", False)]
    # m3 is still held; rejecting it without requeue drops it. Everything else is held too:
    # nack(multiple) with requeue=False drops them all.
    ch.basic_reject(tags[b"m3"], requeue=False)
    ch.basic_nack(0, multiple=True, requeue=False)
    assert count(ch, q) == 0
    assert ch.basic_get(q) == (None, None, None)


def test_nack_multiple_requeues_in_order(conn):
    ch = conn.channel()
    q = ch.queue_declare("", exclusive=True).method.queue
    for i in range(4):
        ch.basic_publish("", q, f"n{i}".encode())
    last = None
    for _ in range(3):
        last = ch.basic_get(q)[0]
    ch.basic_nack(last.delivery_tag, multiple=True, requeue=True)
    assert drain(ch, q) == [(b"n0", True), (b"n1", True), (b"n2", True), (b"n3", False)]


@pytest.mark.parametrize("close", ["channel", "connection"])
def test_close_requeues_unacked_messages(warren, conn, close):
    ch = conn.channel()
    ch.queue_declare("work")
    for i in range(5):
        ch.basic_publish("", "work", f"w{i}".encode())

    worker = warren.connect()
    try:
        wch = worker.channel()
        wch.basic_qos(prefetch_count=2)
        got = []
        wch.basic_consume("work", lambda c, m, p, b: got.append(b))
        drive(worker, lambda: len(got) == 2, what="prefetched messages")
        assert got == [b"w0", b"w1"]
        method, _, body = wch.basic_get("work")  # w2 via basic.get (not limited by prefetch) ...
        assert body == b"w2"
        wch.basic_ack(method.delivery_tag)       # ... and acked: it must not come back
        method, _, body = wch.basic_get("work")  # w3 held via basic.get
        assert body == b"w3"
        if close == "channel":
            wch.close()
            assert worker.is_open
        else:
            worker.close()
        # Requeued in their original order, ahead of w4, flagged redelivered.
        assert drain(ch, "work") == [(b"w0", True), (b"w1", True), (b"w3", True), (b"w4", False)]
    finally:
        if worker.is_open:
            worker.close()


def test_consumer_is_cancelled_when_its_queue_is_deleted(warren, conn):
    ch = conn.channel()
    ch.queue_declare("doomed")
    cancelled = []
    ch.add_on_cancel_callback(lambda frame: cancelled.append(frame.method))
    tags = [ch.basic_consume("doomed", lambda *a: None) for _ in range(2)]
    other = warren.connect()
    try:
        assert other.channel().queue_delete("doomed").method.message_count == 0
    finally:
        other.close()
    drive(conn, lambda: len(cancelled) == 2, what="basic.cancel from the broker")
    assert sorted(m.consumer_tag for m in cancelled) == sorted(tags)
    assert ch.is_open and conn.is_open
    assert ch.consumer_tags == []
    # The channel is still usable.
    assert ch.queue_declare("", exclusive=True).method.queue.startswith("amq.gen-")


def test_server_named_queues_and_consumer_tags(warren, conn):
    ch = conn.channel()
    names = [ch.queue_declare("").method.queue for _ in range(3)]
    assert all(n.startswith("amq.gen-") and len(n) > len("amq.gen-") + 8 for n in names), names
    assert len(set(names)) == 3
    # An empty queue name means the channel's last declared queue (names[2]).
    ch.queue_bind("", "amq.fanout")
    ch.basic_publish("amq.fanout", "", b"to-last")
    assert drain(ch, names[2]) == [(b"to-last", False)]
    assert count(ch, names[1]) == 0
    # pika always names its consumers itself; an empty tag (raw) gets a server-made amq.ctag-.
    with warren.raw_connect() as c:
        c.open_channel(1)
        ok = raw_declare(c, 1, "")
        q = ok.args().shortstr()
        assert q.startswith("amq.gen-")
        tags = []
        for _ in range(2):
            raw_consume(c, 1, q, "")
            tags.append(c.read_method(BASIC_CONSUME_OK, channel=1).args().shortstr())
        assert all(t.startswith("amq.ctag-") for t in tags) and tags[0] != tags[1], tags
        c.close()


# ---------------------------------------------------------------------------
# Routing: exchange-to-exchange, headers
# ---------------------------------------------------------------------------

def test_exchange_to_exchange_bindings(conn):
    ch = conn.channel()
    ch.exchange_declare("src", "topic")
    ch.exchange_declare("dst", "fanout")
    ch.exchange_bind(destination="dst", source="src", routing_key="a.#")
    q = ch.queue_declare("", exclusive=True).method.queue
    ch.queue_bind(q, "dst")
    ch.queue_bind(q, "src", routing_key="a.*")  # a second path from src to q
    ch.confirm_delivery()
    for key in ["a.b", "a.b.c", "b.a", "a"]:
        ch.basic_publish("src", key, key.encode())
    # a.b takes both paths but arrives once; b.a matches nothing.
    assert drain(ch, q) == [(b"a.b", False), (b"a.b.c", False), (b"a", False)]
    # A cycle between exchanges does not loop or duplicate.
    ch.exchange_bind(destination="src", source="dst")
    ch.basic_publish("dst", "", b"cycle")
    assert drain(ch, q) == [(b"cycle", False)]
    ch.exchange_unbind(destination="dst", source="src", routing_key="a.#")
    ch.basic_publish("src", "a.b.c", b"gone")
    ch.basic_publish("src", "a.b", b"direct-path")
    assert drain(ch, q) == [(b"direct-path", False)]


def test_headers_exchange_any_and_all(conn):
    ch = conn.channel()
    ch.exchange_declare("hdr", "headers")
    q_all = ch.queue_declare("", exclusive=True).method.queue
    q_any = ch.queue_declare("", exclusive=True).method.queue
    q_default = ch.queue_declare("", exclusive=True).method.queue
    ch.queue_bind(q_all, "hdr", arguments={"x-match": "all", "format": "pdf", "type": "report"})
    ch.queue_bind(q_any, "hdr", arguments={"x-match": "any", "format": "pdf", "type": "report"})
    ch.queue_bind(q_default, "hdr", arguments={"format": "pdf", "type": "report"})  # all
    ch.confirm_delivery()
    sends = [
        ("both", {"format": "pdf", "type": "report"}),
        ("both+extra", {"format": "pdf", "type": "report", "size": 3}),
        ("format-only", {"format": "pdf"}),
        ("type-only", {"type": "report"}),
        ("wrong-value", {"format": "zip", "type": "log"}),
        ("none", None),
    ]
    for body, headers in sends:
        # The routing key plays no part in a headers exchange.
        ch.basic_publish("hdr", "ignored", body.encode(), pika.BasicProperties(headers=headers))
    all_ = [(b"both", False), (b"both+extra", False)]
    assert drain(ch, q_all) == all_
    assert drain(ch, q_default) == all_
    assert drain(ch, q_any) == all_ + [(b"format-only", False), (b"type-only", False)]
