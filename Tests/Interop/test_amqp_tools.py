"""rabbitmq-c's command-line tools (Debian package amqp-tools) against warren.

rabbitmq-c URL quirk: `amqp://u:p@host:port` means vhost "/", but a trailing
slash (`.../`) means the *empty* vhost "" (RabbitMQ then says
"NOT_ALLOWED - vhost  not found"). Warren.url() always spells the vhost out
(`/%2F` for "/").

The tools print errors like (verified against RabbitMQ 3.10.8):
  logging in to AMQP server: server connection error 403, message: ACCESS_REFUSED - Login was refused ...
  logging in to AMQP server: server connection error 530, message: NOT_ALLOWED - vhost nosuch not found
  basic.get: server channel error 404, message: NOT_FOUND - no queue 'nosuchqueue' in vhost '/'
and exit with status 1.
"""

import shutil
import subprocess

import pytest

TOOL_TIMEOUT = 6  # each tool run takes milliseconds against RabbitMQ


def run_tool(*argv):
    tool = shutil.which(argv[0])
    if tool is None:
        pytest.fail(f"{argv[0]} not installed (apt-get install amqp-tools)", pytrace=False)
    try:
        p = subprocess.run([tool, *argv[1:]], stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, timeout=TOOL_TIMEOUT)
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"") + (e.stderr or b"")
        out = out.decode("utf-8", "replace") if isinstance(out, bytes) else out
        pytest.fail(f"{argv[0]} got no answer within {TOOL_TIMEOUT}s; output so far: {out!r}",
                    pytrace=False)
    return p.returncode, p.stdout + p.stderr


def test_amqp_get_on_missing_queue_reports_404(warren):
    rc, out = run_tool("amqp-get", "--url", warren.url(), "-q", "nosuchqueue")
    assert rc != 0, out
    assert "404" in out and "NOT_FOUND" in out, out
    assert "nosuchqueue" in out, out
    # The connection itself was fine: the error is a channel error, not a login error.
    assert "logging in" not in out, out
    assert warren.running()


def test_wrong_password_is_refused_with_403(warren):
    rc, out = run_tool("amqp-get", "--url", warren.url(password="wrong"), "-q", "anything")
    assert rc != 0, out
    assert "403" in out and "ACCESS_REFUSED" in out, out


def test_wrong_password_with_separate_options(warren):
    rc, out = run_tool("amqp-declare-queue", "--server", warren.host, "--port", str(warren.port),
                       "--vhost", "/", "--username", "guest", "--password", "nope", "-q", "x")
    assert rc != 0, out
    assert "403" in out and "ACCESS_REFUSED" in out, out


def test_unknown_vhost_is_refused_with_530(warren):
    rc, out = run_tool("amqp-get", "--url", warren.url(vhost="nosuchvhost"), "-q", "anything")
    assert rc != 0, out
    assert "530" in out and "NOT_ALLOWED" in out, out


def test_empty_vhost_from_trailing_slash_is_refused_with_530(warren):
    url = f"amqp://guest:guest@{warren.host}:{warren.port}/"
    rc, out = run_tool("amqp-get", "--url", url, "-q", "anything")
    assert rc != 0, out
    assert "530" in out and "NOT_ALLOWED" in out, out


def test_restricted_user_on_forbidden_vhost(warren):
    rc, out = run_tool("amqp-get", "--url", warren.url("alice", "s3cret", "/"), "-q", "anything")
    assert rc != 0, out
    assert "530" in out and "NOT_ALLOWED" in out, out
