"""Store faults and hostile inputs to durability, with pika against the real binary.

Issue 12: a definition that JSON cannot hold no longer stops the definitions file being written
(input 3); a message body holding bytes shaped like store records never comes back as records;
a message's TTL counts from its publish across restarts; a transaction is on disk all or
nothing; a definitions or log write that fails is answered with an error or a nack, never an
-ok, surfaces in the health check and in /metrics, and warren recovers when writes work again.

Synchronisation is by protocol (confirms, commit-ok, declare-ok) or by waiting for an event with a
deadline; the only sleep is the TTL test's wait for time to pass while warren is down.
"""

from __future__ import annotations

import base64
import json
import shutil
import struct
import time
import urllib.error
import urllib.request
import zlib

import amqp_raw
import pika
import pytest
from pika.exceptions import ChannelClosedByBroker, ConnectionClosedByBroker, NackError

from conftest import HOST, find_free_port
from test_durability import PERSISTENT, bodies, depth, drain, restarts  # noqa: F401 (fixture)


def segment_files(data_dir):
    return sorted((data_dir / "messages").glob("*.seg"))


def forged_record(body: bytes, kind: int) -> bytes:
    """A store record (framing, checksum and all) publishing `body` to queue "victim"."""
    payload = bytes([kind]) + struct.pack(">Q", 1 << 40)
    if kind == 5:
        payload += struct.pack(">q", int(time.time() * 1000))
    payload += b"\x01/" + (struct.pack(">I", 1) if kind == 5 else struct.pack(">H", 1)) + b"\x06victim"
    payload += b"\x00" + b"\x06victim" + struct.pack(">I", 2) + b"\x00\x00" + struct.pack(">I", len(body)) + body
    return struct.pack(">II", len(payload), zlib.crc32(payload)) + payload


def declare_with_doubles(w, queue, doubles: dict):
    """Declares a durable queue whose arguments are doubles (pika cannot encode a NaN: the raw
    client sends the field table's bytes); returns at its declare-ok (the definitions are on disk)."""
    fields = b"".join(amqp_raw.shortstr(key) + b"d" + struct.pack(">d", value) for key, value in doubles.items())
    with w.raw_connect() as raw:
        raw.open_channel(1)
        raw.send_method(1, amqp_raw.QUEUE_DECLARE, amqp_raw.queue_declare_args(
            queue, durable=True, arguments=amqp_raw.long_(len(fields)) + fields))
        raw.read_method((50, 11), channel=1)


def http(w, path, method="GET", body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"http://{HOST}:{w.http_port}{path}", data=data, method=method)
    request.add_header("Content-Type", "application/json")
    request.add_header("Authorization", "Basic " + base64.b64encode(b"guest:guest").decode())
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def wait_for_health(w, status, deadline=15.0):
    """Polls the health check until it answers `status` (the store retries every second)."""
    end = time.monotonic() + deadline
    while True:
        got = http(w, "/api/healthchecks/node")
        if got[0] == status or time.monotonic() > end:
            return got
        time.sleep(0.05)


@pytest.fixture
def managed_restarts(restarts):  # noqa: F811
    """Restarts whose instances also serve the management API."""
    start = restarts.start

    def start_with_http(**kw):
        port = find_free_port()
        w = restarts.factory(None, extra_args=("--data-dir", str(restarts.data_dir), "--http-port", str(port)), **kw)
        assert w.wait_for_output("management HTTP listener ready"), w.output()
        w.http_port = port
        restarts.current = w
        return w

    restarts.start = start_with_http
    yield restarts
    restarts.start = start


def test_nan_argument_does_not_stop_later_definitions_being_saved(restarts):  # noqa: F811
    """Issue 12 input 3: a NaN argument, then another durable queue and confirmed messages."""
    w = restarts.start()
    declare_with_doubles(w, "odd", {"x-foo": float("nan"), "x-inf": float("inf")})
    conn = w.connect()
    ch = conn.channel()
    ch.confirm_delivery()
    ch.queue_declare("later", durable=True)
    for i in range(3):
        ch.basic_publish("", "later", f"m{i}".encode(), PERSISTENT)
    conn.close()
    w = restarts.restart("sigkill")
    assert depth(w, "odd") == 0
    assert bodies(drain(w, "later")) == [b"m0", b"m1", b"m2"]
    definitions = json.loads((restarts.data_dir / "definitions.json").read_text())
    assert definitions["warren_format"] == 2
    assert {q["name"] for q in definitions["queues"]} >= {"odd", "later"}


@pytest.mark.parametrize("kind", [1, 5])
@pytest.mark.parametrize("tear", [False, True])
def test_a_record_forged_inside_a_body_never_becomes_a_message(restarts, kind, tear):  # noqa: F811
    w = restarts.start()
    conn = w.connect()
    ch = conn.channel()
    ch.confirm_delivery()
    ch.queue_declare("victim", durable=True)
    ch.basic_publish("", "victim", b"real", PERSISTENT)
    forged = forged_record(b"phantom", kind)
    ch.basic_publish("", "victim", b"<" + forged + b">" + b"x" * 200, PERSISTENT)
    conn.close()
    restarts.stop("sigkill")
    if tear:  # a crash inside the carrying record: its tail is torn right after the forged bytes
        segment = segment_files(restarts.data_dir)[-1]
        data = segment.read_bytes()
        at = data.find(forged)
        assert at > 0
        segment.write_bytes(data[: at + len(forged) + 10])
    w = restarts.start()
    got = bodies(drain(w, "victim"))
    assert b"phantom" not in got
    assert got[0] == b"real"
    assert len(got) == (1 if tear else 2)


