"""Permissions as RabbitMQ checks them, through real pika clients against warren: each row of the
access-control table allowed and refused with RabbitMQ's code and text, topic permissions on
topic_logs with pika and `warren tail`, vhost access, user deletion, persistence across restart."""

from __future__ import annotations

import os
import socket
import subprocess
import threading

import pika
import pika.exceptions as pe
import pytest

from conftest import HOST, find_free_port
from polling import wait_for
from test_management_api import call

ALICE = ("alice", "wonder1and")


@pytest.fixture
def secured(warren_factory):
    port = find_free_port()
    w = warren_factory(None, extra_args=["--http-port", str(port)])
    assert w.wait_for_output("management HTTP listener ready"), w.output()
    w.http_port = port
    assert call(w, "PUT", "/api/users/alice", {"password": ALICE[1], "tags": ""})[0] == 201
    return w


def grant(w, user, configure, write, read, vhost="%2F"):
    status, body = call(w, "PUT", f"/api/permissions/{vhost}/{user}", {"configure": configure, "write": write, "read": read})
    assert status in (201, 204), body


def refused(action, text, code=403):
    with pytest.raises(pe.ChannelClosedByBroker) as error:
        action()
    assert (error.value.reply_code, error.value.reply_text) == (code, text)


def alice_channel(w):
    return w.connect(user=ALICE[0], password=ALICE[1]).channel()


def test_a_new_user_has_no_vhost_access_until_granted(secured):
    with pytest.raises((pe.ProbableAccessDeniedError, pe.ConnectionClosedByBroker)) as error:
        secured.connect(user=ALICE[0], password=ALICE[1])
    assert "NOT_ALLOWED - access to vhost '/' refused for user 'alice'" in str(error.value)
    grant(secured, "alice", "", "", "")
    secured.connect(user=ALICE[0], password=ALICE[1]).close()


def test_each_row_of_rabbitmqs_permission_table(secured):
    admin = secured.connect().channel()
    for name in ("in", "out", "other"):
        admin.exchange_declare(name, "direct")
    admin.queue_declare("q")
    grant(secured, "alice", r"^alice\.", r"^(alice\..*|in|amq\.default)$", r"^(alice\..*|out)$")
    refusal = "access to {1} '{2}' in vhost '/' refused for user 'alice'"

    ch = alice_channel(secured)
    ch.queue_declare("alice.q")
    ch.exchange_declare("alice.x", "fanout")
    ch.queue_declare("q", passive=True)                     # passive: no permission needed
    ch.queue_bind("alice.q", "out", "k")                    # write on queue, read on exchange
    ch.exchange_bind("in", "out", "k")                      # write on destination, read on source
    ch.basic_publish("in", "k", b"m")                        # write on exchange
    ch.basic_publish("", "alice.q", b"m")                    # write on amq.default
    assert ch.basic_get("alice.q", auto_ack=True)[0] is not None
    ch.queue_purge("alice.q")
    ch.queue_unbind("alice.q", "out", "k")
    ch.queue_delete("alice.q")
    ch.exchange_delete("alice.x")

    rows = [
        (lambda c: c.queue_declare("q"), refusal.format("configure", "queue", "q")),
        (lambda c: c.queue_declare("", exclusive=True), None),  # server-named: configure on amq.gen-…
        (lambda c: c.exchange_declare("x", "direct"), refusal.format("configure", "exchange", "x")),
        (lambda c: c.exchange_delete("in"), refusal.format("configure", "exchange", "in")),
        (lambda c: c.queue_delete("q"), refusal.format("configure", "queue", "q")),
        (lambda c: c.queue_bind("q", "out", "k"), refusal.format("write", "queue", "q")),
        (lambda c: c.queue_bind("alice.q2", "other", "k"), refusal.format("read", "exchange", "other")),
        (lambda c: c.exchange_bind("other", "out", "k"), refusal.format("write", "exchange", "other")),
        (lambda c: c.exchange_unbind("in", "other", "k"), refusal.format("read", "exchange", "other")),
        (lambda c: c.queue_unbind("q", "out", "k"), refusal.format("write", "queue", "q")),
        (lambda c: c.basic_get("q"), refusal.format("read", "queue", "q")),
        (lambda c: c.basic_consume("q", lambda *a: None), refusal.format("read", "queue", "q")),
        (lambda c: c.queue_purge("q"), refusal.format("read", "queue", "q")),
    ]
    for action, text in rows:
        ch = alice_channel(secured)
        if text is None:
            with pytest.raises(pe.ChannelClosedByBroker) as error:
                action(ch)
            assert error.value.reply_code == 403
            assert error.value.reply_text.startswith("ACCESS_REFUSED - access to queue 'amq.gen-")
        else:
            refused(lambda: action(ch), "ACCESS_REFUSED - " + text)
    ch = alice_channel(secured)
    ch.confirm_delivery()
    refused(lambda: ch.basic_publish("out", "k", b"m"), "ACCESS_REFUSED - " + refusal.format("write", "exchange", "out"))


