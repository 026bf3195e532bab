"""Immutable, hash-consed formula trees for LTL, LTLf, MTL and STL.

Every :class:`Formula` is interned: building the same formula twice returns the same
object, so equality is identity, hashing is O(1) and shared subformulas are evaluated
once. ``str(formula)`` prints text that :func:`temporal_neural_solver.parse` reads back
to the identical object.

Examples
--------
>>> from temporal_neural_solver import parse
>>> f = parse("G (request -> F response)")
>>> str(f), f.size(), sorted(f.atoms())
('G (request -> F response)', 5, ['request', 'response'])
>>> parse(str(f)) is f
True
>>> str(parse("!(p U q)").to_nnf())
'!p R !q'
"""

from __future__ import annotations

import math
import re
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from .errors import TemporalLogicError

__all__ = ["FALSE", "TRUE", "Formula", "Predicate", "atom", "fold"]

T = TypeVar("T")

#: operator -> arity, for the propositional and temporal operators.
ARITY: dict[str, int] = {
    "true": 0,
    "false": 0,
    "atom": 0,
    "cmp": 0,
    "!": 1,
    "X": 1,
    "N": 1,
    "F": 1,
    "G": 1,
    "Y": 1,
    "O": 1,
    "H": 1,
    "A": 1,
    "E": 1,
    "&": 2,
    "|": 2,
    "->": 2,
    "<->": 2,
    "^": 2,
    "U": 2,
    "R": 2,
    "W": 2,
    "M": 2,
    "S": 2,
}
TIMED = frozenset({"F", "G", "U", "O", "H", "S"})
PAST = frozenset({"Y", "O", "H", "S"})
BINARY_TEMPORAL = frozenset({"U", "R", "W", "M", "S"})

# Printing precedence: higher binds tighter (matches the grammar in parser.py).
_LEVEL = {"<->": 1, "->": 2, "^": 3, "|": 4, "&": 5, "U": 6, "R": 6, "W": 6, "M": 6, "S": 6}
_UNARY_LEVEL = 7
_RIGHT_ASSOC = frozenset({"->", "U", "R", "W", "M", "S"})
KEYWORDS = frozenset(
    {"true", "false", "X", "N", "F", "G", "U", "R", "W", "M", "Y", "O", "H", "S", "WX", "inf"}
    | {"A", "E", "AG", "AF", "AX", "EG", "EF", "EX"}
)
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_CMP_FLIP = {"<": ">=", "<=": ">", ">": "<=", ">=": "<"}


def format_number(value: float) -> str:
    """Shortest text that reads back as ``value`` (integers without a decimal point)."""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


@dataclass(frozen=True)
class Predicate:
    """A comparison ``lhs op rhs`` of two linear expressions over numeric signals.

    Each side is a tuple of ``(signal, coefficient)`` pairs sorted by signal name,
    plus a constant. Its STL robustness is ``lhs - rhs`` for ``>``/``>=`` and
    ``rhs - lhs`` for ``<``/``<=``.
    """

    lhs: tuple[tuple[str, float], ...]
    lhs_const: float
    op: str
    rhs: tuple[tuple[str, float], ...]
    rhs_const: float

    def signals(self) -> frozenset[str]:
        return frozenset(name for name, _ in self.lhs + self.rhs)

    def margin_terms(self) -> tuple[dict[str, float], float]:
        """Coefficients and constant of the robustness ``margin = sum c*s + c0``."""
        sign = 1.0 if self.op in (">", ">=") else -1.0
        coef: dict[str, float] = {}
        for name, c in self.lhs:
            coef[name] = coef.get(name, 0.0) + sign * c
        for name, c in self.rhs:
            coef[name] = coef.get(name, 0.0) - sign * c
        return coef, sign * (self.lhs_const - self.rhs_const)

    def negated(self) -> Predicate:
        return Predicate(self.lhs, self.lhs_const, _CMP_FLIP[self.op], self.rhs, self.rhs_const)

    def __str__(self) -> str:
        lhs = _linear_str(self.lhs, self.lhs_const)
        return f"{lhs} {self.op} {_linear_str(self.rhs, self.rhs_const)}"


def _linear_str(terms: tuple[tuple[str, float], ...], const: float) -> str:
    parts: list[str] = []
    for name, c in terms:
        mag = abs(c)
        text = name if mag == 1.0 else f"{format_number(mag)}*{name}"
        if not parts:
            parts.append(text if c > 0 else f"-{text}")
        else:
            parts.append(("+ " if c > 0 else "- ") + text)
    if const != 0.0 or not parts:
        if not parts:
            parts.append(format_number(const))
        else:
            parts.append(("+ " if const > 0 else "- ") + format_number(abs(const)))
    return " ".join(parts)


_INTERN: weakref.WeakValueDictionary[tuple[Any, ...], Formula] = weakref.WeakValueDictionary()


