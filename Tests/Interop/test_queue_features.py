"""Queue arguments as RabbitMQ 3.x documents them (https://www.rabbitmq.com/ttl.html, dlx.html,
maxlength.html, priority.html, consumers.html, ae.html), driven through pika and kombu.

The error texts and the x-death layout were read off RabbitMQ 3.10.8 (Debian 12) with the same
pika calls. Waiting is done by polling a condition with a deadline, never by sleeping a fixed time.
"""

from __future__ import annotations

import time

import pika
import pika.exceptions as pe
import pytest

import polling

DEADLINE = 5.0


def wait_for(condition, timeout=DEADLINE, interval=0.02):
    return polling.wait_for(condition, timeout, interval)


def depth(channel, queue):
    return channel.queue_declare(queue, passive=True).method.message_count


def get_body(channel, queue):
    method, properties, body = channel.basic_get(queue, auto_ack=True)
    return (method, properties, body) if method else None


def dead_letter_sink(channel, name="dead", durable=False):
    """A fanout dead-letter exchange `name` with one queue `name`."""
    channel.exchange_declare(name, "fanout", durable=durable)
    channel.queue_declare(name, durable=durable)
    channel.queue_bind(name, name)


@pytest.fixture
def channel(warren):
    """A channel in confirm mode: a publish has reached its queues when basic_publish returns."""
    connection = warren.connect()
    channel = connection.channel()
    channel.confirm_delivery()
    yield channel
    if connection.is_open:
        connection.close()


INVALID_ARGUMENTS = [
    ({"x-message-ttl": -1}, "invalid arg 'x-message-ttl' for queue 'q' in vhost '/': {value_negative,-1}"),
    ({"x-message-ttl": "abc"}, "invalid arg 'x-message-ttl' for queue 'q' in vhost '/': \"expected integer, got longstr\""),
    ({"x-message-ttl": 315360000001}, "invalid arg 'x-message-ttl' for queue 'q' in vhost '/': {value_too_large,315360000001}"),
    ({"x-expires": 0}, "invalid arg 'x-expires' for queue 'q' in vhost '/': {value_zero,0}"),
    ({"x-max-length": -1}, "invalid arg 'x-max-length' for queue 'q' in vhost '/': {value_negative,-1}"),
    ({"x-max-length-bytes": -1}, "invalid arg 'x-max-length-bytes' for queue 'q' in vhost '/': {value_negative,-1}"),
    ({"x-overflow": "foo"}, "invalid arg 'x-overflow' for queue 'q' in vhost '/': invalid_overflow"),
    ({"x-overflow": 1}, "invalid arg 'x-overflow' for queue 'q' in vhost '/': {unacceptable_type,signedint}"),
    ({"x-dead-letter-exchange": 5}, "invalid type 'signedint' for arg 'x-dead-letter-exchange' in queue 'q' in vhost '/'"),
    ({"x-dead-letter-routing-key": "k"}, "invalid arg 'x-dead-letter-routing-key' for queue 'q' in vhost '/': routing_key_but_no_dlx_defined"),
    ({"x-max-priority": 256}, "invalid arg 'x-max-priority' for queue 'q' in vhost '/': {max_value_exceeded,256}"),
    ({"x-single-active-consumer": "yes"}, "invalid arg 'x-single-active-consumer' for queue 'q' in vhost '/': {unacceptable_type,longstr}"),
    ({"x-queue-mode": "foo"}, "invalid arg 'x-queue-mode' for queue 'q' in vhost '/': \"unsupported queue mode 'foo'\""),
]


@pytest.mark.parametrize("arguments,text", INVALID_ARGUMENTS, ids=[next(iter(a)) + "=" + repr(next(iter(a.values()))) for a, _ in INVALID_ARGUMENTS])
def test_invalid_queue_arguments_are_refused_with_rabbits_text(channel, arguments, text):
    with pytest.raises(pe.ChannelClosedByBroker) as error:
        channel.queue_declare("q", arguments=arguments)
    assert error.value.reply_code == 406
    assert error.value.reply_text == "PRECONDITION_FAILED - " + text


