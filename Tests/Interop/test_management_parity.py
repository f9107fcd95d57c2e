"""Management API parity with RabbitMQ 3.10.8: policies and operator policies over the API,
/api/nodes, the overview's shape, message rates sampled every 5 s with sample ranges, and
Prometheus series that go with their queue.

The RABBIT_* key sets were recorded once from a private RabbitMQ 3.10.8 node (Debian's
rabbitmq-server with rabbitmq_management, started on private ports as Scripts/bench.sh starts one)
for the same objects: a durable queue with a policy and an operator policy, the overview, the node.
warren shows a subset of them (the named WARREN_* sets); the tests check both that warren has
every field of its set and that each of them is a RabbitMQ field, so a misspelt or invented field fails.
"""

from __future__ import annotations

import pika

from conftest import find_free_port
from polling import wait_for
from test_management_api import call, managed  # noqa: F401  (the fixture)

RABBIT_QUEUE_KEYS = {
    "arguments", "auto_delete", "backing_queue_status", "consumer_capacity", "consumer_details", "consumer_utilisation",
    "consumers", "deliveries", "durable", "effective_policy_definition", "exclusive", "exclusive_consumer_tag",
    "garbage_collection", "head_message_timestamp", "idle_since", "incoming", "memory", "message_bytes",
    "message_bytes_paged_out", "message_bytes_persistent", "message_bytes_ram", "message_bytes_ready",
    "message_bytes_unacknowledged", "messages", "messages_details", "messages_paged_out", "messages_persistent",
    "messages_ram", "messages_ready", "messages_ready_details", "messages_ready_ram", "messages_unacknowledged",
    "messages_unacknowledged_details", "messages_unacknowledged_ram", "name", "node", "operator_policy", "policy",
    "recoverable_slaves", "reductions", "reductions_details", "single_active_consumer_tag", "state", "type", "vhost",
    "message_stats",  # present once messages moved
}
WARREN_QUEUE_KEYS = {
    "arguments", "auto_delete", "consumers", "durable", "effective_policy_definition", "exclusive", "memory",
    "messages", "messages_details", "messages_ready", "messages_ready_details", "messages_unacknowledged",
    "messages_unacknowledged_details", "name", "node", "operator_policy", "policy", "state", "type", "vhost",
    "message_stats",
}
RABBIT_OVERVIEW_KEYS = {
    "churn_rates", "cluster_name", "contexts", "disable_stats", "enable_queue_totals", "erlang_full_version",
    "erlang_version", "exchange_types", "listeners", "management_version", "message_stats", "node", "object_totals",
    "product_name", "product_version", "queue_totals", "rabbitmq_version", "rates_mode",
    "release_series_support_status", "sample_retention_policies", "statistics_db_event_queue",
}
WARREN_OVERVIEW_KEYS = RABBIT_OVERVIEW_KEYS - {"churn_rates", "release_series_support_status"}
RABBIT_NODE_KEYS = {  # without the Erlang VM's own counters (gc_*, io_*, mnesia_*, msg_store_*, queue_index_*, …)
    "applications", "auth_mechanisms", "cluster_links", "config_files", "contexts", "db_dir", "disk_free",
    "disk_free_alarm", "disk_free_limit", "enabled_plugins", "exchange_types", "fd_total", "fd_used", "log_files",
    "mem_alarm", "mem_calculation_strategy", "mem_limit", "mem_used", "name", "net_ticktime", "os_pid", "partitions",
    "proc_total", "proc_used", "processors", "rates_mode", "run_queue", "running", "sockets_total", "sockets_used",
    "type", "uptime",
}
RABBIT_LISTENER_KEYS = {"node", "protocol", "ip_address", "port", "socket_opts"}
RABBIT_POLICY_KEYS = {"vhost", "name", "pattern", "apply-to", "definition", "priority"}


