"""A queue's paged backlog, with pika against the real binary.

warren runs with a 64 KiB queue memory limit, so all but the first few dozen messages of a
backlog are written to `data/paging` and kept in memory as 48-byte records. Every message must
still come back in publish order with its exchange, routing key, properties, headers and
redelivered flag; persistent ones must survive a SIGKILL and restart (they are in the message log
too; page files are not durable and are emptied at start).
"""

from __future__ import annotations

import signal
import time

import pika
import pytest
import requests

from conftest import HOST, find_free_port

PAGING_CONFIG = "[limits]\nqueue_memory_limit_bytes = 65536\n"
EXCHANGE = "paging.topic"
QUEUE = "paging.backlog"
COUNT = 6_000


def properties(index: int) -> pika.BasicProperties:
    return pika.BasicProperties(
        delivery_mode=2 if index % 2 == 0 else 1,
        priority=index % 10,
        message_id=f"m-{index}",
        correlation_id="c" * (index % 250),
        content_type="application/octet-stream",
        headers={"index": index, "name": f"h{index}", "nested": {"odd": index % 2 == 1}},
    )


def body(index: int) -> bytes:
    # 1 KiB bodies, each different, some empty.
    return b"" if index % 97 == 0 else (f"{index:08d}".encode() * 128)[: 1024 - index % 7]


def routing_key(index: int) -> str:
    return f"logs.{index % 5}." + "k" * (index % 200)


def declare(channel):
    channel.exchange_declare(EXCHANGE, "topic", durable=True)
    channel.queue_declare(QUEUE, durable=True)
    channel.queue_bind(QUEUE, EXCHANGE, "logs.#")


def publish_backlog(connection, count: int):
    channel = connection.channel()
    declare(channel)
    channel.confirm_delivery()
    for index in range(count):
        channel.basic_publish(EXCHANGE, routing_key(index), body(index), properties(index), mandatory=True)
    channel.close()


def paged_bytes(data_dir) -> int:
    return sum(path.stat().st_size for path in (data_dir / "paging").glob("*.page"))


def check_delivery(index: int, method, props, content: bytes, redelivered: bool = False):
    assert content == body(index), f"message {index}"
    assert method.exchange == EXCHANGE and method.routing_key == routing_key(index), f"message {index}"
    assert method.redelivered is redelivered, f"message {index}"
    expected = properties(index)
    assert (props.message_id, props.delivery_mode, props.priority, props.correlation_id, props.content_type) == (
        expected.message_id, expected.delivery_mode, expected.priority, expected.correlation_id, expected.content_type)
    assert props.headers == {"index": index, "name": f"h{index}", "nested": {"odd": index % 2 == 1}}


def consume(connection, count: int, start: int = 0, redelivered_below: int = 0):
    channel = connection.channel()
    channel.basic_qos(prefetch_count=500)
    received = 0
    for method, props, content in channel.consume(QUEUE, inactivity_timeout=20):
        assert method is not None, f"stalled after {received} of {count} messages"
        index = start + received
        assert props.headers["index"] == index, "out of order"
        check_delivery(index, method, props, content, redelivered=index < redelivered_below)
        channel.basic_ack(method.delivery_tag)
        received += 1
        if received == count:
            break
    channel.cancel()
    assert channel.queue_declare(QUEUE, passive=True).method.message_count == 0
    channel.close()


@pytest.mark.deadline(300)
def test_a_paged_backlog_is_delivered_in_order_with_everything_it_had(warren_factory):
    w = warren_factory(PAGING_CONFIG)
    connection = w.connect()
    publish_backlog(connection, COUNT)
    # Most of the backlog is on disk, not in memory.
    assert paged_bytes(w.data_dir) > COUNT * 1000 // 2
    channel = connection.channel()
    assert channel.queue_declare(QUEUE, passive=True).method.message_count == COUNT
    # Take the first ten without acking, then close the channel: they go back to the front, redelivered.
    for _ in range(10):
        method, _, _ = channel.basic_get(QUEUE, auto_ack=False)
        assert method is not None
    channel.close()
    consume(connection, COUNT, redelivered_below=10)
    # Everything read back: the page files are emptied.
    assert paged_bytes(w.data_dir) == 0
    connection.close()


