"""A live fuzzer for warren's AMQP listener.

It builds real client sessions from raw frames (handshake, declares with random argument tables,
binds, publishes with random properties and headers, consumes, acks, nacks, transactions,
confirms), mutates them (bit flips, interesting values in length fields, truncation, duplicated,
dropped and reordered frames, other channels, huge sizes) and plays each against a running
warren. After every batch it checks that warren is still up and still serves: a fresh pika
client's publish/get round trip with confirms, and the management API. A batch that breaks
warren is saved (one `.bin` per session, the bytes exactly as sent) for `--replay`.

    python3 Tests/Interop/live_fuzz.py --warren .build/debug/warren --seconds 60 --out /tmp/finds
    python3 Tests/Interop/live_fuzz.py --port 5672 --http-port 15672 --replay /tmp/finds/*.bin

Every wait is a deadline on a socket event (the server's answer or EOF), never a sleep.
"""

from __future__ import annotations

import argparse
import base64
import json
import math
import random
import selectors
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, List, Optional

import amqp_raw as raw

HOST = "127.0.0.1"
SESSION_DEADLINE = 3.0

EXCHANGE_DECLARE, EXCHANGE_DELETE, EXCHANGE_BIND = (40, 10), (40, 20), (40, 30)
QUEUE_DECLARE, QUEUE_BIND, QUEUE_PURGE, QUEUE_DELETE, QUEUE_UNBIND = (50, 10), (50, 20), (50, 30), (50, 40), (50, 50)
BASIC_QOS, BASIC_CONSUME, BASIC_CANCEL, BASIC_PUBLISH, BASIC_GET = (60, 10), (60, 20), (60, 30), (60, 40), (60, 70)
BASIC_ACK, BASIC_REJECT, BASIC_RECOVER, BASIC_NACK = (60, 80), (60, 90), (60, 110), (60, 120)
CHANNEL_FLOW, CONFIRM_SELECT = (20, 20), (85, 10)
TX_SELECT, TX_COMMIT, TX_ROLLBACK = (90, 10), (90, 20), (90, 30)

QUEUES = ["fz.q0", "fz.q1", "fz.q2", "fz.durable", ""]
EXCHANGES = ["", "amq.topic", "amq.direct", "amq.fanout", "amq.headers", "fz.x0", "fz.x1", "topic_logs"]
QUEUE_ARGUMENTS = ["x-message-ttl", "x-expires", "x-max-length", "x-max-length-bytes", "x-overflow",
                   "x-dead-letter-exchange", "x-dead-letter-routing-key", "x-max-priority",
                   "x-single-active-consumer", "x-queue-mode", "x-match", "x-death", "alternate-exchange",
                   "x-stream-offset", "x-priority", "count", "time"]
INTERESTING_INTS = [0, 1, -1, 2 ** 7 - 1, 2 ** 8, 2 ** 15, 2 ** 16 - 1, 2 ** 31 - 1, 2 ** 32 - 1, 2 ** 32,
                    2 ** 63 - 1, -2 ** 63, 255, 256, 4096, 131072]


# ---------------------------------------------------------------------------
# Random well-formed material
# ---------------------------------------------------------------------------

