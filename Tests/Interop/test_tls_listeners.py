"""TLS on warren's other listeners, with certificates this module makes (tls_certs.py): the
management API over HTTPS (curl), syslog over TLS (RFC 5425: rsyslog's GnuTLS driver, and a raw
octet-counted TLS stream), and SIGHUP reloading certificates without dropping connections."""

import json
import select
import shutil
import signal
import socket
import ssl
import subprocess
import time

import pika
import pytest

from conftest import DEFAULT_CONFIG, HOST, find_free_port
from polling import wait_for
from rsyslog_process import running_rsyslogd
from test_syslog import receive, subscribe
from test_tls_amqp import round_trip, tls_params
from tls_certs import make_pki, tls_section

@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return make_pki(tmp_path_factory.mktemp("pki"))


def curl(*args):
    p = subprocess.run(["curl", "-sS", "--max-time", "5", *args], capture_output=True, text=True, timeout=10)
    return p.returncode, p.stdout + p.stderr


def test_curl_over_https_reaches_the_management_api_with_http_off(warren_factory, pki):
    https_port = find_free_port()
    w = warren_factory(DEFAULT_CONFIG + tls_section(pki, "http.tls", https_port))
    assert w.wait_for_output(f"management HTTPS listener ready on {HOST}:{https_port}"), w.output()
    assert "management HTTP listener disabled (port 0)" in w.output()
    rc, out = curl("--cacert", pki.ca, "-u", "guest:guest", f"https://localhost:{https_port}/api/whoami",
                   "--resolve", f"localhost:{https_port}:{HOST}")
    assert rc == 0, out
    assert json.loads(out)["name"] == "guest"
    rc, out = curl(f"https://{HOST}:{https_port}/api/whoami")  # curl's own CAs do not know the test CA
    assert rc != 0, out
    rc, out = curl("--cacert", pki.ca, f"http://{HOST}:{https_port}/api/whoami")  # plain HTTP on the TLS port
    assert rc != 0 or "guest" not in out, out
    assert w.wait_for_output("TLS handshake failed on HTTPS"), w.output()

    def failures_counted():
        rc, out = curl("--cacert", pki.ca, f"https://{HOST}:{https_port}/metrics")
        prefix = f'warren_tls_handshake_failures_total{{listener="HTTPS {HOST}:{https_port}"}} '
        return [float(line[len(prefix):]) for line in out.splitlines() if line.startswith(prefix)]

    wait_for(lambda: failures_counted() == [2.0])  # curl without the CA, plain HTTP


def syslog_tls_warren(warren_factory, pki, verify="none"):
    port = find_free_port()
    config = (f"[[syslog.listeners]]\nprotocol = \"tls\"\nport = {port}\n\n"
              + tls_section(pki, "syslog.tls", port, verify).replace(f"port = {port}\n", "", 1))
    w = warren_factory(config)
    assert w.wait_for_output(f"syslog TLS listener ready on {HOST}:{port}"), w.output()
    w.syslog_tls_port = port
    return w


RSYSLOG_CONFIG = """\
global(workDirectory="{workdir}" net.enableDNS="off" defaultNetstreamDriverCAFile="{ca}"{client_certificate})
module(load="imtcp")
module(load="mmrm1stspace")
input(type="imtcp" address="127.0.0.1" port="{input_port}" ruleset="to_warren")
ruleset(name="to_warren") {{
    action(type="mmrm1stspace")  # as in test_rsyslog.py: rsyslog keeps the space after an RFC 3164 tag
    action(type="omfwd" target="127.0.0.1" port="{warren_port}" protocol="tcp"
           StreamDriver="gtls" StreamDriverMode="1" StreamDriverAuthMode="x509/name"
           StreamDriverPermittedPeers="localhost"
           TCP_Framing="octet-counted" template="RSYSLOG_SyslogProtocol23Format"
           queue.type="LinkedList" queue.size="10000" action.resumeRetryCount="-1" action.resumeInterval="1")
}}
"""


