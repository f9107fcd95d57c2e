"""A private redis-server for a test: its own port and directory, started and stopped by pid."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import redis

from conftest import HOST, find_free_port

START_TIMEOUT = 10.0


class RedisServer:
    """redis-server on a free loopback port with its data in `directory`. `appendfsync` None runs
    without persistence; "always" makes every acknowledged write survive a kill -9."""

    def __init__(self, directory: Path, appendfsync: str | None = None, port: int | None = None):
        self.directory = directory
        self.appendfsync = appendfsync
        self.port = port or find_free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    def start(self) -> "RedisServer":
        self.directory.mkdir(parents=True, exist_ok=True)
        args = ["redis-server", "--bind", HOST, "--port", str(self.port), "--dir", str(self.directory),
                "--save", "", "--daemonize", "no", "--logfile", str(self.directory / "redis.log")]
        if self.appendfsync:
            args += ["--appendonly", "yes", "--appendfsync", self.appendfsync]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            try:
                if self.client().ping():
                    return self
            except redis.exceptions.ConnectionError:
                time.sleep(0.02)
        raise RuntimeError(f"redis-server on port {self.port} did not start: {(self.directory / 'redis.log').read_text()}")

    def client(self) -> redis.Redis:
        return redis.Redis(host=HOST, port=self.port, socket_timeout=5, decode_responses=True)

    def kill(self):
        """SIGKILL, as a crash: nothing is flushed beyond what appendfsync already wrote."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
