"""Formulas deeper than Python's recursion limit: every pass must still work.

Programs generate formulas such as a conjunction of 500 atoms or ``"F " * 2000 + "p"``;
each pass over a formula (printing, evaluation and its explanation, the transforms,
monitors, STL robustness) once recursed and raised ``RecursionError`` on them. The
fast tests use a few thousand nodes (well past the default limit of 1000 frames); the
slow ones the issue's 100,000 nodes. On small formulas the iterative passes are
checked against the recursive ones they replaced.
"""

import copy
import pickle
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings

from temporal_neural_solver import (
    Monitor,
    MonitorVerdict,
    RobustnessMonitor,
    evaluate,
    parse,
    robustness,
)
from temporal_neural_solver.formula import Formula

sys.path.insert(0, str(Path(__file__).parent))
from _tns_reference import formulas, recursive_nnf, recursive_str, reference_finite

V = MonitorVerdict


@settings(max_examples=300, deadline=None)
@given(formulas(past=True, timed=True, max_leaves=12))
def test_iterative_passes_match_the_recursive_ones(f):
    assert str(f) == recursive_str(f)
    assert parse(str(f)) is f
    assert pickle.loads(pickle.dumps(f)) is f
    assert f.to_nnf() is recursive_nnf(f)


@settings(max_examples=150, deadline=None)
@given(formulas(past=True, max_leaves=10))
def test_explanations_decide_the_verdict(f):
    # the deciding positions of a failing formula lie inside the trace, and flipping
    # nothing outside them can matter: a sanity check on the worklist explainer
    trace = [frozenset({"p"}), frozenset(), frozenset({"q", "r"}), frozenset({"p", "r"})]
    v = evaluate(f, trace)
    assert v.holds == reference_finite(f, trace)
    assert all(0 <= i < len(trace) for i in v.positions)


def conjunction(n: int) -> str:
    return " & ".join(f"p{i}" for i in range(n))


def until_chain(n: int) -> str:
    return " U ".join(f"p{i}" for i in range(n))


def check_conjunction(n: int, *, monitor: bool = True) -> None:
    f = parse(conjunction(n))
    assert f.size() == 2 * n - 1
    everything = {f"p{i}" for i in range(n)}
    assert evaluate(f, [everything]).holds
    v = evaluate(f, [everything - {f"p{n // 2}"}])
    assert (v.holds, v.counterexample) == (False, (0,))
    # the issue's own example: every atom false
    assert not evaluate(f, [set()]).holds
    assert parse(str(f)) is f
    assert f.to_nnf() is f and f.simplify() is f
    neg = Formula.make("!", f).to_nnf()
    assert neg.op == "|" and neg.size() == 3 * n - 1
    assert evaluate(neg, [everything - {"p0"}]).holds
    stl = parse(" & ".join(f"x > {i}" for i in range(n)))
    assert robustness(stl, {"x": [n + 0.5]}) == pytest.approx(1.5)
    online = RobustnessMonitor(stl)
    assert online.update({"x": 2.0}) == pytest.approx(3.0 - n)
    if monitor:
        assert Monitor(f).run([everything]) is V.TRUE
        assert Monitor(f).run([everything - {"p1"}]) is V.FALSE


def check_eventually_chain(n: int) -> None:
    f = parse("F " * n + "p")
    assert f.size() == n + 1
    v = evaluate(f, [set(), {"p"}, set()])
    assert (v.holds, v.witness) == (True, (1,))
    assert not evaluate(f, [set(), set()]).holds
    assert parse(str(f)) is f
    assert f.simplify() is parse("F p")
    assert Formula.make("!", f).to_nnf() is parse("G " * n + "!p")
    assert robustness(parse("F " * n + "x > 0"), {"x": [-3.0, 2.0, 1.0]}) == 2.0
    m = Monitor(f)
    assert [m.step(s) for s in [set(), {"p"}]] == [V.PRESUMABLY_FALSE, V.TRUE]


def check_pickle(n: int) -> None:
    for text in (conjunction(n // 2), "F " * n + "p", "!" * n + "p", until_chain(n // 2)):
        f = parse(text)
        assert pickle.loads(pickle.dumps(f)) is f
        assert copy.deepcopy(f) is f


def check_negations(n: int) -> None:
    for k in (n, n + 1):
        f = parse("!" * k + "p")
        want = k % 2 == 0
        assert evaluate(f, [{"p"}]).holds is want
        assert parse(str(f)) is f
        assert f.to_nnf() is (parse("p") if want else parse("!p"))
        assert f.simplify() is f.to_nnf()
        assert Monitor(f).run([{"p"}]) is (V.TRUE if want else V.FALSE)
        assert robustness(parse("!" * k + "(x > 1)"), {"x": [3.0]}) == (2.0 if want else -2.0)


def check_until_chain(n: int, *, monitor: bool = True) -> None:
    f = parse(until_chain(n))
    assert f.size() == 2 * n - 1
    last = f"p{n - 1}"
    assert evaluate(f, [{last}]).holds
    assert not evaluate(f, [set()]).holds
    # p0 holds, then the rest of the chain starts at step 1
    assert evaluate(f, [{"p0"}, {last}]).holds
    assert not evaluate(f, [set(), {last}]).holds
    assert parse(str(f)) is f
    assert f.to_nnf() is f
    neg = Formula.make("!", f).to_nnf()
    assert neg.op == "R" and neg.size() == 3 * n - 1
    assert evaluate(neg, [set(), {last}]).holds
    stl = parse(" U ".join(f"x > {i}" for i in range(n)))
    assert robustness(stl, {"x": [n + 1.0]}) == pytest.approx(2.0)
    if monitor:
        assert Monitor(f).run([{last}]) is V.TRUE
        assert Monitor(f).run([set()]) is V.FALSE


def check_next_chain(n: int) -> None:
    f = parse("X " * n + "p")
    trace = [set()] * n + [{"p"}]
    v = evaluate(f, trace)
    assert (v.holds, v.witness) == (True, (n,))
    assert not evaluate(f, trace[:-1]).holds
    assert parse(str(f)) is f
    assert Formula.make("!", f).to_nnf() is parse("N " * n + "!p")


@pytest.mark.parametrize(
    "check",
    [
        check_conjunction,
        check_eventually_chain,
        check_negations,
        check_until_chain,
        check_next_chain,
        check_pickle,
    ],
)
def test_formulas_past_the_recursion_limit(check):
    check(1500)


def test_the_issues_sizes():
    check_conjunction(500)
    check_eventually_chain(2000)
    check_until_chain(500)


@pytest.mark.slow
@pytest.mark.parametrize(
    "check, n",
    [
        (check_conjunction, 50_000),
        (check_eventually_chain, 100_000),
        (check_negations, 100_000),
        (check_until_chain, 50_000),
        (check_next_chain, 100_000),
        (check_pickle, 100_000),
    ],
)
def test_hundred_thousand_nodes(check, n):
    if check in (check_conjunction, check_until_chain):
        check(n, monitor=check is check_conjunction)
    else:
        check(n)


def test_run_reads_more_than_63_atoms_exactly():
    # letters were int64 bit masks: atom 64 and up wrapped onto the low bits
    n = 70
    names = [f"p{i}" for i in range(n)]
    anyone, everyone = parse(" | ".join(names)), parse(" & ".join(names))
    for k in (0, 63, 64, 69):
        assert Monitor(anyone).run([{names[k]}]) is V.TRUE
        assert Monitor(everyone).run([set(names) - {names[k]}]) is V.FALSE
        assert Monitor(everyone).run({a: [a != names[k]] for a in names}) is V.FALSE
