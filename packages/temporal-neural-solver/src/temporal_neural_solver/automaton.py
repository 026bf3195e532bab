"""LTL to generalised Büchi automata (GPVW tableau) and emptiness by SCCs.

The tableau of Gerth, Peled, Vardi and Wolper (1995) turns an LTL formula in negation
normal form into a generalised Büchi automaton whose states carry the literals that
must hold at that step; one acceptance set per ``U`` subformula. Emptiness is decided
on the reachable part by Tarjan's strongly connected components: a run is accepting
iff it ends in a non-trivial SCC meeting every acceptance set.

Examples
--------
>>> from temporal_neural_solver import parse
>>> satisfiable(parse("G p & F !p")), satisfiable(parse("G F p & F G !q"))
(False, True)
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from .errors import TemporalLogicError
from .formula import FALSE, TRUE, Formula, fold

__all__ = [
    "Buchi",
    "TimeBudgetExceeded",
    "example_word",
    "find_accepting_lasso",
    "ltl_to_buchi",
    "satisfiable",
]


class TimeBudgetExceeded(Exception):
    """Raised inside the engines when a ``timeout`` runs out; callers report UNKNOWN."""


def _mk(op: str, *args: Formula) -> Formula:
    return Formula.make(op, *args)


def core_nnf(f: Formula) -> Formula:
    """NNF over ``& | X U R`` and literals (infinite semantics: ``N`` is ``X``)."""
    if f.has_past() or f.has_intervals():
        raise TemporalLogicError("formula: LTL automata take future-time, untimed formulas only")
    return fold(f.to_nnf().simplify().to_nnf(), _core)


def _core(f: Formula, args: list[Formula]) -> Formula:
    """``f`` over ``& | X U R`` and literals, given its operands rewritten already."""
    op = f.op
    if op in ("true", "false", "atom"):
        return f
    if op == "!":
        return f
    if op == "cmp":
        raise TemporalLogicError("formula: comparisons have no meaning on a Kripke structure")
    if op in ("A", "E"):
        raise TemporalLogicError("formula: path quantifiers (A, E) belong to CTL; use check_ctl")
    if op in ("&", "|", "U", "R"):
        return _mk(op, *args)
    if op in ("X", "N"):
        return _mk("X", args[0])
    if op == "F":
        return _mk("U", TRUE, args[0])
    if op == "G":
        return _mk("R", FALSE, args[0])
    if op == "W":
        return _mk("R", args[1], _mk("|", args[0], args[1]))
    if op == "M":
        return _mk("U", args[1], _mk("&", args[0], args[1]))
    raise TemporalLogicError(f"formula: operator {op!r} is not supported here")  # pragma: no cover


@dataclass
class Buchi:
    """A generalised Büchi automaton from the tableau.

    ``pos[q]``/``neg[q]`` are the atoms that must be true/false when the automaton is
    in state ``q``; ``succ[q]`` its successors; ``initial`` the initial states;
    ``accepting`` one frozenset of states per acceptance condition.
    """

    pos: list[frozenset[str]]
    neg: list[frozenset[str]]
    succ: list[list[int]]
    initial: list[int]
    accepting: list[frozenset[int]]


def ltl_to_buchi(
    formula: Formula, *, deadline: float | None = None, max_steps: int | None = None
) -> Buchi:
    """The GPVW tableau automaton of ``formula`` (infinite-word semantics).

    Raises :class:`TimeBudgetExceeded` past ``deadline`` (``time.perf_counter()``) or
    after ``max_steps`` tableau steps (a budget that does not depend on the machine).
    """
    f = core_nnf(formula)
    init = -1
    # node: (incoming set, new set, old set, next set)
    done: list[tuple[set[int], frozenset[Formula], frozenset[Formula]]] = []
    index: dict[tuple[frozenset[Formula], frozenset[Formula]], int] = {}
    stack: list[tuple[set[int], set[Formula], set[Formula], set[Formula]]] = [
        ({init}, {f}, set(), set())
    ]
    steps = 0
    while stack:
        steps += 1
        if deadline is not None and steps % 256 == 0 and time.perf_counter() > deadline:
            raise TimeBudgetExceeded
        if max_steps is not None and steps > max_steps:
            raise TimeBudgetExceeded
        incoming, new, old, nxt = stack.pop()
        if not new:
            key = (frozenset(old), frozenset(nxt))
            q = index.get(key)
            if q is not None:
                done[q][0].update(incoming)
                continue
            q = len(done)
            index[key] = q
            done.append((set(incoming), key[0], key[1]))
            stack.append(({q}, set(nxt), set(), set()))
            continue
        eta = new.pop()
        if eta in old:
            stack.append((incoming, new, old, nxt))
            continue
        op = eta.op
        if op in ("true", "false", "atom", "!"):
            if op == "false":
                continue
            neg = _mk("!", eta) if op == "atom" else (eta.args[0] if op == "!" else FALSE)
            if neg in old:
                continue
            old = old | {eta}
            stack.append((incoming, new, old, nxt))
        elif op == "&":
            stack.append((incoming, new | (set(eta.args) - old), old | {eta}, nxt))
        elif op == "X":
            stack.append((incoming, new, old | {eta}, nxt | {eta.args[0]}))
        else:
            a, b = eta.args
            if op == "|":
                new1, next1, new2 = {a}, set(), {b}
            elif op == "U":
                new1, next1, new2 = {a}, {eta}, {b}
            elif op == "R":
                new1, next1, new2 = {b}, {eta}, {a, b}
            else:  # pragma: no cover
                raise AssertionError(op)
            stack.append((set(incoming), new | (new1 - old), old | {eta}, nxt | next1))
            stack.append((set(incoming), new | (new2 - old), old | {eta}, set(nxt)))
    nodes = done
    succ: list[list[int]] = [[] for _ in nodes]
    initial: list[int] = []
    for q, (incoming, _, _) in enumerate(nodes):
        for src in incoming:
            if src == init:
                initial.append(q)
            else:
                succ[src].append(q)
    pos = [frozenset(g.name for g in old if g.op == "atom" and g.name) for _, old, _ in nodes]
    negs = [
        frozenset(g.args[0].name for g in old if g.op == "!" and g.args[0].name)
        for _, old, _ in nodes
    ]
    untils = sorted({g for g in f.subformulas() if g.op == "U"}, key=str)
    accepting = [
        frozenset(q for q, (_, old, _) in enumerate(nodes) if g not in old or g.args[1] in old)
        for g in untils
    ]
    return Buchi(pos, negs, succ, sorted(initial), accepting)


def find_accepting_lasso(
    initial: Iterable[int],
    successors: Callable[[int], Iterable[int]],
    accepting: Sequence[Callable[[int], bool]],
    *,
    deadline: float | None = None,
) -> tuple[list[int], list[int]] | None:
    """An accepting lasso ``(prefix, loop)`` of a generalised Büchi product, or ``None``.

    Explores the reachable graph once with an iterative Tarjan SCC search; the first
    non-trivial SCC that meets every acceptance set yields the lasso: a BFS path from
    an initial node to it, then a cycle inside it through one node of each set.
    """
    ids: dict[int, int] = {}
    low: dict[int, int] = {}
    on_stack: set[int] = set()
    scc_stack: list[int] = []
    counter = 0
    steps = 0
    roots = list(initial)
    for root in roots:
        if root in ids:
            continue
        work: list[tuple[int, Iterable[int]]] = [(root, iter(successors(root)))]
        ids[root] = low[root] = counter
        counter += 1
        scc_stack.append(root)
        on_stack.add(root)
        while work:
            steps += 1
            if deadline is not None and steps % 1024 == 0 and time.perf_counter() > deadline:
                raise TimeBudgetExceeded
            v, it = work[-1]
            advanced = False
            for w in it:
                if w not in ids:
                    ids[w] = low[w] = counter
                    counter += 1
                    scc_stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(successors(w))))
                    advanced = True
                    break
                if w in on_stack and ids[w] < low[v]:
                    low[v] = ids[w]
            if advanced:
                continue
            work.pop()
            if work:
                u = work[-1][0]
                if low[v] < low[u]:
                    low[u] = low[v]
            if low[v] == ids[v]:
                component: set[int] = set()
                while True:
                    w = scc_stack.pop()
                    on_stack.discard(w)
                    component.add(w)
                    if w == v:
                        break
                lasso = _lasso_in(component, roots, successors, accepting)
                if lasso is not None:
                    return lasso
    return None


def _lasso_in(
    component: set[int],
    roots: list[int],
    successors: Callable[[int], Iterable[int]],
    accepting: Sequence[Callable[[int], bool]],
) -> tuple[list[int], list[int]] | None:
    entry = next(iter(component))
    if len(component) == 1 and entry not in set(successors(entry)):
        return None  # trivial SCC: no cycle
    if not all(any(acc(v) for v in component) for acc in accepting):
        return None
    # shortest prefix: breadth-first from the initial nodes to the component
    prev: dict[int, int | None] = {}
    queue: deque[int] = deque()
    for r in roots:
        if r not in prev:
            prev[r] = None
            queue.append(r)
    while queue:
        v = queue.popleft()
        if v in component:
            entry = v
            break
        for w in successors(v):
            if w not in prev:
                prev[w] = v
                queue.append(w)
    prefix: list[int] = []
    node: int | None = entry
    while node is not None:
        prefix.append(node)
        node = prev[node]
    prefix.reverse()
    loop: list[int] = []
    current = entry
    for acc in accepting:
        if acc(current) and loop:
            continue
        path = _bfs(current, acc, component, successors, allow_start=not loop)
        loop.extend(path[:-1])
        current = path[-1]
    back = _bfs(current, lambda w: w == entry, component, successors, allow_start=bool(loop))
    loop.extend(back[:-1])
    return prefix[:-1], loop


def _bfs(
    start: int,
    goal: Callable[[int], bool],
    component: set[int],
    successors: Callable[[int], Iterable[int]],
    *,
    allow_start: bool,
) -> list[int]:
    """Shortest path inside ``component`` from ``start`` to a goal node (inclusive)."""
    if allow_start and goal(start):
        return [start]
    prev: dict[int, int] = {}
    queue = deque([start])
    seen = {start}
    while queue:
        v = queue.popleft()
        for w in successors(v):
            if w not in component:
                continue
            if goal(w):
                path = [w, v]
                while path[-1] != start:
                    path.append(prev[path[-1]])
                path.reverse()
                return path
            if w not in seen:
                seen.add(w)
                prev[w] = v
                queue.append(w)
    raise AssertionError("goal unreachable inside an SCC")  # pragma: no cover


def satisfiable(
    formula: Formula, *, deadline: float | None = None, max_steps: int | None = None
) -> bool:
    """Whether some infinite word satisfies the LTL ``formula``.

    Raises :class:`TimeBudgetExceeded` when ``deadline`` or ``max_steps`` (tableau
    steps) runs out first.
    """
    aut = ltl_to_buchi(formula, deadline=deadline, max_steps=max_steps)
    acc = [s.__contains__ for s in aut.accepting]
    lasso = find_accepting_lasso(aut.initial, aut.succ.__getitem__, acc, deadline=deadline)
    return lasso is not None


def example_word(
    formula: Formula, *, deadline: float | None = None
) -> tuple[list[frozenset[str]], list[frozenset[str]]] | None:
    """A lasso word ``(prefix, loop)`` satisfying the LTL ``formula``, or ``None``.

    Each letter is the set of atoms the automaton requires true; all others are false.

    Examples
    --------
    >>> from temporal_neural_solver import parse
    >>> example_word(parse("X p & G F !p")) is not None
    True
    """
    aut = ltl_to_buchi(formula, deadline=deadline)
    acc = [s.__contains__ for s in aut.accepting]
    lasso = find_accepting_lasso(aut.initial, aut.succ.__getitem__, acc, deadline=deadline)
    if lasso is None:
        return None
    prefix, loop = lasso
    return [aut.pos[q] for q in prefix], [aut.pos[q] for q in loop]
