import math
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from temporal_neural_solver import (
    Monitor,
    RobustnessMonitor,
    TemporalLogicError,
    parse,
    robustness,
    robustness_signal,
    satisfaction,
    smooth_robustness,
)
from temporal_neural_solver.formula import Formula

sys.path.insert(0, str(Path(__file__).parent))
from _tns_reference import formula_trees

PREDICATES = [parse(t) for t in ("x > 0.3", "y < -0.2", "x - y >= 0.5", "2*x + y <= 1")]


def stl_formulas(
    unary=("!", "X", "N", "F", "G", "Y", "O", "H"),
    binary=("&", "|", "->", "U", "R", "W", "M", "S"),
    timed=True,
    max_leaves=6,
    timed_past=False,
):
    return formula_trees(
        st.sampled_from(PREDICATES),
        unary,
        binary,
        timed,
        max_leaves,
        timed_until="U" in binary,
        timed_past=timed_past,
    )


signals = st.integers(1, 9).flatmap(
    lambda n: st.fixed_dictionaries(
        {
            "x": st.lists(st.floats(-2, 2, allow_nan=False), min_size=n, max_size=n).map(np.array),
            "y": st.lists(st.floats(-2, 2, allow_nan=False), min_size=n, max_size=n).map(np.array),
        }
    )
)


def reference_robustness(f, sig, times):
    """Textbook max/min over explicit position sets."""
    n = len(sig["x"])
    inf = math.inf

    def rho(g, i):
        op, a = g.op, g.args
        if op == "cmp":
            p = g.predicate
            lhs = p.lhs_const + sum(c * sig[k][i] for k, c in p.lhs)
            rhs = p.rhs_const + sum(c * sig[k][i] for k, c in p.rhs)
            return lhs - rhs if p.op in (">", ">=") else rhs - lhs
        if op == "!":
            return -rho(a[0], i)
        if op == "&":
            return min(rho(a[0], i), rho(a[1], i))
        if op == "|":
            return max(rho(a[0], i), rho(a[1], i))
        if op == "->":
            return max(-rho(a[0], i), rho(a[1], i))
        if g.interval is not None and op in ("O", "H", "S"):
            lo, hi = g.interval
            back = [j for j in range(i + 1) if lo <= times[i] - times[j] <= hi]
            if op == "O":
                return max((rho(a[0], j) for j in back), default=-inf)
            if op == "H":
                return min((rho(a[0], j) for j in back), default=inf)
            return max(
                (min([rho(a[1], j)] + [rho(a[0], k) for k in range(j + 1, i + 1)]) for j in back),
                default=-inf,
            )
        if g.interval is not None:
            lo, hi = g.interval
            win = [j for j in range(i, n) if lo <= times[j] - times[i] <= hi]
        else:
            win = list(range(i, n))
        if op == "X":
            return rho(a[0], i + 1) if i + 1 < n else -inf
        if op == "N":
            return rho(a[0], i + 1) if i + 1 < n else inf
        if op == "Y":
            return rho(a[0], i - 1) if i > 0 else -inf
        if op == "O":
            return max(rho(a[0], j) for j in range(i + 1))
        if op == "H":
            return min(rho(a[0], j) for j in range(i + 1))
        if op == "F":
            return max((rho(a[0], j) for j in win), default=-inf)
        if op == "G":
            return min((rho(a[0], j) for j in win), default=inf)

        def until(x, y, positions):
            return max(
                (min([rho(y, j)] + [rho(x, k) for k in range(i, j)]) for j in positions),
                default=-inf,
            )

        if op == "U":
            return until(a[0], a[1], win)
        if op == "R":
            return -until(Formula.make("!", a[0]), Formula.make("!", a[1]), win)
        if op == "W":
            return max(until(a[0], a[1], win), min((rho(a[0], j) for j in win), default=inf))
        if op == "M":
            return until(a[1], Formula.make("&", a[0], a[1]), win)
        if op == "S":
            return max(
                min([rho(a[1], j)] + [rho(a[0], k) for k in range(j + 1, i + 1)])
                for j in range(i + 1)
            )
        raise AssertionError(op)

    return [rho(f, i) for i in range(n)]


