"""The live fuzzer, short and deterministic: a fixed seed's mutated sessions against a real warren,
which must stay up and keep serving a well-behaved client and the management API. `make fuzz`
runs the same fuzzer for longer with a fresh seed. Saved live findings (Fuzz/regressions/live)
are replayed here too."""

from __future__ import annotations

from pathlib import Path

import pytest

import live_fuzz
from test_management_api import managed  # noqa: F401  (a warren with its management API)

SEED = 20261207
SESSIONS = 150
REGRESSIONS = Path(__file__).resolve().parents[2] / "Fuzz" / "regressions" / "live"


@pytest.mark.deadline(120)
def test_mutated_sessions_leave_warren_up_and_serving(managed, tmp_path):
    campaign = live_fuzz.Campaign(managed.port, managed.http_port, SEED, tmp_path / "findings", managed.proc)
    report = campaign.run(sessions=SESSIONS)
    print(report.summary())
    assert report.failures == [], f"{report.summary()}; inputs saved under {tmp_path / 'findings'}"
    assert report.sessions == SESSIONS and report.checks == SESSIONS // campaign.batch
    assert managed.running()


@pytest.mark.deadline(60)
def test_saved_live_findings_no_longer_hurt_warren(managed):
    sessions = sorted(REGRESSIONS.glob("*.bin"))
    if not sessions:
        pytest.skip("no saved live findings")
    assert live_fuzz.replay(managed.port, managed.http_port, sessions) == []
