"""benchmarks/peers/harness.py: ratios, failing peers and wrong answers are reported."""

import importlib.util
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("peer_harness", ROOT / "benchmarks/peers/harness.py")
harness = importlib.util.module_from_spec(_spec)
sys.modules["peer_harness"] = harness  # dataclasses look their module up there
_spec.loader.exec_module(harness)


def test_ratio_is_ours_over_peer_and_failures_are_reported():
    def boom():
        raise RuntimeError("peer missing")

    w = harness.Workload(
        name="sleep",
        setup=lambda: (),
        ours=lambda: time.sleep(0.002) or 1,
        peers={"slower": lambda: time.sleep(0.02) or 1, "broken": boom, "wrong": lambda: 2},
        repeat=3,
        check=lambda a, b: a == b,
    )
    rows = {r.impl: r for r in harness.run_workload(w)}
    assert rows["midstream"].ratio is None and rows["midstream"].median_s >= 0.002
    assert 0 < rows["slower"].ratio < 1  # ours is faster: ratio below 1
    assert rows["broken"].median_s is None and "RuntimeError: peer missing" in rows["broken"].note
    assert rows["wrong"].note == "RESULT DIFFERS from ours"
    table = harness.format_table(list(rows.values()))
    assert table.splitlines()[0].startswith("| workload | implementation | median")
    assert "| sleep | broken | - |" in table