@pytest.mark.deadline(60)
@pytest.mark.parametrize("verify", ["none", "required"])
def test_rsyslog_gnutls_ships_rfc5425_to_warren_end_to_end(warren_factory, pki, tmp_path, verify):
    w = syslog_tls_warren(warren_factory, pki, verify)
    # With verify = "required" rsyslog presents a client certificate from the test CA (mutual TLS).
    client_certificate = (f' defaultNetstreamDriverCertFile="{pki.alice_cert}" defaultNetstreamDriverKeyFile="{pki.alice_key}"'
                          if verify == "required" else "")
    conn, ch, queue = subscribe(w, "auth.*", "local3.#")
    workdir = tmp_path / "rsyslog"
    workdir.mkdir()
    input_port = find_free_port()
    config = RSYSLOG_CONFIG.format(workdir=workdir, ca=pki.ca, client_certificate=client_certificate, input_port=input_port,
                                   warren_port=w.syslog_tls_port)
    with running_rsyslogd(workdir, config, input_port) as output:
        with socket.create_connection((HOST, input_port), timeout=5) as s:
            s.sendall(b"<38>Nov 23 10:00:00 gate sshd[12]: accepted publickey for alice\n"
                      b"<13>Nov 23 10:00:01 gate app: not for this subscriber\n"
                      b"<154>Nov 23 10:00:02 gate db: replica lagging\n")
        got = receive(conn, ch, queue, 2, timeout=30)
        assert [(key, json.loads(body)["message"]) for key, _, body in got] == [
            ("auth.info", "accepted publickey for alice"), ("local3.critical", "replica lagging")], output.text()
    conn.close()

def tls_stream(port, pki, cert=None, key=None):
    context = ssl.create_default_context(cafile=pki.ca)
    if cert:
        context.load_cert_chain(cert, key)
    raw = socket.create_connection((HOST, port), timeout=5)
    return context.wrap_socket(raw, server_hostname="localhost")


def octet_counted(*messages):
    return b"".join(b"%d %s" % (len(m), m) for m in messages)


def test_syslog_tls_with_required_client_certificates(warren_factory, pki):
    w = syslog_tls_warren(warren_factory, pki, verify="required")
    conn, ch, queue = subscribe(w, "#")
    with tls_stream(w.syslog_tls_port, pki, pki.alice_cert, pki.alice_key) as s:
        s.sendall(octet_counted(b"<165>1 2026-11-23T10:00:00Z edge app - - - first", b"<165>1 2026-11-23T10:00:01Z edge app - - - second"))
        got = receive(conn, ch, queue, 2)
    assert [json.loads(body)["message"] for _, _, body in got] == ["first", "second"]
    # Without a client certificate the handshake fails and nothing is published.
    try:
        with tls_stream(w.syslog_tls_port, pki) as s:
            s.sendall(octet_counted(b"<165>1 - edge app - - - intruder"))
            assert s.recv(1) == b""
    except (ssl.SSLError, ConnectionError):
        pass  # TLS 1.3 reports the refused client certificate after the client's side of the handshake
    assert w.wait_for_output("TLS handshake failed on syslog TLS"), w.output()
    assert receive(conn, ch, queue, 1, timeout=0.5) == []
    conn.close()


def test_syslog_tls_keeps_the_tcp_limits_and_times_out_a_silent_handshake(warren_factory, pki):
    port = find_free_port()
    w = warren_factory(f"[syslog]\nmax_connections = 1\n\n[[syslog.listeners]]\nprotocol = \"tls\"\nport = {port}\n\n"
                       f"[syslog.tls]\ncertificate_chain_file = \"{pki.server_cert}\"\nprivate_key_file = \"{pki.server_key}\"\n"
                       "handshake_timeout = 1500\n")
    assert w.wait_for_output(f"syslog TLS listener ready on {HOST}:{port}"), w.output()
    with socket.create_connection((HOST, port), timeout=5) as first, socket.create_connection((HOST, port), timeout=5) as second:
        # max_connections: whichever is accepted second is closed at once; the other holds the slot, silent.
        closed, _, _ = select.select([first, second], [], [], 1.0)
        assert len(closed) == 1 and closed[0].recv(1) == b""
        silent = second if closed[0] is first else first
        started = time.monotonic()
        assert silent.recv(1) == b""  # handshake_timeout
        assert time.monotonic() - started < 3
    assert w.wait_for_output("TLS handshake failed on syslog TLS"), w.output()
    assert w.wait_for_output("not completed within 1500 ms"), w.output()


def peer_common_name(port, pki):
    with tls_stream(port, pki) as s:
        subject = dict(item for rdn in s.getpeercert()["subject"] for item in rdn)
    return subject["commonName"]


