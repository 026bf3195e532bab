"""Each detector against an independent truth: a brute-force reference, a peer library
(rapidfuzz) or a closed form."""

import asyncio
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import LCSseq, Levenshtein

import temporal_neural_solver as tns
from midstream.config import (
    DynamicsConfig,
    MonitorConfig,
    PatternConfig,
    ReferenceConfig,
    RepetitionConfig,
    RobustnessConfig,
)
from midstream.detectors import (
    DynamicsDetector,
    MonitorDetector,
    PatternDetector,
    ReferenceDetector,
    RepetitionDetector,
    RobustnessDetector,
    classify_window,
    compile_formula,
    trace_of,
)
from midstream.events import Event


def feed_in_batches(detector, events, size):
    async def main():
        out = []
        for i in range(0, len(events), size):
            out += await detector.feed(events[i : i + size])
        return out + await detector.close()

    return asyncio.run(main())


def reference_dtw(a, b):
    cost = np.full((len(a) + 1, len(b) + 1), np.inf)
    cost[0, 0] = 0.0
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost[i, j] = (a[i - 1] - b[j - 1]) ** 2 + min(
                cost[i - 1, j], cost[i, j - 1], cost[i - 1, j - 1]
            )
    return float(np.sqrt(cost[-1, -1]))


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("batch", [1, 13, 5000])
def test_pattern_alerts_date_each_planted_shape(seed, batch):
    rng = np.random.default_rng(seed)
    cfg = PatternConfig(
        name="bump", sine_cycles=2, sine_length=32, sine_amplitude=5.0, threshold=3.0
    )
    shape = 5.0 * np.sin(np.linspace(0, 4 * np.pi, 32))
    x = 0.1 * rng.standard_normal(2000)
    planted = sorted(rng.choice(np.arange(50, 1900, 200), 3, replace=False).tolist())
    for p in planted:
        x[p : p + 32] = shape
    events = [Event("s", 1000 + 10 * i, value=float(v)) for i, v in enumerate(x)]
    alerts = feed_in_batches(PatternDetector(cfg, "s"), events, batch)
    assert len(alerts) == 3
    for a, p in zip(alerts, planted, strict=True):
        d = a["data"]
        assert abs(d["start"] - p) <= 1 and abs(d["end"] - (p + 31)) <= 1
        assert d["t_start"] == 1000 + 10 * d["start"] and d["t_end"] == 1000 + 10 * d["end"]
        assert d["distance"] == pytest.approx(reference_dtw(shape, x[d["start"] : d["end"] + 1]))


@pytest.mark.parametrize("batch", [1, 13, 5000])
def test_pattern_alert_dates_a_match_stretched_far_beyond_the_pattern(batch):
    # plain SPRING warps without limit: a 3-sample shape matched over ~1,500 samples.
    # Timestamps used to be kept for the last 8 * len(pattern) + 64 samples only, so
    # t_start came out null (for batch sizes up to about that history length)
    cfg = PatternConfig(name="plateau", values=[0.0, 5.0, 0.0], threshold=0.5)
    x = np.concatenate([np.full(20, 9.0), [0.0], np.full(1500, 5.0), [0.0], np.full(20, 9.0)])
    events = [Event("s", 1000 + 10 * i, value=float(v)) for i, v in enumerate(x)]
    alerts = feed_in_batches(PatternDetector(cfg, "s"), events, batch)
    assert [(a["data"]["start"], a["data"]["end"]) for a in alerts] == [(20, 1521)]
    d = alerts[0]["data"]
    assert d["t_start"] == 1000 + 10 * 20 and d["t_end"] == 1000 + 10 * 1521


