"""Fixtures that run the real `warren` binary for interop tests.

API (see the fixtures at the bottom):

* ``warren``          -- a running instance with DEFAULT_CONFIG, stopped after the test.
* ``warren_factory``  -- ``warren_factory(config=None, *, port=None, expect_ready=True,
                         extra_args=(), env=None)`` starts another instance (its own port,
                         data dir and config) and returns a ``Warren``; all are stopped after
                         the test. With ``expect_ready=False`` it does not wait for the ready
                         line (for start-up failures: use ``.wait_exit()`` and ``.output()``).
* ``free_port``       -- a function returning a currently free loopback TCP port.

A ``Warren`` has ``host``, ``port``, ``data_dir``, ``config_path``, ``proc`` and helpers:
``url()``, ``params()``, ``connect()`` (pika), ``raw()`` / ``raw_connect()`` (amqp_raw),
``output()``, ``wait_for_output(text)``, ``signal()``, ``terminate()``, ``wait_exit()``,
``stop()``.

The server's merged stdout/stderr is attached to the report of any failing test.
Each test runs under a wall-clock deadline enforced with SIGALRM (default
DEFAULT_TEST_DEADLINE seconds; ``@pytest.mark.deadline(N)`` overrides).
"""

from __future__ import annotations

import base64
import hashlib
import os
import signal
import socket
import subprocess
import urllib.parse
from pathlib import Path
from typing import Optional

import pytest

import amqp_raw
from process_output import LineCollector

REPO = Path(__file__).resolve().parents[2]
WARREN_BIN = os.environ.get("WARREN_BIN") or str(REPO / ".build" / "debug" / "warren")
HOST = "127.0.0.1"

READY_TIMEOUT = float(os.environ.get("WARREN_READY_TIMEOUT", "30"))
STOP_TIMEOUT = 10.0
DEFAULT_TEST_DEADLINE = 30.0


def ready_line(host: str, port: int) -> str:
    return f"AMQP listener ready on {host}:{port}"


def rabbit_password_hash(password: str, salt: bytes = b"\x9a\x1b\x2c\x3d") -> str:
    """RabbitMQ's rabbit_password_hashing_sha256: base64(salt4 + sha256(salt4 + password))."""
    assert len(salt) == 4
    return base64.b64encode(salt + hashlib.sha256(salt + password.encode()).digest()).decode()


# Exported by RabbitMQ 3.10.8 (`rabbitmqctl export_definitions`) for the password "s3cret".
RABBITMQ_EXPORTED_HASH_S3CRET = "qDQ2UXnL15OpWK/S7bHorinTNpHacWppL/GYhTgHPBr2NU0M"

# Users/vhosts of the default instance; tests import these names.
USERS = {
    # name: (password, vhosts it may open or None for all)
    "alice": ("s3cret", ["logs"]),
    "bob": ("hunter2", ["/", "logs"]),       # configured with password_hash
    "carol": ("pa55word", None),              # no vhosts key: every vhost
    "dave": ("s3cret", ["/"]),                # hash exported by real RabbitMQ
}

DEFAULT_CONFIG = f"""\
[[vhosts]]
name = "logs"

[[vhosts]]
name = "secret"

[[users]]
name = "alice"
password = "s3cret"
vhosts = ["logs"]

[[users]]
name = "bob"
password_hash = "{rabbit_password_hash('hunter2')}"
vhosts = ["/", "logs"]

[[users]]
name = "carol"
password = "pa55word"

[[users]]
name = "dave"
password_hash = "{RABBITMQ_EXPORTED_HASH_S3CRET}"
vhosts = ["/"]
"""


def find_free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def cancel_deadline():
    signal.setitimer(signal.ITIMER_REAL, 0)