def test_a_user_id_property_must_name_the_publisher(secured):
    grant(secured, "alice", ".*", ".*", ".*")
    ch = alice_channel(secured)
    ch.confirm_delivery()
    ch.basic_publish("amq.topic", "k", b"m", pika.BasicProperties(user_id="alice"))
    refused(lambda: ch.basic_publish("amq.topic", "k", b"m", pika.BasicProperties(user_id="root")),
            "PRECONDITION_FAILED - user_id property set to 'root' but authenticated user was 'alice'", code=406)


def test_a_permission_change_holds_for_the_next_operation(secured):
    grant(secured, "alice", ".*", ".*", ".*")
    ch = alice_channel(secured)
    ch.queue_declare("alice.q")
    grant(secured, "alice", ".*", ".*", "^$")
    refused(lambda: ch.basic_get("alice.q"), "ACCESS_REFUSED - access to queue 'alice.q' in vhost '/' refused for user 'alice'")


def test_topic_permissions_on_topic_logs_with_pika(secured):
    grant(secured, "alice", r"^amq\.gen.*", r"^(amq\.gen.*|topic_logs)$", r"^(amq\.gen.*|topic_logs)$")
    status, body = call(secured, "PUT", "/api/topic-permissions/%2F/alice", {"exchange": "topic_logs", "write": r"^{username}\.", "read": r"^auth\."})
    assert status == 201, body
    ch = alice_channel(secured)
    queue = ch.queue_declare("", exclusive=True).method.queue
    ch.queue_bind(queue, "topic_logs", "auth.*")
    ch.confirm_delivery()
    ch.basic_publish("topic_logs", "alice.info", b"own")
    refused(lambda: ch.queue_bind(queue, "topic_logs", "kern.*"),
            "ACCESS_REFUSED - access to topic 'kern.*' in exchange 'topic_logs' in vhost '/' refused for user 'alice'")
    ch = alice_channel(secured)
    ch.confirm_delivery()
    refused(lambda: ch.basic_publish("topic_logs", "kern.info", b"forged"),
            "ACCESS_REFUSED - access to topic 'kern.info' in exchange 'topic_logs' in vhost '/' refused for user 'alice'")


