"""The management API's users, vhosts and permissions with RabbitMQ's paths and shapes, scoping
by tags (management, monitoring), live tail permissions, definitions round trips, the CLI, and
the refusals that keep a browser from being turned against the API (Host, Content-Type)."""

from __future__ import annotations

import base64
import hashlib
import http.client
import json

import pytest

from conftest import HOST, find_free_port
from test_management_api import call, cli


@pytest.fixture
def api(warren_factory):
    port = find_free_port()
    w = warren_factory("[[vhosts]]\nname = \"logs\"\n", extra_args=["--http-port", str(port)])
    assert w.wait_for_output("management HTTP listener ready"), w.output()
    w.http_port = port
    return w


def put(w, path, body):
    status, reply = call(w, "PUT", path, body)
    assert status in (201, 204), (path, status, reply)


def test_users_vhosts_and_permissions_in_rabbitmqs_shapes(api):
    assert call(api, "PUT", "/api/users/ann", {"password": "pw", "tags": "monitoring,management"})[0] == 201
    assert [u["name"] for u in call(api, "GET", "/api/users/without-permissions")[1]] == ["ann"]
    status, user = call(api, "GET", "/api/users/ann")
    assert status == 200 and user["tags"] == ["monitoring", "management"]
    assert user["hashing_algorithm"] == "rabbit_password_hashing_sha256" and len(user["password_hash"]) == 48
    assert call(api, "PUT", "/api/users/ann", {"tags": ["management"]})[0] == 204  # password kept
    assert call(api, "GET", "/api/whoami", user="ann", password="pw") == (200, {"name": "ann", "tags": ["management"]})
    assert call(api, "PUT", "/api/vhosts/dev", {})[0] == 201
    assert call(api, "PUT", "/api/permissions/dev/ann", {"configure": "^a", "write": "", "read": ".*"})[0] == 201
    assert call(api, "GET", "/api/permissions/dev/ann") == (200, {"user": "ann", "vhost": "dev", "configure": "^a", "write": "", "read": ".*"})
    assert {"user": "ann", "vhost": "dev", "configure": "^a", "write": "", "read": ".*"} in call(api, "GET", "/api/permissions")[1]
    assert [p["vhost"] for p in call(api, "GET", "/api/users/ann/permissions")[1]] == ["dev"]
    assert "ann" not in [u["name"] for u in call(api, "GET", "/api/users/without-permissions")[1]]
    assert call(api, "PUT", "/api/topic-permissions/dev/ann", {"exchange": "topic_logs", "write": "", "read": "^auth"})[0] == 201
    assert call(api, "GET", "/api/topic-permissions/dev/ann")[1] == [
        {"user": "ann", "vhost": "dev", "exchange": "topic_logs", "write": "", "read": "^auth"}]
    assert call(api, "PUT", "/api/permissions/dev/ann", {"configure": "(a", "write": "", "read": ""})[0] == 400
    assert call(api, "PUT", "/api/permissions/dev/nobody", {"configure": "", "write": "", "read": ""})[0] == 404
    assert call(api, "PUT", "/api/permissions/nowhere/ann", {"configure": "", "write": "", "read": ""})[0] == 404
    assert call(api, "DELETE", "/api/topic-permissions/dev/ann")[0] == 204
    assert call(api, "DELETE", "/api/permissions/dev/ann")[0] == 204
    assert call(api, "GET", "/api/permissions/dev/ann")[0] == 404
    assert call(api, "DELETE", "/api/vhosts/dev")[0] == 204
    assert "dev" not in [v["name"] for v in call(api, "GET", "/api/vhosts")[1]]
    assert call(api, "DELETE", "/api/users/ann")[0] == 204
    assert call(api, "GET", "/api/users/ann")[0] == 404
    salt = b"\x01\x02\x03\x04"
    sha512 = base64.b64encode(salt + hashlib.sha512(salt + b"pw512").digest()).decode()
    assert call(api, "PUT", "/api/users/sam", {"password_hash": sha512, "hashing_algorithm": "rabbit_password_hashing_sha512",
                                               "tags": "management"})[0] == 201
    assert call(api, "GET", "/api/whoami", user="sam", password="pw512")[0] == 200
    assert call(api, "PUT", "/api/users/sam", {"password_hash": sha512, "hashing_algorithm": "rabbit_password_hashing_md5"})[0] == 400


