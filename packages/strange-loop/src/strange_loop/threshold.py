"""Online threshold tuning from labelled feedback, for the midstream platform.

:class:`ThresholdTuner` picks one of a few candidate thresholds (for example an alert
score cut-off) with a bandit policy, learns from a reward per decision, and optionally
refuses settings that would violate safety constraints over its own trace
(``threshold``, ``reward_avg``, ``precision``, ``recall`` and the guard's flags are the
signals). :meth:`ThresholdTuner.feedback_label` turns a labelled outcome into a reward:
``+1`` for a true positive or true negative, ``-fp_cost`` for a false alarm and
``-fn_cost`` for a miss.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ._validation import as_int, as_rate, as_real
from .bandits import UCB, EpsilonGreedyBandit, ThompsonSampling
from .errors import InvalidParameterError, StrangeLoopError
from .safety import Modification, SafetyConstraint, SafetyGuard

__all__ = ["ThresholdTuner"]


class ThresholdTuner:
    """A bandit over candidate thresholds, rewarded by labelled feedback.

    Parameters
    ----------
    candidates : sequence of float
        Thresholds to choose among (at least one, finite, distinct).
    policy : {"ucb", "thompson", "epsilon"}
        ``"ucb"`` is constant-step UCB (``alpha``), ``"thompson"`` discounted Gaussian
        Thompson sampling, ``"epsilon"`` constant-step ε-greedy; all track drift.
    decide_every : int
        Feedback events per decision (the chosen threshold stays for that many).
    constraints : list of str, optional
        Safety constraints; a switch to a threshold they forbid is refused (the
        current one stays) and recorded in ``audit``.
    fp_cost, fn_cost : float
        Costs of a false alarm and of a miss in :meth:`feedback_label`.
    seed : int, optional

    Examples
    --------
    >>> tuner = ThresholdTuner([0.3, 0.5, 0.7], constraints=["G (threshold >= 0.4)"], seed=0)
    >>> rng = __import__("numpy").random.default_rng(0)
    >>> for _ in range(2000):
    ...     t = tuner.threshold
    ...     score, anomalous = rng.random(), rng.random() < 0.3
    ...     score = score * 0.5 + (0.5 if anomalous else 0.0)
    ...     tuner.feedback_label(predicted=score >= t, actual=anomalous)
    >>> tuner.threshold >= 0.4, tuner.best()
    (True, 0.5)
    """

    def __init__(
        self,
        candidates: Sequence[float],
        *,
        policy: str = "ucb",
        decide_every: int = 20,
        alpha: float = 0.1,
        constraints: list[str | SafetyConstraint] | None = None,
        fp_cost: float = 1.0,
        fn_cost: float = 1.0,
        seed: int | None = None,
    ) -> None:
        try:
            values = [as_real(c, "candidates") for c in candidates]
        except TypeError as exc:
            raise InvalidParameterError(
                f"candidates: expected a sequence of numbers: {exc}"
            ) from exc
        if not values or len(set(values)) != len(values):
            raise InvalidParameterError("candidates: need at least one threshold, all distinct")
        self.candidates = values
        self.decide_every = as_int(decide_every, "decide_every", minimum=1)
        self.fp_cost = as_rate(fp_cost, "fp_cost", allow_zero=True)
        self.fn_cost = as_rate(fn_cost, "fn_cost", allow_zero=True)
        n = len(values)
        if policy == "ucb":
            self.bandit: Any = UCB(n, c=1.0, alpha=alpha, seed=seed)
        elif policy == "thompson":
            self.bandit = ThompsonSampling(n, discount=1.0 - alpha / 10.0, seed=seed)
        elif policy == "epsilon":
            self.bandit = EpsilonGreedyBandit(n, epsilon=0.1, alpha=alpha, seed=seed)
        else:
            raise InvalidParameterError(
                f"policy: expected 'ucb', 'thompson' or 'epsilon', got {policy!r}"
            )
        self.guard = SafetyGuard(constraints, max_per_cycle=1) if constraints else None
        self.arm = self._first_allowed()
        self._sum = 0.0
        self._n = 0
        self._tp = self._fp = self._fn = 0
        self.decisions = 0
        self.values = np.zeros(n)
        self.counts = np.zeros(n, dtype=np.int64)

    def _first_allowed(self) -> int:
        if self.guard is None:
            return 0
        for i, c in enumerate(self.candidates):
            row = {"threshold": c, "reward_avg": 0.0, "precision": 1.0, "recall": 1.0}
            if not self.guard.violations(self.guard.shadow_row(Modification("set"), row)):
                return i
        raise StrangeLoopError("constraints: every candidate threshold violates them")

    @property
    def threshold(self) -> float:
        """The threshold in force."""
        return self.candidates[self.arm]

    def feedback(self, reward: float) -> None:
        """Credit a reward (higher is better) to the threshold in force."""
        r = as_real(reward, "reward")
        self._sum += r
        self._n += 1
        if self._n >= self.decide_every:
            self._decide()

    def feedback_label(self, *, predicted: bool, actual: bool) -> None:
        """Credit a labelled outcome: was an alert raised (``predicted``), was it real."""
        if predicted and actual:
            self._tp += 1
            r = 1.0
        elif predicted:
            self._fp += 1
            r = -self.fp_cost
        elif actual:
            self._fn += 1
            r = -self.fn_cost
        else:
            r = 1.0
        self.feedback(r)

    def _decide(self) -> None:
        mean = self._sum / self._n
        self.bandit.observe(None, self.arm, mean, None, False, False)
        self.counts[self.arm] += 1
        self.values[self.arm] += max(0.1, 1.0 / self.counts[self.arm]) * (
            mean - self.values[self.arm]
        )
        self._sum, self._n = 0.0, 0
        self.decisions += 1
        choice = int(self.bandit.act(None))
        if self.guard is None:
            self.arm = choice
            return
        prec = self._tp / (self._tp + self._fp) if self._tp + self._fp else 1.0
        rec = self._tp / (self._tp + self._fn) if self._tp + self._fn else 1.0
        self.guard.begin_cycle()
        self.guard.record(
            {"threshold": self.threshold, "reward_avg": mean, "precision": prec, "recall": rec},
            self._apply,
        )
        if choice != self.arm:
            self.guard.propose(
                Modification("set", "base", {"threshold": self.candidates[choice]}, "tuner"),
                self._apply,
            )

    def _apply(self, mod: Modification) -> Modification:
        old = self.threshold
        self.arm = self.candidates.index(float(mod.changes["threshold"]))
        return Modification("set", "base", {"threshold": old}, "rollback")

    def best(self) -> float:
        """The tried candidate with the highest recency-weighted mean reward."""
        tried = np.flatnonzero(self.counts > 0)
        if tried.shape[0] == 0:
            return self.threshold
        return self.candidates[int(tried[np.argmax(self.values[tried])])]

    @property
    def audit(self) -> list[Any]:
        """The guard's audit log (empty without constraints)."""
        return [] if self.guard is None else list(self.guard.audit)
