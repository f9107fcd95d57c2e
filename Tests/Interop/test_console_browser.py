"""The web console (`GET /`) in headless Chromium against a real warren fed by `logger` and pika:
sign in through the form, see entries arrive on the Logs tab, filter them by pattern, severity
and text, pause and resume, open an entry's JSON, a 10,000-entry burst, the overview chart, the
queue table, adding a queue, a queue's get/purge/delete, an exchange's publish, closing a connection with a
reason, the Compare tab, an alarm in dark mode, and a
`management` user who does not see a vhost it has no permissions in. Screenshots of each page
go to $WARREN_CONSOLE_SCREENSHOTS, by default /tmp/warren-console-screenshots (look at them)."""

from __future__ import annotations

import base64
import json
import os
import re
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pika
import pytest

from chromium import Browser, wait_for
from conftest import HOST, find_free_port
from test_live_tail_browser import logger

SHOTS = Path(os.environ.get("WARREN_CONSOLE_SCREENSHOTS") or Path(tempfile.gettempdir()) / "warren-console-screenshots")
SHOTS.mkdir(parents=True, exist_ok=True)


def call(w, method, path, body=None, user=b"guest:guest", extra=None):
    request = urllib.request.Request(f"http://{HOST}:{w.http_port}{path}", method=method,
                                     data=None if body is None else json.dumps(body).encode())
    request.add_header("Authorization", "Basic " + base64.b64encode(user).decode())
    if body is not None:
        request.add_header("Content-Type", "application/json")
    for name, value in (extra or {}).items():
        request.add_header(name, value)
    return urllib.request.urlopen(request, timeout=5)


def entries(browser):
    return browser.evaluate("[...document.querySelectorAll('#entries li')].map(e => e.className + '|' + e.textContent)")


def sign_in(browser, name, password):
    browser.evaluate(f"document.getElementById('username').value = {json.dumps(name)};"
                     f"document.getElementById('password').value = {json.dumps(password)};"
                     "document.getElementById('signin').requestSubmit()")
    wait_for(lambda: browser.evaluate("getComputedStyle(document.getElementById('signin')).display === 'none'"
                                      " && getComputedStyle(document.getElementById('app')).display !== 'none'"))


def set_value(browser, element_id, value, event):
    browser.evaluate(f"(e => {{ e.value = {json.dumps(value)}; e.dispatchEvent(new Event('{event}')); }})"
                     f"(document.getElementById('{element_id}'))")


@pytest.fixture
def console(warren_factory, tmp_path, request):
    """A warren (with the `config` and `env` given by indirect parametrisation, if any) and a browser at 1280x800."""
    http_port, syslog_port = find_free_port(), find_free_port()
    given = getattr(request, "param", {})
    w = warren_factory(given.get("config"), env=given.get("env"),
                       extra_args=["--http-port", str(http_port), "--syslog-port", str(syslog_port)])
    assert w.wait_for_output("management HTTP listener ready"), w.output()
    w.http_port, w.syslog_port = http_port, syslog_port
    browser = Browser(tmp_path / "chromium-profile")
    browser.call("Emulation.setDeviceMetricsOverride", width=1280, height=800, deviceScaleFactor=1, mobile=False)
    try:
        yield w, browser
    finally:
        browser.close()


def test_console_assets_have_types_and_a_strict_policy_and_scripts_get_no_basic_auth_prompt(console):
    w, _ = console
    assert f"web console at http://{HOST}:{w.http_port}/" in w.output()
    for path, content_type in [("/", "text/html"), ("/console.js", "text/javascript"), ("/logs.js", "text/javascript"),
                               ("/overview.js", "text/javascript"), ("/tables.js", "text/javascript"),
                               ("/objects.js", "text/javascript"), ("/compare.js", "text/javascript"), ("/console.css", "text/css")]:
        response = urllib.request.urlopen(f"http://{HOST}:{w.http_port}{path}", timeout=5)
        assert response.headers["Content-Type"].startswith(content_type)
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
        assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    with pytest.raises(urllib.error.HTTPError) as refused:
        call(w, "GET", "/api/whoami", user=b"guest:wrong", extra={"X-Requested-With": "XMLHttpRequest"})
    assert refused.value.code == 401 and refused.value.headers["WWW-Authenticate"] is None
    with pytest.raises(urllib.error.HTTPError) as challenged:
        call(w, "GET", "/api/whoami", user=b"guest:wrong")
    assert challenged.value.headers["WWW-Authenticate"].startswith("Basic")


