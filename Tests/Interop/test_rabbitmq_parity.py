"""Places where client libraries' own suites found warren answering differently from RabbitMQ
(issue 19), each pinned down as RabbitMQ 3.10 answers it.

Every test here also passes against a RabbitMQ node: set PARITY_RABBITMQ_PORT to its AMQP port
(guest/guest on `/`, loopback) and the tests run there instead of against a warren they start.
Names are unique per run, so a long-lived node can be reused.
"""

from __future__ import annotations

import os
import time
import uuid

import amqp
import pika
import pika.exceptions as pe
import pytest

import amqp_raw as r

QUEUE_BIND = (50, 20)
QUEUE_BIND_OK = (50, 21)
QUEUE_DELETE = (50, 40)
QUEUE_DELETE_OK = (50, 41)
BASIC_CANCEL = (60, 30)


class ExternalBroker:
    """A broker this test did not start (RabbitMQ, for checking the tests themselves)."""

    def __init__(self, port: int):
        self.host, self.port = "127.0.0.1", port

    def connect(self):
        return pika.BlockingConnection(pika.ConnectionParameters(self.host, self.port, connection_attempts=1))

    def raw_connect(self, **kw):
        return r.connect(self.port, self.host, **kw)


@pytest.fixture
def broker(request):
    port = os.environ.get("PARITY_RABBITMQ_PORT")
    return ExternalBroker(int(port)) if port else request.getfixturevalue("warren")


@pytest.fixture
def names():
    run = uuid.uuid4().hex[:8]
    return lambda name: f"parity-{run}-{name}"


@pytest.fixture
def ch(broker):
    conn = broker.connect()
    yield conn.channel()
    if conn.is_open:
        conn.close()


# ---------------------------------------------------------------------------
# Unbinding what is not there: unbind-ok (rabbit_binding:remove), so clean-up code works
# ---------------------------------------------------------------------------

def test_queue_unbind_of_a_missing_queue_exchange_or_binding_is_ok(ch, names):
    queue, exchange = names("q"), names("x")
    ch.queue_unbind(names("no-such-queue"), "amq.direct", routing_key="k")
    ch.queue_declare(queue, auto_delete=True)
    ch.queue_unbind(queue, names("no-such-exchange"), routing_key="k")
    ch.exchange_declare(exchange, "direct", auto_delete=True)
    ch.queue_unbind(queue, exchange, routing_key="never-bound")
    # A binding that exists is removed, and removing it again is still ok.
    ch.queue_bind(queue, "amq.direct", routing_key="k")
    ch.queue_unbind(queue, "amq.direct", routing_key="k")
    ch.queue_unbind(queue, "amq.direct", routing_key="k")
    ch.confirm_delivery()
    with pytest.raises(pe.UnroutableError):
        ch.basic_publish("amq.direct", "k", b"unbound", mandatory=True)
    ch.queue_delete(queue)
    ch.exchange_delete(exchange)


def test_exchange_unbind_of_a_missing_source_destination_or_binding_is_ok(ch, names):
    source, destination = names("src"), names("dst")
    ch.exchange_unbind(destination=names("no-dst"), source=names("no-src"), routing_key="k")
    ch.exchange_declare(source, "direct")
    ch.exchange_unbind(destination=names("no-dst"), source=source, routing_key="k")
    ch.exchange_unbind(destination=source, source=names("no-src"), routing_key="k")
    ch.exchange_declare(destination, "fanout")
    ch.exchange_unbind(destination=destination, source=source, routing_key="never-bound")
    ch.exchange_bind(destination=destination, source=source, routing_key="k")
    ch.exchange_unbind(destination=destination, source=source, routing_key="k")
    ch.exchange_unbind(destination=destination, source=source, routing_key="k")
    ch.exchange_delete(source)
    ch.exchange_delete(destination)


def test_unbind_still_refuses_the_default_exchange_and_an_exclusive_queue_it_cannot_use(broker, ch, names):
    queue = names("excl")
    with pytest.raises(pe.ChannelClosedByBroker) as e:
        ch.queue_unbind(names("anything"), "", routing_key="k")
    assert (e.value.reply_code, e.value.reply_text) == (403, "ACCESS_REFUSED - operation not permitted on the default exchange")
    owner = broker.connect()
    try:
        och = owner.channel()
        och.queue_declare(queue, exclusive=True)
        och.queue_bind(queue, "amq.direct", routing_key="k")
        other = broker.connect().channel()
        # No such binding: nothing to check the owner against, so ok.
        other.queue_unbind(queue, "amq.direct", routing_key="other")
        with pytest.raises(pe.ChannelClosedByBroker) as e:
            other.queue_unbind(queue, "amq.direct", routing_key="k")
        assert e.value.reply_code == 405
        assert e.value.reply_text.startswith(f"RESOURCE_LOCKED - cannot obtain exclusive access to locked queue '{queue}'")
        other.connection.close()
        och.confirm_delivery()
        och.basic_publish("amq.direct", "k", b"still bound", mandatory=True)  # raises UnroutableError if not
    finally:
        owner.close()