def test_policies_and_operator_policies_over_the_api(managed):
    connection = managed.connect()
    channel = connection.channel()
    channel.queue_declare("capped.existing", durable=True)
    policy = {"pattern": "^capped\\.", "definition": {"max-length": 100, "dead-letter-exchange": "dlx"},
              "priority": 1, "apply-to": "queues"}
    assert call(managed, "PUT", "/api/policies/%2F/p1", policy)[0] == 201
    assert call(managed, "PUT", "/api/policies/%2F/p1", policy)[0] == 204  # as RabbitMQ: 201 new, 204 updated
    operator = {"pattern": "^capped\\.", "definition": {"max-length": 2, "message-ttl": 60000}, "priority": 0, "apply-to": "queues"}
    assert call(managed, "PUT", "/api/operator-policies/%2F/op1", operator)[0] == 201
    status, listed = call(managed, "GET", "/api/policies")
    assert status == 200 and listed == [dict(policy, vhost="/", name="p1")] and set(listed[0]) == RABBIT_POLICY_KEYS
    assert call(managed, "GET", "/api/operator-policies/%2F")[1] == [dict(operator, vhost="/", name="op1")]
    assert call(managed, "GET", "/api/operator-policies/%2F/op1")[1]["definition"] == operator["definition"]

    # In force at once on the queue that existed, and on one declared later: the smaller max-length wins.
    channel.queue_declare("capped.later")
    for queue in ("capped.existing", "capped.later"):
        for i in range(5):
            channel.basic_publish("", queue, str(i).encode())
    for queue in ("capped.existing", "capped.later"):
        assert channel.queue_declare(queue, passive=True).method.message_count == 2
        status, shown = call(managed, "GET", f"/api/queues/%2F/{queue}")
        assert (shown["policy"], shown["operator_policy"]) == ("p1", "op1")
        # RabbitMQ 3.10.8 shows exactly this for the same two policies.
        assert shown["effective_policy_definition"] == {"dead-letter-exchange": "dlx", "max-length": 2, "message-ttl": 60000}

    definitions = call(managed, "GET", "/api/definitions")[1]
    assert [p["name"] for p in definitions["policies"]] == ["p1"]
    assert definitions["parameters"] == [{"vhost": "/", "component": "operator_policy", "name": "op1", "value": operator}]

    assert call(managed, "DELETE", "/api/operator-policies/%2F/op1")[0] == 204
    channel.basic_publish("", "capped.later", b"more")
    assert channel.queue_declare("capped.later", passive=True).method.message_count == 3
    assert call(managed, "GET", "/api/queues/%2F/capped.later")[1]["operator_policy"] is None
    assert call(managed, "DELETE", "/api/operator-policies/%2F/op1") == (404, {"error": "Object Not Found", "reason": "Not Found"})
    assert call(managed, "GET", "/api/policies/%2F/none")[0] == 404
    connection.close()


def test_policy_validation_answers_as_rabbitmq(managed):
    # Each reason as RabbitMQ 3.10.8 gave it for the same body.
    cases = [
        ({"definition": {"max-length": 1}}, "[{key_missing,pattern}]"),
        ({"pattern": "x", "definition": {"foo": 1}}, 'Validation failed\n\n[{<<"foo">>,1}] are not recognised policy settings\n'),
        ({"pattern": "x", "definition": {}}, "Validation failed\n\nno policy provided\n"),
        ({"pattern": "x", "definition": {"max-length": 1}, "apply-to": "nothing"},
         "Validation failed\n\napply-to 'nothing' unrecognised; should be 'queues', 'exchanges' or 'all'\n"),
    ]
    for body, reason in cases:
        assert call(managed, "PUT", "/api/policies/%2F/bad", body) == (400, {"error": "bad_request", "reason": reason})
    assert call(managed, "PUT", "/api/operator-policies/%2F/bad", {"pattern": "x", "definition": {"dead-letter-exchange": "x"}}) == (
        400, {"error": "bad_request",
              "reason": 'Validation failed\n\n[{<<"dead-letter-exchange">>,<<"x">>}] are not recognised policy settings\n'})
    for body in ({"pattern": "(", "definition": {"max-length": 1}}, {"pattern": "x", "definition": {"max-length": -1}},
                 {"pattern": "x", "definition": {"max-length": 1}, "priority": "a"}, {"pattern": "x", "definition": 5}):
        status, error = call(managed, "PUT", "/api/policies/%2F/bad", body)
        assert status == 400 and error["error"] == "bad_request" and error["reason"].startswith("Validation failed")
    # warren's own refusal (RabbitMQ's engine has a step limit instead): matching would stall the broker.
    # A pattern that takes a backtracking engine exponential time is matched in linear time.
    assert call(managed, "PUT", "/api/policies/%2F/nested", {"pattern": "^(a|a)*$", "definition": {"max-length": 1}})[0] == 201
    for name in ("a" * 40, "a" * 40 + "!"):
        assert call(managed, "PUT", f"/api/queues/%2F/{name}", {"durable": False})[0] in (201, 204)
    assert call(managed, "GET", "/api/queues/%2F/" + "a" * 40)[1]["policy"] == "nested"
    assert call(managed, "GET", "/api/queues/%2F/" + "a" * 40 + "!")[1]["policy"] is None
    assert call(managed, "DELETE", "/api/policies/%2F/nested")[0] == 204
    assert call(managed, "PUT", "/api/policies/no-such-vhost/p", {"pattern": "x", "definition": {"max-length": 1}}) == (
        404, {"error": "not_found", "reason": "vhost_not_found"})
    assert call(managed, "PUT", "/api/policies/%2F/p", {"pattern": "x", "definition": {"max-length": 1}},
                user="watcher", password="w4tch")[0] == 403
    assert call(managed, "GET", "/api/policies")[1] == []


