"""RabbitMQ's six classic Python tutorials, run unchanged (see tutorials/README.md) against warren.

Each tutorial's scripts run as separate processes, as a reader of the tutorial would run them;
the test reads their output line by line (no sleeps: every wait is for a line, bounded by a
deadline). Checked against RabbitMQ 3.10.8, which passes every assertion here.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pika
import pika.exceptions as pe
import pytest

from conftest import Warren
from process_output import LineCollector

TUTORIALS = Path(__file__).resolve().parent / "tutorials"
LINE_TIMEOUT = 10.0
RUN_TIMEOUT = 10.0


class Script:
    """A long-running tutorial script (a consumer) whose output is collected line by line."""

    def __init__(self, url: str, name: str, *args: str):
        self.name = name
        self.argv = [sys.executable, "-u", str(TUTORIALS / name), *args]
        self.proc = subprocess.Popen(
            self.argv, cwd=TUTORIALS, env=script_env(url), stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
        self._reader = LineCollector(self.proc.stdout, name=name)

    @property
    def lines(self) -> list:
        return self._reader.lines

    def output(self) -> str:
        return self._reader.text()

    def matching(self, text: str) -> list:
        return [l for l in self.lines if text in l]

    def wait_for(self, text: str, count: int = 1, timeout: float = LINE_TIMEOUT) -> list:
        """Block until `count` lines contain `text`; returns those lines."""
        if self._reader.wait_until(lambda lines: sum(text in l for l in lines) >= count, timeout):
            return self.matching(text)
        state = "exited" if self._reader.eof else "still running"
        raise AssertionError(
            f"{self.name} ({state}): wanted {count} line(s) containing {text!r} within "
            f"{timeout}s, got {len(self.matching(text))}.\n--- {self.name} output ---\n" + self.output())

    def kill(self, sig=signal.SIGKILL):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)
        self._reader.join(2)


def script_env(url: str) -> dict:
    env = dict(os.environ)
    env["AMQP_URL"] = url
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


@pytest.fixture
def tutorial(warren):
    """start(name, *args) -> Script (stopped after the test); run(name, *args) -> its stdout."""
    started: list = []
    url = warren.url()

    class Runner:
        def start(self, name, *args) -> Script:
            s = Script(url, name, *args)
            started.append(s)
            return s

        def run(self, name, *args) -> str:
            try:
                p = subprocess.run([sys.executable, "-u", str(TUTORIALS / name), *args],
                                   cwd=TUTORIALS, env=script_env(url), stdin=subprocess.DEVNULL,
                                   capture_output=True, text=True, timeout=RUN_TIMEOUT)
            except subprocess.TimeoutExpired as e:
                raise AssertionError(f"{name} {args} did not finish within {RUN_TIMEOUT}s: "
                                     f"{e.stdout!r} {e.stderr!r}")
            assert p.returncode == 0, f"{name} {args} exited {p.returncode}:\n{p.stdout}\n{p.stderr}"
            return p.stdout

    yield Runner()
    for s in started:
        s.kill()


def queue_state(warren, name):
    """(message_count, consumer_count) from a passive declare; None if the queue does not exist;
    "locked" if it is another connection's exclusive queue (RabbitMQ answers a passive declare of
    one with 405 RESOURCE_LOCKED)."""
    conn = warren.connect()
    try:
        ch = conn.channel()
        try:
            ok = ch.queue_declare(name, passive=True)
        except pe.ChannelClosedByBroker as e:
            assert e.reply_code in (404, 405), e
            return None if e.reply_code == 404 else "locked"
        return ok.method.message_count, ok.method.consumer_count
    finally:
        if conn.is_open:
            conn.close()


def wait_for_queue_state(warren, name, wanted, timeout=LINE_TIMEOUT):
    """Poll (with a deadline) until queue_state(name) == wanted; the broker notices a dead
    consumer's socket asynchronously, so this is the only way to observe it from outside."""
    deadline = time.monotonic() + timeout
    while True:
        state = queue_state(warren, name)
        if state == wanted or time.monotonic() > deadline:
            return state


