"""Step-size selection for tabular Q-learning by a population sharing one experience stream.

In an episodic task with a sparse reward the block return says little about a step
size: most episodes end with 0 whatever α is, and the quantity that matters - how good
the greedy policy has become - changes slowly. This method compares step sizes on
that quantity directly, with no extra interaction:

* **One stream, several learners.** Q-learning is off-policy: its update does not
  depend on how the action was chosen. So beside the base learner (step size α), the
  population keeps shadow value tables with step sizes ``α / factor`` and
  ``α · factor``, each updated by Q-learning from every transition the base sees.
* **Evaluation on the empirical model.** Every decision evaluates each member's
  greedy policy exactly on the maximum-likelihood model of all transitions seen so far
  (:class:`~strange_loop.empirical.EmpiricalModel`): all members are judged on the same
  data, so the comparison is paired and noise-free given the data.
* **Exploit, then explore** (population-based training: Jaderberg et al. 2017,
  "Population based training of neural networks", arXiv:1711.09846). When a shadow's
  greedy policy is worth more than the base's, the loop proposes a *swap*: the base
  takes that shadow's values and step size (a :class:`~strange_loop.safety.Modification`
  the safety guard checks). New shadows are then spawned around the new α from copies
  of the new base's values.

What it does not do, stated plainly: it chooses α only (exploration is not tested, as
a shadow with another ε would need other actions); the evaluation trusts the empirical
model, which is biased where data are few (states seen a few times), and uses the
member's own estimate where the policy takes an action never tried; the cost per
decision is one ``n_states × n_states`` linear solve per member.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ._validation import as_rate
from .empirical import EmpiricalModel
from .errors import InvalidParameterError, StateFileError

__all__ = ["StepSizePopulation"]

#: Relative difference of two policy values treated as a tie (rounding of the solve).
TIE_TOLERANCE = 1e-9


class StepSizePopulation:
    """The population of the module docstring (sans-I/O policy object).

    Parameters
    ----------
    q : ndarray, shape (n_states, n_actions)
        The base learner's action values at the start.
    alpha : float
        The base's step size; shadows start at ``alpha / factor`` and ``alpha * factor``.
    low, high : float
        Range the step sizes stay in.
    factor : float
        Spacing of the members' step sizes (> 1).

    Examples
    --------
    >>> import numpy as np
    >>> pop = StepSizePopulation(np.zeros((3, 2)), 0.1, low=0.025, high=0.4)
    >>> [round(a, 3) for a in pop.alphas]
    [0.05, 0.2]
    """

    def __init__(
        self,
        q: np.ndarray,
        alpha: float,
        *,
        low: float,
        high: float,
        factor: float = 2.0,
    ) -> None:
        q = np.asarray(q, dtype=np.float64)
        if q.ndim != 2:
            raise InvalidParameterError(f"q: expected a 2-d table, got shape {q.shape}")
        self.low = as_rate(low, "low", maximum=1.0)
        self.high = as_rate(high, "high", maximum=1.0)
        alpha = as_rate(alpha, "alpha", maximum=1.0)
        if not self.low <= alpha <= self.high:
            raise InvalidParameterError(
                f"alpha: must lie in [low, high] = [{self.low}, {self.high}], got {alpha}"
            )
        self.factor = as_rate(factor, "factor")
        if self.factor <= 1.0:
            raise InvalidParameterError(f"factor: must be > 1, got {self.factor}")
        self.model = EmpiricalModel(*q.shape)
        self.decisions = 0
        self.moves = 0
        self._spawn(alpha, q)

    def _spawn(self, alpha: float, q: np.ndarray) -> None:
        self.center = alpha
        around = {
            min(self.high, max(self.low, a)) for a in (alpha / self.factor, alpha * self.factor)
        }
        self.alphas = sorted(a for a in around if a != alpha)
        self.q = np.repeat(np.asarray(q, dtype=np.float64)[None], len(self.alphas), axis=0)

    def start(self, state: int) -> None:
        """Count the first state of an episode."""
        self.model.start(state)

    def observe(
        self,
        state: int,
        action: int,
        reward: float,
        next_state: int,
        terminated: bool,
        gamma: float,
    ) -> None:
        """Count the transition and update every shadow by Q-learning."""
        self.model.observe(state, action, reward, next_state, terminated)
        if not self.alphas:
            return
        target = np.full(len(self.alphas), reward)
        if not terminated:
            target += gamma * self.q[:, next_state].max(axis=1)
        rates = np.asarray(self.alphas)
        self.q[:, state, action] += rates * (target - self.q[:, state, action])

    def _value(self, q: np.ndarray, gamma: float) -> float:
        # the greedy policy takes the lowest-index maximum, as the learners' greedy_action
        policy = np.argmax(q, axis=1)
        return self.model.policy_value(policy, q[np.arange(q.shape[0]), policy], gamma)

    def candidate(self, q: np.ndarray, gamma: float) -> tuple[float, np.ndarray, float] | None:
        """The shadow whose greedy policy is worth most, if more than the base's.

        Returns ``(alpha, values, gain)`` - the shadow's step size, a copy of its table
        and its value minus the base's on the empirical model - or None.
        """
        self.decisions += 1
        if not self.alphas:
            return None
        base = self._value(np.asarray(q), gamma)
        values = [self._value(self.q[k], gamma) for k in range(len(self.alphas))]
        # differences within rounding of the solve are ties, which keep the base and
        # go to the smaller step size among the shadows
        tol = TIE_TOLERANCE * max(1.0, abs(base))
        best = max(values)
        if best <= base + tol:
            return None
        k = next(i for i, v in enumerate(values) if v >= best - tol)
        return self.alphas[k], self.q[k].copy(), values[k] - base

    def follow(self, q: np.ndarray, alpha: float) -> None:
        """Re-centre on the base after a decision: new shadows if its α changed."""
        if alpha != self.center:
            self.moves += 1
            self._spawn(min(self.high, max(self.low, alpha)), q)

    # ---------------------------------------------------------------- state
    def to_state(self) -> dict[str, Any]:
        return {
            "low": self.low,
            "high": self.high,
            "factor": self.factor,
            "center": self.center,
            "alphas": list(self.alphas),
            "q": self.q,
            "model": self.model.to_state(),
            "decisions": self.decisions,
            "moves": self.moves,
        }

    @classmethod
    def from_state(cls, state: Mapping[str, Any]) -> StepSizePopulation:
        alphas = [float(a) for a in state["alphas"]]
        q = np.asarray(state["q"], dtype=np.float64)
        model = EmpiricalModel.from_state(state["model"])
        if q.shape != (len(alphas), model.n_states, model.n_actions):
            raise StateFileError("state: step-size population tables have the wrong shape")
        obj = cls.__new__(cls)
        obj.low, obj.high = float(state["low"]), float(state["high"])
        obj.factor = float(state["factor"])
        obj.center = float(state["center"])
        obj.alphas = alphas
        obj.q = q.copy()
        obj.model = model
        obj.decisions = int(state["decisions"])
        obj.moves = int(state["moves"])
        return obj