@settings(max_examples=250, deadline=None)
@given(stl_formulas(), signals, st.data())
def test_robustness_matches_reference(f, sig, data):
    n = len(sig["x"])
    times = np.cumsum(data.draw(st.lists(st.sampled_from([0.5, 1.0, 2.0]), min_size=n, max_size=n)))
    got = robustness_signal(f, sig, times)
    assert np.allclose(got, reference_robustness(f, sig, times), rtol=1e-12, atol=1e-12)


@settings(max_examples=250, deadline=None)
@given(stl_formulas(), signals)
def test_sign_agrees_with_boolean_satisfaction(f, sig):
    rob = robustness_signal(f, sig)
    sat = satisfaction(f, sig)
    assert np.all(sat[rob > 0])
    assert not np.any(sat[rob < 0])


SMOOTH = dict(unary=("!", "X", "N", "F", "G", "Y", "O", "H"), binary=("&", "|", "->"))


@settings(max_examples=100, deadline=None)
@given(stl_formulas(**SMOOTH), signals)
def test_smooth_gradient_by_finite_differences(f, sig):
    temp = 0.5
    r = smooth_robustness(f, sig, temperature=temp)
    assume(math.isfinite(r.value))
    eps = 1e-6
    for k in ("x", "y"):
        for i in range(len(sig[k])):
            hi = {a: v.copy() for a, v in sig.items()}
            lo = {a: v.copy() for a, v in sig.items()}
            hi[k][i] += eps
            lo[k][i] -= eps
            num = (
                smooth_robustness(f, hi, temperature=temp).value
                - smooth_robustness(f, lo, temperature=temp).value
            ) / (2 * eps)
            assert abs(num - r.gradient.get(k, np.zeros(len(sig[k])))[i]) <= 1e-5 * max(
                1.0, abs(num)
            )


@settings(max_examples=100, deadline=None)
@given(stl_formulas(**SMOOTH, max_leaves=4), signals)
def test_smooth_tends_to_robustness(f, sig):
    exact = robustness(f, sig)
    assume(math.isfinite(exact))
    soft = smooth_robustness(f, sig, temperature=1e-4).value
    assert abs(soft - exact) <= 1e-4 * math.log(2 * len(sig["x"]) + 2) * f.size() + 1e-9


def test_large_signal_bounded_window():
    n = 100_000
    rng = np.random.default_rng(0)
    x = rng.normal(size=n)
    rob = robustness_signal("G[0,100] (x < 3)", {"x": x})
    windows = np.lib.stride_tricks.sliding_window_view(
        np.concatenate((x, np.full(100, -np.inf))), 101
    )
    assert np.array_equal(rob, 3 - windows.max(axis=1))


def test_bad_input():
    with pytest.raises(TemporalLogicError, match="atom 'p'"):
        robustness("F p", {"p": [1.0]})
    with pytest.raises(TemporalLogicError, match="unknown signal 'y'"):
        robustness("F (y > 0)", {"x": [1.0]})
    with pytest.raises(TemporalLogicError, match="NaN"):
        robustness("F (x > 0)", {"x": [1.0, np.nan]})
    with pytest.raises(TemporalLogicError, match="strictly increasing"):
        robustness("F[0,1] (x > 0)", {"x": [1.0, 2.0]}, times=[1.0, 1.0])
    with pytest.raises(TemporalLogicError, match="temperature"):
        smooth_robustness("F (x > 0)", {"x": [1.0]}, temperature=0)
    with pytest.raises(TemporalLogicError, match="smooth_robustness supports"):
        smooth_robustness("(x > 0) U (x < 1)", {"x": [1.0]})
    with pytest.raises(TemporalLogicError, match="numeric"):
        robustness("F (x > 0)", {"x": np.array(["a", "b"])})


@settings(max_examples=200, deadline=None)
@given(stl_formulas(unary=("!", "Y", "O", "H"), binary=("&", "|", "->", "S"), timed=False), signals)
def test_online_robustness_matches_offline(f, sig):
    offline = robustness_signal(f, sig)
    m = RobustnessMonitor(f)
    online = [m.update({"x": x, "y": y}) for x, y in zip(sig["x"], sig["y"], strict=True)]
    assert np.allclose(online, offline, rtol=1e-12, atol=1e-12)