# ---------------------------------------------------------------------------
# 1. Hello world
# ---------------------------------------------------------------------------

def test_hello_world(warren, tutorial):
    # Sent before anyone listens: the queue keeps it.
    assert tutorial.run("send.py").strip() == "[x] Sent 'Hello World!'"
    assert queue_state(warren, "hello") == (1, 0)

    receiver = tutorial.start("receive.py")
    receiver.wait_for("[*] Waiting for messages")
    receiver.wait_for("[x] Received b'Hello World!'")

    # And one sent while it listens.
    tutorial.run("send.py")
    receiver.wait_for("[x] Received b'Hello World!'", count=2)
    # auto_ack: nothing is left in the queue, nothing waits for an ack.
    assert queue_state(warren, "hello") == (0, 1)
    assert len(receiver.matching("Received")) == 2, receiver.output()


# ---------------------------------------------------------------------------
# 2. Work queues
# ---------------------------------------------------------------------------

SLOW_TASK = "slow.........."  # ten dots: ten seconds of "work" in worker.py


def test_work_queues_fair_dispatch_and_redelivery(warren, tutorial):
    slow = tutorial.start("worker.py")
    slow.wait_for("[*] Waiting for messages")
    tutorial.run("new_task.py", SLOW_TASK)
    slow.wait_for(f"[x] Received '{SLOW_TASK}' redelivered=False")

    # The slow worker now holds one unacked task. With prefetch_count=1 every further task
    # must go to the fast worker (round-robin without prefetch would hand half to the busy one).
    fast = tutorial.start("worker.py")
    fast.wait_for("[*] Waiting for messages")
    tasks = [f"task {i}" for i in range(1, 5)]
    for t in tasks:
        assert tutorial.run("new_task.py", t).strip() == f"[x] Sent {t!r}"
    for t in tasks:
        fast.wait_for(f"[x] Done {t!r}")
    got = [l for l in fast.matching("[x] Received")]
    assert got == [f" [x] Received {t!r} redelivered=False" for t in tasks], fast.output()
    assert slow.matching("[x] Received") == [f" [x] Received '{SLOW_TASK}' redelivered=False"], \
        slow.output()
    assert slow.matching("[x] Done") == []
    assert queue_state(warren, "task_queue") == (0, 2)

    # The slow worker dies (SIGKILL: the TCP connection is lost) before acking: its task goes to
    # the fast worker, flagged as redelivered.
    slow.kill()
    fast.wait_for(f"[x] Received '{SLOW_TASK}' redelivered=True")
    assert len(fast.matching(SLOW_TASK)) == 1, fast.output()


def test_work_queues_task_is_durable_and_persistent(warren, tutorial):
    tutorial.run("new_task.py", "A task...")
    conn = warren.connect()
    try:
        ch = conn.channel()
        method, props, body = ch.basic_get("task_queue", auto_ack=True)
        assert body == b"A task..."
        assert props.delivery_mode == 2
        # task_queue was declared durable=True: a non-durable redeclare is inequivalent.
        with pytest.raises(pe.ChannelClosedByBroker) as e:
            ch.queue_declare("task_queue", durable=False)
        assert e.value.reply_code == 406
        assert e.value.reply_text == (
            "PRECONDITION_FAILED - inequivalent arg 'durable' for queue 'task_queue' in vhost '/': "
            "received 'false' but current is 'true'")
    finally:
        conn.close()


