"""The paired exploration test (strange_loop.paired) and StrangeLoop(exploration="paired")."""

import math

import numpy as np
import pytest

import strange_loop as sl
from strange_loop.envs import NonstationaryBandit
from strange_loop.paired import PairedExploration


class RefPaired:
    """Plain-Python re-implementation from the module docstring (lists, no numpy maths)."""

    def __init__(self, q, eps, low, high, z=2.0, memory=0.97):
        k = 0
        while eps * 2.0 ** (k - 1) >= low / 2.0 * (1 - 1e-12):
            k -= 1
        self.thresholds = []
        while eps * 2.0**k <= high * (1 + 1e-12):
            self.thresholds.append(eps * 2.0**k)
            k += 1
        self.q = [list(q) for _ in self.thresholds]
        self.n_pulls = [[0] * len(q) for _ in self.thresholds]
        self.low, self.high, self.z, self.memory = low, high, z, memory
        self.n = self.sb = self.sb2 = self.sc = self.sc2 = 0.0

    @staticmethod
    def argmax_random(v, rng):
        m = max(v)
        top = [i for i, x in enumerate(v) if x == m]
        return top[0] if len(top) == 1 else top[int(rng.integers(len(top)))]

    def act(self, q, eps, rng):
        u = rng.random()
        self.j = min(
            range(len(self.thresholds)),
            key=lambda i: abs(math.log(self.thresholds[i]) - math.log(eps / 2)),
        )
        self.qg = max(q)
        if u < eps:
            self.pending = (u, True, None, None)
            return int(rng.integers(len(q)))
        g = self.argmax_random(q, rng)
        h = self.argmax_random(self.q[self.j], rng)
        a = g if g == h or rng.random() < 0.5 else h
        self.pending = (u, False, g, h)
        return a

    def observe(self, a, r, alpha):
        u, explored, g, h = self.pending
        b = c = 0.0
        learn = []
        for i, (t, row) in enumerate(zip(self.thresholds, self.q, strict=True)):
            if explored:
                learn.append(u < t)
            elif i == self.j:
                learn.append(a == h)
            else:
                learn.append(row.index(max(row)) == a)
        if explored and u >= self.thresholds[self.j]:
            c = self.qg - r
        if not explored and g != h:
            b = 2 * r if a == g else -2 * r
        for i, yes in enumerate(learn):
            if yes:
                self.n_pulls[i][a] += 1
                step = 1.0 / self.n_pulls[i][a] if alpha is None else alpha
                self.q[i][a] += step * (r - self.q[i][a])
        self.n += 1
        self.sb += b
        self.sb2 += b * b
        self.sc += c
        self.sc2 += c * c

    def decide(self, eps):
        net = self.sb / self.n - self.sc / self.n
        var = (self.sb2 / self.n - (self.sb / self.n) ** 2) + (
            self.sc2 / self.n - (self.sc / self.n) ** 2
        )
        se = math.sqrt(max(var, 0) / self.n)
        new = None
        if net < -self.z * se and eps / 2 >= self.low * (1 - 1e-9):
            new = eps / 2
        elif net > self.z * se and eps * 2 <= self.high * (1 + 1e-9):
            new = eps * 2
        if new is None:
            for name in ("n", "sb", "sb2", "sc", "sc2"):
                setattr(self, name, getattr(self, name) * self.memory)
        else:
            self.n = self.sb = self.sb2 = self.sc = self.sc2 = 0.0
        return new


def _env(seed, walk_std=0.01, k=10):
    env = NonstationaryBandit(k, steps=10**9, walk_std=walk_std)
    env.reset(seed=seed)
    return env


def _drive(agent, env, steps):
    actions = []
    for _ in range(steps):
        a = agent.act(0)
        _, r, *_ = env.step(a)
        agent.observe(0, a, r, 0, False, False)
        actions.append(a)
    return actions


