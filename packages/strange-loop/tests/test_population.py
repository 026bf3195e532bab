"""The step-size population (strange_loop.population, strange_loop.empirical) and
StrangeLoop(step_size="population")."""

import gymnasium as gym
import numpy as np
import pytest
from _sl_reference import RefTabular
from hypothesis import given, settings
from hypothesis import strategies as st

import strange_loop as sl
from strange_loop.empirical import EmpiricalModel
from strange_loop.population import StepSizePopulation


def value_iteration(n, cont, rsum, starts, policy, fallback, gamma, tol=1e-15):
    """Plain-Python evaluation of ``policy`` on the counted model by repeated backups."""
    gamma = min(gamma, 0.999)
    v = [0.0] * len(policy)
    for _ in range(200_000):
        new = []
        for s, a in enumerate(policy):
            if n[s][a] == 0:
                new.append(fallback[s])
                continue
            x = rsum[s][a] / n[s][a]
            for s2, c in enumerate(cont[s][a]):
                x += gamma * c / n[s][a] * v[s2]
            new.append(x)
        done = max(abs(x - y) for x, y in zip(new, v, strict=True)) <= tol
        v = new
        if done:
            break
    total = sum(starts)
    return sum(c * x for c, x in zip(starts, v, strict=True)) / total if total else 0.0


class RefPopulationLoop:
    """Plain-Python re-implementation of StrangeLoop(step_size="population", tune=[])
    from the docstrings: shadows at α/2 and 2α, counts, evaluation by value iteration."""

    def __init__(self, n_s, n_a, alpha, gamma, epsilon, seed, low, high, block):
        self.base = RefTabular(n_s, n_a, alpha, gamma, epsilon, seed, "q")
        self.alpha, self.gamma, self.low, self.high, self.block = alpha, gamma, low, high, block
        self.n = [[0] * n_a for _ in range(n_s)]
        self.cont = [[[0] * n_s for _ in range(n_a)] for _ in range(n_s)]
        self.rsum = [[0.0] * n_a for _ in range(n_s)]
        self.starts = [0] * n_s
        self.started = False
        self.episodes = 0
        self.moves = 0
        self.spawn(alpha)

    def spawn(self, alpha):
        self.alpha = alpha
        around = {min(self.high, max(self.low, a)) for a in (alpha / 2, alpha * 2)}
        self.shadows = [(a, [list(row) for row in self.base.q]) for a in sorted(around - {alpha})]

    def act(self, s):
        return self.base.act(s)

    def observe(self, s, a, r, s2, term, trunc):
        if not self.started:
            self.starts[s] += 1
            self.started = True
        self.base.observe(s, a, r, s2, term, trunc)
        self.n[s][a] += 1
        self.rsum[s][a] += r
        if not term:
            self.cont[s][a][s2] += 1
        for alpha, q in self.shadows:
            target = r if term else r + self.gamma * max(q[s2])
            q[s][a] += alpha * (target - q[s][a])

    def value(self, q):
        policy = [row.index(max(row)) for row in q]
        fallback = [q[s][a] for s, a in enumerate(policy)]
        return value_iteration(
            self.n, self.cont, self.rsum, self.starts, policy, fallback, self.gamma
        )

    def end_episode(self):
        self.base.end_episode()
        self.started = False
        self.episodes += 1
        if self.episodes % self.block or not self.shadows:
            return
        base = self.value(self.base.q)
        values = [self.value(q) for _, q in self.shadows]
        tol = 1e-9 * max(1.0, abs(base))
        if max(values) > base + tol:
            k = next(i for i, v in enumerate(values) if v >= max(values) - tol)
            alpha, q = self.shadows[k]
            self.base.q = [list(row) for row in q]
            self.base.alpha = alpha
            self.moves += 1
            self.spawn(alpha)


def _drive(agent, env, episodes, seed):
    actions = []
    obs, _ = env.reset(seed=seed)
    for episode in range(episodes):
        if episode:
            obs, _ = env.reset()
        while True:
            a = int(agent.act(obs))
            actions.append(a)
            nxt, r, term, trunc, _ = env.step(a)
            agent.observe(obs, a, r, nxt, term, trunc)
            obs = nxt
            if term or trunc:
                break
        agent.end_episode()
    return actions


def _lake():
    return gym.make("FrozenLake-v1", map_name="4x4", is_slippery=True)


def _loop(seed, **kw):
    base = sl.TabularQLearning(16, 4, alpha=0.1, gamma=0.95, epsilon=0.1, seed=seed)
    return sl.StrangeLoop(base, unit="episode", step_size="population", tune=[], seed=seed, **kw)