def test_work_queues_tasks_survive_a_broker_restart(warren, tutorial, request):
    """The tutorial's point of durable=True + delivery_mode=2: a task outlives a broker restart.
    RabbitMQ 3.10.8 (stop_app/start_app): the persistent task is back, a transient message in the
    same durable queue is gone, and so is a non-durable queue."""
    tutorial.run("new_task.py", "persisted task")
    conn = warren.connect()
    ch = conn.channel()
    ch.basic_publish("", "task_queue", b"transient task", pika.BasicProperties(delivery_mode=1))
    ch.queue_declare("scratch")
    ch.basic_publish("", "scratch", b"x", pika.BasicProperties(delivery_mode=2))
    conn.close()

    assert warren.terminate() == 0, warren.output()
    again = Warren(warren.port, warren.data_dir, warren.config_path)
    request.node._warren_instances.append(again)  # stopped (and its output reported) by conftest
    again.wait_ready()

    assert queue_state(again, "task_queue") == (1, 0)
    assert queue_state(again, "scratch") is None
    worker = tutorial.start("worker.py")  # same host:port, so the same AMQP_URL
    worker.wait_for("[x] Done 'persisted task'")
    assert worker.matching("[x] Received") == [" [x] Received 'persisted task' redelivered=False"]


# ---------------------------------------------------------------------------
# 3. Publish/subscribe
# ---------------------------------------------------------------------------

def test_publish_subscribe(warren, tutorial):
    # Nobody is bound yet: this one is dropped by the fanout exchange.
    tutorial.run("emit_log.py", "info: lost")

    subs = [tutorial.start("receive_logs.py") for _ in range(2)]
    queues = []
    for s in subs:
        line = s.wait_for("[*] Queue ")[0]
        queues.append(line.split("[*] Queue ", 1)[1].strip())
        s.wait_for("[*] Waiting for logs")
    assert all(q.startswith("amq.gen-") for q in queues), queues
    assert queues[0] != queues[1]

    messages = ["info: one", "warning: two", "error: three"]
    for m in messages:
        assert tutorial.run("emit_log.py", m).strip() == f"[x] Sent {m!r}"
    for s in subs:
        s.wait_for("[x] b'error: three'")
        assert s.matching("[x] ") == [f" [x] {m.encode()!r}" for m in messages], s.output()

    # The queues are exclusive: another connection may not consume from them (405) ...
    conn = warren.connect()
    try:
        ch = conn.channel()
        with pytest.raises(pe.ChannelClosedByBroker) as e:
            ch.basic_consume(queues[0], lambda *a: None)
        assert e.value.reply_code == 405
    finally:
        conn.close()
    # ... and are deleted when their connection goes away.
    subs[0].kill()
    assert wait_for_queue_state(warren, queues[0], None) is None
    assert queue_state(warren, queues[1]) == "locked"


# ---------------------------------------------------------------------------
# 4. Routing
# ---------------------------------------------------------------------------

def test_routing(warren, tutorial):
    problems = tutorial.start("receive_logs_direct.py", "warning", "error")
    everything = tutorial.start("receive_logs_direct.py", "info", "warning", "error")
    for s in (problems, everything):
        s.wait_for("[*] Waiting for logs")

    emitted = [("info", "starting"), ("warning", "disk 91% full"), ("debug", "nobody listens"),
               ("error", "Run. Run. Or it will explode.")]
    for severity, message in emitted:
        out = tutorial.run("emit_log_direct.py", severity, message)
        assert out.strip() == f"[x] Sent {severity!r}:{message!r}"

    def expected(severities):
        return [f" [x] {s!r}:{m.encode()!r}" for s, m in emitted if s in severities]

    for s, sev in ((problems, {"warning", "error"}), (everything, {"info", "warning", "error"})):
        s.wait_for("Or it will explode.")
        assert s.matching("[x] ") == expected(sev), s.output()


# ---------------------------------------------------------------------------
# 5. Topics
# ---------------------------------------------------------------------------

