"""Text to :class:`~temporal_neural_solver.formula.Formula`: an LALR grammar (lark).

Syntax, loosest binding first: ``<->``; ``->`` (right-associative); ``^`` (xor);
``|`` or ``||``; ``&`` or ``&&``; the binary temporal operators ``U R W M S``
(right-associative, ``U[a,b]`` and ``S[a,b]`` timed); then the unary operators ``!`` or ``~``,
``X`` (strong next, also spelled ``X[!]`` as in Spot), ``N`` (weak next, also spelled
``WX`` as in flloat/pylogics), ``F`` or ``<>``, ``G`` or ``[]`` (``F[a,b]``, ``G[a,b]``
timed), past-time ``Y O H`` (``O[a,b]``, ``H[a,b]`` and ``S[a,b]`` look back between
``a`` and ``b`` time units), and the CTL path quantifiers ``A E`` (also fused as
``AG AF AX EG EF EX``). Atoms are identifiers or double-quoted strings;
``true``/``false`` are constants. A comparison of two linear expressions over numeric
signals (``speed > 0.5``, ``x - 2*y <= 3``) is an STL predicate. Single capital letters
that name operators cannot be atoms unless quoted.

Examples
--------
>>> str(parse("[] (req -> <> resp)"))
'G (req -> F resp)'
>>> str(parse("F[0, 10] (x - y <= 2)"))
'F[0,10] x - y <= 2'
>>> parse("p U")
Traceback (most recent call last):
...
temporal_neural_solver.errors.FormulaSyntaxError: unexpected end of formula, ...
  p U
     ^
"""

from __future__ import annotations

import math
from typing import Any

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import (
    UnexpectedCharacters,
    UnexpectedEOF,
    UnexpectedInput,
    UnexpectedToken,
)

from .errors import FormulaSyntaxError
from .formula import FALSE, TRUE, Formula, Predicate

__all__ = ["parse"]

_GRAMMAR = r"""
?start: iff
?iff: implies | iff "<->" implies -> iff
?implies: xor | xor "->" implies -> implies
?xor: or_ | xor "^" or_ -> xor
?or_: and_ | or_ ("|" | "||") and_ -> or_
?and_: until | and_ ("&" | "&&") until -> and_
?until: unary | unary binop interval? until -> binary
?unary: primary
      | ("!" | "~") unary -> not_
      | (X | XBANG) unary -> next_
      | (N | WX) unary -> wnext
      | (F | DIAMOND) interval? unary -> eventually
      | (G | BOX) interval? unary -> always
      | Y unary -> past
      | (O | H) interval? unary -> past_timed
      | (A | E) unary -> quantified
      | (AG | AF | AX | EG | EF | EX) unary -> ctl
?binop: U | R | W | M | S
interval: "[" bound "," bound "]"
bound: NUMBER | INF
X: "X"
XBANG.2: "X[!]"
N: "N"
WX: "WX"
F: "F"
DIAMOND: "<>"
G: "G"
BOX: "[]"
Y: "Y"
O: "O"
H: "H"
U: "U"
R: "R"
W: "W"
M: "M"
S: "S"
INF: "inf"
A: "A"
E: "E"
AG: "AG"
AF: "AF"
AX: "AX"
EG: "EG"
EF: "EF"
EX: "EX"
?primary: "(" iff ")"
        | "true" -> true
        | "false" -> false
        | NAME -> atom
        | STRING -> atom
        | sum CMP sum -> cmp
sum: term | sum PLUS term | sum MINUS term
term: factor | NUMBER "*" NAME -> scaled | NAME "*" NUMBER -> scaled_r
    | NAME "/" NUMBER -> divided
factor: NUMBER | NAME | MINUS factor -> neg
PLUS: "+"
MINUS: "-"
CMP: "<=" | ">=" | "<" | ">"
NAME: /[A-Za-z_][A-Za-z0-9_]*/
STRING: /"(\\.|[^"\\])*"/
NUMBER: /\d+(\.\d*)?([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?/
%ignore /\s+/
"""

