import itertools
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from temporal_neural_solver import Monitor, MonitorSet, MonitorVerdict, TemporalLogicError

sys.path.insert(0, str(Path(__file__).parent))
from _tns_reference import formulas, reference_finite, reference_lasso, traces

ATOMS = ("p", "q")
LETTERS = [frozenset(c) for r in range(3) for c in itertools.combinations(ATOMS, r)]
CONTINUATIONS = [
    (list(w[:k]), list(w[k:]))
    for n in (1, 2, 3)
    for w in itertools.product(LETTERS, repeat=n)
    for k in range(n)
]
V = MonitorVerdict


@settings(max_examples=200, deadline=None)
@given(formulas(atoms=ATOMS, max_leaves=6), traces(atoms=ATOMS, max_size=6))
def test_rv_ltl_verdicts(f, trace):
    m = Monitor(f)
    seen_final = None
    for i, step in enumerate(trace):
        v = m.step(step)
        prefix = trace[: i + 1]
        if seen_final is not None:
            assert v == seen_final  # TRUE and FALSE are final
        if v.final:
            seen_final = v
            # every infinite continuation agrees (checked on all short lassos)
            for mid, loop in CONTINUATIONS:
                assert reference_lasso(f, prefix + mid, loop) == (v == V.TRUE)
        else:
            # presumable verdicts are the LTLf value of the prefix read so far
            assert (v == V.PRESUMABLY_TRUE) == reference_finite(f, prefix)


@settings(max_examples=150, deadline=None)
@given(formulas(atoms=ATOMS, max_leaves=6, past=True), traces(atoms=ATOMS, max_size=6))
def test_past_time_monitoring(f, trace):
    try:
        m = Monitor(f)
    except TemporalLogicError:
        assert any(
            g.op in "YOHS" and g.args and any(h.op in "XNFGURWM" for h in g.subformulas())
            for g in f.subformulas()
        )
        return
    for i, step in enumerate(trace):
        v = m.step(step)
        if not v.final:
            assert (v == V.PRESUMABLY_TRUE) == reference_finite(f, trace[: i + 1])


@settings(max_examples=100, deadline=None)
@given(formulas(atoms=ATOMS, max_leaves=6), traces(atoms=ATOMS, max_size=10))
def test_run_matches_step(f, trace):
    a, b = Monitor(f), Monitor(f)
    stepped = [int(a.step(s)) for s in trace]
    cols = {x: np.array([x in s for s in trace]) for x in ATOMS}
    assert b.run(cols, every_step=True).tolist() == stepped
    b.reset()
    assert b.run(trace) == V(stepped[-1])


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(
        formulas(atoms=ATOMS, max_leaves=6, timed=True),
        formulas(atoms=ATOMS, max_leaves=6, timed=True, unary=("!",), binary=("&", "|", "->")),
    ),
    traces(atoms=ATOMS, max_size=7),
    st.data(),
)
def test_timed_monitoring(f, trace, data):
    gaps = data.draw(
        st.lists(st.sampled_from([0.5, 1, 2]), min_size=len(trace), max_size=len(trace))
    )
    times = np.cumsum(gaps).tolist()
    m = Monitor(f)
    final = None
    # with timed operators only, final verdicts are decided when windows resolve and so
    # hold for every finite extension; untimed ones follow infinite-trace RV-LTL (tested
    # above)
    only_timed = all(g.interval is not None or g.op not in "XNFGURWM" for g in f.subformulas())
    for i, step in enumerate(trace):
        v = m.step(step, times[i])
        if final is not None:
            assert v == final
        holds = reference_finite(f, trace[: i + 1], times[: i + 1])
        if v.final:
            final = v
            if not only_timed:
                continue
            # a final verdict holds for every extension: try all one- and two-step ones
            for ext in itertools.product(LETTERS, repeat=2):
                for k in (1, 2):
                    longer = trace[: i + 1] + list(ext[:k])
                    stamps = times[: i + 1] + [times[i] + 0.5 * (j + 1) for j in range(k)]
                    assert reference_finite(f, longer, stamps) == (v == V.TRUE)
        else:
            assert (v == V.PRESUMABLY_TRUE) == holds
    cols = {x: np.array([x in s for s in trace]) for x in ATOMS}
    assert Monitor(f).run(cols, times=times) == m.verdict


