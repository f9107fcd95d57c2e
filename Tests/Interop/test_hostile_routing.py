"""Hostile routing inputs through a real warren (issue 12, inputs 1 and 2 and their variants).

1. A persistent message whose `x-death` count is 2^63-1 (or negative, of the wrong type, a long
   history, nested deep) expiring in a durable queue with a dead-letter exchange: warren used to
   trap on the count's overflow, and again after every restart. It must dead-letter the message
   with the count saturated, survive, recover it after a restart and keep serving.
2. A topic binding `#.#.#.#.#.#.#.#.#.#.#.#.#` and a 40-word routing key: the backtracking
   matcher spun forever. Routing must finish and every other client be served.

Synchronisation is by protocol (publisher confirms, a blocking consumer), never by sleeping.
"""

from __future__ import annotations

import pika
import pytest

INT64_MAX = 2**63 - 1
PERSISTENT = 2


def deep_table(depth: int) -> dict:
    table: dict = {"leaf": 1}
    for _ in range(depth):
        table = {"t": table}
    return table


# (name, count as the publisher wrote it, the count warren must write next, extra history)
HOSTILE_DEATHS = [
    ("max", INT64_MAX, INT64_MAX, []),
    ("negative", -5, -4, []),
    ("string", "9223372036854775807", 1, []),
    ("long-history", INT64_MAX, INT64_MAX,
     [{"count": INT64_MAX, "reason": "expired", "queue": f"other{i}"} for i in range(800)]),
    ("nested", INT64_MAX, INT64_MAX, [{"count": INT64_MAX, "reason": "expired", "queue": "deep", "x": deep_table(40)}]),
]


def hostile_headers(count, history) -> dict:
    return {"case": "", "x-death": [{"count": count, "reason": "expired", "queue": "work",
                                     "exchange": "", "routing-keys": ["work"]}] + history}


def declare_dead_lettering(channel, ttl_ms: int):
    channel.exchange_declare("dlx", "fanout", durable=True)
    channel.queue_declare("dead", durable=True)
    channel.queue_bind("dead", "dlx")
    channel.queue_declare("work", durable=True,
                          arguments={"x-message-ttl": ttl_ms, "x-dead-letter-exchange": "dlx"})


def publish_hostile(channel):
    channel.confirm_delivery()
    for name, count, _, history in HOSTILE_DEATHS:
        headers = hostile_headers(count, history)
        headers["case"] = name
        channel.basic_publish("", "work", name.encode(),
                              pika.BasicProperties(delivery_mode=PERSISTENT, headers=headers))


def collect_dead(connection, expected: int) -> dict:
    """The dead-lettered messages by case name, read with a blocking consumer."""
    channel = connection.channel()
    got = {}
    for method, properties, body in channel.consume("dead", auto_ack=True, inactivity_timeout=20):
        assert method is not None, f"only {sorted(got)} were dead-lettered"
        got[properties.headers["case"]] = properties.headers
        if len(got) == expected:
            break
    channel.cancel()
    return got


def as_int64(value: int) -> int:
    """pika 1.2 decodes a signed 64-bit `l` as unsigned: read it back as the signed value sent."""
    return value - 2**64 if value >= 2**63 else value


def assert_saturated(dead: dict):
    for name, _, expected, history in HOSTILE_DEATHS:
        deaths = dead[name]["x-death"]
        # The death in `work` moved to the front with its count advanced; the rest kept.
        assert deaths[0]["queue"] == "work" and deaths[0]["reason"] == "expired", name
        assert as_int64(deaths[0]["count"]) == expected, name
        assert len(deaths) == 1 + len(history), name


def assert_serving(w):
    connection = w.connect()
    channel = connection.channel()
    channel.confirm_delivery()
    channel.queue_declare("after")
    channel.basic_publish("", "after", b"still here")
    method, _, body = channel.basic_get("after", auto_ack=True)
    assert body == b"still here"
    connection.close()


