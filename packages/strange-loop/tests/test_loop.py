import gymnasium as gym
import numpy as np
import pytest

import strange_loop as sl
from strange_loop.envs import NonstationaryBandit
from strange_loop.meta_level import setting_key


def _drive(agent, steps, seed, k=10):
    env = NonstationaryBandit(k, steps=10**9)
    env.reset(seed=seed)
    actions = []
    for _ in range(steps):
        a = agent.act(0)
        _, r, *_ = env.step(a)
        agent.observe(0, a, r, 0, False, False)
        actions.append(a)
    return actions


def test_depth_zero_is_the_base_learner():
    plain = sl.EpsilonGreedyBandit(10, alpha=0.1, seed=3)
    loop = sl.StrangeLoop(sl.EpsilonGreedyBandit(10, alpha=0.1, seed=3), max_depth=0)
    assert _drive(plain, 3000, 1) == _drive(loop, 3000, 1)
    assert loop.summary()["levels"] == []


class RefLevel:
    """Independent re-implementation of one meta level's bandit (module docstring)."""

    def __init__(self, center, ranges, step=0.1, explore=0.1, factor=2.0):
        self.center, self.ranges = dict(center), ranges
        self.step, self.explore, self.factor = step, explore, factor
        self.est, self.o, self.n = {}, {}, {}

    def key(self, s):
        return tuple(sorted((k, float(f"{v:.6g}")) for k, v in s.items()))

    def update(self, s, r):
        k = self.key(s)
        self.o[k] = self.o.get(k, 0.0) + self.step * (1 - self.o.get(k, 0.0))
        self.est[k] = self.est.get(k, 0.0) + self.step / self.o[k] * (r - self.est.get(k, 0.0))
        self.n[k] = self.n.get(k, 0) + 1

    def choose(self, rng, settings):
        tried = [(k, v) for k, v in self.est.items() if self.n[k] >= 2]
        if tried:
            best = max(tried, key=lambda kv: kv[1])
            c = self.est.get(self.key(self.center))
            if c is None or best[1] > c:
                self.center = settings[best[0]]
        grid = [dict(self.center)]
        for name, v in self.center.items():
            lo, hi = self.ranges[name]
            for w in (min(hi, max(lo, v / self.factor)), min(hi, max(lo, v * self.factor))):
                g = {**self.center, name: w}
                if w != v and g not in grid:
                    grid.append(g)
        for g in grid:
            settings.setdefault(self.key(g), g)
        if rng.random() < self.explore:
            return grid[int(rng.integers(len(grid)))]
        untried = [g for g in grid if self.key(g) not in self.est]
        if untried:
            return untried[int(rng.integers(len(untried)))]
        vals = [self.est[self.key(g)] for g in grid]
        top = [i for i, v in enumerate(vals) if v == max(vals)]
        return grid[top[int(rng.integers(len(top)))]] if len(top) > 1 else grid[top[0]]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_level_one_matches_reference_and_base_actions_follow(seed):
    block = 50
    loop = sl.StrangeLoop(
        sl.EpsilonGreedyBandit(10, alpha=0.1, seed=seed), max_depth=1, block=block, seed=seed
    )
    base = sl.EpsilonGreedyBandit(10, alpha=0.1, seed=seed)
    # span 4 around the start: both parameters live in [0.025, 0.4]
    ref = RefLevel({"epsilon": 0.1, "alpha": 0.1}, {"epsilon": (0.025, 0.4), "alpha": (0.025, 0.4)})
    rng = np.random.default_rng(seed)
    settings = {}
    env = NonstationaryBandit(10, steps=10**9)
    env.reset(seed=seed)
    total = 0.0
    for t in range(1, 40 * block + 1):
        a = base.act(0)
        assert loop.act(0) == a
        _, r, *_ = env.step(a)
        base.observe(0, a, r, 0, False, False)
        loop.observe(0, a, r, 0, False, False)
        total += r
        if t % block == 0:
            current = {
                "epsilon": base.hyperparameters["epsilon"],
                "alpha": base.hyperparameters["alpha"],
            }
            ref.update(current, total / block)
            total = 0.0
            new = ref.choose(rng, settings)
            for k, v in new.items():
                base.set_hyperparameter(k, v)
            assert loop.base.hyperparameters == base.hyperparameters
    assert loop.knowledge(1).decisions == 40


def test_levels_decide_at_their_cadence_and_tune_the_level_below():
    loop = sl.StrangeLoop(
        sl.EpsilonGreedyBandit(10, alpha=0.1, seed=0), max_depth=3, block=10, fanout=2, seed=0
    )
    _drive(loop, 10 * 2**3 * 5, 0)
    assert [loop.knowledge(k).decisions for k in (1, 2, 3)] == [40, 20, 10]
    # level 2 chose level-1 settings, level 3 chose level-2 settings
    assert loop.knowledge(2).settings_tried > 1 and loop.knowledge(3).settings_tried > 1
    assert set(loop.levels[1].center) == {"step", "explore"}
    s = loop.summary()
    assert s["cycles"] == 40 and s["applied_without_guard"] > 0


