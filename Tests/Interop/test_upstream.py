"""The upstream forwarder against a real RabbitMQ node (Debian's rabbitmq-server, started by this
module on free ports): syslog and pika entries arrive on the upstream queue with their routing key,
properties and headers plus x-warren-node; an upstream outage costs disk, not entries, and the
backlog drains when it is back; nacks and returns are retried, then dead-lettered locally with the
reason; connection.blocked from the upstream pauses forwarding, not intake; a dead first node is
skipped; AMQPS is verified against the URI's CA; a warren killed with SIGKILL mid-forward and
restarted loses nothing; bad settings stop `warren serve` with exit code 78. Every test counts what
it sent against what the upstream holds."""

from __future__ import annotations

import base64
import json
import signal
import socket
import subprocess
import threading
import urllib.request

import pika
import pytest

import polling
import tls_certs
from conftest import HOST, find_free_port
from rabbitmq_node import RabbitMQNode

DEADLINE = 60.0


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return tls_certs.make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def rabbit(tmp_path_factory, pki):
    node = RabbitMQNode(tmp_path_factory.mktemp("rabbitmq"), tls=(pki.ca, pki.server_cert, pki.server_key)).start()
    yield node
    node.stop()


def wait_for(condition, timeout=DEADLINE):
    return polling.wait_for(condition, timeout, 0.05)


class Forwarding:
    """A warren with an upstream, its syslog TCP and HTTP ports."""

    def __init__(self, factory, config: str, data_dir=None, extra=()):
        self.syslog_port = find_free_port()
        self.http_port = find_free_port()
        args = ["--syslog-port", str(self.syslog_port), "--http-port", str(self.http_port), *extra]
        if data_dir is not None:
            args += ["--data-dir", str(data_dir)]
        self.warren = factory(config, extra_args=args)
        assert self.warren.wait_for_output(f"management HTTP listener ready on {HOST}:{self.http_port}"), self.warren.output()

    def get(self, path):
        request = urllib.request.Request(f"http://{HOST}:{self.http_port}{path}")
        request.add_header("Authorization", "Basic " + base64.b64encode(b"guest:guest").decode())
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.read()

    def upstreams(self):
        return json.loads(self.get("/api/upstreams"))

    def upstream(self, name="default"):
        return next(u for u in self.upstreams() if u["name"] == name)

    def wait_running(self, name="default"):
        wait_for(lambda: self.upstream(name)["state"] == "running")

    def publish(self, count, routing_key="app.info", start=0, prefix="pika"):
        """Publishes with confirms from warren; returns the message ids."""
        connection = self.warren.connect()
        try:
            channel = connection.channel()
            channel.confirm_delivery()
            ids = []
            for i in range(start, start + count):
                ids.append(f"{prefix}-{i}")
                channel.basic_publish("topic_logs", routing_key, f"{prefix} body {i}".encode(), pika.BasicProperties(
                    content_type="text/plain", message_id=f"{prefix}-{i}", headers={"trace": i, "origin": "test"},
                    delivery_mode=2, priority=3, app_id="upstream-test"))
            return ids
        finally:
            connection.close()

    def send_syslog(self, count, start=0):
        """RFC 5424 entries over TCP, octet-counted; returns their bodies' markers."""
        markers = [f"syslog-entry-{i}" for i in range(start, start + count)]
        with socket.create_connection((HOST, self.syslog_port), timeout=10) as sock:
            frames = []
            for marker in markers:
                line = f"<187>1 2026-12-07T00:00:00Z host-a upstream-test - - - {marker}".encode()
                frames.append(b"%d %s" % (len(line), line))
            sock.sendall(b"".join(frames))
        return markers


def config(rabbit, upstream_queue=None, **keys) -> str:
    lines = ["[[upstreams]]", 'name = "default"', f'uris = ["{rabbit.url()}"]']
    if upstream_queue:
        lines.append(f'upstream-queue = "{upstream_queue}"')
    for key, value in keys.items():
        lines.append(f"{key.replace('_', '-')} = {json.dumps(value)}")
    return "\n".join(lines) + "\n"


def drain(rabbit, queue, expected=None, timeout=DEADLINE, until=None):
    """Every message in `queue` on the upstream until at least `expected` arrived, or `until(got)`
    holds (acked, so the queue is left empty); a list of (method, properties, body)."""
    got = []
    connection = rabbit.connect()
    try:
        channel = connection.channel()

        def take():
            while True:
                method, properties, body = channel.basic_get(queue, auto_ack=True)
                if method is None:
                    return until(got) if until else len(got) >= expected
                got.append((method, properties, body))
        wait_for(take, timeout)
        return got
    finally:
        connection.close()


