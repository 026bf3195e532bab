import itertools
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings

from temporal_neural_solver import TemporalLogicError, synthesize

sys.path.insert(0, str(Path(__file__).parent))
from _tns_reference import formulas, reference_finite

ATOMS = ("p", "q")
LETTERS = [frozenset(c) for r in range(3) for c in itertools.combinations(ATOMS, r)]


def all_traces(length):
    return (list(w) for w in itertools.product(LETTERS, repeat=length))


@settings(max_examples=200, deadline=None)
@given(formulas(atoms=ATOMS, max_leaves=6))
def test_shortest_witness_against_brute_force(f):
    bound = 4
    r = synthesize(f, max_length=bound)
    if r.status == "SAT":
        trace = list(r.trace)
        assert reference_finite(f, trace)
        for shorter in range(1, len(trace)):
            assert not any(reference_finite(f, t) for t in all_traces(shorter))
    else:
        assert r.status == "UNSAT"
        for length in range(1, bound + 1):
            assert not any(reference_finite(f, t) for t in all_traces(length))


def test_examples():
    assert synthesize("X X X p", max_length=2).status == "UNSAT"
    r = synthesize("X X X p", max_length=5)
    assert r.status == "SAT" and len(r.trace) == 4
    r = synthesize("p & X false", max_length=50)
    assert r.status == "UNSAT" and r.exhaustive


def test_bad_input():
    with pytest.raises(TemporalLogicError, match="max_length"):
        synthesize("p", max_length=0)
    with pytest.raises(TemporalLogicError, match="past"):
        synthesize("O p", max_length=3)
    with pytest.raises(TemporalLogicError, match="at most 12 atoms"):
        synthesize(" & ".join(f"F a{i}" for i in range(13)), max_length=3)
    with pytest.raises(TemporalLogicError, match="timeout"):
        synthesize("p", max_length=3, timeout=-1)


def hard(n_atoms):
    # a0 must hold somewhere, and then a9 eight steps later: every witness has >= 10 steps
    return (
        " & ".join(f"F (a{i} & X !a{i})" for i in range(n_atoms))
        + " & G (a0 -> X X X X X X X X a9)"
    )


def test_timeout_unknown():
    r = synthesize(hard(10), max_length=200, timeout=1e-3)
    assert r.status == "UNKNOWN"
    assert r.trace == () and not r.exhaustive
    assert "timeout" in r.reason and r.checked_length <= 9


def test_unknown_says_how_far_it_got():
    r = synthesize(hard(10), max_length=200, timeout=0.3)
    assert r.status == "UNKNOWN"
    assert r.reason.startswith("timeout: 0.3 s ran out")
    assert f"none of {r.checked_length} steps or fewer" in r.reason
    assert r.checked_length <= 9  # the claim it makes is true


def test_progress_reports_each_length():
    calls = []
    r = synthesize("X X X p", max_length=2, progress=lambda *a: calls.append(a))
    assert (r.status, r.exhaustive, r.checked_length) == ("UNSAT", False, 2)
    assert calls == [(1, 2), (2, 2)]
    calls.clear()
    r = synthesize("X X X p", max_length=9, progress=lambda *a: calls.append(a))
    assert r.status == "SAT" and len(r.trace) == 4 and r.checked_length == 3
    assert calls == [(1, 9), (2, 9), (3, 9)]
    assert synthesize("p & X false", max_length=50).checked_length == 2


@pytest.mark.slow
def test_eleven_atoms_stop_by_default():
    # issue 16: no default timeout, 11 atoms ran for more than 60 s
    r = synthesize(hard(11), max_length=200)
    assert r.status == "UNKNOWN" and r.reason.startswith("timeout: 30 s")
