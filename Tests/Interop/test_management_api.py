"""The management HTTP API and the CLI on it, against a running warren with real HTTP requests:
RabbitMQ's paths, field names, status codes and error bodies; `warren queues` after the
work-queue tutorial's steps; definitions in RabbitMQ's export format; Prometheus /metrics."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import urllib.error
import urllib.request

import pika
import pytest

from conftest import HOST, find_free_port

CONFIG = """\
[[users]]
name = "watcher"
password = "w4tch"
tags = ["management"]
"""


@pytest.fixture
def managed(warren_factory):
    port = find_free_port()
    w = warren_factory(CONFIG, extra_args=["--http-port", str(port)])
    assert w.wait_for_output("management HTTP listener ready"), w.output()
    w.http_port = port
    return w


def call(w, method, path, body=None, user="guest", password="guest"):
    data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    request = urllib.request.Request(f"http://{HOST}:{w.http_port}{path}", data=data, method=method)
    request.add_header("Authorization", "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode())
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            raw = response.read()
            return response.status, (json.loads(raw) if raw and response.headers.get_content_type() == "application/json" else raw)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def cli(w, *args):
    return subprocess.run([os.environ["WARREN_BIN"], *args, "--api", f"http://guest:guest@{HOST}:{w.http_port}"],
                          capture_output=True, text=True, timeout=30)


def test_warren_queues_after_the_work_queue_tutorial_matches_list_queues(managed):
    connection = managed.connect()
    channel = connection.channel()
    channel.queue_declare("task_queue", durable=True)
    for i in range(5):
        channel.basic_publish("", "task_queue", f"task {i}".encode(), pika.BasicProperties(delivery_mode=2))
    worker = managed.connect()
    worker_channel = worker.channel()
    worker_channel.basic_qos(prefetch_count=1)
    received = []
    worker_channel.basic_consume("task_queue", lambda ch, m, p, b: received.append(m.delivery_tag))
    while not received:
        worker.process_data_events(0.05)
    result = cli(managed, "queues", "--tsv")
    assert result.returncode == 0, result.stderr
    # rabbitmqctl list_queues name messages_ready messages_unacknowledged consumers, same steps
    assert result.stdout.splitlines() == ["name\tmessages_ready\tmessages_unacknowledged\tconsumers",
                                          "task_queue\t4\t1\t1"]
    table = cli(managed, "queues", "name", "messages", "durable").stdout.splitlines()
    assert table[0].split() == ["name", "messages", "durable"] and table[1].split() == ["task_queue", "5", "true"]
    worker.close()
    connection.close()


def test_queue_object_has_rabbits_fields(managed):
    status, _ = call(managed, "PUT", "/api/queues/%2F/made-by-api", {"durable": True, "arguments": {"x-max-length": 3}})
    assert status == 201
    status, queue = call(managed, "GET", "/api/queues/%2F/made-by-api")
    assert status == 200
    for key in ("name", "vhost", "durable", "auto_delete", "exclusive", "arguments", "messages", "messages_ready",
                "messages_unacknowledged", "consumers", "memory", "state", "node"):
        assert key in queue
    assert queue["vhost"] == "/" and queue["arguments"] == {"x-max-length": 3}
    status, queues = call(managed, "GET", "/api/queues/%2F")
    assert [q["name"] for q in queues] == ["made-by-api"]
    assert call(managed, "DELETE", "/api/queues/%2F/made-by-api/contents")[0] == 204
    assert call(managed, "DELETE", "/api/queues/%2F/made-by-api")[0] == 204
    assert call(managed, "GET", "/api/queues/%2F/made-by-api")[0] == 404


def test_exchanges_bindings_and_overview(managed):
    assert call(managed, "PUT", "/api/exchanges/%2F/api-ex", {"type": "topic", "durable": True})[0] == 201
    assert call(managed, "PUT", "/api/queues/%2F/api-q", {"durable": True})[0] == 201
    assert call(managed, "POST", "/api/bindings/%2F/e/api-ex/q/api-q", {"routing_key": "kern.*"})[0] == 201
    status, bindings = call(managed, "GET", "/api/bindings/%2F")
    [binding] = [b for b in bindings if b["source"] == "api-ex"]
    assert {key: binding[key] for key in ("vhost", "destination", "destination_type", "routing_key", "arguments")} == {
        "vhost": "/", "destination": "api-q", "destination_type": "queue", "routing_key": "kern.*", "arguments": {}}
    assert {"source": "", "destination": "api-q", "routing_key": "api-q"}.items() <= next(
        b for b in bindings if b["source"] == "").items()  # the default exchange's implicit binding
    status, exchange = call(managed, "GET", "/api/exchanges/%2F/topic_logs")
    assert status == 200 and exchange["type"] == "topic" and exchange["durable"] is True
    status, overview = call(managed, "GET", "/api/overview")
    assert overview["object_totals"]["queues"] == 1 and overview["queue_totals"]["messages"] == 0
    assert call(managed, "DELETE", "/api/bindings/%2F/e/api-ex/q/api-q/kern.*")[0] == 204
    assert not any(b["source"] == "api-ex" for b in call(managed, "GET", "/api/bindings")[1])


def test_errors_are_rabbits(managed):
    assert call(managed, "GET", "/api/queues", password="wrong") == (401, {"error": "not_authorised", "reason": "Login failed"})
    assert call(managed, "GET", "/api/queues/%2F/missing") == (404, {"error": "Object Not Found", "reason": "Not Found"})
    assert call(managed, "GET", "/api/queues/no-such-vhost")[0] == 404
    status, error = call(managed, "PUT", "/api/queues/%2F/bad", b"{not json")
    assert status == 400 and error["error"] == "bad_request"
    status, error = call(managed, "PUT", "/api/queues/%2F/bad", {"arguments": {"x-expires": 0}})
    assert status == 400 and "{value_zero,0}" in error["reason"]
    # A management-tagged user may look but not change.
    assert call(managed, "GET", "/api/queues", user="watcher", password="w4tch")[0] == 200
    assert call(managed, "PUT", "/api/queues/%2F/x", {}, user="watcher", password="w4tch")[0] == 403
    assert call(managed, "GET", "/api/whoami", user="watcher", password="w4tch")[1] == {"name": "watcher", "tags": ["management"]}


RABBIT_EXPORT = {
    "rabbit_version": "3.10.8", "rabbitmq_version": "3.10.8", "product_name": "RabbitMQ", "product_version": "3.10.8",
    "users": [], "permissions": [], "topic_permissions": [], "parameters": [], "global_parameters": [],
    "vhosts": [{"name": "/"}],
    "policies": [{"vhost": "/", "name": "cap", "pattern": "^imported$", "apply-to": "queues",
                  "definition": {"max-length": 7}, "priority": 0}],
    "queues": [{"name": "imported", "vhost": "/", "durable": True, "auto_delete": False, "arguments": {"x-queue-type": "classic"}}],
    "exchanges": [{"name": "imported-ex", "vhost": "/", "type": "direct", "durable": True, "auto_delete": False,
                   "internal": False, "arguments": {}}],
    "bindings": [{"source": "imported-ex", "vhost": "/", "destination": "imported", "destination_type": "queue",
                  "routing_key": "k", "arguments": {}}],
}


def test_rabbitmq_definitions_import_and_export(managed, tmp_path):
    export = tmp_path / "rabbit.json"
    export.write_text(json.dumps(RABBIT_EXPORT))
    result = cli(managed, "definitions", "import", str(export))
    assert result.returncode == 0, result.stderr
    status, queue = call(managed, "GET", "/api/queues/%2F/imported")
    assert status == 200 and queue["policy"] == "cap"
    status, definitions = call(managed, "GET", "/api/definitions")
    assert {"vhost": "/", "source": "imported-ex", "destination": "imported", "destination_type": "queue",
            "routing_key": "k", "arguments": {}} in definitions["bindings"]
    assert [p["name"] for p in definitions["policies"]] == ["cap"]


def test_bad_definitions_change_nothing(managed):
    bad = dict(RABBIT_EXPORT, queues=[{"name": "half", "vhost": "/", "durable": True, "auto_delete": False,
                                       "arguments": {"x-max-priority": 900}}])
    status, error = call(managed, "POST", "/api/definitions", bad)
    assert status == 400 and "max_value_exceeded" in error["reason"]
    assert call(managed, "GET", "/api/exchanges/%2F/imported-ex")[0] == 404
    assert call(managed, "POST", "/api/definitions", b"[1,2")[0] == 400


def test_prometheus_metrics(managed):
    connection = managed.connect()
    channel = connection.channel()
    channel.queue_declare("depth")
    for _ in range(3):
        channel.basic_publish("", "depth", b"x")
    channel.queue_declare("depth", passive=True)
    status, body = call(managed, "GET", "/metrics")
    text = body.decode()
    assert status == 200
    assert 'warren_queue_messages_ready{vhost="/",queue="depth"} 3.0' in text
    assert "warren_connections 1.0" in text and "warren_memory_alarm 0.0" in text
    assert "# TYPE warren_queue_messages_ready gauge" in text
    connection.close()


def test_health_check(managed):
    assert call(managed, "GET", "/api/healthchecks/node") == (200, {"status": "ok"})


def test_message_stats_and_message_counters(managed):
    connection = managed.connect()
    channel = connection.channel()
    channel.confirm_delivery()
    channel.queue_declare("counted")
    for _ in range(3):
        channel.basic_publish("", "counted", b"x")
    method, _, _ = channel.basic_get("counted")
    channel.basic_ack(method.delivery_tag)
    method, _, _ = channel.basic_get("counted")
    channel.basic_nack(method.delivery_tag, requeue=True)
    channel.basic_get("counted", auto_ack=True)
    status, queue = call(managed, "GET", "/api/queues/%2F/counted")
    stats = queue["message_stats"]
    assert (stats["publish"], stats["deliver_get"], stats["redeliver"], stats["ack"]) == (3, 3, 1, 1)
    assert "rate" in stats["publish_details"]
    overview = call(managed, "GET", "/api/overview")[1]
    assert overview["message_stats"]["publish"] == 3
    text = call(managed, "GET", "/metrics")[1].decode()
    assert 'warren_messages_published_total{vhost="/"} 3' in text
    assert 'warren_messages_delivered_total{vhost="/"} 3' in text
    assert 'warren_messages_acked_total{vhost="/"} 1' in text
    connection.close()


def test_channels_and_consumers(managed):
    connection = managed.connect()
    channel = connection.channel()
    channel.basic_qos(prefetch_count=7)
    channel.confirm_delivery()
    channel.queue_declare("watched")
    tag = channel.basic_consume("watched", lambda *a: None, arguments={"x-priority": 3})
    status, channels = call(managed, "GET", "/api/channels")
    [mine] = [c for c in channels if c["consumer_count"] == 1]
    assert (mine["user"], mine["vhost"], mine["prefetch_count"], mine["confirm"], mine["transactional"]) == ("guest", "/", 7, True, False)
    status, consumers = call(managed, "GET", "/api/consumers")
    [consumer] = consumers
    assert consumer["consumer_tag"] == tag and consumer["queue"] == {"name": "watched", "vhost": "/"}
    assert consumer["ack_required"] is True and consumer["prefetch_count"] == 7 and consumer["arguments"] == {"x-priority": 3}
    assert consumer["channel_details"]["number"] == mine["number"]
    connection.close()
