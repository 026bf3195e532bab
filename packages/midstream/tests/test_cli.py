import json

import numpy as np
import pytest

from midstream import MidstreamError
from midstream.cli import main
from midstream.demo import EVENT_LENGTH, event_shape, make_stream, run_demo
from midstream.distributions import PINNED, installed


def reference_dtw(a, b):
    """Plain O(n*m) DTW, sqrt of summed squared differences (the sqeuclidean convention)."""
    cost = np.full((len(a) + 1, len(b) + 1), np.inf)
    cost[0, 0] = 0.0
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d = (a[i - 1] - b[j - 1]) ** 2
            cost[i, j] = d + min(cost[i - 1, j], cost[i, j - 1], cost[i - 1, j - 1])
    return float(np.sqrt(cost[-1, -1]))


def test_every_pinned_distribution_is_installed_at_its_pin():
    statuses = installed()
    assert [s.name for s in statuses] == list(PINNED)
    assert all(s.matches for s in statuses), statuses


def test_version_command_json(capsys):
    assert main(["version", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {p["name"] for p in out["pinned"]} == set(PINNED)


@pytest.fixture(scope="module")
def report():
    return run_demo()  # the embedded defaults, as `midstream demo` runs them


def test_demo_finds_exactly_the_planted_events(report):
    x, planted = make_stream(10_000, 7)
    assert report.planted_at == planted
    assert report.detected_all
    for (start, end, _), p in zip(report.matches, planted, strict=True):
        assert abs(start - p) <= 3 and abs(end - (p + EVENT_LENGTH - 1)) <= 3
    # SPRING reports the optimal warping cost for the first match.
    start, end, distance = report.matches[0]
    assert distance == pytest.approx(reference_dtw(event_shape(), x[start : end + 1]), rel=1e-6)


def test_demo_pipeline_end_to_end_accounting(report):
    x, _ = make_stream(10_000, 7)
    assert report.chunks == 100 and report.telemetry_messages == 100
    assert report.alerts_acknowledged == len(report.matches) == 3
    assert report.sensor_identity == "midstream-demo-sensor"  # the verified client cert
    assert report.monitor_verdict == "PRESUMABLY_TRUE"  # every detection was acknowledged
    assert report.stl_robustness == pytest.approx(30.0 - x.max())
    assert report.attractor_type == "CHAOTIC"
    # Published Lorenz value; the raw stream (events included) at the default 10k samples.
    assert report.lyapunov_exponent == pytest.approx(0.906, rel=0.1)
    assert report.alert_rtt_p50_ms > 0 and report.deadline_misses >= 0


def test_demo_cli_json_and_text(capsys):
    assert main(["demo", "--samples", "3000", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["samples"] == 3000 and out["detected_all"] is True
    assert main(["demo", "--samples", "3000"]) == 0
    text = capsys.readouterr().out
    assert "all planted events found and nothing else: True" in text


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["demo", "--samples", "10"], "samples must be >= 3000"),
        (["demo", "--chunk", "5"], "chunk must be between"),
        (["demo", "--period-us", "0"], "period_us must be > 0"),
    ],
)
def test_demo_rejects_bad_arguments(capsys, argv, message):
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_run_demo_raises_the_package_error():
    with pytest.raises(MidstreamError, match="samples must be >= 3000"):
        run_demo(samples=100)
