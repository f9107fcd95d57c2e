"""A private cluster of Debian's rabbitmq-server on loopback, for tests and benchmarks.

Each node has its own node name (``wt<pid><letter>@localhost``), AMQP port, distribution port, data,
log, config and plugins files; all share one Erlang cookie (a private HOME with ``.erlang.cookie``)
and one private epmd on a free port, so nothing here meets a RabbitMQ someone else runs on this
machine. Nodes join with ``rabbitmqctl join_cluster``; every wait is on ``rabbitmqctl`` (``wait``
on the pid file, ``await_online_nodes``), not on sleeps. Only processes started here are stopped,
by their process group (each node runs in its own session).

As a pytest fixture (one cluster shared by a module)::

    @pytest.fixture(scope="module")
    def cluster(tmp_path_factory):
        with RabbitCluster(tmp_path_factory.mktemp("rabbit"), nodes=3) as c:
            yield c

From a script: ``python3 Tests/Interop/rabbitmq_cluster.py --nodes 3`` prints the AMQP URL and
runs until interrupted.
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import secrets
import signal
import subprocess
import sys
import urllib.parse
from pathlib import Path
from typing import Optional

from conftest import HOST, find_free_port as free_port

RABBIT_BIN = Path(os.environ.get("RABBITMQ_BIN_DIR", "/usr/lib/rabbitmq/bin"))
EPMD = os.environ.get("EPMD", "epmd")
START_TIMEOUT = int(os.environ.get("RABBITMQ_START_TIMEOUT", "180"))
CTL_TIMEOUT = START_TIMEOUT + 30
STOP_TIMEOUT = 60

USER = "warren"
PASSWORD = "forward-s3cret"
VHOST = "logs"


def require_rabbitmq():
    """Fails loudly (never skips) when the Debian package is not installed."""
    server = RABBIT_BIN / "rabbitmq-server"
    if not os.access(server, os.X_OK):
        raise RuntimeError(f"{server} not found: install Debian's rabbitmq-server "
                           "(make test / make cluster-test install it)")


def in_parallel(actions: list):
    """Runs the actions on threads (each mostly waits on a rabbitmqctl VM); re-raises the first error."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, len(actions))) as pool:
        for future in [pool.submit(action) for action in actions]:
            future.result()


