"""A restart with a persistent backlog longer than a queue's memory limit, with pika and SIGKILL.

Recovery reads the message log twice: first only which messages are live, then, once paging is
on, every live message into its queue, which pages it as it passes its memory limit. So the
restarted warren holds the backlog as it held it before the crash (the queue's `memory` stays
near its limit, the rest is in page files), and every message comes back in order, the ones
delivered before the crash with redelivered=true.
"""

from __future__ import annotations

import base64
import json
import signal
import urllib.request

import pika
import pytest

from conftest import HOST, find_free_port
from polling import wait_for

LIMIT = 256 * 1024
CONFIG = f"[limits]\nqueue_memory_limit_bytes = {LIMIT}\n"
QUEUE = "restart.backlog"
COUNT = 5_000
DELIVERED = 25


def body(index: int) -> bytes:
    return (f"{index:08d}".encode() * 128)[:1024]


def queue_status(port: int) -> dict:
    request = urllib.request.Request(f"http://{HOST}:{port}/api/queues/%2F/{QUEUE}")
    request.add_header("Authorization", "Basic " + base64.b64encode(b"guest:guest").decode())
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def paged_bytes(data_dir) -> int:
    return sum(path.stat().st_size for path in (data_dir / "paging").glob("*.page"))


def start(warren_factory, data_dir, http_port):
    w = warren_factory(CONFIG, extra_args=("--data-dir", str(data_dir), "--http-port", str(http_port)))
    assert w.wait_for_output("management HTTP listener ready"), w.output()
    return w


@pytest.mark.deadline(300)
def test_a_backlog_over_the_memory_limit_is_restored_paged_and_in_order(warren_factory, tmp_path):
    data_dir = tmp_path / "backlog-data"
    http_port = find_free_port()
    first = start(warren_factory, data_dir, http_port)
    connection = first.connect()
    channel = connection.channel()
    channel.queue_declare(QUEUE, durable=True)
    channel.confirm_delivery()
    for index in range(COUNT):
        channel.basic_publish("", QUEUE, body(index), pika.BasicProperties(delivery_mode=2, message_id=str(index)))
    # The first few are delivered and not acknowledged: they come back redelivered.
    for index in range(DELIVERED):
        method, props, content = channel.basic_get(QUEUE, auto_ack=False)
        assert method is not None and props.message_id == str(index)
    # A confirmed publish after the deliveries: its fsync covers their records too.
    channel.basic_publish("", QUEUE, body(COUNT), pika.BasicProperties(delivery_mode=2, message_id=str(COUNT)))
    first.expected_exit = True
    first.signal(signal.SIGKILL)
    assert first.wait_exit() == -signal.SIGKILL

    second = start(warren_factory, data_dir, http_port)
    assert second.wait_for_output(f"store: {COUNT + 1} persistent message(s) recovered"), second.output()
    status = queue_status(http_port)
    assert status["messages"] == COUNT + 1
    # Paged as it was restored: about the limit in memory (and 48 bytes a paged message), the
    # rest in page files. Restored whole, the queue would hold over 5 MB.
    assert status["memory"] < LIMIT + (COUNT + 1) * 64, status["memory"]
    # The paging thread writes behind the broker (the last batch of up to 1 MiB waits for more).
    wait_for(lambda: paged_bytes(data_dir) > COUNT * 1024 // 2, timeout=30)

    connection = second.connect()
    channel = connection.channel()
    channel.basic_qos(prefetch_count=200)
    received = 0
    for method, props, content in channel.consume(QUEUE, inactivity_timeout=20):
        assert method is not None, f"stalled after {received} of {COUNT + 1} messages"
        assert props.message_id == str(received), "out of order"
        assert content == body(received)
        assert method.redelivered is (received < DELIVERED), f"message {received}"
        channel.basic_ack(method.delivery_tag)
        received += 1
        if received == COUNT + 1:
            break
    channel.cancel()
    assert channel.queue_declare(QUEUE, durable=True, passive=True).method.message_count == 0
    assert paged_bytes(data_dir) == 0
    connection.close()
