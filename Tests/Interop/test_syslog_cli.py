"""`warren tail` and `warren emit` end to end against a running warren: real processes, real
sockets; tail's lines are read from its stdout (a pipe, or a pseudo-terminal for colours)."""

import json
import os
import pty
import signal
import subprocess
import time

import pytest

from conftest import HOST, WARREN_BIN, find_free_port
from process_output import LineCollector
from test_syslog import JSON_KEYS, logger, receive, subscribe


@pytest.fixture
def collector(warren_factory):
    port = find_free_port()
    w = warren_factory(extra_args=["--syslog-port", str(port)])
    assert w.wait_for_output("syslog TCP listener ready"), w.output()
    w.syslog_port = port
    return w


class PtyStream:
    """The master side of a pseudo-terminal as a line stream; EIO (the child closed it) is EOF."""

    def __init__(self, fd):
        self._file = os.fdopen(fd, "rb", buffering=0)

    def readline(self):
        line = b""
        while not line.endswith(b"\n"):
            try:
                byte = self._file.read(1)
            except OSError:
                byte = b""
            if not byte:
                return line
            line += byte
        return line


class Tail:
    """A running `warren tail`; stdout lines collected, stderr separately (it says when bound)."""

    def __init__(self, w, *args, env=None, tty=False):
        argv = [WARREN_BIN, "tail", "--url", w.url(), *args]
        env = dict(os.environ if env is None else env)
        if tty:
            master, slave = pty.openpty()
            self.proc = subprocess.Popen(argv, stdout=slave, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env)
            os.close(slave)
            self.out = LineCollector(PtyStream(master), name="tail-tty")
        else:
            self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                         stdin=subprocess.DEVNULL, env=env)
            self.out = LineCollector(self.proc.stdout, name="tail-stdout")
        self.err = LineCollector(self.proc.stderr, name="tail-stderr")
        assert self.err.wait_until(lambda lines: any("bound to" in l for l in lines), 15), self.err.text()

    def wait_lines(self, count, timeout=10):
        self.out.wait_until(lambda lines: len(lines) >= count, timeout)
        return [l.rstrip("\r") for l in self.out.lines]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(10)


@pytest.fixture
def tails():
    started = []
    yield lambda *a, **kw: started.append(Tail(*a, **kw)) or started[-1]
    for t in started:
        t.stop()


def emit(w, *args):
    return subprocess.run([WARREN_BIN, "emit", "--url", w.url(), *args],
                          capture_output=True, text=True, timeout=20)


def test_tail_prints_matching_entries_one_line_each(collector, tails):
    tail = tails(collector, "kern.*", "*.critical")
    # logger -p kern.* sends facility user, so kern arrives as a raw frame with PRI 2 (kern.critical).
    import socket
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.sendto(b"<2>1 2026-11-23T10:00:00.5Z edge kernel 17 - - disk\nfailure", (HOST, collector.syslog_port))
    logger(collector.syslog_port, "-d", "-p", "auth.info", "-t", "sshd", "not printed")
    logger(collector.syslog_port, "-d", "-p", "local3.crit", "-t", "db", "db down")
    lines = tail.wait_lines(2)
    assert lines[0] == "2026-11-23T10:00:00.5Z edge kernel kern.critical: disk\\nfailure"
    time_, host, app, rest = lines[1].split(" ", 3)
    assert app == "db" and rest == "local3.critical: db down" and time_[:2] == "20" and host
    assert not any("\x1b[" in l for l in lines)  # stdout is a pipe: no colour
    assert len(tail.wait_lines(3, timeout=0.5)) == 2


def test_tail_json_prints_the_body(collector, tails):
    tail = tails(collector, "--json", "local4.#")
    logger(collector.syslog_port, "-T", "-p", "local4.warning", "-t", "app", "as json")
    [line] = tail.wait_lines(1)
    entry = json.loads(line)
    assert set(entry) == JSON_KEYS and entry["message"] == "as json" and entry["severity"] == "warning"


def test_tail_colours_by_severity_on_a_terminal_only_without_no_color(collector, tails):
    coloured = tails(collector, "local2.*", tty=True)
    plain = tails(collector, "local2.*", tty=True, env=dict(os.environ, NO_COLOR="1"))
    flagged = tails(collector, "--no-color", "local2.*", tty=True)
    logger(collector.syslog_port, "-d", "-p", "local2.err", "-t", "x", "red one")
    logger(collector.syslog_port, "-d", "-p", "local2.info", "-t", "x", "plain one")
    lines = coloured.wait_lines(2)
    assert lines[0].startswith("\x1b[31m") and lines[0].endswith("red one\x1b[0m")
    assert "\x1b[" not in lines[1] and lines[1].endswith("plain one")
    for other in (plain, flagged):
        got = other.wait_lines(2)
        assert len(got) == 2 and not any("\x1b[" in l for l in got), got


