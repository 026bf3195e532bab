"""Base of the level-0 learners: validated hyperparameters, random stream, saved state.

Every learner declares its tunable hyperparameters with their valid range
(:class:`ParamRange`); meta levels read and change them only through
``hyperparameters`` and ``set_hyperparameter``, which validate every value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from ._validation import as_real, as_seed_rng
from .errors import InvalidParameterError, StateFileError

__all__ = ["Learner", "ParamRange"]


@dataclass(frozen=True)
class ParamRange:
    """Closed valid range of a hyperparameter; ``log`` says it is searched on a log scale."""

    low: float
    high: float
    log: bool = True

    def check(self, name: str, value: Any) -> float:
        v = as_real(value, name)
        if not self.low <= v <= self.high:
            raise InvalidParameterError(f"{name}: must be in [{self.low}, {self.high}], got {v}")
        return v

    def clip(self, value: float) -> float:
        return min(self.high, max(self.low, value))

    def scale(self, value: float, factor: float) -> float:
        """``value`` moved by ``factor`` (multiplicatively on a log scale), clipped."""
        if self.log:
            return self.clip(value * factor)
        return self.clip(value + math.log(factor) * (self.high - self.low) / 10.0)


class Learner:
    """Shared machinery; subclasses set ``PARAMS`` and implement the agent methods."""

    PARAMS: ClassVar[dict[str, ParamRange]] = {}

    def __init__(self, seed: int | None, **params: Any) -> None:
        self.rng = as_seed_rng(seed)
        self._params: dict[str, float] = {}
        for name, value in params.items():
            self._params[name] = self.PARAMS[name].check(name, value)
        self.last_td_error = 0.0

    @property
    def hyperparameters(self) -> dict[str, float]:
        """Current values of the tunable hyperparameters (a copy)."""
        return dict(self._params)

    def set_hyperparameter(self, name: str, value: float) -> None:
        """Set one tunable hyperparameter after checking its range."""
        spec = self.PARAMS.get(name)
        if spec is None:
            raise InvalidParameterError(
                f"name: {name!r} is not a hyperparameter of {type(self).__name__}; "
                f"expected one of {sorted(self.PARAMS)}"
            )
        self._params[name] = spec.check(name, value)

    # ------------------------------------------------------------------ state
    def _arrays(self) -> dict[str, np.ndarray]:
        """Learned arrays to save (subclasses extend)."""
        return {}

    def _set_arrays(self, arrays: dict[str, np.ndarray]) -> None:
        """Restore learned arrays (subclasses extend)."""

    def _config(self) -> dict[str, Any]:
        """Constructor arguments other than hyperparameters and seed (subclasses extend)."""
        return {}

    def to_state(self) -> dict[str, Any]:
        """Everything needed to continue exactly: config, hyperparameters, arrays, RNG."""
        return {
            "kind": type(self).__name__,
            "config": self._config(),
            "params": dict(self._params),
            "arrays": self._arrays(),
            "rng": self.rng.bit_generator.state,
            "last_td_error": self.last_td_error,
            "extra": self._extra_state(),
        }

    def _extra_state(self) -> dict[str, Any]:
        return {}

    def _set_extra_state(self, extra: dict[str, Any]) -> None:
        pass

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Learner:
        """Rebuild a learner saved by :meth:`to_state`."""
        try:
            obj = cls(**state["config"], **state["params"], seed=0)
            arrays = state["arrays"]
            expected = obj._arrays()
            for key, value in expected.items():
                got = arrays[key]
                if not isinstance(got, np.ndarray) or got.shape != value.shape:
                    raise StateFileError(f"state: array {key!r} has the wrong shape")
            obj._set_arrays({k: np.array(arrays[k]) for k in expected})
            obj.rng.bit_generator.state = state["rng"]
            obj.last_td_error = float(state["last_td_error"])
            obj._set_extra_state(state["extra"])
        except StateFileError:
            raise
        except (KeyError, TypeError, ValueError) as exc:
            raise StateFileError(f"state: cannot rebuild {cls.__name__}: {exc}") from exc
        return obj


def epsilon_greedy(q: np.ndarray, epsilon: float, rng: np.random.Generator) -> int:
    """ε-greedy choice with ties among the maxima broken uniformly at random.

    Draw order (the reference learners in the tests follow it): one ``random()``;
    below ε, one ``integers(n)``; otherwise, only when several actions tie for the
    maximum, one ``integers(ties)``.
    """
    if rng.random() < epsilon:
        return int(rng.integers(q.shape[0]))
    best = np.flatnonzero(q == q.max())
    if best.shape[0] == 1:
        return int(best[0])
    return int(best[rng.integers(best.shape[0])])


def epsilon_greedy_probabilities(q: np.ndarray, epsilon: float) -> np.ndarray:
    """The action probabilities of :func:`epsilon_greedy` (greedy mass split over ties)."""
    n = q.shape[0]
    best = q == q.max()
    probs = np.full(n, epsilon / n)
    probs[best] += (1.0 - epsilon) / best.sum()
    return probs
