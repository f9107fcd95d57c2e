# Sourced by the benchmark scripts: free loopback ports, waiting for a listener, and a private
# RabbitMQ node (own node name, ports, epmd and directories under $work; its pid added to $pids).
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_port() {  # wait until something accepts on 127.0.0.1:$1, at most $2 seconds
    python3 - "$1" "$2" <<'PY'
import socket, sys, time
port, limit = int(sys.argv[1]), float(sys.argv[2])
deadline = time.monotonic() + limit
while time.monotonic() < deadline:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close(); sys.exit(0)
    except OSError:
        time.sleep(0.2)
sys.exit(1)
PY
}

# start_rabbitmq NAME: starts node NAME-<pid>@localhost; sets rabbit_port and RABBIT_PID. The
# caller's cleanup stops it (pkill -TERM -P "$RABBIT_PID") and its epmd (stop_rabbitmq_epmd).
start_rabbitmq() {
    rabbit_port=$(free_port)
    export ERL_EPMD_PORT="$(free_port)" RABBITMQ_NODENAME="$1-$$@localhost" RABBITMQ_NODE_PORT="$rabbit_port" \
        RABBITMQ_DIST_PORT="$(free_port)" RABBITMQ_MNESIA_BASE="$work/rabbit/mnesia" RABBITMQ_LOG_BASE="$work/rabbit/log" \
        RABBITMQ_ENABLED_PLUGINS_FILE="$work/rabbit/enabled_plugins" RABBITMQ_CONFIG_FILE="$work/rabbit/rabbitmq"
    mkdir -p "$work/rabbit" && echo "[]." > "$work/rabbit/enabled_plugins"
    /usr/lib/rabbitmq/bin/rabbitmq-server > "$work/rabbit.out" 2>&1 &
    RABBIT_PID=$!
    pids+=($RABBIT_PID)
    wait_port "$rabbit_port" 90 || { echo "error: RabbitMQ did not start; see its log:" >&2; tail -20 "$work/rabbit.out" >&2; exit 1; }
}

# The node's own epmd (on its own port, so no other node's is touched) outlives the node.
stop_rabbitmq_epmd() {
    [ -n "${ERL_EPMD_PORT:-}" ] && epmd -port "$ERL_EPMD_PORT" -kill > /dev/null 2>&1 || true
}