# seeds whose 300 episodes include swaps (seeds 2 and 4 make none)
@pytest.mark.parametrize("seed", [0, 1, 3, 5])
def test_loop_matches_reference_actions_and_step_sizes(seed):
    loop = _loop(seed, block=10)
    ref = RefPopulationLoop(16, 4, 0.1, 0.95, 0.1, seed, low=0.025, high=0.4, block=10)
    ours = _drive(loop, _lake(), 300, seed)
    theirs = _drive(ref, _lake(), 300, seed)
    assert ours == theirs
    assert loop.base.hyperparameters["alpha"] == ref.base.alpha
    np.testing.assert_array_equal(loop.base.q, np.array(ref.base.q))
    summary = loop.summary()["step_size_population"]
    assert summary["decisions"] == 30
    assert summary["moves"] == ref.moves > 0  # the test exercises swaps


@settings(max_examples=60, deadline=None)
@given(
    data=st.data(),
    n_s=st.integers(1, 5),
    n_a=st.integers(1, 3),
    gamma=st.floats(0.0, 1.0),
)
def test_policy_value_equals_value_iteration(data, n_s, n_a, gamma):
    model = EmpiricalModel(n_s, n_a)
    n = [[0] * n_a for _ in range(n_s)]
    cont = [[[0] * n_s for _ in range(n_a)] for _ in range(n_s)]
    rsum = [[0.0] * n_a for _ in range(n_s)]
    transitions = data.draw(
        st.lists(
            st.tuples(
                st.integers(0, n_s - 1),
                st.integers(0, n_a - 1),
                st.floats(-2, 2),
                st.integers(0, n_s - 1),
                st.booleans(),
            ),
            max_size=40,
        )
    )
    for s, a, r, s2, term in transitions:
        model.observe(s, a, r, s2, term)
        n[s][a] += 1
        rsum[s][a] += r
        cont[s][a][s2] += 0 if term else 1
    starts = data.draw(st.lists(st.integers(0, 3), min_size=n_s, max_size=n_s))
    for s, c in enumerate(starts):
        for _ in range(c):
            model.start(s)
    policy = data.draw(st.lists(st.integers(0, n_a - 1), min_size=n_s, max_size=n_s))
    fallback = data.draw(st.lists(st.floats(-1, 1), min_size=n_s, max_size=n_s))
    got = model.policy_value(np.array(policy), np.array(fallback), gamma)
    want = value_iteration(n, cont, rsum, starts, policy, fallback, gamma, tol=1e-13)
    # a policy that never ends with γ = 0.999 has values up to 2,000
    assert got == pytest.approx(want, rel=1e-7, abs=1e-7)


def test_candidate_is_the_shadow_with_the_better_greedy_policy():
    # a two-state chain: action 1 in state 0 reaches the goal (reward 1), action 0 stays
    pop = StepSizePopulation(np.zeros((2, 2)), 0.1, low=0.05, high=0.2)
    pop.start(0)
    for _ in range(3):
        pop.observe(0, 0, 0.0, 0, False, 0.9)
        pop.observe(0, 1, 1.0, 1, True, 0.9)
    # the shadows learned from those steps; the base here never has
    assert pop.alphas == [0.05, 0.2]
    assert pop.q[0, 0, 1] > 0 and pop.q[1, 0, 1] > pop.q[0, 0, 1]
    alpha, values, gain = pop.candidate(np.array([[0.5, 0.0], [0.0, 0.0]]), 0.9)
    assert alpha == 0.05  # both shadows choose action 1: a tie goes to the smaller step
    np.testing.assert_array_equal(values, pop.q[0])
    assert gain == pytest.approx(1.0 - 0.0)  # goal at once vs staying forever with reward 0
    assert pop.candidate(values, 0.9) is None  # no shadow beats an equal policy
    pop.follow(values, 0.05)
    assert pop.moves == 1 and pop.alphas == [0.1]  # 0.025 is clipped to low = 0.05


def test_guard_bounds_the_population():
    guard = sl.SafetyGuard(["G (alpha <= 0.1)"])
    loop = _loop(3, block=10, guard=guard)
    env = _lake()
    seen = set()
    obs, _ = env.reset(seed=3)
    for episode in range(400):
        if episode:
            obs, _ = env.reset()
        done = False
        while not done:
            a = loop.act(obs)
            nxt, r, term, trunc, _ = env.step(a)
            loop.observe(obs, a, r, nxt, term, trunc)
            obs, done = nxt, term or trunc
            seen.add(loop.base.hyperparameters["alpha"])
        loop.end_episode()
    assert max(seen) <= 0.1
    decided = [e for e in guard.audit if e.modification["source"] == "population"]
    assert any(e.verdict == "rejected" for e in decided)
    assert all(e.modification["kind"] == "swap" for e in decided)


def _steps(agent, envs, obs, n_steps, *, to_episode_end=False):
    """Step ``agent`` for ``n_steps`` on ``envs[0]``, repeating each action on the twins."""
    actions = []
    while n_steps > 0 or (to_episode_end and obs is not None):
        a = agent.act(obs)
        nxt, r, term, trunc, _ = envs[0].step(a)
        for twin in envs[1:]:
            twin.step(a)
        agent.observe(obs, a, r, nxt, term, trunc)
        actions.append(a)
        obs = nxt
        n_steps -= 1
        if term or trunc:
            agent.end_episode()
            if to_episode_end and n_steps <= 0:
                return None, actions
            obs = envs[0].reset()[0]
            for twin in envs[1:]:
                twin.reset()
    return obs, actions