def test_online_robustness_bad_input():
    with pytest.raises(TemporalLogicError, match="past-time"):
        RobustnessMonitor("G (x > 0)")
    with pytest.raises(TemporalLogicError, match="past-time"):
        RobustnessMonitor("O p")
    m = RobustnessMonitor("H (x > 0)")
    with pytest.raises(TemporalLogicError, match="unknown signal 'x'"):
        m.update({"y": 1.0})
    with pytest.raises(TemporalLogicError, match="nan"):
        m.update({"x": float("nan")})
    with pytest.raises(TemporalLogicError, match="dict"):
        m.update([1.0])


# -- bounded past operators O[a,b], H[a,b], S[a,b] (issue 16) ----------------------------

PAST_UNARY = ("!", "Y", "O", "H")
PAST_BINARY = ("&", "|", "->", "S")
gaps = st.sampled_from([0.5, 1.0, 2.0])


@settings(max_examples=250, deadline=None)
@given(stl_formulas(timed_past=True), signals, st.data())
def test_bounded_past_robustness_matches_reference(f, sig, data):
    n = len(sig["x"])
    times = np.cumsum(data.draw(st.lists(gaps, min_size=n, max_size=n)))
    got = robustness_signal(f, sig, times)
    assert np.allclose(got, reference_robustness(f, sig, times), rtol=1e-12, atol=1e-12)
    rob, sat = got, satisfaction(f, sig, times=times)
    # the sign decides the boolean verdict (margins within rounding excepted)
    assert np.all(sat[rob > 1e-9]) and not np.any(sat[rob < -1e-9])


@settings(max_examples=250, deadline=None)
@given(
    stl_formulas(unary=PAST_UNARY, binary=PAST_BINARY, timed=False, timed_past=True),
    signals,
    st.data(),
)
def test_online_bounded_past_matches_offline(f, sig, data):
    n = len(sig["x"])
    times = np.cumsum(data.draw(st.lists(gaps, min_size=n, max_size=n)))
    offline = robustness_signal(f, sig, times)
    m = RobustnessMonitor(f)
    online = [
        m.update({"x": x, "y": y}, time=t)
        for x, y, t in zip(sig["x"], sig["y"], times.tolist(), strict=True)
    ]
    assert np.allclose(online, offline, rtol=1e-12, atol=1e-12)
    m.reset()  # a new stream starts from scratch, and without times counts steps
    again = [m.update({"x": x, "y": y}) for x, y in zip(sig["x"], sig["y"], strict=True)]
    assert np.allclose(again, robustness_signal(f, sig), rtol=1e-12, atol=1e-12)


def test_online_bounded_past_long_stream():
    # a long stream against the offline pass: the deques must expire samples exactly
    rng = np.random.default_rng(7)
    n = 3000
    sig = {"x": rng.standard_normal(n), "y": rng.standard_normal(n)}
    times = np.cumsum(rng.choice([0.25, 1.0, 3.0], n))
    f = parse("O[2,9] (x > 0.3) & H[0,5] (y < 1.5) | (x > 0) S[1,6] (y < -0.5)")
    m = RobustnessMonitor(f)
    online = [
        m.update({"x": x, "y": y}, time=t)
        for x, y, t in zip(sig["x"].tolist(), sig["y"].tolist(), times.tolist(), strict=True)
    ]
    assert np.allclose(online, robustness_signal(f, sig, times), rtol=1e-12, atol=1e-12)


def _rtamt_text(g):
    if g.op == "cmp":
        return f"({g.predicate})"
    if g.op == "!":
        return f"(not {_rtamt_text(g.args[0])})"
    if g.op in ("&", "|", "->"):
        word = {"&": "and", "|": "or", "->": "implies"}[g.op]
        return f"({_rtamt_text(g.args[0])} {word} {_rtamt_text(g.args[1])})"
    bound = "" if g.interval is None else f"[{int(g.interval[0])},{int(g.interval[1])}]"
    if g.op == "S":
        return f"({_rtamt_text(g.args[0])} since{bound} {_rtamt_text(g.args[1])})"
    word = {"Y": "prev", "O": "once", "H": "historically"}[g.op]
    return f"({word}{bound} {_rtamt_text(g.args[0])})"


