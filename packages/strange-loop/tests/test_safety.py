import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import strange_loop as sl
import temporal_neural_solver as tns
from strange_loop import Modification, SafetyConstraint, SafetyGuard


class Params:
    def __init__(self, **kw):
        self.values = dict(kw)

    def apply(self, mod):
        old = {k: self.values[k] for k in mod.changes}
        self.values.update(mod.changes)
        return Modification("set", mod.target, old, "rollback")


def test_syntax_error_passes_position_through():
    with pytest.raises(sl.ConstraintSyntaxError) as info:
        SafetyConstraint("G (epsilon >= )")
    assert isinstance(info.value.__cause__, tns.FormulaSyntaxError)
    assert "column" in str(info.value) and "^" in str(info.value)
    assert isinstance(info.value, ValueError)


def test_unknown_signal_is_named():
    guard = SafetyGuard(["G (epsilon >= 0.01)"])
    with pytest.raises(sl.InvalidParameterError, match="epsilon"):
        guard.record({"alpha": 0.1})


SAFETY = ["G (epsilon >= 0.01)", "G (alpha <= 0.5)", "G (reward_avg >= baseline - 0.1)"]


@settings(max_examples=60, deadline=None)
@given(
    rewards=st.lists(st.floats(-1, 2), min_size=1, max_size=30),
    proposals=st.lists(
        st.tuples(st.floats(0.0, 0.2), st.floats(0.01, 1.0), st.floats(-1, 2)),
        min_size=1,
        max_size=30,
    ),
)
def test_guard_agrees_with_evaluate_on_recorded_trace(rewards, proposals):
    guard = SafetyGuard(SAFETY, window=20, baseline=0.5, max_per_cycle=100)
    p = Params(epsilon=0.1, alpha=0.1)
    for i, (eps, alpha, pred) in enumerate(proposals):
        guard.begin_cycle()
        guard.record({**p.values, "reward_avg": rewards[i % len(rewards)]}, p.apply)
        entry = guard.propose(
            Modification("set", changes={"epsilon": eps, "alpha": alpha}),
            p.apply,
            {"reward_avg": pred},
        )
        window = [*guard.rows, entry.shadow]
        truth = all(tns.evaluate(c, window).holds for c in SAFETY)
        assert (entry.verdict == "applied") == truth
        if entry.verdict == "applied":
            assert p.values == {"epsilon": eps, "alpha": alpha}
    # no applied modification ever put a violating value in force
    for row in guard.rows:
        assert row["epsilon"] >= 0.01 and row["alpha"] <= 0.5


def test_runtime_monitor_rolls_back_and_audits():
    guard = SafetyGuard(["G (reward_avg >= 0.0)"], monitor_rows=5)
    p = Params(alpha=0.1)
    guard.record({**p.values, "reward_avg": 0.5}, p.apply)
    assert guard.propose(Modification("set", changes={"alpha": 0.9}), p.apply).verdict == "applied"
    guard.record({**p.values, "reward_avg": 0.4}, p.apply)
    assert guard.rows[-1]["modification"] is True
    rolled = guard.record({**p.values, "reward_avg": -0.2}, p.apply)
    assert [e.verdict for e in rolled] == ["rolled_back"]
    assert p.values == {"alpha": 0.1}
    guard.record({**p.values, "reward_avg": 0.3}, p.apply)
    assert guard.rows[-1]["rollback"] is True
    assert guard.counts() == {"applied": 1, "rejected": 0, "limit": 0, "rolled_back": 1}


def test_after_rollback_the_no_rollback_constraint_blocks_new_modifications():
    c = "G (modification -> X[!] G[0,3] !rollback)"
    guard = SafetyGuard([c, "G (reward_avg >= 0.0)"], monitor_rows=5)
    p = Params(alpha=0.1)
    guard.record({**p.values, "reward_avg": 0.5}, p.apply)
    guard.propose(Modification("set", changes={"alpha": 0.2}), p.apply)
    guard.record({**p.values, "reward_avg": 0.5}, p.apply)
    guard.record({**p.values, "reward_avg": -1.0}, p.apply)  # violation -> rollback
    guard.record({**p.values, "reward_avg": 0.5}, p.apply)  # row carries rollback = true
    guard.begin_cycle()
    entry = guard.propose(Modification("set", changes={"alpha": 0.3}), p.apply)
    assert entry.verdict == "rejected" and SafetyConstraint(c).name in entry.violated
    assert not tns.evaluate(
        c, [*guard.rows, entry.shadow], times=np.arange(len(guard.rows) + 1)
    ).holds


def test_limit_per_cycle():
    guard = SafetyGuard(["G (alpha <= 1)"], max_per_cycle=2)
    p = Params(alpha=0.1)
    guard.record(p.values, p.apply)
    verdicts = [
        guard.propose(Modification("set", changes={"alpha": a}), p.apply).verdict
        for a in (0.2, 0.3, 0.4)
    ]
    assert verdicts == ["applied", "applied", "limit"]
    guard.begin_cycle()
    assert guard.propose(Modification("set", changes={"alpha": 0.5}), p.apply).verdict == "applied"


@settings(max_examples=15, deadline=None)
@given(
    proposals=st.lists(
        st.tuples(st.integers(0, 20), st.floats(0.0, 0.3), st.floats(1e-4, 1.0)),
        min_size=1,
        max_size=8,
    ),
    seed=st.integers(0, 1000),
)
def test_loop_under_random_proposals_never_runs_a_violating_setting(proposals, seed):
    constraints = ["G (epsilon >= 0.01)", "G (alpha <= 0.5)"]
    guard = SafetyGuard(constraints, window=50)
    loop = sl.StrangeLoop(
        sl.EpsilonGreedyBandit(5, alpha=0.1, seed=seed),
        max_depth=2,
        block=20,
        guard=guard,
        self_modification=True,
        seed=seed,
    )
    env = sl.envs.NonstationaryBandit(5, steps=10**9)
    env.reset(seed=seed)
    at = {cycle: (eps, alpha) for cycle, eps, alpha in proposals}
    for _ in range(21 * 20):
        a = loop.act(0)
        _, r, *_ = env.step(a)
        loop.observe(0, a, r, 0, False, False)
        hp = loop.base.hyperparameters
        assert hp["epsilon"] >= 0.01 and hp["alpha"] <= 0.5
        if loop.units % 20 == 10 and loop.cycles in at:
            eps, alpha = at.pop(loop.cycles)
            loop.propose(Modification("set", "base", {"epsilon": eps, "alpha": alpha}))
    for e in guard.audit:
        if e.verdict == "applied":
            assert all(tns.evaluate(c, [e.shadow]).holds for c in constraints)
        if e.verdict == "rejected":
            assert e.violated