@pytest.mark.deadline(60)
@pytest.mark.parametrize("console", [{"env": {**os.environ, "WARREN_LOG_STREAM": "true"}}], indirect=True)
def test_logs_tab_follows_filters_pauses_replays_and_shows_an_entry(console, tmp_path):
    w, browser = console
    browser.call("Page.navigate", url=f"http://{HOST}:{w.http_port}/")
    wait_for(lambda: browser.evaluate("document.readyState === 'complete' && !document.getElementById('signin').hidden"))
    browser.evaluate("document.getElementById('username').value = 'guest';"
                     "document.getElementById('password').value = 'nope'; document.getElementById('signin').requestSubmit()")
    wait_for(lambda: browser.text("#signin-error") == "Login failed")
    sign_in(browser, "guest", "guest")
    assert "guest (administrator)" in browser.text("#whoami")
    wait_for(lambda: "following #" in browser.text("#tail-status"))

    logger(w.syslog_port, "-d", "-p", "user.crit", "-t", "consoleapp", "critical one")
    logger(w.syslog_port, "-d", "-p", "local2.info", "-t", "consoleapp", "info one")
    shown = wait_for(lambda: (lambda e: e if len(e) == 2 else None)(entries(browser)))
    assert shown[0].startswith("critical|") and "user.critical: critical one" in shown[0]
    assert shown[1].startswith("info|") and "local2.info: info one" in shown[1]

    set_value(browser, "severity", "2", "change")  # critical and worse
    assert [e.split("|")[0] for e in entries(browser)] == ["critical"]
    set_value(browser, "severity", "7", "change")
    set_value(browser, "text-filter", "INFO ONE", "input")
    assert len(entries(browser)) == 1 and "info one" in entries(browser)[0]
    set_value(browser, "text-filter", "", "input")

    set_value(browser, "patterns", "user.*", "input")
    browser.evaluate("document.getElementById('tail-form').requestSubmit()")
    wait_for(lambda: browser.text("#tail-status").startswith("following user.*") and entries(browser) == [])
    logger(w.syslog_port, "-d", "-p", "local2.err", "-t", "consoleapp", "other facility")
    logger(w.syslog_port, "-d", "-p", "user.warning", "-t", "consoleapp", "user warning")
    wait_for(lambda: len(entries(browser)) == 1)
    assert "user.warning: user warning" in entries(browser)[0]

    assert browser.click("#pause")
    logger(w.syslog_port, "-d", "-p", "user.notice", "-t", "consoleapp", "while paused 1")
    logger(w.syslog_port, "-d", "-p", "user.notice", "-t", "consoleapp", "while paused 2")
    wait_for(lambda: "paused: 2 new" in browser.text("#tail-status"))
    assert len(entries(browser)) == 1
    assert browser.click("#pause")
    wait_for(lambda: len(entries(browser)) == 3)
    assert "while paused 2" in entries(browser)[2]

    assert browser.click("#entries li")
    selected = json.loads(browser.text("#entry-json"))
    assert selected["app_name"] == "consoleapp" and selected["severity"] == "warning"
    browser.screenshot(SHOTS / "console-logs.png")

    # "From 15 min ago" replays the log stream: the entries sent before this follow are back.
    set_value(browser, "since", "15m", "change")
    set_value(browser, "patterns", "#", "input")
    browser.evaluate("document.getElementById('tail-form').requestSubmit()")
    replayed = wait_for(lambda: (lambda e: e if len(e) == 6 else None)(entries(browser)))
    assert "critical one" in replayed[0] and "while paused 2" in replayed[5]


