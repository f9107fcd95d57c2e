"""A tiny raw AMQP 0-9-1 client for bad-input tests.

It speaks just enough of the protocol to get a connection open (PLAIN auth),
open channels, and then lets a test write arbitrary bytes and observe how the
server reacts: a connection.close with a reply code, a protocol header, or EOF.

Every socket operation runs under a timeout, which is a deadline only: nothing
here sleeps to wait for the server.
"""

from __future__ import annotations

import socket
import struct
import time
from dataclasses import dataclass
from typing import Optional

PROTOCOL_HEADER = b"AMQP\x00\x00\x09\x01"

FRAME_METHOD = 1
FRAME_HEADER = 2
FRAME_BODY = 3
FRAME_HEARTBEAT = 8
FRAME_END = 0xCE
FRAME_OVERHEAD = 8  # 7-octet header + frame-end octet

# (class id, method id)
CONNECTION_START = (10, 10)
CONNECTION_START_OK = (10, 11)
CONNECTION_TUNE = (10, 30)
CONNECTION_TUNE_OK = (10, 31)
CONNECTION_OPEN = (10, 40)
CONNECTION_OPEN_OK = (10, 41)
CONNECTION_BLOCKED = (10, 60)
CONNECTION_CLOSE = (10, 50)
CONNECTION_CLOSE_OK = (10, 51)
CHANNEL_OPEN = (20, 10)
CHANNEL_OPEN_OK = (20, 11)
CHANNEL_CLOSE = (20, 40)
CHANNEL_CLOSE_OK = (20, 41)
QUEUE_DECLARE = (50, 10)
QUEUE_DECLARE_OK = (50, 11)
BASIC_QOS = (60, 10)
BASIC_CONSUME = (60, 20)
BASIC_CONSUME_OK = (60, 21)
BASIC_PUBLISH = (60, 40)
BASIC_RETURN = (60, 50)
BASIC_DELIVER = (60, 60)
BASIC_ACK = (60, 80)

DEFAULT_TIMEOUT = 5.0


class RawProtocolError(AssertionError):
    """The server sent something the test did not expect."""


class ServerClosedSocket(RawProtocolError, EOFError):
    """EOF (or a reset) where a frame was expected."""


# ---------------------------------------------------------------------------
# Encoding helpers
# ---------------------------------------------------------------------------

def octet(v: int) -> bytes:
    return struct.pack(">B", v)


def short(v: int) -> bytes:
    return struct.pack(">H", v)


def long_(v: int) -> bytes:
    return struct.pack(">I", v)


def longlong(v: int) -> bytes:
    return struct.pack(">Q", v)


def shortstr(s) -> bytes:
    b = s.encode() if isinstance(s, str) else bytes(s)
    if len(b) > 255:
        raise ValueError("shortstr longer than 255 octets")
    return octet(len(b)) + b


def longstr(s) -> bytes:
    b = s.encode() if isinstance(s, str) else bytes(s)
    return long_(len(b)) + b


def field_value(v) -> bytes:
    if isinstance(v, bool):
        return b"t" + octet(1 if v else 0)
    if isinstance(v, int):
        return b"l" + struct.pack(">q", v)
    if isinstance(v, (str, bytes)):
        return b"S" + longstr(v)
    if isinstance(v, dict):
        return b"F" + table(v)
    if v is None:
        return b"V"
    raise TypeError(f"cannot encode {v!r} as a field value")


def table(d: Optional[dict] = None) -> bytes:
    body = b"".join(shortstr(k) + field_value(v) for k, v in (d or {}).items())
    return long_(len(body)) + body


def frame(frame_type: int, channel: int, payload: bytes, end: int = FRAME_END,
          size: Optional[int] = None) -> bytes:
    """One frame; `end` and `size` can be overridden to build broken frames."""
    declared = len(payload) if size is None else size
    return struct.pack(">BHI", frame_type, channel, declared) + payload + octet(end)


def method_payload(class_method, args: bytes = b"") -> bytes:
    cls, mid = class_method
    return short(cls) + short(mid) + args