def brute_force_loop_starts(tokens, n, k, window):
    """Token indices where 'some n-gram occurs >= k times in the last `window` tokens'
    switches from false to true."""
    starts, before = [], False
    for i in range(len(tokens)):
        recent = tokens[max(0, i + 1 - window) : i + 1]
        grams = Counter(tuple(recent[j : j + n]) for j in range(len(recent) - n + 1))
        now = any(c >= k for c in grams.values())
        if now and not before:
            starts.append(i)
        before = now
    return starts


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from("abc"), max_size=80), st.integers(1, 3), st.integers(2, 3))
def test_repetition_alerts_where_a_brute_force_window_count_says(tokens, n, k):
    window = max(n * k, 12)
    cfg = RepetitionConfig(ngram=n, min_count=k, window=window)
    events = [Event("s", i, token=tok) for i, tok in enumerate(tokens)]
    alerts = feed_in_batches(RepetitionDetector(cfg, "s"), events, 7)
    assert [a["t"] for a in alerts] == brute_force_loop_starts(tokens, n, k, window)
    for a in alerts:
        gram = a["data"]["tokens"]
        for pos in a["data"]["positions"]:
            assert tokens[pos : pos + n] == gram


@pytest.mark.parametrize("metric", ["lcs", "levenshtein"])
def test_reference_similarity_matches_rapidfuzz(metric):
    reference = "the quick brown fox jumps over the lazy dog " * 3
    response = "the quick brown fox sleeps under a warm blanket all afternoon long today"
    words = [w + " " for w in response.split()]
    cfg = ReferenceConfig(reference=reference, metric=metric, threshold=0.7, min_chars=10, every=1)
    det = ReferenceDetector(cfg, "s")
    out = feed_in_batches(det, [Event("s", i, token=w) for i, w in enumerate(words)], 3)
    text = "".join(words)
    peer = LCSseq if metric == "lcs" else Levenshtein
    want = peer.normalized_similarity(text, reference[: len(text)])
    assert out[-1]["kind"] == "similarity" and out[-1]["value"] == pytest.approx(want)
    # the alert fires at the first comparison below the threshold
    sims = []
    for i in range(1, len(words) + 1):
        t = "".join(words[:i])
        if len(t) >= 10:
            sims.append((i - 1, peer.normalized_similarity(t, reference[: len(t)])))
    first_low = next(i for i, s in sims if s < 0.7)
    alerts = [r for r in out if r["kind"] == "alert"]
    assert len(alerts) == 1 and alerts[0]["t"] == first_low


def test_timed_monitor_reports_changes_and_the_violation():
    s = 10**9
    formula = "G (tool_call -> F[0,5s] tool_result)"
    cfg = MonitorConfig(formula=formula, name="proto")
    det = MonitorDetector(cfg, "a", compile_formula(formula))
    events = [
        Event("a", 0, event="tool_call"),
        Event("a", 2 * s, event="tool_result"),
        Event("a", 3 * s, event="tool_call"),
        Event("a", 4 * s, token="x"),
        Event("a", 9 * s, token="y"),  # 6 s after the call: the bound expired
        Event("a", 10 * s, event="tool_result"),
    ]
    out = feed_in_batches(det, events, 2)
    verdicts = [(r["verdict"], r["position"]) for r in out if r["kind"] == "verdict"]
    assert verdicts == [
        ("PRESUMABLY_FALSE", 0),
        ("PRESUMABLY_TRUE", 1),
        ("PRESUMABLY_FALSE", 2),
        ("FALSE", 4),
    ]
    assert [r["data"]["position"] for r in out if r["kind"] == "alert"] == [4]
    # independent truth: the finite-trace evaluation of the same formula
    trace = trace_of(events[:5])
    truth = tns.evaluate("G (tool_call -> F[0,5] tool_result)", trace,
                         times=[e.t / s for e in events[:5]], unknown="false")  # fmt: skip
    assert not truth.holds


