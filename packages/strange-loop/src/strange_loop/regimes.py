"""Recurring behaviour and regimes seen before, found with temporal-compare.

* :func:`behaviour_patterns` - recurring runs in an action, state or setting sequence
  (:func:`temporal_compare.find_patterns`: suffix array + LCP, with its confidence).
* :class:`RegimeMemory` - reward-curve snapshots with the setting that worked best
  then; :meth:`RegimeMemory.recall` finds the snapshot nearest to a new curve by DTW
  (:func:`temporal_compare.dtw`, Sakoe-Chiba window) and reports a confidence
  ``exp(-d / scale)`` with ``scale = sqrt(len) * (std of the query + 0.05)``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

import temporal_compare as tc

from ._validation import as_int, as_probability
from .errors import InvalidParameterError

__all__ = ["Recall", "RegimeMemory", "behaviour_patterns"]


def behaviour_patterns(
    sequence: Sequence[Any],
    *,
    min_length: int = 2,
    max_length: int = 4,
    min_count: int = 2,
    top: int = 5,
) -> list[tc.Pattern]:
    """The ``top`` most frequent recurring runs of ``sequence`` (temporal-compare patterns).

    Examples
    --------
    >>> [(p.tokens, p.count) for p in behaviour_patterns([0, 1, 0, 1, 0, 1], top=1)]
    [((0, 1), 3)]
    """
    top = as_int(top, "top", minimum=1)
    if len(sequence) < 2:
        return []
    return tc.find_patterns(list(sequence), min_length, max_length, min_count=min_count)[:top]


@dataclass(frozen=True)
class Recall:
    """The stored regime nearest to a query curve."""

    index: int
    distance: float
    confidence: float
    setting: dict[str, float]
    value: float


class RegimeMemory:
    """Reward-curve snapshots and the best setting at the time.

    Examples
    --------
    >>> mem = RegimeMemory(length=4)
    >>> mem.store([0.0, 0.1, 0.2, 0.3], {"alpha": 0.1}, 0.3)
    >>> mem.store([1.0, 1.0, 1.1, 1.0], {"alpha": 0.4}, 1.0)
    >>> r = mem.recall([0.9, 1.0, 1.0, 1.05])
    >>> r.setting, r.confidence > 0.5
    ({'alpha': 0.4}, True)
    """

    def __init__(self, length: int = 16, capacity: int = 64, window: int = 3) -> None:
        self.length = as_int(length, "length", minimum=2)
        self.capacity = as_int(capacity, "capacity", minimum=1)
        self.window = as_int(window, "window", minimum=0)
        self.curves: list[np.ndarray] = []
        self.settings: list[dict[str, float]] = []
        self.values: list[float] = []

    def _curve(self, curve: Any) -> np.ndarray:
        x = np.asarray(curve, dtype=np.float64).ravel()
        if x.shape[0] != self.length or not np.all(np.isfinite(x)):
            raise InvalidParameterError(
                f"curve: expected {self.length} finite values, got shape {x.shape}"
            )
        return x

    def store(self, curve: Any, setting: Mapping[str, float], value: float) -> None:
        """Remember ``curve`` with the ``setting`` that earned ``value`` there."""
        self.curves.append(self._curve(curve))
        self.settings.append({k: float(v) for k, v in setting.items()})
        self.values.append(float(value))
        if len(self.curves) > self.capacity:
            del self.curves[0], self.settings[0], self.values[0]

    def recall(self, curve: Any, *, min_confidence: float = 0.0) -> Recall | None:
        """Nearest stored regime by DTW, or None (empty memory or below ``min_confidence``)."""
        q = self._curve(curve)
        as_probability(min_confidence, "min_confidence")
        if not self.curves:
            return None
        dists = [tc.dtw(q, c, window=self.window) for c in self.curves]
        i = int(np.argmin(dists))
        scale = math.sqrt(self.length) * (float(q.std()) + 0.05)
        conf = math.exp(-dists[i] / scale)
        if conf < min_confidence:
            return None
        return Recall(i, float(dists[i]), conf, dict(self.settings[i]), self.values[i])

    def to_state(self) -> dict[str, Any]:
        return {
            "length": self.length,
            "capacity": self.capacity,
            "window": self.window,
            "curves": np.array(self.curves).reshape(len(self.curves), self.length),
            "settings": self.settings,
            "values": self.values,
        }

    @classmethod
    def from_state(cls, state: Mapping[str, Any]) -> RegimeMemory:
        m = cls(state["length"], state["capacity"], state["window"])
        m.curves = [np.array(c, dtype=np.float64) for c in np.asarray(state["curves"])]
        m.settings = [dict(s) for s in state["settings"]]
        m.values = [float(v) for v in state["values"]]
        return m