@pytest.mark.parametrize("expiration,reason", [("-1", "{value_negative,-1}"), ("abc", "no_integer"),
                                               ("1.5", '{leftover_string,".5"}'), ("", "no_integer")])
def test_invalid_expiration_closes_the_channel(channel, expiration, reason):
    channel.queue_declare("q")
    with pytest.raises(pe.ChannelClosedByBroker) as error:
        channel.basic_publish("", "q", b"x", pika.BasicProperties(expiration=expiration))
        channel.queue_declare("q", passive=True)  # a round trip, so the close arrives
    assert error.value.reply_code == 406
    assert error.value.reply_text == f"PRECONDITION_FAILED - invalid expiration '{expiration}': {reason}"


def test_redeclare_with_another_ttl_is_inequivalent_and_passive_ignores_arguments(warren):
    connection = warren.connect()
    channel = connection.channel()
    channel.queue_declare("q", arguments={"x-message-ttl": 1000})
    channel.queue_declare("q", passive=True, arguments={"x-message-ttl": 5})
    with pytest.raises(pe.ChannelClosedByBroker) as error:
        channel.queue_declare("q", arguments={"x-message-ttl": 2000})
    assert error.value.reply_text == ("PRECONDITION_FAILED - inequivalent arg 'x-message-ttl' for queue 'q' in vhost '/': "
                                      "received '2000' but current is '1000'")
    connection.close()


def test_message_ttl_expires_messages_without_any_consumer(channel):
    channel.queue_declare("q")
    channel.basic_publish("", "q", b"short", pika.BasicProperties(expiration="30"))
    channel.basic_publish("", "q", b"long", pika.BasicProperties(expiration="600000"))
    assert depth(channel, "q") == 2
    # Only the head expires on its own; the long-lived message stays.
    wait_for(lambda: depth(channel, "q") == 1)
    assert get_body(channel, "q")[2] == b"long"


def test_queue_ttl_dead_letters_with_rabbits_x_death(channel):
    dead_letter_sink(channel)
    channel.queue_declare("ttl", arguments={"x-message-ttl": 20, "x-dead-letter-exchange": "dead",
                                            "x-dead-letter-routing-key": "rk"})
    channel.basic_publish("", "ttl", b"m", pika.BasicProperties(headers={"CC": ["cc1"], "app": "a"}))
    method, properties, body = wait_for(lambda: get_body(channel, "dead"))
    assert body == b"m" and method.routing_key == "rk" and method.exchange == "dead"
    headers = properties.headers
    assert headers["app"] == "a"
    [death] = headers["x-death"]
    assert death["count"] == 1 and death["reason"] == "expired" and death["queue"] == "ttl"
    assert death["exchange"] == "" and death["routing-keys"] == ["ttl", "cc1"]
    assert abs(death["time"].timestamp() - time.time()) < 60
    assert (headers["x-first-death-reason"], headers["x-first-death-queue"], headers["x-first-death-exchange"]) == ("expired", "ttl", "")
    assert depth(channel, "ttl") == 0


def test_ttl_zero_delivers_only_to_a_waiting_consumer(warren):
    connection = warren.connect()
    channel = connection.channel()
    channel.queue_declare("zero", arguments={"x-message-ttl": 0})
    channel.basic_publish("", "zero", b"nobody-waits")
    wait_for(lambda: depth(channel, "zero") == 0)
    received = []
    channel.basic_consume("zero", lambda ch, m, p, b: received.append(b), auto_ack=True)
    channel.basic_publish("", "zero", b"consumer-waits")
    wait_for(lambda: connection.process_data_events(0.05) or received)
    assert received == [b"consumer-waits"]
    connection.close()