@pytest.mark.parametrize(
    ("mid_episode", "guarded", "seed"), [(False, False, 7), (True, False, 7), (True, True, 0)]
)
def test_population_loop_resumes_exactly(tmp_path, mid_episode, guarded, seed):
    # with a guard, the audit log holds the swapped-in learners and must save them too
    guard = sl.SafetyGuard(["G (alpha <= 0.3)"]) if guarded else None
    loop = _loop(seed, block=10, guard=guard)
    env, twin = _lake(), _lake()
    obs, _ = env.reset(seed=seed)
    twin.reset(seed=seed)
    obs, _ = _steps(loop, [env, twin], obs, 1_500, to_episode_end=not mid_episode)
    if obs is None:  # saved between episodes
        obs, _ = env.reset()
        twin.reset()
    copy = sl.load(sl.save(loop, tmp_path / "pop.npz"))
    assert copy.summary() == loop.summary()
    ours = _steps(loop, [env], obs, 2_000)[1]
    theirs = _steps(copy, [twin], obs, 2_000)[1]
    assert ours == theirs
    np.testing.assert_array_equal(loop.base.q, copy.base.q)
    assert loop.summary() == copy.summary()
    assert loop.summary()["step_size_population"]["decisions"] >= 20
    if guarded:
        assert loop.guard.counts()["applied"] > 0
        assert loop.guard.counts() == copy.guard.counts()


def test_population_bad_input():
    q_base = sl.TabularQLearning(4, 2, seed=0)
    with pytest.raises(sl.InvalidParameterError, match="step_size"):
        sl.StrangeLoop(q_base, unit="episode", step_size="meta")
    with pytest.raises(sl.InvalidParameterError, match="TabularQLearning"):
        sl.StrangeLoop(sl.ExpectedSarsa(4, 2, seed=0), unit="episode", step_size="population")
    with pytest.raises(sl.InvalidParameterError, match="unit"):
        sl.StrangeLoop(q_base, step_size="population")
    with pytest.raises(sl.InvalidParameterError, match="tune"):
        sl.StrangeLoop(q_base, unit="episode", step_size="population", tune=["alpha"])
    with pytest.raises(sl.InvalidParameterError, match="n_states"):
        sl.StrangeLoop(
            sl.TabularQLearning(5_000, 4, seed=0), unit="episode", step_size="population"
        )
    with pytest.raises(sl.InvalidParameterError, match="alpha"):
        StepSizePopulation(np.zeros((2, 2)), 0.5, low=0.01, high=0.2)
    with pytest.raises(sl.InvalidParameterError, match="factor"):
        StepSizePopulation(np.zeros((2, 2)), 0.1, low=0.01, high=0.2, factor=1.0)
    with pytest.raises(sl.InvalidParameterError, match="q"):
        StepSizePopulation(np.zeros(3), 0.1, low=0.01, high=0.2)
    model = EmpiricalModel(3, 2)
    with pytest.raises(sl.InvalidParameterError, match="policy"):
        model.policy_value(np.zeros(2, dtype=int), np.zeros(3), 0.9)
    with pytest.raises(sl.InvalidParameterError, match="gamma"):
        model.policy_value(np.zeros(3, dtype=int), np.zeros(3), -0.5)
    assert model.policy_value(np.zeros(3, dtype=int), np.zeros(3), 0.9) == 0.0
    loop = _loop(0)
    with pytest.raises(sl.ObservationError, match="next_observation"):
        loop.observe(0, 1, 0.0, 16, False, False)
    np.testing.assert_array_equal(loop.base.q, np.zeros((16, 4)))  # nothing half-updated


def test_a_state_file_without_the_population_keys_loads_with_it_off(tmp_path):
    # files written before step_size existed have no "population" and no "step_size"
    import json

    base = sl.TabularQLearning(16, 4, alpha=0.1, seed=4)
    loop = sl.StrangeLoop(base, 2, unit="episode", seed=4)
    _drive(loop, _lake(), 60, 4)
    path = sl.save(loop, tmp_path / "new.npz")
    with np.load(path, allow_pickle=False) as z:
        members = {k: z[k] for k in z.files}
    doc = json.loads(members["__strange_loop__"].tobytes().decode("utf-8"))
    state = doc["state"]
    del state["population"], state["config"]["step_size"], state["counters"]["episode_started"]
    members["__strange_loop__"] = np.frombuffer(json.dumps(doc).encode("utf-8"), dtype=np.uint8)
    old = tmp_path / "old.npz"
    np.savez(old, **members)
    restored = sl.load(old)
    assert restored.step_size == "bandit"
    assert restored.summary() == loop.summary()
    assert _drive(restored, _lake(), 30, 5) == _drive(loop, _lake(), 30, 5)