@pytest.mark.deadline(60)
def test_overview_chart_and_queues_scoped_to_the_users_vhosts(console, tmp_path):
    w, browser = console
    call(w, "PUT", "/api/vhosts/private", {})
    call(w, "PUT", "/api/queues/private/hidden-queue", {"durable": False})
    call(w, "PUT", "/api/users/viewer", {"password": "viewpass", "tags": "management"})
    call(w, "PUT", "/api/permissions/%2F/viewer", {"configure": ".*", "write": ".*", "read": ".*"})
    connection = pika.BlockingConnection(w.params())
    channel = connection.channel()
    channel.queue_declare("shared-queue")
    for number in range(20):
        channel.basic_publish("", "shared-queue", b"m%d" % number)

    for number in range(3):
        logger(w.syslog_port, "-d", "-p", "user.err", "-t", "overviewapp", f"error {number}")

    browser.call("Page.navigate", url=f"http://{HOST}:{w.http_port}/#overview")
    wait_for(lambda: browser.evaluate("document.readyState === 'complete'"))
    sign_in(browser, "guest", "guest")
    wait_for(lambda: browser.evaluate("!document.getElementById('overview').hidden"))
    # The publishes show once the server's 5 s sampler has counted them; the page refreshes every 5 s.
    def rising(chart, series):
        return browser.evaluate(
            "(l => l && l.getAttribute('points').split(' ').some(p => Number(p.split(',')[1]) < 200) ? l.getAttribute('points') : null)"
            f"(document.querySelector('#{chart} polyline[data-series={series}]'))")
    points = wait_for(lambda: rising("chart", "published"), timeout=30)
    assert len(points.split(" ")) >= 2
    # The syslog entries sent before are in the intake chart, as errors only.
    wait_for(lambda: rising("syslog-chart", "error"), timeout=30)
    assert rising("syslog-chart", "info") is None
    wait_for(lambda: f"{HOST}:{w.port}amqp listener" in (browser.text("#resources") or ""))
    browser.screenshot(SHOTS / "console-overview.png")
    # 1 h: the server answers 61 one-minute samples, so 60 points per series.
    click_button(browser, "overview", "1 h")
    wait_for(lambda: browser.evaluate(
        "(l => l !== null && l.getAttribute('points').split(' ').length === 60)(document.querySelector('#chart polyline[data-series=published]'))"))
    browser.screenshot(SHOTS / "console-overview-1h.png")

    browser.evaluate("location.hash = '#queues'")
    wait_for(lambda: "shared-queue" in (browser.text("#queues table") or ""))
    assert "hidden-queue" in browser.text("#queues table")
    browser.screenshot(SHOTS / "console-queues.png")
    browser.evaluate("location.hash = '#users'")
    wait_for(lambda: "viewer" in (browser.text("#users tbody") or ""))
    browser.evaluate("location.hash = '#channels'")
    wait_for(lambda: browser.evaluate("document.querySelectorAll('#channels tbody tr').length === 1"))

    assert browser.click("#signout")
    wait_for(lambda: browser.evaluate("!document.getElementById('signin').hidden"))
    assert browser.evaluate("sessionStorage.getItem('warren.credentials')") is None
    sign_in(browser, "viewer", "viewpass")
    browser.evaluate("location.hash = '#queues'")
    wait_for(lambda: "shared-queue" in (browser.text("#queues table") or ""))
    assert "hidden-queue" not in browser.text("#queues table")
    assert browser.evaluate("['compare', 'users', 'policies'].every(t => document.querySelector(`#nav a[data-tab=${t}]`).hidden)")
    browser.evaluate("location.hash = '#vhosts'")
    wait_for(lambda: "/" in (browser.text("#vhosts tbody") or ""))
    assert "private" not in browser.text("#vhosts tbody")
    browser.screenshot(SHOTS / "console-queues-viewer.png")
    browser.call("Emulation.setDeviceMetricsOverride", width=390, height=844, deviceScaleFactor=1, mobile=True)
    browser.evaluate("location.hash = '#logs'")
    wait_for(lambda: browser.evaluate("!document.getElementById('logs').hidden && (scrollTo(0, 0), true)"))
    browser.screenshot(SHOTS / "console-logs-phone.png")
    connection.close()


