"""Obviously-correct references and hypothesis strategies shared by the tests.

The reference evaluator follows the textbook definitions position by position
(quantifiers over positions written as Python ``any``/``all``); it is slow and simple
on purpose, and shares no code with the package's engines.
"""

from __future__ import annotations

import math
from functools import cache

from hypothesis import strategies as st

from temporal_neural_solver.formula import Formula

ATOMS = ("p", "q", "r")
UNARY = ("!", "X", "N", "F", "G")
BINARY = ("&", "|", "->", "<->", "^", "U", "R", "W", "M")
PAST_UNARY = ("Y", "O", "H")


def formulas(
    atoms=ATOMS,
    unary=UNARY,
    binary=BINARY,
    max_leaves=8,
    timed=False,
    past=False,
    constants=True,
    timed_past=False,
):
    leaves = [st.sampled_from([Formula.make("atom", name=a) for a in atoms])]
    if constants:
        leaves.append(st.sampled_from([Formula.make("true"), Formula.make("false")]))
    un = unary + (PAST_UNARY if past else ())
    bi = binary + (("S",) if past else ())
    return formula_trees(st.one_of(*leaves), un, bi, timed, max_leaves, timed_past=timed_past)


def formula_trees(leaf, unary, binary, timed, max_leaves, timed_until=True, timed_past=False):
    """Formulas over ``leaf`` with the given operators; ``timed`` adds F/G with an
    interval and, when ``timed_until``, U with an interval; ``timed_past`` adds the
    bounded past O[a,b], H[a,b] and S[a,b]."""
    interval = st.tuples(st.integers(0, 3), st.integers(0, 4)).map(lambda ab: (min(ab), max(ab)))

    def extend(children):
        options = [
            st.builds(lambda o, a: Formula.make(o, a), st.sampled_from(unary), children),
            st.builds(
                lambda o, a, b: Formula.make(o, a, b), st.sampled_from(binary), children, children
            ),
        ]
        if timed:
            options.append(
                st.builds(
                    lambda o, iv, a: Formula.make(o, a, interval=iv),
                    st.sampled_from(("F", "G")),
                    interval,
                    children,
                )
            )
            if timed_until:
                options.append(
                    st.builds(
                        lambda iv, a, b: Formula.make("U", a, b, interval=iv),
                        interval,
                        children,
                        children,
                    )
                )
        if timed_past:
            past_interval = st.one_of(interval, st.integers(0, 3).map(lambda a: (a, math.inf)))
            options.append(
                st.builds(
                    lambda o, iv, a: Formula.make(o, a, interval=iv),
                    st.sampled_from(("O", "H")),
                    past_interval,
                    children,
                )
            )
            options.append(
                st.builds(
                    lambda iv, a, b: Formula.make("S", a, b, interval=iv),
                    past_interval,
                    children,
                    children,
                )
            )
        return st.one_of(*options)

    return st.recursive(leaf, extend, max_leaves=max_leaves)


def traces(atoms=ATOMS, min_size=1, max_size=7):
    return st.lists(st.frozensets(st.sampled_from(atoms)), min_size=min_size, max_size=max_size)


def propositional(g: Formula, i: int, h, letter) -> bool | None:
    """Truth of a constant, atom or Boolean connective at ``i`` (sub-formulas through
    ``h``); None for a temporal operator, which each evaluator handles itself."""
    op, a = g.op, g.args
    if op == "true":
        return True
    if op == "false":
        return False
    if op == "atom":
        return g.name in letter
    if op == "!":
        return not h(a[0], i)
    if op == "&":
        return h(a[0], i) and h(a[1], i)
    if op == "|":
        return h(a[0], i) or h(a[1], i)
    if op == "->":
        return (not h(a[0], i)) or h(a[1], i)
    if op == "<->":
        return h(a[0], i) == h(a[1], i)
    if op == "^":
        return h(a[0], i) != h(a[1], i)
    return None


def reference_finite(f: Formula, trace, times=None) -> bool:
    """LTLf truth at position 0, straight from the definitions."""
    n = len(trace)
    t = list(range(n)) if times is None else list(times)

    @cache
    def h(g: Formula, i: int) -> bool:
        op, a = g.op, g.args
        value = propositional(g, i, h, trace[i])
        if value is not None:
            return value
        if g.interval is not None and op in ("O", "H", "S"):
            lo, hi = g.interval
            back = [j for j in range(i + 1) if lo <= t[i] - t[j] <= hi]
            if op == "O":
                return any(h(a[0], j) for j in back)
            if op == "H":
                return all(h(a[0], j) for j in back)
            return any(h(a[1], j) and all(h(a[0], k) for k in range(j + 1, i + 1)) for j in back)
        if g.interval is not None:
            lo, hi = g.interval
            win = [j for j in range(i, n) if lo <= t[j] - t[i] <= hi]
            if op == "F":
                return any(h(a[0], j) for j in win)
            if op == "G":
                return all(h(a[0], j) for j in win)
            return any(h(a[1], j) and all(h(a[0], k) for k in range(i, j)) for j in win)
        if op == "X":
            return i + 1 < n and h(a[0], i + 1)
        if op == "N":
            return i + 1 >= n or h(a[0], i + 1)
        if op == "F":
            return any(h(a[0], j) for j in range(i, n))
        if op == "G":
            return all(h(a[0], j) for j in range(i, n))
        if op == "U":
            return any(h(a[1], j) and all(h(a[0], k) for k in range(i, j)) for j in range(i, n))
        if op == "R":
            return all(h(a[1], j) or any(h(a[0], k) for k in range(i, j)) for j in range(i, n))
        if op == "W":
            return h(Formula.make("U", *a), i) or all(h(a[0], j) for j in range(i, n))
        if op == "M":
            return any(
                h(a[0], j) and h(a[1], j) and all(h(a[1], k) for k in range(i, j))
                for j in range(i, n)
            )
        if op == "Y":
            return i > 0 and h(a[0], i - 1)
        if op == "O":
            return any(h(a[0], j) for j in range(i + 1))
        if op == "H":
            return all(h(a[0], j) for j in range(i + 1))
        if op == "S":
            return any(
                h(a[1], j) and all(h(a[0], k) for k in range(j + 1, i + 1)) for j in range(i + 1)
            )
        raise AssertionError(op)

    return h(f, 0)


