"""bench/faults.py end to end at its shortest: the relay holding the lock killed under
intake and five live clients, on the harness's own PostgreSQL and Redis; its table
counts no lost or ghost call and no missing, duplicated or out-of-order event.

It runs as its own process: the harness sets Django up against its private
database, which this test run's Django (on the test database) cannot be."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench.harness import PG_BIN

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(
    shutil.which("redis-server") is None or not (PG_BIN / "initdb").exists(),
    reason="the harness starts its own redis-server and PostgreSQL 15 cluster",
)


def test_relay_kill_loses_no_call_and_no_event(tmp_path):
    report = tmp_path / "faults.json"

    run = subprocess.run(
        [sys.executable, "bench/faults.py", "--quick", "--only", "relay-kill"]
        + ["--json", str(report)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )

    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "relay-kill" in run.stdout
    (result,) = json.loads(report.read_text())
    assert result["accepted"] == result["stored"] > 0
    assert result["lost"] == result["ghost"] == 0
    assert set(result["clients"]) == {"dispatcher", "chief", "chief2", "post", "street"}
    for client in result["clients"].values():
        assert client["expected"] == client["seen"]
        assert client["missing"] == client["duplicated"] == client["out_of_order"] == 0
    assert result["figures"]["failover_s"] <= 2
