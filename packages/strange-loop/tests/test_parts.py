"""Scheduling, dynamics, knowledge graph, regimes, threshold tuner.

Docstring examples run in the top-level tests/test_doc_examples.py.
"""

import numpy as np
import pytest

import strange_loop as sl
import temporal_attractor_studio as tas


class SimClock:
    def __init__(self):
        self.t = 10_000

    def __call__(self):
        return self.t


def test_cycle_scheduler_defers_and_counts_never_drops():
    clock = SimClock()
    costs = iter([500, 3_000, 500, 500, 500, 500, 500, 500, 500, 500])
    ran = []

    def cycle():
        clock.t += next(costs)
        ran.append(clock.t)

    cs = sl.CycleScheduler(1_000, clock=clock, max_deferrals=2, smoothing=0.5)
    outcomes = [cs.run_cycle(cycle) for _ in range(8)]
    # 500 ok; 3000 overruns (teaches cost 1750); then predicted misses until forced
    assert outcomes[:2] == [True, True]
    assert cs.overran == 1
    assert outcomes[2:4] == [False, False] and outcomes[4] is True  # forced after 2 deferrals
    assert cs.deferred + cs.ran == 8 and cs.forced >= 1
    assert len(ran) == cs.ran


class TickClock(SimClock):
    """Time advances 7 ns at every reading, so every cycle has a cost."""

    def __call__(self):
        self.t += 7
        return self.t


def test_loop_with_scheduler_defers_cycles_and_keeps_their_statistics():
    clock = TickClock()
    cs = sl.CycleScheduler(1, clock=clock, max_deferrals=3)  # any cost > 1 ns overruns
    loop = sl.StrangeLoop(
        sl.EpsilonGreedyBandit(4, seed=0), max_depth=1, block=10, scheduler=cs, seed=0
    )
    ran_at = [0]
    expected = []
    for u in range(1, 401):
        a = loop.act(0)
        before = loop.cycles
        loop.observe(0, a, float(u), 0, False, False)  # reward = unit index
        if loop.cycles > before:
            expected.append(np.mean(np.arange(ran_at[-1] + 1, u + 1)))
            ran_at.append(u)
    stats = loop.summary()["scheduler"]
    assert stats["ran"] == loop.cycles and stats["deferred"] > 0 and stats["forced"] > 0
    assert stats["ran"] + stats["deferred"] == 40
    # a deferred cycle's units stay pending: the next cycle that runs averages all of them
    assert max(np.diff(ran_at)) > 10
    got = [row["reward_avg"] for row in loop.rows]
    np.testing.assert_allclose(got, expected)


def test_every_attractor_type_has_a_dynamics_class():
    # temporal-attractor-studio added NON_STATIONARY; an unmapped type was a KeyError.
    from strange_loop.dynamics import _FROM_ATTRACTOR

    assert set(_FROM_ATTRACTOR) == set(tas.AttractorType)


def test_a_trending_curve_is_drifting_not_an_error():
    for seed in (0, 1, 2):
        walk = np.cumsum(np.random.default_rng(seed).standard_normal(400))
        report = sl.classify_learning(walk, seed=seed)
        assert report.dynamics in (sl.Dynamics.DRIFTING, sl.Dynamics.UNKNOWN, sl.Dynamics.NOISE)
    ramp = np.arange(400.0)
    assert sl.classify_learning(ramp).dynamics is sl.Dynamics.DRIFTING


def test_classify_learning_maps_attractor_types():
    t = np.arange(400)
    assert sl.classify_learning(np.exp(-t / 30.0)).dynamics is sl.Dynamics.CONVERGING
    assert sl.classify_learning(np.ones(300)).dynamics is sl.Dynamics.CONVERGING
    x = np.empty(1000)
    x[0] = 0.3
    for i in range(999):
        x[i + 1] = 4.0 * x[i] * (1 - x[i])
    assert sl.classify_learning(x).dynamics is sl.Dynamics.CHAOTIC
    with pytest.raises(sl.InvalidParameterError, match="200"):
        sl.classify_learning(np.arange(50.0))