def test_message_ttl_counts_from_publish_across_a_restart(restarts):  # noqa: F811
    ttl = 3000
    w = restarts.start()
    conn = w.connect()
    ch = conn.channel()
    ch.confirm_delivery()
    ch.queue_declare("short", durable=True, arguments={"x-message-ttl": ttl})
    ch.queue_declare("long", durable=True)
    published = time.monotonic()
    ch.basic_publish("", "short", b"expires", PERSISTENT)
    ch.basic_publish("", "long", b"stays", pika.BasicProperties(delivery_mode=2, expiration="600000"))
    assert ch.queue_declare("short", passive=True).method.message_count == 1
    conn.close()
    restarts.stop("sigkill")
    # Waiting for time to pass is what a TTL test is about; it is not synchronisation.
    time.sleep(max(0.0, published + ttl / 1000 + 0.3 - time.monotonic()))
    w = restarts.start()
    conn = w.connect()
    ch = conn.channel()
    method, _, _ = ch.basic_get("short", auto_ack=True)
    assert method is None, "the TTL counted from the restart, not from the publish"
    method, _, body = ch.basic_get("long", auto_ack=True)
    assert body == b"stays"
    conn.close()


def test_a_transaction_is_on_disk_all_or_nothing_across_kill9(restarts):  # noqa: F811
    batch = 40
    w = restarts.start()
    conn = w.connect()
    ch = conn.channel()
    ch.queue_declare("txq", durable=True)
    ch.tx_select()
    for tx in range(2):
        for i in range(batch):
            ch.basic_publish("", "txq", f"t{tx}-{i}".encode(), PERSISTENT)
        ch.tx_commit()  # commit-ok: the transaction's group record is on disk
    for i in range(batch):  # published, never committed
        ch.basic_publish("", "txq", f"t2-{i}".encode(), PERSISTENT)
    restarts.stop("sigkill")
    w = restarts.start()
    assert depth(w, "txq") == 2 * batch
    restarts.stop("sigkill")
    # A crash while the last commit's record was written: tear its tail. None of it may come back.
    segment = segment_files(restarts.data_dir)[-1]
    segment.write_bytes(segment.read_bytes()[:-5])
    w = restarts.start()
    assert bodies(drain(w, "txq")) == [f"t0-{i}".encode() for i in range(batch)]


def test_definitions_that_cannot_be_saved_fail_with_541_and_roll_back(managed_restarts):
    w = managed_restarts.start()
    blocker = managed_restarts.data_dir / "definitions.json.tmp"
    blocker.mkdir()
    conn = w.connect()
    with pytest.raises(ConnectionClosedByBroker) as info:
        conn.channel().queue_declare("unsaved", durable=True)
    assert info.value.reply_code == 541
    assert "cannot save definitions" in info.value.reply_text
    status, body = wait_for_health(w, 503)
    assert status == 503 and "definitions.json.tmp" in json.loads(body)["reason"], body
    status, metrics = http(w, "/metrics")
    assert "warren_store_write_failing 1" in metrics
    status, body = http(w, "/api/queues/%2F/unsaved-too", "PUT", {"durable": True})
    assert status == 500 and "definitions.json.tmp" in json.loads(body)["reason"], body
    conn = w.connect()
    for queue in ["unsaved", "unsaved-too"]:
        with pytest.raises(ChannelClosedByBroker) as missing:
            conn.channel().queue_declare(queue, passive=True)
        assert missing.value.reply_code == 404
    blocker.rmdir()
    assert wait_for_health(w, 200)[0] == 200
    conn = w.connect()
    conn.channel().queue_declare("saved", durable=True)
    conn.close()
    w = managed_restarts.restart("sigkill")
    assert depth(w, "saved") == 0


def test_a_log_that_cannot_be_written_nacks_then_recovers(managed_restarts):
    w = managed_restarts.start()
    conn = w.connect()
    ch = conn.channel()
    ch.confirm_delivery()
    ch.queue_declare("logged", durable=True)
    blocker = managed_restarts.data_dir / "messages" / "00000001.seg"  # the first segment it will open
    blocker.mkdir()
    with pytest.raises(NackError):
        ch.basic_publish("", "logged", b"refused", PERSISTENT)
    status, body = wait_for_health(w, 503)
    assert status == 503 and "00000001.seg" in json.loads(body)["reason"], body
    shutil.rmtree(blocker)
    assert wait_for_health(w, 200)[0] == 200
    ch.basic_publish("", "logged", b"accepted", PERSISTENT)  # confirmed: raises on a nack
    conn.close()
    w = managed_restarts.restart("sigkill")
    # The nacked message stayed queued and was written when the log worked again.
    assert bodies(drain(w, "logged")) == [b"refused", b"accepted"]


def test_the_rabbitmq_export_refuses_nan_naming_the_field(managed_restarts):
    w = managed_restarts.start()
    declare_with_doubles(w, "odd", {"x-foo": float("nan")})
    status, body = http(w, "/api/definitions")
    assert status == 400, body
    assert json.loads(body)["reason"] == "cannot export definitions: queues[0].arguments.x-foo is nan, which JSON cannot hold"
