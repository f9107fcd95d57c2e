#!/usr/bin/python3
"""Crash test for warren's message store: publish with confirms, SIGKILL at random, restart, repeat.

Each cycle starts `warren serve` on one data directory, checks that everything confirmed so far
was recovered, then a publisher with confirms sends a numbered stream of persistent messages to
a durable queue (pipelined: up to --window unconfirmed) while the script SIGKILLs warren after a
random delay. Numbering continues across cycles; unconfirmed numbers are never re-sent.

At the end a consumer reads the whole queue and checks:
  * every confirmed number is present (anything missing is a LOSS),
  * the numbers come in increasing order (per-queue FIFO over the recovered sequence),
  * no number appears twice unless it was never confirmed (duplicates are counted),
  * nothing was delivered before, so no message may say redelivered,
  * nothing appears that was never sent.
It then acknowledges everything and, when the log spans more than one segment file, pushes a
segment's worth of messages through another queue (published, then purged), so the segment
holding those acknowledgements is left behind by the log; kills warren again and restarts it twice: the queue must stay empty (acknowledged messages
must not come back) while a sentinel message published before the first cycle (it keeps the
oldest segment alive) must still be there exactly once.

Usage:  python3 Tests/Interop/crash_test.py --cycles 50 [--warren .build/debug/warren] [--seed N]
Prints one summary line (`crash-test: ...`) and exits 1 on any loss or check failure.
Importable: run_crash_test(...) returns a Summary (used by test_durability.py).
"""

from __future__ import annotations

import argparse
import errno
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import pika

from process_output import LineCollector

HOST = "127.0.0.1"
QUEUE = "crash-test"
SENTINEL_QUEUE = "crash-test-sentinel"
BARRIER_QUEUE = "crash-test-barrier"
CHURN_QUEUE = "crash-test-churn"
# MessageStore.segmentLimit: the log starts a new segment file past this size.
SEGMENT_BYTES = 16 * 1024 * 1024
REPO = Path(__file__).resolve().parents[2]
DEFAULT_WARREN = os.environ.get("WARREN_BIN") or str(REPO / ".build" / "debug" / "warren")
READY_TIMEOUT = 60.0
PERSISTENT = pika.BasicProperties(delivery_mode=2)


class CrashTestError(RuntimeError):
    pass


# ---------------------------------------------------------------------------
# warren processes
# ---------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class WarrenProcess:
    """One `warren serve` on a data directory; output collected by a reader thread."""

    def __init__(self, binary: str, data_dir: Path):
        self.binary = binary
        self.data_dir = data_dir
        for attempt in range(3):
            self.port = free_port()
            self._spawn()
            if self._wait_for(f"AMQP listener ready on {HOST}:{self.port}", READY_TIMEOUT):
                return
            self.kill()
            if attempt < 2 and "address already in use" in self.output().lower():
                continue
            raise CrashTestError(f"warren did not become ready (exit {self.proc.returncode}):\n{self.output()}")

    def _spawn(self):
        argv = [self.binary, "serve", "--bind", HOST, "--amqp-port", str(self.port), "--syslog-port", "0",
                "--http-port", "0", "--data-dir", str(self.data_dir)]
        for attempt in range(50):
            try:
                self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                             stderr=subprocess.STDOUT, start_new_session=True)
                break
            except OSError as error:  # ETXTBSY: the binary is being rebuilt right now; try again shortly
                if error.errno != errno.ETXTBSY or attempt == 49:
                    raise
                time.sleep(0.2)
        self._reader = LineCollector(self.proc.stdout)

    @property
    def lines(self) -> list:
        return self._reader.lines

    def _wait_for(self, text: str, timeout: float) -> bool:
        return self._reader.wait_until(lambda lines: any(text in line for line in lines), timeout)

    def output(self) -> str:
        return self._reader.text()

    def params(self) -> pika.ConnectionParameters:
        return pika.ConnectionParameters(host=HOST, port=self.port, connection_attempts=1, socket_timeout=10,
                                         stack_timeout=20, blocked_connection_timeout=20, heartbeat=0)

    def kill(self):
        """SIGKILL (the whole process group) and reap."""
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc.wait()
        self._reader.join(5)
        if self.proc.stdout:
            self.proc.stdout.close()

    def count_lines(self, text: str) -> int:
        return sum(text in line for line in self.lines)

    def corrupt_records(self) -> int:
        """Recovery's `store: corrupt record (why) in FILE at offset N: M byte(s) discarded` lines
        (a kill -9 can only tear a tail, logged as `torn record`)."""
        return self.count_lines("corrupt record (")


# ---------------------------------------------------------------------------
# the publisher: pipelined confirms, killed under it
# ---------------------------------------------------------------------------

