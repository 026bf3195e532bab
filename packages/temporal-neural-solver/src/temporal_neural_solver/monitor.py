"""Online runtime verification with the four-valued RV-LTL verdicts.

A :class:`Monitor` compiles its formula lazily into a deterministic automaton by
formula progression: reading a step rewrites the obligation on the rest of the stream
(``F a`` becomes ``a' | X F a``, ``G a`` becomes ``a' & N G a``, ...). Progressed
formulas are interned and put in a canonical boolean form, so each distinct one is a
DFA state, and each (state, letter) transition is computed once and then looked up:
O(1) amortised per step for a fixed formula.

Each DFA state carries its verdict (Bauer, Leucker & Schallhart's RV-LTL):

* ``TRUE`` - every infinite continuation satisfies the formula (good prefix);
* ``FALSE`` - none does (bad prefix); both are final;
* ``PRESUMABLY_TRUE`` / ``PRESUMABLY_FALSE`` - undecided, and the stream read so far
  satisfies / violates the formula under finite-trace (LTLf) semantics.

``TRUE``/``FALSE`` are decided by LTL satisfiability of the residual obligation (GPVW
automaton emptiness), computed once per DFA state. Comparisons and past-time
subformulas are read as per-step letters (past-time ones computed online with O(1)
memory); the satisfiability check treats them as independent atoms, so a residual
whose truth depends on relations between them is reported as presumable, never
wrongly as final. The same holds for residuals too large to decide (over 5,000 nodes,
or 100,000 tableau steps): their verdict stays presumable until progression itself
reduces them to ``true`` or ``false``. No pass over a formula recurses, so formulas
of any depth are monitored.

Examples
--------
>>> m = Monitor("G (request -> F response)")
>>> [m.step(s).name for s in [{"request"}, set(), {"response"}]]
['PRESUMABLY_FALSE', 'PRESUMABLY_FALSE', 'PRESUMABLY_TRUE']
>>> m = Monitor("F done")
>>> m.step({"done": False}).name, m.step({"done": True}).name, m.step({"done": False}).name
('PRESUMABLY_FALSE', 'TRUE', 'TRUE')
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .automaton import TimeBudgetExceeded, satisfiable
from .errors import TemporalLogicError, missing_atom
from .evaluate import as_formula
from .formula import FALSE, PAST, TRUE, Formula, fold
from .progression import Progression, ends_true, unwrap
from .trace import Trace, coerce_times

__all__ = ["Monitor", "MonitorSet", "MonitorVerdict"]

_FUTURE = frozenset({"X", "N", "F", "G", "U", "R", "W", "M"})
# Deciding TRUE/FALSE is LTL satisfiability (PSPACE-complete). Residuals larger than
# this, or whose tableau needs more steps, keep their presumable verdict; both bounds
# are counts, so verdicts do not depend on the machine's speed.
_DECIDE_MAX_SIZE = 5_000
_DECIDE_MAX_STEPS = 100_000


class MonitorVerdict(enum.IntEnum):
    """RV-LTL verdicts; ``TRUE`` and ``FALSE`` are final."""

    FALSE = 0
    PRESUMABLY_FALSE = 1
    PRESUMABLY_TRUE = 2
    TRUE = 3

    @property
    def final(self) -> bool:
        return self in (MonitorVerdict.TRUE, MonitorVerdict.FALSE)


_VERDICTS = list(MonitorVerdict)


class _PastTracker:
    """Online values of past-time subformulas (Y O H S and booleans over them)."""

    def __init__(self, roots: list[Formula]) -> None:
        order: list[Formula] = []
        seen: set[Formula] = set()
        for r in roots:
            for g in r.subformulas():
                if g not in seen:
                    seen.add(g)
                    order.append(g)
        self.order = order
        self.prev: dict[Formula, bool] = {}
        self.first = True

    def reset(self) -> None:
        self.prev = {}
        self.first = True

    def step(self, leaf_value: Any) -> dict[Formula, bool]:
        cur: dict[Formula, bool] = {}
        prev, first = self.prev, self.first
        for g in self.order:
            op = g.op
            if op in ("atom", "cmp"):
                v = leaf_value(g)
            elif op == "true":
                v = True
            elif op == "false":
                v = False
            elif op == "!":
                v = not cur[g.args[0]]
            elif op in ("&", "|", "->", "<->", "^"):
                a, b = cur[g.args[0]], cur[g.args[1]]
                v = {"&": a and b, "|": a or b, "->": (not a) or b, "<->": a == b, "^": a != b}[op]
            elif op == "Y":
                v = (not first) and prev[g.args[0]]
            elif op == "O":
                v = cur[g.args[0]] or (not first and prev[g])
            elif op == "H":
                v = cur[g.args[0]] and (first or prev[g])
            elif op == "S":
                v = cur[g.args[1]] or (cur[g.args[0]] and not first and prev[g])
            else:  # pragma: no cover
                raise AssertionError(op)
            cur[g] = v
        self.prev = cur
        self.first = False
        return cur


class Monitor:
    """Online RV-LTL monitor for one formula.

    Parameters
    ----------
    formula : Formula or str
        LTL with optional past-time operators, comparisons and timed operators
        (``F[a,b]``, ``G[a,b]``, ``U[a,b]``; then every step needs a ``time``).
    unknown : {"error", "false"}
        What an atom missing from a dict step means.
    max_states : int
        Bound on cached DFA states; when exceeded the caches are cleared (results
        stay exact, only slower).

    Examples
    --------
    >>> m = Monitor("G (x < 10)")
    >>> m.step({"x": 3.0}).name, m.step({"x": 12.0}).name
    ('PRESUMABLY_TRUE', 'FALSE')
    """

    def __init__(
        self, formula: Formula | str, *, unknown: str = "error", max_states: int = 100_000
    ) -> None:
        f = as_formula(formula)
        if unknown not in ("error", "false"):
            raise TemporalLogicError(f"unknown: expected 'error' or 'false', got {unknown!r}")
        if f.has_path_quantifiers():
            raise TemporalLogicError(
                "formula: path quantifiers (A, E) belong to CTL; use check_ctl"
            )
        if any(g.op in PAST and g.interval is not None for g in f.subformulas()):
            raise TemporalLogicError(
                "formula: Monitor does not take the timed past operators O[a,b], H[a,b], "
                "S[a,b]; use evaluate, or RobustnessMonitor for signals"
            )
        self.formula = f
        self.unknown = unknown
        self.max_states = max_states
        # letters: atoms, comparisons, and maximal past-time subformulas
        past_roots = _past_roots(f)
        self._subst: dict[Formula, Formula] = {}
        for k, root in enumerate(past_roots):
            self._subst[root] = Formula.make("atom", name=f"\x00{k}")
        outer = _substitute(f, self._subst)
        leaves = sorted(
            {
                g
                for g in outer.subformulas()
                if g.op == "cmp" or (g.op == "atom" and g not in self._subst.values())
            },
            key=str,
        )
        self._sources: list[Formula] = list(past_roots) + leaves
        letters: list[Formula] = []
        for k, g in enumerate(self._sources):
            fresh = self._subst.get(g) or Formula.make("atom", name=f"\x00{k}")
            self._subst[g] = fresh
            letters.append(fresh)
        self._past = _PastTracker(past_roots) if past_roots else None
        self._plain = [
            (s.name, 1 << k) for k, s in enumerate(self._sources) if s.op == "atom" and s.name
        ]
        self._simple = all(s.op == "atom" for s in self._sources)
        # simplified first: a program-generated "F F ... F p" is the one-state "F p"
        body = _substitute(f, self._subst).to_nnf().simplify()
        self._prog = Progression(letters)
        self._start = Formula.make("X", body)
        self._reset_tables()
        self._state = 0
        self._verdict: MonitorVerdict | None = None
        self.timed = f.has_intervals()
        self._last_time: float | None = None
        self._fast = self._past is None and not self.timed
        self._cmps = [
            (s.predicate.lhs, s.predicate.lhs_const, s.predicate.op, s.predicate.rhs,
             s.predicate.rhs_const, 1 << k)
            for k, s in enumerate(self._sources)
            if s.predicate is not None
        ]  # fmt: skip
        self._strict = unknown == "error"

    def _reset_tables(self) -> None:
        self._ids: dict[Formula, int] = {}
        self._forms: list[Formula] = []
        self._verdicts: list[MonitorVerdict] = []
        self._delta: list[dict[Any, int]] = []
        self._intern(self._start)

    def _intern(self, state: Formula) -> int:
        sid = self._ids.get(state)
        if sid is None:
            sid = len(self._forms)
            self._ids[state] = sid
            self._forms.append(state)
            self._delta.append({})
            self._verdicts.append(self._classify(state))
        return sid

    @staticmethod
    def _classify(state: Formula) -> MonitorVerdict:
        if state is TRUE:
            return MonitorVerdict.TRUE
        if state is FALSE:
            return MonitorVerdict.FALSE
        if state.has_intervals():  # no timed satisfiability check: presumable only
            return (
                MonitorVerdict.PRESUMABLY_TRUE
                if ends_true(state)
                else MonitorVerdict.PRESUMABLY_FALSE
            )
        rest = unwrap(state)
        if rest.size() <= _DECIDE_MAX_SIZE:
            try:
                if not satisfiable(rest, max_steps=_DECIDE_MAX_STEPS):
                    return MonitorVerdict.FALSE
                if not satisfiable(Formula.make("!", rest), max_steps=_DECIDE_MAX_STEPS):
                    return MonitorVerdict.TRUE
            except TimeBudgetExceeded:
                pass  # too costly to decide: presumable, never a wrong final verdict
        return (
            MonitorVerdict.PRESUMABLY_TRUE if ends_true(state) else MonitorVerdict.PRESUMABLY_FALSE
        )

    @property
    def verdict(self) -> MonitorVerdict | None:
        """The verdict after the last step (``None`` before the first)."""
        return self._verdict

    @property
    def n_states(self) -> int:
        """DFA states discovered so far."""
        return len(self._forms)

    def reset(self) -> None:
        """Start a new stream (the learned automaton is kept)."""
        self._state = self._intern(self._start)
        self._verdict = None
        self._last_time = None
        if self._past is not None:
            self._past.reset()

    def _mask(self, state: Any) -> int:
        if self._simple:
            if isinstance(state, (set, frozenset)):
                return sum(bit for name, bit in self._plain if name in state)
            if isinstance(state, Mapping):
                mask = 0
                for name, bit in self._plain:
                    v = state.get(name)
                    if v is None:
                        if self.unknown == "error":
                            raise missing_atom("state", name)
                    elif v:
                        mask |= bit
                return mask
            raise TemporalLogicError(f"state: expected a dict or a set, got {type(state).__name__}")
        leaf = _leaf_reader(state, self.unknown)
        values = self._past.step(leaf) if self._past is not None else {}
        mask = 0
        for k, src in enumerate(self._sources):
            v = values[src] if src in values else leaf(src)
            if v:
                mask |= 1 << k
        return mask

    def _move(self, mask: int) -> int:
        row = self._delta[self._state]
        nxt = row.get(mask)
        if nxt is None:
            if len(self._forms) >= self.max_states:
                current = self._forms[self._state]
                self._reset_tables()
                self._state = self._intern(current)
                row = self._delta[self._state]
            nxt = self._intern(self._prog.advance(self._forms[self._state], mask))
            row[mask] = nxt
        return nxt

    def _move_timed(self, mask: int, time: Any) -> int:
        if isinstance(time, bool) or not isinstance(time, (int, float, np.integer, np.floating)):
            raise TemporalLogicError(f"time: a timed formula needs a numeric time, got {time!r}")
        t = float(time)
        if not np.isfinite(t):
            raise TemporalLogicError(f"time: must be finite, got {t}")
        if self._last_time is not None and t <= self._last_time:
            raise TemporalLogicError(
                f"time: timestamps must increase; {t:g} after {self._last_time:g}"
            )
        dt = 0.0 if self._last_time is None else t - self._last_time
        self._last_time = t
        row = self._delta[self._state]
        key = (mask, dt)
        nxt = row.get(key)
        if nxt is None:
            if len(self._forms) >= self.max_states:
                current = self._forms[self._state]
                self._reset_tables()
                self._state = self._intern(current)
                row = self._delta[self._state]
            nxt = self._intern(self._prog.advance(self._forms[self._state], mask, dt))
            row[key] = nxt
        return nxt

    def step(self, state: Any, time: float | None = None) -> MonitorVerdict:
        """Read one step (a dict of values or the set of true atoms); return the verdict.

        ``time`` is required (strictly increasing) when the formula has timed
        operators, whose bounds are measured against it.
        """
        if self._fast and type(state) is dict:  # the common case, kept lean
            mask = 0
            for name, bit in self._plain:
                v = state.get(name)
                if v:
                    mask |= bit
                elif v is None and self._strict:
                    raise missing_atom("state", name)
            for lhs, lc, op, rhs, rc, bit in self._cmps:
                a, b = lc, rc
                try:
                    for name, c in lhs:
                        a += c * state[name]
                    for name, c in rhs:
                        b += c * state[name]
                except (KeyError, TypeError):
                    return self._step_slow(state, time)
                if a != a or b != b or abs(a) == math.inf or abs(b) == math.inf:
                    return self._step_slow(state, time)  # reports the bad value
                if a < b if op == "<" else a <= b if op == "<=" else a > b if op == ">" else a >= b:
                    mask |= bit
            nxt = self._delta[self._state].get(mask)
            self._state = nxt if nxt is not None else self._move(mask)
            v = self._verdicts[self._state]
            self._verdict = v
            return v
        return self._step_slow(state, time)

    def _step_slow(self, state: Any, time: float | None) -> MonitorVerdict:
        mask = self._mask(state)
        if self.timed:
            self._state = self._move_timed(mask, time)
        else:
            self._state = self._move(mask)
        v = self._verdicts[self._state]
        self._verdict = v
        return v

    def run(self, trace: Any, *, times: Any = None, every_step: bool = False) -> Any:
        """Read a whole trace (any form :func:`evaluate` accepts) in one call.

        Returns the final verdict, or with ``every_step=True`` an int8 array of
        verdict codes (``int(MonitorVerdict)``) per step. Letters are computed with
        numpy; the automaton walk is a tight loop over cached transitions.

        Examples
        --------
        >>> Monitor("p U q").run({"p": [1, 1, 0], "q": [0, 0, 1]}).name
        'TRUE'
        """
        if self._past is not None or self.timed:
            t = Trace.coerce(trace)
            stamps = coerce_times(times, t.length).tolist() if self.timed else [None] * t.length
            steps = _rows(t, self._sources, self.unknown)
            codes = [int(self.step(s, ts)) for s, ts in zip(steps, stamps, strict=True)]
            return np.asarray(codes, dtype=np.int8) if every_step else _VERDICTS[codes[-1]]
        t = Trace.coerce(trace)
        state = self._state
        delta = self._delta
        out = np.empty(t.length, dtype=np.int8) if every_step else None
        verdicts = self._verdicts
        for i, m in enumerate(_letters(t, self._sources, self.unknown)):
            nxt = delta[state].get(m)
            if nxt is None:
                self._state = state
                nxt = self._move(m)
                delta, verdicts = self._delta, self._verdicts
            state = nxt
            if out is not None:
                out[i] = verdicts[state]
        self._state = state
        self._verdict = verdicts[state]
        return out if out is not None else self._verdict


class MonitorSet:
    """Several monitors over one stream; ``step`` returns a dict of verdicts.

    Examples
    --------
    >>> ms = MonitorSet({"safe": "G !crash", "live": "F done"})
    >>> {k: v.name for k, v in ms.step({"crash": False, "done": True}).items()}
    {'safe': 'PRESUMABLY_TRUE', 'live': 'TRUE'}
    """

    def __init__(
        self, formulas: Mapping[str, Formula | str] | Sequence[Formula | str], **options: Any
    ) -> None:
        items = (
            formulas.items() if isinstance(formulas, Mapping) else ((str(f), f) for f in formulas)
        )
        self.monitors = {name: Monitor(f, **options) for name, f in items}

    def step(self, state: Any) -> dict[str, MonitorVerdict]:
        return {name: m.step(state) for name, m in self.monitors.items()}

    def run(self, trace: Any) -> dict[str, MonitorVerdict]:
        t = Trace.coerce(trace)
        return {name: m.run(t) for name, m in self.monitors.items()}

    def reset(self) -> None:
        for m in self.monitors.values():
            m.reset()


def _past_roots(f: Formula) -> list[Formula]:
    """Maximal subformulas that contain a past operator and no future one."""
    # per node: (contains a past operator, contains a future operator), bottom-up
    kinds: dict[Formula, tuple[bool, bool]] = {}
    for g in f.subformulas():
        below = [kinds[a] for a in g.args]
        kinds[g] = (
            g.op in PAST or any(p for p, _ in below),
            g.op in _FUTURE or any(q for _, q in below),
        )
    roots: list[Formula] = []
    seen: set[Formula] = set()
    stack = [f]
    while stack:  # top-down, leftmost first
        g = stack.pop()
        if g in seen:
            continue
        seen.add(g)
        has_past, has_future = kinds[g]
        if has_past and not has_future and g.op not in ("atom", "cmp"):
            roots.append(g)
            continue
        if g.op in PAST:
            raise TemporalLogicError(
                "formula: past-time operators may not contain future-time ones here"
            )
        stack.extend(reversed(g.args))
    return roots


def _substitute(f: Formula, table: dict[Formula, Formula]) -> Formula:
    """``f`` with every subformula found in ``table`` replaced (no recursion)."""

    def replace(g: Formula, kids: list[Formula]) -> Formula:
        hit = table.get(g)
        if hit is not None:
            return hit
        if not g.args:
            return g
        return Formula.make(g.op, *kids, interval=g.interval)

    return fold(f, replace, {}, lambda g: () if g in table else g.args)


def _leaf_reader(state: Any, unknown: str) -> Any:
    if isinstance(state, (set, frozenset)):

        def from_set(g: Formula) -> bool:
            if g.op == "cmp":
                raise TemporalLogicError("state: comparisons need a dict of numeric values")
            return g.name in state

        return from_set
    if not isinstance(state, Mapping):
        raise TemporalLogicError(f"state: expected a dict or a set, got {type(state).__name__}")

    def from_dict(g: Formula) -> bool:
        if g.op == "atom":
            v = state.get(g.name)
            if v is None:
                if unknown == "error":
                    raise missing_atom("state", g.name)
                return False
            return bool(v)
        p = g.predicate
        assert p is not None

        def side(terms: tuple[tuple[str, float], ...], const: float) -> float:
            total = const
            for name, c in terms:
                v = state.get(name)
                if v is None:
                    raise TemporalLogicError(f"state: unknown signal {name!r}")
                try:
                    x = float(v)
                except (TypeError, ValueError):
                    raise TemporalLogicError(
                        f"state: signal {name!r} is not numeric: {v!r}"
                    ) from None
                if not math.isfinite(x):
                    raise TemporalLogicError(f"state: signal {name!r} is {x}")
                total += c * x
            return total

        lhs, rhs = side(p.lhs, p.lhs_const), side(p.rhs, p.rhs_const)
        return {"<": lhs < rhs, "<=": lhs <= rhs, ">": lhs > rhs, ">=": lhs >= rhs}[p.op]

    return from_dict


def _leaf_column(t: Trace, g: Formula, unknown: str) -> np.ndarray:
    if g.op == "atom":
        assert g.name is not None
        return t.boolean(g.name, unknown=unknown)
    p = g.predicate
    assert p is not None
    lhs, rhs = t.linear(p.lhs, p.lhs_const), t.linear(p.rhs, p.rhs_const)
    return np.asarray({"<": lhs < rhs, "<=": lhs <= rhs, ">": lhs > rhs, ">=": lhs >= rhs}[p.op])


def _letters(t: Trace, sources: list[Formula], unknown: str) -> list[int]:
    """The letter (bit ``k`` = source ``k`` holds) at every step of ``t``."""
    if len(sources) < 63:  # fits an int64 column
        masks = np.zeros(t.length, dtype=np.int64)
        for k, src in enumerate(sources):
            masks |= _leaf_column(t, src, unknown).astype(np.int64) << k
        return masks.tolist()
    letters = [0] * t.length  # wider letters: Python integers, never a wrapped shift
    for k, src in enumerate(sources):
        bit = 1 << k
        for i in np.flatnonzero(_leaf_column(t, src, unknown)).tolist():
            letters[i] |= bit
    return letters


def _rows(t: Trace, sources: list[Formula], unknown: str) -> list[dict[str, Any]]:
    names: set[str] = set()
    for s in sources:
        names |= s.atoms() | s.signals()
    cols = {}
    for name in names:
        try:
            cols[name] = t.signal(name)
        except TemporalLogicError:
            cols[name] = t.boolean(name, unknown=unknown)
    return [{k: v[i] for k, v in cols.items()} for i in range(t.length)]
