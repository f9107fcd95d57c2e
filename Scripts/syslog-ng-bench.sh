#!/usr/bin/env bash
# Part of `make bench`: syslog ingest into warren vs syslog-ng → RabbitMQ, same load, same run.
# Arguments: WORK_DIR RABBIT_PORT WARREN_BIN WARREN_SYSLOG_PORT WARREN_AMQP_PORT.
#
# Debian's syslog-ng conflicts with rsyslog (which the tests need), so it is not installed: its two
# packages are fetched with `apt-get download` and unpacked into $BUILD_DIR/bench-tools, and run
# from there with a private config, persist file, pid file and control socket.
set -euo pipefail
work=$1 rabbit_port=$2 BIN=$3 warren_syslog=$4 warren_port=$5
INGEST_MESSAGES=${INGEST_MESSAGES:-300000}
UDP_MESSAGES=${UDP_MESSAGES:-100000}
UDP_RATE=${UDP_RATE:-40000}
CONNECTIONS=${CONNECTIONS:-8}
tree=${BUILD_DIR:-.build}/bench-tools/syslog-ng
if [ ! -x "$tree/usr/sbin/syslog-ng" ]; then
    mkdir -p "$tree.debs"
    (cd "$tree.debs" && apt-get download syslog-ng-core syslog-ng-mod-amqp) || { echo "error: apt-get download syslog-ng failed" >&2; exit 1; }
    for deb in "$tree.debs"/*.deb; do dpkg -x "$deb" "$tree"; done
fi
. "$(dirname "$0")/bench-lib.sh"
port=$(free_port)
mkdir -p "$work/syslog-ng"
cat > "$work/syslog-ng/syslog-ng.conf" <<CONF
@version: 3.38
options { threaded(yes); use-dns(no); use-fqdn(no); keep-hostname(yes); stats-freq(0); log-fifo-size(100000); };
source s_tcp { network(ip("127.0.0.1") port($port) transport("tcp") max-connections(256) log-iw-size(1000000)); };
source s_udp { network(ip("127.0.0.1") port($port) transport("udp") so-rcvbuf(4194304)); };
destination d_rabbit {
    amqp(host("127.0.0.1") port($rabbit_port) vhost("/") username("guest") password("guest")
         exchange("topic_logs") exchange-declare(no) routing-key("\$FACILITY.\$LEVEL") persistent(yes)
         body("\$(format-json --scope rfc5424 --key ISODATE --key HOST --key PROGRAM --key PID --key MESSAGE)"));
};
log { source(s_tcp); source(s_udp); destination(d_rabbit); flags(flow-control); };
CONF
LD_LIBRARY_PATH="$tree/usr/lib/syslog-ng" "$tree/usr/sbin/syslog-ng" -F -f "$work/syslog-ng/syslog-ng.conf" \
    --module-path="$tree/usr/lib/syslog-ng/3.38" -R "$work/syslog-ng/persist" -p "$work/syslog-ng/pid" \
    -c "$work/syslog-ng/ctl" > "$work/syslog-ng.out" 2>&1 &
sng=$!
trap 'kill $sng 2>/dev/null || true; wait $sng 2>/dev/null || true' EXIT
python3 - "$port" <<'PY' || { echo "error: syslog-ng did not start:" >&2; cat "$work/syslog-ng.out" >&2; exit 1; }
import socket, sys, time
deadline = time.monotonic() + 20
while time.monotonic() < deadline:
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1).close(); sys.exit(0)
    except OSError:
        time.sleep(0.2)
sys.exit(1)
PY
echo "$(LD_LIBRARY_PATH="$tree/usr/lib/syslog-ng" "$tree/usr/sbin/syslog-ng" --version | head -1) on $port, forwarding to RabbitMQ on $rabbit_port (flow-control: lossless over TCP)"
warren_url="amqp://guest:guest@127.0.0.1:$warren_port/%2F"
rabbit_url="amqp://guest:guest@127.0.0.1:$rabbit_port/%2F"
"$BIN" bench --messages "$INGEST_MESSAGES" --connections "$CONNECTIONS" \
    --syslog "tcp://127.0.0.1:$warren_syslog" --url "$warren_url" --syslog "tcp://127.0.0.1:$port" --url "$rabbit_url"
"$BIN" bench --messages "$UDP_MESSAGES" \
    --syslog "udp://127.0.0.1:$warren_syslog" --url "$warren_url" --syslog "udp://127.0.0.1:$port" --url "$rabbit_url"
"$BIN" bench --messages "$UDP_MESSAGES" --rate "$UDP_RATE" \
    --syslog "udp://127.0.0.1:$warren_syslog" --url "$warren_url" --syslog "udp://127.0.0.1:$port" --url "$rabbit_url"