@pytest.mark.deadline(60)
def test_logs_tab_keeps_up_with_a_burst_and_caps_its_list(console):
    w, browser = console
    browser.call("Page.navigate", url=f"http://{HOST}:{w.http_port}/")
    wait_for(lambda: browser.evaluate("document.readyState === 'complete'"))
    sign_in(browser, "guest", "guest")
    wait_for(lambda: "following #" in browser.text("#tail-status"))
    connection = pika.BlockingConnection(w.params())
    channel = connection.channel()
    count = 10000
    started = time.monotonic()
    for number in range(count):
        body = json.dumps({"facility": "local0", "severity": "info", "app_name": "burst", "message": f"burst {number}"})
        channel.basic_publish("topic_logs", "local0.info", body.encode())
    published = time.monotonic()
    last = wait_for(lambda: browser.evaluate(
        "(l => l && l.textContent.endsWith('burst 9999') ? l.textContent : null)(document.querySelector('#entries li:last-child'))"))
    shown = time.monotonic()
    assert last and browser.evaluate("document.querySelectorAll('#entries li').length") == 1000
    # However fast this machine's browser reads, every entry is either shown or counted as dropped.
    status = browser.text("#tail-status")
    received = int(re.search(r"shown of (\d+) received", status).group(1))
    dropped = int(m.group(1)) if (m := re.search(r"(\d+) dropped by the server", status)) else 0
    assert received + dropped == count, status
    print(f"{count} entries published in {published - started:.2f}s, all shown {shown - started:.2f}s after the first")
    connection.close()


def click_button(browser, section, text):
    assert browser.evaluate(f"(b => b ? (b.click(), true) : false)([...document.querySelectorAll('#{section} button')]"
                            f".find(b => b.textContent.startsWith({json.dumps(text)})))"), text


def ready_in_table(browser, queue):
    return browser.evaluate(f"(r => r ? r.cells[4].textContent : null)([...document.querySelectorAll('#queues > table tbody tr')]"
                            f".find(r => r.cells[1].textContent === {json.dumps(queue)}))")


@pytest.mark.deadline(60)
def test_queue_exchange_and_connection_panels_get_purge_delete_publish_and_close(console, tmp_path):
    w, browser = console
    connection = pika.BlockingConnection(w.params())
    channel = connection.channel()
    channel.queue_declare("work")
    channel.basic_publish("", "work", b"first message")
    browser.call("Page.navigate", url=f"http://{HOST}:{w.http_port}/#exchanges")
    wait_for(lambda: browser.evaluate("document.readyState === 'complete'"))
    sign_in(browser, "guest", "guest")
    wait_for(lambda: "amq.topic" in (browser.text("#exchanges table") or ""))
    click_button(browser, "exchanges", "(AMQP default)")
    wait_for(lambda: browser.evaluate("document.getElementById('publish-key') !== null"))
    set_value(browser, "publish-key", "work", "input")
    set_value(browser, "publish-payload", "from the browser", "input")
    click_button(browser, "exchanges", "Publish message")
    wait_for(lambda: browser.text("#exchanges .detail .result") == "Message published and routed.")
    browser.screenshot(SHOTS / "console-exchange.png")

    browser.evaluate("location.hash = '#queues'")
    wait_for(lambda: ready_in_table(browser, "work") == "2")
    click_button(browser, "queues", "work")
    wait_for(lambda: browser.evaluate("document.getElementById('get-count') !== null"))
    set_value(browser, "get-count", "2", "input")
    click_button(browser, "queues", "Get messages")
    got = wait_for(lambda: (lambda t: t if t and "Message 2" in t else None)(browser.text("#queues .detail .result")))
    assert "first message" in got and "from the browser" in got
    browser.screenshot(SHOTS / "console-queue.png")
    click_button(browser, "queues", "Purge")
    click_button(browser, "queues", "Purge")  # the second click confirms
    wait_for(lambda: browser.text("#queues .detail .result") == "Purged" and ready_in_table(browser, "work") == "0")
    assert channel.queue_declare("work", passive=True).method.message_count == 0
    click_button(browser, "queues", "Delete")
    click_button(browser, "queues", "Delete")
    wait_for(lambda: browser.text("#queues .detail .result") == "Deleted" and ready_in_table(browser, "work") is None)
    with pytest.raises(urllib.error.HTTPError):
        call(w, "GET", "/api/queues/%2F/work")

    set_value(browser, "add-queue-name", "made in the browser", "input")
    browser.evaluate("document.getElementById('add-queue').requestSubmit()")
    wait_for(lambda: ready_in_table(browser, "made in the browser") == "0")
    assert json.load(call(w, "GET", "/api/queues/%2F/made%20in%20the%20browser"))["durable"] is True

    browser.evaluate("location.hash = '#connections'")
    wait_for(lambda: browser.evaluate("document.querySelectorAll('#connections tbody button').length === 1"))
    assert browser.click("#connections tbody button")
    set_value(browser, "close-reason", "closed from the console", "input")
    click_button(browser, "connections", "Close connection")
    click_button(browser, "connections", "Close connection")
    wait_for(lambda: browser.text("#connections .detail .result") == "Closed")
    with pytest.raises(pika.exceptions.ConnectionClosed) as closed:
        connection.process_data_events(time_limit=5)
    assert "closed from the console" in str(closed.value)