class RabbitNode:
    """One rabbitmq-server process: its names, ports, directories and process group."""

    def __init__(self, cluster: "RabbitCluster", letter: str):
        self.cluster = cluster
        self.name = f"wt{os.getpid()}{letter}@localhost"
        self.port = free_port()
        self.dist_port = free_port()
        self.base = cluster.root / letter
        self.proc: Optional[subprocess.Popen] = None
        (self.base / "log").mkdir(parents=True, exist_ok=True)
        (self.base / "enabled_plugins").write_text("[].\n")
        (self.base / "rabbitmq.conf").write_text(
            "loopback_users = none\n"
            "log.console = false\n"
            "log.file.level = info\n"
            # Three nodes share a machine with other work: a node's memory alarm is set by what
            # the cluster is for (a quorum queue keeps its messages in memory), not by the
            # machine's total memory.
            f"vm_memory_high_watermark.absolute = {cluster.memory_limit}\n"
            "disk_free_limit.absolute = 50MB\n"
            # The first node creates the user and vhost the tests and warren use; the others
            # receive them when they join (no rabbitmqctl round trips, each costs a VM start).
            f"default_vhost = {VHOST}\n"
            f"default_user = {USER}\n"
            f"default_pass = {PASSWORD}\n"
            "default_permissions.configure = .*\n"
            "default_permissions.read = .*\n"
            "default_permissions.write = .*\n")

    @property
    def pid_file(self) -> Path:
        return self.base / "rabbit.pid"

    def env(self) -> dict:
        env = self.cluster.env()
        env.update(
            RABBITMQ_NODENAME=self.name,
            RABBITMQ_NODE_IP_ADDRESS=HOST,
            RABBITMQ_NODE_PORT=str(self.port),
            RABBITMQ_DIST_PORT=str(self.dist_port),
            RABBITMQ_MNESIA_BASE=str(self.base / "mnesia"),
            RABBITMQ_LOG_BASE=str(self.base / "log"),
            RABBITMQ_PID_FILE=str(self.pid_file),
            RABBITMQ_CONFIG_FILE=str(self.base / "rabbitmq"),
            RABBITMQ_ADVANCED_CONFIG_FILE=str(self.base / "advanced.config"),
            RABBITMQ_ENABLED_PLUGINS_FILE=str(self.base / "enabled_plugins"),
            RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}",
        )
        return env

    # -- process control ----------------------------------------------------
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def launch(self):
        """Starts the node's process; `wait_started` waits until it serves."""
        assert not self.running(), f"{self.name} is already running"
        self.pid_file.unlink(missing_ok=True)
        out = open(self.base / "stdout.log", "ab")
        self.proc = subprocess.Popen([str(RABBIT_BIN / "rabbitmq-server")], env=self.env(),
                                     stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                     cwd=self.base, start_new_session=True)
        out.close()

    def wait_started(self):
        """Blocks until RabbitMQ's application runs on the node (rabbitmqctl wait)."""
        result = self.ctl("wait", str(self.pid_file), "--timeout", str(START_TIMEOUT), check=False)
        if result.returncode != 0 or not self.running():
            raise RuntimeError(f"{self.name} did not start:\n{result.stdout}{result.stderr}\n"
                               f"--- log tail ---\n{self.log_tail()}")

    def start(self):
        self.launch()
        self.wait_started()

    def join(self, seed: "RabbitNode"):
        """rabbitmqctl join_cluster: this node becomes a member of the seed's cluster."""
        self.ctl("stop_app")
        self.ctl("join_cluster", seed.name)
        self.ctl("start_app")

    def kill(self):
        """kill -9 of the node's whole process group (the script, beam.smp and its helpers), sent
        while the group's leader lives, so the group id cannot belong to anyone else yet."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        """A clean stop (SIGTERM makes the script run `rabbitmqctl stop`); kill -9 if it hangs."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                pass
        self.kill()

    # -- control ------------------------------------------------------------
    def ctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run([str(RABBIT_BIN / "rabbitmqctl"), "-n", self.name, *args], env=self.env(),
                                stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                timeout=CTL_TIMEOUT)
        if check and result.returncode != 0:
            raise RuntimeError(f"rabbitmqctl -n {self.name} {' '.join(args)} failed ({result.returncode}):\n"
                               f"{result.stdout}{result.stderr}")
        return result

    def log_tail(self, lines: int = 40) -> str:
        texts = []
        for path in [self.base / "stdout.log", *sorted((self.base / "log").glob("*.log"))]:
            if path.exists():
                texts.append(f"== {path.name}\n" + "\n".join(path.read_text(errors="replace").splitlines()[-lines:]))
        return "\n".join(texts)

    def url(self, user: str = USER, password: str = PASSWORD, vhost: str = VHOST) -> str:
        q = urllib.parse.quote
        return f"amqp://{q(user, safe='')}:{q(password, safe='')}@{HOST}:{self.port}/{q(vhost, safe='')}"

    def __repr__(self):
        return f"<RabbitNode {self.name} amqp={self.port} {'running' if self.running() else 'stopped'}>"


