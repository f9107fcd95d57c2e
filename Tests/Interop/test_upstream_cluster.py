"""The upstream forwarder against a real three-node RabbitMQ cluster (Debian's rabbitmq-server,
joined with `rabbitmqctl join_cluster`, started once for this module and stopped at its end), with
a quorum queue bound to the log exchange. Every test counts what it sent into warren against what
the cluster holds, by unique id, and reports duplicates.

Marked `cluster` and run by `make cluster-test`, not `make test`: forming the cluster alone took
44 to 75 s on the shared 2-core machine (load 24 to 27), most of the 2 minutes a smoke test in
`make test` may cost, before any case ran."""

from __future__ import annotations

import re
import signal
import threading
import time

import pika
import pytest

from conftest import Warren
from rabbitmq_cluster import RabbitCluster
from test_upstream import Forwarding, config, drain, wait_for

pytestmark = pytest.mark.cluster

SETTLE_TIMEOUT = 240
OUTAGE_SECONDS = 30
SYSLOG_MARKER = re.compile(rb"syslog-entry-\d+")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    with RabbitCluster(tmp_path_factory.mktemp("rabbit-cluster"), nodes=3) as started:
        yield started


@pytest.fixture(autouse=True)
def whole_cluster(cluster):
    """Each test starts and ends with every node running (a test that stopped one brings it back here)."""
    yield
    if len(cluster.running_nodes()) < len(cluster.nodes):
        cluster.start_all()


def held_ids(got) -> list:
    """The ids of the messages the cluster held: an AMQP entry's message-id, a syslog entry's marker
    (in its text, in the body)."""
    ids = []
    for _, properties, body in got:
        if properties.message_id:
            ids.append(properties.message_id)
        else:
            ids += [marker.decode() for marker in SYSLOG_MARKER.findall(body)]
    return ids


def count(sent: list, got, record_property, label: str) -> dict:
    """Sent against held: asserts nothing is missing, reports duplicates."""
    held = held_ids(got)
    missing = set(sent) - set(held)
    duplicates = len(held) - len(set(held))
    figures = {"sent": len(sent), "held": len(held), "missing": len(missing), "duplicates": duplicates}
    record_property(label, figures)
    print(f"{label}: {figures}")
    assert not missing, f"{label}: {len(missing)} of {len(sent)} entries missing on the cluster, e.g. {sorted(missing)[:5]}"
    assert not set(held) - set(sent), f"{label}: the cluster holds entries nobody sent"
    return figures


def drain_all(cluster, queue: str, sent: list):
    """Everything in the quorum queue until every sent id was seen (acked, the queue is left empty)."""
    wanted = set(sent)
    return drain(cluster, queue, timeout=SETTLE_TIMEOUT, until=lambda got: wanted <= set(held_ids(got)))


def delete_queue(cluster, queue: str):
    connection = cluster.connect()
    try:
        connection.channel().queue_delete(queue)
    finally:
        connection.close()


class SteadyPublisher(threading.Thread):
    """Publishes `entry-<prefix>-N` into warren's topic_logs with confirms, one by one, until stopped;
    `sent` holds the ids warren confirmed (they are on its disk)."""

    def __init__(self, warren: Warren, prefix: str):
        super().__init__(daemon=True)
        self.warren = warren
        self.prefix = prefix
        self.sent: list[str] = []
        self.error: BaseException | None = None
        self.stopping = threading.Event()

    def run(self):
        try:
            connection = self.warren.connect()
            channel = connection.channel()
            channel.confirm_delivery()
            while not self.stopping.is_set():
                entry = f"entry-{self.prefix}-{len(self.sent)}"
                channel.basic_publish("topic_logs", "app.info", entry.encode(),
                                      pika.BasicProperties(delivery_mode=2, message_id=entry))
                self.sent.append(entry)
                # A steady trickle, not a flood: the test is about what happens mid-stream.
                self.stopping.wait(0.005)
            connection.close()
        except BaseException as error:  # reported by finish(), not lost with the thread
            self.error = error

    def finish(self) -> list:
        self.stopping.set()
        self.join(60)
        assert not self.is_alive(), "the publisher did not stop"
        if self.error is not None:
            raise AssertionError(f"publishing into warren failed: {self.error!r}")
        return self.sent