@pytest.mark.parametrize(("seed", "alpha"), [(0, 0.1), (1, 0.1), (2, 0.1), (3, None)])
def test_loop_matches_reference_actions_and_epsilon(seed, alpha):
    loop = sl.StrangeLoop(
        sl.EpsilonGreedyBandit(10, alpha=alpha, epsilon=0.1, seed=seed),
        tune=[],
        exploration="paired",
        block=50,
        seed=seed,
    )
    assert loop.levels == [] and loop._paired.thresholds == pytest.approx(
        [0.0125, 0.025, 0.05, 0.1, 0.2, 0.4]
    )
    env = _env(seed, walk_std=0.05)
    rng = np.random.default_rng(seed)
    ref = RefPaired([0.0] * 10, 0.1, 0.025, 0.4)
    assert ref.thresholds == pytest.approx(loop._paired.thresholds)
    q, n, eps, eps_trace, ref_trace, moves = [0.0] * 10, [0] * 10, 0.1, [], [], 0
    ref_env = _env(seed, walk_std=0.05)
    for t in range(4000):
        a = loop.act(0)
        _, r, *_ = env.step(a)
        loop.observe(0, a, r, 0, False, False)
        b = ref.act(q, eps, rng)
        _, rb, *_ = ref_env.step(b)
        ref.observe(b, rb, alpha)
        n[b] += 1
        q[b] += (1.0 / n[b] if alpha is None else alpha) * (rb - q[b])
        assert a == b, f"step {t}"
        if (t + 1) % 50 == 0:
            new = ref.decide(eps)
            if new is not None:
                eps, moves = new, moves + 1
            ref_trace.append(eps)
            eps_trace.append(loop.base.hyperparameters["epsilon"])
    assert eps_trace == ref_trace
    assert moves > 0  # the test was exercised, not only the constant branch
    np.testing.assert_allclose(loop.base.q, q)
    np.testing.assert_allclose(loop._paired.q, ref.q)


def _frozen_test(base_q, shadow_q, eps=0.1):
    """A test whose estimates do not move (alpha ~ 0): the expectations are analytic."""
    test = PairedExploration(np.asarray(base_q), eps, low=eps / 4, high=min(1.0, eps * 4))
    j = test.shadow_index(eps)
    test.q[:] = np.asarray(base_q)
    test.q[j] = np.asarray(shadow_q)
    return test, j


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("sign", [1, -1])
def test_benefit_minus_cost_is_unbiased_and_moves_epsilon_the_right_way(seed, sign):
    q_star = np.array([1.0, 0.5, 0.2, 0.0, -0.3])
    # sign=1: the base's greedy arm (0) is the better one, so the extra exploration it
    # stands for pays; sign=-1: the shadow's greedy arm is better, so it does not
    base_q = q_star.copy() if sign == 1 else q_star[[1, 0, 2, 3, 4]]
    shadow_q = q_star[[1, 0, 2, 3, 4]] if sign == 1 else q_star.copy()
    eps = 0.1
    test, j = _frozen_test(base_q, shadow_q, eps)
    theta = test.thresholds[j]
    g, h = int(np.argmax(base_q)), int(np.argmax(shadow_q))
    # E[benefit] = P(greedy step) (q*(g) - q*(h)); E[cost] = P(theta <= u < eps) (Q(g) - mean q*)
    expected = (1 - eps) * (q_star[g] - q_star[h]) - (eps - theta) * (base_q.max() - q_star.mean())
    rng = np.random.default_rng(seed)
    noise = np.random.default_rng(seed + 100)
    for _ in range(40_000):
        a = test.act(base_q, eps, rng)
        test.observe(a, q_star[a] + noise.standard_normal(), 1e-12)
    net, se = test.evidence()
    assert abs(net - expected) < 4 * se, (net, expected, se)
    assert se < abs(expected) / 4  # the check has power
    assert test.decide(eps) == pytest.approx(eps * 2 if sign == 1 else eps / 2)


@pytest.mark.parametrize("seed", [3, 4])
def test_without_drift_exploration_does_not_pay_and_epsilon_falls_to_the_floor(seed):
    # stationary arms: once both greedy choices know the best arm, extra exploration only costs
    loop = sl.StrangeLoop(
        sl.EpsilonGreedyBandit(10, alpha=0.1, epsilon=0.2, seed=seed),
        tune=[],
        exploration="paired",
        seed=seed,
    )
    env = NonstationaryBandit(10, steps=10**9, walk_std=0.0)
    env.reset(seed=seed)
    env.q_star = np.random.default_rng(seed).standard_normal(10)
    _drive(loop, env, 20_000)
    assert loop.base.hyperparameters["epsilon"] == pytest.approx(0.05)  # 0.2 / span 4


