#!/usr/bin/env python3
"""RSS of a warren whose only consumer (auto-ack) stops reading while MB megabytes of 1 KiB messages
are published to its queue (issue 12, input 4). Usage: stalled-consumer-rss.py WARREN_BINARY MB.
Prints the messages left ready in the queue and the RSS peak (sampled every 50 ms)."""
import base64, json, os, socket, subprocess, sys, tempfile, threading, time, urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "Tests", "Interop"))
import amqp_raw  # noqa: E402
from conftest import find_free_port  # noqa: E402
from test_hostile_flow import publish_frames, stalled_consumer  # noqa: E402

binary, megabytes = sys.argv[1], int(sys.argv[2])
port, http = find_free_port(), find_free_port()
data = tempfile.mkdtemp()
proc = subprocess.Popen([binary, "serve", "--bind", "127.0.0.1", "--amqp-port", str(port), "--syslog-port", "0",
                         "--http-port", str(http), "--data-dir", data], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
peak = 0


def rss():
    with open(f"/proc/{proc.pid}/status") as status:
        return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmRSS"))


def sample():
    global peak
    while proc.poll() is None:
        try:
            peak = max(peak, rss())
        except (OSError, StopIteration):
            return  # the process ended
        time.sleep(0.05)


def queue():
    request = urllib.request.Request(f"http://127.0.0.1:{http}/api/queues/%2F/q")
    request.add_header("Authorization", "Basic " + base64.b64encode(b"guest:guest").decode())
    return json.load(urllib.request.urlopen(request, timeout=30))


class Server:
    host, port = "127.0.0.1", port

    def raw_connect(self):
        return amqp_raw.connect(port, timeout=30)


while socket.socket().connect_ex(("127.0.0.1", http)) != 0:
    time.sleep(0.05)
threading.Thread(target=sample, daemon=True).start()
consumer = stalled_consumer(Server(), "q", no_ack=True)
publisher = amqp_raw.connect(port, timeout=120)
publisher.open_channel(1)
batch, count = 10_000, megabytes * 1024 // 10_000
start = time.time()
for _ in range(count):
    publisher.sock.sendall(publish_frames("", "q", [b"x" * 1024] * batch))
while queue().get("message_stats", {}).get("publish", 0) < count * batch:
    time.sleep(0.5)
q = queue()
print(f"{binary}: {count * batch} x 1 KiB published in {time.time() - start:.0f} s; {q['messages_ready']} ready; "
      f"RSS peak {peak / 1e6:.0f} MB, at the end {rss() / 1e6:.0f} MB")
proc.kill()
proc.wait()
