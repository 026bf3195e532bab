"""Formula progression: the lazily built automaton behind monitors and synthesis.

Reading one step rewrites an obligation on the rest of a stream into a boolean
combination of ``X`` (a next step must exist) and ``N`` (if a next step exists)
obligations: ``F a`` becomes ``a' | X F a``, ``G a`` becomes ``a' & N G a``, and timed
operators carry their window relative to the current step's time. Results are kept
in a canonical n-ary form (flattened, deduplicated, sorted), so each distinct
obligation is one automaton state.

Examples
--------
>>> from temporal_neural_solver import parse
>>> p = parse("p")
>>> prog = Progression([p])
>>> start = Formula.make("X", parse("F p"))
>>> str(prog.advance(start, 0)), str(prog.advance(start, 1))
('X F p', 'true')
"""

from __future__ import annotations

from collections.abc import Sequence

from .formula import FALSE, TRUE, Formula, fold

__all__ = ["Progression", "ends_true", "unwrap"]


def _key(f: Formula) -> int:
    return hash(f)


def _conj(parts: list[Formula], op: str) -> Formula:
    """Canonical n-ary ``&``/``|``: flattened, constants absorbed, deduplicated, sorted."""
    unit, zero = (TRUE, FALSE) if op == "&" else (FALSE, TRUE)
    flat: dict[Formula, None] = {}
    stack = list(parts)
    while stack:
        g = stack.pop()
        if g is zero:
            return zero
        if g is unit:
            continue
        if g.op == op:
            stack.extend(g.args)
        else:
            flat[g] = None
    if not flat:
        return unit
    items = sorted(flat, key=_key)
    out = items[-1]
    for g in reversed(items[:-1]):
        out = Formula.make(op, g, out)
    return out


def _operands(g: Formula) -> list[Formula]:
    """Operands of the maximal ``&``/``|`` chain rooted at ``g`` (same operator), in order."""
    out: list[Formula] = []
    stack = [g]
    while stack:
        h = stack.pop()
        if h.op == g.op:
            stack.extend(reversed(h.args))
        else:
            out.append(h)
    return out


def _residual_operands(g: Formula) -> Sequence[Formula]:
    """What a pass over a residual descends into: the operands of its boolean chains."""
    return _operands(g) if g.op in ("&", "|") else ()


class Progression:
    """Formula progression with the canonical boolean form (shared cache)."""

    def __init__(self, letter_atoms: list[Formula]) -> None:
        self.bit = {a: 1 << k for k, a in enumerate(letter_atoms)}
        self.cache: dict[int, dict[Formula, Formula]] = {}

    def prog(self, g: Formula, mask: int) -> Formula:
        """The obligation ``g`` after reading the letter ``mask`` (no recursion)."""
        memo = self.cache.get(mask)
        if memo is None:
            memo = self.cache[mask] = {}
        return fold(g, lambda h, kids: self._prog_node(h, kids, mask), memo, _prog_operands)

    def _prog_node(self, g: Formula, kids: list[Formula], mask: int) -> Formula:
        """Progression of ``g`` given the progressions ``kids`` of :func:`_prog_operands`."""
        op = g.op
        mk = Formula.make
        if g.interval is not None:
            return self._prog_timed(g, kids)
        if op in ("true", "false", "X", "N"):
            return g
        if op == "atom":
            return TRUE if mask & self.bit[g] else FALSE
        if op == "!" and g.args[0].op != "atom":  # NNF keeps ! only before timed U
            return _negate_residual(kids[0])
        if op == "!":
            return FALSE if mask & self.bit[g.args[0]] else TRUE
        if op in ("&", "|"):
            return _conj(kids, op)
        if op == "F":
            return _conj([kids[0], mk("X", g)], "|")
        if op == "G":
            return _conj([kids[0], mk("N", g)], "&")
        pa, pb = kids
        if op == "U":
            return _conj([pb, _conj([pa, mk("X", g)], "&")], "|")
        if op == "R":
            return _conj([pb, _conj([pa, mk("N", g)], "|")], "&")
        if op == "W":
            return _conj([pb, _conj([pa, mk("N", g)], "&")], "|")
        if op == "M":
            return _conj([pb, _conj([pa, mk("X", g)], "|")], "&")
        raise AssertionError(op)  # pragma: no cover

    def _prog_timed(self, g: Formula, kids: list[Formula]) -> Formula:
        """Timed operators: the interval is relative to the current step's time."""
        assert g.interval is not None
        open_now = g.interval[0] <= 0.0
        mk = Formula.make
        if g.op == "F":
            now = kids[0] if open_now else FALSE
            return _conj([now, mk("X", g)], "|")
        if g.op == "G":
            now = kids[0] if open_now else TRUE
            return _conj([now, mk("N", g)], "&")
        pa, pb = kids
        now = pb if open_now else FALSE
        return _conj([now, _conj([pa, mk("X", g)], "&")], "|")

    def advance(self, state: Formula, mask: int, dt: float = 0.0) -> Formula:
        """Read one letter in ``state`` (a boolean combination of ``X``/``N`` obligations),
        ``dt`` time units after the previous step."""

        def step(h: Formula, kids: list[Formula]) -> Formula:
            op = h.op
            if op in ("true", "false"):
                return h
            if op in ("&", "|"):
                return _conj(kids, op)
            if op in ("X", "N"):
                g = h.args[0]
                if g.interval is not None:
                    g = _shift(g, dt)
                elif g.op == "!" and g.args[0].interval is not None:
                    g = _negate_residual(_shift(g.args[0], dt))
                return self.prog(g, mask)
            raise AssertionError(op)  # pragma: no cover

        return fold(state, step, {}, _residual_operands)