def reference_lasso(f: Formula, prefix, loop, position: int = 0) -> bool:
    """Truth on ``prefix + loop^omega``: a path of ``len(prefix)+len(loop)`` steps from
    any position visits every position it will ever reach."""
    word = list(prefix) + list(loop)
    n, p = len(word), len(prefix)

    def path(i):
        out, j = [], i
        for _ in range(n):
            out.append(j)
            j = j + 1 if j + 1 < n else p
        return out

    @cache
    def h(g: Formula, i: int) -> bool:
        op, a = g.op, g.args
        value = propositional(g, i, h, word[i])
        if value is not None:
            return value
        if op in ("X", "N"):
            return h(a[0], i + 1 if i + 1 < n else p)
        pth = path(i)
        if op == "F":
            return any(h(a[0], j) for j in pth)
        if op == "G":
            return all(h(a[0], j) for j in pth)
        if op == "U":
            return any(h(a[1], j) and all(h(a[0], k) for k in pth[:m]) for m, j in enumerate(pth))
        if op == "R":
            return all(h(a[1], j) or any(h(a[0], k) for k in pth[:m]) for m, j in enumerate(pth))
        if op == "W":
            return h(Formula.make("U", *a), i) or all(h(a[0], j) for j in pth)
        if op == "M":
            return any(
                h(a[0], j) and h(a[1], j) and all(h(a[1], k) for k in pth[:m])
                for m, j in enumerate(pth)
            )
        raise AssertionError(op)

    return h(f, position)


# -- the recursive passes the package used before they became iterative ------------------
# Kept as references for small formulas: the iterative passes must agree with them.

_LEVEL = {"<->": 1, "->": 2, "^": 3, "|": 4, "&": 5, "U": 6, "R": 6, "W": 6, "M": 6, "S": 6}
_RIGHT_ASSOC = frozenset({"->", "U", "R", "W", "M", "S"})
_DUAL = {"A": "E", "E": "A", "&": "|", "|": "&", "X": "N", "N": "X", "F": "G", "G": "F"}
_DUAL |= {"U": "R", "R": "U", "W": "M", "M": "W", "O": "H", "H": "O"}


def _level(g: Formula) -> int:
    return _LEVEL.get(g.op, 7 + (1 if not g.args else 0))


def _interval_text(g: Formula) -> str:
    if g.interval is None:
        return ""
    a, b = (int(x) if x != float("inf") else "inf" for x in g.interval)
    return f"[{a},{b}]"


def recursive_str(g: Formula) -> str:
    """Printing by recursion (integer interval bounds only)."""
    if not g.args:
        return str(g)  # leaves print the same either way
    if len(g.args) == 1:
        (child,) = g.args
        text = recursive_str(child)
        if _level(child) < 7:
            text = f"({text})"
        head = g.op + _interval_text(g)
        return f"{head}{text}" if g.op == "!" else f"{head} {text}"
    left, right = g.args
    level = _LEVEL[g.op]
    ltext, rtext = recursive_str(left), recursive_str(right)
    if _level(left) < level or (_level(left) == level and g.op in _RIGHT_ASSOC):
        ltext = f"({ltext})"
    if _level(right) < level or (_level(right) == level and g.op not in _RIGHT_ASSOC):
        rtext = f"({rtext})"
    return f"{ltext} {g.op}{_interval_text(g)} {rtext}"


def recursive_nnf(f: Formula) -> Formula:
    mk = Formula.make
    if not f.args:
        return f
    if f.op == "!":
        return recursive_negation(f.args[0])
    if f.op == "->":
        return mk("|", recursive_negation(f.args[0]), recursive_nnf(f.args[1]))
    a, b = (*f.args, None)[:2]
    if f.op == "<->":
        return mk(
            "&",
            mk("|", recursive_negation(a), recursive_nnf(b)),
            mk("|", recursive_nnf(a), recursive_negation(b)),
        )
    if f.op == "^":
        return mk(
            "|",
            mk("&", recursive_nnf(a), recursive_negation(b)),
            mk("&", recursive_negation(a), recursive_nnf(b)),
        )
    return mk(f.op, *(recursive_nnf(x) for x in f.args), interval=f.interval)


def recursive_negation(f: Formula) -> Formula:
    """NNF of ``!f`` by recursion."""
    mk = Formula.make
    op = f.op
    if op == "true":
        return mk("false")
    if op == "false":
        return mk("true")
    if op == "atom":
        return mk("!", f)
    if op == "cmp":
        return mk("cmp", predicate=f.predicate.negated())
    if op == "!":
        return recursive_nnf(f.args[0])
    if op == "->":
        return mk("&", recursive_nnf(f.args[0]), recursive_negation(f.args[1]))
    if op == "<->":
        return recursive_nnf(mk("^", *f.args))
    if op == "^":
        return recursive_nnf(mk("<->", *f.args))
    if (op == "U" and f.interval is not None) or op in ("Y", "S"):
        return mk("!", recursive_nnf(f))
    return mk(_DUAL[op], *(recursive_negation(a) for a in f.args), interval=f.interval)