# ---------------------------------------------------------------------------
# queue.delete of a queue the channel consumes from: delete-ok, then basic.cancel
# ---------------------------------------------------------------------------

CANCEL_NOTIFY = r.table({"product": "parity", "capabilities": {"consumer_cancel_notify": True}})


def consume(client, channel, queue, tag):
    client.send_method(channel, r.BASIC_CONSUME, r.short(0) + r.shortstr(queue) + r.shortstr(tag) + r.octet(0) + r.table())
    client.read_method(r.BASIC_CONSUME_OK, channel=channel)


def test_queue_delete_ok_comes_before_the_cancel_of_the_deleting_channels_consumer(broker, names):
    queue = names("doomed")
    client = broker.raw_connect(client_properties=CANCEL_NOTIFY)
    try:
        client.open_channel(1)
        client.open_channel(2)
        client.send_method(1, r.QUEUE_DECLARE, r.queue_declare_args(queue))
        client.read_method(r.QUEUE_DECLARE_OK, channel=1)
        consume(client, 1, queue, "own")
        consume(client, 2, queue, "other")
        client.send_method(1, QUEUE_DELETE, r.short(0) + r.shortstr(queue) + r.octet(0))
        methods = [client.read_method() for _ in range(3)]  # RabbitMQ sends channel 2's cancel first
        on_deleting_channel = [f.class_method for f in methods if f.channel == 1]
        assert on_deleting_channel == [QUEUE_DELETE_OK, BASIC_CANCEL]
        assert [f.args().shortstr() for f in methods if f.class_method == BASIC_CANCEL and f.channel == 1] == ["own"]
        # The other channel's consumer is cancelled too.
        assert [(f.channel, f.class_method) for f in methods if f.channel == 2] == [(2, BASIC_CANCEL)]
        client.close()
    finally:
        client.close_socket()


def test_py_amqp_deletes_a_queue_it_consumes_from_without_consumer_cancelled(broker, names):
    queue = names("pyamqp")
    cancelled = []
    with amqp.Connection(f"{broker.host}:{broker.port}", userid="guest", password="guest") as conn:
        ch = conn.channel()
        ch.queue_declare(queue)
        ch.basic_consume(queue, consumer_tag="mine", callback=lambda m: None, on_cancel=cancelled.append)
        assert ch.queue_delete(queue) == 0
        conn.drain_events(timeout=5)
        assert cancelled == ["mine"]


# ---------------------------------------------------------------------------
# Channel errors where RabbitMQ raises them, with its texts
# ---------------------------------------------------------------------------

def publish_to_internal_in_tx(ch, n):
    ch.exchange_declare(n("hidden"), "fanout", internal=True)
    ch.tx_select()
    ch.basic_publish(n("hidden"), "", b"x")
    ch.basic_qos(prefetch_count=0)  # a round trip: the error arrives before its reply


def ack_unknown_tag_in_tx(ch, n):
    ch.tx_select()
    ch.basic_ack(42)
    ch.basic_qos(prefetch_count=0)


def ack_twice_in_tx(ch, n):
    ch.queue_declare(n("q"))
    ch.confirm_delivery()
    ch.basic_publish("", n("q"), b"x")
    ch.close()
    ch = ch.connection.channel()
    ch.tx_select()
    method, _, _ = ch.basic_get(n("q"))
    ch.basic_ack(method.delivery_tag)
    ch.basic_ack(method.delivery_tag)
    ch.basic_qos(prefetch_count=0)


CHANNEL_ERRORS = {
    "delete a system exchange": (lambda ch, n: ch.exchange_delete("amq.direct"),
                                 403, "ACCESS_REFUSED - deletion of system exchange 'amq.direct' in vhost '/' not allowed"),
    "delete a missing amq.* exchange": (lambda ch, n: ch.exchange_delete("amq.nosuch"),
                                        403, "ACCESS_REFUSED - deletion of system exchange 'amq.nosuch' in vhost '/' not allowed"),
    "publish to an internal exchange in a transaction": (publish_to_internal_in_tx, 403, None),
    "ack of an unknown tag in a transaction": (ack_unknown_tag_in_tx, 406, "PRECONDITION_FAILED - unknown delivery tag 42"),
    "second ack of a tag in a transaction": (ack_twice_in_tx, 406, "PRECONDITION_FAILED - unknown delivery tag 1"),
    "bind a missing queue to a missing exchange": (lambda ch, n: ch.queue_bind(n("noq"), n("nox"), "k"), 404, None),
    "queue.delete of the last declared queue, none declared": (lambda ch, n: ch.queue_delete(""),
                                                               404, "NOT_FOUND - no previously declared queue"),
    "a reply name with no consumer behind it": (lambda ch, n: ch.queue_declare("amq.rabbitmq.reply-to.nosuch"), 404, None),
}


