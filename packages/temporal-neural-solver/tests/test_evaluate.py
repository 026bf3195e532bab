import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from temporal_neural_solver import Lasso, TemporalLogicError, evaluate, parse, satisfaction

sys.path.insert(0, str(Path(__file__).parent))
from _tns_reference import (
    ATOMS,
    formulas,
    reference_finite,
    reference_lasso,
    traces,
)


@settings(max_examples=400, deadline=None)
@given(formulas(past=True, max_leaves=10), traces())
def test_finite_matches_reference(f, trace):
    assert evaluate(f, trace).holds == reference_finite(f, trace)


@settings(max_examples=200, deadline=None)
@given(formulas(timed=True, max_leaves=8), traces(max_size=8), st.data())
def test_timed_matches_reference(f, trace, data):
    gaps = data.draw(
        st.lists(st.sampled_from([0.5, 1, 2]), min_size=len(trace), max_size=len(trace))
    )
    times = np.cumsum(gaps)
    assert evaluate(f, trace, times=times).holds == reference_finite(f, trace, times)


@settings(max_examples=300, deadline=None)
@given(formulas(max_leaves=10), traces(min_size=0, max_size=4), traces(max_size=4))
def test_lasso_matches_reference(f, prefix, loop):
    v = evaluate(f, Lasso(prefix, loop), semantics="infinite")
    assert v.holds == reference_lasso(f, prefix, loop)


@settings(max_examples=150, deadline=None)
@given(formulas(past=True, max_leaves=8), traces())
def test_satisfaction_at_every_position(f, trace):
    values = satisfaction(f, trace)
    for i in range(len(trace)):
        assert bool(values[i]) == reference_finite(f, trace[i:]) or f.has_past()


@settings(max_examples=300, deadline=None)
@given(formulas(timed=True, past=True, max_leaves=10), traces())
def test_simplify_and_nnf_preserve_meaning(f, trace):
    expected = evaluate(f, trace).holds
    assert evaluate(f.simplify(), trace).holds == expected
    assert evaluate(f.to_nnf(), trace).holds == expected


@pytest.mark.parametrize(
    ("text", "trace"),
    [
        ("G G[0,0] p", [{"p"}, set()]),  # found by the property above
        ("F F[1,1] p", [set(), set(), {"p"}]),
        ("H H[0,0] p", [set(), {"p"}]),
        ("O O[1,1] p", [{"p"}, set(), set()]),
    ],
)
def test_simplify_keeps_an_untimed_operator_over_its_timed_self(text, trace):
    # G G p = G p, but G G[0,0] p is G p, not G[0,0] p (the first fails before the fix)
    f = parse(text)
    trace = [frozenset(step) for step in trace]
    assert evaluate(f.simplify(), trace).holds == evaluate(f, trace).holds
    assert f.simplify() is not f.args[0]


@settings(max_examples=150, deadline=None)
@given(formulas(max_leaves=8), traces(min_size=0, max_size=3), traces(max_size=3))
def test_simplify_and_nnf_preserve_infinite_meaning(f, prefix, loop):
    lasso = Lasso(prefix, loop)
    expected = evaluate(f, lasso, semantics="infinite").holds
    assert evaluate(f.simplify(), lasso, semantics="infinite").holds == expected
    assert evaluate(f.to_nnf(), lasso, semantics="infinite").holds == expected


def test_nnf_has_negation_only_on_atoms():
    f = parse("!(G (p -> X q) | (r W p) <-> F !(p M q))").to_nnf()
    for g in f.subformulas():
        if g.op == "!":
            assert g.args[0].op == "atom"
        assert g.op not in ("->", "<->", "^")


def test_ltlf_next_semantics():
    assert not evaluate("X p", [{"p"}]).holds
    assert evaluate("N p", [{"p"}]).holds
    assert evaluate("N false", [set()]).holds
    assert evaluate("G p", [{"p"}, {"p"}]).holds
    assert not evaluate("F p", [set(), set()]).holds


@settings(max_examples=200, deadline=None)
@given(traces(atoms=("p",), max_size=10))
def test_g_counterexample_is_first_failure(trace):
    v = evaluate("G p", trace)
    failures = [i for i, s in enumerate(trace) if "p" not in s]
    assert v.holds == (not failures)
    if failures:
        assert v.counterexample == (failures[0],)
    else:
        assert v.witness == ()


@settings(max_examples=200, deadline=None)
@given(traces(atoms=("p",), max_size=10))
def test_f_witness_is_first_success(trace):
    v = evaluate("F p", trace)
    hits = [i for i, s in enumerate(trace) if "p" in s]
    assert v.holds == bool(hits)
    assert v.positions == ((hits[0],) if hits else (0,))