@pytest.mark.deadline(60)
def test_sighup_reloads_certificates_without_dropping_connections(warren_factory, pki, tmp_path):
    live = tmp_path / "live"
    live.mkdir()
    shutil.copy(pki.server_cert, live / "cert.pem")
    shutil.copy(pki.server_key, live / "key.pem")
    tls_port, https_port, syslog_port = find_free_port(), find_free_port(), find_free_port()
    files = f"certificate_chain_file = \"{live / 'cert.pem'}\"\nprivate_key_file = \"{live / 'key.pem'}\"\n"
    w = warren_factory(DEFAULT_CONFIG + f"[amqp.tls]\nport = {tls_port}\n{files}\n[http.tls]\nport = {https_port}\n{files}\n"
                       f"[[syslog.listeners]]\nprotocol = \"tls\"\nport = {syslog_port}\n\n[syslog.tls]\n{files}")
    assert w.wait_for_output(f"AMQPS listener ready on {HOST}:{tls_port}"), w.output()
    assert w.wait_for_output(f"management HTTPS listener ready on {HOST}:{https_port}"), w.output()
    assert w.wait_for_output(f"syslog TLS listener ready on {HOST}:{syslog_port}"), w.output()
    assert w.wait_for_output("TLS certificates and keys are reloaded on SIGHUP"), w.output()
    w.tls_port = tls_port
    assert peer_common_name(tls_port, pki) == "localhost"
    kept = pika.BlockingConnection(tls_params(w, pki, pika.PlainCredentials("guest", "guest")))

    renewed_cert, renewed_key = pki.leaf("renewed", "/O=warren tests/CN=renewed")
    shutil.copy(renewed_cert, live / "cert.pem")
    shutil.copy(renewed_key, live / "key.pem")
    w.signal(signal.SIGHUP)
    assert w.wait_for_output("AMQPS 127.0.0.1:%d: TLS certificate and key reloaded" % tls_port), w.output()
    assert peer_common_name(tls_port, pki) == "renewed"
    assert w.wait_for_output("HTTPS 127.0.0.1:%d: TLS certificate and key reloaded" % https_port), w.output()
    assert peer_common_name(https_port, pki) == "renewed"
    assert w.wait_for_output("syslog TLS: TLS certificate and key reloaded"), w.output()
    assert peer_common_name(syslog_port, pki) == "renewed"
    assert round_trip(kept, b"across the reload") == b"across the reload"

    # A broken file: the reload fails, is logged, and the previous material stays in use.
    (live / "key.pem").write_text("-----BEGIN PRIVATE KEY-----\nbroken\n-----END PRIVATE KEY-----\n")
    w.signal(signal.SIGHUP)
    assert w.wait_for_output("TLS reload failed, the previous certificate and key stay in use"), w.output()
    assert peer_common_name(tls_port, pki) == "renewed"
    assert round_trip(kept, b"still open") == b"still open"
    kept.close()
    assert "broken" not in w.output()


@pytest.mark.parametrize("config, message", [
    ('[[syslog.listeners]]\nprotocol = "tls"\n', 'a listener with protocol "tls" needs [syslog.tls]'),
    ('[[syslog.listeners]]\nprotocol = "tls"\n[syslog.tls]\nport = 6514\ncertificate_chain_file = "{cert}"\n'
     'private_key_file = "{key}"\n', "syslog.tls.port has no effect"),
    ('[http.tls]\ncertificate_chain_file = "{cert}"\nprivate_key_file = "{key}"\nssl_cert_login_from = "common_name"\n',
     "the ssl_cert_login_* keys have no effect there"),
    ('[amqp.tls]\ncertificate_chain_file = "{cert}"\nprivate_key_file = "{key}"\nverify = "sometimes"\n',
     'amqp.tls.verify must be one of "none", "optional", "required", got "sometimes"'),
    ('[amqp.tls]\ncertificate_chain_file = "{cert}"\nprivate_key_file = "{key}"\nmin_version = "1.1"\n',
     'amqp.tls.min_version must be one of "1.2", "1.3", got "1.1"'),
    ('[amqp.tls]\ncertificate_chain_file = "{cert}"\n', "amqp.tls needs certificate_chain_file and private_key_file"),
    ('[amqp.tls]\ncertificate_chain_file = "{cert}"\nprivate_key_file = "{key}"\nverify = "verify_peer"\n',
     'amqp.tls: verify = "optional" needs ca_file'),
])
def test_tls_configuration_mistakes_stop_the_start_with_exit_78(warren_factory, pki, config, message):
    w = warren_factory(config.format(cert=pki.server_cert, key=pki.server_key), expect_ready=False)
    w.expected_exit = True
    assert w.wait_exit() == 78, w.output()
    assert message in w.output(), w.output()