def _prog_operands(g: Formula) -> Sequence[Formula]:
    """The operands whose progression ``g``'s progression is built from."""
    op = g.op
    if op in ("X", "N", "atom", "true", "false", "cmp"):
        return ()
    if op == "!":
        return () if g.args[0].op == "atom" else g.args
    if op in ("&", "|"):
        return _operands(g)
    return g.args


def _negate_residual(r: Formula) -> Formula:
    """Negation of a residual (a boolean combination of X/N obligations)."""

    def negate(h: Formula, kids: list[Formula]) -> Formula:
        if h is TRUE:
            return FALSE
        if h is FALSE:
            return TRUE
        if h.op in ("&", "|"):
            return _conj(kids, "|" if h.op == "&" else "&")
        if h.op == "!":
            return h.args[0]
        if h.op in ("X", "N"):
            inner = h.args[0]
            neg = inner.args[0] if inner.op == "!" else Formula.make("!", inner)
            return Formula.make("N" if h.op == "X" else "X", neg)
        return Formula.make("!", h)

    return fold(r, negate, {}, _residual_operands)


def _shift(g: Formula, dt: float) -> Formula:
    """A timed formula ``dt`` time units later: its window moves towards now."""
    assert g.interval is not None
    a, b = g.interval
    if b - dt < 0:  # the window has passed
        return TRUE if g.op == "G" else FALSE
    return Formula.make(g.op, *g.args, interval=(max(0.0, a - dt), b - dt))


def unwrap(state: Formula) -> Formula:
    """The residual ``state`` with its ``X``/``N`` wrappers removed."""

    def strip(h: Formula, kids: list[Formula]) -> Formula:
        if h.op in ("&", "|"):
            return Formula.make(h.op, *kids)
        if h.op in ("X", "N"):
            return h.args[0]
        return h

    return fold(state, strip, {}, lambda h: h.args if h.op in ("&", "|") else ())


def ends_true(state: Formula) -> bool:
    """LTLf value of the obligation if the stream ends now."""

    def value(h: Formula, kids: list[bool]) -> bool:
        op = h.op
        if op == "true":
            return True
        if op == "false":
            return False
        if op == "&":
            return all(kids)
        if op == "|":
            return any(kids)
        return op == "N"

    return fold(state, value, {}, _residual_operands)
