import json
import os
import signal
import subprocess
import sys
import time
import zipfile

import gymnasium as gym
import numpy as np
import pytest

import strange_loop as sl
from strange_loop.envs import NonstationaryBandit


def _bandit_loop(seed, guard=True):
    g = (
        sl.SafetyGuard(
            ["G (epsilon >= 0.01)", "G (modification -> X[!] G[0,5] !rollback)"], window=40
        )
        if guard
        else None
    )
    return sl.StrangeLoop(
        sl.EpsilonGreedyBandit(10, alpha=0.1, seed=seed),
        max_depth=3,
        block=20,
        fanout=2,
        guard=g,
        self_modification=True,
        analysis_every=5,
        regime_length=4,
        seed=seed,
    )


def _steps(agent, env, n):
    out = []
    for _ in range(n):
        a = agent.act(0)
        _, r, *_ = env.step(a)
        agent.observe(0, a, r, 0, False, False)
        out.append(a)
    return out


@pytest.mark.parametrize("seed", [0, 1])
def test_loaded_loop_continues_with_identical_actions(tmp_path, seed):
    env_a = NonstationaryBandit(10, steps=10**9)
    env_a.reset(seed=seed)
    a = _bandit_loop(seed)
    _steps(a, env_a, 1030)  # mid-block, mid-everything
    a.propose(sl.Modification("rule", payload=sl.Rule("r", "td_abs > 5", {"epsilon": 0.05})))
    path = sl.save(a, tmp_path / "loop.npz")
    b = sl.load(path)
    env_b = NonstationaryBandit(10, steps=10**9)
    env_b.rng.bit_generator.state = env_a.rng.bit_generator.state
    env_b.q_star = env_a.q_star.copy()
    env_b.t = env_a.t
    assert _steps(a, env_a, 1500) == _steps(b, env_b, 1500)
    assert a.summary() == b.summary()
    assert [e.to_dict() for e in a.guard.audit] == [e.to_dict() for e in b.guard.audit]


@pytest.mark.parametrize(
    "make",
    [
        lambda s: sl.SarsaLambda(16, 4, seed=s),
        lambda s: sl.ExpectedSarsa(16, 4, seed=s),
        lambda s: sl.StrangeLoop(
            sl.TabularQLearning(16, 4, seed=s), max_depth=2, unit="episode", block=5, seed=s
        ),
    ],
)
def test_frozenlake_agents_resume_exactly(tmp_path, make):
    env = gym.make("FrozenLake-v1", map_name="4x4", is_slippery=True)
    a = make(3)
    sl.train(a, env, episodes=120, seed=5)
    b = sl.load(sl.save(a, tmp_path / "a.npz"))
    env1 = gym.make("FrozenLake-v1", map_name="4x4", is_slippery=True)
    env2 = gym.make("FrozenLake-v1", map_name="4x4", is_slippery=True)
    r1 = sl.train(a, env1, episodes=100, seed=9)
    r2 = sl.train(b, env2, episodes=100, seed=9)
    np.testing.assert_array_equal(r1.lengths, r2.lengths)
    np.testing.assert_array_equal(r1.returns, r2.returns)


def test_linear_and_other_bandits_round_trip(tmp_path):
    coder = sl.TileCoder(n_tilings=4, tiles=4, low=[0, 0], high=[1, 1])
    for agent in [
        sl.LinearQLearning(coder, 3, method="sarsa", seed=1),
        sl.UCB(4, alpha=0.2, seed=1),
        sl.ThompsonSampling(4, model="bernoulli", seed=1),
        sl.GradientBandit(4, seed=1),
    ]:
        obs = [0.3, 0.6]
        for _ in range(50):
            a = agent.act(obs)
            agent.observe(obs, a, float(a == 1), obs, False, False)
        b = sl.load(sl.save(agent, tmp_path / "x.npz"))
        assert [agent.act(obs) for _ in range(30)] == [b.act(obs) for _ in range(30)]


def test_bad_files_raise_state_file_error(tmp_path):
    agent = sl.TabularQLearning(4, 2, seed=0)
    good = sl.save(agent, tmp_path / "good.npz")
    raw = good.read_bytes()
    (tmp_path / "trunc.npz").write_bytes(raw[: len(raw) // 2])
    (tmp_path / "garbage.npz").write_bytes(b"not a zip at all")
    np.savez(tmp_path / "foreign.npz", x=np.arange(3))
    for name in ("trunc.npz", "garbage.npz", "foreign.npz", "missing.npz"):
        with pytest.raises(sl.StateFileError):
            sl.load(tmp_path / name)
    # a future format version
    with np.load(good) as npz:
        members = {k: npz[k] for k in npz.files}
    header = json.loads(bytes(members["__strange_loop__"]).decode())
    header["version"] = 99
    members["__strange_loop__"] = np.frombuffer(json.dumps(header).encode(), np.uint8)
    np.savez(tmp_path / "future.npz", **members)
    with pytest.raises(sl.StateFileError, match="version 99"):
        sl.load(tmp_path / "future.npz")
    # an array of the wrong shape is refused, not half-loaded
    header["version"] = 1
    members["__strange_loop__"] = np.frombuffer(json.dumps(header).encode(), np.uint8)
    members["a0"] = np.zeros((3, 3))
    np.savez(tmp_path / "shape.npz", **members)
    with pytest.raises(sl.StateFileError, match="shape"):
        sl.load(tmp_path / "shape.npz")
    # object arrays (pickle) are never read
    members["a0"] = np.array([{"x": 1}], dtype=object)
    np.savez(tmp_path / "pickle.npz", **members)
    with pytest.raises(sl.StateFileError):
        sl.load(tmp_path / "pickle.npz")


def test_save_writes_no_pickle(tmp_path):
    path = sl.save(_bandit_loop(0), tmp_path / "l.npz")
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            assert name.endswith(".npy")
    with np.load(path, allow_pickle=False) as npz:
        for k in npz.files:
            assert npz[k].dtype != object


WRITER = r"""
import sys, numpy as np, strange_loop as sl
path = sys.argv[1]
agent = sl.TabularQLearning(4000, 50, seed=0)
i = 0
while True:
    i += 1
    agent.q[:] = i
    sl.save(agent, path)
    print(i, flush=True)
"""


@pytest.mark.slow
def test_killed_writer_leaves_a_complete_previous_state(tmp_path):
    path = tmp_path / "state.npz"
    rng = np.random.default_rng(0)
    for _ in range(2):
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True
        )
        try:
            for _ in range(2):  # at least two complete saves
                assert proc.stdout.readline()
            time.sleep(rng.uniform(0.0, 0.05))  # land somewhere inside a later save
            os.kill(proc.pid, signal.SIGKILL)
        finally:
            proc.wait(timeout=30)
            proc.stdout.close()
        agent = sl.load(path)
        values = np.unique(agent.q)
        assert values.shape == (1,) and values[0] >= 1  # one whole save, never a mix