def upstream_depth(rabbit, queue):
    connection = rabbit.connect()
    try:
        return connection.channel().queue_declare(queue, passive=True).method.message_count
    finally:
        connection.close()


def test_syslog_and_pika_entries_arrive_with_routing_key_properties_and_node_header(warren_factory, rabbit):
    forwarding = Forwarding(warren_factory, config(rabbit, upstream_queue="up-basic"))
    forwarding.wait_running()
    ids = forwarding.publish(50)
    markers = forwarding.send_syslog(20)
    got = drain(rabbit, "up-basic", 70)
    assert len(got) == 70, f"expected exactly 70 on the upstream, got {len(got)}"
    pika_messages = [m for m in got if m[1].message_id]
    assert [p.message_id for _, p, _ in pika_messages] == ids, "pika entries out of order or missing"
    for method, properties, body in pika_messages:
        assert method.routing_key == "app.info" and method.exchange == "topic_logs"
        assert properties.content_type == "text/plain" and properties.delivery_mode == 2 and properties.priority == 3
        assert properties.app_id == "upstream-test"
        assert properties.headers["origin"] == "test" and properties.headers["trace"] == int(properties.message_id.split("-")[1])
        assert properties.headers["x-warren-node"], "x-warren-node missing"
        assert body == f"pika body {properties.message_id.split('-')[1]}".encode()
    syslog_messages = [m for m in got if not m[1].message_id]
    assert len(syslog_messages) == 20
    assert {method.routing_key for method, _, _ in syslog_messages} == {"local7.error"}
    assert all(p.headers["facility"] == "local7" and p.headers["hostname"] == "host-a" for _, p, _ in syslog_messages)
    assert all(properties.headers["x-warren-node"] for _, properties, _ in syslog_messages)
    bodies = b"\n".join(body for _, _, body in syslog_messages).decode()
    assert all(marker in bodies for marker in markers)
    status = forwarding.upstream()
    assert status["forwarded"] >= 70 and status["node"] == f"{HOST}:{rabbit.port}" and status["dead_lettered"] == 0
    metrics = forwarding.get("/metrics").decode()
    assert 'warren_upstream_forwarded_total{upstream="default"} 70' in metrics
    assert 'warren_upstream_connected{upstream="default"} 1' in metrics
    table = subprocess.run([forwarding.warren.argv[0], "upstreams", "--api", f"http://guest:guest@{HOST}:{forwarding.http_port}"],
                           capture_output=True, text=True, timeout=30)
    assert table.returncode == 0, table.stderr
    header, row = table.stdout.strip().splitlines()
    assert header.split()[:5] == ["name", "state", "node", "backlog", "forwarded"]
    assert row.split()[:3] == ["default", "running", f"{HOST}:{rabbit.port}"]


def test_amqps_upstream_is_verified_against_the_uris_ca(warren_factory, rabbit, pki):
    uri = f"amqps://guest:guest@{HOST}:{rabbit.tls_port}/%2F?cacertfile={pki.ca}"
    forwarding = Forwarding(warren_factory, None, extra=["--upstream", uri, "--upstream-queue", "up-tls"])
    forwarding.wait_running()
    ids = forwarding.publish(20, prefix="tls")
    assert [p.message_id for _, p, _ in drain(rabbit, "up-tls", 20)] == ids


def test_amqps_upstream_with_a_certificate_from_another_ca_is_not_used(warren_factory, rabbit, pki):
    uri = f"amqps://guest:guest@{HOST}:{rabbit.tls_port}/%2F?cacertfile={pki.other_ca}"
    forwarding = Forwarding(warren_factory, None, extra=["--upstream", uri, "--upstream-queue", "up-tls-refused"])
    wait_for(lambda: forwarding.upstream()["last_error"])
    status = forwarding.upstream()
    assert status["state"] != "running" and status["node"] is None and status["forwarded"] == 0, status
    forwarding.publish(3, prefix="untrusted")
    wait_for(lambda: forwarding.upstream()["backlog"] == 3)


