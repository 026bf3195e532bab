"""Rewrites of formulas: negation normal form and semantics-preserving simplification.

Both rewrites preserve meaning under the finite (LTLf) and the infinite semantics, so
the engines may apply them freely; the test-suite checks this on random formulas.

Examples
--------
>>> from temporal_neural_solver import parse
>>> str(parse("!(F p & X q)").to_nnf())
'G !p | N !q'
>>> str(parse("true U (p | false) & !!q").simplify())
'F p & q'
"""

from __future__ import annotations

from functools import lru_cache

from .formula import FALSE, TRUE, Formula

__all__ = ["simplify", "to_nnf"]

_DUAL = {
    "A": "E",
    "E": "A",
    "&": "|",
    "|": "&",
    "X": "N",
    "N": "X",
    "F": "G",
    "G": "F",
    "U": "R",
    "R": "U",
    "W": "M",
    "M": "W",
    "O": "H",
    "H": "O",
}


def _mk(op: str, *args: Formula, interval: tuple[float, float] | None = None) -> Formula:
    return Formula.make(op, *args, interval=interval)


@lru_cache(maxsize=65536)
def to_nnf(f: Formula) -> Formula:
    """Negation normal form of ``f`` (see :meth:`Formula.to_nnf`)."""
    op = f.op
    if not f.args:
        return f
    if op == "!":
        return _negate(f.args[0])
    if op == "->":
        return _mk("|", _negate(f.args[0]), to_nnf(f.args[1]))
    if op == "<->":
        a, b = f.args
        return _mk("&", _mk("|", _negate(a), to_nnf(b)), _mk("|", to_nnf(a), _negate(b)))
    if op == "^":
        a, b = f.args
        return _mk("|", _mk("&", to_nnf(a), _negate(b)), _mk("&", _negate(a), to_nnf(b)))
    return _mk(op, *(to_nnf(a) for a in f.args), interval=f.interval)


@lru_cache(maxsize=65536)
def _negate(f: Formula) -> Formula:
    """NNF of ``!f``."""
    op = f.op
    if op == "true":
        return FALSE
    if op == "false":
        return TRUE
    if op == "atom":
        return _mk("!", f)
    if op == "cmp":
        assert f.predicate is not None
        return Formula.make("cmp", predicate=f.predicate.negated())
    if op == "!":
        return to_nnf(f.args[0])
    if op == "->":
        return _mk("&", to_nnf(f.args[0]), _negate(f.args[1]))
    if op == "<->":
        return to_nnf(_mk("^", *f.args))
    if op == "^":
        return to_nnf(_mk("<->", *f.args))
    if (op in ("U",) and f.interval is not None) or op in ("Y", "S"):
        return _mk("!", to_nnf(f))
    dual = _DUAL[op]
    return _mk(dual, *(_negate(a) for a in f.args), interval=f.interval)


@lru_cache(maxsize=65536)
def simplify(f: Formula) -> Formula:
    """A smaller equivalent formula (constant folding and standard absorptions)."""
    if not f.args:
        return f
    args = tuple(simplify(a) for a in f.args)
    op = f.op
    if op == "!":
        (a,) = args
        if a is TRUE:
            return FALSE
        if a is FALSE:
            return TRUE
        if a.op == "!":
            return a.args[0]
        if a.op == "cmp":
            assert a.predicate is not None
            return Formula.make("cmp", predicate=a.predicate.negated())
        return _mk("!", a)
    if op in ("&", "|"):
        a, b = args
        unit, zero = (TRUE, FALSE) if op == "&" else (FALSE, TRUE)
        if a is zero or b is zero:
            return zero
        if a is unit:
            return b
        if b is unit or a is b:
            return a
        if (a.op == "!" and a.args[0] is b) or (b.op == "!" and b.args[0] is a):
            return zero
        return _mk(op, a, b)
    if op == "->":
        a, b = args
        if a is FALSE or b is TRUE or a is b:
            return TRUE
        if a is TRUE:
            return b
        if b is FALSE:
            return simplify(_mk("!", a))
        return _mk(op, a, b)
    if op in ("<->", "^"):
        a, b = args
        same = op == "<->"
        if a is b:
            return TRUE if same else FALSE
        for x, y in ((a, b), (b, a)):
            if x is TRUE:
                return y if same else simplify(_mk("!", y))
            if x is FALSE:
                return simplify(_mk("!", y)) if same else y
        return _mk(op, a, b)
    if f.interval is not None:
        return _simplify_timed(f, args)
    if op in ("F", "G", "O", "H"):
        (a,) = args
        if a is TRUE or a is FALSE:
            return a  # the trace is non-empty: F true, G true, O true, H true all hold
        if a.op == op:
            return a
        return _mk(op, a)
    if op in ("A", "E"):
        (a,) = args
        if a is TRUE or a is FALSE:
            return a
        return _mk(op, a)
    if op in ("X", "N", "Y"):
        (a,) = args
        if op == "N" and a is TRUE:
            return TRUE
        if op in ("X", "Y") and a is FALSE:
            return FALSE
        return _mk(op, a)
    a, b = args
    if op in ("U", "W", "M", "R", "S"):
        if op in ("U", "W", "S") and b is TRUE:
            return TRUE
        if op in ("U", "M", "S") and b is FALSE:
            return FALSE
        if op == "R" and b in (TRUE, FALSE):
            return b
        if op == "U" and a is TRUE:
            return simplify(_mk("F", b))
        if op == "S" and a is TRUE:
            return simplify(_mk("O", b))
        if op in ("U", "W", "S") and a is FALSE:
            return b
        if op == "R" and a is FALSE:
            return simplify(_mk("G", b))
        if op in ("R", "M") and a is TRUE:
            return b
        if op == "W" and a is TRUE:
            return TRUE
        if a is b:
            return a
        return _mk(op, a, b)
    raise AssertionError(op)  # pragma: no cover


def _simplify_timed(f: Formula, args: tuple[Formula, ...]) -> Formula:
    op = f.op
    if op in ("F", "G"):
        (a,) = args
        if (a is FALSE and op == "F") or (a is TRUE and op == "G"):
            return a
    else:
        a, b = args
        if b is FALSE:
            return FALSE
    return _mk(op, *args, interval=f.interval)
