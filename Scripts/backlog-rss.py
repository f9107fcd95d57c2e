#!/usr/bin/env python3
"""Backlog memory (Docs/benchmarks.md, "Backlog memory and disk"): starts a warren (and, with
--rabbitmq, a private RabbitMQ 3.10 with a lazy classic queue) on free loopback ports with its own
data directory, publishes MESSAGES x SIZE bytes with confirms into one queue that has no consumer,
then drains it with an auto-ack consumer. Prints one JSON line per broker: RSS before, with the
backlog and after the drain, the RSS the backlog costs per message, the size of warren's page
files, and the publish and drain rates. Stops what it started.

Usage: backlog-rss.py --warren .build/release/warren [--rabbitmq] [--messages N] [--size B]
                      [--persistent] [--work DIR]
"""
import argparse, json, os, shutil, signal, socket, struct, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "Tests", "Interop"))
import amqp_raw  # noqa: E402
from conftest import find_free_port  # noqa: E402
from amqp_raw import (BASIC_ACK, BASIC_CONSUME, BASIC_CONSUME_OK, BASIC_DELIVER, BASIC_PUBLISH,  # noqa: E402
                      FRAME_BODY, FRAME_HEADER, QUEUE_DECLARE, QUEUE_DECLARE_OK, frame, longlong, method_frame,
                      octet, queue_declare_args, short, shortstr, table)

QUEUE = "backlog-rss"
CONFIRM_SELECT, CONFIRM_SELECT_OK = (85, 10), (85, 11)
BATCH = 1000
WINDOW = 20_000


