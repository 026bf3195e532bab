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

from typing import Any

from .formula import FALSE, TRUE, Formula, fold

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


# Bounded caches shared between calls (monitors and model checkers transform the same
# subformulas many times); cleared when full.
_CACHE_LIMIT = 65536
_NNF: dict[Formula, tuple[Formula, Formula]] = {}
_SIMPLE: dict[Formula, Formula] = {}


def _bounded(cache: dict[Formula, Any]) -> dict[Formula, Any]:
    if len(cache) > _CACHE_LIMIT:
        cache.clear()
    return cache


def to_nnf(f: Formula) -> Formula:
    """Negation normal form of ``f`` (see :meth:`Formula.to_nnf`)."""
    return fold(f, _nnf_pair, _bounded(_NNF))[0]


def _nnf_pair(f: Formula, kids: list[tuple[Formula, Formula]]) -> tuple[Formula, Formula]:
    """NNF of ``f`` and of ``!f``, from the same pair for each operand."""
    op = f.op
    if op == "true":
        return TRUE, FALSE
    if op == "false":
        return FALSE, TRUE
    if op == "atom":
        return f, _mk("!", f)
    if op == "cmp":
        assert f.predicate is not None
        return f, Formula.make("cmp", predicate=f.predicate.negated())
    if op == "!":
        (a,) = kids
        return a[1], a[0]
    if op == "->":
        a, b = kids
        return _mk("|", a[1], b[0]), _mk("&", a[0], b[1])
    if op in ("<->", "^"):
        a, b = kids
        iff = _mk("&", _mk("|", a[1], b[0]), _mk("|", a[0], b[1]))
        xor = _mk("|", _mk("&", a[0], b[1]), _mk("&", a[1], b[0]))
        return (iff, xor) if op == "<->" else (xor, iff)
    nnf = _mk(op, *(k[0] for k in kids), interval=f.interval)
    if (op == "U" and f.interval is not None) or op in ("Y", "S"):
        return nnf, _mk("!", nnf)  # no dual operator in the language
    return nnf, _mk(_DUAL[op], *(k[1] for k in kids), interval=f.interval)


def simplify(f: Formula) -> Formula:
    """A smaller equivalent formula (constant folding and standard absorptions)."""
    return fold(f, _simplify_node, _bounded(_SIMPLE))


def _simplify_node(f: Formula, kids: list[Formula]) -> Formula:
    if not f.args:
        return f
    return _rewrite(f.op, tuple(kids), f.interval)


def _rewrite(op: str, args: tuple[Formula, ...], interval: tuple[float, float] | None) -> Formula:
    """``op(*args)`` simplified at the top, for operands that are simplified already."""
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
            return _rewrite("!", (a,), None)
        return _mk(op, a, b)
    if op in ("<->", "^"):
        a, b = args
        same = op == "<->"
        if a is b:
            return TRUE if same else FALSE
        for x, y in ((a, b), (b, a)):
            if x is TRUE:
                return y if same else _rewrite("!", (y,), None)
            if x is FALSE:
                return _rewrite("!", (y,), None) if same else y
        return _mk(op, a, b)
    if interval is not None:
        return _simplify_timed(op, args, interval)
    if op in ("F", "G", "O", "H"):
        (a,) = args
        if a is TRUE or a is FALSE:
            return a  # the trace is non-empty: F true, G true, O true, H true all hold
        if a.op == op and a.interval is None:
            return a  # G G p = G p; but G G[0,0] p = G p, not G[0,0] p
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
            return _rewrite("F", (b,), None)
        if op == "S" and a is TRUE:
            return _rewrite("O", (b,), None)
        if op in ("U", "W", "S") and a is FALSE:
            return b
        if op == "R" and a is FALSE:
            return _rewrite("G", (b,), None)
        if op in ("R", "M") and a is TRUE:
            return b
        if op == "W" and a is TRUE:
            return TRUE
        if a is b:
            return a
        return _mk(op, a, b)
    raise AssertionError(op)  # pragma: no cover


def _simplify_timed(op: str, args: tuple[Formula, ...], interval: tuple[float, float]) -> Formula:
    if op in ("F", "G", "O", "H"):
        (a,) = args
        if (a is FALSE and op in ("F", "O")) or (a is TRUE and op in ("G", "H")):
            return a
    else:
        a, b = args
        if b is FALSE:
            return FALSE
    return _mk(op, *args, interval=interval)