def method_frame(channel: int, class_method, args: bytes = b"", **kw) -> bytes:
    return frame(FRAME_METHOD, channel, method_payload(class_method, args), **kw)


def heartbeat_frame() -> bytes:
    return frame(FRAME_HEARTBEAT, 0, b"")


def start_ok_args(user: str, password: str, client_properties: Optional[bytes] = None,
                  mechanism: str = "PLAIN", locale: str = "en_US") -> bytes:
    props = client_properties if client_properties is not None else table(
        {"product": "warren-interop-raw", "capabilities": {"authentication_failure_close": True}})
    response = b"\x00" + user.encode() + b"\x00" + password.encode()
    return props + shortstr(mechanism) + longstr(response) + shortstr(locale)


def tune_ok_args(channel_max: int, frame_max: int, heartbeat: int) -> bytes:
    return short(channel_max) + long_(frame_max) + short(heartbeat)


def open_args(vhost: str) -> bytes:
    # virtual-host, reserved-1 (capabilities shortstr), reserved-2 (insist bit)
    return shortstr(vhost) + shortstr("") + octet(0)


def close_args(code: int = 200, text: str = "bye", class_id: int = 0, method_id: int = 0) -> bytes:
    return short(code) + shortstr(text) + short(class_id) + short(method_id)


def channel_open_args() -> bytes:
    return shortstr("")  # reserved-1 (out-of-band)


def queue_declare_args(queue: str = "", passive=False, durable=False, exclusive=False,
                       auto_delete=False, nowait=False, arguments: Optional[bytes] = None) -> bytes:
    bits = (passive << 0) | (durable << 1) | (exclusive << 2) | (auto_delete << 3) | (nowait << 4)
    return short(0) + shortstr(queue) + octet(bits) + (arguments if arguments is not None else table())


# ---------------------------------------------------------------------------
# Decoding helpers
# ---------------------------------------------------------------------------

class Reader:
    def __init__(self, data: bytes):
        self.data = data
        self.pos = 0

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise RawProtocolError(f"truncated payload: need {n} octets at {self.pos}, have {len(self.data)}")
        b = self.data[self.pos:self.pos + n]
        self.pos += n
        return b

    def octet(self) -> int:
        return self.take(1)[0]

    def short(self) -> int:
        return struct.unpack(">H", self.take(2))[0]

    def long(self) -> int:
        return struct.unpack(">I", self.take(4))[0]

    def longlong(self) -> int:
        return struct.unpack(">Q", self.take(8))[0]

    def shortstr(self) -> str:
        return self.take(self.octet()).decode("utf-8", "replace")

    def longstr(self) -> bytes:
        return self.take(self.long())

    def table(self) -> dict:
        raw = Reader(self.longstr())
        out = {}
        while raw.pos < len(raw.data):
            key = raw.shortstr()
            out[key] = raw.value()
        return out

    def value(self):
        tag = chr(self.octet())
        if tag == "t":
            return self.octet() != 0
        if tag in "bB":
            return self.octet()
        if tag in "su":
            return self.short()
        if tag in "Ii":
            return self.long()
        if tag in "lLT":
            return self.longlong()
        if tag == "f":
            return struct.unpack(">f", self.take(4))[0]
        if tag == "d":
            return struct.unpack(">d", self.take(8))[0]
        if tag == "D":
            return (self.octet(), self.long())
        if tag in "Sx":
            return self.longstr()
        if tag == "F":
            return self.table()
        if tag == "A":
            raw = Reader(self.longstr())
            items = []
            while raw.pos < len(raw.data):
                items.append(raw.value())
            return items
        if tag == "V":
            return None
        raise RawProtocolError(f"unknown field type {tag!r}")


@dataclass
class Frame:
    type: int
    channel: int
    payload: bytes

    @property
    def is_method(self) -> bool:
        return self.type == FRAME_METHOD

    @property
    def class_method(self):
        if not self.is_method or len(self.payload) < 4:
            return None
        return struct.unpack(">HH", self.payload[:4])

    def args(self) -> Reader:
        return Reader(self.payload[4:])

    def __repr__(self) -> str:
        cm = self.class_method
        what = f"method {cm}" if cm else f"type {self.type}"
        return f"<Frame {what} ch={self.channel} {len(self.payload)}B>"