def test_nodes_and_overview_have_rabbits_shape(managed):
    status, nodes = call(managed, "GET", "/api/nodes")
    assert status == 200 and len(nodes) == 1
    [node] = nodes
    assert RABBIT_NODE_KEYS <= set(node)
    assert node["running"] is True and node["type"] == "disc" and node["os_pid"] == str(managed.pid)
    assert node["mem_used"] > 0 and node["mem_limit"] > 0 and node["mem_alarm"] is False
    assert node["disk_free"] > 0 and node["disk_free_alarm"] is False
    assert 0 < node["fd_used"] <= node["fd_total"] and 0 <= node["sockets_used"] <= node["sockets_total"]
    assert node["uptime"] > 0 and node["processors"] >= 1
    assert {t["name"] for t in node["exchange_types"]} == {"direct", "fanout", "headers", "topic"}
    assert call(managed, "GET", f"/api/nodes/{node['name']}")[1]["name"] == node["name"]
    assert call(managed, "GET", "/api/nodes/rabbit@elsewhere")[0] == 404

    overview = call(managed, "GET", "/api/overview")[1]
    # `syslog_stats` (the syslog intake by severity, when a syslog listener runs) is warren's own.
    assert WARREN_OVERVIEW_KEYS <= set(overview) and set(overview) - {"syslog_stats"} <= RABBIT_OVERVIEW_KEYS
    assert {listener["protocol"]: listener["port"] for listener in overview["listeners"]} == {
        "amqp": managed.port, "http": managed.http_port}
    assert all(set(listener) == RABBIT_LISTENER_KEYS for listener in overview["listeners"])
    assert set(overview["queue_totals"]) == {"messages", "messages_details", "messages_ready", "messages_ready_details",
                                             "messages_unacknowledged", "messages_unacknowledged_details"}
    assert WARREN_QUEUE_KEYS <= RABBIT_QUEUE_KEYS
    assert call(managed, "PUT", "/api/queues/%2F/shaped", {"durable": True})[0] == 201
    assert set(call(managed, "GET", "/api/queues/%2F/shaped")[1]) == WARREN_QUEUE_KEYS


def test_message_rates_are_sampled_with_ranges(managed):
    connection = managed.connect()
    channel = connection.channel()
    channel.confirm_delivery()
    channel.queue_declare("rated")
    channel.exchange_declare("rated-x", "fanout")
    channel.queue_bind("rated", "rated-x")
    for _ in range(50):
        channel.basic_publish("rated-x", "", b"x")
    # The sampler takes a sample every 5 s; the rate shows once a sample after the publishes exists.
    wait_for(lambda: call(managed, "GET", "/api/overview")[1]["message_stats"]["publish_details"]["rate"] > 0, timeout=12)
    status, queue = call(managed, "GET", "/api/queues/%2F/rated?msg_rates_age=60&msg_rates_incr=5&lengths_age=60&lengths_incr=5")
    assert status == 200 and queue["message_stats"]["publish"] == 50
    for details in (queue["message_stats"]["publish_details"], queue["messages_details"]):
        assert set(details) == {"rate", "samples", "avg", "avg_rate"}  # RabbitMQ's keys
        assert len(details["samples"]) == 13 and all(set(s) == {"sample", "timestamp"} for s in details["samples"])
        stamps = [s["timestamp"] for s in details["samples"]]
        assert stamps == sorted(stamps, reverse=True) and all(t % 5000 == 0 for t in stamps)
        assert details["samples"][0]["sample"] == 50
    # RabbitMQ's fields for an exchange and a channel that published (recorded from 3.10.8).
    exchange_stats = call(managed, "GET", "/api/exchanges/%2F/rated-x")[1]["message_stats"]
    assert (exchange_stats["publish_in"], exchange_stats["publish_out"]) == (50, 50)
    assert set(exchange_stats) == {"publish_in", "publish_in_details", "publish_out", "publish_out_details"}
    default = call(managed, "GET", "/api/exchanges/%2F/amq.default")[1]  # RabbitMQ's URL for the default exchange
    assert (default["name"], default["type"]) == ("", "direct")
    [channel_stats] = [c["message_stats"] for c in call(managed, "GET", "/api/channels")[1]]
    assert (channel_stats["publish"], channel_stats["confirm"], channel_stats["return_unroutable"]) == (50, 50, 0)
    overview = call(managed, "GET", "/api/overview?msg_rates_age=600&msg_rates_incr=5")[1]
    assert overview["message_stats"]["confirm"] == 50
    assert len(overview["message_stats"]["publish_details"]["samples"]) == 121
    hour = call(managed, "GET", "/api/overview?msg_rates_age=3600&msg_rates_incr=60")[1]  # RabbitMQ's "last hour"
    assert len(hour["message_stats"]["publish_details"]["samples"]) == 61
    # RabbitMQ's bounds: at most 500 increments, a positive increment, both or neither given.
    for query in ("msg_rates_age=1000000000000000000&msg_rates_incr=1", "msg_rates_age=60&msg_rates_incr=0",
                  "lengths_age=-5&lengths_incr=5", "msg_rates_age=60"):
        status, error = call(managed, "GET", f"/api/overview?{query}")
        assert status == 400 and error["reason"].startswith("Invalid range parameters"), query
    connection.close()