def test_rejected_messages_are_dead_lettered_and_counted(channel):
    dead_letter_sink(channel)
    channel.queue_declare("work", arguments={"x-dead-letter-exchange": "dead"})
    channel.basic_publish("", "work", b"m", pika.BasicProperties(expiration="60000", headers={"a": 1}))
    method, _, _ = channel.basic_get("work")
    channel.basic_reject(method.delivery_tag, requeue=False)
    _, properties, _ = wait_for(lambda: get_body(channel, "dead"))
    [death] = properties.headers["x-death"]
    assert death["reason"] == "rejected" and death["original-expiration"] == "60000"
    assert properties.expiration is None
    # Back through the same queue and rejected again: one entry, count 2.
    channel.basic_publish("", "work", b"m", properties)
    method, _, _ = channel.basic_get("work")
    channel.basic_nack(method.delivery_tag, requeue=False)
    _, properties, _ = wait_for(lambda: get_body(channel, "dead"))
    [death] = properties.headers["x-death"]
    assert death["count"] == 2 and death["queue"] == "work"


def test_requeued_messages_are_not_dead_lettered(channel):
    dead_letter_sink(channel)
    channel.queue_declare("work", arguments={"x-dead-letter-exchange": "dead"})
    channel.basic_publish("", "work", b"m")
    method, _, _ = channel.basic_get("work")
    channel.basic_reject(method.delivery_tag, requeue=True)
    method, _, body = channel.basic_get("work", auto_ack=True)
    assert body == b"m" and method.redelivered
    assert depth(channel, "dead") == 0


def test_max_length_drops_the_oldest_into_the_dead_letter_exchange(channel):
    dead_letter_sink(channel)
    channel.queue_declare("capped", arguments={"x-max-length": 2, "x-dead-letter-exchange": "dead"})
    for body in (b"1", b"2", b"3", b"4"):
        channel.basic_publish("", "capped", body)
    assert depth(channel, "capped") == 2
    assert [get_body(channel, "capped")[2] for _ in range(2)] == [b"3", b"4"]
    dead = [get_body(channel, "dead") for _ in range(2)]
    assert [d[2] for d in dead] == [b"1", b"2"]
    assert dead[0][1].headers["x-death"][0]["reason"] == "maxlen"


def test_max_length_bytes_counts_body_bytes(channel):
    channel.queue_declare("bytes", arguments={"x-max-length-bytes": 10})
    for body in (b"aaaa", b"bbbb", b"cccc"):
        channel.basic_publish("", "bytes", body)
    assert depth(channel, "bytes") == 2
    assert get_body(channel, "bytes")[2] == b"bbbb"


def test_reject_publish_nacks_the_publisher_and_keeps_the_queue(channel):
    channel.queue_declare("full", arguments={"x-max-length": 1, "x-overflow": "reject-publish"})
    channel.basic_publish("", "full", b"first")
    with pytest.raises(pe.NackError):
        channel.basic_publish("", "full", b"second")
    assert depth(channel, "full") == 1
    assert get_body(channel, "full")[2] == b"first"
    channel.basic_publish("", "full", b"third")  # room again: acked


def test_reject_publish_dlx_dead_letters_what_it_refuses(channel):
    dead_letter_sink(channel)
    channel.queue_declare("full", arguments={"x-max-length": 1, "x-overflow": "reject-publish-dlx",
                                             "x-dead-letter-exchange": "dead"})
    channel.basic_publish("", "full", b"kept")
    with pytest.raises(pe.NackError):
        channel.basic_publish("", "full", b"refused")
    _, properties, body = wait_for(lambda: get_body(channel, "dead"))
    assert body == b"refused" and properties.headers["x-death"][0]["reason"] == "maxlen"


def test_a_dead_letter_cycle_without_rejections_is_dropped(channel):
    # Expired messages go back to the same queue through the default exchange: RabbitMQ drops
    # them the second time instead of cycling forever.
    channel.queue_declare("loop", arguments={"x-message-ttl": 10, "x-dead-letter-exchange": "",
                                             "x-dead-letter-routing-key": "loop"})
    channel.basic_publish("", "loop", b"m")
    wait_for(lambda: depth(channel, "loop") == 0)


# A passive declare renews the lease as any declare does, so these polls wait longer than x-expires.
LEASE_POLL = 0.3


