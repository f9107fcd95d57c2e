#!/usr/bin/env bash
# Where warren's CPU goes under one `warren bench` scenario (Docs/benchmarks.md, "Where the
# cores go"): starts a release warren on free ports, runs `warren bench ARGS` against it while
# `perf record` samples warren, and prints the CPU seconds of each warren thread (from /proc:
# the NIO event loops, the store writer) and perf's top symbols per thread, demangled.
# Usage: Scripts/bench-profile.sh NAME [warren bench options...]; output also in .build/profiles/NAME.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/release/warren}
name=$1; shift
out=${PROFILE_DIR:-.build/profiles}/$name
mkdir -p "$out"
work=$(mktemp -d /tmp/warren-profile.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
"$BIN" serve --amqp-port "$port" --syslog-port 0 --http-port 0 --data-dir "$work/data" --log-level warning &
warren=$!
perf_pid=
cleanup() {
    [ -n "$perf_pid" ] && kill -INT "$perf_pid" 2>/dev/null && wait "$perf_pid" 2>/dev/null || true
    kill "$warren" 2>/dev/null && wait "$warren" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
for _ in $(seq 150); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.2
done

# CPU seconds per thread: utime + stime from /proc/PID/task/TID/stat (the name is field 2, in
# parentheses; the times are fields 14 and 15).
threads() {
    python3 - "$warren" <<'PY'
import glob, os, sys
ticks = os.sysconf("SC_CLK_TCK")
for stat in sorted(glob.glob(f"/proc/{sys.argv[1]}/task/*/stat")):
    try:
        text = open(stat).read()
    except OSError:
        continue
    name = text[text.index("(") + 1:text.rindex(")")]
    fields = text[text.rindex(")") + 2:].split()
    print(stat.split("/")[4], name, (int(fields[11]) + int(fields[12])) / ticks)
PY
}
threads > "$out/before.txt"
perf record -F 499 -p "$warren" -o "$out/perf.data" 2> "$out/perf-record.log" &
perf_pid=$!
started=$(date +%s.%N)
"$BIN" bench --url "amqp://guest:guest@127.0.0.1:$port/%2F" "$@" | tee "$out/bench.txt"
ended=$(date +%s.%N)
kill -INT "$perf_pid"; wait "$perf_pid" 2>/dev/null || true
perf_pid=
threads > "$out/after.txt"
python3 - "$out/before.txt" "$out/after.txt" "$started" "$ended" <<'PY' | tee "$out/threads.txt"
import sys
def read(path):
    rows = {}
    for line in open(path):
        tid, name, seconds = line.split()
        rows[tid] = (name, float(seconds))
    return rows
before, after = read(sys.argv[1]), read(sys.argv[2])
wall = float(sys.argv[4]) - float(sys.argv[3])
print(f"warren threads over {wall:.1f} s of `warren bench` (CPU s, % of one core):")
total = 0.0
for tid, (name, seconds) in sorted(after.items(), key=lambda item: -(item[1][1] - before.get(item[0], ("", 0.0))[1])):
    used = seconds - before.get(tid, ("", 0.0))[1]
    total += used
    if used >= 0.01:
        print(f"  {name:<18} tid {tid:>7}  {used:7.2f} s  {100 * used / wall:5.1f} %")
print(f"  all threads              {total:7.2f} s  {100 * total / wall:5.1f} % (of 200 % on 2 cores)")
PY
perf report -i "$out/perf.data" --stdio --sort comm 2>/dev/null | grep -v '^#' | grep -v '^$' | head -12 | tee "$out/perf-threads.txt"
perf report -i "$out/perf.data" --stdio --sort comm,sym 2>/dev/null | grep -v '^#' | grep -v '^$' | head -60 \
    | swift demangle --simplified | cut -c1-200 | tee "$out/perf-symbols.txt"
