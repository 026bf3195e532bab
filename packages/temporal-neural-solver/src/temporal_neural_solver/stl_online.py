"""Online STL robustness for past-time specifications, in time linear in the formula per sample.

Past-time operators only look back, so their robustness at the newest sample follows
from the previous sample's values: ``O a`` keeps a running max, ``H a`` a running min,
``a S b`` the recurrence ``max(b, min(a, previous))``, ``Y a`` the previous value of
``a``. This is the fragment online monitors such as rtamt evaluate without delay.

Examples
--------
>>> m = RobustnessMonitor("H (x <= 3) & O (y > 0)")
>>> [m.update({"x": x, "y": y}) for x, y in [(1.0, -1.0), (2.0, 0.5), (2.5, -2.0)]]
[-1.0, 0.5, 0.5]
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from .errors import TemporalLogicError
from .evaluate import as_formula
from .formula import Formula

__all__ = ["RobustnessMonitor"]

_ALLOWED = frozenset({"true", "false", "cmp", "!", "&", "|", "->", "Y", "O", "H", "S"})


class RobustnessMonitor:
    """Robustness of a past-time STL formula at each new sample.

    Parameters
    ----------
    formula : Formula or str
        Comparisons combined with ``! & | ->`` and past-time ``Y O H S``.

    Raises
    ------
    TemporalLogicError
        For future-time or timed operators or bare atoms.
    """

    def __init__(self, formula: Formula | str) -> None:
        f = as_formula(formula)
        bad = sorted({g.op for g in f.subformulas() if g.op not in _ALLOWED or g.interval})
        if bad:
            raise TemporalLogicError(
                f"formula: online robustness takes past-time STL (comparisons, ! & | ->, Y O H S); "
                f"found {', '.join(bad)}"
            )
        self.formula = f
        self._order = f.subformulas()
        self._prev: dict[Formula, float] | None = None
        self._terms = {
            g: g.predicate.margin_terms() for g in self._order if g.predicate is not None
        }

    def reset(self) -> None:
        self._prev = None

    def update(self, sample: Mapping[str, Any]) -> float:
        """Read one sample (signal name -> value); return the robustness now."""
        if not isinstance(sample, Mapping):
            raise TemporalLogicError(f"sample: expected a dict, got {type(sample).__name__}")
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
        return cur[self.formula]