def test_topics(warren, tutorial):
    receivers = {
        ("#",): tutorial.start("receive_logs_topic.py", "#"),
        ("kern.*",): tutorial.start("receive_logs_topic.py", "kern.*"),
        ("*.critical",): tutorial.start("receive_logs_topic.py", "*.critical"),
        ("kern.*", "*.critical"): tutorial.start("receive_logs_topic.py", "kern.*", "*.critical"),
    }
    for s in receivers.values():
        s.wait_for("[*] Waiting for logs")

    emitted = [
        ("kern.critical", "A critical kernel error"),   # both bindings of the multi-binding queue
        ("kern.info", "kernel info"),
        ("app.critical", "app down"),
        ("kern.disk.critical", "three words"),          # '*' is exactly one word: only '#'
        ("critical", "one word"),                       # only '#'
        ("kern.critical", "the end"),                   # last: every receiver gets it
    ]
    for key, message in emitted:
        out = tutorial.run("emit_log_topic.py", key, message)
        assert out.strip() == f"[x] Sent {key!r}:{message!r}"

    def matches(key, pattern):
        rx = "^" + re.escape(pattern).replace(r"\*", r"[^.]+").replace(r"\#", r".*") + "$"
        return re.match(rx, key) is not None

    for patterns, s in receivers.items():
        s.wait_for("'the end'")
        want = [f" [x] {k!r}:{m.encode()!r}" for k, m in emitted
                if any(matches(k, p) for p in patterns)]
        # A message matching two bindings of one queue is delivered once.
        assert s.matching("[x] ") == want, f"bindings {patterns}:\n{s.output()}"


# ---------------------------------------------------------------------------
# 6. RPC
# ---------------------------------------------------------------------------

FIB = {0: 0, 1: 1, 2: 1, 10: 55, 15: 610, 20: 6765}


def check_rpc_output(out, numbers):
    got = re.findall(r"\[\.\] Got (\d+)", out)
    assert [int(g) for g in got] == [FIB[n] for n in numbers], out


def test_rpc_with_callback_queue(warren, tutorial):
    server = tutorial.start("rpc_server.py")
    server.wait_for("[x] Awaiting RPC requests")

    # Two clients at once: each gets only the answers to its own questions.
    env = script_env(warren.url())
    argvs = [["0", "1", "10", "20"], ["2", "15", "10"]]
    procs = [subprocess.Popen([sys.executable, "-u", str(TUTORIALS / "rpc_client.py"), *a],
                              cwd=TUTORIALS, env=env, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
             for a in argvs]
    outs = []
    try:
        for p in procs:
            outs.append(p.communicate(timeout=RUN_TIMEOUT)[0])
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    for p, out, numbers in zip(procs, outs, argvs):
        assert p.returncode == 0, out
        check_rpc_output(out, [int(n) for n in numbers])
    callback_queues = [re.search(r"callback queue (\S+)", o).group(1) for o in outs]
    assert all(q.startswith("amq.gen-") for q in callback_queues), callback_queues
    assert callback_queues[0] != callback_queues[1]

    requests = server.wait_for("[.] fib(", count=7)
    seen = {}
    for line in requests:
        m = re.search(r"reply_to=(\S+) correlation_id=(\S+)", line)
        seen.setdefault(m.group(1), []).append(m.group(2))
    assert sorted(seen) == sorted(callback_queues), requests
    ids = [c for cs in seen.values() for c in cs]
    assert len(set(ids)) == 7, requests
    # The exclusive callback queues went away with their clients (they closed cleanly).
    for q in callback_queues:
        assert wait_for_queue_state(warren, q, None) is None, q


def test_rpc_with_direct_reply_to(warren, tutorial):
    server = tutorial.start("rpc_server.py")
    server.wait_for("[x] Awaiting RPC requests")

    out = tutorial.run("rpc_client.py", "--direct-reply-to", "10", "15", "0")
    assert "callback queue amq.rabbitmq.reply-to" in out, out
    check_rpc_output(out, [10, 15, 0])

    # The server sees a per-channel reply address, not the pseudo-queue's bare name.
    requests = server.wait_for("[.] fib(", count=3)
    reply_tos = {re.search(r"reply_to=(\S+)", l).group(1) for l in requests}
    assert len(reply_tos) == 1, requests
    (reply_to,) = reply_tos
    assert reply_to.startswith("amq.rabbitmq.reply-to.") and len(reply_to) > len("amq.rabbitmq.reply-to."), reply_to
    # The address lived as long as the client's channel: now it is gone (404, as RabbitMQ).
    assert queue_state(warren, reply_to) is None
