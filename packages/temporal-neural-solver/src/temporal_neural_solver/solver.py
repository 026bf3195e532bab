"""The original object API: keep a bounded trace of states and verify formulas on it.

Examples
--------
>>> s = TemporalNeuralSolver(max_trace_length=3)
>>> for state in [{"request"}, {"response"}, {"request"}, {"response"}]:
...     s.add_state(state)
>>> s.trace_length, s.verify("G (request -> F response)").holds
(3, True)
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from typing import Any

from .errors import TemporalLogicError
from .evaluate import Verdict, evaluate
from .formula import Formula
from .synthesis import Synthesis, synthesize

__all__ = ["TemporalNeuralSolver"]


class TemporalNeuralSolver:
    """A sliding window of the most recent states, checked with LTLf semantics.

    Parameters
    ----------
    max_trace_length : int
        Older states are dropped once the trace holds this many.
    unknown : {"error", "false"}
        Passed to :func:`evaluate`: what an atom missing from a dict state means.
    """

    def __init__(self, max_trace_length: int = 10_000, *, unknown: str = "error") -> None:
        if (
            isinstance(max_trace_length, bool)
            or not isinstance(max_trace_length, int)
            or max_trace_length < 1
        ):
            raise TemporalLogicError(
                f"max_trace_length: must be a positive int, got {max_trace_length!r}"
            )
        if unknown not in ("error", "false"):
            raise TemporalLogicError(f"unknown: expected 'error' or 'false', got {unknown!r}")
        self.max_trace_length = max_trace_length
        self.unknown = unknown
        self._trace: deque[Any] = deque(maxlen=max_trace_length)

    def add_state(self, state: Mapping[str, Any] | Iterable[str]) -> None:
        """Append one state: a dict of values or a collection of the true atoms."""
        if isinstance(state, Mapping):
            self._trace.append(dict(state))
        elif isinstance(state, (str, bytes)) or not isinstance(state, Iterable):
            raise TemporalLogicError(
                f"state: expected a dict or a collection of atoms, got {type(state).__name__}"
            )
        else:
            self._trace.append(frozenset(state))
        if len({type(s) for s in self._trace}) > 1:
            self._trace.pop()
            raise TemporalLogicError(
                "state: do not mix dict states and atom-set states in one trace"
            )

    @property
    def trace_length(self) -> int:
        return len(self._trace)

    def clear_trace(self) -> None:
        self._trace.clear()

    def verify(self, formula: Formula | str) -> Verdict:
        """Evaluate ``formula`` on the current trace (LTLf), with witness or counterexample."""
        if not self._trace:
            raise TemporalLogicError("trace: no states added yet")
        return evaluate(formula, list(self._trace), unknown=self.unknown)

    def synthesize(self, formula: Formula | str, *, max_length: int = 20) -> Synthesis:
        """A shortest trace satisfying ``formula`` (see :func:`synthesize`)."""
        return synthesize(formula, max_length=max_length)
