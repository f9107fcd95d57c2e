"""AMQPS: warren's TLS listener with certificates this module makes (tls_certs.py), driven by pika
with an ssl.SSLContext (server authentication; mutual TLS with SASL EXTERNAL), amqp-tools with
--ssl, and `openssl s_client` for the protocol versions. Refusals: a client certificate from an
unrelated CA (handshake), EXTERNAL for a user warren does not know (403), a TLS 1.1 client."""

import select
import socket
import ssl
import subprocess
import time

import pika
import pika.credentials
import pika.exceptions
import pytest

from conftest import DEFAULT_CONFIG, HOST, WARREN_BIN, find_free_port
from test_amqp_tools import run_tool
from test_syslog_cli import tails  # noqa: F401 (the fixture)
from tls_certs import CLIENT_EXT, make_pki, tls_section

EXTERNAL_REFUSED = "ACCESS_REFUSED - Login was refused using authentication mechanism EXTERNAL. For details see the broker logfile."


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return make_pki(tmp_path_factory.mktemp("pki"))


def start_amqps(warren_factory, pki, verify="optional", extra_config=""):
    tls_port = find_free_port()
    w = warren_factory(DEFAULT_CONFIG + extra_config + "\n" + tls_section(pki, "amqp.tls", tls_port, verify))
    assert w.wait_for_output(f"AMQPS listener ready on {HOST}:{tls_port}"), w.output()
    w.tls_port = tls_port
    return w


@pytest.fixture
def amqps(warren_factory, pki):
    """warren with AMQPS asking for (not requiring) client certificates from the test CA."""
    return start_amqps(warren_factory, pki)


def client_context(pki, cert=None, key=None, **versions):
    context = ssl.create_default_context(cafile=pki.ca)
    for name, value in versions.items():
        setattr(context, name, value)
    if cert:
        context.load_cert_chain(cert, key)
    return context


def tls_params(w, pki, credentials, vhost="/", cert=None, key=None):
    return pika.ConnectionParameters(
        host=HOST, port=w.tls_port, virtual_host=vhost, credentials=credentials,
        ssl_options=pika.SSLOptions(client_context(pki, cert, key), server_hostname="localhost"),
        connection_attempts=1, socket_timeout=5, stack_timeout=10)


def round_trip(conn, body):
    ch = conn.channel()
    queue = ch.queue_declare("", exclusive=True).method.queue
    ch.basic_publish("", queue, body)
    for method, _, received in ch.consume(queue, auto_ack=True, inactivity_timeout=5):
        return received


def test_pika_over_tls_with_server_authentication_and_plain_login(amqps, pki):
    conn = pika.BlockingConnection(tls_params(amqps, pki, pika.PlainCredentials("guest", "guest")))
    try:
        assert round_trip(conn, b"over tls") == b"over tls"
    finally:
        conn.close()


def test_external_is_not_offered_without_a_client_certificate(amqps, pki):
    with pytest.raises(pika.exceptions.AuthenticationError):
        pika.BlockingConnection(tls_params(amqps, pki, pika.credentials.ExternalCredentials()))
    # A plain AMQP connection never sees EXTERNAL either.
    with pytest.raises(pika.exceptions.AuthenticationError):
        pika.BlockingConnection(pika.ConnectionParameters(
            host=HOST, port=amqps.port, credentials=pika.credentials.ExternalCredentials(), connection_attempts=1))


def test_mutual_tls_with_external_logs_in_as_the_certificate_common_name(amqps, pki):
    # alice may open only vhost "logs": the login really is alice, not a default user.
    conn = pika.BlockingConnection(tls_params(amqps, pki, pika.credentials.ExternalCredentials(), vhost="logs",
                                              cert=pki.alice_cert, key=pki.alice_key))
    try:
        assert round_trip(conn, b"from alice") == b"from alice"
    finally:
        conn.close()
    assert amqps.wait_for_output("connection opened: user 'alice' on vhost 'logs'"), amqps.output()
    with pytest.raises((pika.exceptions.ProbableAccessDeniedError, pika.exceptions.ConnectionClosedByBroker)):
        pika.BlockingConnection(tls_params(amqps, pki, pika.credentials.ExternalCredentials(), vhost="/",
                                           cert=pki.alice_cert, key=pki.alice_key))


def test_external_for_an_unknown_user_is_refused_with_rabbitmq_403(amqps, pki):
    with pytest.raises((pika.exceptions.ProbableAuthenticationError, pika.exceptions.AuthenticationError)) as refused:
        pika.BlockingConnection(tls_params(amqps, pki, pika.credentials.ExternalCredentials(),
                                           cert=pki.mallory_cert, key=pki.mallory_key))
    assert "403" in str(refused.value) and EXTERNAL_REFUSED in str(refused.value), refused.value
    assert amqps.wait_for_output("EXTERNAL login refused: user 'mallory' - invalid credentials"), amqps.output()


