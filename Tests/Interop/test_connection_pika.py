"""Connection lifecycle driven by pika's BlockingConnection (the common Python client).

Reference behaviour checked against RabbitMQ 3.10.8 (Debian 12's rabbitmq-server).
"""

import signal
import socket
import time

import pika
import pika.exceptions as pe
import pytest

from conftest import DEFAULT_CONFIG, HOST, USERS


def drive_until_closed(conn, seconds: float):
    """Run pika's I/O loop until the broker closes the connection or the deadline passes."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        conn.process_data_events(time_limit=min(0.25, max(deadline - time.monotonic(), 0)))


# ---------------------------------------------------------------------------
# Open / close
# ---------------------------------------------------------------------------

def test_connect_and_close_cleanly(warren):
    conn = warren.connect()
    assert conn.is_open
    # connection.start carried a server-properties table and offered PLAIN.
    assert isinstance(conn._impl.server_properties, dict)
    conn.close()
    assert conn.is_closed
    # The server is still there for the next client.
    conn2 = warren.connect()
    assert conn2.is_open
    conn2.close()


def test_negotiated_limits_are_the_servers_proposal(warren):
    proposed = []

    def heartbeat_cb(connection, server_value):
        proposed.append(server_value)
        return server_value

    conn = warren.connect(heartbeat=heartbeat_cb)
    try:
        assert proposed == [60], "server must propose heartbeat 60 in connection.tune"
        p = conn._impl.params
        assert p.heartbeat == 60
        # pika asks for channel_max 65535 and frame_max 131072: the lower wins.
        assert p.channel_max == 2047
        assert p.frame_max == 131072
    finally:
        conn.close()


def test_client_can_lower_channel_and_frame_max(warren):
    conn = warren.connect(channel_max=10, frame_max=8192)
    try:
        assert conn._impl.params.channel_max == 10
        assert conn._impl.params.frame_max == 8192
        ch = conn.channel()
        assert ch.is_open
    finally:
        conn.close()


@pytest.mark.parametrize("asked", [5, 1, 0, 120])
def test_heartbeat_is_what_the_client_asks(warren, asked):
    """pika sends its own heartbeat in tune-ok whenever one is given (0 = disable).

    RabbitMQ 3.10 takes the client's tune-ok heartbeat as-is: 5 -> 5, 0 -> 0
    (disabled, not the server's 60), and even 120 > 60 -> 120 (checked with
    `rabbitmqctl list_connections timeout`). Only what pika settled on is
    observable here; test_connection_raw checks what the server does with it.
    """
    conn = warren.connect(heartbeat=asked)
    try:
        assert conn._impl.params.heartbeat == asked
        if asked == 0:
            assert conn._impl._heartbeat_checker is None
        ch = conn.channel()
        assert ch.is_open
    finally:
        conn.close()


@pytest.mark.deadline(20)
def test_heartbeats_keep_an_idle_connection_open(warren):
    """heartbeat=1: pika sends a heartbeat every 0.5 s; the server must count them as
    activity (two silent intervals would be 2 s) and must not reject heartbeat frames."""
    conn = warren.connect(heartbeat=1)
    try:
        drive_until_closed(conn, 3.5)
        assert conn.is_open
        ch = conn.channel()
        assert ch.is_open
        ch.close()
    finally:
        if conn.is_open:
            conn.close()


# ---------------------------------------------------------------------------
# Channels
# ---------------------------------------------------------------------------

def test_open_several_channels_and_close_them(warren):
    conn = warren.connect()
    try:
        chans = [conn.channel() for _ in range(5)]
        assert [c.channel_number for c in chans] == [1, 2, 3, 4, 5]
        assert all(c.is_open for c in chans)
        chans[1].close()
        assert chans[1].is_closed
        # pika reuses the lowest free number: the server must have released channel 2.
        again = conn.channel()
        assert again.channel_number == 2 and again.is_open
        for c in chans[:1] + chans[2:] + [again]:
            c.close()
            assert c.is_closed
        assert conn.is_open
    finally:
        conn.close()


def test_explicit_channel_numbers_up_to_channel_max(warren):
    conn = warren.connect()
    try:
        chans = [conn.channel(channel_number=n) for n in (2047, 1000, 7)]
        assert [c.channel_number for c in chans] == [2047, 1000, 7]
        assert all(c.is_open for c in chans)
        for c in chans:
            c.close()
        # Automatic numbering still starts at 1.
        assert conn.channel().channel_number == 1
    finally:
        conn.close()


def test_reopen_a_closed_channel_number(warren):
    conn = warren.connect()
    try:
        for _ in range(3):
            ch = conn.channel(channel_number=42)
            assert ch.is_open
            ch.close()
            assert ch.is_closed
        assert conn.is_open
    finally:
        conn.close()


def test_many_channels_on_one_connection(warren):
    conn = warren.connect()
    try:
        chans = [conn.channel() for _ in range(100)]
        assert sorted(c.channel_number for c in chans) == list(range(1, 101))
        for c in chans:
            c.close()
        assert conn.is_open
    finally:
        conn.close()


def test_several_connections_at_once(warren):
    conns = [warren.connect() for _ in range(8)]
    try:
        chans = [c.channel() for c in conns]
        assert all(ch.is_open for ch in chans)
    finally:
        for c in conns:
            c.close()
    assert all(c.is_closed for c in conns)


# ---------------------------------------------------------------------------
# Authentication and vhosts
# ---------------------------------------------------------------------------

AUTH_ERRORS = (pe.ProbableAuthenticationError, pe.AuthenticationError)
VHOST_ERRORS = (pe.ProbableAccessDeniedError, pe.ConnectionClosedByBroker)


@pytest.mark.parametrize("user,password", [
    ("guest", "wrong"),
    ("guest", ""),
    ("nosuchuser", "guest"),
    ("alice", "S3cret"),      # case matters
    ("bob", "hunter3"),        # hashed password, wrong
])
def test_bad_credentials_are_refused_with_403(warren, user, password):
    with pytest.raises(AUTH_ERRORS) as ei:
        warren.connect(user=user, password=password)
    # pika wraps the broker's connection.close; RabbitMQ's text is
    # "ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN. ..."
    text = str(ei.value)
    assert "403" in text and "ACCESS_REFUSED" in text, text


def test_unknown_vhost_is_refused_with_530(warren):
    with pytest.raises(VHOST_ERRORS) as ei:
        warren.connect(vhost="nosuchvhost")
    text = str(ei.value)
    # RabbitMQ: "NOT_ALLOWED - vhost nosuchvhost not found"
    assert "530" in text and "NOT_ALLOWED" in text, text


@pytest.mark.parametrize("user,vhost,allowed", [
    ("alice", "logs", True),
    ("alice", "/", False),
    ("alice", "secret", False),
    ("bob", "/", True),
    ("bob", "logs", True),
    ("bob", "secret", False),
    ("carol", "/", True),          # no vhosts list: every vhost
    ("carol", "logs", True),
    ("carol", "secret", True),
    ("dave", "/", True),           # password_hash exported by RabbitMQ itself
    ("guest", "/", True),
])
def test_user_vhost_restrictions(warren, user, vhost, allowed):
    password = "guest" if user == "guest" else USERS[user][0]
    if allowed:
        conn = warren.connect(user=user, password=password, vhost=vhost)
        try:
            assert conn.channel().is_open
        finally:
            conn.close()
    else:
        with pytest.raises(VHOST_ERRORS) as ei:
            warren.connect(user=user, password=password, vhost=vhost)
        text = str(ei.value)
        # RabbitMQ: "NOT_ALLOWED - access to vhost 'secret' refused for user 'alice'"
        assert "530" in text and "NOT_ALLOWED" in text, text


def test_refused_logins_do_not_disturb_open_connections(warren):
    good = warren.connect()
    try:
        for _ in range(3):
            with pytest.raises(AUTH_ERRORS):
                warren.connect(password="nope")
            with pytest.raises(VHOST_ERRORS):
                warren.connect(vhost="nosuchvhost")
        assert good.channel().is_open
    finally:
        good.close()


def test_minimal_config_has_default_vhost_and_guest(warren_factory):
    w = warren_factory(None)  # no --config at all
    conn = w.connect()
    try:
        assert conn.channel().is_open
    finally:
        conn.close()
    with pytest.raises(VHOST_ERRORS):
        w.connect(vhost="logs")


def test_config_with_only_a_vhost(warren_factory):
    w = warren_factory('[[vhosts]]\nname = "only"\n')
    w.connect(vhost="/").close()
    # guest has permissions on / only, as on RabbitMQ's first boot (Docs/security.md)
    with pytest.raises(VHOST_ERRORS) as ei:
        w.connect(vhost="only")
    assert "NOT_ALLOWED - access to vhost 'only' refused for user 'guest'" in str(ei.value)


# ---------------------------------------------------------------------------
# Shutdown
# ---------------------------------------------------------------------------

def test_sigterm_closes_clients_with_320_and_exits_0(warren):
    conn = warren.connect()
    ch = conn.channel()
    assert ch.is_open
    other = warren.connect(user="alice", password="s3cret", vhost="logs")

    warren.signal(signal.SIGTERM)

    for c in (conn, other):
        with pytest.raises(pe.ConnectionClosedByBroker) as ei:
            drive_until_closed(c, 10)
        assert ei.value.reply_code == 320
        # RabbitMQ: "CONNECTION_FORCED - broker forced connection closure with reason 'shutdown'"
        assert ei.value.reply_text.startswith("CONNECTION_FORCED"), ei.value.reply_text
        assert c.is_closed

    assert warren.wait_exit(10) == 0


def test_sigterm_with_no_clients_exits_0(warren):
    assert warren.terminate(10) == 0
    with pytest.raises(OSError):
        socket.create_connection((HOST, warren.port), timeout=2).close()


# ---------------------------------------------------------------------------
# Start-up failures
# ---------------------------------------------------------------------------

def test_port_taken_by_another_socket(warren_factory):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as blocker:
        blocker.bind((HOST, 0))
        blocker.listen(1)
        port = blocker.getsockname()[1]
        w = warren_factory(DEFAULT_CONFIG, port=port, expect_ready=False)
        w.expected_exit = True
        rc = w.wait_exit(15)
        assert rc is not None, "warren kept running on a port that was taken"
        assert rc != 0
        assert "address already in use" in w.output().lower(), w.output()


def test_port_taken_by_another_warren(warren, warren_factory):
    second = warren_factory(DEFAULT_CONFIG, port=warren.port, expect_ready=False)
    second.expected_exit = True
    rc = second.wait_exit(15)
    assert rc is not None and rc != 0
    assert "address already in use" in second.output().lower(), second.output()
    # The first instance is unaffected.
    conn = warren.connect()
    assert conn.channel().is_open
    conn.close()