def test_warren_tail_with_topic_read_on_auth_only(secured):
    grant(secured, "alice", r"^amq\.gen.*", r"^amq\.gen.*", r"^(amq\.gen.*|topic_logs)$")
    assert call(secured, "PUT", "/api/topic-permissions/%2F/alice", {"exchange": "topic_logs", "write": "", "read": r"^auth\."})[0] == 201
    url = secured.url(user=ALICE[0], password=ALICE[1])
    refusal = subprocess.run([os.environ["WARREN_BIN"], "tail", "--url", url, "kern.*"], capture_output=True, text=True, timeout=30)
    assert refusal.returncode != 0
    assert "access to topic 'kern.*' in exchange 'topic_logs' in vhost '/' refused for user 'alice'" in refusal.stderr
    tail = subprocess.Popen([os.environ["WARREN_BIN"], "tail", "--url", url, "--no-color", "auth.*"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        bound = threading.Event()
        threading.Thread(target=lambda: ("bound to" in tail.stderr.readline()) and bound.set(), daemon=True).start()
        assert bound.wait(20), "warren tail did not bind"
        publisher = secured.connect().channel()
        publisher.basic_publish("topic_logs", "kern.info", b"kernel secret")
        publisher.basic_publish("topic_logs", "auth.info", b"login ok")
        assert "login ok" in tail.stdout.readline()
    finally:
        tail.terminate()
        remaining = tail.communicate(timeout=10)[0]
    assert "kernel secret" not in remaining


def test_deleting_a_user_closes_its_connections(secured):
    grant(secured, "alice", ".*", ".*", ".*")
    connection = secured.connect(user=ALICE[0], password=ALICE[1])
    assert call(secured, "DELETE", "/api/users/alice")[0] == 204
    with pytest.raises(pe.ConnectionClosedByBroker) as error:
        wait_for(lambda: connection.process_data_events(0.2) or not connection.is_open, timeout=10)
    assert (error.value.reply_code, error.value.reply_text) == (320, "CONNECTION_FORCED - user 'alice' is deleted")
    with pytest.raises(pe.ProbableAuthenticationError):
        secured.connect(user=ALICE[0], password=ALICE[1])


def test_users_and_permissions_survive_a_restart(warren_factory, tmp_path):
    data = tmp_path / "kept"
    data.mkdir()
    port = find_free_port()
    first = warren_factory(None, extra_args=["--http-port", str(port), "--data-dir", str(data)])
    assert first.wait_for_output("management HTTP listener ready")
    first.http_port = port
    assert call(first, "PUT", "/api/users/alice", {"password": ALICE[1]})[0] == 201
    grant(first, "alice", "^$", "^$", r"^kept$")
    assert call(first, "PUT", "/api/topic-permissions/%2F/alice", {"exchange": "topic_logs", "write": "", "read": "^auth"})[0] == 201
    assert call(first, "DELETE", "/api/users/guest")[0] == 204  # deleted stays deleted
    assert first.terminate() == 0
    assert (data / "definitions.json").stat().st_mode & 0o077 == 0  # password hashes: owner only
    port = find_free_port()
    second = warren_factory(None, extra_args=["--http-port", str(port), "--data-dir", str(data)])
    second.http_port = port
    with pytest.raises(pe.ProbableAuthenticationError):
        second.connect()
    ch = alice_channel(second)
    refused(lambda: ch.queue_declare("kept"), "ACCESS_REFUSED - access to queue 'kept' in vhost '/' refused for user 'alice'")


def non_loopback_address():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 9))  # UDP: no packet is sent
        except OSError:
            return None
        address = probe.getsockname()[0]
    return None if address.startswith("127.") else address


@pytest.mark.parametrize("config,allowed", [(None, False), ("loopback_users = []\n", True)])
def test_loopback_users_may_log_in_from_loopback_only(warren_factory, config, allowed):
    address = non_loopback_address()
    if address is None:
        pytest.skip("no non-loopback IPv4 address on this machine")
    w = warren_factory(config, extra_args=["--bind", "0.0.0.0"], expect_ready=False)
    assert w.wait_for_output(f"AMQP listener ready on 0.0.0.0:{w.port}"), w.output()
    params = pika.ConnectionParameters(address, w.port, "/", pika.PlainCredentials("guest", "guest"), connection_attempts=1)
    if allowed:
        pika.BlockingConnection(params).close()
    else:
        with pytest.raises(pe.ProbableAuthenticationError):
            pika.BlockingConnection(params)
    pika.BlockingConnection(w.params()).close()  # from loopback: always
