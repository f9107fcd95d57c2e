"""Debian's rabbitmqadmin (RabbitMQ 3.10.8's management CLI, /usr/bin/rabbitmqadmin) against warren,
used as its users use it: list, show, declare, publish, get, delete, export and import."""

from __future__ import annotations

import json
import subprocess

import pika
import pytest

from conftest import HOST
from polling import wait_for
from test_management_api import managed  # noqa: F401  (the fixture)

RABBITMQADMIN = "/usr/bin/rabbitmqadmin"


def admin(w, *args, check=True):
    result = subprocess.run([RABBITMQADMIN, "-H", HOST, "-P", str(w.http_port), "-u", "guest", "-p", "guest", *args],
                            capture_output=True, text=True, timeout=30)
    if check:
        assert result.returncode == 0, f"rabbitmqadmin {' '.join(args)}: {result.stdout}{result.stderr}"
    return result


def rows(w, *args):
    """A list command's rows, from its raw JSON output."""
    return json.loads(admin(w, "-f", "raw_json", *args).stdout)


def tsv(w, *args):
    return [line.split("\t") for line in admin(w, "-f", "tsv", *args).stdout.splitlines()]


@pytest.mark.deadline(60)
def test_rabbitmqadmin_lists_declares_publishes_and_gets(managed, tmp_path):
    assert admin(managed, "declare", "queue", "name=adm-q", "durable=true").stdout.strip() == "queue declared"
    admin(managed, "declare", "exchange", "name=adm-x", "type=topic")
    admin(managed, "declare", "binding", "source=adm-x", "destination=adm-q", "routing_key=k.*")
    assert admin(managed, "publish", "exchange=adm-x", "routing_key=k.a", "payload=hello").stdout.strip() == "Message published"
    assert admin(managed, "publish", "exchange=adm-x", "routing_key=z", "payload=lost").stdout.strip() == \
        "Message published but NOT routed"
    assert admin(managed, "publish", "routing_key=adm-q", "payload=direct",
                 'properties={"delivery_mode": 2, "headers": {"h": 1}}').returncode == 0

    assert tsv(managed, "list", "queues", "name", "messages") == [["name", "messages"], ["adm-q", "2"]]
    [first] = rows(managed, "get", "queue=adm-q", "ackmode=ack_requeue_true")
    assert (first["payload"], first["routing_key"], first["exchange"], first["redelivered"]) == ("hello", "k.a", "adm-x", False)
    taken = rows(managed, "get", "queue=adm-q", "ackmode=ack_requeue_false", "count=5")
    assert [(m["payload"], m["redelivered"]) for m in taken] == [("hello", True), ("direct", False)]
    assert taken[1]["properties"] == {"delivery_mode": 2, "headers": {"h": 1}}
    assert rows(managed, "get", "queue=adm-q") == []

    connection = managed.connect()
    channel = connection.channel()
    channel.basic_consume("adm-q", lambda *a: None)
    assert [e["name"] for e in rows(managed, "list", "exchanges") if e["name"] == "adm-x"] == ["adm-x"]
    assert ["adm-x", "adm-q", "k.*"] in tsv(managed, "list", "bindings", "source", "destination", "routing_key")
    assert len(rows(managed, "list", "connections")) == 1 and len(rows(managed, "list", "channels")) == 1
    assert [c["queue"]["name"] for c in rows(managed, "list", "consumers")] == ["adm-q"]
    assert "guest" in [u["name"] for u in rows(managed, "list", "users")]
    assert "/" in [v["name"] for v in rows(managed, "list", "vhosts")]
    [node] = rows(managed, "list", "nodes")
    assert node["name"] and node["mem_used"] > 0
    table = admin(managed, "list", "nodes").stdout  # the default table: name, type, mem_used
    assert "disc" in table and node["name"] in table
    [overview] = json.loads(admin(managed, "-f", "raw_json", "show", "overview").stdout)
    assert overview["object_totals"]["queues"] == 1
    assert tsv(managed, "show", "overview")[0] == ["rabbitmq_version", "cluster_name", "queue_totals.messages", "object_totals.queues"]
    [listed] = rows(managed, "list", "connections")
    assert admin(managed, "close", "connection", f"name={listed['name']}").stdout.strip() == "connection closed"
    with pytest.raises(pika.exceptions.ConnectionClosedByBroker) as closed:
        while True:
            connection.process_data_events(0.1)
    assert (closed.value.reply_code, closed.value.reply_text) == (320, "CONNECTION_FORCED - Closed via management plugin")
    wait_for(lambda: rows(managed, "list", "connections") == [])
    channel = managed.connect().channel()
    channel.basic_publish("", "adm-q", b"to purge")
    assert admin(managed, "purge", "queue", "name=adm-q").stdout.strip() == "queue purged"
    assert channel.queue_declare("adm-q", passive=True).method.message_count == 0
    channel.connection.close()

    admin(managed, "declare", "policy", "name=cap", "pattern=^adm", 'definition={"max-length": 1}', "apply-to=queues")
    admin(managed, "declare", "operator_policy", "name=op", "pattern=^adm", 'definition={"message-ttl": 60000}')
    assert [(p["name"], p["definition"]) for p in rows(managed, "list", "policies")] == [("cap", {"max-length": 1})]
    assert [p["name"] for p in rows(managed, "list", "operator_policies")] == ["op"]
    assert [p["component"] for p in rows(managed, "list", "parameters")] == ["operator_policy"]
    bad = admin(managed, "declare", "policy", "name=bad", "pattern=x", 'definition={"nope": 1}', check=False)
    assert bad.returncode != 0 and "are not recognised policy settings" in bad.stdout + bad.stderr

    export = tmp_path / "warren.json"
    admin(managed, "export", str(export))
    exported = json.loads(export.read_text())
    assert {q["name"] for q in exported["queues"]} == {"adm-q"} and [p["name"] for p in exported["policies"]] == ["cap"]
    admin(managed, "delete", "binding", "source=adm-x", "destination_type=queue", "destination=adm-q", "properties_key=k.*")
    admin(managed, "delete", "queue", "name=adm-q")
    admin(managed, "delete", "policy", "name=cap")
    assert rows(managed, "list", "queues") == [] and rows(managed, "list", "policies") == []
    admin(managed, "import", str(export))
    assert [q["name"] for q in rows(managed, "list", "queues")] == ["adm-q"]
    assert ["adm-x", "adm-q", "k.*"] in tsv(managed, "list", "bindings", "source", "destination", "routing_key")
    one_vhost = tmp_path / "vhost.json"
    admin(managed, "-V", "/", "export", str(one_vhost))
    exported = json.loads(one_vhost.read_text())  # RabbitMQ's per-vhost shape: no vhosts, objects without vhost
    assert "vhosts" not in exported and [q["name"] for q in exported["queues"]] == ["adm-q"] and "vhost" not in exported["queues"][0]
    admin(managed, "delete", "queue", "name=adm-q")
    admin(managed, "-V", "/", "import", str(one_vhost))
    assert [q["name"] for q in rows(managed, "list", "queues")] == ["adm-q"]
    missing = admin(managed, "delete", "queue", "name=no-such-queue", check=False)
    assert missing.returncode != 0 and "Not found" in missing.stdout + missing.stderr
