"""Learned or user rules: when a condition holds on the latest cycle, change settings.

The condition is a temporal-neural-solver formula over the recorded signals, evaluated
at the *last* row of the recorded trace (:func:`temporal_neural_solver.satisfaction`),
so past-time operators (``O``, ``H``, ``Y``, ``S``) look back over earlier rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import temporal_neural_solver as tns

from ._records import float_values, record_dict
from ._validation import as_real
from .errors import ConstraintSyntaxError, InvalidParameterError

__all__ = ["Rule"]


@dataclass(frozen=True)
class Rule:
    """``when`` holds at the latest row -> propose setting ``changes`` on ``target``.

    Examples
    --------
    >>> r = Rule("damp", "td_abs > 1.0", {"alpha": 0.05})
    >>> r.fires([{"td_abs": 0.2}, {"td_abs": 1.5}])
    True
    """

    name: str
    when: str
    changes: Mapping[str, float] = field(default_factory=dict)
    target: str = "base"

    def __post_init__(self) -> None:
        try:
            tns.parse(self.when)
        except tns.TemporalLogicError as exc:
            raise ConstraintSyntaxError(f"rule {self.name!r}: {exc}") from exc
        for k, v in self.changes.items():
            as_real(v, f"changes[{k!r}]")

    def fires(self, rows: Sequence[Mapping[str, Any]]) -> bool:
        """Whether ``when`` holds at the last of ``rows`` (past operators see the rest)."""
        if not rows:
            return False
        try:
            sat = tns.satisfaction(self.when, list(rows), times=np.arange(len(rows)))
        except tns.TemporalLogicError as exc:
            raise InvalidParameterError(f"rule {self.name!r}: {exc}") from exc
        return bool(sat[-1])

    def to_dict(self) -> dict[str, Any]:
        return record_dict(self, convert={"changes": float_values})

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Rule:
        return cls(str(d["name"]), str(d["when"]), dict(d["changes"]), str(d["target"]))
