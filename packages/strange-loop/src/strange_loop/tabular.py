"""Tabular control: Q-learning, Expected SARSA and SARSA(λ) over Discrete spaces.

Actions are ε-greedy (:func:`~strange_loop.learner.epsilon_greedy`, ties at random);
``greedy_action`` takes the lowest-index maximum without consuming random numbers, so
evaluating never changes what training does next. Terminal transitions do not
bootstrap; truncated ones do (Gymnasium's distinction).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from ._validation import as_real
from .errors import InvalidParameterError
from .learner import Learner, ParamRange, epsilon_greedy, epsilon_greedy_probabilities
from .spaces import discrete_index, discrete_size

__all__ = ["ExpectedSarsa", "SarsaLambda", "TabularQLearning"]


def _space_size(space: Any, name: str) -> tuple[int, int]:
    if isinstance(space, (int, np.integer)) and not isinstance(space, bool):
        if int(space) < 1:
            raise InvalidParameterError(f"{name}: must be >= 1, got {int(space)}")
        return int(space), 0
    n = discrete_size(space, name)
    start = getattr(space, "start", 0)
    return n, int(start) if isinstance(start, (int, np.integer)) else 0


class _Tabular(Learner):
    PARAMS: ClassVar[dict[str, ParamRange]] = {
        "alpha": ParamRange(1e-6, 1.0),
        "epsilon": ParamRange(0.0, 1.0, log=False),
        "gamma": ParamRange(0.0, 1.0, log=False),
    }

    def __init__(
        self,
        observation_space: Any,
        action_space: Any,
        *,
        alpha: float = 0.1,
        gamma: float = 0.99,
        epsilon: float = 0.1,
        initial_value: float = 0.0,
        seed: int | None = None,
    ) -> None:
        super().__init__(seed, alpha=alpha, gamma=gamma, epsilon=epsilon)
        self.n_states, self._state_start = _space_size(observation_space, "observation_space")
        self.n_actions, self._action_start = _space_size(action_space, "action_space")
        self.initial_value = as_real(initial_value, "initial_value")
        self.q = np.full((self.n_states, self.n_actions), self.initial_value)

    def _s(self, observation: Any, name: str = "observation") -> int:
        return discrete_index(observation, self.n_states, self._state_start, name)

    def _a(self, action: Any) -> int:
        return discrete_index(action, self.n_actions, self._action_start, "action")

    def state_index(self, observation: Any, name: str = "observation") -> int:
        """Row of ``observation`` in the value table (validated against the space)."""
        return self._s(observation, name)

    def action_index(self, action: Any) -> int:
        """Column of ``action`` in the value table (validated against the space)."""
        return self._a(action)

    def act(self, observation: Any) -> int:
        s = self._s(observation)
        return epsilon_greedy(self.q[s], self._params["epsilon"], self.rng) + self._action_start

    def greedy_action(self, observation: Any) -> int:
        return int(np.argmax(self.q[self._s(observation)])) + self._action_start

    def end_episode(self) -> None:
        pass

    def _config(self) -> dict[str, Any]:
        return {
            "observation_space": self.n_states,
            "action_space": self.n_actions,
            "initial_value": self.initial_value,
        }

    def _extra_state(self) -> dict[str, Any]:
        return {"state_start": self._state_start, "action_start": self._action_start}

    def _set_extra_state(self, extra: dict[str, Any]) -> None:
        self._state_start = int(extra["state_start"])
        self._action_start = int(extra["action_start"])

    def _arrays(self) -> dict[str, np.ndarray]:
        return {"q": self.q}

    def _set_arrays(self, arrays: dict[str, np.ndarray]) -> None:
        self.q = arrays["q"].astype(np.float64)


class _OneStepTabular(_Tabular):
    """One-step TD control: ``Q(s,a) += α (r + γ v(s') − Q(s,a))``; subclasses say what
    ``v(s')`` is."""

    def _next_value(self, s2: int) -> Any:
        raise NotImplementedError

    def observe(
        self,
        observation: Any,
        action: Any,
        reward: float,
        next_observation: Any,
        terminated: bool,
        truncated: bool,
    ) -> None:
        s, a = self._s(observation), self._a(action)
        s2 = self._s(next_observation, "next_observation")
        r = as_real(reward, "reward")
        p = self._params
        target = r if terminated else r + p["gamma"] * self._next_value(s2)
        delta = target - self.q[s, a]
        self.q[s, a] += p["alpha"] * delta
        self.last_td_error = float(delta)


class TabularQLearning(_OneStepTabular):
    """Watkins' Q-learning: ``Q(s,a) += α (r + γ max Q(s',·) − Q(s,a))``.

    Examples
    --------
    >>> agent = TabularQLearning(4, 2, alpha=0.5, gamma=0.9, epsilon=0.0, seed=0)
    >>> agent.observe(0, 1, 1.0, 1, False, False)
    >>> agent.q[0].tolist()
    [0.0, 0.5]
    """

    def _next_value(self, s2: int) -> Any:
        return self.q[s2].max()


class ExpectedSarsa(_OneStepTabular):
    """Expected SARSA: the target averages ``Q(s',·)`` under the ε-greedy policy.

    The one-step update is Q-learning's with the max over ``Q(s',·)`` replaced by
    its expectation under the policy.
    """

    def _next_value(self, s2: int) -> Any:
        probs = epsilon_greedy_probabilities(self.q[s2], self._params["epsilon"])
        return float(probs @ self.q[s2])


class SarsaLambda(_Tabular):
    """SARSA(λ) with replacing (default) or accumulating eligibility traces.

    The next action is chosen in ``observe`` (on-policy), so the following ``act`` on
    that observation returns it; traces are cleared at the end of each episode.
    """

    PARAMS: ClassVar[dict[str, ParamRange]] = {
        **_Tabular.PARAMS,
        "lam": ParamRange(0.0, 1.0, log=False),
    }

    def __init__(
        self,
        observation_space: Any,
        action_space: Any,
        *,
        alpha: float = 0.1,
        gamma: float = 0.99,
        epsilon: float = 0.1,
        lam: float = 0.9,
        traces: str = "replacing",
        initial_value: float = 0.0,
        seed: int | None = None,
    ) -> None:
        super().__init__(
            observation_space,
            action_space,
            alpha=alpha,
            gamma=gamma,
            epsilon=epsilon,
            initial_value=initial_value,
            seed=seed,
        )
        if traces not in ("replacing", "accumulating"):
            raise InvalidParameterError(
                f"traces: expected 'replacing' or 'accumulating', got {traces!r}"
            )
        self._params["lam"] = self.PARAMS["lam"].check("lam", lam)
        self.traces = traces
        self.e = np.zeros_like(self.q)
        self._pending: tuple[int, int] | None = None

    def act(self, observation: Any) -> int:
        s = self._s(observation)
        if self._pending is not None and self._pending[0] == s:
            a = self._pending[1]
            self._pending = None
            return a + self._action_start
        self._pending = None
        return epsilon_greedy(self.q[s], self._params["epsilon"], self.rng) + self._action_start

    def observe(
        self,
        observation: Any,
        action: Any,
        reward: float,
        next_observation: Any,
        terminated: bool,
        truncated: bool,
    ) -> None:
        s, a = self._s(observation), self._a(action)
        s2 = self._s(next_observation, "next_observation")
        r = as_real(reward, "reward")
        p = self._params
        if terminated:
            target = r
            self._pending = None
        else:
            a2 = epsilon_greedy(self.q[s2], p["epsilon"], self.rng)
            self._pending = (s2, a2)
            target = r + p["gamma"] * self.q[s2, a2]
        delta = target - self.q[s, a]
        if self.traces == "replacing":
            self.e[s, a] = 1.0
        else:
            self.e[s, a] += 1.0
        self.q += p["alpha"] * delta * self.e
        self.e *= p["gamma"] * p["lam"]
        self.last_td_error = float(delta)

    def end_episode(self) -> None:
        self.e[:] = 0.0
        self._pending = None

    def _config(self) -> dict[str, Any]:
        return {**super()._config(), "traces": self.traces}

    def _arrays(self) -> dict[str, np.ndarray]:
        return {"q": self.q, "e": self.e}

    def _set_arrays(self, arrays: dict[str, np.ndarray]) -> None:
        self.q = arrays["q"].astype(np.float64)
        self.e = arrays["e"].astype(np.float64)

    def _extra_state(self) -> dict[str, Any]:
        return {**super()._extra_state(), "pending": list(self._pending) if self._pending else None}

    def _set_extra_state(self, extra: dict[str, Any]) -> None:
        super()._set_extra_state(extra)
        pending = extra["pending"]
        self._pending = (int(pending[0]), int(pending[1])) if pending else None
