import itertools
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from temporal_neural_solver import Kripke, TemporalLogicError, check_ctl, check_ltl, parse
from temporal_neural_solver.automaton import example_word, satisfiable
from temporal_neural_solver.formula import Formula

sys.path.insert(0, str(Path(__file__).parent))
from _tns_reference import formulas, reference_lasso

LTL_OPS = dict(unary=("!", "X", "F", "G"), binary=("&", "|", "->", "U", "R", "W", "M"))


@st.composite
def kripkes(draw, max_states=4):
    n = draw(st.integers(1, max_states))
    succ = {
        s: draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n, unique=True))
        for s in range(n)
    }
    labels = {s: draw(st.frozensets(st.sampled_from(("p", "q")))) for s in range(n)}
    # make sure both atoms label some state so unknown='error' never fires
    labels[0] = labels[0] | {"p"}
    labels[n - 1] = labels[n - 1] | {"q"}
    initial = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n, unique=True))
    return n, succ, labels, initial


def build(spec):
    n, succ, labels, initial = spec
    return Kripke(list(range(n)), succ, labels, initial)


def ctl_formulas(max_leaves=6):
    leaf = st.sampled_from([parse("p"), parse("q"), parse("true")])

    def extend(children):
        temporal_unary = st.builds(
            lambda q, t, a: Formula.make(q, Formula.make(t, a)),
            st.sampled_from("AE"),
            st.sampled_from("XFG"),
            children,
        )
        temporal_binary = st.builds(
            lambda q, t, a, b: Formula.make(q, Formula.make(t, a, b)),
            st.sampled_from("AE"),
            st.sampled_from("URWM"),
            children,
            children,
        )
        boolean = st.one_of(
            st.builds(lambda a: Formula.make("!", a), children),
            st.builds(
                lambda o, a, b: Formula.make(o, a, b),
                st.sampled_from(["&", "|", "->"]),
                children,
                children,
            ),
        )
        return st.one_of(temporal_unary, temporal_binary, boolean)

    return st.recursive(leaf, extend, max_leaves=max_leaves)


def reference_ctl(spec, f):
    """Set-based fixpoints straight from the textbook characterisations (A and E each
    computed directly, not by duality)."""
    n, succ, labels, _ = spec
    states = set(range(n))

    def ex(z):
        return {s for s in states if any(t in z for t in succ[s])}

    def ax(z):
        return {s for s in states if all(t in z for t in succ[s])}

    def lfp(step):
        z = set()
        while True:
            nz = step(z)
            if nz == z:
                return z
            z = nz

    def gfp(step):
        z = set(states)
        while True:
            nz = step(z)
            if nz == z:
                return z
            z = nz

    def sat(g):
        op = g.op
        if op == "true":
            return set(states)
        if op == "atom":
            return {s for s in states if g.name in labels[s]}
        if op == "!":
            return states - sat(g.args[0])
        if op in ("&", "|", "->"):
            a, b = sat(g.args[0]), sat(g.args[1])
            return a & b if op == "&" else a | b if op == "|" else (states - a) | b
        quant, body = op, g.args[0]
        nxt = ex if quant == "E" else ax
        t = body.op
        args = [sat(x) for x in body.args]
        if t == "X":
            return nxt(args[0])
        if t == "F":
            return lfp(lambda z: args[0] | nxt(z))
        if t == "G":
            return gfp(lambda z: args[0] & nxt(z))
        a, b = args
        if t == "U":
            return lfp(lambda z: b | (a & nxt(z)))
        if t == "R":
            return gfp(lambda z: b & (a | nxt(z)))
        if t == "W":
            return gfp(lambda z: b | (a & nxt(z)))
        if t == "M":
            return lfp(lambda z: b & (a | nxt(z)))
        raise AssertionError(t)

    return sat(f)


@settings(max_examples=300, deadline=None)
@given(kripkes(), ctl_formulas())
def test_ctl_matches_reference(spec, f):
    result = check_ctl(build(spec), f)
    expected = reference_ctl(spec, f)
    assert result.states == frozenset(expected)
    assert result.holds == (set(spec[3]) <= expected)


def lassos(spec, max_prefix=2, max_loop=3):
    """Every path lasso of the model with short prefix and loop (as state lists)."""
    n, succ, _, initial = spec
    for plen in range(max_prefix + 1):
        for llen in range(1, max_loop + 1):
            for path in itertools.product(range(n), repeat=plen + llen):
                if path[0] not in initial:
                    continue
                ok = all(path[i + 1] in succ[path[i]] for i in range(len(path) - 1))
                if ok and path[plen] in succ[path[-1]]:
                    yield list(path[:plen]), list(path[plen:])


@settings(max_examples=250, deadline=None)
@given(kripkes(max_states=3), formulas(atoms=("p", "q"), max_leaves=5, **LTL_OPS))
def test_ltl_check_against_path_enumeration(spec, f):
    model = build(spec)
    labels = spec[2]
    result = check_ltl(model, f)
    if result.status == "FALSE":
        prefix, loop = list(result.prefix), list(result.loop)
        path = prefix + loop
        assert path[0] in spec[3]
        for a, b in zip(path, [*path[1:], loop[0]], strict=True):
            assert b in spec[1][a]
        word = [labels[s] for s in path]
        assert not reference_lasso(f, word[: len(prefix)], word[len(prefix) :])
    else:
        assert result.status == "TRUE"
        for prefix, loop in lassos(spec):
            assert reference_lasso(f, [labels[s] for s in prefix], [labels[s] for s in loop])