@dataclass
class CycleResult:
    sent: list = field(default_factory=list)        # numbers handed to the connection, in order
    confirmed: set = field(default_factory=set)
    nacked: set = field(default_factory=set)
    kill_delay: float = 0.0
    opened: bool = False


def publish_until_killed(warren, first_number: int, window: int, kill_delay: float,
                         rng: random.Random, max_body: int, limit: Optional[int] = None) -> CycleResult:
    """Publishes first_number, first_number+1, ... with up to `window` unconfirmed, until warren
    (SIGKILLed after `kill_delay` seconds) drops the connection. With `limit`, stops after that
    many publishes once all are settled, then kills warren. `warren` needs params() and kill()."""
    result = CycleResult(kill_delay=kill_delay)
    outstanding: dict = {}   # delivery tag -> number
    state = {"channel": None, "next_tag": 1, "next_number": first_number}

    def body_for(number: int) -> bytes:
        head = f"{number:012d}:".encode()
        return head + b"x" * rng.randint(0, max_body)

    def fill_window():
        channel = state["channel"]
        if channel is None or not channel.is_open:
            return
        while len(outstanding) < window:
            if limit is not None and len(result.sent) >= limit:
                if not outstanding:
                    channel.connection.close()
                return
            number = state["next_number"]
            try:
                channel.basic_publish("", QUEUE, body_for(number), PERSISTENT)
            except Exception:  # the connection is going away under us
                return
            outstanding[state["next_tag"]] = number
            result.sent.append(number)
            state["next_tag"] += 1
            state["next_number"] += 1

    def on_confirm(frame):
        method = frame.method
        tags = [t for t in outstanding if t <= method.delivery_tag] if method.multiple else [method.delivery_tag]
        target = result.confirmed if isinstance(method, pika.spec.Basic.Ack) else result.nacked
        for tag in tags:
            number = outstanding.pop(tag, None)
            if number is not None:
                target.add(number)
        fill_window()

    def on_declared(_frame):
        fill_window()

    def on_confirm_selected(_frame):
        state["channel"].queue_declare(QUEUE, durable=True, callback=on_declared)

    def on_channel_open(channel):
        state["channel"] = channel
        result.opened = True
        channel.confirm_delivery(on_confirm, callback=on_confirm_selected)

    def on_open(connection):
        connection.channel(on_open_callback=on_channel_open)

    def stop(connection, *_args):
        connection.ioloop.stop()

    connection = pika.SelectConnection(warren.params(), on_open_callback=on_open,
                                       on_open_error_callback=stop, on_close_callback=stop)
    connection.ioloop.call_later(kill_delay, warren.kill)
    try:
        connection.ioloop.start()
    finally:
        warren.kill()  # already dead unless the connection failed on its own
        try:
            connection.ioloop.close()
        except Exception:
            pass
    return result


def publish_confirmed(warren: WarrenProcess, queue: str, body: bytes):
    """One persistent message with a confirm: when it returns, everything warren wrote before is on disk."""
    connection = pika.BlockingConnection(warren.params())
    try:
        channel = connection.channel()
        channel.queue_declare(queue, durable=True)
        channel.confirm_delivery()
        channel.basic_publish("", queue, body, PERSISTENT)
    finally:
        connection.close()


def churn(warren: WarrenProcess, rounds: int = 1, size: int = 64 * 1024):
    """Publishes `rounds` segments' worth of messages on CHURN_QUEUE and purges them, then waits
    until all of it (and everything before) is on disk."""
    count = SEGMENT_BYTES // size + 4
    body = b"c" * size
    connection = pika.BlockingConnection(warren.params())
    try:
        channel = connection.channel()
        channel.queue_declare(CHURN_QUEUE, durable=True)
        for _ in range(rounds):
            for _ in range(count):
                channel.basic_publish("", CHURN_QUEUE, body, PERSISTENT)
            purged = channel.queue_purge(CHURN_QUEUE).method.message_count  # removals, without reading it back
            if purged != count:
                raise CrashTestError(f"churn queue held {purged} message(s), {count} were published")
        barrier = connection.channel()
        barrier.confirm_delivery()
        barrier.queue_declare(BARRIER_QUEUE, durable=True)
        barrier.basic_publish("", BARRIER_QUEUE, b"barrier", PERSISTENT)  # confirmed: all of the above is on disk
    finally:
        connection.close()


def queue_depth(warren: WarrenProcess, queue: str) -> int:
    connection = pika.BlockingConnection(warren.params())
    try:
        return connection.channel().queue_declare(queue, passive=True).method.message_count
    finally:
        connection.close()


# ---------------------------------------------------------------------------
# the run
# ---------------------------------------------------------------------------

