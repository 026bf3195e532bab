"""One meta level: a non-stationary bandit over settings of the level below.

Level ``k`` keeps a value estimate for every setting of level ``k-1``'s tunable
hyperparameters it has tried: the mean base reward earned while that setting was in
force, averaged with a constant step ``step`` (recency-weighted, so old evidence fades
as the learner and the task change) and the unbiased start of Sutton & Barto (2018,
exercise 2.7), ``beta_n = step / o_n`` with ``o_n = o_{n-1} + step (1 - o_{n-1})``.
Each decision it considers its centre setting and the coordinate moves around it (one
parameter times ``1/factor`` or ``factor``, clipped to its range): untried candidates
first, otherwise the best estimate, or with probability ``explore`` a random candidate.
When another setting's estimate (tried at least twice) beats the centre's, the centre
moves there, so the search walks through the range. The range of each parameter is
its valid range intersected with ``[start / span, start * span]`` around the starting
value (:class:`~strange_loop.StrangeLoop`'s ``span``), so noisy estimates cannot walk
the learner into a degenerate corner such as a vanishing step size.

This is the non-stationary bandit over hyperparameter settings of Schaul et al.
(2019, "Adapting Behaviour for Learning Progress", arXiv:1912.06910), with a
constant-step estimator (Sutton & Barto 2018, section 2.5) for the drift, applied
recursively: ``step`` and ``explore`` of level ``k`` are themselves the
hyperparameters level ``k+1`` tunes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np

from ._validation import as_int, as_rate
from .errors import InvalidParameterError
from .learner import ParamRange

__all__ = ["MetaLevel", "setting_key"]


def setting_key(setting: Mapping[str, float]) -> str:
    """A stable text key of a setting (6 significant digits per value)."""
    return ",".join(f"{k}={float(v):.6g}" for k, v in sorted(setting.items()))


class MetaLevel:
    """Level ``level`` of a :class:`~strange_loop.StrangeLoop` (see the module docstring)."""

    PARAMS: ClassVar[dict[str, ParamRange]] = {
        "step": ParamRange(0.01, 1.0),
        "explore": ParamRange(0.0, 0.5, log=False),
    }

    def __init__(
        self,
        level: int,
        ranges: Mapping[str, ParamRange],
        center: Mapping[str, float],
        *,
        block: int,
        step: float = 0.1,
        explore: float = 0.1,
        factor: float = 2.0,
    ) -> None:
        self.level = as_int(level, "level", minimum=1)
        self.block = as_int(block, "block", minimum=1)
        self.factor = as_rate(factor, "factor")
        if self.factor <= 1.0:
            raise InvalidParameterError(f"factor: must be > 1, got {self.factor}")
        if not ranges:
            raise InvalidParameterError("tune: no hyperparameters to adapt")
        self.ranges = dict(ranges)
        self.center = {k: self.ranges[k].check(k, v) for k, v in center.items()}
        self._params = {
            "step": self.PARAMS["step"].check("step", step),
            "explore": self.PARAMS["explore"].check("explore", explore),
        }
        # key -> [estimate, o (unbiased-step trace), count]; key -> setting
        self.stats: dict[str, list[float]] = {}
        self.settings: dict[str, dict[str, float]] = {}
        self.history: list[tuple[str, float]] = []  # the level's own adaptation trace
        self.decisions = 0
        self.reward_sum = 0.0
        self.reward_n = 0
        self.active = setting_key(self.center)

    @property
    def hyperparameters(self) -> dict[str, float]:
        return dict(self._params)

    def set_hyperparameter(self, name: str, value: float) -> None:
        spec = self.PARAMS.get(name)
        if spec is None:
            raise InvalidParameterError(
                f"name: {name!r} is not a meta-level hyperparameter; expected 'step' or 'explore'"
            )
        self._params[name] = spec.check(name, value)

    def grid(self) -> list[dict[str, float]]:
        """The centre and its coordinate neighbours: one parameter ×1/factor or ×factor."""
        out = [dict(self.center)]
        for name, value in self.center.items():
            spec = self.ranges[name]
            if value == 0.0:
                moves = [spec.clip(spec.low + 0.01 * (spec.high - spec.low))]
            else:
                moves = [spec.clip(value / self.factor), spec.clip(value * self.factor)]
            for v in moves:
                candidate = {**self.center, name: v}
                if v != value and candidate not in out:
                    out.append(candidate)
        return out

    def estimate(self, setting: Mapping[str, float]) -> float | None:
        s = self.stats.get(setting_key(setting))
        return None if s is None else s[0]

    def update(self, reward: float) -> None:
        """Credit ``reward`` (mean base reward of the block) to the active setting."""
        key = self.active
        s = self.stats.get(key)
        if s is None:
            s = self.stats[key] = [0.0, 0.0, 0.0]
        step = self._params["step"]
        s[1] += step * (1.0 - s[1])
        s[0] += step / s[1] * (reward - s[0])
        s[2] += 1
        self.history.append((key, float(reward)))
        if len(self.history) > 4096:
            del self.history[:1024]

    def best(self, min_count: int = 1) -> tuple[str, float] | None:
        """The tried setting with the highest estimate (count >= ``min_count``)."""
        tried = [(k, s[0]) for k, s in self.stats.items() if s[2] >= min_count]
        if not tried:
            return None
        return max(tried, key=lambda kv: kv[1])

    def choose(self, rng: np.random.Generator, current: Mapping[str, float]) -> dict[str, float]:
        """The setting for the next block (see the module docstring)."""
        self.decisions += 1
        self.settings.setdefault(setting_key(current), dict(current))
        best = self.best(min_count=2)
        if best is not None:
            center_est = self.estimate(self.center)
            if center_est is None or best[1] > center_est:
                self.center = dict(self.settings[best[0]])
        grid = self.grid()
        for g in grid:
            self.settings.setdefault(setting_key(g), g)
        if rng.random() < self._params["explore"]:
            return grid[int(rng.integers(len(grid)))]
        untried = [g for g in grid if setting_key(g) not in self.stats]
        if untried:
            return untried[int(rng.integers(len(untried)))]
        values = np.array([self.stats[setting_key(g)][0] for g in grid])
        top = np.flatnonzero(values == values.max())
        return grid[int(top[rng.integers(top.shape[0])])]

    def to_state(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "block": self.block,
            "factor": self.factor,
            "ranges": {k: [r.low, r.high, r.log] for k, r in self.ranges.items()},
            "center": self.center,
            "params": self._params,
            "stats": self.stats,
            "settings": self.settings,
            "history": [list(h) for h in self.history],
            "decisions": self.decisions,
            "reward_sum": self.reward_sum,
            "reward_n": self.reward_n,
            "active": self.active,
        }

    @classmethod
    def from_state(cls, state: Mapping[str, Any]) -> MetaLevel:
        ranges = {
            k: ParamRange(float(lo), float(hi), bool(lg))
            for k, (lo, hi, lg) in state["ranges"].items()
        }
        m = cls(
            state["level"],
            ranges,
            state["center"],
            block=state["block"],
            step=state["params"]["step"],
            explore=state["params"]["explore"],
            factor=state["factor"],
        )
        m.stats = {k: [float(x) for x in v] for k, v in state["stats"].items()}
        m.settings = {k: {n: float(x) for n, x in v.items()} for k, v in state["settings"].items()}
        m.history = [(str(k), float(r)) for k, r in state["history"]]
        m.decisions = int(state["decisions"])
        m.reward_sum = float(state["reward_sum"])
        m.reward_n = int(state["reward_n"])
        m.active = str(state["active"])
        return m
