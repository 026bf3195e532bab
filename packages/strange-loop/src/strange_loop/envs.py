"""Small Gymnasium-API environments used by the docs, tests and benchmarks.

* :class:`NonstationaryBandit` - Sutton & Barto's exercise 2.5 testbed: ``k`` arms whose
  true values start equal (0) and take independent ``N(0, walk_std²)`` steps after
  every pull; rewards are ``N(q*(a), 1)``; one episode is ``steps`` pulls.
* :class:`Chain` - a deterministic corridor of ``n`` states; action 1 moves right,
  0 left; reaching the right end terminates with reward 1.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._validation import as_int, as_rate
from .spaces import DiscreteSpace, discrete_index

__all__ = ["Chain", "NonstationaryBandit"]


class NonstationaryBandit:
    """The non-stationary k-armed testbed; ``info["optimal"]`` says whether the pull was best.

    Examples
    --------
    >>> env = NonstationaryBandit(k=3, steps=2)
    >>> env.reset(seed=0)
    (0, {})
    >>> _, reward, terminated, truncated, info = env.step(1)
    >>> terminated, truncated, sorted(info)
    (False, False, ['optimal'])
    """

    def __init__(self, k: int = 10, *, steps: int = 10_000, walk_std: float = 0.01) -> None:
        self.k = as_int(k, "k", minimum=1)
        self.steps = as_int(steps, "steps", minimum=1)
        self.walk_std = as_rate(walk_std, "walk_std", allow_zero=True)
        self.action_space = DiscreteSpace(self.k)
        self.observation_space = DiscreteSpace(1)
        self.rng = np.random.default_rng()
        self.q_star = np.zeros(self.k)
        self.t = 0

    def reset(self, *, seed: int | None = None, options: Any = None) -> tuple[int, dict[str, Any]]:
        if seed is not None:
            self.rng = np.random.default_rng(seed)
        self.q_star = np.zeros(self.k)
        self.t = 0
        return 0, {}

    def step(self, action: Any) -> tuple[int, float, bool, bool, dict[str, Any]]:
        a = discrete_index(action, self.k, 0, "action")
        optimal = bool(self.q_star[a] == self.q_star.max())
        reward = float(self.q_star[a] + self.rng.standard_normal())
        self.q_star += self.walk_std * self.rng.standard_normal(self.k)
        self.t += 1
        return 0, reward, False, self.t >= self.steps, {"optimal": optimal}


class Chain:
    """Corridor of ``n`` states from 0; the right end terminates with reward 1."""

    def __init__(self, n: int = 5, *, max_steps: int = 100) -> None:
        self.n = as_int(n, "n", minimum=2)
        self.max_steps = as_int(max_steps, "max_steps", minimum=1)
        self.observation_space = DiscreteSpace(self.n)
        self.action_space = DiscreteSpace(2)
        self.state = 0
        self.t = 0

    def reset(self, *, seed: int | None = None, options: Any = None) -> tuple[int, dict[str, Any]]:
        self.state = 0
        self.t = 0
        return 0, {}

    def step(self, action: Any) -> tuple[int, float, bool, bool, dict[str, Any]]:
        a = discrete_index(action, 2, 0, "action")
        self.state = min(self.n - 1, self.state + 1) if a == 1 else max(0, self.state - 1)
        self.t += 1
        done = self.state == self.n - 1
        return self.state, 1.0 if done else 0.0, done, (not done) and self.t >= self.max_steps, {}