def test_formula_units_and_positioned_syntax_errors():
    assert str(compile_formula("F[0,500ms] a")) == str(tns.parse("F[0,0.5] a"))
    with pytest.raises(tns.FormulaSyntaxError) as info:
        compile_formula("G (a -> F[0,5s] b")  # unbalanced parenthesis
    assert info.value.column == len("G (a -> F[0,5s] b") + 1
    assert "G (a -> F[0,5s] b" in str(info.value)
    # the column points at the offending character of the user's text, whether the
    # unit rewrite made the text longer (5s -> 5.0) or shorter (500ms -> 0.5)
    for text in ("G (a -> F[0,5s] & )", "G (a -> F[0,500ms] & )", "F[1min,2min] & G[0,1us] & |"):
        with pytest.raises(tns.FormulaSyntaxError) as info:
            compile_formula(text)
        assert text[info.value.column - 1] in "&|", (text, info.value.column)


@pytest.mark.parametrize("seed", [0, 1])
def test_robustness_is_the_closed_form_margin(seed):
    x = np.random.default_rng(seed).normal(20, 5, 400)
    cfg = RobustnessConfig(formula="H (value < 30)", every=50)
    out = feed_in_batches(
        RobustnessDetector(cfg, "s"), [Event("s", i, value=float(v)) for i, v in enumerate(x)], 9
    )
    for r in out:
        if r["kind"] == "robustness":
            assert r["value"] == pytest.approx(30 - x[: r["position"] + 1].max())
    went_negative = [i for i in range(len(x)) if x[: i + 1].max() > 30]
    alerts = [r for r in out if r["kind"] == "alert"]
    assert [a["t"] for a in alerts] == went_negative[:1]


def logistic(n, x0=0.3):
    x = np.empty(n)
    x[0] = x0
    for i in range(n - 1):
        x[i + 1] = 3.9 * x[i] * (1 - x[i])
    return x


def test_classify_window_classes():
    n = 1024
    sine = np.sin(np.arange(n) * 2 * np.pi / 25)
    assert classify_window(sine, 1.0)["class"] == "periodic"
    assert classify_window(logistic(n), 1.0)["class"] == "chaotic"
    assert classify_window(np.random.default_rng(0).standard_normal(n), 1.0)["class"] == "noise"
    mixed = classify_window(np.concatenate((sine[:512], logistic(512))), 1.0)
    assert mixed["class"] == "non_stationary" and (mixed["from"], mixed["to"]) == (
        "periodic",
        "chaotic",
    )
    assert classify_window(np.ones(n), 1.0)["class"] == "stable"


def test_classify_window_trends_are_non_stationary_never_chaotic():
    # temporal-attractor-studio's NON_STATIONARY class (random walks, ramps) was an
    # unmapped KeyError in the executor, which ended the stream's analysis.
    n = 1024
    assert classify_window(np.arange(n, dtype=float), 1.0)["class"] == "non_stationary"
    for seed in (1, 2, 3):
        walk = np.cumsum(np.random.default_rng(seed).standard_normal(n))
        assert classify_window(walk, 1.0)["class"] in ("non_stationary", "unknown", "noise")


def test_dynamics_detector_reports_windows_in_order_and_the_change():
    x = np.concatenate((np.sin(np.arange(2048) * 2 * np.pi / 25), logistic(2048)))
    cfg = DynamicsConfig(window=1024, every=512)
    events = [Event("m", i * 1000, value=float(v)) for i, v in enumerate(x)]
    out = feed_in_batches(DynamicsDetector(cfg, "m", None), events, 100)
    windows = [r for r in out if r["kind"] == "dynamics"]
    # windows end at samples 1023, 1535, ... ; one record per window, in order
    ends = list(range(1023, len(x), 512))
    assert [w["window"][1] for w in windows] == [e * 1000 for e in ends]
    assert windows[0]["class"] == "periodic" and windows[-1]["class"] == "chaotic"
    changes = [r for r in out if r["kind"] == "alert"]
    assert [(c["data"]["previous"], c["data"]["current"]) for c in changes] == [
        ("periodic", "chaotic")
    ]
