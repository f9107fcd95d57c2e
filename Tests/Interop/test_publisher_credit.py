"""Publisher credit (issue 18): a publisher whose queue's consumers fall behind is no longer read,
so the queue stays short, until the queue drains; connection.blocked is not sent for it (RabbitMQ's
credit flow just stops reading too). A queue whose consumer went away holds nobody: it pages."""

from __future__ import annotations

import threading
import time

import pika
import pytest

import amqp_raw
from amqp_raw import BASIC_PUBLISH, FRAME_BODY, FRAME_HEADER, frame, longlong, method_frame, octet, short, shortstr, table
from polling import wait_for

BODY = 4096
MESSAGES = 8_000
# BacklogPressure.defaultHigh: ready messages above which a queue with consumers holds its publishers.
HIGH_WATERMARK = 1_000
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


class SlowConsumer:
    """pika, prefetch 1, a short pause before each ack: far slower than a publisher writing to its socket."""

    def __init__(self, w, queue: str):
        self.connection = pika.BlockingConnection(w.params())
        self.channel = self.connection.channel()
        self.channel.queue_declare(queue)
        self.channel.basic_qos(prefetch_count=1)
        self.channel.basic_consume(queue, self.on_message)
        self.acked = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def on_message(self, channel, method, properties, body):
        time.sleep(0.001)  # the consumer's work: what makes it slow, not a wait for anything
        channel.basic_ack(method.delivery_tag)
        self.acked += 1

    def run(self):
        while not self.stop.is_set():
            self.connection.process_data_events(time_limit=0.05)

    def close(self):
        self.stop.set()
        self.thread.join(30)
        self.connection.close()


def depth(channel, queue: str) -> int:
    return channel.queue_declare(queue, passive=True).method.message_count


class Flood:
    """A slow consumer on `queue`, a raw publisher sending MESSAGES to it from a thread, and an observer channel."""

    def __init__(self, w, queue: str):
        self.queue = queue
        self.consumer = SlowConsumer(w, queue)
        self.publisher = raw_publisher(w)
        self.sender = threading.Thread(target=self.publisher.sock.sendall, args=(publish_frames(queue, MESSAGES),),
                                       daemon=True)
        self.sender.start()
        self.observer = pika.BlockingConnection(w.params()).channel()

    def depth(self) -> int:
        return depth(self.observer, self.queue)

    def finish(self):
        """Closes the publisher's channel (close_channel fails on any other method first, connection.blocked
        included), then checks nothing was lost: what the consumer did not ack is in the queue."""
        self.publisher.close_channel(1)
        wait_for(lambda: self.depth() == MESSAGES - self.consumer.acked, timeout=30)
        self.publisher.close_socket()


@pytest.mark.deadline(180)
def test_a_slow_consumer_keeps_its_queue_short_while_publishing_continues(warren):
    flood = Flood(warren, "credit-slow")
    deepest = 0
    while flood.sender.is_alive():
        deepest = max(deepest, flood.depth())
        flood.sender.join(0.01)
    # Everything was sent (the publisher was held, never stopped for good) and the queue never grew
    # past the watermark plus what the publisher had in flight; without credit it would hold nearly all.
    assert deepest <= HIGH_WATERMARK + SLACK, deepest
    assert deepest > HIGH_WATERMARK // 2, deepest  # the consumer really was behind
    flood.consumer.close()
    flood.finish()


@pytest.mark.deadline(180)
def test_a_publisher_held_by_a_consumer_that_goes_away_is_released(warren):
    flood = Flood(warren, "credit-gone")
    wait_for(lambda: flood.depth() > HIGH_WATERMARK, timeout=60)
    assert flood.sender.is_alive()  # held: the rest of its input waits in its socket
    flood.consumer.close()
    # Without a consumer the queue holds nobody back: every message arrives and waits, ready.
    flood.sender.join(60)
    assert not flood.sender.is_alive()
    flood.finish()