def wait_queue(ch, name, condition, timeout=10):
    deadline = time.monotonic() + timeout
    while True:
        ok = ch.queue_declare(name, passive=True).method
        if condition(ok) or time.monotonic() > deadline:
            return ok
        time.sleep(0.05)


def test_tail_durable_queue_keeps_entries_while_away_and_acks(collector, tails):
    name = "tail-durable-test"
    first = tails(collector, "--durable", name, "--prefetch", "2", "local6.*")
    logger(collector.syslog_port, "-d", "-p", "local6.info", "-t", "a", "while listening")
    assert first.wait_lines(1)[0].endswith("while listening")
    first.stop()
    # One TCP connection for the seven lines: separate connections may be read in any order.
    subprocess.run(["logger", "-n", HOST, "-P", str(collector.syslog_port), "-T", "-p", "local6.info", "-t", "a"],
                   input="".join(f"away {i}\n" for i in range(7)), text=True, check=True, timeout=10)
    conn = collector.connect()
    ch = conn.channel()
    ok = wait_queue(ch, name, lambda ok: ok.message_count == 7 and ok.consumer_count == 0)
    assert (ok.message_count, ok.consumer_count) == (7, 0)  # "while listening" was acked, the rest kept
    second = tails(collector, "--durable", name, "--prefetch", "2", "local6.*")
    lines = second.wait_lines(7)
    assert [l.rsplit(": ", 1)[1] for l in lines] == [f"away {i}" for i in range(7)]
    second.stop()
    ok = wait_queue(ch, name, lambda ok: ok.consumer_count == 0)
    assert ok.message_count == 0  # every printed entry was acknowledged, none requeued
    ch.queue_delete(name)
    conn.close()


def test_tail_durable_max_length_and_ttl_are_declared(collector, tails):
    name = "tail-bounded-test"
    tails(collector, "--durable", name, "--max-length", "3", "--ttl", "600", "local6.*").stop()
    for i in range(5):
        logger(collector.syslog_port, "-T", "-p", "local6.info", "-t", "a", f"away {i}")
    conn = collector.connect()
    ch = conn.channel()
    ok = wait_queue(ch, name, lambda ok: ok.message_count >= 3)
    assert ok.message_count == 3  # x-max-length 3 dropped the two oldest
    conn.close()


def test_tail_durable_options_need_durable(collector):
    result = subprocess.run([WARREN_BIN, "tail", "--url", collector.url(), "--ttl", "5", "#"],
                            capture_output=True, text=True, timeout=20)
    assert result.returncode != 0 and "--durable" in result.stderr


def test_emit_publishes_an_entry_like_the_collector(collector):
    conn, ch, queue = subscribe(collector, "kern.*", "*.critical")
    result = emit(collector, "--app", "tester", "kern.critical", "A critical kernel error")
    assert result.returncode == 0, result.stderr
    [(key, props, body)] = receive(conn, ch, queue, 1)
    entry = json.loads(body)
    assert key == "kern.critical"
    assert set(entry) == JSON_KEYS
    assert (entry["facility"], entry["severity"], entry["app_name"], entry["message"]) == (
        "kern", "critical", "tester", "A critical kernel error")
    assert entry["hostname"] == os.uname().nodename
    assert entry["timestamp"].endswith("Z") and entry["procid"].isdigit()
    assert props.content_type == "application/json" and props.delivery_mode == 2
    assert props.headers == {"facility": "kern", "severity": "critical",
                             "hostname": entry["hostname"], "app_name": "tester"}
    assert props.timestamp and abs(props.timestamp - time.time()) < 60
    assert emit(collector, "kern.info", "default app").returncode == 0
    conn2, ch2, q2 = subscribe(collector, "kern.info")
    assert emit(collector, "kern.info", "default app").returncode == 0
    [(_, _, body)] = receive(conn2, ch2, q2, 1)
    assert json.loads(body)["app_name"] == "warren-emit"
    conn2.close()
    conn.close()


@pytest.mark.parametrize("key", ["kern", "kern.loud", "nope.info", "a.b.c"])
def test_emit_rejects_a_key_that_is_not_facility_severity(collector, key):
    result = emit(collector, key, "x")
    assert result.returncode != 0 and ("FACILITY.SEVERITY" in result.stderr or "unknown" in result.stderr), result.stderr
