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


# ---------------------------------------------------------------------------
# Message flow with the tools (outputs as RabbitMQ 3.10.8 gives them)
# ---------------------------------------------------------------------------

def passive(warren, queue):
    """(message_count, consumer_count) of `queue`, or the (code, text) of the channel error."""
    import pika.exceptions as pe
    conn = warren.connect()
    try:
        try:
            ok = conn.channel().queue_declare(queue, passive=True)
        except pe.ChannelClosedByBroker as e:
            return e.reply_code, e.reply_text
        return ok.method.message_count, ok.method.consumer_count
    finally:
        if conn.is_open:
            conn.close()


def test_declare_queue_durable_prints_its_name(warren):
    import pika.exceptions as pe
    rc, out = run_tool("amqp-declare-queue", "--url", warren.url(), "-d", "-q", "tools.durable")
    assert (rc, out) == (0, "tools.durable\n")
    assert passive(warren, "tools.durable") == (0, 0)
    # It really is durable: a non-durable redeclare is inequivalent.
    conn = warren.connect()
    try:
        with pytest.raises(pe.ChannelClosedByBroker) as e:
            conn.channel().queue_declare("tools.durable", durable=False)
        assert e.value.reply_code == 406
        assert "inequivalent arg 'durable'" in e.value.reply_text
    finally:
        conn.close()
    # Redeclaring it non-durable with the tool fails the same way.
    rc, out = run_tool("amqp-declare-queue", "--url", warren.url(), "-q", "tools.durable")
    assert rc == 1, out
    assert ("queue.declare: server channel error 406, message: PRECONDITION_FAILED - inequivalent "
            "arg 'durable' for queue 'tools.durable' in vhost '/': received 'false' but current "
            "is 'true'") in out


def test_declare_queue_with_empty_name_prints_server_name(warren):
    rc, out = run_tool("amqp-declare-queue", "--url", warren.url(), "-q", "")
    assert rc == 0, out
    name = out.strip()
    assert name.startswith("amq.gen-") and "\n" not in name, out
    # Not exclusive, not auto-delete: it outlives the tool's connection.
    assert passive(warren, name) == (0, 0)


def test_publish_then_get_returns_the_body(warren):
    run_tool("amqp-declare-queue", "--url", warren.url(), "-q", "tools.q")
    rc, out = run_tool("amqp-publish", "--url", warren.url(), "-r", "tools.q", "-b", "hello from amqp-publish")
    assert (rc, out) == (0, ""), out
    assert passive(warren, "tools.q") == (1, 0)
    rc, out = run_tool("amqp-get", "--url", warren.url(), "-q", "tools.q")
    assert (rc, out) == (0, "hello from amqp-publish"), out
    # The queue is now empty: amqp-get exits 2 and prints nothing.
    rc, out = run_tool("amqp-get", "--url", warren.url(), "-q", "tools.q")
    assert (rc, out) == (2, ""), out


def test_publish_properties_reach_a_pika_consumer(warren):
    conn = warren.connect()
    try:
        ch = conn.channel()
        ch.queue_declare("tools.props")
        rc, out = run_tool("amqp-publish", "--url", warren.url(), "-r", "tools.props", "-p",
                           "-C", "text/plain", "-E", "utf-8", "-t", "replies", "-H", "origin: tool",
                           "-b", "with properties")
        assert rc == 0, out
        method, props, body = ch.basic_get("tools.props", auto_ack=True)
        assert body == b"with properties"
        assert (method.exchange, method.routing_key) == ("", "tools.props")
        assert props.delivery_mode == 2
        assert (props.content_type, props.content_encoding, props.reply_to) == (
            "text/plain", "utf-8", "replies")
        assert props.headers == {"origin": "tool"}
    finally:
        conn.close()


def test_publish_to_missing_exchange_reports_404(warren):
    rc, out = run_tool("amqp-publish", "--url", warren.url(), "-e", "nosuchexchange", "-r", "k", "-b", "x")
    assert rc == 1, out
    assert "server channel error 404, message: NOT_FOUND - no exchange 'nosuchexchange' in vhost '/'" in out


def test_consume_count_receives_messages_published_by_pika(warren):
    import subprocess
    import shutil
    import time

    conn = warren.connect()
    ch = conn.channel()
    ch.queue_declare("tools.consume")
    ch.basic_publish("", "tools.consume", b"early|")  # waiting before the consumer starts
    proc = subprocess.Popen(
        [shutil.which("amqp-consume"), "--url", warren.url(), "-q", "tools.consume", "-c", "3",
         "-p", "1", "cat"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        # Publish the rest once the tool's consumer is registered (poll with a deadline).
        deadline = time.monotonic() + TOOL_TIMEOUT
        while ch.queue_declare("tools.consume", passive=True).method.consumer_count != 1:
            assert time.monotonic() < deadline, "amqp-consume never registered its consumer"
            assert proc.poll() is None, proc.communicate()
            conn.process_data_events(time_limit=0.02)
        for body in (b"second|", b"third|", b"fourth|"):
            ch.basic_publish("", "tools.consume", body)
        out, err = proc.communicate(timeout=TOOL_TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    # `cat` ran once per message, with the body on stdin; -c 3 stopped after three (all acked).
    assert out == b"early|second|third|", (out, err)
    ok = ch.queue_declare("tools.consume", passive=True).method
    assert (ok.message_count, ok.consumer_count) == (1, 0)
    assert ch.basic_get("tools.consume", auto_ack=True)[2] == b"fourth|"
    conn.close()


def test_delete_queue_prints_message_count(warren):
    conn = warren.connect()
    ch = conn.channel()
    ch.queue_declare("tools.del")
    for i in range(3):
        ch.basic_publish("", "tools.del", b"x")
    conn.close()
    # (-u is --if-unused for this tool, so the URL needs the long option.)
    rc, out = run_tool("amqp-delete-queue", "--url", warren.url(), "-q", "tools.del")
    assert (rc, out) == (0, "3\n"), out
    code, text = passive(warren, "tools.del")
    assert (code, text) == (404, "NOT_FOUND - no queue 'tools.del' in vhost '/'")
    # Deleting a queue that does not exist succeeds with 0 (queue.delete is idempotent).
    rc, out = run_tool("amqp-delete-queue", "--url", warren.url(), "-q", "tools.del")
    assert (rc, out) == (0, "0\n"), out


def test_delete_queue_if_empty_refuses_a_queue_with_messages(warren):
    run_tool("amqp-declare-queue", "--url", warren.url(), "-q", "tools.full")
    run_tool("amqp-publish", "--url", warren.url(), "-r", "tools.full", "-b", "x")
    rc, out = run_tool("amqp-delete-queue", "--url", warren.url(), "-q", "tools.full", "--if-empty")
    assert rc == 1, out
    assert ("server channel error 406, message: PRECONDITION_FAILED - queue 'tools.full' in "
            "vhost '/' not empty") in out
    assert passive(warren, "tools.full") == (1, 0)
