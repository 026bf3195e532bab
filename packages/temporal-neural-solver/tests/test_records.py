"""``to_dict`` of every result record, against literal dicts written out by hand.

Types are compared as well as values (``1 == 1.0 == np.int64(1)``), so a change of
container or scalar type shows up.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import temporal_neural_solver as tns
from temporal_neural_solver.kripke import CTLResult
from temporal_neural_solver.ltl_check import LTLResult
from temporal_neural_solver.predictor import PredictorReport
from temporal_neural_solver.stl import SmoothRobustness
from temporal_neural_solver.synthesis import Synthesis


def assert_same(got: Any, want: Any) -> None:
    assert type(got) is type(want), (got, want)
    if isinstance(want, dict):
        assert list(got) == list(want)
        for k in want:
            assert_same(got[k], want[k])
    elif isinstance(want, list):
        assert len(got) == len(want)
        for g, w in zip(got, want, strict=True):
            assert_same(g, w)
    else:
        assert got == want


def test_verdict_from_evaluate() -> None:
    v = tns.evaluate("F p", [set(), set(), {"p"}])
    assert_same(
        v.to_dict(),
        {"holds": True, "positions": [2], "formula": "F p", "semantics": "finite"},
    )
    v = tns.evaluate("G p", [{"p"}, set()])
    assert_same(
        v.to_dict(),
        {"holds": False, "positions": [1], "formula": "G p", "semantics": "finite"},
    )


def test_ctl_result() -> None:
    r = CTLResult(True, np.array([True, False, True, True]), ["s2", "x", 10, 1])
    assert_same(r.to_dict(), {"holds": True, "states": ["1", "10", "s2"]})
    r = CTLResult(False, np.zeros(2, dtype=bool), ["a", "b"])
    assert_same(r.to_dict(), {"holds": False, "states": []})


def test_predictor_report() -> None:
    r = PredictorReport(
        fractions=(0.25, 0.5), accuracy=(0.75, 1.0), baseline=(0.5, 0.5), n_traces=8
    )
    assert_same(
        r.to_dict(),
        {"fractions": [0.25, 0.5], "accuracy": [0.75, 1.0], "baseline": [0.5, 0.5], "n_traces": 8},
    )


def test_smooth_robustness() -> None:
    r = SmoothRobustness(
        value=-0.5,
        gradient={"x": np.array([1.0, 0.0]), "y": np.array([0.25, 0.75])},
        temperature=0.1,
    )
    assert_same(
        r.to_dict(),
        {"value": -0.5, "gradient": {"x": [1.0, 0.0], "y": [0.25, 0.75]}, "temperature": 0.1},
    )


def test_synthesis() -> None:
    s = Synthesis("SAT", (frozenset({"q", "p"}), frozenset()), False, 7, 1, "")
    assert_same(
        s.to_dict(),
        {
            "status": "SAT",
            "trace": [["p", "q"], []],
            "exhaustive": False,
            "states_explored": 7,
            "checked_length": 1,
            "reason": "",
        },
    )
    u = Synthesis("UNKNOWN", reason="timeout after 1.0 s")
    assert_same(
        u.to_dict(),
        {
            "status": "UNKNOWN",
            "trace": [],
            "exhaustive": False,
            "states_explored": 0,
            "checked_length": 0,
            "reason": "timeout after 1.0 s",
        },
    )


def test_ltl_result() -> None:
    r = LTLResult("FALSE", prefix=("a", 2), loop=("b",), product_states=5)
    assert_same(
        r.to_dict(),
        {"status": "FALSE", "prefix": ["a", "2"], "loop": ["b"], "product_states": 5},
    )
    assert_same(
        LTLResult("TRUE").to_dict(),
        {"status": "TRUE", "prefix": [], "loop": [], "product_states": 0},
    )