@dataclass
class Summary:
    cycles: int = 0
    sent: int = 0
    confirmed: int = 0
    nacked: int = 0
    recovered: int = 0
    lost: int = 0
    duplicates: int = 0
    confirmed_duplicates: int = 0
    unconfirmed_recovered: int = 0
    out_of_order: int = 0
    unexpected: int = 0
    redelivered: int = 0
    resurrected: int = 0
    sentinel: int = 0
    churned: bool = False
    torn_tails: int = 0
    corrupt_records: int = 0
    elapsed: float = 0.0
    problems: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def line(self) -> str:
        return (f"crash-test: cycles={self.cycles} sent={self.sent} confirmed={self.confirmed} nacked={self.nacked} "
                f"recovered={self.recovered} lost={self.lost} duplicates={self.duplicates} "
                f"(of confirmed: {self.confirmed_duplicates}) unconfirmed_recovered={self.unconfirmed_recovered} "
                f"out_of_order={self.out_of_order} unexpected={self.unexpected} redelivered={self.redelivered} "
                f"resurrected_after_ack={self.resurrected} sentinel={self.sentinel} churned={int(self.churned)} "
                f"torn_tails={self.torn_tails} "
                f"corrupt_records={self.corrupt_records} elapsed={self.elapsed:.1f}s "
                f"result={'OK' if self.ok else 'FAIL'}")


def run_crash_test(cycles: int, *, warren_bin: str = DEFAULT_WARREN, data_dir: Optional[Path] = None,
                   seed: Optional[int] = None, min_delay: float = 0.02, max_delay: float = 0.6,
                   window: int = 256, max_body: int = 1024, log=print) -> Summary:
    if not os.access(warren_bin, os.X_OK):
        raise CrashTestError(f"warren binary not found or not executable: {warren_bin}")
    seed = seed if seed is not None else random.randrange(1 << 32)
    rng = random.Random(seed)
    own_dir = data_dir is None
    data_dir = Path(tempfile.mkdtemp(prefix="warren-crash-")) if own_dir else Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    summary = Summary()
    started = time.monotonic()
    log(f"crash-test: seed={seed} data_dir={data_dir} warren={warren_bin}")
    sent: list = []
    confirmed: set = set()
    nacked: set = set()
    warren: Optional[WarrenProcess] = None

    def restart() -> WarrenProcess:
        w = WarrenProcess(warren_bin, data_dir)
        summary.torn_tails += w.count_lines("torn record")
        summary.corrupt_records += w.corrupt_records()
        return w

    try:
        warren = restart()
        publish_confirmed(warren, SENTINEL_QUEUE, b"sentinel")
        next_number = 1
        for cycle in range(1, cycles + 1):
            if cycle > 1:
                warren = restart()
            depth = queue_depth(warren, QUEUE) if sent else 0
            if depth < len(confirmed) or depth > len(sent):
                summary.problems.append(f"cycle {cycle}: {depth} message(s) recovered, "
                                        f"but {len(confirmed)} confirmed and {len(sent)} sent")
            cycle_window = rng.randint(1, window)
            result = publish_until_killed(warren, next_number, cycle_window, rng.uniform(min_delay, max_delay),
                                          rng, max_body)
            sent += result.sent
            confirmed |= result.confirmed
            nacked |= result.nacked
            if result.sent:
                next_number = result.sent[-1] + 1
            summary.cycles = cycle
            log(f"cycle {cycle:3d}: window={cycle_window:3d} kill after {result.kill_delay * 1000:4.0f} ms, "
                f"sent {len(result.sent):5d}, confirmed {len(result.confirmed):5d}, depth before {depth}")

        # Read everything.
        warren = restart()
        received, redelivered = consume_all(warren)
        check(summary, sent, confirmed, nacked, received, redelivered)

        # Acknowledged messages stay gone across two crashes and restarts, also once the segment
        # holding the acknowledgements is no longer the one being written.
        if len(list((data_dir / "messages").glob("*.seg"))) > 1:
            churn(warren)
            summary.churned = True
        else:
            publish_confirmed(warren, BARRIER_QUEUE, b"barrier")  # the acknowledgements are on disk now
        warren.kill()
        for restart_number in (1, 2):
            warren = restart()
            depth = queue_depth(warren, QUEUE) + queue_depth(warren, CHURN_QUEUE)
            sentinel = queue_depth(warren, SENTINEL_QUEUE)
            summary.sentinel = sentinel
            if depth:
                summary.resurrected = max(summary.resurrected, depth)
                summary.problems.append(f"{depth} acknowledged message(s) came back after restart {restart_number}")
            if sentinel != 1:
                summary.problems.append(f"sentinel queue holds {sentinel} message(s) after restart {restart_number}")
            warren.kill()
        warren = None
    finally:
        if warren is not None:
            warren.kill()
        summary.elapsed = time.monotonic() - started
        if own_dir:
            shutil.rmtree(data_dir, ignore_errors=True)
    if summary.corrupt_records:
        summary.problems.append(f"{summary.corrupt_records} corrupt record(s) reported by recovery")
    return summary