def test_unused_queue_with_x_expires_is_deleted(warren):
    connection = warren.connect()
    channel = connection.channel()
    channel.queue_declare("transient-interest", arguments={"x-expires": 100})

    def gone():
        probe = connection.channel()
        try:
            probe.queue_declare("transient-interest", passive=True)
            probe.close()
            return False
        except pe.ChannelClosedByBroker as error:
            return error.reply_code == 404
    wait_for(gone, interval=LEASE_POLL)
    connection.close()


def test_x_expires_waits_while_a_consumer_is_attached(warren):
    connection = warren.connect()
    channel = connection.channel()
    channel.queue_declare("watched", arguments={"x-expires": 50})
    tag = channel.basic_consume("watched", lambda *a: None)
    # A heartbeat of activity well past the expiry: the queue must still be there.
    deadline = time.monotonic() + 0.3
    while time.monotonic() < deadline:
        connection.process_data_events(0.05)
    assert channel.queue_declare("watched", passive=True)
    channel.basic_cancel(tag)
    probe = connection.channel()

    def gone():
        try:
            probe.queue_declare("watched", passive=True)
            return False
        except pe.ChannelClosedByBroker:
            return True
    wait_for(gone, interval=LEASE_POLL)
    connection.close()


def test_priority_queue_delivers_highest_first_fifo_within_a_priority(channel):
    channel.queue_declare("prio", arguments={"x-max-priority": 10})
    for body, priority in ((b"low", 1), (b"mid-a", 5), (b"top", 9), (b"mid-b", 5), (b"over", 200), (b"none", None)):
        channel.basic_publish("", "prio", body, pika.BasicProperties(priority=priority))
    bodies = [get_body(channel, "prio")[2] for _ in range(6)]
    # 200 is capped at the queue's maximum (10); no priority counts as 0.
    assert bodies == [b"over", b"top", b"mid-a", b"mid-b", b"low", b"none"]


def test_requeued_messages_keep_their_priority_place(channel):
    channel.queue_declare("prio", arguments={"x-max-priority": 5})
    for body, priority in ((b"a", 5), (b"b", 1)):
        channel.basic_publish("", "prio", body, pika.BasicProperties(priority=priority))
    method, _, body = channel.basic_get("prio")
    assert body == b"a"
    channel.basic_publish("", "prio", b"c", pika.BasicProperties(priority=3))
    channel.basic_reject(method.delivery_tag, requeue=True)
    assert [get_body(channel, "prio")[2] for _ in range(3)] == [b"a", b"c", b"b"]


def test_single_active_consumer_gets_everything_until_it_leaves(warren):
    connection = warren.connect()
    channel = connection.channel()
    channel.queue_declare("sac", arguments={"x-single-active-consumer": True})
    first, second = [], []
    first_tag = channel.basic_consume("sac", lambda ch, m, p, b: first.append(b), auto_ack=True)
    channel.basic_consume("sac", lambda ch, m, p, b: second.append(b), auto_ack=True)
    for i in range(10):
        channel.basic_publish("", "sac", str(i).encode())
    wait_for(lambda: connection.process_data_events(0.02) or len(first) == 10)
    assert second == []
    channel.basic_cancel(first_tag)
    channel.basic_publish("", "sac", b"after")
    wait_for(lambda: connection.process_data_events(0.02) or second)
    assert second == [b"after"]
    connection.close()


def test_consumer_priority_prefers_the_higher_priority_consumer(warren):
    connection = warren.connect()
    channel = connection.channel()
    channel.queue_declare("cp")
    low, high = [], []
    channel.basic_consume("cp", lambda ch, m, p, b: low.append(b), auto_ack=True)
    channel.basic_consume("cp", lambda ch, m, p, b: high.append(b), auto_ack=True, arguments={"x-priority": 10})
    for i in range(20):
        channel.basic_publish("", "cp", str(i).encode())
    wait_for(lambda: connection.process_data_events(0.02) or len(high) + len(low) == 20)
    assert len(high) == 20 and low == []
    connection.close()


def test_invalid_consumer_priority_is_refused(channel):
    channel.queue_declare("cp")
    with pytest.raises(pe.ChannelClosedByBroker) as error:
        channel.basic_consume("cp", lambda *a: None, arguments={"x-priority": "high"})
    assert error.value.reply_text == ("PRECONDITION_FAILED - invalid arg 'x-priority' for queue 'cp' in vhost '/': "
                                      "\"expected integer, got longstr\"")


