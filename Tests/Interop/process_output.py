"""Collects a child process's output line by line on a reader thread, so a test can wait for a
line (bounded by a deadline) instead of sleeping."""

from __future__ import annotations

import threading
import time
from typing import Callable, List


class LineCollector:
    """Reads `stream` (a binary pipe) until EOF; lines are kept in arrival order."""

    def __init__(self, stream, name: str = "output"):
        self._lines: List[str] = []
        self._eof = False
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True, name=name)
        self._thread.start()

    def _read(self, stream):
        for raw in iter(stream.readline, b""):
            with self._cond:
                self._lines.append(raw.decode("utf-8", "replace").rstrip("\n"))
                self._cond.notify_all()
        with self._cond:
            self._eof = True
            self._cond.notify_all()

    @property
    def lines(self) -> List[str]:
        with self._cond:
            return list(self._lines)

    @property
    def eof(self) -> bool:
        with self._cond:
            return self._eof

    def text(self) -> str:
        with self._cond:
            return "\n".join(self._lines)

    def wait_until(self, satisfied: Callable[[List[str]], bool], timeout: float) -> bool:
        """Block until `satisfied(lines)` holds; False at EOF or at the deadline."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                if satisfied(self._lines):
                    return True
                remaining = deadline - time.monotonic()
                if self._eof or remaining <= 0:
                    return False
                self._cond.wait(remaining)

    def join(self, timeout: float):
        self._thread.join(timeout)