class Formula:
    """A node of a temporal-logic formula; build with :meth:`make` or :func:`parse`.

    Attributes
    ----------
    op : str
        ``"true"``, ``"false"``, ``"atom"``, ``"cmp"`` or an operator such as
        ``"&"``, ``"U"``, ``"G"``.
    args : tuple of Formula
        The operands.
    name : str or None
        The atom's name for ``op == "atom"``.
    interval : tuple of float or None
        ``(a, b)`` for timed ``F[a,b]``, ``G[a,b]``, ``U[a,b]`` and the past
        ``O[a,b]``, ``H[a,b]``, ``S[a,b]`` (``a`` to ``b`` time units ago).
    predicate : Predicate or None
        The comparison for ``op == "cmp"``.
    """

    __slots__ = ("__weakref__", "_hash", "_size", "args", "interval", "name", "op", "predicate")

    op: str
    args: tuple[Formula, ...]
    name: str | None
    interval: tuple[float, float] | None
    predicate: Predicate | None
    _hash: int
    _size: int

    def __new__(cls, *_: object) -> Formula:  # pragma: no cover - guard
        raise TypeError("build formulas with Formula.make(...) or parse(...)")

    @classmethod
    def make(
        cls,
        op: str,
        *args: Formula,
        name: str | None = None,
        interval: tuple[float, float] | None = None,
        predicate: Predicate | None = None,
    ) -> Formula:
        """The interned formula ``op(*args)``.

        Raises
        ------
        TemporalLogicError
            For an unknown operator, a wrong number of operands, or a bad interval.
        """
        if interval is not None:
            interval = _check_interval(op, interval)
        key = (op, args, name, interval, predicate)
        node = _INTERN.get(key)
        if node is not None:
            return node
        if op not in ARITY:
            raise TemporalLogicError(f"op: unknown operator {op!r}")
        if len(args) != ARITY[op]:
            raise TemporalLogicError(f"args: {op!r} takes {ARITY[op]} operand(s), got {len(args)}")
        if not all(isinstance(a, Formula) for a in args):
            raise TemporalLogicError("args: operands must be Formula objects")
        if op == "atom" and not (isinstance(name, str) and name):
            raise TemporalLogicError("name: an atom needs a non-empty string name")
        if op == "cmp" and not isinstance(predicate, Predicate):
            raise TemporalLogicError("predicate: a comparison needs a Predicate")
        node = object.__new__(cls)
        object.__setattr__(node, "op", op)
        object.__setattr__(node, "args", args)
        object.__setattr__(node, "name", name)
        object.__setattr__(node, "interval", interval)
        object.__setattr__(node, "predicate", predicate)
        object.__setattr__(node, "_hash", hash(key))
        object.__setattr__(node, "_size", 1 + sum(a._size for a in args))
        _INTERN[key] = node
        return node

    def __setattr__(self, key: str, value: object) -> None:
        raise AttributeError("Formula is immutable")

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return self is other

    def __reduce__(self) -> tuple[Any, ...]:
        # as text, which parse() reads back to this very node: pickling the tree node by
        # node would recurse once per level and fail on deep formulas
        return (_from_text, (str(self),))

    def __repr__(self) -> str:
        return f"parse({str(self)!r})"

    # -- structure ---------------------------------------------------------------
    def size(self) -> int:
        """Number of nodes in the formula tree (operators, atoms and constants)."""
        return int(self._size)

    def subformulas(self) -> list[Formula]:
        """Distinct subformulas, children before parents (a topological order)."""
        order: list[Formula] = []
        seen: set[Formula] = set()
        stack: list[tuple[Formula, bool]] = [(self, False)]
        while stack:
            node, done = stack.pop()
            if done:
                order.append(node)
                continue
            if node in seen:
                continue
            seen.add(node)
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(node.args) if child not in seen)
        return order

    def atoms(self) -> frozenset[str]:
        """Names of the propositional atoms."""
        return frozenset(f.name for f in self.subformulas() if f.op == "atom" and f.name)

    def signals(self) -> frozenset[str]:
        """Names of the numeric signals used in comparisons."""
        out: set[str] = set()
        for f in self.subformulas():
            if f.predicate is not None:
                out |= f.predicate.signals()
        return frozenset(out)

    def has_past(self) -> bool:
        """Whether any past-time operator (``Y O H S``) occurs."""
        return any(f.op in PAST for f in self.subformulas())

    def has_path_quantifiers(self) -> bool:
        """Whether a CTL path quantifier (``A``, ``E``) occurs."""
        return any(f.op in ("A", "E") for f in self.subformulas())

    def has_intervals(self) -> bool:
        """Whether any timed operator (``F G U O H S`` with ``[a,b]``) occurs."""
        return any(f.interval is not None for f in self.subformulas())

    # -- transformations -------------------------------------------------------------
    def to_nnf(self) -> Formula:
        """Negation normal form: ``!`` only on atoms, comparisons are flipped.

        ``->``, ``<->`` and ``^`` are expanded. Negations stay in front of ``Y``, ``S``
        and timed ``U``, which have no dual operator in the language.
        """
        from .transform import to_nnf

        return to_nnf(self)

    def simplify(self) -> Formula:
        """An equivalent, usually smaller formula (valid for finite and infinite traces)."""
        from .transform import simplify

        return simplify(self)

    # -- printing ----------------------------------------------------------------------
    def _level(self) -> int:
        return _LEVEL.get(self.op, _UNARY_LEVEL + (1 if not self.args else 0))

    def __str__(self) -> str:
        # Emit tokens from an explicit stack: no recursion, and linear time even for
        # 100,000-deep chains (concatenating child strings would be quadratic).
        out: list[str] = []
        stack: list[Formula | str] = [self]
        while stack:
            item = stack.pop()
            if isinstance(item, str):
                out.append(item)
                continue
            op = item.op
            if not item.args:
                out.append(_leaf_str(item))
                continue
            if len(item.args) == 1:
                child = item.args[0]
                head = op + _interval_str(item.interval)
                _push_operand(stack, child, child._level() < _UNARY_LEVEL)
                stack.append(head if op == "!" else head + " ")
                continue
            left, right = item.args
            level = _LEVEL[op]
            lwrap = left._level() < level or (left._level() == level and op in _RIGHT_ASSOC)
            rwrap = right._level() < level or (right._level() == level and op not in _RIGHT_ASSOC)
            _push_operand(stack, right, rwrap)
            stack.append(f" {op}{_interval_str(item.interval)} ")
            _push_operand(stack, left, lwrap)
        return "".join(out)


