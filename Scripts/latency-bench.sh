#!/usr/bin/env bash
# Latency under load (Docs/benchmarks.md#latency-under-load): S1 and S2 through the neutral C client
# amqp-perf (librabbitmq) against one or more warren binaries and a private RabbitMQ node, all on
# free ports in one run, REPEATS times, alternating brokers. Prints one JSON line per run, labelled,
# then per scenario and broker the median and min-max of the consume rate and of latency p50/p99.
# Usage: AMQP_PERF=/path/to/amqp-perf Scripts/latency-bench.sh [warren-binary[@config.toml] ...]
# (a config file, e.g. one setting limits.publisher_credit_messages, is passed to that warren's serve).
set -euo pipefail
cd "$(dirname "$0")/.."
PERF=${AMQP_PERF:?set AMQP_PERF to an amqp-perf binary (built from its own sources, outside the repo)}
REPEATS=${REPEATS:-3}
MESSAGES=${MESSAGES:-100000}
[ $# -gt 0 ] || set -- .build/release/warren
work=$(mktemp -d /tmp/warren-latency.XXXXXX)
pids=()
cleanup() {
    [ -n "${RABBIT_PID:-}" ] && pkill -TERM -P "$RABBIT_PID" 2>/dev/null || true
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    stop_rabbitmq_epmd
    rm -rf "$work"
}
trap cleanup EXIT

. "$(dirname "$0")/bench-lib.sh"

labels=() ports=()
index=0
for arg in "$@"; do
    bin=${arg%%@*} config=()
    [ "$bin" = "$arg" ] || config=(--config "${arg#*@}")
    port=$(free_port)
    "$bin" serve "${config[@]}" --amqp-port "$port" --syslog-port 0 --http-port 0 --data-dir "$work/warren-$index" \
        --log-level warning &
    pids+=($!)
    wait_port "$port" 30 || { echo "error: $arg did not start" >&2; exit 1; }
    labels+=("warren-$index"); ports+=("$port")
    echo "warren-$index: $arg on $port" >&2
    index=$((index + 1))
done

start_rabbitmq warrenlatency
labels+=(rabbitmq); ports+=("$rabbit_port")
echo "rabbitmq $(dpkg-query -W -f='${Version}' rabbitmq-server) on $rabbit_port; load: $(uptime)" >&2

# A failed run (its JSON says so) is reported and counted, and the others go on.
perf() { "$PERF" "$@" | tee -a "$work/runs.jsonl" || echo "amqp-perf failed: $*" >&2; }
T=(-e logs -t topic -r kern.critical,kern.info -b 'kern.*' -s 200 -n "$MESSAGES")
for repeat in $(seq "$REPEATS"); do
    for i in "${!labels[@]}"; do
        perf -p "${ports[$i]}" "${T[@]}" -a auto -l "S1 ${labels[$i]} #$repeat"
        perf -p "${ports[$i]}" "${T[@]}" --persistent -c 1000 -a manual -Q 200 -A 1 -l "S2 ${labels[$i]} #$repeat"
    done
done
# WARREN_BENCH=1: also the S2 row of `make bench` (`warren bench`, the first binary as client), once.
if [ "${WARREN_BENCH:-0}" = 1 ]; then
    urls=()
    for port in "${ports[@]}"; do urls+=(--url "amqp://guest:guest@127.0.0.1:$port/%2F"); done
    "${1%%@*}" bench "${urls[@]}" --runs 1 --max-in-flight 0 --messages "$MESSAGES" --size 200 --persistent --confirm 1000 \
        --prefetch 200 >&2
fi
echo "load after: $(uptime)" >&2
python3 - "$work/runs.jsonl" <<'PY'
import collections, json, statistics, sys
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    run = json.loads(line)
    runs[run["label"].rsplit(" #", 1)[0]].append(run)
def cell(values, scale=1.0, digits=0):
    values = sorted(v / scale for v in values)
    return f"{statistics.median(values):,.{digits}f} ({values[0]:,.{digits}f}-{values[-1]:,.{digits}f})"
print("| scenario broker | consume msg/s | latency p50 ms | latency p99 ms | runs |")
print("| --- | --- | --- | --- | --- |")
for label, group in runs.items():
    ok = [r for r in group if r.get("ok") and "latency_us" in r]
    if not ok:
        print(f"| {label} | failed | | | {len(group)} |")
        continue
    print(f"| {label} | {cell([r['consume_rate'] for r in ok])} | {cell([r['latency_us']['p50'] for r in ok], 1000, 1)}"
          f" | {cell([r['latency_us']['p99'] for r in ok], 1000, 1)} | {len(ok)} of {len(group)} |")
PY
