"""`analyze --report` and `demo --report`: the HTML report from the real commands; the
demo's dashboard in plain-line mode (stdout is not a terminal here)."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest

pytest.importorskip("matplotlib")
import matplotlib.image as mpimg

MIDSTREAM = [sys.executable, "-m", "midstream"]


def _non_blank(path) -> bool:
    return float(mpimg.imread(path)[:, :, :3].std()) > 0.05


def _reddish(path) -> int:
    img = mpimg.imread(path)
    r, g, b = img[:, :, 0], img[:, :, 1], img[:, :, 2]
    return int(((r > 0.85) & (g < 0.85) & (b < 0.85) & (r - g > 0.1)).sum())


def test_analyze_report(tmp_path):
    path = tmp_path / "sensor.jsonl"
    path.write_text(
        "".join(
            json.dumps({"stream": "sensor-1", "t": i * 10_000_000, "value": math.sin(i / 20)})
            + "\n"
            for i in range(3000)
        )
    )
    run = subprocess.run(
        [*MIDSTREAM, "analyze", str(path), "--report", str(tmp_path / "rep")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert "report: " in run.stderr
    figures = sorted((tmp_path / "rep" / "figures").glob("*.png"))
    assert [f.name for f in figures] == ["phase-sensor-1.png", "signal-sensor-1.png"]
    assert all(_non_blank(f) for f in figures)
    html = (tmp_path / "rep" / "index.html").read_text()
    assert html.count("data:image/png;base64,") == 2 and "Summary" in html


@pytest.mark.slow
def test_demo_dashboard_lines_and_report(tmp_path):
    run = subprocess.run(
        [*MIDSTREAM, "demo", "--duration", "2", "--report", str(tmp_path / "rep")],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    # The dashboard, off a terminal, prints one line per alert / verdict / class change.
    assert "llm-loop ALERT" in run.stdout and "agent-bad VERDICT" in run.stdout
    assert "SUMMARY events" in run.stdout
    assert "every planted fact found, nothing lost" in run.stdout
    figures = {f.name: f for f in (tmp_path / "rep" / "figures").glob("*.png")}
    assert {"verdicts.png", "signal-sensor-lorenz.png", "phase-metric-regime.png"} <= set(figures)
    assert all(_non_blank(f) for f in figures.values())
    # The three planted Lorenz bursts were matched (DTW): shaded spans on the signal.
    # (about 700 px per span here; the legend swatch alone is far below 1000).
    assert _reddish(figures["signal-sensor-lorenz.png"]) > 1000
    assert _reddish(figures["signal-metric-regime.png"]) == 0  # no pattern on that stream