class RabbitCluster:
    """`nodes` RabbitMQ nodes joined into one cluster, with user USER/PASSWORD on vhost VHOST."""

    def __init__(self, root: Path, nodes: int = 3, memory_limit: str = "1GB"):
        require_rabbitmq()
        self.root = Path(root)
        self.memory_limit = memory_limit
        self.home = self.root / "home"
        self.home.mkdir(parents=True, exist_ok=True)
        cookie = self.home / ".erlang.cookie"
        cookie.write_text(secrets.token_hex(16).upper())
        cookie.chmod(0o600)
        self.epmd_port = free_port()
        self.epmd: Optional[subprocess.Popen] = None
        self.nodes = [RabbitNode(self, chr(ord("a") + i)) for i in range(nodes)]

    def env(self) -> dict:
        env = dict(os.environ)
        for key in [k for k in env if k.startswith("RABBITMQ_")]:
            del env[key]
        env.update(HOME=str(self.home), ERL_EPMD_PORT=str(self.epmd_port), ERL_EPMD_ADDRESS=HOST,
                   RABBITMQ_CONF_ENV_FILE=str(self.root / "rabbitmq-env.conf"), LC_ALL="C.UTF-8",
                   # One scheduler that sleeps when idle: on a busy machine the default (a
                   # scheduler per core, spinning before sleeping) makes each rabbitmqctl call
                   # take 30 s instead of 5.
                   RABBITMQ_CTL_ERL_ARGS="+S 1:1 +A 1 +sbwt none +sbwtdcpu none +sbwtdio none "
                                         "-kernel inet_dist_use_interface {127,0,0,1}")
        return env
        return env

    # -- life cycle ---------------------------------------------------------
    def start(self):
        (self.root / "rabbitmq-env.conf").write_text("")
        self.epmd = subprocess.Popen([EPMD, "-port", str(self.epmd_port), "-address", HOST],
                                     env=self.env(), stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     start_new_session=True)
        try:
            for node in self.nodes:
                node.launch()
            in_parallel([node.wait_started for node in self.nodes])
            # One join at a time: two nodes joining at once can fail to start mnesia (seen here).
            for node in self.nodes[1:]:
                node.join(self.nodes[0])
            self.await_online(len(self.nodes))
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self):
        self.stop_all()
        if self.epmd is not None and self.epmd.poll() is None:
            self.epmd.kill()
            self.epmd.wait()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -- questions ----------------------------------------------------------
    def running_nodes(self) -> list:
        return [n for n in self.nodes if n.running()]

    def any_running(self) -> RabbitNode:
        nodes = self.running_nodes()
        if not nodes:
            raise RuntimeError("no node of the cluster is running")
        return nodes[0]

    def await_online(self, count: int):
        self.any_running().ctl("await_online_nodes", str(count), "--timeout", str(START_TIMEOUT))

    def start_all(self):
        """Starts every stopped node at once (after a full outage they wait for each other)."""
        stopped = [n for n in self.nodes if not n.running()]
        for node in stopped:
            node.launch()
        in_parallel([node.wait_started for node in stopped])
        self.await_online(len(self.nodes))

    def stop_all(self):
        in_parallel([node.stop for node in self.nodes])

    def kill_all(self):
        for node in self.nodes:
            node.kill()

    def cluster_status(self) -> dict:
        return json.loads(self.any_running().ctl("cluster_status", "--formatter", "json").stdout)

    def node_for_port(self, port: int) -> Optional[RabbitNode]:
        return next((n for n in self.nodes if n.port == port), None)

    def url(self) -> str:
        """One amqp URL naming every node, the form `warren serve --upstream` takes (tried in turn)."""
        hosts = ",".join(f"{HOST}:{n.port}" for n in self.nodes)
        q = urllib.parse.quote
        return f"amqp://{q(USER, safe='')}:{q(PASSWORD, safe='')}@{hosts}/{q(VHOST, safe='')}"

    def connect(self):
        """A pika connection to the first running node, as USER on VHOST."""
        import pika
        node = self.any_running()
        return pika.BlockingConnection(pika.ConnectionParameters(
            host=HOST, port=node.port, virtual_host=VHOST, connection_attempts=1, socket_timeout=10,
            blocked_connection_timeout=30, credentials=pika.PlainCredentials(USER, PASSWORD)))


def main() -> int:
    import argparse
    import tempfile
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=3)
    parser.add_argument("--dir", help="data directory (default: a new temporary one)")
    args = parser.parse_args()
    root = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="warren-rabbit-cluster."))
    with RabbitCluster(root, args.nodes) as cluster:
        print(f"cluster ready: {cluster.url()}", flush=True)
        for node in cluster.nodes:
            print(f"  {node.name} amqp={node.port} dist={node.dist_port} dir={node.base}", flush=True)
        try:
            signal.pause()
        except KeyboardInterrupt:
            pass
    return 0


def interrupt(signum, frame):
    raise KeyboardInterrupt


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, interrupt)
    sys.exit(main())
