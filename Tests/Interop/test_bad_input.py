"""Bad input on one connection closes that connection with the right reply code,
and nothing else: a pika connection opened beforehand keeps working.

Each case: a well-behaved pika connection (the bystander) is opened first, then a
raw connection does the handshake and sends the bad bytes. The server must answer
with connection.close carrying the expected code and a text starting with the
code's name (RabbitMQ style, e.g. "FRAME_ERROR - ..."), hang up after our
close-ok, and the bystander must still be able to open a channel.

RabbitMQ 3.10.8 agrees on every code asserted here except where a case says so.
"""

import pytest

import amqp_raw as r

CODE_NAMES = {
    501: "FRAME_ERROR",
    502: "SYNTAX_ERROR",
    503: "COMMAND_INVALID",
    504: "CHANNEL_ERROR",
    505: "UNEXPECTED_FRAME",
}

EOF_DEADLINE = 10.0

QOS_ARGS = r.long_(0) + r.short(10) + r.octet(0)


@pytest.fixture
def bystander(warren):
    conn = warren.connect()
    ch = conn.channel()
    assert ch.is_open
    yield conn
    if conn.is_open:
        conn.close()


def assert_bystander_unaffected(warren, bystander):
    assert bystander.is_open
    ch = bystander.channel()
    assert ch.is_open
    ch.close()
    # New connections are still accepted too.
    with warren.raw_connect() as c:
        c.open_channel(1)
        c.close()


def expect_hard_error(client, code, class_method=None, await_eof=True):
    got_code, text = client.wait_for_close()
    assert got_code == code, f"expected {code}, got {got_code} {text!r}"
    assert text.startswith(CODE_NAMES[code]), text
    if class_method is not None:
        # Spec: class-id/method-id name the method that provoked the close
        # (RabbitMQ fills them in for every method-caused hard error).
        close = client.last_close
        assert (close.class_id, close.method_id) == tuple(class_method), close
    if await_eof:
        # After close-ok the server hangs up without sending anything else.
        # After an undecodable frame neither RabbitMQ nor warren can read our
        # close-ok, and they hang up ~3 s later: hence the generous deadline, and
        # the parametrized decode-error cases skip this wait (await_eof=False);
        # the *_then_hang_up tests cover it once per family.
        assert client.read_until_eof(timeout=EOF_DEADLINE) == b""


# ---------------------------------------------------------------------------
# Protocol header
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("header", [
    b"AMQP\x00\x00\x09\x00",          # 0-9-0
    b"AMQP\x00\x00\x08\x00",          # 0-8 style
    b"AMQP\x00\x01\x00\x00",          # AMQP 1.0
    b"HTTP/1.1",
    b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
], ids=["0-9-0", "0-8", "1-0", "HTTP", "GET"])
def test_wrong_protocol_header_answered_with_0091_then_eof(warren, bystander, header):
    with warren.raw() as c:
        c.send(header)
        assert c.read_until_eof() == r.PROTOCOL_HEADER
    assert_bystander_unaffected(warren, bystander)


# ---------------------------------------------------------------------------
# Framing errors: 501 FRAME_ERROR
# ---------------------------------------------------------------------------

def test_frame_header_claiming_huge_size_then_hang_up(warren, bystander):
    """Rejected on the header alone: the server must not wait for 2 GiB of payload.
    Then, once close-ok is sent, the server closes the socket."""
    with warren.raw_connect() as c:
        c.open_channel(1)
        c.send(r.frame(r.FRAME_METHOD, 1, b"", size=0x7FFFFFFF)[:7])
        expect_hard_error(c, 501)
    assert_bystander_unaffected(warren, bystander)


@pytest.mark.parametrize("channel", [0, 1])
def test_frame_larger_than_frame_max(warren, bystander, channel):
    """Payload frame_max + 1 (RabbitMQ tolerates up to frame_max, refuses beyond)."""
    with warren.raw_connect() as c:
        c.open_channel(1)
        c.send(r.frame(r.FRAME_METHOD, channel, b"x" * (c.tune.frame_max + 1)))
        expect_hard_error(c, 501, await_eof=False)
    assert_bystander_unaffected(warren, bystander)


def test_frame_larger_than_a_lowered_frame_max(warren, bystander):
    """The frame_max the client chose in tune-ok (4096) is the one enforced."""
    with warren.raw_connect(frame_max=4096) as c:
        c.open_channel(1)
        c.send(r.frame(r.FRAME_METHOD, 1, b"x" * 4097))
        expect_hard_error(c, 501, await_eof=False)
    assert_bystander_unaffected(warren, bystander)


@pytest.mark.parametrize("end", [0x00, 0xCD, 0xCF, 0xFF])
def test_bad_frame_end_octet(warren, bystander, end):
    with warren.raw_connect() as c:
        c.send(r.method_frame(1, r.CHANNEL_OPEN, r.channel_open_args(), end=end))
        expect_hard_error(c, 501, await_eof=False)
    assert_bystander_unaffected(warren, bystander)


