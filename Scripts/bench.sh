#!/usr/bin/env bash
# `make bench`: warren and RabbitMQ side by side on this machine, in one run, through the same
# client (`warren bench`). Starts a release warren and a private RabbitMQ on free ports with
# their own data dirs, runs each scenario against both, prints msg/s and the ratio, stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/release/warren}
MESSAGES=${MESSAGES:-300000}
work=$(mktemp -d /tmp/warren-bench.XXXXXX)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    [ -n "${RABBIT_PID:-}" ] && pkill -TERM -P "$RABBIT_PID" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

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

warren_port=$(free_port)
warren_syslog=$(free_port)
"$BIN" serve --amqp-port "$warren_port" --syslog-port "$warren_syslog" --http-port 0 --data-dir "$work/warren" --log-level warning &
pids+=($!)
wait_port "$warren_port" 30 || { echo "error: warren did not start" >&2; exit 1; }
urls=(--url "amqp://guest:guest@127.0.0.1:$warren_port/%2F")

rabbit_port=$(free_port)
export RABBITMQ_NODENAME="warrenbench-$$@localhost" RABBITMQ_NODE_PORT="$rabbit_port" \
    RABBITMQ_DIST_PORT="$(free_port)" RABBITMQ_MNESIA_BASE="$work/rabbit/mnesia" RABBITMQ_LOG_BASE="$work/rabbit/log" \
    RABBITMQ_ENABLED_PLUGINS_FILE="$work/rabbit/enabled_plugins" RABBITMQ_CONFIG_FILE="$work/rabbit/rabbitmq"
mkdir -p "$work/rabbit" && echo "[]." > "$work/rabbit/enabled_plugins"
/usr/lib/rabbitmq/bin/rabbitmq-server > "$work/rabbit.out" 2>&1 &
RABBIT_PID=$!
pids+=($RABBIT_PID)
wait_port "$rabbit_port" 90 || { echo "error: RabbitMQ did not start; see its log:" >&2; tail -20 "$work/rabbit.out" >&2; exit 1; }
urls+=(--url "amqp://guest:guest@127.0.0.1:$rabbit_port/%2F")
echo "warren on $warren_port, RabbitMQ $(dpkg-query -W -f='${Version}' rabbitmq-server) on $rabbit_port; ratios are against warren (first row)"

"$BIN" bench "${urls[@]}" --messages "$MESSAGES"
"$BIN" bench "${urls[@]}" --messages "$MESSAGES" --confirm 1000 --prefetch 200
"$BIN" bench "${urls[@]}" --messages "$MESSAGES" --confirm 1000 --prefetch 200 --persistent

# Streams: 1,000,000 200-byte entries published with confirms into a stream queue, then all of
# them replayed from `first` with manual acks (RabbitMQ's stream queue over AMQP 0-9-1 the same way).
"$BIN" bench "${urls[@]}" --stream --messages "${STREAM_MESSAGES:-1000000}" --size 200 --confirm 1000 --prefetch 1000
# warren's memory while it holds (and after it replayed) a 10,000,000-entry stream: VmHWM is the
# peak of the whole run so far, VmRSS what it holds now, with the stream kept.
"$BIN" bench --url "${urls[1]}" --stream --keep --messages "${STREAM_RSS_MESSAGES:-10000000}" --size 200 --confirm 1000 --prefetch 1000
grep -E 'VmHWM|VmRSS' "/proc/${pids[0]}/status" | sed 's/^/warren holding the stream: /'

# Syslog ingest: the same load into warren's collector and into syslog-ng forwarding to the
# RabbitMQ above (its AMQP destination), each counted by a consumer bound to topic_logs.
Scripts/syslog-ng-bench.sh "$work" "$rabbit_port" "$BIN" "$warren_syslog" "$warren_port"