@pytest.mark.parametrize("case", list(CHANNEL_ERRORS))
def test_channel_errors_as_rabbitmq_raises_them(ch, names, case):
    action, code, text = CHANNEL_ERRORS[case]
    with pytest.raises(pe.ChannelClosedByBroker) as e:
        action(ch, names)
    assert e.value.reply_code == code
    expected = {
        "publish to an internal exchange in a transaction": f"ACCESS_REFUSED - cannot publish to internal exchange '{names('hidden')}' in vhost '/'",
        "bind a missing queue to a missing exchange": f"NOT_FOUND - no exchange '{names('nox')}' in vhost '/'",
        "a reply name with no consumer behind it": "NOT_FOUND - no queue 'amq.rabbitmq.reply-to.nosuch' in vhost '/'",
    }.get(case, text)
    assert e.value.reply_text == expected


def test_the_reply_to_pseudo_queue_declares_with_one_consumer(ch):
    for passive in (False, True):
        ok = ch.queue_declare("amq.rabbitmq.reply-to", passive=passive).method
        assert (ok.queue, ok.message_count, ok.consumer_count) == ("amq.rabbitmq.reply-to", 0, 1)


def test_basic_get_deliveries_do_not_count_towards_a_global_prefetch(ch, names):
    queue = names("q")
    ch.queue_declare(queue)
    ch.confirm_delivery()
    ch.basic_publish("", queue, b"got")
    ch.basic_publish("", queue, b"consumed")
    ch.basic_qos(prefetch_count=1, global_qos=True)
    assert ch.basic_get(queue)[2] == b"got"  # held unacked
    got = []
    ch.basic_consume(queue, lambda _ch, _m, _p, body: got.append(body))
    polling_deadline = time.monotonic() + 5
    while not got and time.monotonic() < polling_deadline:
        ch.connection.process_data_events(time_limit=0.05)
    assert got == [b"consumed"]
    ch.queue_delete(queue)


def test_no_basic_cancel_for_a_client_without_consumer_cancel_notify(broker, names):
    """RabbitMQ only notifies clients that announced the capability; others would not expect it."""
    queue = names("silent")
    client = broker.raw_connect()  # announces authentication_failure_close only
    try:
        client.open_channel(1)
        client.send_method(1, r.QUEUE_DECLARE, r.queue_declare_args(queue))
        client.read_method(r.QUEUE_DECLARE_OK, channel=1)
        consume(client, 1, queue, "tag")
        client.send_method(1, QUEUE_DELETE, r.short(0) + r.shortstr(queue) + r.octet(0))
        client.read_method(QUEUE_DELETE_OK, channel=1)
        client.close_channel(1)  # the next method on channel 1 is its close-ok, not a basic.cancel
        client.close()
    finally:
        client.close_socket()


def test_kombu_and_py_amqp_basics(broker, names):
    """What kombu users do first: a SimpleQueue, a topic exchange with a consumer, confirms; py-amqp
    unbinding a queue that is gone and acking an unknown tag."""
    import kombu
    with kombu.Connection(f"amqp://guest:guest@{broker.host}:{broker.port}//") as conn:
        simple = conn.SimpleQueue(names("simple"), queue_opts={"auto_delete": True})
        simple.put({"hello": "world"})
        message = simple.get(timeout=5)
        assert message.payload == {"hello": "world"}
        message.ack()
        simple.close()
        exchange = kombu.Exchange(names("topic"), "topic", auto_delete=True)
        queue = kombu.Queue(names("kq"), exchange, routing_key="a.#", auto_delete=True)
        got = []
        with kombu.Consumer(conn, [queue], callbacks=[lambda body, m: (got.append(body), m.ack())]):
            kombu.Producer(conn.default_channel, exchange).publish({"n": 1}, routing_key="a.b", declare=[queue])
            conn.drain_events(timeout=5)
        assert got == [{"n": 1}]
    with amqp.Connection(f"{broker.host}:{broker.port}", userid="guest", password="guest", confirm_publish=True) as conn:
        ch = conn.channel()
        ch.queue_declare(names("pq"), auto_delete=True)
        ch.basic_publish(amqp.Message(b"x"), routing_key=names("pq"))  # waits for the confirm
        assert ch.basic_get(names("pq"), no_ack=True).body == b"x"
        ch.queue_unbind(names("gone"), "amq.direct", routing_key="k")
        with pytest.raises(amqp.exceptions.PreconditionFailed, match="unknown delivery tag 99"):
            ch.basic_ack(99)
            ch.basic_qos(0, 1, False)