def test_a_deleted_queues_series_leave_the_metrics(managed):
    connection = managed.connect()
    channel = connection.channel()
    channel.queue_declare("short-lived")
    channel.basic_publish("", "short-lived", b"x")
    channel.queue_declare("short-lived", passive=True)
    text = call(managed, "GET", "/metrics")[1].decode()
    assert 'warren_queue_messages_ready{vhost="/",queue="short-lived"} 1.0' in text
    channel.queue_delete("short-lived")
    text = call(managed, "GET", "/metrics")[1].decode()
    assert 'queue="short-lived"' not in text
    assert call(managed, "DELETE", "/api/queues/%2F/short-lived")[0] == 404
    connection.close()


def test_policies_set_over_the_api_survive_a_restart(warren_factory, tmp_path):
    data_dir = tmp_path / "kept"
    data_dir.mkdir()

    def start():
        port = find_free_port()
        w = warren_factory(extra_args=["--http-port", str(port), "--data-dir", str(data_dir)])
        assert w.wait_for_output("management HTTP listener ready"), w.output()
        w.http_port = port
        return w

    first = start()
    assert call(first, "PUT", "/api/queues/%2F/kept", {"durable": True})[0] == 201
    assert call(first, "PUT", "/api/policies/%2F/p", {"pattern": "^kept$", "definition": {"max-length": 5}})[0] == 201
    assert call(first, "PUT", "/api/operator-policies/%2F/op", {"pattern": "^kept$", "definition": {"max-length": 1}})[0] == 201
    assert first.stop() == 0
    second = start()
    assert [p["name"] for p in call(second, "GET", "/api/policies/%2F")[1]] == ["p"]
    assert [p["name"] for p in call(second, "GET", "/api/operator-policies/%2F")[1]] == ["op"]
    assert call(second, "GET", "/api/queues/%2F/kept")[1]["effective_policy_definition"] == {"max-length": 1}
    connection = second.connect()
    channel = connection.channel()
    for body in (b"1", b"2"):
        channel.basic_publish("", "kept", body)
    assert channel.queue_declare("kept", passive=True).method.message_count == 1
    connection.close()


def test_partial_and_per_vhost_definitions_import_as_in_rabbitmq(managed):
    # RabbitMQ 3.10.8 answers 204 to this body and creates the queue in the URL's vhost.
    body = {"queues": [{"name": "vh-imported", "durable": True, "auto_delete": False, "arguments": {}}]}
    assert call(managed, "POST", "/api/definitions/logs", body)[0] == 404  # no such vhost in this instance
    assert call(managed, "POST", "/api/definitions/%2F", body)[0] == 204
    assert call(managed, "GET", "/api/queues/%2F/vh-imported")[0] == 200
    partial = {"exchanges": [{"name": "only-ex", "vhost": "/", "type": "fanout", "durable": True, "auto_delete": False,
                              "internal": False, "arguments": {}}]}
    assert call(managed, "POST", "/api/definitions", partial)[0] == 204
    status, exported = call(managed, "GET", "/api/definitions/%2F")
    assert status == 200 and "vhosts" not in exported
    assert {"name": "only-ex", "type": "fanout", "durable": True, "auto_delete": False, "internal": False,
            "arguments": {}} in exported["exchanges"]