def test_saturated_death_counts_expire_without_a_crash(warren):
    connection = warren.connect()
    declare_dead_lettering(connection.channel(), ttl_ms=10)
    publish_hostile(connection.channel())
    assert_saturated(collect_dead(connection, len(HOSTILE_DEATHS)))
    connection.close()
    assert warren.running()
    assert_serving(warren)


@pytest.mark.deadline(60)
def test_hostile_death_counts_recovered_after_a_restart_expire_and_warren_serves(warren_factory, tmp_path):
    data_dir = tmp_path / "restart-data"
    data_dir.mkdir()

    def start():
        return warren_factory(None, extra_args=("--data-dir", str(data_dir)))

    first = start()
    connection = first.connect()
    # Long enough to be on disk, unexpired, when the first warren is killed: TTLs count again
    # from recovery, so the messages expire in the second warren.
    declare_dead_lettering(connection.channel(), ttl_ms=4000)
    publish_hostile(connection.channel())  # confirmed: fsync'd
    first.expected_exit = True
    first.proc.kill()
    first.wait_exit()

    second = start()
    connection = second.connect()
    assert_saturated(collect_dead(connection, len(HOSTILE_DEATHS)))
    connection.close()
    assert second.running()
    assert_serving(second)


@pytest.mark.parametrize("pattern,words", [
    ("#.#.#.#.#.#.#.#.#.#.#.#.#", 40),
    ("#.#.#.#.#.#.#.#.#.#.#.#.#.never", 40),
    (".".join(["*.#"] * 20), 60),
    (".".join(["#"] * 127), 127),
], ids=["13-hashes", "13-hashes-miss", "star-hash-mix", "127-hashes"])
def test_pathological_topic_patterns_route_and_warren_keeps_serving(warren, pattern, words):
    connection = warren.connect()
    channel = connection.channel()
    channel.confirm_delivery()
    channel.exchange_declare("hostile", "topic")
    channel.queue_declare("trap")
    channel.queue_bind("trap", "hostile", pattern)
    channel.queue_declare("all")
    channel.queue_bind("all", "hostile", "#")
    key = ".".join(["w"] * words)
    assert len(key) <= 255
    channel.basic_publish("hostile", key, b"40 words")
    channel.basic_publish("hostile", "." * 127, b"128 empty words")
    matched = channel.queue_declare("trap", passive=True).method.message_count
    assert matched == (0 if pattern.endswith("never") else 2)
    assert channel.queue_declare("all", passive=True).method.message_count == 2
    # Another client is served at once.
    assert_serving(warren)
    connection.close()


def test_exchange_graph_with_exponentially_many_paths_routes_once(warren):
    connection = warren.connect()
    channel = connection.channel()
    channel.confirm_delivery()
    channel.exchange_declare("top", "fanout")
    layers = [[f"g{layer}.{i}" for i in range(6)] for layer in range(12)]
    for layer in layers:
        for name in layer:
            channel.exchange_declare(name, "fanout")
    for name in layers[0]:
        channel.exchange_bind(name, "top")
    for upper, lower in zip(layers, layers[1:]):
        for source in upper:
            for destination in lower:
                channel.exchange_bind(destination, source)
    channel.queue_declare("bottom")
    for name in layers[-1]:
        channel.queue_bind("bottom", name)
    channel.basic_publish("top", "k", b"once")
    assert channel.queue_declare("bottom", passive=True).method.message_count == 1
    assert_serving(warren)
    connection.close()


@pytest.mark.parametrize("mode,text", [
    ("bogus", "PRECONDITION_FAILED - Invalid x-match field value <<\"bogus\">>; expected all, any, all-with-x, or any-with-x"),
    (7, "PRECONDITION_FAILED - Invalid x-match field type signedint (value 7); expected longstr"),
])
def test_headers_binding_with_an_unknown_x_match_is_refused(warren, mode, text):
    connection = warren.connect()
    channel = connection.channel()
    channel.queue_declare("q")
    with pytest.raises(pika.exceptions.ChannelClosedByBroker) as refused:
        channel.queue_bind("q", "amq.headers", arguments={"x-match": mode, "a": 1})
    assert refused.value.reply_code == 406 and refused.value.reply_text == text
    assert_serving(warren)
    connection.close()
