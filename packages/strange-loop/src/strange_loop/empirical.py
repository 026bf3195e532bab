"""The empirical model of a tabular episodic task, and exact policy evaluation on it.

Counts of every transition seen (``n(s, a)``, ``n(s, a, s')`` for transitions that
continue, the reward sum per ``(s, a)``) and of the states episodes start in give the
maximum-likelihood model of the task. :meth:`EmpiricalModel.policy_value` evaluates a
deterministic policy on it exactly, by one linear solve of the Bellman equation
``v = r_π + γ P_π v`` (certainty-equivalence evaluation: Mannor, Simester, Sun &
Tsitsiklis 2007, "Bias and variance approximation in value function estimates",
Management Science 53(2)). Where the policy takes an action never tried in a state,
the model knows nothing; there the caller's own estimate (``fallback``) stands in.

Truncated transitions (a time limit) continue, terminated ones do not - Gymnasium's
distinction, as in the learners.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ._validation import as_int, as_real
from .errors import InvalidParameterError, StateFileError

__all__ = ["EmpiricalModel"]

#: Largest ``n_states² × n_actions`` the dense transition counts may take (32 MiB of int64).
MAX_CELLS = 1 << 22
#: Discount used for evaluation when the learner's is 1 (keeps ``I − γP`` invertible).
MAX_GAMMA = 0.999


class EmpiricalModel:
    """Transition counts of a ``n_states × n_actions`` task (sans-I/O).

    Parameters
    ----------
    n_states, n_actions : int
        Sizes of the discrete state and action sets (indices from 0).

    Examples
    --------
    >>> m = EmpiricalModel(2, 1)
    >>> m.start(0)
    >>> m.observe(0, 0, 0.0, 1, False)
    >>> m.observe(1, 0, 1.0, 1, True)
    >>> round(m.policy_value(np.array([0, 0]), np.zeros(2), 0.9), 6)
    0.9
    """

    def __init__(self, n_states: int, n_actions: int) -> None:
        self.n_states = as_int(n_states, "n_states", minimum=1)
        self.n_actions = as_int(n_actions, "n_actions", minimum=1)
        if self.n_states * self.n_states * self.n_actions > MAX_CELLS:
            raise InvalidParameterError(
                f"n_states: {self.n_states} states × {self.n_actions} actions need "
                f"{self.n_states**2 * self.n_actions} transition counts; at most {MAX_CELLS} "
                "are kept (the empirical model is dense)"
            )
        self.visits = np.zeros((self.n_states, self.n_actions), dtype=np.int64)
        self.continues = np.zeros((self.n_states, self.n_actions, self.n_states), dtype=np.int64)
        self.reward_sum = np.zeros((self.n_states, self.n_actions))
        self.starts = np.zeros(self.n_states, dtype=np.int64)

    def start(self, state: int) -> None:
        """Count ``state`` as the first state of an episode."""
        self.starts[state] += 1

    def observe(
        self, state: int, action: int, reward: float, next_state: int, terminated: bool
    ) -> None:
        """Count one transition (indices already validated by the learner)."""
        self.visits[state, action] += 1
        self.reward_sum[state, action] += reward
        if not terminated:
            self.continues[state, action, next_state] += 1

    def policy_value(self, policy: np.ndarray, fallback: np.ndarray, gamma: float) -> float:
        """Expected discounted return of ``policy`` from the empirical start distribution.

        Parameters
        ----------
        policy : ndarray of int, shape (n_states,)
            The action taken in every state.
        fallback : ndarray, shape (n_states,)
            Value used for a state whose policy action was never tried there.
        gamma : float
            Discount in [0, 1]; 1 is evaluated as :data:`MAX_GAMMA`.

        Returns
        -------
        float
            0 before any episode has started.
        """
        gamma = min(as_real(gamma, "gamma"), MAX_GAMMA)
        if gamma < 0.0:
            raise InvalidParameterError(f"gamma: must be >= 0, got {gamma}")
        policy = np.asarray(policy)
        if policy.shape != (self.n_states,):
            raise InvalidParameterError(
                f"policy: expected shape ({self.n_states},), got {policy.shape}"
            )
        total = self.starts.sum()
        if total == 0:
            return 0.0
        rows = np.arange(self.n_states)
        n = self.visits[rows, policy].astype(np.float64)
        known = n > 0
        safe = np.where(known, n, 1.0)
        p = self.continues[rows, policy].astype(np.float64) / safe[:, None]
        r = np.where(known, self.reward_sum[rows, policy] / safe, np.asarray(fallback, float))
        v = np.linalg.solve(np.eye(self.n_states) - gamma * p, r)
        return float(self.starts @ v / total)

    # ---------------------------------------------------------------- state
    def to_state(self) -> dict[str, Any]:
        return {
            "visits": self.visits,
            "continues": self.continues,
            "reward_sum": self.reward_sum,
            "starts": self.starts,
        }

    @classmethod
    def from_state(cls, state: Mapping[str, Any]) -> EmpiricalModel:
        visits = np.asarray(state["visits"])
        if visits.ndim != 2:
            raise StateFileError("state: empirical model visits must be 2-d")
        obj = cls(*visits.shape)
        for name in ("visits", "continues", "reward_sum", "starts"):
            got = np.asarray(state[name])
            want = getattr(obj, name)
            if got.shape != want.shape:
                raise StateFileError(f"state: empirical model {name} has the wrong shape")
            setattr(obj, name, got.astype(want.dtype))
        return obj