def all_words(atoms=("p", "q"), max_prefix=1, max_loop=2):
    letters = [
        frozenset(c) for r in range(len(atoms) + 1) for c in itertools.combinations(atoms, r)
    ]
    for plen in range(max_prefix + 1):
        for llen in range(1, max_loop + 1):
            for w in itertools.product(letters, repeat=plen + llen):
                yield list(w[:plen]), list(w[plen:])


@settings(max_examples=250, deadline=None)
@given(formulas(atoms=("p", "q"), max_leaves=5, **LTL_OPS))
def test_satisfiability_with_witness(f):
    word = example_word(f)
    assert satisfiable(f) == (word is not None)
    if word is not None:
        assert reference_lasso(f, *word)
    else:
        assert not any(reference_lasso(f, p, lp) for p, lp in all_words())


@pytest.mark.parametrize(
    ("ctl", "ltl"),
    [
        ("AG p", "G p"),
        ("AF q", "F q"),
        ("AX p", "X p"),
        ("A (p U q)", "p U q"),
        ("AG (p -> AF q)", "G (p -> F q)"),
    ],
)
def test_ctl_and_ltl_agree_on_common_fragment(ctl, ltl):
    rng = np.random.default_rng(1)
    for _ in range(30):
        n = int(rng.integers(1, 6))
        succ = {s: sorted({int(x) for x in rng.integers(0, n, size=2)}) for s in range(n)}
        labels = {s: [a for a in ("p", "q") if rng.random() < 0.5] for s in range(n)}
        labels[0] = ["p", "q"]
        model = Kripke(list(range(n)), succ, labels, [0])
        assert check_ctl(model, ctl).holds == check_ltl(model, ltl).holds


def test_fairness():
    m = Kripke(
        ["s", "t", "u"],
        [("s", "s"), ("s", "t"), ("t", "u"), ("u", "u")],
        {"u": ["done"], "s": ["idle"]},
        ["s"],
    )
    assert not check_ctl(m, "AF done").holds
    assert check_ctl(m, "AF done", fairness=["done"]).holds
    # the fair paths are exactly those that reach u; EG idle has no fair path
    assert check_ctl(m, "EG idle").states == {"s"}
    assert check_ctl(m, "EG idle", fairness=["done"]).states == frozenset()


def test_large_model_vectorised():
    n = 50_000
    rng = np.random.default_rng(0)
    src = np.repeat(np.arange(n), 3)
    dst = rng.integers(0, n, size=src.size)
    labels = {"req": rng.random(n) < 0.1, "resp": rng.random(n) < 0.1}
    m = Kripke.from_arrays(n, src, dst, labels, [0])
    r = check_ctl(m, "AG (req -> AF resp)")
    # AF resp is the complement of EG !resp: check the fixpoint property directly
    af = check_ctl(m, "AF resp").mask
    succ_all = np.ones(n, dtype=bool)
    np.logical_and.at(succ_all, src, af[dst])
    assert np.array_equal(af, labels["resp"] | succ_all)
    assert isinstance(r.holds, bool)


def test_kripke_bad_input():
    with pytest.raises(TemporalLogicError, match="no successor"):
        Kripke([0, 1], [(0, 1)], {}, [0])
    m = Kripke([0, 1], [(0, 1)], {1: ["p"]}, [0], deadlock="self_loop")
    assert check_ctl(m, "AF AG p").holds
    with pytest.raises(TemporalLogicError, match="unknown state 2"):
        Kripke([0, 1], [(0, 2)], {}, [0])
    with pytest.raises(TemporalLogicError, match="distinct"):
        Kripke([0, 0], [(0, 0)], {}, [0])
    with pytest.raises(TemporalLogicError, match="initial"):
        Kripke([0], [(0, 0)], {}, [])
    with pytest.raises(TemporalLogicError, match="labels"):
        Kripke([0], [(0, 0)], {5: ["p"]}, [0])
    with pytest.raises(TemporalLogicError, match="deadlock"):
        Kripke([0], [(0, 0)], {}, [0], deadlock="maybe")
    with pytest.raises(TemporalLogicError, match="pairs"):
        Kripke([0], [(0, 0, 0)], {}, [0])
    with pytest.raises(TemporalLogicError, match=r"\[0, 2\)"):
        Kripke.from_arrays(2, [0, 1], [1, 2], {}, [0])
    m = Kripke([0], [(0, 0)], {0: ["p"]}, [0])
    with pytest.raises(TemporalLogicError, match="atom 'zz'"):
        check_ctl(m, "AG zz")
    assert not check_ctl(m, "AG zz", unknown="false").holds
    with pytest.raises(TemporalLogicError, match="directly under A or E"):
        check_ctl(m, "G p")
    with pytest.raises(TemporalLogicError, match="CTL"):
        check_ltl(m, "AG p")
    with pytest.raises(TemporalLogicError, match="atom 'zz'"):
        check_ltl(m, "G zz")
    with pytest.raises(TemporalLogicError, match="timeout"):
        check_ltl(m, "G p", timeout=0)
    with pytest.raises(TypeError, match="model"):
        check_ltl("m", "G p")  # type: ignore[arg-type]


def test_ltl_timeout_returns_unknown():
    n = 3000
    rng = np.random.default_rng(0)
    src = np.repeat(np.arange(n), 4)
    dst = rng.integers(0, n, size=src.size)
    labels = {a: rng.random(n) < 0.5 for a in "abcd"}
    m = Kripke.from_arrays(n, src, dst, labels, np.arange(n))
    f = "G (a -> F b) & G (c -> F d) & G F a & G F c -> G F (b & d)"
    r = check_ltl(m, f, timeout=1e-4)
    assert r.status == "UNKNOWN" and r.holds is None
