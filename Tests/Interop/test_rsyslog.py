"""A private rsyslogd (its own config, work directory and pid file; no imuxsock/imklog) takes
`logger` traffic on its own TCP port and forwards it to warren over TCP with octet-counted
framing in RFC 5424 (RSYSLOG_SyslogProtocol23Format); the classic pika subscriber bound to
`kern.*` and `*.critical` receives exactly the matching entries."""

import json
import socket

import pytest

from conftest import HOST, find_free_port
from rsyslog_process import running_rsyslogd
from test_syslog import JSON_KEYS, logger, receive, subscribe

CONFIG = """\
global(workDirectory="{workdir}" net.enableDNS="off")
module(load="imtcp")
module(load="mmrm1stspace")
input(type="imtcp" address="127.0.0.1" port="{input_port}" ruleset="to_warren")
ruleset(name="to_warren") {{
    # rsyslog keeps the space after an RFC 3164 "tag:" in %msg%, and the template puts another
    # before it: without this, such messages arrive with a leading space (RFC 5424 MSG is kept as sent).
    action(type="mmrm1stspace")
    action(type="omfwd" target="127.0.0.1" port="{warren_port}" protocol="tcp"
           TCP_Framing="octet-counted" template="RSYSLOG_SyslogProtocol23Format"
           queue.type="LinkedList" queue.size="10000" action.resumeRetryCount="-1" action.resumeInterval="1")
}}
"""


@pytest.fixture
def rsyslog(tmp_path, warren_factory):
    warren_port = find_free_port()
    w = warren_factory(extra_args=["--syslog-port", str(warren_port)])
    assert w.wait_for_output("syslog TCP listener ready"), w.output()
    workdir = tmp_path / "rsyslog"
    workdir.mkdir()
    input_port = find_free_port()
    config = CONFIG.format(workdir=workdir, input_port=input_port, warren_port=warren_port)
    with running_rsyslogd(workdir, config, input_port):
        w.rsyslog_port = input_port
        yield w

def test_rsyslog_forwards_octet_counted_rfc5424_and_pika_sees_exactly_the_matching(rsyslog):
    conn, ch, queue = subscribe(rsyslog, "kern.*", "*.critical")
    port = rsyslog.rsyslog_port
    logger(port, "-T", "-p", "auth.info", "-t", "sshd", "not matching 1")
    logger(port, "-T", "-p", "local3.crit", "-t", "db", "--id=77", "database on fire")
    logger(port, "-T", "--octet-count", "-p", "local4.warning", "-t", "web", "not matching 2")
    logger(port, "-T", "--octet-count", "--rfc3164", "-p", "user.crit", "-t", "app", "user critical")
    # logger cannot send facility kern (it turns it into user): a raw frame to rsyslog can.
    with socket.create_connection((HOST, port), timeout=5) as s:
        s.sendall(b"<0>1 2026-11-23T10:00:00.250Z edge kernel - - [meta origin=\"rack 4\"] kernel panic\n")
    got = receive(conn, ch, queue, 3, timeout=20)
    assert receive(conn, ch, queue, 1, timeout=1.0) == []
    by_key = {key: json.loads(body) for key, _, body in got}
    assert sorted(by_key) == ["kern.emergency", "local3.critical", "user.critical"]
    for entry in by_key.values():
        assert set(entry) == JSON_KEYS
    db = by_key["local3.critical"]
    assert (db["app_name"], db["procid"], db["message"]) == ("db", "77", "database on fire")
    assert db["hostname"] and db["timestamp"]
    assert by_key["user.critical"]["app_name"] == "app" and by_key["user.critical"]["message"] == "user critical"
    kern = by_key["kern.emergency"]
    assert (kern["hostname"], kern["app_name"], kern["message"]) == ("edge", "kernel", "kernel panic")
    assert kern["structured_data"] == {"meta": {"origin": "rack 4"}}
    assert kern["timestamp"].startswith("2026-11-23T10:00:00.25")
    conn.close()


def test_rsyslog_many_entries_arrive_once_each_in_order(rsyslog):
    conn, ch, queue = subscribe(rsyslog, "local5.#")
    with socket.create_connection((HOST, rsyslog.rsyslog_port), timeout=5) as s:
        s.sendall(b"".join(b"<174>Nov 23 10:00:00 bulk seq: entry %d\n" % i for i in range(2000)))
    got = receive(conn, ch, queue, 2000, timeout=30)
    assert [json.loads(b)["message"] for _, _, b in got] == [f"entry {i}" for i in range(2000)]
    assert receive(conn, ch, queue, 1, timeout=0.5) == []
    conn.close()