def test_guard_bounds_the_paired_test():
    guard = sl.SafetyGuard(["G (epsilon >= 0.1)"])  # the floor alone would be 0.05
    loop = sl.StrangeLoop(
        sl.EpsilonGreedyBandit(10, alpha=0.1, epsilon=0.2, seed=0),
        tune=[],
        exploration="paired",
        guard=guard,
        seed=0,
    )
    env = NonstationaryBandit(10, steps=10**9, walk_std=0.0)
    env.reset(seed=0)
    env.q_star = np.random.default_rng(0).standard_normal(10)
    seen = set()
    for _ in range(20_000):
        a = loop.act(0)
        _, r, *_ = env.step(a)
        loop.observe(0, a, r, 0, False, False)
        seen.add(loop.base.hyperparameters["epsilon"])
    assert min(seen) == pytest.approx(0.1)
    assert any(
        e.verdict == "rejected" and e.modification["source"] == "paired" for e in guard.audit
    )


@pytest.mark.parametrize("pending", [False, True])
def test_paired_loop_resumes_exactly(tmp_path, pending):
    loop = sl.StrangeLoop(
        sl.EpsilonGreedyBandit(10, alpha=0.1, seed=5), max_depth=2, exploration="paired", seed=5
    )
    assert loop.tune == ["alpha"] and len(loop.levels) == 2
    env = _env(5)
    _drive(loop, env, 3_333)
    a_first = loop.act(0) if pending else None
    copy = sl.load(sl.save(loop, tmp_path / "p.npz"))
    env2 = _env(5)
    env2.rng.bit_generator.state = env.rng.bit_generator.state
    env2.q_star, env2.t = env.q_star.copy(), env.t
    if pending:
        _, r, *_ = env.step(a_first)
        loop.observe(0, a_first, r, 0, False, False)
        _, r2, *_ = env2.step(a_first)
        copy.observe(0, a_first, r2, 0, False, False)
    assert _drive(loop, env, 3_000) == _drive(copy, env2, 3_000)
    assert loop.summary() == copy.summary()
    assert loop.summary()["paired_exploration"]["decisions"] > 60


def test_paired_bad_input():
    base = sl.EpsilonGreedyBandit(10, alpha=0.1, seed=0)
    with pytest.raises(sl.InvalidParameterError, match="exploration"):
        sl.StrangeLoop(base, exploration="greedy")
    with pytest.raises(sl.InvalidParameterError, match="EpsilonGreedyBandit"):
        sl.StrangeLoop(sl.TabularQLearning(4, 2, seed=0), exploration="paired")
    with pytest.raises(sl.InvalidParameterError, match="unit"):
        sl.StrangeLoop(base, exploration="paired", unit="episode")
    with pytest.raises(sl.InvalidParameterError, match="tune"):
        sl.StrangeLoop(base, exploration="paired", tune=["epsilon"])
    with pytest.raises(sl.InvalidParameterError, match="epsilon > 0"):
        sl.StrangeLoop(sl.EpsilonGreedyBandit(10, epsilon=0.0, alpha=0.1), exploration="paired")
    loop = sl.StrangeLoop(base, tune=[], exploration="paired", seed=0)
    q_before = loop.base.q.copy()
    with pytest.raises(sl.StrangeLoopError, match="act"):
        loop.observe(0, 3, 1.0, 0, False, False)
    np.testing.assert_array_equal(loop.base.q, q_before)  # nothing half-updated
    with pytest.raises(sl.InvalidParameterError, match="epsilon"):
        PairedExploration(np.zeros(3), 0.5, low=0.01, high=0.2)
    with pytest.raises(sl.InvalidParameterError, match="q"):
        PairedExploration(np.zeros((2, 2)), 0.1, low=0.01, high=0.2)