def _repeats_a_temporal_subformula(f) -> bool:
    """True when one temporal subformula stands at two places of the tree.

    rtamt 0.4 keeps one state per distinct temporal subformula text, so a repeated
    one is mis-evaluated: ``(O[1,4] x > 0.3) S[0,0] (O[1,4] x > 0.3)`` on x = 0, 1
    gives -0.3, 0.7 in rtamt, but S[0,0] must return its right operand, -inf, -0.3
    (what ours and the offline evaluator give). Such formulas are compared with the
    offline evaluator above, not with rtamt.
    """
    seen: set[str] = set()
    stack = [f]
    while stack:
        g = stack.pop()
        if g.op in ("O", "H", "S", "Y"):
            text = str(g)
            if text in seen:
                return True
            seen.add(text)
        stack.extend(g.args)
    return False


@settings(max_examples=60, deadline=None)
@given(
    formula_trees(
        st.sampled_from(PREDICATES),
        ("!", "O", "H"),
        ("&", "|", "->", "S"),
        False,
        5,
        timed_past=True,
    )
    .filter(lambda f: all(g.interval is None or g.interval[1] < 10 for g in f.subformulas()))
    .filter(lambda f: not _repeats_a_temporal_subformula(f)),
    signals,
)
def test_online_bounded_past_matches_rtamt(f, sig):
    rtamt = pytest.importorskip("rtamt")
    spec = rtamt.StlDiscreteTimeSpecification()
    for name in ("x", "y", "out"):
        spec.declare_var(name, "float")
    spec.spec = f"out = {_rtamt_text(f)}"
    spec.parse()
    m = RobustnessMonitor(f)
    for i, (x, y) in enumerate(zip(sig["x"].tolist(), sig["y"].tolist(), strict=True)):
        ours = m.update({"x": x, "y": y})
        theirs = spec.update(i, [("x", x), ("y", y)])
        assert ours == pytest.approx(theirs, rel=1e-12, abs=1e-12), (i, str(f))


def test_repeated_temporal_subformula_follows_the_definition():
    # The case rtamt gets wrong (see _repeats_a_temporal_subformula): S[0,0] is its
    # right operand, and O[1,4] at the first sample has an empty window (-inf).
    m = RobustnessMonitor("(O[1,4] x > 0.3) S[0,0] (O[1,4] x > 0.3)")
    got = [m.update({"x": v}) for v in (0.0, 1.0, 0.0)]
    assert got[0] == -math.inf
    assert got[1:] == pytest.approx([-0.3, 0.7])


def test_bounded_past_parse_and_errors():
    for text in ("O[1,3] x > 0", "H[0,inf] x > 0", "x > 0 S[0,2] y < 1", "O[2,2] p"):
        f = parse(text)
        assert parse(str(f)) is f and f.interval is not None
    assert str(parse("!O[1,3] p").to_nnf()) == "H[1,3] !p"
    assert parse("O[0,2] false").simplify() is parse("false")
    assert parse("H[0,2] true").simplify() is parse("true")
    with pytest.raises(TemporalLogicError, match="only U and S take an interval"):
        parse("p R[0,1] q")
    with pytest.raises(TemporalLogicError):
        parse("Y[0,1] p")
    with pytest.raises(TemporalLogicError, match="timed past"):
        Monitor("O[0,2] p")
    with pytest.raises(TemporalLogicError, match="timed past"):
        smooth_robustness("O[0,2] x > 0", {"x": [1.0, 2.0]})
    m = RobustnessMonitor("O[0,2] x > 0")
    m.update({"x": 1.0}, time=5)
    with pytest.raises(TemporalLogicError, match="increase"):
        m.update({"x": 1.0}, time=5)
    with pytest.raises(TemporalLogicError, match="online robustness takes past-time STL"):
        RobustnessMonitor("F[0,2] x > 0")
