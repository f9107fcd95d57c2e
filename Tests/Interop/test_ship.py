"""`warren ship` end to end: files followed through rotation and truncation, stdin, restarts
without loss or duplication, a broker that is down at first, over-long lines. A pika subscriber
bound to the shipped routing key sees exactly the lines written, once each, in order."""

import json
import os
import signal
import subprocess
import time

import pytest

from conftest import WARREN_BIN, find_free_port
from process_output import LineCollector
from test_syslog import JSON_KEYS, subscribe


class Ship:
    def __init__(self, url, *args, stdin=subprocess.DEVNULL):
        self.proc = subprocess.Popen([WARREN_BIN, "ship", "--url", url, *args], stdin=stdin,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.err = LineCollector(self.proc.stderr, name="ship-stderr")

    def stop(self):
        """SIGTERM: finish the batch in flight, then exit 0."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(15)


@pytest.fixture
def ships():
    started = []
    yield lambda *a, **kw: started.append(Ship(*a, **kw)) or started[-1]
    for s in started:
        if s.proc.poll() is None:
            s.proc.kill()
            s.proc.wait()


class Subscriber:
    def __init__(self, w, pattern):
        self.conn, self.ch, self.queue = subscribe(w, pattern)
        self.entries = []

    def wait(self, count, timeout=15):
        deadline = time.monotonic() + timeout
        while len(self.entries) < count and time.monotonic() < deadline:
            method, props, body = self.ch.basic_get(self.queue, auto_ack=True)
            if method is None:
                self.conn.process_data_events(time_limit=0.05)
                continue
            self.entries.append((method.routing_key, props, json.loads(body)))
        return [e["message"] for _, _, e in self.entries]

    def settle(self, count):
        """Exactly `count` arrived: wait for them, then make sure no more are coming."""
        got = self.wait(count)
        assert self.wait(count + 1, timeout=1.0) == got
        return got


def append(path, *lines, end="\n"):
    with open(path, "a") as f:
        f.write("".join(line + end for line in lines))


def args(tmp_path, *files):
    return ["--state-dir", str(tmp_path / "state"), "--facility", "local3", "--severity", "info",
            "--app", "shipper", *map(str, files)]


def test_ship_follows_a_file_through_rotation_and_truncation(warren, ships, tmp_path):
    sub = Subscriber(warren, "local3.info")
    log = tmp_path / "app.log"
    append(log, "before start 1", "before start 2")
    ship = ships(warren.url(), *args(tmp_path, log))
    assert sub.wait(2) == ["before start 1", "before start 2"]
    routing_key, props, entry = sub.entries[0]
    assert routing_key == "local3.info" and set(entry) == JSON_KEYS and entry["app_name"] == "shipper"
    assert props.headers["facility"] == "local3" and props.delivery_mode == 2
    append(log, "partial", end="")
    append(log, " line completed", "third")
    assert sub.wait(4)[2:] == ["partial line completed", "third"]
    os.rename(log, tmp_path / "app.log.1")           # logrotate's default: rename, then create
    append(tmp_path / "app.log.1", "late write to the rotated file")
    append(log, "new file 1")
    assert sub.wait(6)[4:] == ["late write to the rotated file", "new file 1"]
    with open(log, "w"):                             # copytruncate / "> file"
        pass
    append(log, "after truncation")
    assert sub.settle(7)[6:] == ["after truncation"]
    assert ship.stop() == 0
    sub.conn.close()


def test_ship_resumes_after_restart_without_loss_or_duplicates(warren, ships, tmp_path):
    sub = Subscriber(warren, "local3.info")
    log = tmp_path / "svc.log"
    append(log, *[f"first run {i}" for i in range(50)])
    ship = ships(warren.url(), *args(tmp_path, log))
    assert len(sub.wait(50)) == 50
    assert ship.stop() == 0
    append(log, *[f"while away {i}" for i in range(30)])
    ship = ships(warren.url(), *args(tmp_path, log))
    got = sub.settle(80)
    assert got == [f"first run {i}" for i in range(50)] + [f"while away {i}" for i in range(30)]
    assert ship.stop() == 0
    # Rotated while ship was stopped: the rest of the old file (found by inode), then the new one.
    append(log, "old file tail")
    os.rename(log, tmp_path / "svc.log.1")
    append(log, "new file head")
    ship = ships(warren.url(), *args(tmp_path, log))
    assert sub.settle(82)[80:] == ["old file tail", "new file head"]
    assert ship.stop() == 0
    sub.conn.close()


def test_ship_reads_stdin_to_its_end(warren, tmp_path):
    sub = Subscriber(warren, "local3.info")
    lines = "".join(f"stdin line {i}\n" for i in range(200)) + "no newline at the end"
    result = subprocess.run([WARREN_BIN, "ship", "--url", warren.url(), *args(tmp_path, "-")],
                            input=lines.encode(), capture_output=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert sub.settle(201) == [f"stdin line {i}" for i in range(200)] + ["no newline at the end"]
    sub.conn.close()


@pytest.mark.deadline(60)
def test_ship_retries_until_the_broker_is_up(warren_factory, ships, tmp_path):
    port = find_free_port()
    log = tmp_path / "early.log"
    append(log, "written while the broker was down")
    url = f"amqp://guest:guest@127.0.0.1:{port}/%2F"
    ship = ships(url, *args(tmp_path, log))
    assert ship.err.wait_until(lambda lines: any("retrying" in l for l in lines), 15), ship.err.text()
    w = warren_factory(port=port)
    sub = Subscriber(w, "local3.info")
    # Bound after the broker came up: ship's backoff (at most a few seconds here) must not have given up.
    append(log, "written after")
    got = sub.wait(2, timeout=40)
    assert "written after" in got
    assert ship.stop() == 0
    sub.conn.close()


def test_ship_cuts_an_over_long_line_once_and_says_so(warren, ships, tmp_path):
    sub = Subscriber(warren, "local3.info")
    log = tmp_path / "long.log"
    append(log, "x" * 300, "short")
    ship = ships(warren.url(), *args(tmp_path, log), "--max-line-length", "100")
    assert sub.settle(2) == ["x" * 100, "short"]
    assert ship.err.wait_until(lambda lines: any("300 bytes was cut to 100" in l for l in lines), 5), ship.err.text()
    assert ship.stop() == 0
    sub.conn.close()


def test_ship_rejects_bad_arguments(warren, tmp_path):
    for bad in (["--facility", "nope", "f"], ["--severity", "loud", "f"], ["-", "f"], []):
        result = subprocess.run([WARREN_BIN, "ship", "--url", warren.url(), "--state-dir", str(tmp_path), *bad],
                                capture_output=True, text=True, timeout=20)
        assert result.returncode != 0 and result.stderr, bad