def test_meta_adaptation_escapes_a_bad_start():
    # start from a poor setting (epsilon 0.8) on a stationary bandit: level 1 must lower it
    env = NonstationaryBandit(10, steps=10**9, walk_std=0.0)
    rng = np.random.default_rng(0)
    env.reset(seed=0)
    env.q_star = rng.standard_normal(10)
    loop = sl.StrangeLoop(
        sl.EpsilonGreedyBandit(10, epsilon=0.8, seed=0), max_depth=2, block=50, seed=0
    )
    fixed = sl.EpsilonGreedyBandit(10, epsilon=0.8, seed=0)
    rewards = {"loop": [], "fixed": []}
    for name, agent in (("loop", loop), ("fixed", fixed)):
        env.reset(seed=1)
        env.q_star = np.random.default_rng(0).standard_normal(10)
        for _ in range(20_000):
            a = agent.act(0)
            _, r, *_ = env.step(a)
            agent.observe(0, a, r, 0, False, False)
            rewards[name].append(r)
    assert loop.base.hyperparameters["epsilon"] < 0.4
    assert np.mean(rewards["loop"][-5000:]) > np.mean(rewards["fixed"][-5000:]) + 0.2


def test_episode_unit_on_frozenlake_records_and_analyses():
    env = gym.make("FrozenLake-v1", map_name="4x4", is_slippery=True)
    base = sl.TabularQLearning(env.observation_space, env.action_space, seed=0)
    loop = sl.StrangeLoop(
        base, max_depth=2, unit="episode", block=5, analysis_every=10, regime_length=4, seed=0
    )
    log = sl.train(loop, env, episodes=300, seed=0)
    assert loop.units == 300 and loop.cycles == 60
    assert log.returns.shape == (300,)
    k1 = loop.knowledge(1)
    assert k1.best_setting is not None and set(k1.best_setting) == {"alpha", "epsilon"}
    assert k1.patterns, "recurring setting sequences should be found in 60 decisions"
    g = loop.graph
    assert g.nodes("pattern") and g.nodes("policy") and g.nodes("regime")
    assert g.neighbors("level:1", "derived-from", direction="in")
    # each change of level 1's best setting links the old best to the new one
    improved = g.edges("improved-by")
    assert improved and all(
        s.startswith("policy:") and d.startswith("policy:") for s, d, _ in improved
    )


def test_self_modification_is_off_by_default():
    loop = sl.StrangeLoop(sl.EpsilonGreedyBandit(3, seed=0), max_depth=1)
    with pytest.raises(sl.StrangeLoopError, match="self-modification is off"):
        loop.propose(sl.Modification("set", "base", {"epsilon": 0.2}))


def test_rule_fires_through_the_guard():
    guard = sl.SafetyGuard(["G (epsilon >= 0.01)"])
    loop = sl.StrangeLoop(
        sl.EpsilonGreedyBandit(5, alpha=0.1, seed=0),
        max_depth=1,
        block=10,
        guard=guard,
        self_modification=True,
        seed=0,
        analysis_every=0,
    )
    _drive(loop, 10, 0, k=5)
    entry = loop.propose(
        sl.Modification("rule", payload=sl.Rule("floor", "td_abs >= 0", {"epsilon": 0.0}))
    )
    assert entry.verdict == "applied" and loop.rules
    _drive(loop, 10, 1, k=5)
    rule_entries = [e for e in guard.audit if e.modification["source"] == "rule:floor"]
    assert rule_entries and all(e.verdict == "rejected" for e in rule_entries)
    assert loop.base.hyperparameters["epsilon"] >= 0.01


def test_dynamics_reaction_damps_step_size_when_oscillating():
    loop = sl.StrangeLoop(
        sl.EpsilonGreedyBandit(3, alpha=0.4, seed=0), max_depth=1, self_modification=True
    )
    t = np.arange(300)
    report = sl.classify_learning(np.sin(2 * np.pi * t / 20))
    assert report.dynamics is sl.Dynamics.OSCILLATING
    loop._react(report)  # the hook _analyse calls with the classification
    assert loop.base.hyperparameters["alpha"] == pytest.approx(0.2)


def test_setting_key_is_order_independent():
    assert setting_key({"a": 0.1, "b": 2}) == setting_key({"b": 2.0, "a": 0.1})


def test_search_stays_within_span_of_the_start():
    loop = sl.StrangeLoop(
        sl.EpsilonGreedyBandit(5, alpha=0.1, epsilon=0.05, seed=0),
        max_depth=2,
        block=5,
        span=2.0,
        seed=0,
    )
    env = NonstationaryBandit(5, steps=10**9)
    env.reset(seed=0)
    for _ in range(3000):
        a = loop.act(0)
        _, r, *_ = env.step(a)
        loop.observe(0, a, r, 0, False, False)
        hp = loop.base.hyperparameters
        assert 0.05 - 1e-12 <= hp["alpha"] <= 0.2 + 1e-12
        assert 0.025 - 1e-12 <= hp["epsilon"] <= 0.1 + 1e-12
        assert 0.05 - 1e-12 <= loop.levels[0].hyperparameters["step"] <= 0.2 + 1e-12


def test_policy_swap_is_checked_with_the_incoming_hyperparameters():
    guard = sl.SafetyGuard(["G (alpha <= 0.5)"])
    loop = sl.StrangeLoop(
        sl.EpsilonGreedyBandit(4, alpha=0.1, seed=0),
        max_depth=1,
        block=10,
        guard=guard,
        self_modification=True,
        seed=0,
    )
    _drive(loop, 10, 0, k=4)
    old = loop.base
    risky = sl.EpsilonGreedyBandit(4, alpha=0.9, seed=1)
    assert loop.propose(sl.Modification("swap", payload=risky)).verdict == "rejected"
    assert loop.base is old
    fine = sl.EpsilonGreedyBandit(4, alpha=0.3, seed=1)
    assert loop.propose(sl.Modification("swap", payload=fine)).verdict == "applied"
    assert loop.base is fine
