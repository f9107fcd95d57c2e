"""Connection lifecycle at the frame level, with the raw client.

Reference behaviour checked against RabbitMQ 3.10.8.
"""

import signal
import time

import pytest

import amqp_raw as r


def test_connection_start_and_tune_proposal(warren):
    with warren.raw() as c:
        c.start()
        assert "PLAIN" in c.mechanisms.split()
        assert isinstance(c.server_properties, dict)
        c.send_method(0, r.CONNECTION_START_OK, r.start_ok_args("guest", "guest"))
        tune = c.read_tune()
        assert (tune.channel_max, tune.frame_max, tune.heartbeat) == (2047, 131072, 60)


def test_handshake_open_channel_and_close(warren):
    with warren.raw_connect() as c:
        c.open_channel(1)
        c.open_channel(2)
        c.close_channel(1)
        c.open_channel(1)
        ok = c.close()
        assert ok.channel == 0


def test_server_closes_socket_after_its_close_is_acknowledged(warren):
    """Server-initiated close: after our close-ok the server hangs up, sending nothing more."""
    with warren.raw_connect() as c:
        c.open_channel(1)
        c.send_method(1, r.CHANNEL_OPEN, r.channel_open_args())  # 504
        code, _ = c.wait_for_close()
        assert code == 504
        assert c.read_until_eof() == b""


def test_frames_after_server_close_are_ignored_until_close_ok(warren):
    """After sending connection.close the server discards everything but close-ok
    (spec 4.2.2; RabbitMQ does so): no open-ok, no second close."""
    with warren.raw_connect() as c:
        c.open_channel(1)
        c.send_method(1, r.CHANNEL_OPEN, r.channel_open_args())
        code, _ = c.wait_for_close(send_close_ok=False)
        assert code == 504
        c.send_method(2, r.CHANNEL_OPEN, r.channel_open_args())
        c.send_method(0, r.BASIC_QOS, r.long_(0) + r.short(1) + r.octet(0))
        c.send(r.heartbeat_frame())
        c.send_method(0, r.CONNECTION_CLOSE_OK)
        assert c.read_until_eof() == b""


@pytest.mark.deadline(15)
def test_server_sends_heartbeats_at_the_negotiated_rate(warren):
    """With heartbeat 1 the server must send heartbeat frames (RabbitMQ: every 0.5 s)."""
    with warren.raw_connect(heartbeat=1) as c:
        t0 = time.monotonic()
        beats = 0
        while beats < 2:
            f = c.read_frame(timeout=2.5)
            assert f.type == r.FRAME_HEARTBEAT, f
            assert f.channel == 0 and f.payload == b""
            beats += 1
            c.send(r.heartbeat_frame())
        assert time.monotonic() - t0 < 4.0
        c.close()


@pytest.mark.deadline(20)
def test_silent_client_is_dropped_after_missed_heartbeats(warren):
    """Client negotiates heartbeat 1 then sends nothing: the server closes the socket
    after about two intervals (RabbitMQ: EOF after ~3 s, no connection.close first)."""
    with warren.raw_connect(heartbeat=1, timeout=10) as c:
        t0 = time.monotonic()
        with pytest.raises(r.ServerClosedSocket):
            while True:
                f = c.read_frame(timeout=10)
                # Heartbeats (and, optionally, a connection.close) may come first.
                assert f.type == r.FRAME_HEARTBEAT or f.class_method == r.CONNECTION_CLOSE, f
        elapsed = time.monotonic() - t0
        assert 1.0 <= elapsed <= 7.0, f"dropped after {elapsed:.2f}s"


@pytest.mark.deadline(20)
def test_heartbeat_zero_disables_heartbeats(warren):
    """tune-ok heartbeat 0: no heartbeat frames and no missed-heartbeat close, even
    though the server proposed 60. (Only a short window is observable here; a server
    that wrongly kept 60 would need a minute to show it.)"""
    with warren.raw_connect(heartbeat=0) as c:
        with pytest.raises(TimeoutError):
            f = c.read_frame(timeout=2.5)
            pytest.fail(f"unexpected frame with heartbeats disabled: {f!r}")
        c.open_channel(1)
        c.close()


@pytest.mark.deadline(20)
def test_sigterm_sends_320_to_raw_client_and_exits_0(warren):
    with warren.raw_connect() as c:
        c.open_channel(1)
        warren.signal(signal.SIGTERM)
        code, text = c.wait_for_close(timeout=10)
        assert code == 320
        assert text.startswith("CONNECTION_FORCED"), text
        assert (c.last_close.class_id, c.last_close.method_id) == (0, 0)
        assert c.read_until_eof(timeout=10) == b""
    assert warren.wait_exit(10) == 0


@pytest.mark.deadline(30)
def test_sigterm_exits_even_if_a_client_never_acknowledges(warren):
    """A client that never sends close-ok must not keep the broker from exiting."""
    with warren.raw_connect() as c:
        warren.signal(signal.SIGTERM)
        code, _ = c.wait_for_close(timeout=10, send_close_ok=False)
        assert code == 320
        assert warren.wait_exit(20) == 0