@pytest.mark.deadline(90)
def test_compare_tab_runs_a_scenario_and_shows_its_table(console, tmp_path):
    w, browser = console
    browser.call("Page.navigate", url=f"http://{HOST}:{w.http_port}/#compare")
    wait_for(lambda: browser.evaluate("document.readyState === 'complete'"))
    sign_in(browser, "guest", "guest")
    wait_for(lambda: browser.evaluate("document.querySelectorAll('#compare-scenarios input').length === 10"))
    browser.evaluate("document.querySelectorAll('#compare-scenarios input').forEach(b => { b.checked = b.value === 'fan-out'; });"
                     "document.getElementById('compare-form').requestSubmit()")
    verdict = wait_for(lambda: browser.text("#compare-result .verdict"), timeout=60)
    assert verdict and browser.text("#compare-result h2").startswith("fan-out")
    assert browser.evaluate("document.querySelectorAll('#compare-result tbody tr').length") >= 2
    assert browser.text("#compare-progress")
    browser.screenshot(SHOTS / "console-compare.png")


@pytest.mark.parametrize("console", [{"config": "[limits]\nmemory_high_watermark_bytes = 1000\n"}], indirect=True)
def test_an_alarm_is_shown_in_red_on_every_page_in_dark_mode(console, tmp_path):
    w, browser = console
    assert w.wait_for_output("resource alarm: low on memory"), w.output()
    browser.call("Emulation.setEmulatedMedia", features=[{"name": "prefers-color-scheme", "value": "dark"}])
    browser.call("Page.navigate", url=f"http://{HOST}:{w.http_port}/#overview")
    wait_for(lambda: browser.evaluate("document.readyState === 'complete'"))
    sign_in(browser, "guest", "guest")
    alarm = wait_for(lambda: browser.evaluate("(a => a.hidden ? null : a.textContent)(document.getElementById('alarms'))"))
    assert alarm.startswith("Memory alarm on") and "publishers are blocked" in alarm
    assert browser.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(18, 18, 18)"
    wait_for(lambda: browser.evaluate("document.querySelector('#resources .card.bad') !== null"))
    browser.screenshot(SHOTS / "console-alarm-dark.png")
    browser.evaluate("location.hash = '#queues'")
    wait_for(lambda: browser.evaluate("!document.getElementById('queues').hidden"))
    assert not browser.evaluate("document.getElementById('alarms').hidden")


def table_rows(browser, section):
    return browser.evaluate(f"[...document.querySelectorAll('#{section} > table tbody tr')].map(r => [...r.cells].map(c => c.textContent))")


