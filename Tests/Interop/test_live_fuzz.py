"""The live fuzzer, short and deterministic: a fixed seed's mutated sessions against a real warren,
which must stay up and keep serving a well-behaved client and the management API. `make fuzz`
runs the same fuzzer for longer with a fresh seed."""

from __future__ import annotations

import pytest

import live_fuzz
from test_management_api import managed  # noqa: F401  (a warren with its management API)

SEED = 20261207
SESSIONS = 150


@pytest.mark.deadline(120)
def test_mutated_sessions_leave_warren_up_and_serving(managed, tmp_path):
    campaign = live_fuzz.Campaign(managed.port, managed.http_port, SEED, tmp_path / "findings", managed.proc)
    report = campaign.run(sessions=SESSIONS)
    print(report.summary())
    assert report.failures == [], f"{report.summary()}; inputs saved under {tmp_path / 'findings'}"
    assert report.sessions == SESSIONS and report.checks == SESSIONS // campaign.batch
    assert managed.running()
