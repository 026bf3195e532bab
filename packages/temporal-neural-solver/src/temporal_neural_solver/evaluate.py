"""Truth of a formula on a trace: a vectorised backward pass, O(size(formula) * n).

Each distinct subformula is computed once, for every position at once, as a numpy
boolean array (children before parents); temporal operators become cumulative scans
(``F`` is a reversed ``logical_or.accumulate``, ``U`` compares "next position where the
right side holds" with "next position where the left side fails"). Nothing recurses
over positions.

Finite traces use LTLf semantics (De Giacomo & Vardi 2013): ``X`` (strong next) is
false at the last step, ``N`` (weak next) true there, ``F G U R W M`` range over the
finite suffix. Timed operators ``F[a,b] G[a,b] U[a,b]`` measure ``a, b`` against
``times`` (default: the step index). ``semantics="infinite"`` reads a :class:`Lasso`
``prefix + loop^omega``.

Examples
--------
>>> v = evaluate("G (request -> F response)", [{"request"}, set(), {"response"}, {"request"}])
>>> v.holds, v.counterexample
(False, (3,))
>>> evaluate("F response", [set(), {"response"}]).witness
(1,)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._records import record_dict
from .errors import TemporalLogicError
from .formula import Formula, fold
from .parser import parse
from .trace import Trace, coerce_times

__all__ = ["Lasso", "Verdict", "evaluate", "satisfaction"]


@dataclass(frozen=True)
class Lasso:
    """An infinite trace ``prefix`` followed by ``loop`` repeated forever.

    Both are finite traces in any form :func:`evaluate` accepts; ``loop`` must be
    non-empty. Position ``len(prefix) + len(loop) - 1`` is followed by ``len(prefix)``.
    """

    prefix: Any
    loop: Any


@dataclass(frozen=True)
class Verdict:
    """Outcome of :func:`evaluate`.

    Attributes
    ----------
    holds : bool
        Whether the trace satisfies the formula at position 0.
    positions : tuple of int
        Steps that decide the outcome: a witness when ``holds`` (for example where
        ``F p`` is met), a counterexample otherwise (the first step where ``G p``
        fails, or the step whose pending ``F`` is never met). Empty when no single
        step decides it (``G p`` holding everywhere).
    formula : str
        The formula as evaluated.
    semantics : str
        ``"finite"`` (LTLf) or ``"infinite"`` (lasso).
    """

    holds: bool
    positions: tuple[int, ...]
    formula: str
    semantics: str

    @property
    def witness(self) -> tuple[int, ...] | None:
        """The deciding positions when the formula holds, else ``None``."""
        return self.positions if self.holds else None

    @property
    def counterexample(self) -> tuple[int, ...] | None:
        """The deciding positions when the formula fails, else ``None``."""
        return None if self.holds else self.positions

    def __bool__(self) -> bool:
        return self.holds

    def to_dict(self) -> dict[str, Any]:
        return record_dict(self)


def as_formula(formula: Formula | str, *, name: str = "formula") -> Formula:
    if isinstance(formula, Formula):
        return formula
    if isinstance(formula, str):
        return parse(formula)
    raise TypeError(f"{name}: expected a Formula or a str, got {type(formula).__name__}")


def _check_unknown(unknown: str) -> None:
    if unknown not in ("error", "false"):
        raise TemporalLogicError(f"unknown: expected 'error' or 'false', got {unknown!r}")


def _until(a: np.ndarray, b: np.ndarray, tail: bool = False) -> np.ndarray:
    """LTLf ``a U b`` at every position; ``tail`` is its value just past the end.

    ``a U b`` holds at ``i`` iff at the first ``k >= i`` where ``b`` holds or ``a``
    fails, ``b`` holds: a backward forward-fill of ``b`` from the "stop" positions.
    """
    n = a.shape[0]
    stop = (b | ~a)[::-1]
    pos = np.where(stop, np.arange(n, dtype=np.int32), 0)
    np.maximum.accumulate(pos, out=pos)
    seen = np.logical_or.accumulate(stop)
    out = b[::-1][pos] & seen
    if tail:
        out |= ~seen  # no stop up to the end: a held throughout, so the tail decides
    return out[::-1]


def _since(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    idx = np.arange(a.shape[0])
    last_b = np.maximum.accumulate(np.where(b, idx, -1))
    last_not_a = np.maximum.accumulate(np.where(a, -1, idx))
    return (last_b >= 0) & (last_not_a <= last_b)


def _windows(times: np.ndarray, interval: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    """Index range ``[lo, hi)`` of steps ``j >= i`` with ``times[j] - times[i]`` in the interval."""
    lo = np.searchsorted(times, times + interval[0], side="left")
    hi = np.searchsorted(times, times + interval[1], side="right")
    return lo, np.maximum(hi, lo)


def past_windows(times: np.ndarray, interval: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    """Index range ``[lo, hi)`` of steps ``j <= i`` with ``times[i] - times[j]`` in the interval."""
    lo = np.searchsorted(times, times - interval[1], side="left")
    hi = np.searchsorted(times, times - interval[0], side="right")
    return lo, np.maximum(hi, lo)


def last_failure(a: np.ndarray) -> np.ndarray:
    """The last step ``k <= i`` where ``a`` fails, for every ``i`` (``-1``: none yet)."""
    return np.maximum.accumulate(np.where(a, -1, np.arange(a.shape[0])))


def _timed_past(
    op: str, a: np.ndarray, b: np.ndarray | None, times: np.ndarray, interval: tuple[float, float]
) -> np.ndarray:
    lo, hi = past_windows(times, interval)
    if op == "O":
        csum = np.concatenate(([0], np.cumsum(a)))
        return (csum[hi] - csum[lo]) > 0
    if op == "H":
        csum = np.concatenate(([0], np.cumsum(~a)))
        return (csum[hi] - csum[lo]) == 0
    assert b is not None  # S: b at some j in the window, a throughout (j, i]
    lo = np.minimum(np.maximum(lo, last_failure(a)), hi)
    csum = np.concatenate(([0], np.cumsum(b)))
    return (csum[hi] - csum[lo]) > 0


def _timed(
    op: str, a: np.ndarray, b: np.ndarray | None, times: np.ndarray, interval: tuple[float, float]
) -> np.ndarray:
    if op in ("O", "H", "S"):
        return _timed_past(op, a, b, times, interval)
    lo, hi = _windows(times, interval)
    if op == "F":
        csum = np.concatenate(([0], np.cumsum(a)))
        return (csum[hi] - csum[lo]) > 0
    if op == "G":
        csum = np.concatenate(([0], np.cumsum(~a)))
        return (csum[hi] - csum[lo]) == 0
    assert b is not None
    n = a.shape[0]
    idx = np.arange(n)
    next_not_a = np.minimum.accumulate(np.where(a, n, idx)[::-1])[::-1]
    hi = np.minimum(hi, next_not_a + 1)  # b may hold where a first fails, not after
    csum = np.concatenate(([0], np.cumsum(b)))
    return (hi > lo) & ((csum[np.maximum(hi, lo)] - csum[lo]) > 0)


class _Evaluator:
    """Truth arrays of every subformula on one finite trace or lasso."""

    def __init__(
        self, trace: Trace, times: np.ndarray | None, unknown: str, loop_start: int | None
    ) -> None:
        self.trace = trace
        self.n = trace.length
        self.times = times
        self.unknown = unknown
        self.loop_start = loop_start
        self.values: dict[Formula, np.ndarray] = {}

    def run(self, formula: Formula) -> np.ndarray:
        # descends only into subformulas not computed yet: the explanation adds small
        # rewrites (to_core) of computed nodes, which must not cost a whole-tree walk
        return fold(formula, lambda f, _: self._compute(f), self.values)

    def _compute(self, f: Formula) -> np.ndarray:
        op, n = f.op, self.n
        if op == "true":
            return np.ones(n, dtype=bool)
        if op == "false":
            return np.zeros(n, dtype=bool)
        if op == "atom":
            assert f.name is not None
            return self.trace.boolean(f.name, unknown=self.unknown)
        if op == "cmp":
            p = f.predicate
            assert p is not None
            lhs, rhs = self.trace.linear(p.lhs, p.lhs_const), self.trace.linear(p.rhs, p.rhs_const)
            compare = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal}
            return np.asarray(compare[p.op](lhs, rhs), dtype=bool)
        v = [self.values[a] for a in f.args]
        if op == "!":
            return ~v[0]
        if op == "&":
            return v[0] & v[1]
        if op == "|":
            return v[0] | v[1]
        if op == "->":
            return ~v[0] | v[1]
        if op == "<->":
            return v[0] == v[1]
        if op == "^":
            return v[0] != v[1]
        if f.interval is not None:
            assert self.times is not None
            return _timed(op, v[0], v[1] if len(v) > 1 else None, self.times, f.interval)
        if op in ("Y", "O", "H", "S"):
            if op == "Y":
                return np.concatenate(([False], v[0][:-1]))
            if op == "O":
                return np.logical_or.accumulate(v[0])
            if op == "H":
                return np.logical_and.accumulate(v[0])
            return _since(v[0], v[1])
        if op in ("X", "N"):
            if self.loop_start is not None:
                return np.concatenate((v[0][1:], v[0][self.loop_start : self.loop_start + 1]))
            return np.concatenate((v[0][1:], [op == "N"]))
        true = np.ones(n, dtype=bool)
        if op == "F":
            if self.loop_start is None:
                return np.logical_or.accumulate(v[0][::-1])[::-1]
            return self._u(true, v[0])
        if op == "G":
            if self.loop_start is None:
                return np.logical_and.accumulate(v[0][::-1])[::-1]
            return ~self._u(true, ~v[0])
        if op == "U":
            return self._u(v[0], v[1])
        if op == "R":
            return ~self._u(~v[0], ~v[1])
        if op == "W":
            return self._u(v[0], v[1]) | ~self._u(true, ~v[0])
        if op == "M":
            return self._u(v[1], v[0] & v[1])
        raise AssertionError(op)  # pragma: no cover

    def _u(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        p = self.loop_start
        if p is None:
            return _until(a, b)
        loop_a, loop_b = a[p:], b[p:]
        # within two turns of the loop every loop position is seen from any start
        loop = _until(np.concatenate((loop_a, loop_a)), np.concatenate((loop_b, loop_b)))[
            : loop_a.shape[0]
        ]
        prefix = _until(a[:p], b[:p], tail=bool(loop[0]))
        return np.concatenate((prefix, loop))

    # -- explanations -------------------------------------------------------------------
    def _path(self, i: int) -> np.ndarray:
        """Positions visited from ``i`` on, each once, in order."""
        p = self.loop_start
        if p is None or i < p:
            return np.arange(i, self.n)
        return np.concatenate((np.arange(i, self.n), np.arange(p, i)))

    def _first(self, i: int, cond: np.ndarray) -> int | None:
        if self.loop_start is None:
            k = int(np.argmax(cond[i:]))
            return i + k if cond[i + k] else None
        path = self._path(i)
        hits = cond[path]
        return int(path[np.argmax(hits)]) if hits.any() else None

    def _last(self, i: int, cond: np.ndarray) -> int | None:
        hits = np.flatnonzero(cond[: i + 1])
        return int(hits[-1]) if hits.size else None

    def explain(self, f: Formula, i: int) -> set[int]:
        """Positions that decide the value of ``f`` at ``i``.

        A worklist of (subformula, position) pairs rather than recursion, so formulas of
        any depth are explained; each pair is expanded once.
        """
        found: set[int] = set()
        todo: list[tuple[Formula, int]] = [(f, i)]
        seen: set[tuple[Formula, int]] = set()
        while todo:
            item = todo.pop()
            if item in seen:
                continue
            seen.add(item)
            positions, more = self._explain_one(*item)
            found |= positions
            todo.extend(more)
        return found

    def _explain_one(self, f: Formula, i: int) -> tuple[set[int], list[tuple[Formula, int]]]:
        """Positions ``f`` at ``i`` decides alone, and the (subformula, step) pairs it defers to."""
        val = bool(self.values[f][i])
        op = f.op
        if op in ("true", "false"):
            return set(), []
        if op in ("atom", "cmp"):
            return {i}, []
        args = f.args
        vals = [self.values[a] for a in args]
        if op == "!":
            return set(), [(args[0], i)]
        if op in ("&", "|", "->"):
            a_val = bool(vals[0][i]) if op != "->" else not bool(vals[0][i])
            decisive = (op == "&" and not val) or (op != "&" and val)
            if decisive:  # one side suffices
                chosen = 0 if a_val == val else 1
                return set(), [(args[chosen], i)]
            return set(), [(args[0], i), (args[1], i)]
        if op in ("<->", "^"):
            return set(), [(args[0], i), (args[1], i)]
        if op in ("X", "N"):
            if i + 1 < self.n:
                return set(), [(args[0], i + 1)]
            if self.loop_start is not None:
                return set(), [(args[0], self.loop_start)]
            return {i}, []
        if op == "Y":
            return (set(), [(args[0], i - 1)]) if i > 0 else ({i}, [])
        if f.interval is not None:
            return self._explain_timed(f, i, val, vals)
        if op in ("F", "G", "O", "H"):
            want = op in ("F", "O")
            target = vals[0] if want else ~vals[0]
            j = self._first(i, target) if op in ("F", "G") else self._last(i, target)
            if j is None:  # G/H hold everywhere: no single step; F/O never met: the start
                return ({i} if want else set()), []
            return set(), [(args[0], j)]
        if op in ("R", "W", "M"):
            core = to_core(f)
            self.run(core)
            return set(), [(core, i)]
        a, b = vals
        if op == "U":
            if val:
                j = self._first(i, b)
                assert j is not None
                return set(), [(args[1], j)]
            j = self._first(i, ~a | b)
            if j is None or bool(b[j]):  # b never comes: the obligation at i is unmet
                return {i}, []
            return set(), [(args[0], j), (args[1], j)]
        if op == "S":
            j = self._last(i, b if val else (~a | b))
            if j is None or (not val and bool(b[j])):
                return {i}, []
            return set(), ([(args[1], j)] if val else [(args[0], j), (args[1], j)])
        raise AssertionError(op)  # pragma: no cover

    def _explain_timed(
        self, f: Formula, i: int, val: bool, vals: list[np.ndarray]
    ) -> tuple[set[int], list[tuple[Formula, int]]]:
        assert self.times is not None and f.interval is not None
        if f.op in ("O", "H", "S"):
            return self._explain_timed_past(f, i, val, vals)
        lo, hi = _windows(self.times, f.interval)
        lo_i, hi_i = int(lo[i]), int(hi[i])
        window = np.arange(lo_i, hi_i)
        if f.op == "F" or f.op == "G":
            target = vals[0] if f.op == "F" else ~vals[0]
            hits = window[target[window]]
            if hits.size == 0:
                return {i}, []
            return set(), [(f.args[0], int(hits[0]))]
        a, b = vals
        if val:
            n = self.n
            next_not_a = i + int(np.argmax(~a[i:])) if (~a[i:]).any() else n
            cand = window[(window <= next_not_a) & b[window]]
            return set(), [(f.args[1], int(cand[0]))]
        return {i}, []

    def _explain_timed_past(
        self, f: Formula, i: int, val: bool, vals: list[np.ndarray]
    ) -> tuple[set[int], list[tuple[Formula, int]]]:
        """The latest deciding step inside the window that looks back from ``i``."""
        assert self.times is not None and f.interval is not None
        lo, hi = past_windows(self.times, f.interval)
        window = np.arange(int(lo[i]), int(hi[i]))
        if f.op in ("O", "H"):
            target = vals[0] if f.op == "O" else ~vals[0]
            hits = window[target[window]]
            return ({i}, []) if hits.size == 0 else (set(), [(f.args[0], int(hits[-1]))])
        a, b = vals
        if val:
            since = window[(window >= int(last_failure(a[: i + 1])[-1])) & b[window]]
            return set(), [(f.args[1], int(since[-1]))]
        return {i}, []


def to_core(f: Formula) -> Formula:
    """``R``, ``W`` and ``M`` rewritten with ``U``, ``G`` and negation."""
    a, b = f.args
    mk = Formula.make
    if f.op == "R":
        return mk("!", mk("U", mk("!", a), mk("!", b)))
    if f.op == "W":
        return mk("|", mk("U", a, b), mk("G", a))
    if f.op == "M":
        return mk("U", b, mk("&", a, b))
    return f


def _prepare(
    formula: Formula | str, trace: Any, times: Any, semantics: str, unknown: str
) -> tuple[Formula, _Evaluator]:
    f = as_formula(formula)
    _check_unknown(unknown)
    if f.has_path_quantifiers():
        raise TemporalLogicError("formula: path quantifiers (A, E) belong to CTL; use check_ctl")
    if semantics == "finite":
        if isinstance(trace, Lasso):
            raise TemporalLogicError("trace: a Lasso needs semantics='infinite'")
        t = Trace.coerce(trace)
        timed = times is not None or f.has_intervals()
        ev = _Evaluator(t, coerce_times(times, t.length) if timed else None, unknown, None)
        return f, ev
    if semantics != "infinite":
        raise TemporalLogicError(f"semantics: expected 'finite' or 'infinite', got {semantics!r}")
    if not isinstance(trace, Lasso):
        raise TemporalLogicError("trace: semantics='infinite' needs a Lasso(prefix, loop)")
    if f.has_past() or f.has_intervals():
        raise TemporalLogicError(
            "formula: past-time and timed operators are supported on finite traces only"
        )
    if times is not None:
        raise TemporalLogicError("times: not used with semantics='infinite'")
    loop = Trace.coerce(trace.loop, name="loop")
    prefix_steps = _steps(trace.prefix)
    loop_steps = _steps(trace.loop)
    t = (
        Trace.coerce(prefix_steps + loop_steps)
        if isinstance(prefix_steps, list)
        else _concat(trace.prefix, trace.loop)
    )
    return f, _Evaluator(t, None, unknown, t.length - loop.length)


def _steps(part: Any) -> Any:
    if isinstance(part, Mapping):
        return part
    return list(part)


def _concat(prefix: Any, loop: Any) -> Trace:
    if not isinstance(prefix, Mapping) or not isinstance(loop, Mapping):
        raise TemporalLogicError(
            "trace: prefix and loop must both be step lists or both be dicts of arrays"
        )
    if set(prefix) != set(loop):
        raise TemporalLogicError("trace: prefix and loop must have the same columns")
    return Trace.coerce(
        {k: np.concatenate((np.asarray(prefix[k]), np.asarray(loop[k]))) for k in loop}
    )


def satisfaction(
    formula: Formula | str,
    trace: Any,
    *,
    times: Any = None,
    semantics: str = "finite",
    unknown: str = "error",
) -> np.ndarray:
    """Whether the suffix from each position satisfies ``formula``: a boolean array.

    For a :class:`Lasso`, the array covers ``prefix + loop`` positions.

    Examples
    --------
    >>> satisfaction("X p", {"p": [0, 1, 1]}).tolist()
    [True, True, False]
    """
    f, ev = _prepare(formula, trace, times, semantics, unknown)
    return ev.run(f).copy()


def evaluate(
    formula: Formula | str,
    trace: Any,
    *,
    times: Any = None,
    semantics: str = "finite",
    unknown: str = "error",
) -> Verdict:
    """Check ``formula`` on ``trace`` at position 0, with a witness or counterexample.

    Parameters
    ----------
    formula : Formula or str
        The formula (text is parsed).
    trace : list of dict, list of set, dict of arrays, pandas DataFrame or Series, or Lasso
        Finite trace (LTLf) or, with ``semantics="infinite"``, a :class:`Lasso`. A
        DataFrame has one column per atom or signal, one row per step.
    times : array-like, optional
        Strictly increasing timestamps for timed operators; default the step index.
        datetime64 / timedelta64 values (a pandas ``DatetimeIndex``) count seconds.
    semantics : {"finite", "infinite"}
    unknown : {"error", "false"}
        What an atom missing from a dict trace means. Sets list the true atoms, so
        an atom absent from every set is simply false.

    Returns
    -------
    Verdict

    Raises
    ------
    TemporalLogicError
        For malformed traces, unknown atoms (with ``unknown="error"``), bad
        timestamps, or a formula the chosen semantics does not support.

    Examples
    --------
    >>> evaluate("p U q", {"p": [1, 1, 0], "q": [0, 0, 1]})
    Verdict(holds=True, positions=(2,), formula='p U q', semantics='finite')
    >>> evaluate("G F p", Lasso(prefix=[set()], loop=[set(), {"p"}]), semantics="infinite").holds
    True
    """
    f, ev = _prepare(formula, trace, times, semantics, unknown)
    values = ev.run(f)
    positions = tuple(sorted(ev.explain(f, 0)))
    return Verdict(bool(values[0]), positions, str(f), semantics)
