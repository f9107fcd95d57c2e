"""Waiting for a condition with a deadline: the tests' way to await an effect they cannot be told about."""

from __future__ import annotations

import time


def wait_for(condition, timeout=5.0, interval=0.02):
    """Calls `condition` until it returns something truthy (returned) or the deadline passes (AssertionError)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("condition not met before the deadline")