def test_a_dead_node_is_skipped_for_the_next_in_the_list(warren_factory, rabbit):
    dead = find_free_port()
    uri = f"amqp://guest:guest@{HOST}:{dead},{HOST}:{rabbit.port}/%2F"
    forwarding = Forwarding(warren_factory, None, extra=["--upstream", uri, "--upstream-queue", "up-failover"])
    forwarding.wait_running()
    status = forwarding.upstream()
    assert status["node"] == f"{HOST}:{rabbit.port}" and f"{HOST}:{dead}" in status["last_error"], status
    ids = forwarding.publish(10, prefix="failover")
    got = drain(rabbit, "up-failover", 10)
    assert [p.message_id for _, p, _ in got] == ids


@pytest.mark.deadline(180)
def test_connection_blocked_by_the_upstream_pauses_forwarding_not_intake(warren_factory, rabbit):
    forwarding = Forwarding(warren_factory, config(rabbit, upstream_queue="up-blocked"))
    forwarding.wait_running()
    forwarding.publish(5, prefix="warm")
    assert len(drain(rabbit, "up-blocked", 5)) == 5
    rabbit.ctl("set_vm_memory_high_watermark", "absolute", "1")  # every publisher is blocked
    try:
        forwarding.publish(1, prefix="trigger")  # RabbitMQ blocks a connection when it next publishes
        wait_for(lambda: forwarding.upstream()["state"] == "blocked")
        ids = forwarding.publish(100, prefix="blocked")  # intake goes on, confirmed by warren
        wait_for(lambda: forwarding.upstream()["backlog"] >= 100)
        assert forwarding.upstream()["state"] == "blocked"
    finally:
        rabbit.ctl("set_vm_memory_high_watermark", "0.4")
    wait_for(lambda: forwarding.upstream()["state"] == "running")
    wanted = set(ids) | {"trigger-0"}
    got = drain(rabbit, "up-blocked", until=lambda got: wanted <= {p.message_id for _, p, _ in got})
    assert wanted <= {p.message_id for _, p, _ in got}
    wait_for(lambda: forwarding.upstream()["backlog"] == 0)


@pytest.mark.deadline(240)
def test_upstream_outage_keeps_intake_and_the_backlog_drains_when_it_is_back(warren_factory, rabbit):
    forwarding = Forwarding(warren_factory, config(rabbit, upstream_queue="up-outage", reconnect_max_ms=1000))
    forwarding.wait_running()
    before = forwarding.publish(20, prefix="before")
    assert len(drain(rabbit, "up-outage", 20)) == 20
    rabbit.stop_app()
    try:
        wait_for(lambda: forwarding.upstream()["state"] in ("connecting", "down") and forwarding.upstream()["node"] is None)
        during = forwarding.publish(300, prefix="during")
        markers = forwarding.send_syslog(30)
        wait_for(lambda: forwarding.upstream()["backlog"] == 330)
        status = forwarding.upstream()
        assert status["last_error"] and status["last_error_at"], status
    finally:
        rabbit.start_app()
    forwarding.wait_running()
    after = forwarding.publish(20, prefix="after")
    wanted = set(during + after)
    got = drain(rabbit, "up-outage", timeout=120, until=lambda got: wanted <= {p.message_id for _, p, _ in got}
                and sum(1 for _, p, _ in got if not p.message_id) >= len(markers))
    ids = [p.message_id for _, p, _ in got if p.message_id]
    missing = set(during + after) - set(ids)
    assert not missing, f"{len(missing)} entries lost"
    first_seen = list(dict.fromkeys(i for i in ids if i.startswith("during")))
    assert first_seen == during, "the backlog was not drained oldest first"
    bodies = b"\n".join(body for _, p, body in got if not p.message_id).decode()
    assert all(marker in bodies for marker in markers), "syslog entries collected during the outage lost"
    wait_for(lambda: forwarding.upstream()["backlog"] == 0)
    assert forwarding.warren.wait_for_output("caught up", timeout=10)
    assert len(before) == 20