class Warren:
    """One `warren serve` process and its merged output."""

    def __init__(self, port: int, data_dir: Path, config_path: Optional[Path],
                 extra_args=(), env=None):
        self.host = HOST
        self.port = port
        self.data_dir = data_dir
        self.config_path = config_path
        self.argv = [WARREN_BIN, "serve", "--bind", HOST, "--amqp-port", str(port),
                     "--syslog-port", "0", "--http-port", "0", "--data-dir", str(data_dir)]
        if config_path is not None:
            self.argv += ["--config", str(config_path)]
        self.argv += list(extra_args)
        # The log stream (on by default) adds a queue, a binding and a definition that the tests
        # of other features do not expect; the stream tests turn it on (WARREN_LOG_STREAM=true).
        env = dict(os.environ if env is None else env)
        env.setdefault("WARREN_LOG_STREAM", "false")
        if not os.access(WARREN_BIN, os.X_OK):
            pytest.fail(f"warren binary not found or not executable: {WARREN_BIN} "
                        "(build it, or set WARREN_BIN)", pytrace=False)
        self.proc = subprocess.Popen(
            self.argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, env=env, start_new_session=True)
        self._reader = LineCollector(self.proc.stdout, name=f"warren-{port}-output")

    # -- output -------------------------------------------------------------
    def output(self) -> str:
        return self._reader.text()

    def wait_for_output(self, text: str, timeout: float = READY_TIMEOUT,
                        case_sensitive: bool = True) -> bool:
        """Block until a line containing `text` appears; False on EOF or deadline."""
        needle = text if case_sensitive else text.lower()
        return self._reader.wait_until(
            lambda lines: any(needle in (line if case_sensitive else line.lower()) for line in lines), timeout)

    def wait_ready(self, timeout: float = READY_TIMEOUT):
        if not self.wait_for_output(ready_line(self.host, self.port), timeout):
            rc = self.proc.poll()
            state = f"exited with {rc}" if rc is not None else f"still running after {timeout}s"
            raise RuntimeError(f"warren did not log {ready_line(self.host, self.port)!r} ({state}).\n"
                               f"argv: {self.argv}\n--- output ---\n{self.output()}")

    # -- process control ----------------------------------------------------
    @property
    def pid(self) -> int:
        return self.proc.pid

    def running(self) -> bool:
        return self.proc.poll() is None

    def signal(self, sig=signal.SIGTERM):
        if self.running():
            self.proc.send_signal(sig)

    def wait_exit(self, timeout: float = STOP_TIMEOUT) -> Optional[int]:
        """The exit code, or None if still running at the deadline."""
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None
        self._reader.join(2)
        return rc

    def terminate(self, timeout: float = STOP_TIMEOUT) -> Optional[int]:
        """SIGTERM and wait; the exit code or None if it did not exit in time."""
        self.signal(signal.SIGTERM)
        return self.wait_exit(timeout)

    def stop(self) -> Optional[int]:
        """SIGTERM, wait, then SIGKILL if needed. Returns the exit code."""
        if not self.running():
            return self.wait_exit(0.1)
        rc = self.terminate(STOP_TIMEOUT)
        if rc is None:
            self.signal(signal.SIGKILL)
            rc = self.wait_exit(STOP_TIMEOUT)
        if self.proc.stdout:
            self._reader.join(2)
            self.proc.stdout.close()
        return rc

    # -- clients ------------------------------------------------------------
    def url(self, user="guest", password="guest", vhost="/") -> str:
        """An amqp:// URL; the vhost is always explicit (and %-encoded)."""
        q = urllib.parse.quote
        return f"amqp://{q(user, safe='')}:{q(password, safe='')}@{self.host}:{self.port}/{q(vhost, safe='')}"

    def params(self, user="guest", password="guest", vhost="/", **kw):
        import pika
        kw.setdefault("connection_attempts", 1)
        kw.setdefault("socket_timeout", 5)
        kw.setdefault("stack_timeout", 10)
        kw.setdefault("blocked_connection_timeout", 10)
        return pika.ConnectionParameters(
            host=self.host, port=self.port, virtual_host=vhost,
            credentials=pika.PlainCredentials(user, password, erase_on_connect=False), **kw)

    def connect(self, **kw):
        import pika
        return pika.BlockingConnection(self.params(**kw))

    def raw(self, timeout: float = amqp_raw.DEFAULT_TIMEOUT) -> amqp_raw.RawClient:
        return amqp_raw.RawClient(self.host, self.port, timeout)

    def raw_connect(self, **kw) -> amqp_raw.RawClient:
        return amqp_raw.connect(self.port, self.host, **kw)

    def __repr__(self):
        return f"<Warren pid={self.proc.pid} {self.host}:{self.port}>"


def _start(tmp_root: Path, index: int, config: Optional[str], port: Optional[int],
           expect_ready: bool, extra_args, env) -> Warren:
    data_dir = tmp_root / f"warren{index}" / "data"
    data_dir.mkdir(parents=True)
    config_path = None
    if config is not None:
        config_path = tmp_root / f"warren{index}" / "warren.toml"
        config_path.write_text(config)
    attempts = 1 if (port is not None or not expect_ready) else 3
    for attempt in range(attempts):
        chosen = port if port is not None else find_free_port()
        w = Warren(chosen, data_dir, config_path, extra_args, env)
        if not expect_ready:
            return w
        try:
            w.wait_ready()
            return w
        except RuntimeError:
            out = w.output()
            w.stop()
            # The free port may have been taken between probing and binding: retry.
            if attempt + 1 < attempts and "address already in use" in out.lower():
                continue
            raise


# ---------------------------------------------------------------------------
# pytest plumbing
# ---------------------------------------------------------------------------

def pytest_configure(config):
    config.addinivalue_line("markers", "deadline(seconds): wall-clock limit for one test (SIGALRM)")


class DeadlineExceeded(Exception):
    pass


@pytest.fixture(autouse=True)
def _test_deadline(request):
    marker = request.node.get_closest_marker("deadline")
    seconds = float(marker.args[0]) if marker else DEFAULT_TEST_DEADLINE

    def on_alarm(signum, frame):
        raise DeadlineExceeded(f"test exceeded its {seconds:g}s deadline")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        cancel_deadline()
        signal.signal(signal.SIGALRM, previous)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if rep.failed:
        for w in getattr(item, "_warren_instances", []):
            status = "running" if w.running() else f"exit code {w.proc.returncode}"
            rep.sections.append((f"warren {w.host}:{w.port} output ({status}, phase {rep.when})",
                                 w.output() or "(no output)"))


@pytest.fixture
def free_port():
    return find_free_port


@pytest.fixture
def warren_factory(request, tmp_path):
    instances: list = []
    request.node._warren_instances = instances

    def start(config: Optional[str] = None, *, port: Optional[int] = None,
              expect_ready: bool = True, extra_args=(), env=None) -> Warren:
        try:
            w = _start(tmp_path, len(instances), config, port, expect_ready, extra_args, env)
        except RuntimeError as e:
            pytest.fail(str(e), pytrace=False)
        instances.append(w)
        return w

    yield start

    # Stopping is bounded by its own timeouts; do not let the test deadline cut it short.
    cancel_deadline()
    crashed = []
    for w in instances:
        was_running = w.running()
        rc = w.stop()
        if not was_running and rc not in (0, None) and not getattr(w, "expected_exit", False):
            crashed.append(f"{w!r} exited with {rc} during the test")
    if crashed:
        pytest.fail("; ".join(crashed) + "\n" + "\n".join(w.output() for w in instances),
                    pytrace=False)


@pytest.fixture
def warren(warren_factory) -> Warren:
    return warren_factory(DEFAULT_CONFIG)