_Linear = tuple[dict[str, float], float]


def _interval_of(args: list[Any]) -> tuple[tuple[float, float] | None, Formula]:
    if len(args) == 2:
        return None, args[1]
    return args[1], args[2]


@v_args(inline=False)
class _Build(Transformer[Token, Formula]):
    def true(self, _: list[Any]) -> Formula:
        return TRUE

    def false(self, _: list[Any]) -> Formula:
        return FALSE

    def atom(self, items: list[Token]) -> Formula:
        text = str(items[0])
        if text.startswith('"'):
            text = text[1:-1].replace('\\"', '"').replace("\\\\", "\\")
        return Formula.make("atom", name=text)

    def not_(self, items: list[Formula]) -> Formula:
        return Formula.make("!", items[0])

    def next_(self, items: list[Any]) -> Formula:
        return Formula.make("X", items[1])

    def wnext(self, items: list[Any]) -> Formula:
        return Formula.make("N", items[1])

    def past(self, items: list[Any]) -> Formula:
        return Formula.make("Y", items[1])

    def past_timed(self, items: list[Any]) -> Formula:
        interval, body = _interval_of(items)
        return Formula.make(str(items[0]), body, interval=interval)  # O or H

    def quantified(self, items: list[Any]) -> Formula:
        return Formula.make(str(items[0]), items[1])

    def ctl(self, items: list[Any]) -> Formula:
        word = str(items[0])
        return Formula.make(word[0], Formula.make(word[1], items[1]))

    def eventually(self, items: list[Any]) -> Formula:
        interval, body = _interval_of(items)
        return Formula.make("F", body, interval=interval)

    def always(self, items: list[Any]) -> Formula:
        interval, body = _interval_of(items)
        return Formula.make("G", body, interval=interval)

    def binary(self, items: list[Any]) -> Formula:
        op = str(items[1])
        if len(items) == 4:
            if op not in ("U", "S"):
                raise _Positioned(f"only U and S take an interval, not {op}", items[1])
            return Formula.make(op, items[0], items[3], interval=items[2])
        return Formula.make(op, items[0], items[2])

    def interval(self, items: list[Token]) -> tuple[float, float]:
        a, b = (math.inf if t.type == "INF" else float(t) for t in items)
        if math.isinf(a):
            raise _Positioned("the lower bound of an interval must be finite", items[0])
        if a > b:
            raise _Positioned(f"interval lower bound {a:g} exceeds upper bound {b:g}", items[0])
        return (a, b)

    def bound(self, items: list[Token]) -> Token:
        return items[0]

    def and_(self, items: list[Formula]) -> Formula:
        return Formula.make("&", items[0], items[1])

    def or_(self, items: list[Formula]) -> Formula:
        return Formula.make("|", items[0], items[1])

    def xor(self, items: list[Formula]) -> Formula:
        return Formula.make("^", items[0], items[1])

    def implies(self, items: list[Formula]) -> Formula:
        return Formula.make("->", items[0], items[1])

    def iff(self, items: list[Formula]) -> Formula:
        return Formula.make("<->", items[0], items[1])

    # -- linear arithmetic ---------------------------------------------------------------
    def factor(self, items: list[Token]) -> _Linear:
        tok = items[0]
        if tok.type == "NUMBER":
            return {}, float(tok)
        return {str(tok): 1.0}, 0.0

    def neg(self, items: list[_Linear]) -> _Linear:
        coef, const = items[-1]
        return {k: -v for k, v in coef.items()}, -const

    def scaled(self, items: list[Token]) -> _Linear:
        return {str(items[1]): float(items[0])}, 0.0

    def scaled_r(self, items: list[Token]) -> _Linear:
        return {str(items[0]): float(items[1])}, 0.0

    def divided(self, items: list[Token]) -> _Linear:
        d = float(items[1])
        if d == 0.0:
            raise _Positioned("division by zero in a comparison", items[1])
        return {str(items[0]): 1.0 / d}, 0.0

    def term(self, items: list[_Linear]) -> _Linear:
        return items[0]

    def sum(self, items: list[Any]) -> _Linear:
        if len(items) == 1:
            return items[0]
        (coef, const), op, (rc, rk) = items
        sign = 1.0 if str(op) == "+" else -1.0
        out = dict(coef)
        for k, v in rc.items():
            out[k] = out.get(k, 0.0) + sign * v
        return out, const + sign * rk

    def cmp(self, items: list[Any]) -> Formula:
        (lc, lk), op, (rc, rk) = items
        lhs = tuple(sorted((k, v) for k, v in lc.items() if v != 0.0))
        rhs = tuple(sorted((k, v) for k, v in rc.items() if v != 0.0))
        if not lhs and not rhs:
            raise _Positioned("a comparison needs at least one signal", op)
        return Formula.make("cmp", predicate=Predicate(lhs, lk, str(op), rhs, rk))