@dataclass
class Tune:
    channel_max: int
    frame_max: int
    heartbeat: int


@dataclass
class Close:
    reply_code: int
    reply_text: str
    class_id: int
    method_id: int


# ---------------------------------------------------------------------------
# The client
# ---------------------------------------------------------------------------

class RawClient:
    """A blocking raw AMQP client; every read is bounded by `timeout` seconds."""

    def __init__(self, host: str, port: int, timeout: float = DEFAULT_TIMEOUT):
        self.host = host
        self.port = port
        self.timeout = timeout
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.settimeout(timeout)
        self._buf = bytearray()
        self.server_properties: dict = {}
        self.mechanisms = ""
        self.server_tune: Optional[Tune] = None
        self.tune: Optional[Tune] = None
        self.last_close: Optional[Close] = None
        self.frames_seen: list = []

    # -- context manager ----------------------------------------------------
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close_socket()

    def close_socket(self):
        try:
            self.sock.close()
        except OSError:
            pass

    # -- raw I/O ------------------------------------------------------------
    def send(self, data: bytes):
        """Write bytes; a peer that already hung up is not an error here."""
        try:
            self.sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _fill(self, deadline: float) -> bool:
        """Read more bytes into the buffer; False on EOF/reset."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise socket.timeout("deadline passed waiting for the server")
        self.sock.settimeout(remaining)
        try:
            chunk = self.sock.recv(65536)
        except ConnectionResetError:
            return False
        if not chunk:
            return False
        self._buf += chunk
        return True

    def recv_exact(self, n: int, timeout: Optional[float] = None) -> bytes:
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while len(self._buf) < n:
            if not self._fill(deadline):
                got = bytes(self._buf)
                self._buf.clear()
                raise ServerClosedSocket(f"EOF after {len(got)} of {n} octets: {got!r}")
        out = bytes(self._buf[:n])
        del self._buf[:n]
        return out

    def read_until_eof(self, timeout: Optional[float] = None) -> bytes:
        """Everything the server sends until it closes the socket."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while self._fill(deadline):
            pass
        out = bytes(self._buf)
        self._buf.clear()
        return out

    def read_frame(self, timeout: Optional[float] = None) -> Frame:
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        header = self.recv_exact(7, max(deadline - time.monotonic(), 0.001))
        ftype, channel, size = struct.unpack(">BHI", header)
        rest = self.recv_exact(size + 1, max(deadline - time.monotonic(), 0.001))
        if rest[-1] != FRAME_END:
            raise RawProtocolError(f"server frame ends with {rest[-1]:#x}, not 0xCE")
        f = Frame(ftype, channel, rest[:-1])
        self.frames_seen.append(f)
        return f

    def read_method(self, expected=None, channel: Optional[int] = None,
                    timeout: Optional[float] = None) -> Frame:
        """Next method frame (heartbeats skipped); checks class/method if given.

        A connection.close that arrives instead of the expected method is
        answered with close-ok and reported as a RawProtocolError.
        """
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            f = self.read_frame(max(deadline - time.monotonic(), 0.001))
            if f.type == FRAME_HEARTBEAT:
                continue
            if expected is None or f.class_method == tuple(expected):
                if channel is not None and f.channel != channel:
                    raise RawProtocolError(f"{f!r} on channel {f.channel}, expected channel {channel}")
                return f
            if f.class_method == CONNECTION_CLOSE:
                close = self._parse_close(f)
                self.send(method_frame(0, CONNECTION_CLOSE_OK))
                raise RawProtocolError(f"expected {expected}, server closed the connection: {close}")
            raise RawProtocolError(f"expected method {expected}, got {f!r}")

    # -- protocol -----------------------------------------------------------
    def send_protocol_header(self, header: bytes = PROTOCOL_HEADER):
        self.send(header)

    def send_method(self, channel: int, class_method, args: bytes = b""):
        self.send(method_frame(channel, class_method, args))

    def start(self, header: bytes = PROTOCOL_HEADER) -> Frame:
        """Send the protocol header and read connection.start."""
        self.send_protocol_header(header)
        f = self.read_method(CONNECTION_START, channel=0)
        r = f.args()
        major, minor = r.octet(), r.octet()
        if (major, minor) != (0, 9):
            raise RawProtocolError(f"connection.start says version {major}-{minor}")
        self.server_properties = r.table()
        self.mechanisms = r.longstr().decode()
        r.longstr()  # locales
        return f

    def read_tune(self) -> Tune:
        f = self.read_method(CONNECTION_TUNE, channel=0)
        r = f.args()
        self.server_tune = Tune(r.short(), r.long(), r.short())
        return self.server_tune

    def handshake(self, user: str = "guest", password: str = "guest", vhost: str = "/",
                  channel_max: Optional[int] = None, frame_max: Optional[int] = None,
                  heartbeat: int = 0, client_properties: Optional[bytes] = None) -> Tune:
        """Full opening handshake; returns the tune values sent in tune-ok.

        `channel_max`/`frame_max` default to the server's proposal; `heartbeat`
        defaults to 0 (disabled) so an idle raw client is never timed out.
        """
        self.start()
        self.send_method(0, CONNECTION_START_OK, start_ok_args(user, password, client_properties))
        server = self.read_tune()
        chosen = Tune(server.channel_max if channel_max is None else channel_max,
                      server.frame_max if frame_max is None else frame_max,
                      heartbeat)
        self.send_method(0, CONNECTION_TUNE_OK,
                         tune_ok_args(chosen.channel_max, chosen.frame_max, chosen.heartbeat))
        self.send_method(0, CONNECTION_OPEN, open_args(vhost))
        self.read_method(CONNECTION_OPEN_OK, channel=0)
        self.tune = chosen
        return chosen

    def open_channel(self, channel: int) -> Frame:
        self.send_method(channel, CHANNEL_OPEN, channel_open_args())
        return self.read_method(CHANNEL_OPEN_OK, channel=channel)

    def close_channel(self, channel: int) -> Frame:
        self.send_method(channel, CHANNEL_CLOSE, close_args(200, "bye"))
        return self.read_method(CHANNEL_CLOSE_OK, channel=channel)

    @staticmethod
    def _parse_close(f: Frame) -> Close:
        r = f.args()
        return Close(r.short(), r.shortstr(), r.short(), r.short())

    def wait_for_close(self, timeout: Optional[float] = None, send_close_ok: bool = True):
        """Read frames until the server's connection.close; return (reply_code, reply_text).

        Heartbeats and other frames are skipped. Raises ServerClosedSocket if
        the socket ends first. The full close (with class/method ids) is left
        in `self.last_close`. Answers with close-ok unless told not to.
        """
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            f = self.read_frame(max(deadline - time.monotonic(), 0.001))
            if f.class_method == CONNECTION_CLOSE:
                if f.channel != 0:
                    raise RawProtocolError(f"connection.close on channel {f.channel}")
                self.last_close = self._parse_close(f)
                if send_close_ok:
                    self.send(method_frame(0, CONNECTION_CLOSE_OK))
                return self.last_close.reply_code, self.last_close.reply_text

    def close(self, timeout: Optional[float] = None) -> Frame:
        """Client-initiated clean close; returns the close-ok frame."""
        self.send_method(0, CONNECTION_CLOSE, close_args(200, "Goodbye"))
        return self.read_method(CONNECTION_CLOSE_OK, channel=0, timeout=timeout)


def connect(port: int, host: str = "127.0.0.1", timeout: float = DEFAULT_TIMEOUT, **handshake_kw) -> RawClient:
    """A RawClient with the handshake done (PLAIN guest/guest on / by default)."""
    c = RawClient(host, port, timeout)
    try:
        c.handshake(**handshake_kw)
    except BaseException:
        c.close_socket()
        raise
    return c
