#!/usr/bin/env python3
"""Restart with a persistent backlog (Docs/benchmarks.md): starts a warren on a free loopback port
with its own data directory, publishes MESSAGES x SIZE persistent messages with confirms into a
durable queue nobody consumes, kills it with SIGKILL, then restarts each binary given on that data
directory in turn (each killed again after its measurement). Prints one JSON line per restart: the
time from exec until the AMQP port accepts (listeners open once every message is restored), the
RSS then, the peak RSS (VmHWM) during the restart, and the queue's message count. Stops what it started.

Usage: restart-rss.py --warren NEW [--warren OLD ...] [--messages N] [--size B] [--work DIR | --data DIR]
(--data: use and keep that data directory, filling it only when it has no message log yet)
"""
import argparse, importlib.util, json, os, shutil, signal, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "Tests", "Interop"))
import amqp_raw  # noqa: E402
from conftest import find_free_port  # noqa: E402
from amqp_raw import QUEUE_DECLARE, QUEUE_DECLARE_OK, method_frame, queue_declare_args, table  # noqa: E402

# The backlog publisher and the RSS and port helpers of backlog-rss.py.
_spec = importlib.util.spec_from_file_location("backlog_rss", os.path.join(os.path.dirname(__file__), "backlog-rss.py"))
backlog = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(backlog)


def peak_rss(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        return next((int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM")), 0)


def start(binary: str, port: int, data_dir: str) -> subprocess.Popen:
    return subprocess.Popen([binary, "serve", "--amqp-port", str(port), "--syslog-port", "0", "--http-port", "0",
                             "--data-dir", data_dir, "--log-level", "warning"])


def declare(port: int, passive: bool) -> int:
    client = amqp_raw.connect(port, timeout=600)
    client.open_channel(1)
    frames = backlog.Frames(client.sock)
    client.send(method_frame(1, QUEUE_DECLARE, queue_declare_args(backlog.QUEUE, durable=True, passive=passive, arguments=table({}))))
    count = int.from_bytes(frames.method(QUEUE_DECLARE_OK)[-8:-4], "big")
    return client, frames, count


def kill(process: subprocess.Popen):
    process.send_signal(signal.SIGKILL)
    process.wait()


def fill(options, data_dir: str):
    port = find_free_port()
    process = start(options.warren[0], port, data_dir)
    try:
        backlog.wait_for_port(port, process, 60)
        client, frames, _ = declare(port, passive=False)
        backlog.publish(client, frames, options.messages, options.size, persistent=True)
        client.close_socket()
    finally:
        kill(process)


def restart(binary: str, data_dir: str, timeout: float) -> dict:
    port = find_free_port()
    started = time.monotonic()
    process = start(binary, port, data_dir)
    try:
        backlog.wait_for_port(port, process, timeout)
        ready = time.monotonic()
        held, peak = backlog.rss(process.pid), peak_rss(process.pid)
        client, _, count = declare(port, passive=True)
        client.close_socket()
        return {"binary": binary, "seconds_to_listen": round(ready - started, 1), "rss_after_restore_mb": round(held / 1e6),
                "peak_rss_mb": round(peak / 1e6), "messages": count, "load": os.getloadavg()[0]}
    finally:
        kill(process)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--warren", action="append", required=True, help="a warren binary; the first also fills the backlog")
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--size", type=int, default=1024)
    parser.add_argument("--timeout", type=float, default=1800, help="seconds a restart may take")
    parser.add_argument("--work", default="/tmp", help="where the data directory goes (needs about messages x size bytes)")
    parser.add_argument("--data", help="use and keep this data directory (filled only when it has no message log)")
    options = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the broker it started on the way out
    work = None if options.data else tempfile.mkdtemp(prefix="warren-restart.", dir=options.work)
    data_dir = options.data or os.path.join(work, "data")
    try:
        if not os.path.isdir(os.path.join(data_dir, "messages")):
            fill(options, data_dir)
        for binary in options.warren:
            print(json.dumps(restart(binary, data_dir, options.timeout)), flush=True)
    finally:
        if work:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