def test_management_and_monitoring_users_are_scoped_as_in_rabbitmq(api):
    put(api, "/api/users/mia", {"password": "pw", "tags": "management"})
    put(api, "/api/users/mo", {"password": "pw", "tags": "monitoring"})
    put(api, "/api/permissions/logs/mia", {"configure": ".*", "write": ".*", "read": ".*"})
    guest = api.connect()
    guest.channel().queue_declare("root-q")
    mia = api.connect(user="mia", password="pw", vhost="logs")
    mia.channel().queue_declare("logs-q")
    as_mia = dict(user="mia", password="pw")
    assert [v["name"] for v in call(api, "GET", "/api/vhosts", **as_mia)[1]] == ["logs"]
    assert [q["name"] for q in call(api, "GET", "/api/queues", **as_mia)[1]] == ["logs-q"]
    assert call(api, "GET", "/api/overview", **as_mia)[1]["object_totals"]["queues"] == 1
    assert call(api, "GET", "/api/queues/%2F", **as_mia)[0] == 401
    assert call(api, "GET", "/api/exchanges/%2F/topic_logs", **as_mia)[0] == 401
    assert {c["user"] for c in call(api, "GET", "/api/connections", **as_mia)[1]} == {"mia"}
    assert call(api, "GET", "/api/users", **as_mia)[0] == 403
    assert call(api, "GET", "/api/tail?pattern=%23", **as_mia)[0] == 403
    as_mo = dict(user="mo", password="pw")
    assert {"/", "logs"} <= {v["name"] for v in call(api, "GET", "/api/vhosts", **as_mo)[1]}
    assert {q["name"] for q in call(api, "GET", "/api/queues", **as_mo)[1]} >= {"root-q", "logs-q"}
    assert {c["user"] for c in call(api, "GET", "/api/connections", **as_mo)[1]} == {"guest", "mia"}
    assert call(api, "PUT", "/api/queues/%2F/x", {}, **as_mo)[0] == 403
    assert call(api, "DELETE", "/api/queues/logs/logs-q", **as_mia)[0] == 403
    guest.close()
    mia.close()


def test_live_tail_needs_read_on_the_exchange_and_topic_read_on_each_pattern(api):
    put(api, "/api/users/tess", {"password": "pw", "tags": "management"})
    put(api, "/api/permissions/%2F/tess", {"configure": "", "write": "", "read": "^topic_logs$"})
    put(api, "/api/topic-permissions/%2F/tess", {"exchange": "topic_logs", "write": "", "read": r"^auth\."})
    status, body = call(api, "GET", "/api/tail?pattern=kern.*", user="tess", password="pw")
    assert (status, body["reason"]) == (403, "access to topic 'kern.*' in exchange 'topic_logs' in vhost '/' refused for user 'tess'")
    connection = http.client.HTTPConnection(HOST, api.http_port, timeout=10)
    connection.request("GET", "/api/tail?pattern=auth.*", headers={"Authorization": "Basic dGVzczpwdw=="})
    response = connection.getresponse()
    assert response.status == 200 and response.getheader("Content-Type") == "text/event-stream"
    connection.close()


def test_definitions_carry_users_and_permissions_both_ways(api, warren_factory):
    put(api, "/api/users/ann", {"password": "pw", "tags": "management"})
    put(api, "/api/permissions/logs/ann", {"configure": "^ann", "write": ".*", "read": ".*"})
    put(api, "/api/topic-permissions/logs/ann", {"exchange": "topic_logs", "write": "^ann", "read": ".*"})
    status, exported = call(api, "GET", "/api/definitions")
    assert status == 200
    ann = next(u for u in exported["users"] if u["name"] == "ann")
    assert ann["hashing_algorithm"] == "rabbit_password_hashing_sha256" and ann["tags"] == "management" and "password" not in ann
    assert {"user": "ann", "vhost": "logs", "configure": "^ann", "write": ".*", "read": ".*"} in exported["permissions"]
    assert {"user": "ann", "vhost": "logs", "exchange": "topic_logs", "write": "^ann", "read": ".*"} in exported["topic_permissions"]
    port = find_free_port()
    other = warren_factory(None, extra_args=["--http-port", str(port)])
    assert other.wait_for_output("management HTTP listener ready")
    other.http_port = port
    assert call(other, "POST", "/api/definitions", exported)[0] == 204
    assert call(other, "GET", "/api/whoami", user="ann", password="pw")[1]["name"] == "ann"
    assert call(other, "GET", "/api/permissions/logs/ann")[1]["configure"] == "^ann"
    broken = dict(exported, permissions=[{"user": "ann", "vhost": "logs", "configure": "(", "write": "", "read": ""}])
    assert call(other, "POST", "/api/definitions", broken)[0] == 400


