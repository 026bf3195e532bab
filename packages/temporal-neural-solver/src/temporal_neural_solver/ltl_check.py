"""LTL model checking of Kripke structures, with a lasso counterexample.

``check_ltl(model, φ)`` builds the GPVW automaton of ``¬φ``, explores its product
with the model on the fly (a product state exists only where the model state's
labels agree with the automaton state's literals) and searches for an accepting
lasso with Tarjan's SCC algorithm. A lasso found is a path of the model violating
``φ``: ``prefix`` then ``loop`` repeated forever.

Examples
--------
>>> from temporal_neural_solver import Kripke
>>> m = Kripke(["a", "b"], [("a", "b"), ("b", "a"), ("b", "b")], {"a": ["p"]}, ["a"])
>>> r = check_ltl(m, "G F p")
>>> r.status, r.prefix, r.loop
('FALSE', ('a',), ('b',))
>>> check_ltl(m, "p & X !p").holds
True
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._records import record_dict
from .automaton import TimeBudgetExceeded, find_accepting_lasso, ltl_to_buchi
from .errors import TemporalLogicError
from .evaluate import as_formula
from .formula import Formula
from .kripke import Kripke

__all__ = ["LTLResult", "check_ltl"]


def _names(states: tuple[Hashable, ...]) -> list[str]:
    """State names as strings, for JSON."""
    return [str(s) for s in states]


@dataclass(frozen=True)
class LTLResult:
    """Outcome of :func:`check_ltl`.

    Attributes
    ----------
    status : str
        ``"TRUE"`` (every path from an initial state satisfies the formula),
        ``"FALSE"`` (a counterexample was found) or ``"UNKNOWN"`` (time ran out).
    prefix, loop : tuple of state names
        The counterexample lasso ``prefix + loop^omega`` when ``status == "FALSE"``,
        else empty.
    product_states : int
        Product states explored (a cost measure).
    """

    status: str
    prefix: tuple[Hashable, ...] = ()
    loop: tuple[Hashable, ...] = ()
    product_states: int = 0

    @property
    def holds(self) -> bool | None:
        """``True``/``False``, or ``None`` when unknown."""
        return None if self.status == "UNKNOWN" else self.status == "TRUE"

    def to_dict(self) -> dict[str, Any]:
        return record_dict(self, convert={"prefix": _names, "loop": _names})


def check_ltl(
    model: Kripke, formula: Formula | str, *, timeout: float | None = None, unknown: str = "error"
) -> LTLResult:
    """Whether every infinite path of ``model`` from an initial state satisfies ``formula``.

    Parameters
    ----------
    model : Kripke
    formula : Formula or str
        Future-time LTL (``N`` reads as ``X``: paths are infinite).
    timeout : float, optional
        Seconds; when exceeded the result has ``status == "UNKNOWN"``.
    unknown : {"error", "false"}
        What an atom that labels no state means.

    Returns
    -------
    LTLResult
    """
    if not isinstance(model, Kripke):
        raise TypeError(f"model: expected a Kripke, got {type(model).__name__}")
    if unknown not in ("error", "false"):
        raise TemporalLogicError(f"unknown: expected 'error' or 'false', got {unknown!r}")
    if timeout is not None and not (timeout > 0):
        raise TemporalLogicError(f"timeout: must be positive seconds, got {timeout!r}")
    f = as_formula(formula)
    for a in f.atoms():
        model.label(a, unknown)  # raises for unknown atoms
    deadline = None if timeout is None else time.perf_counter() + timeout
    try:
        aut = ltl_to_buchi(Formula.make("!", f), deadline=deadline)
        q_count = len(aut.succ)
        n = model.n_states
        ok = np.ones((q_count, n), dtype=bool)
        for q in range(q_count):
            for a in aut.pos[q]:
                ok[q] &= model.label(a, unknown)
            for a in aut.neg[q]:
                ok[q] &= ~model.label(a, unknown)
        ok_lists = [row.tolist() for row in ok]
        succ_ptr, succ_idx = model._succ_ptr, model._succ_idx
        aut_succ = aut.succ
        explored = [0]

        def successors(v: int) -> Iterator[int]:
            s, q = divmod(v, q_count)
            explored[0] += 1
            nexts = succ_idx[succ_ptr[s] : succ_ptr[s + 1]].tolist()
            for q2 in aut_succ[q]:
                row = ok_lists[q2]
                for s2 in nexts:
                    if row[s2]:
                        yield s2 * q_count + q2

        initial = [
            int(s) * q_count + q
            for s in np.flatnonzero(model.initial)
            for q in aut.initial
            if ok[q, s]
        ]

        def member(sets: frozenset[int]) -> Callable[[int], bool]:
            return lambda v: v % q_count in sets

        acc = [member(sets) for sets in aut.accepting]
        lasso = find_accepting_lasso(initial, successors, acc, deadline=deadline)
    except TimeBudgetExceeded:
        return LTLResult("UNKNOWN")
    if lasso is None:
        return LTLResult("TRUE", product_states=explored[0])
    prefix = [v // q_count for v in lasso[0]]
    loop = [v // q_count for v in lasso[1]]
    # the same path of the model, with the loop entered as early as possible
    while prefix and prefix[-1] == loop[-1]:
        loop = [prefix.pop(), *loop[:-1]]
    names = model.names
    return LTLResult(
        "FALSE", tuple(names[s] for s in prefix), tuple(names[s] for s in loop), explored[0]
    )
