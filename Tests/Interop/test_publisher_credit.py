"""Publisher credit (issue 18): a publisher whose queue is behind consumers that drain it fast is no
longer read, so the queue stays short, until the queue drains; connection.blocked is not sent for it
(RabbitMQ's credit flow just stops reading too). A queue whose consumers are absent, never ack or
went away holds nobody: it grows and pages, and its publishers go on."""

from __future__ import annotations

import socket
import threading

import pika
import pytest

import amqp_raw
from amqp_raw import (BASIC_ACK, BASIC_CONSUME, BASIC_CONSUME_OK, BASIC_DELIVER, BASIC_PUBLISH, BASIC_QOS, FRAME_BODY,
                      FRAME_HEADER, frame, long_, longlong, method_frame, octet, short, shortstr, table)
from polling import wait_for

BODY = 4096
MESSAGES = 8_000
# limits.publisher_credit_messages for the tests with a consumer that acks promptly: low enough that
# a Python consumer on a debug build under load counts as fast (this many within 50 ms: 200 a second).
HIGH_WATERMARK = 10
CREDIT_CONFIG = f"[limits]\npublisher_credit_messages = {HIGH_WATERMARK}\n"
# What a held publisher may still add: the input it had read before the hold reached its connection
# (at most AMQPConnectionHandler.brokerReadAhead, 4 MiB, plus one socket read of up to 1 MiB).
SLACK = (4 + 1) * 1024 * 1024 // BODY


def publish_frames(queue: str, count: int) -> bytes:
    publish = method_frame(1, BASIC_PUBLISH, short(0) + shortstr("") + shortstr(queue) + octet(0))
    content = frame(FRAME_HEADER, 1, short(60) + short(0) + longlong(BODY) + short(0)) + frame(FRAME_BODY, 1, b"." * BODY)
    return (publish + content) * count


def raw_publisher(w) -> amqp_raw.RawClient:
    """A publisher that tells warren it understands connection.blocked, so one would be sent."""
    client = w.raw_connect(client_properties=table({"product": "credit", "capabilities": {"connection.blocked": True}}))
    client.open_channel(1)
    client.sock.settimeout(120)  # a deadline for the whole send, not a wait
    return client


class Consumer:
    """pika on its own thread with a prefetch; acks every message at once, or never."""

    def __init__(self, w, queue: str, prefetch: int, acks: bool):
        self.connection = pika.BlockingConnection(w.params())
        self.channel = self.connection.channel()
        self.channel.queue_declare(queue)
        self.channel.basic_qos(prefetch_count=prefetch)
        self.channel.basic_consume(queue, self.on_message)
        self.acks = acks
        self.received = 0
        self.acked = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def on_message(self, channel, method, properties, body):
        self.received += 1
        if self.acks:
            channel.basic_ack(method.delivery_tag)
            self.acked += 1

    def run(self):
        while not self.stop.is_set():
            self.connection.process_data_events(time_limit=0.05)

    def close(self):
        self.stop.set()
        self.thread.join(30)
        self.connection.close()


class RawConsumer:
    """A consumer on a raw socket, on its own thread: acks each delivery as soon as it is read, far
    faster than pika (its rate is what makes the queue's consumers count as fast). Reads wait without
    a deadline (a deadline passing mid-frame would lose the stream's framing); `close` shuts the socket
    down, which ends the wait, under the lock that makes `acked` exactly the acks sent."""

    def __init__(self, w, queue: str, prefetch: int):
        self.client = w.raw_connect()
        self.client.open_channel(1)
        self.client.send_method(1, BASIC_QOS, long_(0) + short(prefetch) + octet(0))
        self.client.read_method((60, 11), channel=1)
        self.client.send_method(1, BASIC_CONSUME, short(0) + shortstr(queue) + shortstr("") + octet(0) + table())
        self.client.read_method(BASIC_CONSUME_OK, channel=1)
        self.acked = 0
        self.lock = threading.Lock()
        self.closed = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while True:
            try:
                delivery = self.client.read_frame(timeout=600)
            except (OSError, amqp_raw.RawProtocolError):  # shut down by close
                return
            with self.lock:
                if self.closed:
                    return
                self.client.frames_seen.clear()
                if delivery.class_method == BASIC_DELIVER:
                    args = delivery.args()
                    args.shortstr()
                    self.client.send_method(1, BASIC_ACK, longlong(args.longlong()) + octet(0))
                    self.acked += 1

    def close(self):
        with self.lock:
            self.closed = True
            self.client.sock.shutdown(socket.SHUT_RDWR)
        self.thread.join(30)
        self.client.close_socket()