def streaming(warren_factory, cluster, queue: str, prefix: str, data_dir=None, **keys):
    """A warren forwarding to `queue` on the cluster and a SteadyPublisher feeding it, returned once
    the cluster has confirmed 200 entries (the stream is flowing)."""
    forwarding = Forwarding(warren_factory, config(cluster, upstream_queue=queue, **keys), data_dir=data_dir)
    forwarding.wait_running()
    publisher = SteadyPublisher(forwarding.warren, prefix)
    publisher.start()
    wait_for(lambda: forwarding.upstream()["forwarded"] >= 200)
    return forwarding, publisher


def connected_node(cluster, forwarding: Forwarding):
    """The cluster node the forwarder is connected to, from /api/upstreams' `node` (host:port)."""
    node = forwarding.upstream()["node"]
    port = int(node.rsplit(":", 1)[1]) if node else None
    return cluster.node_for_port(port) if port else None


@pytest.mark.deadline(SETTLE_TIMEOUT + 60)
def test_one_flag_forwards_syslog_and_amqp_entries_to_the_clusters_quorum_queue(warren_factory, cluster, record_property):
    queue = "cluster-steady"
    forwarding = Forwarding(warren_factory, None, extra=["--upstream", cluster.url(), "--upstream-queue", queue])
    forwarding.wait_running()
    assert set(cluster.cluster_status()["running_nodes"]) == {n.name for n in cluster.nodes}
    sent = forwarding.publish(500, prefix="amqp") + forwarding.send_syslog(200)
    got = drain_all(cluster, queue, sent)
    figures = count(sent, got, record_property, "steady")
    assert figures["duplicates"] == 0, "duplicates without any failure"
    wait_for(lambda: forwarding.upstream()["backlog"] == 0)
    status = forwarding.upstream()
    assert status["forwarded"] >= len(sent) and status["failovers"] == 0 and status["dead_lettered"] == 0, status
    delete_queue(cluster, queue)


@pytest.mark.deadline(SETTLE_TIMEOUT + 120)
def test_kill_9_of_the_connected_node_mid_stream_fails_over_and_loses_nothing(warren_factory, cluster, record_property):
    queue = "cluster-failover"
    forwarding, publisher = streaming(warren_factory, cluster, queue, "failover", reconnect_max_ms=1000)
    victim = connected_node(cluster, forwarding)
    assert victim is not None, forwarding.upstream()
    victim.kill()
    wait_for(lambda: forwarding.upstream()["failovers"] >= 1 and connected_node(cluster, forwarding) not in (None, victim),
             timeout=SETTLE_TIMEOUT)
    forwarded_after = forwarding.upstream()["forwarded"]
    wait_for(lambda: forwarding.upstream()["forwarded"] >= forwarded_after + 200, timeout=SETTLE_TIMEOUT)
    sent = publisher.finish()
    got = drain_all(cluster, queue, sent)
    count(sent, got, record_property, "failover")
    status = forwarding.upstream()
    figures = {key: status[key] for key in ("forwarded", "retried", "dead_lettered", "failovers")}
    record_property("failover_status", figures)
    print(f"failover status: {figures}")
    assert status["dead_lettered"] == 0, status
    assert forwarding.warren.wait_for_output("failed over from", timeout=5)
    delete_queue(cluster, queue)


@pytest.mark.deadline(OUTAGE_SECONDS + 3 * SETTLE_TIMEOUT)
def test_every_node_down_for_30_s_intake_goes_on_and_the_backlog_drains_after(warren_factory, cluster, record_property):
    queue = "cluster-outage"
    forwarding, publisher = streaming(warren_factory, cluster, queue, "outage", reconnect_max_ms=2000)
    cluster.kill_all()
    syslog: list[str] = []
    down_until = time.monotonic() + OUTAGE_SECONDS
    while time.monotonic() < down_until:  # the outage's length, not a synchronisation
        syslog += forwarding.send_syslog(20, start=len(syslog))
        time.sleep(0.5)
    during = len(publisher.sent)
    status = forwarding.upstream()
    assert status["state"] in ("connecting", "down") and status["node"] is None, status
    assert status["backlog"] > 0 and status["last_error"], status
    cluster.start_all()
    wait_for(lambda: forwarding.upstream()["state"] == "running", timeout=SETTLE_TIMEOUT)
    wait_for(lambda: len(publisher.sent) >= during + 100, timeout=SETTLE_TIMEOUT)
    sent = publisher.finish()
    assert len(sent) > during, "intake stopped while the cluster was down"
    got = drain_all(cluster, queue, sent + syslog)
    count(sent + syslog, got, record_property, "outage")
    wait_for(lambda: forwarding.upstream()["backlog"] == 0, timeout=SETTLE_TIMEOUT)
    delete_queue(cluster, queue)


