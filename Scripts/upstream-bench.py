#!/usr/bin/env python3
"""`make upstream-bench`: a release warren forwarding to a private three-node RabbitMQ cluster.

In one run, on this machine (Docs/benchmarks.md, "Forwarding to a RabbitMQ cluster"):
1. what the cluster accepts from the neutral client: `warren bench` publishing persistent messages
   with confirms (window 1000) into a quorum queue on the cluster, once consumed as it goes and once
   DRAIN_MESSAGES into a queue nobody consumes (as the drain below fills one);
2. a backlog of DRAIN_MESSAGES syslog entries collected while every node is down, then the time the
   forwarder takes to drain it once the cluster is back (its forwarding rate with confirms, into a
   quorum queue, window 1000);
3. warren's RSS while every node is down and syslog entries arrive over UDP at OUTAGE_RATE per
   second for OUTAGE_SECONDS (sampled every second: peak, and at the end), with the backlog and the
   data directory's size at the end; OUTAGE_SECONDS=0 leaves this part out.
Prints the load average beside each figure: other work shares this machine."""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "Tests" / "Interop"))

import polling  # noqa: E402
from conftest import HOST, find_free_port  # noqa: E402
from rabbitmq_cluster import RabbitCluster  # noqa: E402

BIN = os.environ.get("BIN", str(REPO / ".build" / "release" / "warren"))
BENCH_MESSAGES = int(os.environ.get("BENCH_MESSAGES", "200000"))
DRAIN_MESSAGES = int(os.environ.get("DRAIN_MESSAGES", "1000000"))
OUTAGE_RATE = int(os.environ.get("OUTAGE_RATE", "20000"))
OUTAGE_SECONDS = int(os.environ.get("OUTAGE_SECONDS", "600"))
UPSTREAM_QUEUE = "bench-forward"
WAIT_LIMIT = 3600.0


def load() -> str:
    return "load " + " ".join(Path("/proc/loadavg").read_text().split()[:3])


def report(text: str):
    print(f"{text}   [{load()}]", flush=True)


def wait_until(condition, limit: float = WAIT_LIMIT):
    """A benchmark asks for what it cannot be told about, every 0.2 s, for at most `limit` seconds."""
    return polling.wait_for(condition, limit, 0.2)


class EdgeWarren:
    """A release `warren serve` forwarding to the cluster; stopped by pid."""

    def __init__(self, work: Path, upstream_url: str):
        self.amqp_port, self.syslog_port, self.http_port = find_free_port(), find_free_port(), find_free_port()
        self.data_dir = work / "warren"
        self.data_dir.mkdir()
        env = dict(os.environ, WARREN_LOG_STREAM="false")
        self.output = open(work / "warren.out", "wb")
        self.proc = subprocess.Popen(
            [BIN, "serve", "--bind", HOST, "--amqp-port", str(self.amqp_port), "--syslog-port", str(self.syslog_port),
             "--http-port", str(self.http_port), "--data-dir", str(self.data_dir), "--log-level", "warning",
             "--upstream", upstream_url, "--upstream-queue", UPSTREAM_QUEUE],
            env=env, stdin=subprocess.DEVNULL, stdout=self.output, stderr=subprocess.STDOUT)
        wait_until(self.accepting, 60)

    def accepting(self) -> bool:
        if self.proc.poll() is not None:
            raise RuntimeError(f"warren exited with {self.proc.returncode}")
        try:
            socket.create_connection((HOST, self.http_port), timeout=1).close()
            return True
        except OSError:
            return False

    def upstream(self) -> dict:
        request = urllib.request.Request(f"http://{HOST}:{self.http_port}/api/upstreams")
        request.add_header("Authorization", "Basic " + base64.b64encode(b"guest:guest").decode())
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())[0]

    def url(self) -> str:
        return f"amqp://guest:guest@{HOST}:{self.amqp_port}/%2F"

    def rss_kib(self) -> int:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.output.close()