class _Positioned(Exception):
    """A semantic error found while building, located at a token."""

    def __init__(self, message: str, token: Token) -> None:
        super().__init__(message)
        self.line = token.line or 1
        self.column = token.column or 1


# The transformer runs inline with the LALR parser: no parse tree is built.
_PARSER = Lark(_GRAMMAR, parser="lalr", maybe_placeholders=False, transformer=_Build())

_TOKEN_WORDS = {
    "RPAR": "')'",
    "LPAR": "'('",
    "$END": "end of formula",
}


def parse(text: str) -> Formula:
    """Parse ``text`` into a :class:`Formula`.

    Parameters
    ----------
    text : str
        The formula; see the module docstring for the syntax.

    Returns
    -------
    Formula
        The interned formula; ``parse(str(f)) is f``.

    Raises
    ------
    FormulaSyntaxError
        With the 1-based line and column of the offending character and a caret line.
    TypeError
        If ``text`` is not a string.

    Examples
    --------
    >>> f = parse("p U[0,5] q")
    >>> f.op, f.interval
    ('U', (0.0, 5.0))
    """
    if not isinstance(text, str):
        raise TypeError(f"text: expected a str, got {type(text).__name__}")
    if not text.strip():
        raise FormulaSyntaxError("empty formula", text=text or " ", line=1, column=1)
    try:
        result = _PARSER.parse(text)
    except UnexpectedEOF:
        line, column = _end_position(text)
        raise FormulaSyntaxError(
            "unexpected end of formula, expected a formula", text=text, line=line, column=column
        ) from None
    except UnexpectedToken as exc:
        if exc.token.type == "$END":
            line, column = _end_position(text)
            raise FormulaSyntaxError(
                "unexpected end of formula, expected a formula", text=text, line=line, column=column
            ) from None
        raise FormulaSyntaxError(
            f"unexpected {str(exc.token)!r}", text=text, line=exc.line, column=exc.column
        ) from None
    except UnexpectedCharacters as exc:
        raise FormulaSyntaxError(
            f"unexpected character {text[exc.pos_in_stream or 0]!r}",
            text=text,
            line=exc.line,
            column=exc.column,
        ) from None
    except UnexpectedInput as exc:  # pragma: no cover - other lark input errors
        raise FormulaSyntaxError(
            "cannot parse", text=text, line=max(exc.line, 1), column=max(exc.column, 1)
        ) from None
    except _Positioned as exc:
        raise FormulaSyntaxError(str(exc), text=text, line=exc.line, column=exc.column) from None
    assert isinstance(result, Formula)
    return result


def _end_position(text: str) -> tuple[int, int]:
    lines = text.split("\n")
    return len(lines), len(lines[-1]) + 1