def test_client_certificate_from_an_unrelated_ca_fails_the_handshake_and_only_that_socket(amqps, pki):
    kept = pika.BlockingConnection(tls_params(amqps, pki, pika.PlainCredentials("guest", "guest")))
    with pytest.raises(pika.exceptions.AMQPConnectionError):
        pika.BlockingConnection(tls_params(amqps, pki, pika.credentials.ExternalCredentials(),
                                           cert=pki.intruder_cert, key=pki.intruder_key))
    assert amqps.wait_for_output("TLS handshake failed on AMQPS"), amqps.output()
    try:
        assert round_trip(kept, b"still here") == b"still here"
    finally:
        kept.close()


def test_required_client_certificate_refuses_a_client_without_one(warren_factory, pki):
    w = start_amqps(warren_factory, pki, verify="required")
    with pytest.raises(pika.exceptions.AMQPConnectionError):
        pika.BlockingConnection(tls_params(w, pki, pika.PlainCredentials("guest", "guest")))
    assert w.wait_for_output("TLS handshake failed on AMQPS"), w.output()
    conn = pika.BlockingConnection(tls_params(w, pki, pika.credentials.ExternalCredentials(), vhost="logs",
                                              cert=pki.alice_cert, key=pki.alice_key))
    conn.close()


def s_client(port, pki, *options):
    p = subprocess.run(["openssl", "s_client", "-connect", f"{HOST}:{port}", "-CAfile", pki.ca, "-brief", *options],
                       input=b"", capture_output=True, timeout=10)
    return p.returncode, (p.stdout + p.stderr).decode(errors="replace")


def test_openssl_s_client_negotiates_tls_1_2_and_1_3_and_is_refused_tls_1_1(amqps, pki):
    for option, name in (("-tls1_2", "TLSv1.2"), ("-tls1_3", "TLSv1.3")):
        rc, out = s_client(amqps.tls_port, pki, option)
        assert f"Protocol version: {name}" in out, out
        assert "Verification: OK" in out, out
    # The client is made willing to speak TLS 1.1 (security level 0); warren is not.
    rc, out = s_client(amqps.tls_port, pki, "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0")
    assert rc != 0 and "Protocol version" not in out, out
    assert "protocol version" in out.lower(), out


def test_min_version_1_3_refuses_tls_1_2(warren_factory, pki):
    port = find_free_port()
    w = warren_factory(DEFAULT_CONFIG + tls_section(pki, "amqp.tls", port, extra='min_version = "1.3"\n'))
    assert w.wait_for_output("AMQPS listener ready"), w.output()
    rc, out = s_client(port, pki, "-tls1_2")
    assert rc != 0 and "Protocol version" not in out, out
    assert "protocol version" in out.lower(), out
    rc, out = s_client(port, pki, "-tls1_3")
    assert "Protocol version: TLSv1.3" in out, out


def test_amqp_tools_publish_and_consume_with_ssl(amqps, pki):
    common = ["--url", f"amqps://guest:guest@localhost:{amqps.tls_port}/%2F", "--ssl", "--cacert", pki.ca]
    rc, out = run_tool("amqp-declare-queue", *common, "-q", "tls-tools")
    assert rc == 0, out
    rc, out = run_tool("amqp-publish", *common, "-r", "tls-tools", "-b", "hello over amqps")
    assert rc == 0, out
    rc, out = run_tool("amqp-consume", *common, "-q", "tls-tools", "-c", "1", "cat")
    assert rc == 0 and "hello over amqps" in out, out


def test_a_silent_tls_client_is_cut_off_by_handshake_timeout(warren_factory, pki):
    w = start_amqps(warren_factory, pki, extra_config="[amqp]\nhandshake_timeout = 300\n")
    with socket.create_connection((HOST, w.tls_port), timeout=5) as s:
        started = time.monotonic()
        assert s.recv(1) == b""  # closed by warren, before any TLS byte was sent
        assert time.monotonic() - started < 3  # 300 ms, then at most 1 s waiting for a close_notify
    assert w.wait_for_output("handshake_timeout"), w.output()


def test_plain_listener_off_with_port_0_leaves_amqps(warren_factory, pki):
    tls_port = find_free_port()
    w = warren_factory(DEFAULT_CONFIG + tls_section(pki, "amqp.tls", tls_port), expect_ready=False,
                       extra_args=["--amqp-port", "0"])
    assert w.wait_for_output(f"AMQPS listener ready on {HOST}:{tls_port}"), w.output()
    assert "AMQP listener disabled (port 0)" in w.output()
    w.tls_port = tls_port
    conn = pika.BlockingConnection(tls_params(w, pki, pika.PlainCredentials("guest", "guest")))
    conn.close()