def bench(*args: str) -> str:
    done = subprocess.run([BIN, "bench", *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"warren bench {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def neutral_client(cluster: RabbitCluster):
    out = bench("--url", cluster.nodes[0].url(), "--messages", str(BENCH_MESSAGES), "--confirm", "1000",
                "--prefetch", "200", "--persistent", "--queue-type", "quorum", "--json")
    metrics = {metric["name"]: metric["median"] for metric in json.loads(out.strip().splitlines()[-1])["metrics"]}
    report(f"neutral client (warren bench, confirms window 1000, persistent, quorum queue): "
           f"publish {metrics['published']:.0f} msg/s, consume {metrics['consumed']:.0f} msg/s")
    # The drain fills a quorum queue nobody consumes: the same, from the neutral client, timed by the wall clock
    # (connection, declaration and the queue's deletion included, so slightly under the publishing rate).
    leader_pid = cluster.nodes[0].pid_file.read_text().strip()
    started = time.monotonic()
    bench("--url", cluster.nodes[0].url(), "--messages", str(DRAIN_MESSAGES), "--confirm", "1000", "--persistent",
          "--queue-type", "quorum", "--backlog", "--pid", leader_pid)
    elapsed = time.monotonic() - started
    report(f"neutral client, publishing only: {DRAIN_MESSAGES} persistent messages with confirms (window 1000) into a "
           f"quorum queue nobody consumes in {elapsed:.1f} s ({DRAIN_MESSAGES / elapsed:.0f} msg/s)")


def drain(cluster: RabbitCluster, edge: EdgeWarren):
    cluster.stop_all()
    wait_until(lambda: edge.upstream()["node"] is None)
    out = bench("--syslog", f"tcp://{HOST}:{edge.syslog_port}", "--url", edge.url(), "--messages", str(DRAIN_MESSAGES))
    print(out.strip(), flush=True)
    backlog = wait_until(lambda: edge.upstream()["backlog"] >= DRAIN_MESSAGES and edge.upstream()["backlog"], 120)
    report(f"backlog built with every node down: {backlog} entries, warren RSS {edge.rss_kib() // 1024} MiB")
    forwarded_before = edge.upstream()["forwarded"]
    restarted = time.monotonic()
    cluster.start_all()
    wait_until(lambda: edge.upstream()["state"] == "running")
    connected = time.monotonic()
    wait_until(lambda: edge.upstream()["backlog"] == 0)
    drained = time.monotonic()
    status = edge.upstream()
    forwarded = status["forwarded"] - forwarded_before
    report(f"drain: {forwarded} entries forwarded in {drained - connected:.1f} s after the forwarder reconnected "
           f"({forwarded / (drained - connected):.0f} entries/s, confirms window 1000, quorum queue); "
           f"{drained - restarted:.1f} s counting the cluster's restart; dead-lettered {status['dead_lettered']}")


def outage_rss(cluster: RabbitCluster, edge: EdgeWarren):
    cluster.stop_all()
    wait_until(lambda: edge.upstream()["node"] is None)
    samples: list[int] = []
    stop = threading.Event()

    def sample():
        while not stop.wait(1.0):
            samples.append(edge.rss_kib())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.monotonic()
    out = bench("--syslog", f"udp://{HOST}:{edge.syslog_port}", "--url", edge.url(), "--rate", str(OUTAGE_RATE),
                "--messages", str(OUTAGE_RATE * OUTAGE_SECONDS))
    stop.set()
    sampler.join()
    print(out.strip(), flush=True)
    status = edge.upstream()
    disk = sum(f.stat().st_size for f in edge.data_dir.rglob("*") if f.is_file())
    report(f"outage of {time.monotonic() - started:.0f} s at {OUTAGE_RATE} entries/s offered over UDP: "
           f"warren RSS peak {max(samples) // 1024} MiB, at the end {samples[-1] // 1024} MiB, "
           f"first minute {max(samples[:60]) // 1024} MiB; backlog {status['backlog']} entries, "
           f"data directory {disk / 1e9:.2f} GB")


def main() -> int:
    if not os.access(BIN, os.X_OK):
        print(f"error: {BIN} is not an executable warren (build it: swift build -c release)", file=sys.stderr)
        return 1
    work = Path(tempfile.mkdtemp(prefix="warren-upstream-bench."))
    cluster = RabbitCluster(work / "cluster", nodes=3, memory_limit=os.environ.get("RABBIT_MEMORY", "6GB"))
    edge = None
    try:
        started = time.monotonic()
        cluster.start()
        report(f"three-node cluster up in {time.monotonic() - started:.0f} s: {cluster.url()}")
        neutral_client(cluster)
        edge = EdgeWarren(work, cluster.url())
        wait_until(lambda: edge.upstream()["state"] == "running", 120)
        drain(cluster, edge)
        if OUTAGE_SECONDS > 0:
            outage_rss(cluster, edge)
    finally:
        if edge is not None:
            edge.stop()
        cluster.stop()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