@settings(max_examples=200, deadline=None)
@given(traces(atoms=("req", "resp"), max_size=12))
def test_response_counterexample_is_first_unanswered_request(trace):
    v = evaluate("G (req -> F resp)", trace)
    pending = [
        i for i, s in enumerate(trace) if "req" in s and not any("resp" in t for t in trace[i:])
    ]
    assert v.holds == (not pending)
    if pending:
        assert v.counterexample == (pending[0],)


def test_trace_forms_agree():
    f = "p U (q & X p)"
    sets = [{"p"}, {"p"}, {"q"}, {"p"}]
    dicts = [{"p": "p" in s, "q": "q" in s} for s in sets]
    arrays = {"p": np.array([1, 1, 0, 1], bool), "q": np.array([0, 0, 1, 0], bool)}
    assert evaluate(f, sets) == evaluate(f, dicts) == evaluate(f, arrays)


def test_comparisons():
    sig = {"x": [0.0, 1.0, 3.0], "y": [1.0, 0.0, 0.0]}
    assert evaluate("F (x - y > 2)", sig).witness == (2,)
    assert satisfaction("x >= y", sig).tolist() == [False, True, True]


def test_bad_input():
    with pytest.raises(TemporalLogicError, match=r"atom 'q' is missing.*unknown='false'"):
        evaluate("p & q", {"p": [True]})
    assert not evaluate("p & q", {"p": [True]}, unknown="false").holds
    with pytest.raises(TemporalLogicError, match="unknown"):
        evaluate("p", {"p": [True]}, unknown="maybe")
    with pytest.raises(TemporalLogicError, match="length"):
        evaluate("p", {"p": [1, 0], "q": [1]})
    with pytest.raises(TemporalLogicError, match="at least one step"):
        evaluate("p", [])
    with pytest.raises(TemporalLogicError, match="strictly increasing"):
        evaluate("F[0,1] p", {"p": [1, 0, 1]}, times=[0, 2, 1])
    with pytest.raises(TemporalLogicError, match="expected 3 timestamps"):
        evaluate("F[0,1] p", {"p": [1, 0, 1]}, times=[0, 2])
    with pytest.raises(TemporalLogicError, match="expected 3 timestamps"):
        evaluate("F p", {"p": [1, 0, 1]}, times=[0, 2])
    with pytest.raises(TemporalLogicError, match="NaN"):
        evaluate("F[0,1] p", {"p": [1, 0, 1]}, times=[0, np.nan, 3])
    with pytest.raises(TemporalLogicError, match="Lasso"):
        evaluate("p", [{"p"}], semantics="infinite")
    with pytest.raises(TemporalLogicError, match="semantics"):
        evaluate("p", [{"p"}], semantics="weird")
    with pytest.raises(TemporalLogicError, match="finite traces only"):
        evaluate("Y p", Lasso([], [{"p"}]), semantics="infinite")
    with pytest.raises(TemporalLogicError, match="has no value for"):
        evaluate("p", [{"p": True}, {"q": True}])
    with pytest.raises(TemporalLogicError, match="dict or a set"):
        evaluate("p", [{"p"}, 3])
    with pytest.raises(TemporalLogicError, match="NaN"):
        evaluate("x > 0", {"x": [0.0, np.nan]})
    with pytest.raises(TypeError, match="formula"):
        evaluate(3, [{"p"}])  # type: ignore[arg-type]


def test_large_trace_is_linear_not_recursive():
    n = 100_000
    rng = np.random.default_rng(0)
    trace = {a: rng.random(n) < 0.3 for a in ATOMS}
    f = parse("G (p -> F q) & (p U (q | r)) R (X X r)")
    v = evaluate(f, trace)
    assert isinstance(v.holds, bool)
    # spot-check a suffix against the reference
    tail = [frozenset(a for a in ATOMS if trace[a][i]) for i in range(n - 30, n)]
    assert satisfaction(f, trace)[n - 30] == reference_finite(f, tail)


@settings(max_examples=300, deadline=None)
@given(formulas(past=True, timed_past=True, max_leaves=8), traces(max_size=8), st.data())
def test_bounded_past_matches_reference(f, trace, data):
    gaps = data.draw(
        st.lists(st.sampled_from([0.5, 1, 2]), min_size=len(trace), max_size=len(trace))
    )
    times = np.cumsum(gaps)
    v = evaluate(f, trace, times=times)
    assert v.holds == reference_finite(f, trace, times)
    assert all(0 <= i < len(trace) for i in v.positions)
    assert evaluate(f.to_nnf(), trace, times=times).holds == v.holds
    assert evaluate(f.simplify(), trace, times=times).holds == v.holds
