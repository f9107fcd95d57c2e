"""A private rsyslogd for the interop tests: its own config, work directory and pid file, taking
input on an imtcp port of 127.0.0.1. ``start`` returns once that port accepts connections."""

import os
import shutil
import signal
import socket
import subprocess
import time
from contextlib import contextmanager

import pytest

from conftest import HOST
from process_output import LineCollector

RSYSLOGD = shutil.which("rsyslogd") or "/usr/sbin/rsyslogd"


@contextmanager
def running_rsyslogd(workdir, config_text, input_port):
    """Runs rsyslogd with `config_text` (written to workdir/rsyslog.conf); yields its output collector."""
    if not os.access(RSYSLOGD, os.X_OK):
        pytest.fail(f"rsyslogd not found ({RSYSLOGD}): `make test` installs Debian's rsyslog", pytrace=False)
    conf = workdir / "rsyslog.conf"
    conf.write_text(config_text)
    proc = subprocess.Popen([RSYSLOGD, "-n", "-f", str(conf), "-i", str(workdir / "rsyslogd.pid")],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output = LineCollector(proc.stdout, name="rsyslogd-output")
    try:
        deadline = time.monotonic() + 15
        while True:
            assert proc.poll() is None, f"rsyslogd exited with {proc.returncode}:\n{output.text()}"
            try:
                socket.create_connection((HOST, input_port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, f"rsyslogd's imtcp did not listen:\n{output.text()}"
                time.sleep(0.05)
        yield output
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