def _push_operand(stack: list[Formula | str], operand: Formula, wrap: bool) -> None:
    """Schedule ``operand`` for printing (the stack pops in reverse order)."""
    if wrap:
        stack.append(")")
    stack.append(operand)
    if wrap:
        stack.append("(")


def _leaf_str(leaf: Formula) -> str:
    op = leaf.op
    if op == "atom":
        name = leaf.name or ""
        if _IDENT.match(name) and name not in KEYWORDS:
            return name
        return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if op == "cmp":
        return str(leaf.predicate)
    return op  # true, false


_MISSING: Any = object()


def _args(node: Formula) -> tuple[Formula, ...]:
    return node.args


def fold(
    root: Formula,
    combine: Callable[[Formula, list[T]], T],
    memo: dict[Formula, T] | None = None,
    children: Callable[[Formula], Sequence[Formula]] = _args,
) -> T:
    """Bottom-up value of ``root``: ``combine(node, values of its children)``, without recursion.

    Each distinct node is combined once, so passes over formulas of any depth run in
    time linear in their number of distinct nodes. ``memo`` (node -> value) may be
    shared between calls as a cache. ``children`` chooses the operands to descend into
    (default ``node.args``); a node whose value needs none of them returns ``()``.
    """
    if memo is None:
        memo = {}
    hit = memo.get(root, _MISSING)
    if hit is not _MISSING:
        return hit
    stack: list[tuple[Formula, bool]] = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if node in memo:
            continue
        if expanded:
            memo[node] = combine(node, [memo[c] for c in children(node)])
            continue
        stack.append((node, True))
        stack.extend((c, False) for c in children(node) if c not in memo)
    return memo[root]


def _check_interval(op: str, interval: tuple[float, float]) -> tuple[float, float]:
    if op not in TIMED:
        raise TemporalLogicError(
            f"interval: only F, G, U and the past O, H, S take an interval, not {op!r}"
        )
    a, b = float(interval[0]), float(interval[1])
    if not (math.isfinite(a) and a >= 0 and b >= 0 and not math.isnan(b)):
        raise TemporalLogicError(f"interval: bounds must be non-negative, got [{a}, {b}]")
    if a > b:
        raise TemporalLogicError(f"interval: lower bound {a} exceeds upper bound {b}")
    return (a, b)


def _interval_str(interval: tuple[float, float] | None) -> str:
    if interval is None:
        return ""
    a, b = interval
    return f"[{format_number(a)},{'inf' if math.isinf(b) else format_number(b)}]"


def _from_text(text: str) -> Formula:
    from .parser import parse

    return parse(text)


def _rebuild(
    op: str,
    args: tuple[Formula, ...],
    name: str | None,
    interval: tuple[float, float] | None,
    predicate: Predicate | None,
) -> Formula:
    return Formula.make(op, *args, name=name, interval=interval, predicate=predicate)


def atom(name: str) -> Formula:
    """The atomic proposition ``name``.

    Examples
    --------
    >>> str(atom("p")), str(atom("two words"))
    ('p', '"two words"')
    """
    return Formula.make("atom", name=name)


TRUE: Formula = Formula.make("true")
FALSE: Formula = Formula.make("false")