@pytest.mark.parametrize("breakage, code, words", [
    ("missing", 66, "certificate_chain_file"),
    ("mismatch", 78, "does not fit"),
    ("not pem", 78, "holds no unencrypted PEM private key"),
])
def test_bad_certificate_or_key_is_a_clear_startup_error(warren_factory, pki, tmp_path, breakage, code, words):
    cert, key = pki.server_cert, pki.server_key
    if breakage == "missing":
        cert = str(tmp_path / "nonexistent.pem")
    elif breakage == "mismatch":
        key = pki.alice_key
    else:
        key = str(tmp_path / "garbage.key")
        (tmp_path / "garbage.key").write_text("not a key\n")
    config = (DEFAULT_CONFIG + f"[amqp.tls]\nport = {find_free_port()}\ncertificate_chain_file = \"{cert}\"\n"
              f"private_key_file = \"{key}\"\n")
    w = warren_factory(config, expect_ready=False)
    w.expected_exit = True
    assert w.wait_exit() == code, w.output()
    out = w.output()
    assert words in out and "Fatal error" not in out, out
    key_lines = [line for line in open(pki.alice_key).read().splitlines() if "-----" not in line]
    assert not any(line in out for line in key_lines), out


@pytest.mark.parametrize("login_from, user", [
    ('ssl_cert_login_from = "subject_alternative_name"\nssl_cert_login_san_type = "email"\n', "alice@example.com"),
    ('ssl_cert_login_from = "distinguished_name"\n', "CN=alice,O=warren tests"),
])
def test_external_takes_the_name_from_where_ssl_cert_login_from_says(warren_factory, pki, login_from, user):
    tls_port = find_free_port()
    w = warren_factory(DEFAULT_CONFIG + f'[[users]]\nname = "{user}"\npassword = "unused"\n\n'
                       + tls_section(pki, "amqp.tls", tls_port, "required", extra=login_from))
    assert w.wait_for_output(f"AMQPS listener ready on {HOST}:{tls_port}"), w.output()
    w.tls_port = tls_port
    conn = pika.BlockingConnection(tls_params(w, pki, pika.credentials.ExternalCredentials(),
                                              cert=pki.alice_cert, key=pki.alice_key))
    conn.close()
    assert w.wait_for_output(f"connection opened: user '{user}' on vhost '/'"), w.output()


def test_tls_sockets_count_against_connection_max(warren_factory, pki):
    w = start_amqps(warren_factory, pki, extra_config="[amqp]\nconnection_max = 1\n")
    with socket.create_connection((HOST, w.tls_port), timeout=5) as first, \
            socket.create_connection((HOST, w.tls_port), timeout=5) as second:
        # Whichever warren accepts first holds the one slot while it handshakes (5 s); the other is closed at once.
        closed, _, _ = select.select([first, second], [], [], 3)
        assert len(closed) == 1 and closed[0].recv(1) == b""


class AmqpsAddress:
    """Stands in for a Warren where test_syslog_cli's Tail only asks for url()."""

    def __init__(self, url):
        self.address = url

    def url(self):
        return self.address


def test_warren_tail_and_emit_over_amqps_with_a_client_certificate(warren_factory, pki, tails):
    bob_cert, bob_key = pki.leaf("bob", "/O=warren tests/CN=bob", CLIENT_EXT)
    w = start_amqps(warren_factory, pki)
    query = f"/%2F?cacertfile={pki.ca}"
    tail = tails(AmqpsAddress(f"amqps://localhost:{w.tls_port}{query}&certfile={bob_cert}&keyfile={bob_key}"
                              "&auth_mechanism=external"), "auth.*")
    emitted = subprocess.run([WARREN_BIN, "emit", "--url", f"amqps://guest:guest@localhost:{w.tls_port}{query}",
                              "auth.warning", "sudo over tls"], capture_output=True, text=True, timeout=20)
    assert emitted.returncode == 0, emitted.stderr
    [line] = tail.wait_lines(1)
    assert "auth.warning" in line and "sudo over tls" in line, line
    assert w.wait_for_output("connection opened: user 'bob' on vhost '/'"), w.output()
    # The client verifies the server: without the test CA the handshake fails and emit says so.
    refused = subprocess.run([WARREN_BIN, "emit", "--url", f"amqps://guest:guest@localhost:{w.tls_port}/%2F",
                              "auth.warning", "x"], capture_output=True, text=True, timeout=20)
    assert refused.returncode != 0 and "CERTIFICATE_VERIFY_FAILED" in refused.stderr, refused.stderr