@pytest.mark.deadline(300)
def test_persistent_paged_messages_survive_sigkill(warren_factory, tmp_path):
    data_dir = tmp_path / "shared-data"
    first = warren_factory(PAGING_CONFIG, extra_args=("--data-dir", str(data_dir)))
    connection = first.connect()
    publish_backlog(connection, COUNT)  # confirmed: the persistent half is fsync'd in the message log
    assert paged_bytes(data_dir) > 0
    first.expected_exit = True
    first.signal(signal.SIGKILL)
    assert first.wait_exit() == -signal.SIGKILL

    second = warren_factory(PAGING_CONFIG, extra_args=("--data-dir", str(data_dir)))
    connection = second.connect()
    channel = connection.channel()
    persistent = [index for index in range(COUNT) if index % 2 == 0]
    assert channel.queue_declare(QUEUE, durable=True, passive=True).method.message_count == len(persistent)
    channel.basic_qos(prefetch_count=500)
    received = []
    for method, props, content in channel.consume(QUEUE, inactivity_timeout=20):
        assert method is not None, f"stalled after {len(received)} messages"
        index = props.headers["index"]
        check_delivery(index, method, props, content, redelivered=method.redelivered)
        channel.basic_ack(method.delivery_tag)
        received.append(index)
        if len(received) == len(persistent):
            break
    assert received == persistent
    connection.close()


def page_frames(data_dir):
    """(path, offset, record) of every frame in the page files: u32 length, u32 CRC-32, record."""
    for path in sorted((data_dir / "paging").glob("*.page")):
        data = path.read_bytes()
        offset = 0
        while offset + 8 <= len(data):
            length = int.from_bytes(data[offset:offset + 4], "big")
            yield path, offset, data[offset + 8:offset + 8 + length]
            offset += 8 + length


def wait_for_frames(data_dir, bodies, deadline=30.0):
    """The frames holding these bodies, once the paging thread has written them all."""
    end = time.monotonic() + deadline
    while True:
        found = {}
        for path, offset, record in page_frames(data_dir):
            for wanted in bodies:
                if record.endswith(wanted):
                    found[wanted] = (path, offset)
        if len(found) == len(bodies) or time.monotonic() > end:
            return found
        time.sleep(0.05)


def metric(port: int, name: str) -> float:
    text = requests.get(f"http://{HOST}:{port}/metrics", auth=("guest", "guest"), timeout=10).text
    values = [float(line.split()[-1]) for line in text.splitlines() if line.startswith(name + " ")]
    assert values, f"{name} not in /metrics"
    return values[0]


@pytest.mark.deadline(180)
def test_damaged_page_records_persistent_read_from_the_log_transient_counted_lost(warren_factory):
    port = find_free_port()
    w = warren_factory(PAGING_CONFIG, extra_args=("--http-port", str(port)))
    connection = w.connect()
    count = 2_000
    publish_backlog(connection, count)  # confirmed: the persistent (even) ones are in the message log
    persistent, transient = 300, 301
    frames = wait_for_frames(w.data_dir, [body(persistent), body(transient)])
    assert len(frames) == 2, "the paging thread did not write the records"
    for path, offset in frames.values():
        with open(path, "r+b") as page:  # one byte of the routing key: the record's checksum no longer matches
            page.seek(offset + 8 + 4 + len(EXCHANGE) + 4)
            byte = page.read(1)
            page.seek(-1, 1)
            page.write(bytes([byte[0] ^ 0xFF]))

    channel = connection.channel()
    channel.basic_qos(prefetch_count=500)
    expected = [index for index in range(count) if index != transient]
    received = []
    for method, props, content in channel.consume(QUEUE, inactivity_timeout=20):
        assert method is not None, f"stalled after {len(received)} messages"
        index = props.headers["index"]
        check_delivery(index, method, props, content)
        channel.basic_ack(method.delivery_tag)
        received.append(index)
        if len(received) == len(expected):
            break
    channel.cancel()
    assert received == expected
    assert channel.queue_declare(QUEUE, passive=True).method.message_count == 0
    assert metric(port, "warren_paging_read_errors_total") == 2
    assert metric(port, "warren_paging_lost_messages_total") == 1
    assert "queue 'paging.backlog' in vhost '/'" in w.output()
    connection.close()
