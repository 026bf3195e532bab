"""Online STL robustness for past-time specifications, in time linear in the formula per sample.

Past-time operators only look back, so their robustness at the newest sample follows
from the previous sample's values: ``O a`` keeps a running max, ``H a`` a running min,
``a S b`` the recurrence ``max(b, min(a, previous))``, ``Y a`` the previous value of
``a``. The bounded ``O[a,b]`` / ``H[a,b]`` keep a sliding-window max / min (a monotonic
deque: O(1) amortised per sample) over the samples ``a`` to ``b`` time units old;
``p S[a,b] q`` keeps, for each sample still inside ``b``, the best value it can give
(O(window) per sample). This is the fragment online monitors such as rtamt evaluate
without delay.

Examples
--------
>>> m = RobustnessMonitor("H (x <= 3) & O (y > 0)")
>>> [m.update({"x": x, "y": y}) for x, y in [(1.0, -1.0), (2.0, 0.5), (2.5, -2.0)]]
[-1.0, 0.5, 0.5]
>>> m = RobustnessMonitor("O[1,2] (x > 0)")
>>> [m.update({"x": x}, time=t) for t, x in [(0.0, 5.0), (0.5, 1.0), (1.5, 2.0), (3.0, 0.0)]]
[-inf, -inf, 5.0, 2.0]
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping
from typing import Any

from .errors import TemporalLogicError
from .evaluate import as_formula
from .formula import Formula

__all__ = ["RobustnessMonitor"]

_ALLOWED = frozenset({"true", "false", "cmp", "!", "&", "|", "->", "Y", "O", "H", "S"})


class _WindowExtreme:
    """Max (or min) of the values stamped between ``lo`` and ``hi`` time units ago."""

    def __init__(self, interval: tuple[float, float], largest: bool) -> None:
        self.lo, self.hi = interval
        self.sign = 1.0 if largest else -1.0
        self.pending: deque[tuple[float, float]] = deque()  # younger than lo
        self.best: deque[tuple[float, float]] = deque()  # (time, sign*value), decreasing

    def push(self, time: float, value: float) -> float:
        self.pending.append((time, self.sign * value))
        while self.pending and time - self.pending[0][0] >= self.lo:
            t, v = self.pending.popleft()
            while self.best and self.best[-1][1] <= v:
                self.best.pop()  # an older, smaller value can never be the max again
            self.best.append((t, v))
        while self.best and time - self.best[0][0] > self.hi:
            self.best.popleft()
        return self.sign * self.best[0][1] if self.best else -self.sign * math.inf


class _WindowSince:
    """Robustness of ``p S[lo,hi] q``: max over ``q``'s samples ``j`` in the window of
    ``min(q_j, p over every later sample)``."""

    def __init__(self, interval: tuple[float, float]) -> None:
        self.lo, self.hi = interval
        self.open: deque[list[float]] = deque()  # [time, min(q_j, p since j)]

    def push(self, time: float, p: float, q: float) -> float:
        for entry in self.open:
            if entry[1] > p:
                entry[1] = p
        self.open.append([time, q])
        while self.open and time - self.open[0][0] > self.hi:
            self.open.popleft()
        best = -math.inf
        for t, v in self.open:
            if time - t < self.lo:
                break  # times increase: the rest are younger still
            if v > best:
                best = v
        return best


class RobustnessMonitor:
    """Robustness of a past-time STL formula at each new sample.

    Parameters
    ----------
    formula : Formula or str
        Comparisons combined with ``! & | ->`` and past-time ``Y O H S``, including
        the bounded ``O[a,b]``, ``H[a,b]`` and ``S[a,b]``.

    Raises
    ------
    TemporalLogicError
        For future-time operators or bare atoms.
    """

    def __init__(self, formula: Formula | str) -> None:
        f = as_formula(formula)
        bad = sorted(
            {
                g.op + ("[a,b]" if g.interval is not None else "")
                for g in f.subformulas()
                if g.op not in _ALLOWED
            }
        )
        if bad:
            raise TemporalLogicError(
                f"formula: online robustness takes past-time STL (comparisons, ! & | ->, "
                f"Y O H S, O[a,b] H[a,b] S[a,b]); found {', '.join(bad)}"
            )
        self.formula = f
        self._order = f.subformulas()
        self._terms = {
            g: g.predicate.margin_terms() for g in self._order if g.predicate is not None
        }
        self._timed = [g for g in self._order if g.interval is not None]
        self.reset()

    def reset(self) -> None:
        """Start a new stream."""
        self._prev: dict[Formula, float] | None = None
        self._steps = 0
        self._last_time: float | None = None
        self._windows: dict[Formula, _WindowExtreme | _WindowSince] = {}
        for g in self._timed:
            assert g.interval is not None
            self._windows[g] = (
                _WindowSince(g.interval)
                if g.op == "S"
                else _WindowExtreme(g.interval, largest=g.op == "O")
            )

    def _clock(self, time: float | None) -> float:
        if time is None:
            t = float(self._steps)  # the step index, as the offline default
        else:
            if isinstance(time, bool) or not isinstance(time, (int, float)):
                try:
                    t = float(time)
                except (TypeError, ValueError):
                    raise TemporalLogicError(f"time: expected a number, got {time!r}") from None
            else:
                t = float(time)
            if not math.isfinite(t):
                raise TemporalLogicError(f"time: must be finite, got {t}")
        if self._last_time is not None and t <= self._last_time:
            raise TemporalLogicError(
                f"time: timestamps must increase; {t:g} after {self._last_time:g}"
            )
        return t

    def update(self, sample: Mapping[str, Any], time: float | None = None) -> float:
        """Read one sample (signal name -> value); return the robustness now.

        ``time`` (strictly increasing) measures the bounds of ``O[a,b]``, ``H[a,b]``
        and ``S[a,b]``; by default the sample's index (0, 1, 2, ...).
        """
        if not isinstance(sample, Mapping):
            raise TemporalLogicError(f"sample: expected a dict, got {type(sample).__name__}")
        now = self._clock(time)
        prev = self._prev
        cur: dict[Formula, float] = {}
        for g in self._order:
            op = g.op
            if op == "cmp":
                coef, const = self._terms[g]
                v = const
                for name, c in coef.items():
                    x = sample.get(name)
                    if x is None:
                        raise TemporalLogicError(f"sample: unknown signal {name!r}")
                    x = float(x)
                    if not math.isfinite(x):
                        raise TemporalLogicError(f"sample: signal {name!r} is {x}")
                    v += c * x
            elif op == "true":
                v = math.inf
            elif op == "false":
                v = -math.inf
            elif op == "!":
                v = -cur[g.args[0]]
            elif op == "&":
                v = min(cur[g.args[0]], cur[g.args[1]])
            elif op == "|":
                v = max(cur[g.args[0]], cur[g.args[1]])
            elif op == "->":
                v = max(-cur[g.args[0]], cur[g.args[1]])
            elif g.interval is not None:
                window = self._windows[g]
                if isinstance(window, _WindowSince):
                    v = window.push(now, cur[g.args[0]], cur[g.args[1]])
                else:
                    v = window.push(now, cur[g.args[0]])
            elif op == "Y":
                v = prev[g.args[0]] if prev is not None else -math.inf
            elif op == "O":
                v = cur[g.args[0]] if prev is None else max(prev[g], cur[g.args[0]])
            elif op == "H":
                v = cur[g.args[0]] if prev is None else min(prev[g], cur[g.args[0]])
            else:  # S
                before = prev[g] if prev is not None else -math.inf
                v = max(cur[g.args[1]], min(cur[g.args[0]], before))
            cur[g] = v
        self._prev = cur
        self._steps += 1
        self._last_time = now
        return cur[self.formula]
