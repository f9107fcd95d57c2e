"""Celery 5 on warren as a new user runs it: a real worker (solo pool, started and stopped by the
test) on warren, results in the project's redis-server (chords need a result backend; rpc:// has
none). delay, countdown (an ETA task held unacked while later tasks run: the prefetch must grow
under it), retries, chain, group, chord, remote control (`inspect ping`, fanout pidbox exchanges
with auto-delete reply queues), and acks_late: a task whose worker is SIGKILLed is delivered
again to the next worker."""

from __future__ import annotations

import importlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from celery import chain, chord, group

import polling
from process_output import LineCollector
from redis_server import RedisServer

APP_DIR = Path(__file__).resolve().parent / "celery_app"
RESULT_TIMEOUT = 15


@pytest.fixture
def redis_backend(tmp_path):
    server = RedisServer(tmp_path / "redis").start()
    yield server
    server.stop()


@pytest.fixture
def celery_env(warren, redis_backend, monkeypatch):
    env = {"WARREN_CELERY_BROKER": f"amqp://guest:guest@{warren.host}:{warren.port}//",
           "WARREN_CELERY_BACKEND": redis_backend.url}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.syspath_prepend(str(APP_DIR))
    import warren_tasks
    warren_tasks = importlib.reload(warren_tasks)  # a new app for this test's broker and backend
    yield warren_tasks
    warren_tasks.app.close()


class Worker:
    """`celery worker` in its own process group, killed by its pid."""

    def __init__(self, name: str):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "warren_tasks", "worker", "--pool=solo", "--concurrency=1", "--loglevel=INFO",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"{name}@warren-test"],
            cwd=APP_DIR, env=dict(os.environ, PYTHONPATH=str(APP_DIR)), stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, start_new_session=True)
        self.output = LineCollector(self.proc.stdout, name=f"celery-{name}")
        self.name = f"{name}@warren-test"

    def wait_ready(self, app):
        polling.wait_for(lambda: self.proc.poll() is None and app.control.inspect([self.name], timeout=0.5).ping(),
                         timeout=RESULT_TIMEOUT)

    def kill(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def start_worker(celery_env):
    workers = []

    def start(name):
        worker = Worker(name)
        workers.append(worker)
        try:
            worker.wait_ready(celery_env.app)
        except AssertionError:
            pytest.fail(f"the Celery worker did not answer ping:\n{worker.output.text()}")
        return worker

    yield start
    for worker in workers:
        worker.stop()
        print(f"--- {worker.name} ---\n{worker.output.text()}")  # shown when the test failed


@pytest.mark.deadline(60)
def test_celery_worker_on_warren(celery_env, start_worker):
    tasks = celery_env
    worker = start_worker("first")
    # Remote control: ping and inspect go out over the pidbox fanout exchange; the replies come
    # back to an auto-delete reply queue.
    assert tasks.app.control.ping([worker.name], timeout=5) == [{worker.name: {"ok": "pong"}}]
    queues = tasks.app.control.inspect([worker.name], timeout=5).active_queues()
    assert [q["name"] for q in queues[worker.name]] == ["celery"]

    assert tasks.add.delay(2, 3).get(timeout=RESULT_TIMEOUT) == 5
    assert tasks.flaky.delay("flaky", 2).get(timeout=RESULT_TIMEOUT) == 3
    assert chain(tasks.add.s(1, 2), tasks.add.s(10), tasks.add.s(100)).delay().get(timeout=RESULT_TIMEOUT) == 113
    assert group(tasks.add.s(i, i) for i in range(5)).delay().get(timeout=RESULT_TIMEOUT) == [0, 2, 4, 6, 8]
    assert chord((tasks.add.s(i, 1) for i in range(4)), tasks.total.s()).delay().get(timeout=RESULT_TIMEOUT) == 10

    # acks_late: the task of a worker killed mid-task is delivered again, to the next worker.
    result = tasks.survives_a_killed_worker.delay()
    assert tasks.store.blpop("started", timeout=RESULT_TIMEOUT) == ("started", result.id)
    worker.kill()
    start_worker("second")
    assert result.get(timeout=RESULT_TIMEOUT) == "redelivered"

    # ETA tasks are held unacked by the worker until they are due; once they fill its prefetch (4),
    # the worker must raise it (basic.qos on a channel that is consuming) to take the next task.
    held = [tasks.record.apply_async((f"eta{i}",), countdown=3) for i in range(4)]
    assert tasks.record.delay("now").get(timeout=RESULT_TIMEOUT) == "now"
    assert [result.get(timeout=RESULT_TIMEOUT) for result in held] == ["eta0", "eta1", "eta2", "eta3"]
    assert tasks.store.lrange("done", 0, -1)[0] == "now"
