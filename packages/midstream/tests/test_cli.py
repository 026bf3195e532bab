import json
import math

import numpy as np

from midstream.cli import main
from midstream.demo import run_demo
from midstream.distributions import PINNED, installed


def test_every_pinned_distribution_is_installed_at_its_pin():
    statuses = installed()
    assert [s.name for s in statuses] == list(PINNED)
    assert all(s.matches for s in statuses), statuses


def test_version_command_json(capsys):
    assert main(["version", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {p["name"] for p in out["pinned"]} == set(PINNED)


def test_demo_finds_the_period_of_its_stream(capsys):
    report = run_demo(samples=1200, window=50, seed=1)
    # The signal has period 100, so the best earlier window starts a whole number of periods back.
    newest_start = 1200 - 50
    assert (newest_start - report.best_match_start) % 100 in (0, 1, 99)
    # Independent check of the best distance with plain numpy.
    t = np.arange(1200)
    stream = np.sin(2 * np.pi * t / 100.0) + 0.05 * np.random.default_rng(1).standard_normal(1200)
    ref = min(np.linalg.norm(stream[s : s + 50] - stream[-50:]) for s in range(1200 - 100))
    assert math.isclose(report.best_match_distance, ref, rel_tol=1e-6)
    assert main(["demo", "--samples", "800", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["samples"] == 800


def test_demo_rejects_bad_sizes(capsys):
    assert main(["demo", "--samples", "10", "--window", "50"]) == 2
    assert "samples must be" in capsys.readouterr().err
