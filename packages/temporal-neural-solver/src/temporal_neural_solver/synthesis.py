"""Bounded LTLf satisfiability: the shortest finite trace that satisfies a formula.

Breadth-first search over progressed formulas (the states of the formula's DFA, as
in :class:`~temporal_neural_solver.monitor.Monitor`), trying every letter (set of true
atoms) at each step. The first accepting state found gives a shortest witness. If
the search runs out of new states first, no trace of any length satisfies the
formula; if it reaches ``max_length`` first, none of length ``<= max_length`` does.
The search is exponential in the number of atoms, so it stops after ``timeout``
seconds (30 by default) with an ``UNKNOWN`` that says how far it got.

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
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ._records import record_dict
from .errors import TemporalLogicError
from .evaluate import as_formula
from .formula import Formula
from .progression import Progression, ends_true

__all__ = ["Synthesis", "synthesize"]

MAX_ATOMS = 12
#: Seconds :func:`synthesize` searches unless told otherwise (``timeout=None``: no limit).
DEFAULT_TIMEOUT = 30.0


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
    checked_length : int
        No trace of this length or shorter satisfies the formula (what an UNKNOWN
        still proves; for SAT, one less than the witness's length).
    reason : str
        Why the result is UNKNOWN (empty otherwise).
    """

    status: str
    trace: tuple[frozenset[str], ...] = ()
    exhaustive: bool = False
    states_explored: int = 0
    checked_length: int = 0
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return record_dict(self, convert={"trace": lambda t: [sorted(s) for s in t]})


def synthesize(
    formula: Formula | str,
    *,
    max_length: int,
    timeout: float | None = DEFAULT_TIMEOUT,
    progress: Callable[[int, int], object] | None = None,
) -> Synthesis:
    """The shortest trace of length ``<= max_length`` satisfying ``formula`` (LTLf).

    Parameters
    ----------
    formula : Formula or str
        Future-time LTLf over at most 12 atoms (no comparisons, no timed or past
        operators).
    max_length : int
        Longest trace considered (>= 1).
    timeout : float or None
        Seconds (default 30); when exceeded the result is ``UNKNOWN``, with the
        length up to which no witness exists. ``None`` searches without a limit.
    progress : callable, optional
        Called as ``progress(length, max_length)`` each time every trace of
        ``length`` steps has been tried, e.g. with a tqdm bar:
        ``bar = tqdm(total=max_length); progress=lambda done, _: bar.update(done - bar.n)``.

    Returns
    -------
    Synthesis

    Examples
    --------
    >>> r = synthesize("F a & F b & G !(a & b)", max_length=3, progress=print)
    1 3
    >>> r.status, r.checked_length
    ('SAT', 1)
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
    for depth in range(max_length):
        nxt: list[tuple[Formula, tuple[int, ...]]] = []
        for state, path in frontier:
            for mask in letters:
                explored += 1
                if deadline is not None and explored % 16 == 0 and time.perf_counter() > deadline:
                    return Synthesis(
                        "UNKNOWN",
                        states_explored=len(seen),
                        checked_length=depth,
                        reason=(
                            f"timeout: {timeout:g} s ran out while trying traces of "
                            f"{depth + 1} steps; none of {depth} steps or fewer satisfies it"
                        ),
                    )
                s2 = prog.advance(state, mask)
                if s2 in seen:
                    continue
                seen.add(s2)
                trace = (*path, mask)
                if ends_true(s2):
                    word = tuple(
                        frozenset(a for k, a in enumerate(atoms) if m >> k & 1) for m in trace
                    )
                    return Synthesis("SAT", word, False, len(seen), checked_length=depth)
                nxt.append((s2, trace))
        frontier = nxt
        if progress is not None:
            progress(depth + 1, max_length)
        if not frontier:
            return Synthesis(
                "UNSAT", exhaustive=True, states_explored=len(seen), checked_length=depth + 1
            )
    return Synthesis(
        "UNSAT", exhaustive=False, states_explored=len(seen), checked_length=max_length
    )