@pytest.mark.deadline(3 * SETTLE_TIMEOUT)
def test_kill_9_of_warren_mid_forward_loses_nothing_and_duplicates_are_counted(warren_factory, cluster, record_property,
                                                                             tmp_path):
    queue = "cluster-crash"
    data_dir = tmp_path / "kept-data"
    data_dir.mkdir()
    first, publisher = streaming(warren_factory, cluster, queue, "crash", data_dir=data_dir, window=100)
    first.warren.signal(signal.SIGKILL)
    assert first.warren.wait_exit() == -signal.SIGKILL
    first.warren.expected_exit = True
    publisher.stopping.set()
    publisher.join(60)
    sent = publisher.sent  # what warren confirmed before it died; the publish it died under is not counted
    # The publisher is still going when warren dies: mid-forward. The second warren resumes its data.
    second = Forwarding(warren_factory, config(cluster, upstream_queue=queue, window=100), data_dir=data_dir)
    second.wait_running()
    got = drain_all(cluster, queue, sent)
    count(sent, got, record_property, "warren-kill")
    wait_for(lambda: second.upstream()["backlog"] == 0, timeout=SETTLE_TIMEOUT)
    delete_queue(cluster, queue)


@pytest.mark.deadline(2 * SETTLE_TIMEOUT)
def test_a_full_quorum_queue_nacks_and_warren_dead_letters_what_it_rejected(warren_factory, cluster, record_property):
    exchange, queue, capacity, total = "capped_logs", "cluster-capped", 50, 120
    connection = cluster.connect()
    channel = connection.channel()
    channel.exchange_declare(exchange, "topic", durable=True)
    channel.queue_declare(queue, durable=True, arguments={
        "x-queue-type": "quorum", "x-max-length": capacity, "x-overflow": "reject-publish"})
    channel.queue_bind(queue, exchange, "#")
    connection.close()
    forwarding = Forwarding(warren_factory, config(cluster, upstream_exchange=exchange, max_retries=1))
    forwarding.wait_running()
    sent = forwarding.publish(total, prefix="capped")
    wait_for(lambda: forwarding.upstream()["dead_lettered"] + forwarding.upstream()["forwarded"] == total,
             timeout=SETTLE_TIMEOUT)
    # A quorum queue enforces x-max-length once it is over the limit, approximately: RabbitMQ 3.10.8
    # took 51 of 50 on one channel, and up to 57 of 50 since refused entries are retried on a new
    # channel. What counts is that each entry is on the cluster or dead-lettered, exactly once.
    status = forwarding.upstream()
    assert capacity <= status["forwarded"] < total and status["dead_lettered"] == total - status["forwarded"], status
    print(f"capped status: { {key: status[key] for key in ('forwarded', 'retried', 'dead_lettered')} }")
    held = held_ids(drain(cluster, queue, status["forwarded"]))
    local = forwarding.warren.connect()
    try:
        dead = []
        local_channel = local.channel()
        while (message := local_channel.basic_get("warren.upstream.default.dead", auto_ack=True))[0] is not None:
            dead.append(message)
    finally:
        local.close()
    dead_ids = held_ids(dead)
    record_property("capped", {"sent": total, "on_cluster": len(held), "dead_lettered": len(dead_ids)})
    assert sorted(held + dead_ids) == sorted(sent), "an entry is neither on the cluster nor dead-lettered, or both"
    assert all("nacked" in properties.headers["x-warren-upstream-error"] for _, properties, _ in dead)
    delete_queue(cluster, queue)
