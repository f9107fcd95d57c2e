#!/usr/bin/env bash
# `make bench`: warren and RabbitMQ side by side on this machine, in one run, through the same
# client (`warren bench`). Starts a release warren and a private RabbitMQ on free ports with
# their own data dirs, runs every scenario of Docs/benchmarks.md's main table against both
# (RUNS times each: median and range), writes that table to $RESULTS (Markdown, with the date,
# the machine and the versions), then the stream, backlog and syslog runs; stops both brokers.
# Message counts per row can be changed with the variables below (BACKLOG_RSS_MESSAGES: the
# warren-only 10,000,000-message backlog rows, which need about 11 GB of free disk each).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/release/warren}
RUNS=${RUNS:-3}
SMALL_MESSAGES=${SMALL_MESSAGES:-100000}      # 16 B and 200 B bodies, S1 and S2
FANOUT10_MESSAGES=${FANOUT10_MESSAGES:-20000}  # × 10 queues
FANOUT100_MESSAGES=${FANOUT100_MESSAGES:-2000} # × 100 queues
KIB16_MESSAGES=${KIB16_MESSAGES:-20000}
KIB64_MESSAGES=${KIB64_MESSAGES:-5000}
MIB_MESSAGES=${MIB_MESSAGES:-300}
LATENCY_RATES=${LATENCY_RATES:-1000 5000 10000 50000}
LATENCY_SECONDS=${LATENCY_SECONDS:-5}
BACKLOG_MESSAGES=${BACKLOG_MESSAGES:-300000}   # × 1 KiB
BACKLOG_RSS_MESSAGES=${BACKLOG_RSS_MESSAGES:-10000000}  # × 1 KiB, warren only (about 11 GB of disk each, freed after)
RESULTS=${RESULTS:-.build/bench-results.md}
work=$(mktemp -d /tmp/warren-bench.XXXXXX)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    [ -n "${RABBIT_PID:-}" ] && pkill -TERM -P "$RABBIT_PID" 2>/dev/null || true
    stop_rabbitmq_epmd
    rm -rf "$work"
}
trap cleanup EXIT

. "$(dirname "$0")/bench-lib.sh"

warren_port=$(free_port)
warren_syslog=$(free_port)
"$BIN" serve --amqp-port "$warren_port" --syslog-port "$warren_syslog" --http-port 0 --data-dir "$work/warren" --log-level warning &
pids+=($!)
WARREN_PID=$!
wait_port "$warren_port" 30 || { echo "error: warren did not start" >&2; exit 1; }
urls=(--url "amqp://guest:guest@127.0.0.1:$warren_port/%2F")

start_rabbitmq warrenbench
urls+=(--url "amqp://guest:guest@127.0.0.1:$rabbit_port/%2F")
rabbit_version=$(dpkg-query -W -f='${Version}' rabbitmq-server)
echo "warren on $warren_port, RabbitMQ $rabbit_version on $rabbit_port"

# The Erlang VM (beam.smp) under the rabbitmq-server script, whose memory the backlog row reads.
beam_pid() {
    local queue=("$RABBIT_PID") pid child
    while [ ${#queue[@]} -gt 0 ]; do
        pid=${queue[0]}; queue=("${queue[@]:1}")
        [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = beam.smp ] && { echo "$pid"; return; }
        for child in $(pgrep -P "$pid"); do queue+=("$child"); done
    done
    echo "error: no beam.smp under $RABBIT_PID" >&2; return 1
}

# One row of the main table: RUNS runs against each broker, one JSON line per broker. The
# client sends as a neutral load generator does: no in-flight cap, only the socket holds it back.
jsonl="$work/results.jsonl"
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date +%s)
row() {
    local label=$1; shift
    echo "== $label" >&2
    "$BIN" bench "${urls[@]}" --runs "$RUNS" --json --label "$label" --max-in-flight 0 "$@" | tee -a "$jsonl"
}
row "S1 topic, 200 B, transient, auto-ack" --messages "$SMALL_MESSAGES" --size 200
row "S1 with 16 B bodies" --messages "$SMALL_MESSAGES" --size 16
row "S2 persistent, confirms 1000, manual ack, prefetch 200" --messages "$SMALL_MESSAGES" --size 200 \
    --persistent --confirm 1000 --prefetch 200
row "S3 fan-out to 10 queues, 200 B, auto-ack" --messages "$FANOUT10_MESSAGES" --exchange-type fanout --queues 10
row "fan-out to 100 queues, 200 B, auto-ack" --messages "$FANOUT100_MESSAGES" --exchange-type fanout --queues 100
row "S5 16 KiB bodies, auto-ack" --messages "$KIB16_MESSAGES" --size 16384
row "64 KiB bodies, auto-ack" --messages "$KIB64_MESSAGES" --size 65536
row "1 MiB bodies (8 frames), auto-ack" --messages "$MIB_MESSAGES" --size 1048576
for rate in $LATENCY_RATES; do
    row "S4 open loop at $rate msg/s for $LATENCY_SECONDS s, 200 B, auto-ack" --rate "$rate" \
        --messages $((rate * LATENCY_SECONDS)) --size 200
done
beam=$(beam_pid)
row "backlog of $BACKLOG_MESSAGES × 1 KiB, transient, confirms 1000, no consumer" --backlog \
    --pid "$WARREN_PID" --pid "$beam" --messages "$BACKLOG_MESSAGES" --size 1024 --confirm 1000
# The issue-18 bar (a paged message costs <= 64 bytes of RAM): warren only, one run each, since
# RabbitMQ would need most of an hour for this count; its column stays empty for these rows.
for kind in transient persistent; do
    flags=(); [ "$kind" = persistent ] && flags=(--persistent)
    echo "== backlog of $BACKLOG_RSS_MESSAGES × 1 KiB, $kind, warren only" >&2
    "$BIN" bench --url "${urls[1]}" --runs 1 --json --label "backlog of $BACKLOG_RSS_MESSAGES × 1 KiB, $kind, confirms 1000, no consumer (warren only)" \
        --max-in-flight 0 --backlog --pid "$WARREN_PID" --messages "$BACKLOG_RSS_MESSAGES" --size 1024 --confirm 1000 "${flags[@]}" | tee -a "$jsonl"
done
mkdir -p "$(dirname "$RESULTS")"
python3 Scripts/bench-table.py "$jsonl" --rabbitmq "$rabbit_version" --load-start "$load_start" \
    --load-end "$(cut -d' ' -f1-3 /proc/loadavg)" --minutes $(( ($(date +%s) - started + 59) / 60 )) --runs "$RUNS" > "$RESULTS"
cat "$RESULTS"
echo "(written to $RESULTS)"

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
