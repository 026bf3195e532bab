"""Threshold adaptation from labelled feedback (strange-loop ThresholdTuner), against a
brute-force evaluation of every candidate threshold on the same segments."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import temporal_compare as tc
from midstream.config import ConfigError, parse_config
from midstream.pipeline import analyse

SHAPE = 25.0 * np.sin(np.linspace(0.0, 6.0 * np.pi, 64))
SEGMENT = 300


def labelled_stream(seed, segments=80):
    """Segments with a real burst, a decoy (the shape at half amplitude) or nothing,
    each followed by a label event saying whether a real one happened."""
    rng = np.random.default_rng(seed)
    events, kinds = [], []
    t = 0
    for _ in range(segments):
        x = 0.3 * rng.standard_normal(SEGMENT)
        kind = rng.choice(["real", "decoy", "none"])
        if kind == "real":
            x[100:164] += SHAPE
        elif kind == "decoy":
            x[100:164] += 0.7 * SHAPE  # DTW distance ~34 from the shape
        for v in x:
            events.append({"stream": "s", "t": t, "value": float(v)})
            t += 1
        events.append(
            {"stream": "s", "t": t, "event": "label", "fields": {"anomaly": kind == "real"}}
        )
        t += 1
        kinds.append(str(kind))
    return events, kinds


def brute_force_reward(events, kinds, threshold):
    """Mean reward of a fixed threshold: +1 right, -1 false alarm or miss, per segment."""
    total = 0.0
    values = [e["value"] for e in events if "value" in e]
    for k, kind in enumerate(kinds):
        matcher = tc.StreamMatcher(SHAPE, threshold=threshold)
        seg = np.asarray(values[k * SEGMENT : (k + 1) * SEGMENT])
        alerted = bool(matcher.extend(seg) + matcher.flush())
        total += 1.0 if alerted == (kind == "real") else -1.0
    return total / len(kinds)


def config(candidates, constraints=()):
    cons = ", ".join(f'"{c}"' for c in constraints)
    return parse_config(f"""
[pipeline]
stats_every_s = 0
[[detectors.pattern]]
name = "burst"
sine_cycles = 3
sine_length = 64
sine_amplitude = 25.0
threshold = 8.0
[[adaptation]]
detector = "pattern:burst"
candidates = {list(candidates)}
constraints = [{cons}]
decide_every = 2
""")


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_tuner_settles_on_the_brute_force_best_threshold(seed):
    events, kinds = labelled_stream(seed)
    candidates = [60.0, 8.0]  # 60 also fires on decoys
    rewards = {c: brute_force_reward(events, kinds, c) for c in candidates}
    best = max(rewards, key=rewards.get)
    assert best == 8.0 and rewards[8.0] > rewards[60.0]
    records, summary = analyse(events, config=config(candidates))
    changes = [r for r in records if r["kind"] == "adaptation"]
    assert changes and changes[-1]["value"] == best
    # the last third of the run decides with the best threshold: only real bursts alert
    # (a segment and its label take SEGMENT + 1 time steps; the burst ends at 163)
    bound = 2 * len(events) // 3
    late = [r["t"] // (SEGMENT + 1) for r in records if r["kind"] == "alert" and r["t"] > bound]
    late_real = [
        k for k, kind in enumerate(kinds) if kind == "real" and k * (SEGMENT + 1) + 163 > bound
    ]
    assert late == late_real
    assert summary["lost"] == 0


def test_safety_constraints_keep_the_threshold_in_bounds():
    events, _ = labelled_stream(0)
    records, _ = analyse(events, config=config([60.0, 8.0], ["G (threshold >= 50)"]))
    assert all(r["value"] >= 50 for r in records if r["kind"] == "adaptation")
    alerts = [r for r in records if r["kind"] == "alert"]
    assert alerts  # 60 stays in force and fires on real bursts and decoys alike


def test_adaptation_is_off_by_default_and_checked():
    events, _ = labelled_stream(0, segments=5)
    cfg = config([8.0])
    cfg.adaptation = []
    records, _ = analyse(events, config=cfg)
    assert not [r for r in records if r["kind"] == "adaptation"]
    with pytest.raises(ConfigError, match="is not a pattern detector"):
        parse_config('[[adaptation]]\ndetector = "pattern:x"\ncandidates = [1.0]')
    with pytest.raises(ConfigError, match="candidates: need positive, finite thresholds"):
        parse_config('[[detectors.pattern]]\nname = "x"\nvalues = [1.0, 2.0]\n'
                     '[[adaptation]]\ndetector = "pattern:x"\ncandidates = [-1.0]')  # fmt: skip
    bad = config([60.0, 8.0], ["G (threshold >= 500)"])  # no candidate allowed
    with pytest.raises(ConfigError, match="every candidate threshold violates"):
        analyse(events, config=bad)


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 10_000))
def test_adaptation_does_not_depend_on_batching(seed):
    events, _ = labelled_stream(seed, segments=12)
    a, _ = analyse(events, config=config([60.0, 8.0]))
    cfg = config([60.0, 8.0])
    cfg.pipeline.max_batch = 17
    b, _ = analyse(events, config=cfg)
    strip = lambda rs: [r for r in rs if r["kind"] not in ("stats", "summary")]  # noqa: E731
    assert strip(a) == strip(b)