class Flood:
    """A raw publisher sending `count` messages to `queue` from a thread, and an observer channel."""

    def __init__(self, w, queue: str, count: int = MESSAGES):
        self.queue = queue
        self.count = count
        self.observer = pika.BlockingConnection(w.params()).channel()
        self.observer.queue_declare(queue)
        self.publisher = raw_publisher(w)
        self.sender = threading.Thread(target=self.publisher.sock.sendall, args=(publish_frames(queue, count),),
                                       daemon=True)

    def start(self) -> Flood:
        self.sender.start()
        return self

    def depth(self) -> int:
        return self.observer.queue_declare(self.queue, passive=True).method.message_count

    def sent_everything(self, timeout: float) -> bool:
        self.sender.join(timeout)
        return not self.sender.is_alive()

    def finish(self, acked: int):
        """Closes the publisher's channel (close_channel fails on any other method first, connection.blocked
        included), then checks nothing was lost: what the consumer did not ack is in the queue."""
        self.publisher.close_channel(1)
        wait_for(lambda: self.depth() == self.count - acked, timeout=30)
        self.publisher.close_socket()


def flood_with_prompt_consumer(warren_factory, queue: str) -> tuple[Flood, RawConsumer]:
    """A warren with a low credit watermark, a consumer acking at once, and a flood started at it."""
    w = warren_factory(CREDIT_CONFIG)
    flood = Flood(w, queue)  # declares the queue
    consumer = RawConsumer(w, queue, prefetch=50)
    return flood.start(), consumer


@pytest.mark.deadline(180)
def test_a_consumer_acking_promptly_keeps_its_queue_short_while_publishing_continues(warren_factory):
    flood, consumer = flood_with_prompt_consumer(warren_factory, "credit-fast")
    deepest = 0
    while flood.sender.is_alive():
        deepest = max(deepest, flood.depth())
        flood.sender.join(0.01)
    # Everything was sent (the publisher was held, never stopped for good) and the queue never grew
    # past the watermark plus what the publisher had in flight; without credit it would hold most of
    # them, as the raw publisher writes far faster than the consumer takes.
    assert deepest <= HIGH_WATERMARK + SLACK, deepest
    assert deepest > HIGH_WATERMARK // 2, deepest  # the consumer really was behind
    consumer.close()
    flood.finish(consumer.acked)


@pytest.mark.deadline(180)
def test_a_consumer_that_never_acks_holds_nobody(warren):
    """The first version of publisher credit held this publisher until the consumer left."""
    consumer = Consumer(warren, "credit-stalled", prefetch=10, acks=False)
    flood = Flood(warren, "credit-stalled", count=20_000).start()
    assert flood.sent_everything(timeout=90)
    wait_for(lambda: consumer.received == 10 and flood.depth() == 20_000 - 10, timeout=30)
    consumer.close()  # its ten come back
    flood.finish(acked=0)


@pytest.mark.deadline(180)
def test_a_queue_without_consumers_never_holds_its_publisher(warren):
    flood = Flood(warren, "credit-none", count=20_000).start()
    assert flood.sent_everything(timeout=90)
    flood.finish(acked=0)


@pytest.mark.deadline(180)
def test_a_publisher_held_by_a_consumer_that_goes_away_is_released(warren_factory):
    flood, consumer = flood_with_prompt_consumer(warren_factory, "credit-gone")
    wait_for(lambda: flood.depth() > HIGH_WATERMARK, timeout=60)
    assert flood.sender.is_alive()  # held: the rest of its input waits in its socket
    consumer.close()
    # Without a consumer the queue holds nobody back: every message arrives and waits, ready.
    assert flood.sent_everything(timeout=60)
    flood.finish(consumer.acked)
