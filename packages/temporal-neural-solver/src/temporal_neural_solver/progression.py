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

from .formula import FALSE, TRUE, Formula

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


class Progression:
    """Formula progression with the canonical boolean form (shared cache)."""

    def __init__(self, letter_atoms: list[Formula]) -> None:
        self.bit = {a: 1 << k for k, a in enumerate(letter_atoms)}
        self.cache: dict[tuple[Formula, int], Formula] = {}

    def prog(self, g: Formula, mask: int) -> Formula:
        key = (g, mask)
        hit = self.cache.get(key)
        if hit is not None:
            return hit
        op = g.op
        mk = Formula.make
        if g.interval is not None:
            out = self._prog_timed(g, mask)
        elif op in ("true", "false"):
            out = g
        elif op == "atom":
            out = TRUE if mask & self.bit[g] else FALSE
        elif op == "!" and g.args[0].op != "atom":  # NNF keeps ! only before timed U
            out = _negate_residual(self.prog(g.args[0], mask))
        elif op == "!":
            out = FALSE if mask & self.bit[g.args[0]] else TRUE
        elif op in ("&", "|"):
            out = _conj([self.prog(a, mask) for a in g.args], op)
        elif op in ("X", "N"):
            out = g
        elif op == "F":
            out = _conj([self.prog(g.args[0], mask), mk("X", g)], "|")
        elif op == "G":
            out = _conj([self.prog(g.args[0], mask), mk("N", g)], "&")
        else:
            a, b = g.args
            pa, pb = self.prog(a, mask), self.prog(b, mask)
            if op == "U":
                out = _conj([pb, _conj([pa, mk("X", g)], "&")], "|")
            elif op == "R":
                out = _conj([pb, _conj([pa, mk("N", g)], "|")], "&")
            elif op == "W":
                out = _conj([pb, _conj([pa, mk("N", g)], "&")], "|")
            elif op == "M":
                out = _conj([pb, _conj([pa, mk("X", g)], "|")], "&")
            else:  # pragma: no cover
                raise AssertionError(op)
        self.cache[key] = out
        return out

    def _prog_timed(self, g: Formula, mask: int) -> Formula:
        """Timed operators: the interval is relative to the current step's time."""
        assert g.interval is not None
        open_now = g.interval[0] <= 0.0
        mk = Formula.make
        if g.op == "F":
            now = self.prog(g.args[0], mask) if open_now else FALSE
            return _conj([now, mk("X", g)], "|")
        if g.op == "G":
            now = self.prog(g.args[0], mask) if open_now else TRUE
            return _conj([now, mk("N", g)], "&")
        a, b = g.args
        now = self.prog(b, mask) if open_now else FALSE
        return _conj([now, _conj([self.prog(a, mask), mk("X", g)], "&")], "|")

    def advance(self, state: Formula, mask: int, dt: float = 0.0) -> Formula:
        """Read one letter in ``state`` (a boolean combination of ``X``/``N`` obligations),
        ``dt`` time units after the previous step."""
        op = state.op
        if op in ("true", "false"):
            return state
        if op in ("&", "|"):
            return _conj([self.advance(a, mask, dt) for a in state.args], op)
        if op in ("X", "N"):
            g = state.args[0]
            if g.interval is not None:
                g = _shift(g, dt)
            elif g.op == "!" and g.args[0].interval is not None:
                g = _negate_residual(_shift(g.args[0], dt))
            return self.prog(g, mask)
        raise AssertionError(op)  # pragma: no cover


def _negate_residual(r: Formula) -> Formula:
    """Negation of a residual (a boolean combination of X/N obligations)."""
    if r is TRUE:
        return FALSE
    if r is FALSE:
        return TRUE
    if r.op in ("&", "|"):
        return _conj([_negate_residual(a) for a in r.args], "|" if r.op == "&" else "&")
    if r.op == "!":
        return r.args[0]
    if r.op in ("X", "N"):
        inner = r.args[0]
        neg = inner.args[0] if inner.op == "!" else Formula.make("!", inner)
        return Formula.make("N" if r.op == "X" else "X", neg)
    return Formula.make("!", r)


def _shift(g: Formula, dt: float) -> Formula:
    """A timed formula ``dt`` time units later: its window moves towards now."""
    assert g.interval is not None
    a, b = g.interval
    if b - dt < 0:  # the window has passed
        return TRUE if g.op == "G" else FALSE
    return Formula.make(g.op, *g.args, interval=(max(0.0, a - dt), b - dt))


def unwrap(state: Formula) -> Formula:
    if state.op in ("&", "|"):
        return Formula.make(state.op, *(unwrap(a) for a in state.args))
    if state.op in ("X", "N"):
        return state.args[0]
    return state


def ends_true(state: Formula) -> bool:
    """LTLf value of the obligation if the stream ends now."""
    op = state.op
    if op == "true":
        return True
    if op == "false":
        return False
    if op == "&":
        return all(ends_true(a) for a in state.args)
    if op == "|":
        return any(ends_true(a) for a in state.args)
    return op == "N"