def submit(browser, form, **values):
    for name, value in values.items():
        element = f"{form}-{name.replace('_', '-')}"
        if isinstance(value, bool):
            browser.evaluate(f"document.getElementById('{element}').checked = {json.dumps(value)}")
        else:
            set_value(browser, element, value, "input")
    browser.evaluate(f"document.getElementById('{form}').requestSubmit()")


def delete_row(browser, section, first_cell):
    """Clicks the row's Delete button twice (the second click confirms)."""
    for _ in range(2):
        assert browser.evaluate(f"(r => r ? (r.querySelector('td:last-child button').click(), true) : false)"
                                f"([...document.querySelectorAll('#{section} > table tbody tr')].find(r => r.cells[0].textContent === {json.dumps(first_cell)}))")


@pytest.mark.deadline(90)
def test_forms_add_and_delete_exchange_binding_user_vhost_policy_and_tables_page(console):
    w, browser = console
    browser.call("Page.navigate", url=f"http://{HOST}:{w.http_port}/#exchanges")
    wait_for(lambda: browser.evaluate("document.readyState === 'complete'"))
    sign_in(browser, "guest", "guest")
    wait_for(lambda: "amq.topic" in (browser.text("#exchanges table") or ""))
    browser.evaluate("document.querySelector('#exchanges details.add').open = true")
    submit(browser, "add-exchange", vhost="/", name="browser-ex", type="topic", durable=False)
    wait_for(lambda: browser.text("#add-exchange-result") == "Exchange browser-ex added")
    exchange = json.load(call(w, "GET", "/api/exchanges/%2F/browser-ex"))
    assert exchange["type"] == "topic" and exchange["durable"] is False
    browser.screenshot(SHOTS / "console-exchanges-add.png")
    submit(browser, "add-exchange", name="bad-args", arguments="[1]")
    wait_for(lambda: browser.text("#add-exchange-result") == "Failed: Arguments must be a JSON object")

    browser.evaluate("location.hash = '#queues'")
    submit(browser, "add-queue", name="bound-q", durable=False)
    wait_for(lambda: ready_in_table(browser, "bound-q") == "0")
    browser.evaluate("location.hash = '#bindings'")
    browser.evaluate("document.querySelector('#bindings details.add').open = true")
    submit(browser, "add-binding", source="browser-ex", destination="bound-q", routing_key="a.#", arguments='{"x-note": "b"}')
    wait_for(lambda: ["browser-ex", "/", "bound-q", "queue", "a.#", '{"x-note":"b"}', "Delete"] in table_rows(browser, "bindings"))
    assert any(b["source"] == "browser-ex" and b["routing_key"] == "a.#" for b in json.load(call(w, "GET", "/api/bindings/%2F")))
    browser.screenshot(SHOTS / "console-bindings.png")

    # The exchange's panel lists the binding and publishes with properties and headers.
    browser.evaluate("location.hash = '#exchanges'")
    click_button(browser, "exchanges", "browser-ex")
    wait_for(lambda: "bound-q" in (browser.text("#exchanges .detail .mini") or ""))
    assert "Rates: publish in" in browser.text("#exchanges .detail .rates")
    set_value(browser, "publish-key", "a.b", "input")
    set_value(browser, "publish-delivery-mode", "2", "change")
    set_value(browser, "publish-content-type", "text/plain", "input")
    set_value(browser, "publish-headers", '{"x-from": "console"}', "input")
    set_value(browser, "publish-payload", "with headers", "input")
    click_button(browser, "exchanges", "Publish message")
    wait_for(lambda: browser.text("#exchanges .detail .result") == "Message published and routed.")
    browser.screenshot(SHOTS / "console-exchange-panel.png")
    got = json.load(call(w, "POST", "/api/queues/%2F/bound-q/get", {"count": 1, "ackmode": "ack_requeue_true", "encoding": "auto"}))
    assert got[0]["payload"] == "with headers"
    assert got[0]["properties"]["headers"] == {"x-from": "console"} and got[0]["properties"]["delivery_mode"] == 2
    assert got[0]["properties"]["content_type"] == "text/plain"

    # The queue's panel lists its bindings (the default exchange's and browser-ex's) and its rates.
    browser.evaluate("location.hash = '#queues'")
    click_button(browser, "queues", "bound-q")
    wait_for(lambda: "browser-ex" in (browser.text("#queues .detail") or ""))
    assert "Bindings (2)" in browser.text("#queues .detail") and "Consumers (0)" in browser.text("#queues .detail")
    browser.screenshot(SHOTS / "console-queue-panel.png")

    browser.evaluate("location.hash = '#bindings'")
    wait_for(lambda: any(r[0] == "browser-ex" for r in table_rows(browser, "bindings")))
    delete_row(browser, "bindings", "browser-ex")
    wait_for(lambda: not any(r[0] == "browser-ex" for r in table_rows(browser, "bindings")))
    assert not any(b["source"] == "browser-ex" for b in json.load(call(w, "GET", "/api/bindings/%2F")))
    browser.evaluate("location.hash = '#exchanges'")
    wait_for(lambda: any(r[1] == "browser-ex" for r in table_rows(browser, "exchanges")))
    for _ in range(2):
        assert browser.evaluate("[...document.querySelectorAll('#exchanges > table tbody tr')].find(r => r.cells[1].textContent === 'browser-ex')"
                                ".querySelector('td:last-child button').click() === undefined")
    wait_for(lambda: not any(r[1] == "browser-ex" for r in table_rows(browser, "exchanges")))
    with pytest.raises(urllib.error.HTTPError):
        call(w, "GET", "/api/exchanges/%2F/browser-ex")

    # A vhost, a user with permissions in it, a policy; then each deleted.
    browser.evaluate("location.hash = '#vhosts'")
    submit(browser, "add-vhost", name="made-vhost", description="from the console")
    wait_for(lambda: any(r[0] == "made-vhost" for r in table_rows(browser, "vhosts")))
    browser.evaluate("location.hash = '#users'")
    browser.evaluate("document.querySelector('#users details.add').open = true")
    submit(browser, "add-user", name="formuser", password="formpass", tags="management")
    wait_for(lambda: ["formuser", "management", "Delete"] in table_rows(browser, "users"))
    browser.screenshot(SHOTS / "console-users.png")
    browser.evaluate("location.hash = '#permissions'")
    submit(browser, "add-permission", user="formuser", vhost="made-vhost", configure="^form", write=".*", read=".*")
    wait_for(lambda: ["formuser", "made-vhost", "^form", ".*", ".*", "Delete"] in table_rows(browser, "permissions"))
    assert json.load(call(w, "GET", "/api/whoami", user=b"formuser:formpass"))["name"] == "formuser"
    browser.screenshot(SHOTS / "console-permissions.png")
    browser.evaluate("location.hash = '#policies'")
    browser.evaluate("document.querySelector('#policies details.add').open = true")
    submit(browser, "add-policy", vhost="made-vhost", name="cap", pattern="^capped", apply_to="queues", priority="3",
           definition='{"max-length": 10}')
    wait_for(lambda: ["made-vhost", "cap", "^capped", "queues", '{"max-length":10}', "3", "Delete"] in table_rows(browser, "policies"))
    browser.screenshot(SHOTS / "console-policies.png")
    delete_row(browser, "policies", "made-vhost")
    wait_for(lambda: table_rows(browser, "policies") == [])
    browser.evaluate("location.hash = '#users'")
    wait_for(lambda: any(r[0] == "formuser" for r in table_rows(browser, "users")))
    delete_row(browser, "users", "formuser")
    wait_for(lambda: not any(r[0] == "formuser" for r in table_rows(browser, "users")))
    with pytest.raises(urllib.error.HTTPError):
        call(w, "GET", "/api/users/formuser")
    browser.evaluate("location.hash = '#vhosts'")
    wait_for(lambda: any(r[0] == "made-vhost" for r in table_rows(browser, "vhosts")))
    delete_row(browser, "vhosts", "made-vhost")
    wait_for(lambda: not any(r[0] == "made-vhost" for r in table_rows(browser, "vhosts")))

    # Paging: 25 more queues, 20 a page; page 2 holds the rest, sorted by name.
    connection = pika.BlockingConnection(w.params())
    channel = connection.channel()
    for number in range(25):
        channel.queue_declare(f"paged-{number:02}")
    browser.evaluate("location.hash = '#queues'")
    click_button(browser, "queues", "Name")
    set_value(browser, "queues-page-size", "20", "change")
    names = sorted(queue["name"] for queue in json.load(call(w, "GET", "/api/queues")))  # bound-q, the log stream, paged-…
    wait_for(lambda: browser.text("#queues-page") == f"Page 1 of 2 ({len(names)} of {len(names)} shown)")
    assert len(table_rows(browser, "queues")) == 20
    browser.evaluate("performance.clearResourceTimings()")  # room for the requests below
    click_button(browser, "queues", "Next")
    wait_for(lambda: browser.text("#queues-page") == f"Page 2 of 2 ({len(names)} of {len(names)} shown)")
    assert [r[1] for r in table_rows(browser, "queues")] == names[20:] and "paged-24" in names[20:]
    # The page came from the server's paging, not from a whole list paged in the browser.
    assert browser.evaluate("performance.getEntriesByType('resource').some(e => "
                            "e.name.includes('/api/queues?page=2&page_size=20&name=&sort=name&sort_reverse=false'))")
    browser.screenshot(SHOTS / "console-queues-page-2.png")
    set_value(browser, "queues-filter", "paged-1", "input")
    wait_for(lambda: browser.text("#queues-page") == f"Page 1 of 1 (10 of {len(names)} shown)")
    connection.close()


