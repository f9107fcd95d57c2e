#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpus (Fuzz/corpus/<target>/) from real traffic.

A pika session (declares with arguments, binds, publishes with properties and headers, consume,
get, ack, nack, reject, a transaction, confirms) runs against a real warren through a recording
proxy; its client bytes seed amqp-frames whole, and cut into method payloads, content-header
properties and field tables for the finer targets. The segment files that session left in the data
directory seed store-recovery; the syslog golden cases in Tests/SyslogTests seed the syslog targets.

    python3 Scripts/fuzz-seed-corpus.py --warren .build/debug/warren
"""

from __future__ import annotations

import argparse
import datetime
import decimal
import hashlib
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "Fuzz" / "corpus"
HOST = "127.0.0.1"


def save(target: str, data: bytes):
    folder = CORPUS / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / hashlib.sha1(data).hexdigest()[:16]).write_bytes(data)


class RecordingProxy:
    """Forwards one loopback port to warren's and keeps what each client sent."""

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.listener = socket.create_server((HOST, 0))
        self.port = self.listener.getsockname()[1]
        self.sessions: list[bytearray] = []
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            client, _ = self.listener.accept()
            server = socket.create_connection((HOST, self.target_port))
            record = bytearray()
            self.sessions.append(record)
            threading.Thread(target=self.pump, args=(client, server, record), daemon=True).start()
            threading.Thread(target=self.pump, args=(server, client, None), daemon=True).start()

    @staticmethod
    def pump(source, sink, record):
        try:
            while chunk := source.recv(65536):
                if record is not None:
                    record += chunk
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


def pika_session(port: int):
    import pika
    params = pika.ConnectionParameters(host=HOST, port=port, credentials=pika.PlainCredentials("guest", "guest"))
    connection = pika.BlockingConnection(params)
    channel = connection.channel()
    channel.exchange_declare("seed.topic", "topic", durable=True)
    channel.exchange_declare("seed.headers", "headers")
    channel.queue_declare("seed.durable", durable=True, arguments={
        "x-message-ttl": 60000, "x-max-length": 1000, "x-dead-letter-exchange": "seed.topic",
        "x-dead-letter-routing-key": "dead", "x-overflow": "reject-publish", "x-max-priority": 9})
    channel.queue_declare("seed.plain", arguments={"x-expires": 600000, "x-single-active-consumer": True})
    channel.queue_bind("seed.durable", "seed.topic", "kern.*")
    channel.queue_bind("seed.plain", "seed.headers", arguments={"x-match": "any", "host": "web1", "level": 3})
    channel.confirm_delivery()
    properties = pika.BasicProperties(
        content_type="text/plain", content_encoding="utf-8", delivery_mode=2, priority=5, correlation_id="c-1",
        reply_to="replies", expiration="60000", message_id="m-1", timestamp=1764000000,
        type="log", user_id="guest", cluster_id="c", app_id="seed",
        headers={"x-death": [{"count": 2, "reason": "expired", "queue": "q", "time": datetime.datetime(2026, 11, 24)}],
                 "host": "web1", "level": 3, "ratio": decimal.Decimal("0.5"), "flag": True, "none": None, "list": [1, "two", 2 ** 40],
                 "blob": b"\x00\xff", "nested": {"a": {"b": 1}}})
    for index in range(4):
        channel.basic_publish("seed.topic", "kern.critical", f"persistent {index}".encode(), properties)
    channel.basic_publish("seed.headers", "", b"to headers", pika.BasicProperties(headers={"host": "web1"}))
    channel.basic_publish("", "seed.plain", b"x" * 10000)
    method, _, _ = channel.basic_get("seed.durable")
    channel.basic_ack(method.delivery_tag)
    method, _, _ = channel.basic_get("seed.durable")
    channel.basic_nack(method.delivery_tag, requeue=True)
    method, _, _ = channel.basic_get("seed.plain")
    channel.basic_reject(method.delivery_tag, requeue=False)
    channel.basic_qos(prefetch_count=10)
    seen = []
    tag = channel.basic_consume("seed.durable", lambda ch, m, p, b: (seen.append(b), ch.basic_ack(m.delivery_tag)))
    while len(seen) < 1:
        connection.process_data_events(time_limit=1)
    channel.basic_cancel(tag)
    tx = connection.channel()
    tx.tx_select()
    tx.basic_publish("seed.topic", "kern.info", b"in a transaction", pika.BasicProperties(delivery_mode=2))
    tx.tx_commit()
    tx.basic_publish("seed.topic", "kern.info", b"rolled back")
    tx.tx_rollback()
    tx.close()
    channel.queue_purge("seed.plain")
    channel.queue_unbind("seed.plain", "seed.headers", arguments={"x-match": "any", "host": "web1", "level": 3})
    channel.queue_delete("seed.plain")
    channel.exchange_delete("seed.headers")
    connection.close()