@pytest.mark.parametrize("ftype,channel,payload", [
    (99, 0, b""),
    (7, 1, b"abc"),
    (0, 0, b""),
    (4, 1, b""),      # 0-8 era "oob/trace" type, not 0-9-1
])
def test_unknown_frame_type(warren, bystander, ftype, channel, payload):
    with warren.raw_connect() as c:
        c.open_channel(1)
        c.send(r.frame(ftype, channel, payload))
        expect_hard_error(c, 501, await_eof=False)
    assert_bystander_unaffected(warren, bystander)


# ---------------------------------------------------------------------------
# Malformed arguments: 502 SYNTAX_ERROR
# (RabbitMQ differs: it answers overrunning tables with 501 "cannot decode" and
#  drops the socket without connection.close on unknown field types.)
# ---------------------------------------------------------------------------

MALFORMED_TABLES = {
    "unknown-field-type": r.long_(3) + b"\x01aQ",
    "table-overruns-payload": r.long_(1000) + b"\x01aS",
    "value-overruns-table": r.long_(7) + b"\x01aS" + r.long_(100),
    "key-overruns-table": r.long_(2) + b"\x09a",
    "nested-table-overruns": r.long_(11) + b"\x01aF" + r.long_(100) + b"\x01b",
}


@pytest.mark.parametrize("table", list(MALFORMED_TABLES.values()), ids=list(MALFORMED_TABLES))
def test_malformed_field_table(warren, bystander, table):
    with warren.raw_connect() as c:
        c.open_channel(1)
        c.send_method(1, r.QUEUE_DECLARE, r.queue_declare_args("q", arguments=table))
        expect_hard_error(c, 502, class_method=r.QUEUE_DECLARE, await_eof=False)
    assert_bystander_unaffected(warren, bystander)


def test_malformed_field_table_then_hang_up(warren, bystander):
    with warren.raw_connect() as c:
        c.open_channel(1)
        c.send_method(1, r.QUEUE_DECLARE, r.queue_declare_args("q", arguments=MALFORMED_TABLES["unknown-field-type"]))
        expect_hard_error(c, 502, class_method=r.QUEUE_DECLARE, await_eof=True)
    assert_bystander_unaffected(warren, bystander)


# ---------------------------------------------------------------------------
# Wrong channel: 504 CHANNEL_ERROR / 503 COMMAND_INVALID
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("class_method,args", [
    (r.CHANNEL_OPEN, r.channel_open_args()),
    (r.BASIC_QOS, QOS_ARGS),
    (r.QUEUE_DECLARE, r.queue_declare_args("q")),
], ids=["channel.open", "basic.qos", "queue.declare"])
def test_channel_method_on_channel_zero(warren, bystander, class_method, args):
    """As RabbitMQ 3.10: 504 CHANNEL_ERROR 'unexpected method in connection state running'."""
    with warren.raw_connect() as c:
        c.send_method(0, class_method, args)
        expect_hard_error(c, 504, class_method=class_method)
    assert_bystander_unaffected(warren, bystander)


def test_connection_method_on_nonzero_channel(warren, bystander):
    """Spec 2.3.7: connection-class frames on a non-zero channel are 503
    (RabbitMQ: 503 COMMAND_INVALID)."""
    with warren.raw_connect() as c:
        c.open_channel(1)
        c.send_method(1, r.CONNECTION_CLOSE, r.close_args())
        got, text = c.wait_for_close()
        assert got == 503, text
        assert text.startswith("COMMAND_INVALID"), text
    assert_bystander_unaffected(warren, bystander)


@pytest.mark.parametrize("class_method,args", [
    (r.BASIC_QOS, QOS_ARGS),
    (r.QUEUE_DECLARE, r.queue_declare_args("q")),
    (r.CHANNEL_CLOSE, r.close_args()),
], ids=["basic.qos", "queue.declare", "channel.close"])
def test_method_on_unopened_channel(warren, bystander, class_method, args):
    with warren.raw_connect() as c:
        c.open_channel(1)
        c.send_method(5, class_method, args)
        expect_hard_error(c, 504, class_method=class_method)
    assert_bystander_unaffected(warren, bystander)


def test_method_on_channel_after_it_was_closed(warren, bystander):
    with warren.raw_connect() as c:
        c.open_channel(3)
        c.close_channel(3)
        c.send_method(3, r.BASIC_QOS, QOS_ARGS)
        expect_hard_error(c, 504, class_method=r.BASIC_QOS)
    assert_bystander_unaffected(warren, bystander)


def test_second_channel_open_on_open_channel(warren, bystander):
    with warren.raw_connect() as c:
        c.open_channel(1)
        c.send_method(1, r.CHANNEL_OPEN, r.channel_open_args())
        expect_hard_error(c, 504, class_method=r.CHANNEL_OPEN)
    # RabbitMQ: "CHANNEL_ERROR - second 'channel.open' seen"
    assert_bystander_unaffected(warren, bystander)


def test_bad_input_on_one_channel_closes_only_its_connection(warren, bystander):
    """Two raw connections: the one that errs is closed, the other keeps its channels."""
    with warren.raw_connect() as good, warren.raw_connect() as bad:
        good.open_channel(1)
        bad.open_channel(1)
        bad.send(r.method_frame(1, r.CHANNEL_OPEN, r.channel_open_args(), end=0))
        expect_hard_error(bad, 501, await_eof=False)
        good.open_channel(2)
        good.close_channel(1)
        good.close()
    assert_bystander_unaffected(warren, bystander)