class Material:
    """Random names, field tables and properties; every value type RabbitMQ defines, edge values first."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def integer(self, bits: int, signed: bool) -> int:
        low, high = (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1) if signed else (0, 2 ** bits - 1)
        if self.rng.random() < 0.6:
            return max(low, min(high, self.rng.choice(INTERESTING_INTS)))
        return self.rng.randint(low, high)

    def text(self, longest: int = 40) -> bytes:
        roll = self.rng.random()
        if roll < 0.1:
            return bytes(self.rng.randrange(256) for _ in range(self.rng.randint(0, longest)))  # not UTF-8
        if roll < 0.15:
            return "ü€😀".encode() * self.rng.randint(1, max(1, longest // 9))
        return "".join(self.rng.choice("abcdefghij.*#-_") for _ in range(self.rng.randint(0, longest))).encode()

    def value(self, depth: int) -> bytes:
        tag = self.rng.choice("tbBsuIilLfdDSxATFV" if depth < 4 else "tbBsuIilLfdDSxTV")
        r = self.rng
        if tag == "t":
            return b"t" + bytes([r.choice([0, 1, 255])])
        if tag in "bB":
            return tag.encode() + struct.pack(">b" if tag == "b" else ">B", self.integer(8, tag == "b"))
        if tag in "su":
            return tag.encode() + struct.pack(">h" if tag == "s" else ">H", self.integer(16, tag == "s"))
        if tag in "Ii":
            return tag.encode() + struct.pack(">i" if tag == "I" else ">I", self.integer(32, tag == "I"))
        if tag in "lLT":
            return tag.encode() + struct.pack(">q" if tag == "l" else ">Q", self.integer(64, tag == "l"))
        if tag in "fd":
            largest, smallest = (3.4e38, 1e-45) if tag == "f" else (1.7e308, 5e-324)
            number = r.choice([math.nan, math.inf, -math.inf, 0.0, -0.0, largest, smallest, r.uniform(-1e9, 1e9)])
            return tag.encode() + struct.pack(">f" if tag == "f" else ">d", number)
        if tag == "D":
            return b"D" + struct.pack(">BI", r.randrange(256), self.integer(32, False))
        if tag in "Sx":
            body = self.text(r.choice([40, 40, 300, 70000]))
            return tag.encode() + raw.long_(len(body)) + body
        if tag == "A":
            items = b"".join(self.value(depth + 1) for _ in range(r.randint(0, 4)))
            return b"A" + raw.long_(len(items)) + items
        if tag == "F":
            return b"F" + self.table(depth + 1)
        return b"V"

    def table(self, depth: int = 0) -> bytes:
        entries = b""
        for _ in range(self.rng.randint(0, 5)):
            key = self.rng.choice(QUEUE_ARGUMENTS).encode() if self.rng.random() < 0.6 else self.text(20)
            entries += raw.octet(len(key[:255])) + key[:255] + self.value(depth)
        return raw.long_(len(entries)) + entries

    def shortstr(self, choices: List[str]) -> bytes:
        name = self.rng.choice(choices).encode() if self.rng.random() < 0.85 else self.text(255)[:255]
        return raw.octet(len(name)) + name

    def bits(self, count: int) -> bytes:
        """Flags rarely set, so that most methods succeed and sessions get deep (passive, immediate,
        and channel.flow's active=false each end a channel or the connection)."""
        return raw.octet(sum(1 << bit for bit in range(count) if self.rng.random() < 0.15))

    def properties(self) -> bytes:
        """A property flags word and the properties it announces, in the spec's order."""
        r = self.rng
        flags, fields = 0, b""
        writers = [
            (0x8000, lambda: raw.shortstr("application/json")), (0x4000, lambda: raw.shortstr("gzip")),
            (0x2000, self.table), (0x1000, lambda: raw.octet(r.choice([1, 2, 2, 0, 3, 255]))),
            (0x0800, lambda: raw.octet(r.choice([0, 1, 9, 10, 255]))), (0x0400, lambda: raw.shortstr("corr")),
            (0x0200, lambda: raw.shortstr("replies")),
            (0x0100, lambda: raw.shortstr(r.choice(["0", "1", "60000", "-1", "abc", "9" * 30]))),
            (0x0080, lambda: raw.shortstr("id")), (0x0040, lambda: raw.longlong(self.integer(64, False))),
            (0x0020, lambda: raw.shortstr("type")), (0x0010, lambda: raw.shortstr(r.choice(["guest", "mallory"]))),
            (0x0008, lambda: raw.shortstr("live_fuzz")), (0x0004, lambda: raw.shortstr("")),
        ]
        for flag, write in writers:
            if r.random() < 0.4:
                flags |= flag
                fields += write()
        return raw.short(flags) + fields


# ---------------------------------------------------------------------------
# Sessions: lists of frames a real client could send
# ---------------------------------------------------------------------------

class SessionBuilder:
    """A well-formed session: the handshake, then channels doing random broker work, then close."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.m = Material(rng)

    def build(self) -> List[bytes]:
        frames = [raw.PROTOCOL_HEADER,
                  raw.method_frame(0, raw.CONNECTION_START_OK, raw.start_ok_args("guest", "guest")),
                  raw.method_frame(0, raw.CONNECTION_TUNE_OK, raw.tune_ok_args(2047, 131072, 0)),
                  raw.method_frame(0, raw.CONNECTION_OPEN, raw.open_args("/"))]
        for channel in range(1, self.rng.randint(1, 3) + 1):
            frames.append(raw.method_frame(channel, raw.CHANNEL_OPEN, raw.channel_open_args()))
            frames += self.prelude(channel)
            for _ in range(self.rng.randint(3, 20)):
                frames += self.operation(channel)
        frames.append(raw.method_frame(0, raw.CONNECTION_CLOSE, raw.close_args()))
        return frames

    def prelude(self, channel: int) -> List[bytes]:
        """A queue to work on, bound to amq.topic, with arguments only sometimes, so most channels live on."""
        queue = raw.shortstr(self.rng.choice(QUEUES[:-1]))
        arguments = self.m.table() if self.rng.random() < 0.3 else raw.table()
        return [raw.method_frame(channel, QUEUE_DECLARE, raw.short(0) + queue + raw.octet(0) + arguments),
                raw.method_frame(channel, QUEUE_BIND, raw.short(0) + queue + raw.shortstr("amq.topic")
                                 + raw.shortstr("#") + raw.octet(0) + raw.table())]

    def operation(self, channel: int) -> List[bytes]:
        m, r = self.m, self.rng
        queue, exchange, key = m.shortstr(QUEUES), m.shortstr(EXCHANGES), m.shortstr(["a.b", "kern.critical", "#", "*.*", ""])
        method = lambda cm, args=b"": [raw.method_frame(channel, cm, args)]  # noqa: E731
        operations: List[Callable[[], List[bytes]]] = [
            lambda: method(EXCHANGE_DECLARE, raw.short(0) + exchange
                           + m.shortstr(["direct", "topic", "fanout", "headers", "x-unknown"]) + m.bits(5) + m.table()),
            lambda: method(QUEUE_DECLARE, raw.short(0) + queue + m.bits(5) + m.table()),
            lambda: method(QUEUE_BIND, raw.short(0) + queue + exchange + key + m.bits(1) + m.table()),
            lambda: method(QUEUE_UNBIND, raw.short(0) + queue + exchange + key + m.table()),
            lambda: method(EXCHANGE_BIND, raw.short(0) + exchange + m.shortstr(EXCHANGES) + key + m.bits(1) + m.table()),
            self.publish_for(channel, exchange, key), self.publish_for(channel, exchange, key),
            lambda: method(BASIC_QOS, raw.long_(0) + raw.short(m.integer(16, False)) + m.bits(1)),
            lambda: method(BASIC_CONSUME, raw.short(0) + queue + m.shortstr(["", "tag", "tag2"]) + m.bits(4) + m.table()),
            lambda: method(BASIC_GET, raw.short(0) + queue + m.bits(1)),
            lambda: method(BASIC_ACK, raw.longlong(r.choice([0, 1, 2, 3, 2 ** 64 - 1])) + m.bits(1)),
            lambda: method(BASIC_NACK, raw.longlong(r.choice([0, 1, 2, 5])) + m.bits(2)),
            lambda: method(BASIC_REJECT, raw.longlong(r.choice([1, 2, 9])) + m.bits(1)),
            lambda: method(BASIC_RECOVER, m.bits(1)),
            lambda: method(BASIC_CANCEL, m.shortstr(["tag", "tag2", ""]) + m.bits(1)),
            lambda: method(TX_SELECT) + self.publish_for(channel, exchange, key)() + method(r.choice([TX_COMMIT, TX_ROLLBACK])),
            lambda: method(CONFIRM_SELECT, m.bits(1)),
            lambda: method(CHANNEL_FLOW, raw.octet(1) if r.random() < 0.9 else m.bits(1)),
            lambda: method(QUEUE_PURGE, raw.short(0) + queue + m.bits(1)),
            lambda: method(QUEUE_DELETE, raw.short(0) + queue + m.bits(3)),
            lambda: method(EXCHANGE_DELETE, raw.short(0) + exchange + m.bits(2)),
        ]
        return r.choice(operations)()

    def publish_for(self, channel: int, exchange: bytes, key: bytes) -> Callable[[], List[bytes]]:
        def publish() -> List[bytes]:
            r = self.rng
            body = self.m.text(r.choice([0, 10, 200, 5000]))
            declared = len(body) if r.random() < 0.98 else r.choice([0, len(body) + 1, 2 ** 63, 2 ** 64 - 1])
            flags = self.m.bits(1) if r.random() < 0.99 else raw.octet(2)  # mandatory; rarely immediate (540)
            frames = [raw.method_frame(channel, BASIC_PUBLISH, raw.short(0) + exchange + key + flags),
                      raw.frame(raw.FRAME_HEADER, channel, raw.short(60) + raw.short(0) + raw.longlong(declared)
                                + self.m.properties())]
            piece = r.choice([1, 100, 4096, 131064])
            frames += [raw.frame(raw.FRAME_BODY, channel, body[i:i + piece]) for i in range(0, len(body), piece)]
            return frames
        return publish


# ---------------------------------------------------------------------------
# Mutations
# ---------------------------------------------------------------------------

class Mutator:
    """Damages a session the ways a broken or hostile client would; names each damage done."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def mutate(self, frames: List[bytes]) -> tuple[bytes, List[str]]:
        frames = list(frames)
        done = []
        for _ in range(self.rng.randint(1, 4)):
            index = self.pick(frames)
            name, change = self.rng.choice(self.mutations())
            frames = change(frames, index)
            done.append(f"{name}@{index}")
        return b"".join(frames), done

    def pick(self, frames: List[bytes]) -> int:
        # Mostly after the handshake, so damage reaches channels, content and the broker.
        if len(frames) > 4 and self.rng.random() < 0.9:
            return self.rng.randrange(4, len(frames))
        return self.rng.randrange(len(frames))

    def mutations(self):
        r = self.rng

        def edit(change: Callable[[bytearray], None]):
            def apply(frames, index):
                data = bytearray(frames[index])
                if data:
                    change(data)
                return frames[:index] + [bytes(data)] + frames[index + 1:]
            return apply

        def flip(data):
            data[r.randrange(len(data))] ^= 1 << r.randrange(8)

        def interesting(data):
            width = r.choice([1, 2, 4, 8])
            if len(data) >= width:
                at = r.randrange(len(data) - width + 1)
                data[at:at + width] = (r.choice(INTERESTING_INTS) % 2 ** (8 * width)).to_bytes(width, "big")

        def size_field(data):
            if len(data) >= 8:
                size = r.choice([0, 1, len(data) - 9, len(data) - 7, 131064, 131065, 2 ** 31 - 1, 2 ** 32 - 1])
                data[3:7] = max(0, size).to_bytes(4, "big")

        def body_size(data):
            if len(data) >= 19 and data[0] == raw.FRAME_HEADER:
                data[11:19] = r.choice([0, 1, 2 ** 63 - 1, 2 ** 63, 2 ** 64 - 1]).to_bytes(8, "big")

        def channel(data):
            if len(data) >= 3:
                data[1:3] = r.choice([0, 1, 2, 3, 2047, 2048, 65535]).to_bytes(2, "big")

        def frame_type(data):
            data[0] = r.choice([0, 1, 2, 3, 4, 8, 65, 255])

        def frame_end(data):
            data[-1] = r.choice([0, 0xCD, 0xFF])

        def insert(data):
            at = r.randrange(len(data) + 1)
            data[at:at] = bytes(r.randrange(256) for _ in range(r.randint(1, 16)))

        return [
            ("flip", edit(flip)), ("flip", edit(flip)), ("interesting", edit(interesting)),
            ("interesting", edit(interesting)), ("size", edit(size_field)), ("body-size", edit(body_size)),
            ("channel", edit(channel)), ("type", edit(frame_type)), ("end", edit(frame_end)), ("insert", edit(insert)),
            ("truncate", lambda frames, i: frames[:i] + [frames[i][:r.randrange(len(frames[i]) + 1)]]),
            ("duplicate", lambda frames, i: frames[:i + 1] + [frames[i]] * r.randint(1, 20) + frames[i + 1:]),
            ("drop", lambda frames, i: frames[:i] + frames[i + 1:] if len(frames) > 1 else frames),
            ("swap", lambda frames, i: self.swapped(frames, i)),
        ]

    def swapped(self, frames, index):
        other = self.rng.randrange(len(frames))
        frames = list(frames)
        frames[index], frames[other] = frames[other], frames[index]
        return frames


# ---------------------------------------------------------------------------
# Playing sessions and checking warren
# ---------------------------------------------------------------------------

def play(port: int, data: bytes, grace: float = 1.0, deadline: float = SESSION_DEADLINE) -> str:
    """Sends a session while reading the server's answers, then reads until the server closes: after
    the session's own connection.close, or after the server's (answered with close-ok, as a client
    does), or, when the session's end was damaged (a cut frame, a close that never came), at the EOF
    sent `grace` seconds after the last byte. Returns "closed", or "open" when the server still held
    the connection `deadline` seconds after that EOF."""
    sock = socket.create_connection((HOST, port), timeout=deadline)
    sock.setblocking(False)
    selector = selectors.DefaultSelector()
    selector.register(sock, selectors.EVENT_READ | selectors.EVENT_WRITE)
    pending = memoryview(data)
    end = time.monotonic() + deadline
    half_closed = False
    answers = ServerFrames()
    try:
        while True:
            now = time.monotonic()
            if now >= end:
                if half_closed:
                    return "open"
                sock.shutdown(socket.SHUT_WR)
                half_closed, end = True, now + deadline
            for _, events in selector.select(max(0.0, end - now)):
                if events & selectors.EVENT_READ:
                    try:
                        received = sock.recv(65536)
                    except (ConnectionResetError, BlockingIOError):
                        return "closed"
                    if not received:
                        return "closed"
                    if answers.closes_connection(received) and not half_closed:
                        pending = memoryview(raw.method_frame(0, raw.CONNECTION_CLOSE_OK))
                        selector.modify(sock, selectors.EVENT_READ | selectors.EVENT_WRITE)
                if events & selectors.EVENT_WRITE:
                    try:
                        pending = pending[sock.send(pending[:65536]):]
                    except (BrokenPipeError, ConnectionResetError):
                        return "closed"
                    if not pending:
                        selector.modify(sock, selectors.EVENT_READ)
                        end = time.monotonic() + grace
    finally:
        selector.close()
        sock.close()


class ServerFrames:
    """Splits what the server sends into frames, to notice its connection.close."""

    def __init__(self):
        self.buffer = b""

    def closes_connection(self, received: bytes) -> bool:
        self.buffer += received
        closing = False
        while len(self.buffer) >= 7:
            kind, channel, size = struct.unpack(">BHI", self.buffer[:7])
            if len(self.buffer) < size + 8:
                break
            payload, self.buffer = self.buffer[7:7 + size], self.buffer[size + 8:]
            closing |= kind == raw.FRAME_METHOD and channel == 0 and payload[:4] == raw.method_payload(raw.CONNECTION_CLOSE)
        return closing


def healthy(port: int, http_port: Optional[int], process: Optional[subprocess.Popen]) -> Optional[str]:
    """None when warren is up and serves a well-behaved client and the management API; else why not."""
    if process is not None and process.poll() is not None:
        return f"warren exited with {process.returncode}"
    import pika
    try:
        connection = pika.BlockingConnection(pika.ConnectionParameters(
            host=HOST, port=port, connection_attempts=1, socket_timeout=5, blocked_connection_timeout=10,
            stack_timeout=10, credentials=pika.PlainCredentials("guest", "guest")))
        try:
            channel = connection.channel()
            channel.confirm_delivery()
            queue = channel.queue_declare("", exclusive=True).method.queue
            channel.basic_publish("", queue, b"still here", mandatory=True)
            _, _, body = channel.basic_get(queue, auto_ack=True)
            if body != b"still here":
                return f"a fresh client's round trip got {body!r}"
        finally:
            connection.close()
    except Exception as error:  # any failure of a well-behaved client is the finding
        return f"a fresh client failed: {type(error).__name__}: {error}"
    if http_port is not None:
        request = urllib.request.Request(f"http://{HOST}:{http_port}/api/overview")
        request.add_header("Authorization", "Basic " + base64.b64encode(b"guest:guest").decode())
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                json.loads(response.read())
        except Exception as error:
            return f"the management API failed: {type(error).__name__}: {error}"
    return None


@dataclass
class Report:
    sessions: int = 0
    frames: int = 0
    bytes: int = 0
    checks: int = 0
    held_open: int = 0
    seconds: float = 0.0
    failures: List[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"live fuzz: {self.sessions} sessions ({self.frames} frames, {self.bytes} bytes) in {self.seconds:.0f} s, "
                f"{self.checks} health checks, {self.held_open} held open past the deadline, {len(self.failures)} failures")


class Campaign:
    """Batches of mutated sessions against one warren, each batch followed by a health check."""

    def __init__(self, port: int, http_port: Optional[int], seed: int, out: Path,
                 process: Optional[subprocess.Popen] = None, batch: int = 25, parallel: int = 8):
        """Sessions are built from `seed` alone; each batch plays `parallel` sessions at a time."""
        self.port, self.http_port, self.process, self.batch, self.parallel = port, http_port, process, batch, parallel
        self.seed, self.out = seed, out
        self.rng = random.Random(seed)
        self.builder = SessionBuilder(self.rng)
        self.mutator = Mutator(self.rng)

    def run(self, sessions: Optional[int] = None, seconds: Optional[float] = None) -> Report:
        report = Report()
        start = time.monotonic()
        with ThreadPoolExecutor(self.parallel) as pool:
            while (sessions is None or report.sessions < sessions) and (seconds is None or time.monotonic() - start < seconds):
                played = []
                for _ in range(self.batch if sessions is None else min(self.batch, sessions - report.sessions)):
                    frames = self.builder.build()
                    data, mutations = self.mutator.mutate(frames) if self.rng.random() < 0.95 else (b"".join(frames), [])
                    played.append((report.sessions, data, mutations))
                    report.sessions += 1
                    report.frames += len(frames)
                    report.bytes += len(data)
                for (index, _, _), outcome in zip(played, pool.map(self.play_one, [data for _, data, _ in played])):
                    if outcome == "open":
                        report.held_open += 1
                    elif outcome != "closed":
                        report.failures.append(f"session {index}: {outcome}")
                problem = healthy(self.port, self.http_port, self.process)
                report.checks += 1
                if problem is not None:
                    report.failures.append(f"after sessions {played[0][0]}-{played[-1][0]}: {problem}")
                    self.save(played, problem)
                    break
        report.seconds = time.monotonic() - start
        return report

    def play_one(self, data: bytes) -> str:
        try:
            return play(self.port, data)
        except OSError as error:  # refused or reset at connect: warren is down; the health check says so
            return f"{type(error).__name__}: {error}"

    def save(self, played, problem: str):
        self.out.mkdir(parents=True, exist_ok=True)
        for index, data, mutations in played:
            stem = self.out / f"live-seed{self.seed}-session{index}"
            stem.with_suffix(".bin").write_bytes(data)
            stem.with_suffix(".json").write_text(json.dumps({"seed": self.seed, "session": index,
                                                              "mutations": mutations, "problem": problem}))


def replay(port: int, http_port: Optional[int], paths: List[Path]) -> List[str]:
    """Plays saved sessions one by one, checking warren after each; the problems found."""
    problems = []
    for path in paths:
        play(port, path.read_bytes())
        problem = healthy(port, http_port, None)
        if problem is not None:
            problems.append(f"{path}: {problem}")
    return problems


# ---------------------------------------------------------------------------
# Command line: start a warren of its own, or use a running one
# ---------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_warren(binary: str, data_dir: str):
    port, http_port = free_port(), free_port()
    process = subprocess.Popen([binary, "serve", "--bind", HOST, "--amqp-port", str(port), "--syslog-port", "0",
                                "--http-port", str(http_port), "--data-dir", data_dir],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    waiting = {"AMQP listener ready", "management HTTP listener ready"}
    for line in process.stdout:
        waiting = {text for text in waiting if text not in line}
        if not waiting:
            break
    if waiting:
        raise SystemExit(f"warren did not start (exit {process.wait()})")
    return process, port, http_port


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--warren", help="a warren binary to start (else --port names a running one)")
    parser.add_argument("--port", type=int)
    parser.add_argument("--http-port", type=int)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--out", type=Path, default=Path("live-fuzz-findings"))
    parser.add_argument("--replay", type=Path, nargs="*")
    args = parser.parse_args()
    process = None
    port, http_port = args.port, args.http_port
    with tempfile.TemporaryDirectory(prefix="warren-live-fuzz-") as data_dir:
        if args.warren:
            process, port, http_port = start_warren(args.warren, data_dir)
            # Keep reading warren's output so a full pipe never stalls it.
            import threading
            threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()
        if port is None:
            parser.error("give --warren or --port")
        try:
            if args.replay is not None:
                problems = replay(port, http_port, args.replay)
                print(f"replayed {len(args.replay)} sessions, {len(problems)} problems", *problems, sep="\n")
                return 1 if problems else 0
            report = Campaign(port, http_port, args.seed, args.out, process).run(seconds=args.seconds)
            print(f"seed {args.seed}: {report.summary()}", *report.failures, sep="\n")
            if report.failures:
                print(f"inputs saved under {args.out}")
            return 1 if report.failures else 0
        finally:
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
                process.wait(15)


if __name__ == "__main__":
    sys.exit(main())