def test_nacks_and_returns_are_retried_then_dead_lettered_locally_with_the_reason(warren_factory, rabbit):
    connection = rabbit.connect()
    channel = connection.channel()
    channel.exchange_declare("warren_capped", "topic", durable=True)
    channel.queue_declare("up-capped", durable=True, arguments={"x-max-length": 5, "x-overflow": "reject-publish"})
    channel.queue_bind("up-capped", "warren_capped", "capped.#")
    connection.close()
    forwarding = Forwarding(warren_factory, config(rabbit, patterns=["capped.#", "lost.#"], upstream_exchange="warren_capped",
                                                   max_retries=2))
    forwarding.wait_running()
    # An operator deleted the dead-letter queue: the copies come back (basic.return), the forwarder
    # declares the queue again and sends them again; no original is acked before its copy is kept.
    deleting = forwarding.warren.connect()
    deleting.channel().queue_delete("warren.upstream.default.dead")
    deleting.close()
    forwarding.publish(10, routing_key="capped.x", prefix="capped")
    forwarding.publish(3, routing_key="lost.x", prefix="lost")
    wait_for(lambda: forwarding.upstream()["dead_lettered"] == 8)
    status = forwarding.upstream()
    assert status["retried"] == 16 and status["forwarded"] == 5, status
    assert upstream_depth(rabbit, "up-capped") == 5
    local = forwarding.warren.connect()
    try:
        dead = []
        local_channel = local.channel()
        while True:
            method, properties, body = local_channel.basic_get("warren.upstream.default.dead", auto_ack=True)
            if method is None:
                break
            dead.append(properties)
        reasons = {p.message_id: p.headers["x-warren-upstream-error"] for p in dead}
        assert sorted(reasons) == sorted([f"capped-{i}" for i in range(5, 10)] + [f"lost-{i}" for i in range(3)])
        assert all("nacked" in reasons[f"capped-{i}"] and "3 attempts" in reasons[f"capped-{i}"] for i in range(5, 10))
        assert all("returned" in reasons[f"lost-{i}"] for i in range(3))
        assert local_channel.queue_declare("warren.upstream.default", passive=True).method.message_count == 0
    finally:
        local.close()


@pytest.mark.deadline(240)
def test_sigkill_mid_forward_and_restart_loses_nothing(warren_factory, rabbit, tmp_path):
    data_dir = tmp_path / "kept-data"
    data_dir.mkdir()
    settings = config(rabbit, upstream_queue="up-crash", window=50)
    first = Forwarding(warren_factory, settings, data_dir=data_dir)
    first.wait_running()
    sent: list[str] = []

    def publish_until_killed():
        connection = first.warren.connect()
        channel = connection.channel()
        channel.confirm_delivery()
        try:
            for i in range(20000):
                channel.basic_publish("topic_logs", "app.info", f"crash body {i}".encode(),
                                      pika.BasicProperties(message_id=f"crash-{i}", delivery_mode=2))
                sent.append(f"crash-{i}")  # confirmed by warren: on its disk
        except pika.exceptions.AMQPError:
            pass  # warren died under the publisher: what it did not confirm is not counted

    publisher = threading.Thread(target=publish_until_killed, daemon=True)
    publisher.start()
    wait_for(lambda: first.upstream()["forwarded"] >= 200)
    first.warren.signal(signal.SIGKILL)
    assert first.warren.wait_exit() == -signal.SIGKILL
    first.warren.expected_exit = True
    publisher.join(30)
    assert not publisher.is_alive() and len(sent) >= 200
    second = Forwarding(warren_factory, settings, data_dir=data_dir)
    second.wait_running()
    wanted = set(sent)
    got = drain(rabbit, "up-crash", timeout=180, until=lambda got: wanted <= {p.message_id for _, p, _ in got})
    ids = [p.message_id for _, p, _ in got]
    assert not set(sent) - set(ids), f"{len(set(sent) - set(ids))} entries lost across SIGKILL"
    duplicates = len(ids) - len(set(ids))
    print(f"sigkill mid-forward: {len(sent)} sent, {len(ids)} received upstream, {duplicates} duplicates")
    wait_for(lambda: second.upstream()["backlog"] == 0)


@pytest.mark.parametrize("keys, expected", [
    ({"window": 0}, "upstreams[0].window must be between 1 and 65535, got 0"),
    ({"max_retries": -1}, "upstreams[0].max-retries must be between"),
    ({"exchange": "no_such_exchange"}, "cannot set up warren.upstream.default"),
])
def test_bad_upstream_settings_stop_serve_with_a_config_error(warren_factory, rabbit, keys, expected):
    w = warren_factory(config(rabbit, **keys), expect_ready=False)
    assert w.wait_exit() == 78
    w.expected_exit = True
    assert expected in w.output(), w.output()


def test_a_bad_upstream_flag_is_refused_without_repeating_the_password(warren_factory):
    w = warren_factory(None, expect_ready=False, extra_args=["--upstream", "amqp://alice:topsecret@a,,b/"])
    assert w.wait_exit() == 78
    w.expected_exit = True
    assert "empty host" in w.output() and "topsecret" not in w.output(), w.output()