def test_examples_and_comparisons():
    m = Monitor("G (speed - limit <= 0) & F stop")
    assert m.step({"speed": 1.0, "limit": 2.0, "stop": False}) == V.PRESUMABLY_FALSE
    assert m.step({"speed": 1.0, "limit": 2.0, "stop": True}) == V.PRESUMABLY_TRUE
    assert m.step({"speed": 3.0, "limit": 2.0, "stop": False}) == V.FALSE
    assert Monitor("X false").step(set()) == V.FALSE
    assert Monitor("G F p").step({"p"}) == V.PRESUMABLY_TRUE
    assert Monitor("F p | G !p").step(set()) == V.TRUE  # valid formula: decided at once
    m = Monitor("G (p -> F q)")
    for _ in range(1000):
        m.step({"p"})
        m.step({"q"})
    assert m.n_states <= 4  # the automaton stays small: states are reused


def test_monitor_set():
    ms = MonitorSet(["G !crash", "F done"])
    out = ms.step({"crash": False, "done": False})
    assert out == {"G !crash": V.PRESUMABLY_TRUE, "F done": V.PRESUMABLY_FALSE}
    out = ms.run({"crash": [False, True], "done": [True, False]})
    assert out == {"G !crash": V.FALSE, "F done": V.TRUE}


def test_bad_input():
    with pytest.raises(TemporalLogicError, match=r"atom 'q' is missing.*unknown='false'"):
        Monitor("p & q").step({"p": True})
    assert Monitor("p & q", unknown="false").step({"p": True}) == V.FALSE
    with pytest.raises(TemporalLogicError, match="dict or a set"):
        Monitor("p").step(3)
    with pytest.raises(TemporalLogicError, match="numeric time"):
        Monitor("F[0,1] p").step({"p"})
    m = Monitor("F[0,1] p")
    m.step(set(), 1.0)
    with pytest.raises(TemporalLogicError, match="increase"):
        m.step(set(), 1.0)
    with pytest.raises(TemporalLogicError, match="CTL"):
        Monitor("AG p")
    with pytest.raises(TemporalLogicError, match="past-time operators may not contain"):
        Monitor("O (F p)")
    with pytest.raises(TemporalLogicError, match="signal 'x'"):
        Monitor("x > 1 & p").step({"p": True})
    with pytest.raises(TemporalLogicError, match="not numeric"):
        Monitor("x > 1").step({"x": "fast"})
    with pytest.raises(TemporalLogicError, match="nan"):
        Monitor("x > 1").step({"x": float("nan")})


def test_comparison_fast_path_matches_vectorised_run():
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=200), rng.normal(size=200)
    for text in ["G (x - y <= 1.5)", "F (2*x > 1) & G (y >= -2)", "(x < 0) U (y > 1)"]:
        a = Monitor(text)
        stepped = [int(a.step({"x": float(u), "y": float(v)})) for u, v in zip(x, y, strict=True)]
        assert Monitor(text).run({"x": x, "y": y}, every_step=True).tolist() == stepped


def test_a_missing_atom_is_called_missing_with_the_unknown_hint():
    # issue 16: the message said "unknown atom 'response'" for an atom of the formula
    for m in (Monitor("G (request -> F response)"), Monitor("G (request -> F response) & H p")):
        with pytest.raises(TemporalLogicError, match="atom 'response' is missing") as info:
            m.step({"request": True, "p": True})
        assert "unknown='false'" in str(info.value)
    with pytest.raises(TemporalLogicError, match=r"atom 'response' is missing.*unknown='false'"):
        Monitor("G (request -> F response)").run({"request": [True]})
    m = Monitor("G (request -> F response)", unknown="false")
    assert m.step({"request": True}) is V.PRESUMABLY_FALSE
