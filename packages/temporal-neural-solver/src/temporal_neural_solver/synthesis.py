"""Bounded LTLf satisfiability: the shortest finite trace that satisfies a formula.

Breadth-first search over progressed formulas (the states of the formula's DFA, as
in :class:`~temporal_neural_solver.monitor.Monitor`), trying every letter (set of true
atoms) at each step. The first accepting state found gives a shortest witness. If
the search runs out of new states first, no trace of any length satisfies the
formula; if it reaches ``max_length`` first, none of length ``<= max_length`` does.

Examples
--------
>>> r = synthesize("F (p & X q) & G !r", max_length=5)
>>> r.status, [sorted(s) for s in r.trace]
('SAT', [['p'], ['q']])
>>> synthesize("F p & G !p", max_length=10).exhaustive
True
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from .errors import TemporalLogicError
from .evaluate import as_formula
from .formula import Formula
from .progression import Progression, ends_true

__all__ = ["Synthesis", "synthesize"]

MAX_ATOMS = 12


@dataclass(frozen=True)
class Synthesis:
    """Outcome of :func:`synthesize`.

    Attributes
    ----------
    status : str
        ``"SAT"`` (``trace`` satisfies the formula and no shorter trace does),
        ``"UNSAT"`` (no trace up to ``max_length``; with ``exhaustive`` none at all)
        or ``"UNKNOWN"`` (the timeout ran out).
    trace : tuple of frozenset
        The witness, one set of true atoms per step (empty unless SAT).
    exhaustive : bool
        The search covered every reachable state: an UNSAT holds for all lengths.
    states_explored : int
    """

    status: str
    trace: tuple[frozenset[str], ...] = ()
    exhaustive: bool = False
    states_explored: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "trace": [sorted(s) for s in self.trace],
            "exhaustive": self.exhaustive,
            "states_explored": self.states_explored,
        }


def synthesize(
    formula: Formula | str, *, max_length: int, timeout: float | None = None
) -> Synthesis:
    """The shortest trace of length ``<= max_length`` satisfying ``formula`` (LTLf).

    Parameters
    ----------
    formula : Formula or str
        Future-time LTLf over at most 12 atoms (no comparisons, no timed or past
        operators).
    max_length : int
        Longest trace considered (>= 1).
    timeout : float, optional
        Seconds; when exceeded the result is ``UNKNOWN``.

    Returns
    -------
    Synthesis
    """
    f = as_formula(formula)
    if isinstance(max_length, bool) or not isinstance(max_length, int) or max_length < 1:
        raise TemporalLogicError(f"max_length: must be a positive int, got {max_length!r}")
    if timeout is not None and not (timeout > 0):
        raise TemporalLogicError(f"timeout: must be positive seconds, got {timeout!r}")
    if f.has_past() or f.has_intervals() or f.signals() or f.has_path_quantifiers():
        raise TemporalLogicError(
            "formula: synthesize takes untimed future-time LTLf over atoms "
            "(no past, timed operators, comparisons or A/E)"
        )
    atoms = sorted(f.atoms())
    if len(atoms) > MAX_ATOMS:
        raise TemporalLogicError(f"formula: at most {MAX_ATOMS} atoms, got {len(atoms)}")
    deadline = None if timeout is None else time.perf_counter() + timeout
    leaves = [Formula.make("atom", name=a) for a in atoms]
    prog = Progression(leaves)
    start = Formula.make("X", f.to_nnf())
    seen = {start}
    frontier: list[tuple[Formula, tuple[int, ...]]] = [(start, ())]
    letters = range(1 << len(atoms))
    explored = 0
    for _depth in range(max_length):
        nxt: list[tuple[Formula, tuple[int, ...]]] = []
        for state, path in frontier:
            for mask in letters:
                explored += 1
                if deadline is not None and explored % 256 == 0 and time.perf_counter() > deadline:
                    return Synthesis("UNKNOWN", states_explored=len(seen))
                s2 = prog.advance(state, mask)
                if s2 in seen:
                    continue
                seen.add(s2)
                trace = (*path, mask)
                if ends_true(s2):
                    word = tuple(
                        frozenset(a for k, a in enumerate(atoms) if m >> k & 1) for m in trace
                    )
                    return Synthesis("SAT", word, False, len(seen))
                nxt.append((s2, trace))
        frontier = nxt
        if not frontier:
            return Synthesis("UNSAT", exhaustive=True, states_explored=len(seen))
    return Synthesis("UNSAT", exhaustive=False, states_explored=len(seen))