def test_knowledge_graph_queries_and_round_trip():
    g = sl.KnowledgeGraph()
    a = g.add_node("policy", "a", value=1.0)
    b = g.add_node("policy", "b", value=2.0)
    g.add_edge(a, b, "improved-by")
    g.add_edge(a, b, "improved-by")
    assert g.edges("improved-by") == [(a, b, "improved-by")]
    assert g.neighbors(a, "improved-by") == [b]
    h = sl.KnowledgeGraph.from_state(g.to_state())
    assert h.nodes("policy", where=lambda n: n["value"] > 1.5)[0]["id"] == b
    with pytest.raises(sl.InvalidParameterError):
        g.add_edge(a, "policy:zzz", "x")


def test_regime_recall_finds_the_dtw_nearest():
    mem = sl.RegimeMemory(length=8, window=2)
    rng = np.random.default_rng(0)
    curves = [np.sin(np.linspace(0, 3, 8)) + k for k in range(4)]
    for k, c in enumerate(curves):
        mem.store(c, {"alpha": 0.1 * (k + 1)}, float(k))
    q = np.roll(curves[2], 1) + 0.01 * rng.standard_normal(8)
    r = mem.recall(q)
    assert r.index == 2 and r.setting == {"alpha": pytest.approx(0.3)}
    import temporal_compare as tc

    assert r.distance == pytest.approx(min(tc.dtw(q, c, window=2) for c in curves))


def test_behaviour_patterns_uses_find_patterns():
    seq = ["a", "b", "c"] * 5 + ["x"]
    pats = sl.behaviour_patterns(seq, min_length=3, max_length=3, top=1)
    assert pats[0].count == 5 and set(pats[0].tokens) == {"a", "b", "c"}


def _alert_stream(tuner, n, seed):
    rng = np.random.default_rng(seed)
    for _ in range(n):
        anomalous = rng.random() < 0.2
        score = rng.normal(0.7 if anomalous else 0.35, 0.1)
        tuner.feedback_label(predicted=score >= tuner.threshold, actual=anomalous)


@pytest.mark.parametrize("policy", ["ucb", "thompson", "epsilon"])
def test_threshold_tuner_finds_the_best_threshold(policy):
    cands = [0.3, 0.4, 0.5, 0.6, 0.7]
    tuner = sl.ThresholdTuner(cands, policy=policy, seed=1)
    _alert_stream(tuner, 20_000, 0)
    # exact expected accuracy per threshold (normal scores); reward = 2 * accuracy - 1
    from math import erf, sqrt

    def acc(t):
        cdf = lambda x, m: 0.5 * (1 + erf((x - m) / (0.1 * sqrt(2))))  # noqa: E731
        return 0.2 * (1 - cdf(t, 0.7)) + 0.8 * cdf(t, 0.35)

    ranked = sorted(cands, key=acc, reverse=True)
    assert acc(ranked[0]) - acc(ranked[1]) > 0.01  # the best is clearly best
    assert tuner.best() == ranked[0]


def test_threshold_tuner_respects_constraints():
    tuner = sl.ThresholdTuner([0.3, 0.5, 0.7], constraints=["G (threshold <= 0.5)"], seed=0)
    seen = set()
    rng = np.random.default_rng(0)
    for _ in range(5000):
        seen.add(tuner.threshold)
        tuner.feedback(rng.normal(1.0 if tuner.threshold == 0.7 else 0.0, 0.1))
    assert seen <= {0.3, 0.5}
    assert any(e.verdict == "rejected" for e in tuner.audit)
    with pytest.raises(sl.StrangeLoopError):
        sl.ThresholdTuner([0.7], constraints=["G (threshold <= 0.5)"])
