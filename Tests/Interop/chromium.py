"""Headless Chromium (Debian's `chromium`) driven over the DevTools protocol, for the browser tests."""

from __future__ import annotations

import json
import subprocess
import urllib.request

import polling
import websocket

from conftest import HOST, find_free_port

DEADLINE = 15.0


def wait_for(condition, timeout=DEADLINE, interval=0.02):
    return polling.wait_for(condition, timeout, interval)


class Browser:
    """Chromium with a private profile and a DevTools port, one page, driven over its websocket."""

    def __init__(self, profile):
        self.port = find_free_port()
        self.proc = subprocess.Popen(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                                      f"--remote-debugging-port={self.port}", f"--user-data-dir={profile}", "about:blank"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        targets = wait_for(self._targets)
        page = next(t for t in targets if t["type"] == "page")
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], suppress_origin=True, timeout=DEADLINE)
        self.sequence = 0

    def _targets(self):
        try:
            return json.load(urllib.request.urlopen(f"http://{HOST}:{self.port}/json", timeout=2))
        except OSError:
            return None

    def call(self, method, **params):
        self.sequence += 1
        self.ws.send(json.dumps({"id": self.sequence, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.sequence:
                assert "error" not in message, message
                return message["result"]

    def evaluate(self, expression):
        return self.call("Runtime.evaluate", expression=expression, returnByValue=True)["result"].get("value")

    def close(self):
        self.ws.close()
        self.proc.kill()
        self.proc.wait(timeout=10)

    def click(self, selector):
        """Clicks the element as a user would (its handlers run); False when it is not there."""
        return self.evaluate(f"(e => e ? (e.click(), true) : false)(document.querySelector({json.dumps(selector)}))")

    def text(self, selector):
        return self.evaluate(f"(e => e ? e.textContent : null)(document.querySelector({json.dumps(selector)}))")

    def screenshot(self, path):
        import base64
        shot = base64.b64decode(self.call("Page.captureScreenshot", format="png")["data"])
        assert shot.startswith(b"\x89PNG") and len(shot) > 2000
        path.write_bytes(shot)