def test_the_cli_manages_users_vhosts_and_permissions(api):
    for args in (["users", "add", "cli-user", "pw", "--tags", "management"], ["vhosts", "add", "cli-vhost"],
                 ["permissions", "set", "--vhost", "cli-vhost", "cli-user", "^c", "^w", "^r"],
                 ["topic-permissions", "set", "--vhost", "cli-vhost", "cli-user", "topic_logs", "^w", "^r"]):
        done = cli(api, *args)
        assert done.returncode == 0, done.stderr
    listed = cli(api, "permissions", "list", "-p", "cli-vhost", "--tsv")
    assert "cli-user\tcli-vhost\t^c\t^w\t^r" in listed.stdout, listed.stdout + listed.stderr
    assert "cli-user" in cli(api, "users", "list").stdout
    assert cli(api, "users", "set-password", "cli-user", "new").returncode == 0
    assert call(api, "GET", "/api/whoami", user="cli-user", password="new")[0] == 200
    assert cli(api, "users", "set-tags", "cli-user", "monitoring").returncode == 0
    assert call(api, "GET", "/api/users/cli-user")[1]["tags"] == ["monitoring"]
    assert "topic_logs" in cli(api, "topic-permissions", "list").stdout
    assert cli(api, "permissions", "clear", "--vhost", "cli-vhost", "cli-user").returncode == 0
    assert cli(api, "vhosts", "delete", "cli-vhost").returncode == 0
    assert cli(api, "users", "delete", "cli-user").returncode == 0
    failed = cli(api, "users", "delete", "cli-user")
    assert failed.returncode != 0 and "404" in failed.stderr


def raw_request(w, method, path, headers, body=b""):
    connection = http.client.HTTPConnection(HOST, w.http_port, timeout=10)
    connection.putrequest(method, path, skip_host=True)
    for name, value in headers.items():
        connection.putheader(name, value)
    connection.putheader("Authorization", "Basic Z3Vlc3Q6Z3Vlc3Q=")
    connection.putheader("Content-Length", str(len(body)))
    connection.endheaders(body)
    response = connection.getresponse()
    status, reply = response.status, response.read()
    connection.close()
    return status, json.loads(reply) if reply else None


def test_foreign_host_names_and_form_posts_are_refused(api):
    assert raw_request(api, "GET", "/api/overview", {"Host": f"localhost:{api.http_port}"})[0] == 200
    assert raw_request(api, "GET", "/api/overview", {"Host": f"127.0.0.1:{api.http_port}"})[0] == 200
    status, body = raw_request(api, "GET", "/api/overview", {"Host": f"rebind.attacker.example:{api.http_port}"})
    assert status == 403 and "allowed_hosts" in body["reason"]
    form = {"Host": f"localhost:{api.http_port}", "Content-Type": "application/x-www-form-urlencoded"}
    assert raw_request(api, "PUT", "/api/users/evil", form, b"password=x&tags=administrator")[0] == 415
    assert raw_request(api, "PUT", "/api/users/evil", {"Host": "localhost", "Content-Type": "text/plain"}, b'{"password":"x"}')[0] == 415
    assert call(api, "GET", "/api/users/evil")[0] == 404
    assert raw_request(api, "DELETE", "/api/users/nobody", {"Host": "localhost"})[0] == 404  # no body: no type needed


def test_metrics_stay_open_but_hold_no_message_contents(api):
    channel = api.connect().channel()
    channel.queue_declare("held")
    channel.queue_bind("held", "topic_logs", "auth.#")
    channel.confirm_delivery()  # routed before /metrics is read
    channel.basic_publish("topic_logs", "auth.secret-routing-key", b"password=hunter2")
    connection = http.client.HTTPConnection(HOST, api.http_port, timeout=10)
    connection.request("GET", "/metrics")
    response = connection.getresponse()
    text = response.read().decode()
    assert response.status == 200 and 'warren_queue_messages_ready{vhost="/",queue="held"} 1' in text
    assert "hunter2" not in text and "secret-routing-key" not in text
