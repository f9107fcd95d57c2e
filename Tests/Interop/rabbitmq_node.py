"""A private RabbitMQ node (Debian's rabbitmq-server) for a test module: its own node name, free
AMQP and distribution ports, its own epmd, data and log directories and Erlang cookie. Everything
it runs is started here and stopped by pid; a system-wide rabbitmq-server is left alone."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pika

from conftest import HOST, find_free_port

SERVER = "/usr/lib/rabbitmq/bin/rabbitmq-server"
CTL = "/usr/lib/rabbitmq/bin/rabbitmqctl"
START_TIMEOUT = 120.0


class RabbitMQNode:
    """`tls` (CA, certificate, key files) adds an AMQPS listener on `tls_port`."""

    def __init__(self, directory: Path, tls: tuple[str, str, str] | None = None):
        for tool in (SERVER, CTL):
            if not os.access(tool, os.X_OK):
                raise RuntimeError(f"{tool} is missing: install rabbitmq-server (make deps-test does)")
        if shutil.which("epmd") is None:
            raise RuntimeError("epmd is missing: install erlang-base (a dependency of rabbitmq-server)")
        self.directory = directory
        self.port = find_free_port()
        self.epmd_port = find_free_port()
        self.name = f"warrenup{os.getpid()}-{self.port}@localhost"
        home = directory / "home"
        home.mkdir(parents=True, exist_ok=True)
        (directory / "enabled_plugins").write_text("[].\n")
        self.tls_port = find_free_port() if tls else None
        settings = [f"listeners.tcp.1 = {HOST}:{self.port}"]
        if tls:
            settings += [f"listeners.ssl.1 = {HOST}:{self.tls_port}", f"ssl_options.cacertfile = {tls[0]}",
                         f"ssl_options.certfile = {tls[1]}", f"ssl_options.keyfile = {tls[2]}",
                         "ssl_options.verify = verify_none", "ssl_options.fail_if_no_peer_cert = false"]
        (directory / "rabbitmq.conf").write_text("\n".join(settings) + "\n")
        self.env = dict(os.environ, HOME=str(home), ERL_EPMD_PORT=str(self.epmd_port), RABBITMQ_NODENAME=self.name,
                        RABBITMQ_NODE_IP_ADDRESS=HOST, RABBITMQ_NODE_PORT=str(self.port),
                        RABBITMQ_DIST_PORT=str(find_free_port()), RABBITMQ_MNESIA_BASE=str(directory / "mnesia"),
                        RABBITMQ_LOG_BASE=str(directory / "log"),
                        RABBITMQ_ENABLED_PLUGINS_FILE=str(directory / "enabled_plugins"),
                        RABBITMQ_CONFIG_FILE=str(directory / "rabbitmq.conf"))
        self.epmd: subprocess.Popen | None = None
        self.server: subprocess.Popen | None = None

    def start(self) -> "RabbitMQNode":
        self.epmd = subprocess.Popen(["epmd", "-port", str(self.epmd_port)], env=self.env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.server = subprocess.Popen([SERVER], env=self.env, stdout=(self.directory / "server.out").open("wb"),
                                       stderr=subprocess.STDOUT, start_new_session=True)
        self.wait_accepting()
        return self

    def wait_accepting(self):
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.server.poll() is not None:
                break
            try:
                self.connect().close()
                return
            except Exception:
                time.sleep(0.2)
        raise RuntimeError(f"RabbitMQ on {self.port} did not accept connections:\n{self.log_tail()}")

    def log_tail(self) -> str:
        out = self.directory / "server.out"
        return out.read_text(errors="replace")[-3000:] if out.exists() else "(no output)"

    def url(self, vhost: str = "%2F") -> str:
        return f"amqp://guest:guest@{HOST}:{self.port}/{vhost}"

    def connect(self) -> pika.BlockingConnection:
        return pika.BlockingConnection(pika.ConnectionParameters(
            host=HOST, port=self.port, connection_attempts=1, socket_timeout=5, blocked_connection_timeout=10,
            credentials=pika.PlainCredentials("guest", "guest")))

    def ctl(self, *args: str, timeout: float = 60.0) -> str:
        done = subprocess.run([CTL, "-n", self.name, *args], env=self.env, capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            raise RuntimeError(f"rabbitmqctl {' '.join(args)} failed: {done.stdout}{done.stderr}")
        return done.stdout

    def stop_app(self):
        """The broker stops (connections closed, the port refuses) while the node stays up."""
        self.ctl("stop_app")

    def start_app(self):
        self.ctl("start_app")
        self.wait_accepting()

    def stop(self):
        for proc in (self.server, self.epmd):
            if proc is None or proc.poll() is not None:
                continue
            if proc is self.server:
                os.killpg(proc.pid, signal.SIGTERM)  # its own session: the shell script and beam
            else:
                proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                if proc is self.server:
                    os.killpg(proc.pid, signal.SIGKILL)
                else:
                    proc.kill()
                proc.wait(timeout=10)
