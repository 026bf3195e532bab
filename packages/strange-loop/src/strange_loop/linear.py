"""Linear action values over tile-coded features: semi-gradient Q-learning and SARSA.

``q(s, a) = sum of w[a, i] over the active tiles i``; the step size is ``alpha /
n_tilings`` per active tile, so ``alpha`` means the same as in the tabular case
(Sutton & Barto 2018, section 9.5.4).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from ._validation import as_real
from .errors import InvalidParameterError
from .learner import Learner, ParamRange, epsilon_greedy
from .spaces import discrete_index, discrete_size
from .tiles import TileCoder

__all__ = ["LinearQLearning"]


class LinearQLearning(Learner):
    """Semi-gradient Q-learning (``method="q"``) or SARSA (``method="sarsa"``) on tiles.

    Parameters
    ----------
    coder : TileCoder
        Feature map of the (Box) observation space.
    action_space : Discrete or int
    alpha, gamma, epsilon : float
    method : {"q", "sarsa"}
    seed : int, optional
    """

    PARAMS: ClassVar[dict[str, ParamRange]] = {
        "alpha": ParamRange(1e-6, 1.0),
        "epsilon": ParamRange(0.0, 1.0, log=False),
        "gamma": ParamRange(0.0, 1.0, log=False),
    }

    def __init__(
        self,
        coder: TileCoder | dict[str, Any],
        action_space: Any,
        *,
        alpha: float = 0.1,
        gamma: float = 0.99,
        epsilon: float = 0.1,
        method: str = "q",
        seed: int | None = None,
    ) -> None:
        super().__init__(seed, alpha=alpha, gamma=gamma, epsilon=epsilon)
        if isinstance(coder, dict):
            coder = TileCoder(**coder)
        if not isinstance(coder, TileCoder):
            raise InvalidParameterError(f"coder: expected a TileCoder, got {coder!r}")
        if method not in ("q", "sarsa"):
            raise InvalidParameterError(f"method: expected 'q' or 'sarsa', got {method!r}")
        self.coder = coder
        self.method = method
        if isinstance(action_space, (int, np.integer)) and not isinstance(action_space, bool):
            self.n_actions = int(action_space)
        else:
            self.n_actions = discrete_size(action_space, "action_space")
        self.w = np.zeros((self.n_actions, coder.n_features))
        self._pending: tuple[bytes, int] | None = None

    def values(self, observation: Any) -> np.ndarray:
        """Action values at ``observation``."""
        return self.w[:, self.coder.encode(observation)].sum(axis=1)

    def act(self, observation: Any) -> int:
        idx = self.coder.encode(observation)
        key = idx.tobytes()
        if self._pending is not None and self._pending[0] == key:
            a = self._pending[1]
            self._pending = None
            return a
        self._pending = None
        return epsilon_greedy(self.w[:, idx].sum(axis=1), self._params["epsilon"], self.rng)

    def greedy_action(self, observation: Any) -> int:
        return int(np.argmax(self.values(observation)))

    def observe(
        self,
        observation: Any,
        action: Any,
        reward: float,
        next_observation: Any,
        terminated: bool,
        truncated: bool,
    ) -> None:
        a = discrete_index(action, self.n_actions, 0, "action")
        r = as_real(reward, "reward")
        idx = self.coder.encode(observation)
        p = self._params
        if terminated:
            target = r
            self._pending = None
        else:
            idx2 = self.coder.encode(next_observation)
            q2 = self.w[:, idx2].sum(axis=1)
            if self.method == "q":
                target = r + p["gamma"] * q2.max()
            else:
                a2 = epsilon_greedy(q2, p["epsilon"], self.rng)
                self._pending = (idx2.tobytes(), a2)
                target = r + p["gamma"] * q2[a2]
        delta = target - self.w[a, idx].sum()
        self.w[a, idx] += p["alpha"] / self.coder.n_tilings * delta
        self.last_td_error = float(delta)

    def end_episode(self) -> None:
        self._pending = None

    def _config(self) -> dict[str, Any]:
        return {
            "coder": self.coder.to_dict(),
            "action_space": self.n_actions,
            "method": self.method,
        }

    def _arrays(self) -> dict[str, np.ndarray]:
        return {"w": self.w}

    def _set_arrays(self, arrays: dict[str, np.ndarray]) -> None:
        self.w = arrays["w"].astype(np.float64)

    def _extra_state(self) -> dict[str, Any]:
        if self._pending is None:
            return {"pending": None}
        return {"pending": [np.frombuffer(self._pending[0], np.int64).tolist(), self._pending[1]]}

    def _set_extra_state(self, extra: dict[str, Any]) -> None:
        pending = extra["pending"]
        self._pending = (
            None
            if pending is None
            else (np.asarray(pending[0], np.int64).tobytes(), int(pending[1]))
        )