def consume_all(warren: WarrenProcess):
    """Every message on the queue, in delivery order, acknowledged: (numbers, redelivered count)."""
    connection = pika.BlockingConnection(warren.params())
    try:
        channel = connection.channel()
        expected = channel.queue_declare(QUEUE, durable=True, passive=True).method.message_count
        channel.basic_qos(prefetch_count=1000)
        numbers, redelivered = [], 0
        if expected:
            for method, _properties, body in channel.consume(QUEUE, inactivity_timeout=30):
                if method is None:
                    raise CrashTestError(f"consumer stalled after {len(numbers)} of {expected} message(s)")
                numbers.append(int(body.split(b":", 1)[0]))
                redelivered += method.redelivered
                if len(numbers) % 500 == 0 or len(numbers) == expected:
                    channel.basic_ack(method.delivery_tag, multiple=True)
                if len(numbers) == expected:
                    break
            channel.cancel()
        left = channel.queue_declare(QUEUE, durable=True, passive=True).method.message_count
        if left:
            raise CrashTestError(f"{left} message(s) left on the queue after reading {expected}")
        return numbers, redelivered
    finally:
        connection.close()


def check(summary: Summary, sent: list, confirmed: set, nacked: set, received: list, redelivered: int):
    sent_set = set(sent)
    received_set = set(received)
    summary.sent = len(sent)
    summary.confirmed = len(confirmed)
    summary.nacked = len(nacked)
    summary.recovered = len(received)
    lost = sorted(confirmed - received_set)
    summary.lost = len(lost)
    seen: set = set()
    duplicates = []
    for number in received:
        if number in seen:
            duplicates.append(number)
        seen.add(number)
    summary.duplicates = len(duplicates)
    summary.confirmed_duplicates = sum(1 for n in duplicates if n in confirmed)
    summary.unconfirmed_recovered = len(received_set - confirmed)
    summary.out_of_order = sum(1 for a, b in zip(received, received[1:]) if b < a)
    summary.unexpected = len(received_set - sent_set)
    summary.redelivered = redelivered
    if lost:
        summary.problems.append(f"{len(lost)} confirmed message(s) lost, first {lost[:10]}")
    if summary.confirmed_duplicates:
        summary.problems.append(f"{summary.confirmed_duplicates} confirmed message(s) delivered twice")
    if summary.out_of_order:
        first = next(i for i, (a, b) in enumerate(zip(received, received[1:])) if b < a)
        summary.problems.append(f"{summary.out_of_order} order violation(s), first at position {first + 1}: "
                                f"{received[max(0, first - 2):first + 3]}")
    if summary.unexpected:
        summary.problems.append(f"{summary.unexpected} message(s) that were never sent")
    if redelivered:
        summary.problems.append(f"{redelivered} never-delivered message(s) marked redelivered")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cycles", type=int, default=50)
    parser.add_argument("--warren", default=DEFAULT_WARREN, help="warren binary (default %(default)s)")
    parser.add_argument("--data-dir", type=Path, help="data directory to use (default: a fresh temporary one, removed)")
    parser.add_argument("--seed", type=int, help="random seed (printed; reuse it to repeat a run)")
    parser.add_argument("--min-delay", type=float, default=0.02, help="shortest kill delay in seconds")
    parser.add_argument("--max-delay", type=float, default=0.6, help="longest kill delay in seconds")
    parser.add_argument("--window", type=int, default=256, help="most unconfirmed publishes in flight")
    parser.add_argument("--max-body", type=int, default=1024, help="largest body padding in bytes")
    parser.add_argument("--quiet", action="store_true", help="print only the summary")
    args = parser.parse_args(argv)
    try:
        summary = run_crash_test(args.cycles, warren_bin=args.warren, data_dir=args.data_dir, seed=args.seed,
                                 min_delay=args.min_delay, max_delay=args.max_delay, window=args.window,
                                 max_body=args.max_body, log=(lambda *_: None) if args.quiet else print)
    except CrashTestError as error:
        print(f"crash-test: error: {error}", file=sys.stderr)
        return 2
    for problem in summary.problems:
        print(f"crash-test: FAIL: {problem}", file=sys.stderr)
    print(summary.line())
    return 0 if summary.ok else 1


if __name__ == "__main__":
    sys.exit(main())
