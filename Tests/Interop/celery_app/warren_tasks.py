"""The Celery app test_celery.py runs a real worker with: a broker URL and a Redis result backend
from the environment, tasks that record what they did in Redis so the test can wait on results."""

import os
import time

import redis
from celery import Celery

app = Celery("warren_tasks", broker=os.environ["WARREN_CELERY_BROKER"], backend=os.environ["WARREN_CELERY_BACKEND"])
app.conf.update(
    worker_prefetch_multiplier=4,       # Celery's default: ETA tasks held past it must raise the prefetch
    broker_connection_retry_on_startup=False,
    worker_hijack_root_logger=False,
    result_expires=600,
)
store = redis.Redis.from_url(os.environ["WARREN_CELERY_BACKEND"], decode_responses=True)


@app.task
def add(x, y):
    return x + y


@app.task
def record(name):
    """Appends `name` to the list `done`, so the test sees the order tasks ran in."""
    store.rpush("done", name)
    return name


@app.task
def total(values):
    return sum(values)


@app.task(bind=True, max_retries=5)
def flaky(self, key, failures):
    attempt = store.incr(key)
    if attempt <= failures:
        raise self.retry(countdown=0)
    return attempt


@app.task(bind=True, acks_late=True)
def survives_a_killed_worker(self):
    """First delivery: says it started, then never finishes (the worker is killed). The broker
    delivers it again to the next worker, which completes it."""
    if not self.request.delivery_info.get("redelivered"):
        store.rpush("started", self.request.id)
        time.sleep(120)
    return "redelivered"
