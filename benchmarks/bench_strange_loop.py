"""strange_loop (asv): learner steps, meta cycles, guard checks, replay sampling, save/load.

Task-level benchmarks (testbed, FrozenLake, safety counts) are in
benchmarks/strange_loop_tasks.py.
"""

import tempfile
from pathlib import Path

import numpy as np

import strange_loop as sl
from strange_loop.envs import NonstationaryBandit


def _drive(agent, env, n):
    for _ in range(n):
        a = agent.act(0)
        _, r, *_ = env.step(a)
        agent.observe(0, a, r, 0, False, False)


class LearnerSteps:
    params = [
        "egreedy",
        "ucb",
        "thompson",
        "gradient",
        "loop_depth3",
        "loop_depth3_guard",
        "loop_paired",
    ]
    param_names = ["learner"]

    def setup(self, learner):
        make = {
            "egreedy": lambda: sl.EpsilonGreedyBandit(10, alpha=0.1, seed=0),
            "ucb": lambda: sl.UCB(10, alpha=0.1, seed=0),
            "thompson": lambda: sl.ThompsonSampling(10, discount=0.99, seed=0),
            "gradient": lambda: sl.GradientBandit(10, seed=0),
            "loop_depth3": lambda: sl.StrangeLoop(
                sl.EpsilonGreedyBandit(10, alpha=0.1, seed=0), max_depth=3, analysis_every=0, seed=0
            ),
            "loop_depth3_guard": lambda: sl.StrangeLoop(
                sl.EpsilonGreedyBandit(10, alpha=0.1, seed=0),
                max_depth=3,
                analysis_every=0,
                guard=sl.SafetyGuard(["G (epsilon >= 0.01)", "G (alpha <= 0.5)"]),
                seed=0,
            ),
            "loop_paired": lambda: sl.StrangeLoop(
                sl.EpsilonGreedyBandit(10, alpha=0.1, seed=0),
                tune=[],
                exploration="paired",
                seed=0,
            ),
        }[learner]
        self.agent = make()
        self.env = NonstationaryBandit(10, steps=10**9)
        self.env.reset(seed=0)

    def time_10k_steps(self, learner):
        _drive(self.agent, self.env, 10_000)


class Replay:
    params = [False, True]
    param_names = ["prioritized"]

    def setup(self, prioritized):
        n = 100_000
        rng = np.random.default_rng(0)
        self.buf = sl.ReplayBuffer(n, observation_shape=(4,), prioritized=prioritized, seed=0)
        self.buf.add_batch(
            rng.standard_normal((n, 4)),
            rng.integers(4, size=n),
            rng.standard_normal(n),
            rng.standard_normal((n, 4)),
            rng.random(n) < 0.01,
        )

    def time_sample_256(self, prioritized):
        self.buf.sample(256)


class Persistence:
    def setup(self):
        self.loop = sl.StrangeLoop(sl.EpsilonGreedyBandit(10, seed=0), max_depth=3, seed=0)
        env = NonstationaryBandit(10, steps=10**9)
        env.reset(seed=0)
        _drive(self.loop, env, 5_000)
        self.dir = tempfile.TemporaryDirectory()
        self.path = Path(self.dir.name) / "loop.npz"
        sl.save(self.loop, self.path)

    def teardown(self):
        self.dir.cleanup()

    def time_save(self):
        sl.save(self.loop, self.path)

    def time_load(self):
        sl.load(self.path)