def test_alternate_exchange_takes_unroutable_messages_and_satisfies_mandatory(channel):
    channel.exchange_declare("unrouted", "fanout")
    channel.queue_declare("unrouted")
    channel.queue_bind("unrouted", "unrouted")
    channel.exchange_declare("main", "direct", arguments={"alternate-exchange": "unrouted"})
    channel.basic_publish("main", "nobody-binds-this", b"m", mandatory=True)  # no basic.return: no UnroutableError
    assert get_body(channel, "unrouted")[2] == b"m"


def test_kombu_priorities_and_per_message_ttl(warren):
    import kombu  # python3-kombu, installed by make test
    with kombu.Connection(warren.url(), transport_options={"confirm_publish": True}) as connection:
        queue = connection.SimpleQueue("kombu-prio", queue_opts={"max_priority": 10})
        for body, priority in (("low", 1), ("high", 9), ("mid", 5)):
            queue.put(body, priority=priority)
        got = []
        for _ in range(3):
            message = queue.get(timeout=DEADLINE)
            got.append(message.payload)
            message.ack()
        assert got == ["high", "mid", "low"]
        queue.close()
        expiring = connection.SimpleQueue("kombu-ttl")
        expiring.put("gone soon", expiration=0.02)
        expiring.put("kept")
        wait_for(lambda: len(expiring) == 1)
        message = expiring.get(timeout=DEADLINE)
        assert message.payload == "kept"
        message.ack()
        expiring.close()


def test_queue_features_survive_a_restart(warren_factory, tmp_path):
    data_dir = tmp_path / "kept-data"
    data_dir.mkdir()
    first = warren_factory(None, extra_args=("--data-dir", str(data_dir)))
    connection = first.connect()
    channel = connection.channel()
    dead_letter_sink(channel, durable=True)
    channel.queue_declare("durable-ttl", durable=True, arguments={"x-message-ttl": 60000, "x-max-length": 2,
                                                                  "x-dead-letter-exchange": "dead"})
    connection.close()
    first.stop()
    second = warren_factory(None, extra_args=("--data-dir", str(data_dir)))
    connection = second.connect()
    channel = connection.channel()
    for body in (b"1", b"2", b"3"):
        channel.basic_publish("", "durable-ttl", body, pika.BasicProperties(delivery_mode=2))
    assert depth(channel, "durable-ttl") == 2
    _, properties, body = wait_for(lambda: get_body(channel, "dead"))
    assert body == b"1" and properties.headers["x-death"][0]["reason"] == "maxlen"
    connection.close()


POLICY_CONFIG = """\
[[policies]]
name = "capped-logs"
pattern = "^logs\\\\."
apply_to = "queues"
priority = 1
definition = { max-length = 2, overflow = "reject-publish" }
"""


def test_config_policy_applies_to_matching_queues_only(warren_factory):
    w = warren_factory(POLICY_CONFIG)
    connection = w.connect()
    channel = connection.channel()
    channel.confirm_delivery()
    channel.queue_declare("logs.kern")
    channel.queue_declare("other")
    for body in (b"1", b"2"):
        channel.basic_publish("", "logs.kern", body)
        channel.basic_publish("", "other", body)
    with pytest.raises(pe.NackError):
        channel.basic_publish("", "logs.kern", b"3")
    channel.basic_publish("", "other", b"3")
    assert depth(channel, "logs.kern") == 2 and depth(channel, "other") == 3
    connection.close()


def test_invalid_config_policy_stops_warren_with_the_reason(warren_factory):
    w = warren_factory('[[policies]]\nname = "bad"\npattern = ".*"\ndefinition = { message-ttl = -5 }\n',
                       expect_ready=False)
    w.expected_exit = True
    assert w.wait_exit() == 78
    assert "policies: PRECONDITION_FAILED - invalid arg 'x-message-ttl' in policy 'bad' in vhost '/': {value_negative,-5}" in w.output()