def frames(stream: bytes):
    """(type, payload) of each frame after the protocol header."""
    offset = 8
    while offset + 7 <= len(stream):
        kind, _, size = struct.unpack(">BHI", stream[offset:offset + 7])
        yield kind, stream[offset + 7:offset + 7 + size]
        offset += 8 + size


def first_table(arguments: bytes) -> bytes:
    size = struct.unpack(">I", arguments[:4])[0]
    return arguments[:4 + size]


def seed_amqp(stream: bytes):
    save("amqp-frames", stream)
    tables = 0
    for kind, payload in frames(stream):
        if kind == 1:
            save("amqp-method", payload)
            class_method = struct.unpack(">HH", payload[:4])
            if class_method == (10, 11):  # start-ok begins with the client properties
                save("field-table", first_table(payload[4:]))
                tables += 1
            if class_method in ((50, 10), (50, 20), (40, 10)):  # arguments end the declare or bind
                arguments = payload[4:]
                for size in range(len(arguments) - 4, -1, -1):
                    if struct.unpack(">I", arguments[size:size + 4])[0] == len(arguments) - size - 4:
                        save("field-table", arguments[size:])
                        break
        elif kind == 2:
            save("basic-properties", payload[12:])


def swift_string(literal: str) -> str:
    """The text of a Swift string literal's body (the escapes the golden cases use)."""
    text = re.sub(r"\\u\{([0-9A-Fa-f]+)\}", lambda m: chr(int(m.group(1), 16)), literal)
    for escape, char in (("\\n", "\n"), ("\\r", "\r"), ("\\t", "\t"), ("\\0", "\0"), ('\\"', '"'), ("\\\\", "\\")):
        text = text.replace(escape, char)
    return text


def seed_syslog():
    lines = set()
    for path in (ROOT / "Tests" / "SyslogTests").glob("*.swift"):
        for literal in re.findall(r'"(<\d{1,3}>[^"\\]*(?:\\.[^"\\]*)*)"', path.read_text()):
            lines.add(swift_string(literal).encode()[:1024])
    for line in sorted(lines):
        save("syslog-parser", line)
    ordered = sorted(lines)
    for index in range(0, len(ordered), 6):
        group = ordered[index:index + 6]
        # First octet: the largest message (>= 128: 65536); second: the read size.
        save("syslog-tcp-framer", b"\xff\x07" + b"\n".join(group) + b"\n")
        save("syslog-tcp-framer", b"\xff\x03" + b"".join(b"%d %s" % (len(line), line) for line in group))
        save("syslog-tcp-framer", b"\x20\x01" + b"\r\n".join(group))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--warren", default=str(ROOT / ".build" / "debug" / "warren"))
    args = parser.parse_args()
    for target in ("amqp-frames", "amqp-method", "field-table", "basic-properties", "syslog-parser",
                   "syslog-tcp-framer", "store-recovery"):
        shutil.rmtree(CORPUS / target, ignore_errors=True)
    with tempfile.TemporaryDirectory() as data:
        with socket.socket() as probe:
            probe.bind((HOST, 0))
            port = probe.getsockname()[1]
        warren = subprocess.Popen([args.warren, "serve", "--bind", HOST, "--amqp-port", str(port), "--syslog-port", "0",
                                   "--http-port", "0", "--data-dir", data],
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for line in warren.stdout:
            if "AMQP listener ready" in line:
                break
        threading.Thread(target=lambda: [None for _ in warren.stdout], daemon=True).start()
        try:
            proxy = RecordingProxy(port)
            pika_session(proxy.port)
        finally:
            warren.terminate()
            warren.wait(15)
        for session in proxy.sessions:
            seed_amqp(bytes(session))
        for segment in sorted(Path(data, "messages").glob("*.seg")):
            content = segment.read_bytes()
            save("store-recovery", b"\x00" + content)
            save("store-recovery", b"\x00" + content[:len(content) * 2 // 3])  # a torn tail
    seed_syslog()
    for folder in sorted(CORPUS.iterdir()):
        print(f"{folder.name}: {len(list(folder.iterdir()))} seeds")
    return 0


if __name__ == "__main__":
    sys.exit(main())