def rss(pid: int) -> int:
    """VmRSS of pid and its descendants, bytes."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    parent = int(stat.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(parent, []).append(int(entry))
            except (OSError, ValueError, IndexError):
                continue
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        pending += children.get(current, [])
        try:
            with open(f"/proc/{current}/status") as status:
                total += next((int(line.split()[1]) * 1024 for line in status if line.startswith("VmRSS")), 0)
        except OSError:
            continue
    return total


def folder_size(path: str) -> int:
    return sum(os.path.getsize(os.path.join(path, name)) for name in os.listdir(path)) if os.path.isdir(path) else 0


class Frames:
    """Reads frames from a socket in large chunks (no per-frame bookkeeping)."""

    def __init__(self, sock):
        self.sock, self.buf, self.pos = sock, bytearray(), 0

    def next(self):
        while True:
            if len(self.buf) - self.pos >= 7:
                kind, channel, size = struct.unpack_from(">BHI", self.buf, self.pos)
                end = self.pos + 7 + size + 1
                if len(self.buf) >= end:
                    payload = bytes(self.buf[self.pos + 7:end - 1])
                    self.pos = end
                    return kind, payload
            if self.pos > 1 << 20:
                del self.buf[:self.pos]
                self.pos = 0
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise EOFError("broker closed the connection")
            self.buf += chunk

    def method(self, expected):
        while True:
            kind, payload = self.next()
            if kind == 1 and struct.unpack_from(">HH", payload) == tuple(expected):
                return payload[4:]
            if kind == 1 and struct.unpack_from(">HH", payload) in ((10, 50), (20, 40)):
                raise RuntimeError(f"broker closed: {payload[4:]!r}")


def publish(client, frames, messages: int, size: int, persistent: bool):
    client.send(method_frame(1, CONFIRM_SELECT, octet(0)))
    frames.method(CONFIRM_SELECT_OK)
    properties = short(0x1000) + octet(2) if persistent else short(0)
    one = (method_frame(1, BASIC_PUBLISH, short(0) + shortstr("") + shortstr(QUEUE) + octet(0))
           + frame(FRAME_HEADER, 1, short(60) + short(0) + longlong(size) + properties)
           + frame(FRAME_BODY, 1, b"x" * size))
    sent = confirmed = 0
    while confirmed < messages:
        while sent < messages and sent - confirmed < WINDOW:
            count = min(BATCH, messages - sent)
            client.sock.sendall(one * count)
            sent += count
        args = frames.method(BASIC_ACK)
        tag, multiple = struct.unpack_from(">QB", args)
        confirmed = tag if multiple & 1 else max(confirmed, tag)


def drain(client, frames, messages: int):
    client.send(method_frame(1, BASIC_CONSUME, short(0) + shortstr(QUEUE) + shortstr("") + octet(0b10) + table()))
    frames.method(BASIC_CONSUME_OK)
    received = 0
    while received < messages:
        kind, payload = frames.next()
        if kind == 1 and payload[:4] == b"\x00\x3c\x00\x3c":
            received += 1


def wait_for_port(port: int, process, limit: float):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"broker exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing accepted on port {port} within {limit} s")


def measure(port: int, pid: int, label: str, options, lazy: bool = False, data_dir=None) -> dict:
    client = amqp_raw.connect(port, timeout=600)
    client.open_channel(1)
    frames = Frames(client.sock)
    arguments = {"x-queue-mode": "lazy"} if lazy else {}
    client.send(method_frame(1, QUEUE_DECLARE, queue_declare_args(QUEUE, durable=options.persistent, arguments=table(arguments))))
    frames.method(QUEUE_DECLARE_OK)

    before = rss(pid)
    start = time.monotonic()
    publish(client, frames, options.messages, options.size, options.persistent)
    published = time.monotonic()
    held = rss(pid)
    paging = folder_size(os.path.join(data_dir, "paging")) if data_dir else None
    drain(client, frames, options.messages)
    drained = time.monotonic()
    after = rss(pid)
    client.close_socket()
    return {
        "broker": label, "messages": options.messages, "size": options.size, "persistent": options.persistent,
        "rss_before_mb": round(before / 1e6), "rss_with_backlog_mb": round(held / 1e6), "rss_after_drain_mb": round(after / 1e6),
        "bytes_per_message": round((held - before) / options.messages),
        "publish_per_s": round(options.messages / (published - start)),
        "drain_per_s": round(options.messages / (drained - published)),
        "paging_dir_mb": None if paging is None else round(paging / 1e6),
        "load": os.getloadavg()[0],
    }


def run_warren(options, work: str) -> dict:
    port, data_dir = find_free_port(), os.path.join(work, "warren")
    process = subprocess.Popen([options.warren, "serve", "--amqp-port", str(port), "--syslog-port", "0", "--http-port", "0",
                                "--data-dir", data_dir, "--log-level", "warning"])
    try:
        wait_for_port(port, process, 30)
        return measure(port, process.pid, "warren", options, data_dir=data_dir)
    finally:
        process.terminate()
        process.wait()


def run_rabbitmq(options, work: str) -> dict:
    port, base = find_free_port(), os.path.join(work, "rabbit")
    os.makedirs(base)
    with open(os.path.join(base, "enabled_plugins"), "w") as plugins:
        plugins.write("[].")
    env = dict(os.environ, RABBITMQ_NODENAME=f"warrenbacklog-{os.getpid()}@localhost", RABBITMQ_NODE_PORT=str(port),
               RABBITMQ_DIST_PORT=str(find_free_port()), RABBITMQ_MNESIA_BASE=base + "/mnesia", RABBITMQ_LOG_BASE=base + "/log",
               RABBITMQ_ENABLED_PLUGINS_FILE=base + "/enabled_plugins", RABBITMQ_CONFIG_FILE=base + "/rabbitmq")
    process = subprocess.Popen(["/usr/lib/rabbitmq/bin/rabbitmq-server"], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_for_port(port, process, 90)
        return measure(port, process.pid, "rabbitmq-3.10-lazy", options, lazy=True)
    finally:
        os.killpg(process.pid, 15)  # its own session: the script, erl and beam it started
        process.wait()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--warren", required=True, help="the warren binary (a release build for figures)")
    parser.add_argument("--rabbitmq", action="store_true", help="also measure a private RabbitMQ (lazy queue)")
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--size", type=int, default=1024)
    parser.add_argument("--persistent", action="store_true", help="persistent messages to a durable queue")
    parser.add_argument("--work", default="/tmp", help="where the brokers' data directories go (needs about messages x size bytes)")
    options = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the brokers it started on the way out
    work = tempfile.mkdtemp(prefix="warren-backlog.", dir=options.work)
    try:
        print(json.dumps(run_warren(options, work)), flush=True)
        if options.rabbitmq:
            print(json.dumps(run_rabbitmq(options, work)), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