@pytest.mark.deadline(60)
def test_keyboard_reaches_the_tabs_and_pages_read_in_dark_mode_and_at_phone_width(console):
    w, browser = console
    browser.call("Emulation.setEmulatedMedia", features=[{"name": "prefers-color-scheme", "value": "dark"}])
    browser.call("Page.navigate", url=f"http://{HOST}:{w.http_port}/")
    wait_for(lambda: browser.evaluate("document.readyState === 'complete'"))
    sign_in(browser, "guest", "guest")
    # Tab from the page's start reaches the Queues link; Enter opens it.
    browser.evaluate("document.querySelector('#nav a').focus()")
    for _ in range(10):
        browser.call("Input.dispatchKeyEvent", type="keyDown", key="Tab", code="Tab", windowsVirtualKeyCode=9)
        browser.call("Input.dispatchKeyEvent", type="keyUp", key="Tab", code="Tab", windowsVirtualKeyCode=9)
        if browser.evaluate("document.activeElement.dataset.tab") == "queues":
            break
    assert browser.evaluate("document.activeElement.dataset.tab") == "queues"
    assert browser.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"
    browser.call("Input.dispatchKeyEvent", type="keyDown", key="Enter", code="Enter", windowsVirtualKeyCode=13, text="\r")
    browser.call("Input.dispatchKeyEvent", type="keyUp", key="Enter", code="Enter", windowsVirtualKeyCode=13)
    wait_for(lambda: browser.evaluate("!document.getElementById('queues').hidden"))
    browser.screenshot(SHOTS / "console-queues-dark.png")
    browser.call("Emulation.setDeviceMetricsOverride", width=390, height=844, deviceScaleFactor=1, mobile=True)
    for tab in ["overview", "queues", "exchanges"]:
        browser.evaluate(f"location.hash = '#{tab}'")
        wait_for(lambda: browser.evaluate(f"!document.getElementById('{tab}').hidden && document.querySelector('#{tab} .card, #{tab} tbody tr') !== null"))
        # Nothing but a table's own scroller is wider than the phone.
        assert browser.evaluate("document.documentElement.scrollWidth") <= 390
        browser.screenshot(SHOTS / f"console-{tab}-phone-dark.png")
