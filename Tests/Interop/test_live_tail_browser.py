"""The live-tail page in a real browser: headless Chromium (Debian's `chromium`), driven through
the DevTools protocol, loads /tail?pattern=user.*, subscribes, and shows the entries `logger`
sends; a screenshot is saved next to the test's files. Leaving the page removes its queue."""

from __future__ import annotations

import base64
import json
import subprocess
import urllib.request

from chromium import Browser, DEADLINE, wait_for
from conftest import HOST, find_free_port


def live_tail_queues(w):
    request = urllib.request.Request(f"http://{HOST}:{w.http_port}/api/queues")
    request.add_header("Authorization", "Basic " + base64.b64encode(b"guest:guest").decode())
    return [q["name"] for q in json.load(urllib.request.urlopen(request, timeout=5)) if q["name"].startswith("warren.live-tail.")]


def logger(port, *args):
    subprocess.run(["logger", "-n", HOST, "-P", str(port), *args], check=True, timeout=10)


def test_live_tail_page_shows_matching_entries_in_chromium(warren_factory, tmp_path):
    http_port, syslog_port = find_free_port(), find_free_port()
    w = warren_factory(extra_args=["--http-port", str(http_port), "--syslog-port", str(syslog_port)])
    assert w.wait_for_output("management HTTP listener ready"), w.output()
    w.http_port = http_port
    browser = Browser(tmp_path / "chromium-profile")
    try:
        browser.call("Network.enable")
        browser.call("Network.setExtraHTTPHeaders", headers={"Authorization": "Basic " + base64.b64encode(b"guest:guest").decode()})
        browser.call("Page.navigate", url=f"http://{HOST}:{http_port}/tail?pattern=user.*")
        wait_for(lambda: "subscribed to user.*" in (browser.evaluate("document.getElementById('status').textContent") or ""))
        logger(syslog_port, "-d", "-p", "user.crit", "-t", "browserapp", "seen in the browser")
        logger(syslog_port, "-d", "-p", "local2.info", "-t", "other", "not for this page")
        line = wait_for(lambda: browser.evaluate(
            "[...document.querySelectorAll('#entries .entry')].map(e => e.className + '|' + e.textContent).join('\\n')"))
        assert "entry critical|" in line and "browserapp user.critical: seen in the browser" in line
        assert "not for this page" not in line
        browser.screenshot(tmp_path / "live-tail.png")
        assert len(live_tail_queues(w)) == 1
    finally:
        browser.close()
    # The browser is gone: the next entry's write fails and the page's queue goes away.
    logger(syslog_port, "-d", "-p", "user.info", "-t", "after", "nobody watches")
    wait_for(lambda: live_tail_queues(w) == [])


def test_an_open_live_tail_stream_does_not_hold_up_shutdown(warren_factory):
    import http.client
    http_port = find_free_port()
    w = warren_factory(extra_args=["--http-port", str(http_port)])
    assert w.wait_for_output("management HTTP listener ready"), w.output()
    w.http_port = http_port
    stream = http.client.HTTPConnection(HOST, http_port, timeout=DEADLINE)
    stream.request("GET", "/api/tail?pattern=%23", headers={"Authorization": "Basic " + base64.b64encode(b"guest:guest").decode()})
    response = stream.getresponse()
    assert response.status == 200 and response.getheader("Content-Type") == "text/event-stream"
    assert response.readline().startswith(b": subscribed to #")
    wait_for(lambda: len(live_tail_queues(w)) == 1)
    assert w.terminate() == 0  # the stream ends, warren stops within the fixture's stop timeout
    assert response.read().strip() == b""  # returns: the response was ended properly, not left open
    stream.close()
