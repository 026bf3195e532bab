"""temporal_neural_solver against flloat, rtamt and pyModelChecking.

flloat and pyModelChecking depend on ``lark-parser``, which installs a module named
``lark`` and would overwrite the ``lark`` this package needs. They are therefore
installed on first use into a separate ``--target`` directory inside the benchmark
environment and imported with that directory's ``lark`` swapped in only while they
load (each keeps its own reference). rtamt comes from
``requirements-temporal-neural-solver.txt``.

``python benchmarks/peers/temporal_neural_solver.py --differential N`` compares
``evaluate`` with flloat on N random LTLf formulas and traces; ``--ctl-differential N``
compares ``check_ctl`` with pyModelChecking on N random formulas and Kripke structures.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
from harness import Workload  # first: it puts the installed package ahead of this file

# isort: split
import temporal_neural_solver as tns

ISOLATED = Path(sys.prefix) / "tns-lark-parser-peers"
ISOLATED_REQS = ["flloat==0.3.0", "pyModelChecking==1.3.4"]


def _import_isolated(*names: str) -> list[Any]:
    """Import modules that need lark-parser without disturbing our ``lark``."""
    if not (ISOLATED / "flloat").exists():
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "-q",
                "--disable-pip-version-check",
                "--target",
                str(ISOLATED),
                *ISOLATED_REQS,
            ],
            check=True,
        )
    ours = {k: v for k, v in sys.modules.items() if k == "lark" or k.startswith("lark.")}
    for k in ours:
        del sys.modules[k]
    sys.path.insert(0, str(ISOLATED))
    try:
        return [importlib.import_module(n) for n in names]
    finally:
        sys.path.remove(str(ISOLATED))
        for k in [k for k in sys.modules if k == "lark" or k.startswith("lark.")]:
            del sys.modules[k]
        sys.modules.update(ours)


try:
    _flloat_ltlf, _pmc, _pmc_ctl = _import_isolated(
        "flloat.parser.ltlf", "pyModelChecking", "pyModelChecking.CTL"
    )
except Exception as exc:  # reported in the table, never fatal
    print(f"isolated peers unavailable: {exc}", file=sys.stderr)
    _flloat_ltlf = _pmc = _pmc_ctl = None

try:
    import rtamt
except Exception as exc:  # pragma: no cover - depends on the bench environment
    print(f"rtamt unavailable: {exc}", file=sys.stderr)
    rtamt = None

N = 100_000


def _trace(atoms: tuple[str, ...], n: int = N, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {a: rng.random(n) < 0.3 for a in atoms}


def _dicts(trace: dict[str, np.ndarray]) -> list[dict[str, bool]]:
    keys = list(trace)
    cols = [trace[k].tolist() for k in keys]
    return [dict(zip(keys, row, strict=True)) for row in zip(*cols, strict=True)]


def _flloat(text: str):
    if _flloat_ltlf is None:
        raise RuntimeError("flloat not installed")
    return _flloat_ltlf.LTLfParser()(text)


# -- evaluate ------------------------------------------------------------------------
RESPONSE = "G (request -> F response)"
RESPONSE_FLLOAT = "G(request -> F(response))"
NESTED = "G (a -> X (b U (c | F d)))"  # G -> X U | F: six operators
NESTED_FLLOAT = "G(a -> X(b U (c | F(d))))"


def _setup_response():
    tr = _trace(("request", "response"))
    tr["response"][-1] = True  # every request answered: the whole trace is scanned
    return tr, _dicts(tr), _flloat(RESPONSE_FLLOAT) if _flloat_ltlf else None


def _plain_python_response(trace: dict[str, np.ndarray]) -> bool:
    """The issue's baseline: one backward pass in plain Python."""
    req, resp = trace["request"].tolist(), trace["response"].tolist()
    seen_resp, ok = False, True
    for i in range(len(req) - 1, -1, -1):
        seen_resp = seen_resp or resp[i]
        if req[i] and not seen_resp:
            ok = False
    return ok


def _setup_nested():
    tr = _trace(("a", "b", "c", "d"), seed=1)
    return tr, _dicts(tr), _flloat(NESTED_FLLOAT) if _flloat_ltlf else None


WORKLOADS = [
    Workload(
        name="evaluate G(request -> F response), 100k steps",
        setup=_setup_response,
        ours=lambda tr, dicts, ff: tns.evaluate(RESPONSE, tr).holds,
        peers={
            "tns (list-of-dicts input)": lambda tr, dicts, ff: tns.evaluate(RESPONSE, dicts).holds,
            "plain-Python backward pass": lambda tr, dicts, ff: _plain_python_response(tr),
            "flloat": lambda tr, dicts, ff: ff.truth(dicts, 0),
        },
        repeat=5,
        goal="goal <= 5 ms",
        check=lambda a, b: a == b,
    ),
    Workload(
        name="evaluate 6-operator nested formula, 100k steps",
        setup=_setup_nested,
        ours=lambda tr, dicts, ff: tns.evaluate(NESTED, tr).holds,
        peers={"flloat": lambda tr, dicts, ff: ff.truth(dicts, 0)},
        repeat=5,
        goal="goal <= 10 ms",
        check=lambda a, b: a == b,
    ),
]


# -- monitoring ----------------------------------------------------------------------
def _setup_monitor():
    rng = np.random.default_rng(2)
    x = rng.normal(size=10_000)
    steps = [{"x": float(v)} for v in x]
    return x, steps


def _ours_monitor_steps(x, steps):
    m = tns.Monitor("G (x <= 3)")
    step = m.step
    for s in steps:
        step(s)
    return m.verdict


def _rtamt_online(x, steps):
    spec = rtamt.StlDiscreteTimeSpecification()
    spec.declare_var("x", "float")
    spec.spec = "historically(x <= 3)"  # rtamt cannot monitor an unbounded future always
    spec.parse()
    out = None
    for i, v in enumerate(x.tolist()):
        out = spec.update(i, [("x", v)])
    return out


def _ours_online_robustness(x, steps):
    m = tns.RobustnessMonitor("H (x <= 3)")
    update = m.update
    out = None
    for s in steps:
        out = update(s)
    return out


BOUNDED_PAST = "O[0,50] (x > 2) & (x <= 3) S[0,20] (x > 1)"


def _rtamt_bounded_past(x, steps):
    spec = rtamt.StlDiscreteTimeSpecification()
    spec.declare_var("x", "float")
    spec.spec = "(once[0,50] (x > 2)) and ((x <= 3) since[0,20] (x > 1))"
    spec.parse()
    out = None
    for i, v in enumerate(x.tolist()):
        out = spec.update(i, [("x", v)])
    return out


def _ours_bounded_past(x, steps):
    m = tns.RobustnessMonitor(BOUNDED_PAST)
    update = m.update
    out = None
    for s in steps:
        out = update(s)
    return out


def _setup_batch():
    tr = _trace(("request", "response"), n=1_000_000, seed=3)
    return (tr,)


WORKLOADS += [
    Workload(
        name="Monitor.step x10k (per-step = median/10k)",
        setup=_setup_monitor,
        ours=_ours_monitor_steps,
        peers={"rtamt online update x10k (historically)": _rtamt_online} if rtamt else {},
        repeat=5,
        goal="goal <= 3 µs/step => <= 30 ms",
    ),
    Workload(
        name="online STL robustness x10k, H (x <= 3) (per-sample = median/10k)",
        setup=_setup_monitor,
        ours=_ours_online_robustness,
        peers={"rtamt online update x10k (historically)": _rtamt_online} if rtamt else {},
        repeat=5,
        check=lambda a, b: abs(a - b) <= 1e-9,
    ),
    Workload(
        name=f"online STL robustness x10k, bounded past {BOUNDED_PAST} (per-sample = median/10k)",
        setup=_setup_monitor,
        ours=_ours_bounded_past,
        peers={"rtamt online update x10k (once[0,50], since[0,20])": _rtamt_bounded_past}
        if rtamt
        else {},
        repeat=5,
        check=lambda a, b: abs(a - b) <= 1e-9,
    ),
    Workload(
        name="Monitor.run batched, 1M steps",
        setup=_setup_batch,
        ours=lambda tr: tns.Monitor(RESPONSE).run(tr),
        repeat=5,
        goal="goal >= 2M steps/s => <= 0.5 s",
    ),
]


# -- STL robustness ----------------------------------------------------------------------
def _setup_stl():
    rng = np.random.default_rng(4)
    x = rng.normal(size=N)
    spec = None
    if rtamt is not None:
        spec = rtamt.StlDiscreteTimeSpecification()
        spec.declare_var("x", "float")
        spec.spec = "always[0,100](x <= 3)"
        spec.parse()
    return x, spec


def _rtamt_offline(x, spec):
    out = spec.evaluate({"time": list(range(len(x))), "x": x.tolist()})
    return float(out[0][1])


WORKLOADS.append(
    Workload(
        name="STL robustness G[0,100], 100k samples",
        setup=_setup_stl,
        ours=lambda x, spec: tns.robustness("G[0,100] (x <= 3)", {"x": x}),
        peers={"rtamt offline discrete-time": _rtamt_offline} if rtamt else {},
        repeat=5,
        goal="goal <= 20 ms",
        check=lambda a, b: abs(a - b) <= 1e-9,
    )
)


# -- model checking ----------------------------------------------------------------------
def _random_model(n: int, seed: int, degree: int = 3):
    rng = np.random.default_rng(seed)
    src = np.repeat(np.arange(n), degree)
    dst = rng.integers(0, n, size=src.size)
    labels = {"req": rng.random(n) < 0.1, "resp": rng.random(n) < 0.3, "busy": rng.random(n) < 0.5}
    return src, dst, labels


def _setup_ctl():
    n = 100_000
    src, dst, labels = _random_model(n, 5)
    return n, src, dst, labels


def _ours_ctl(n, src, dst, labels):
    m = tns.Kripke.from_arrays(n, src, dst, labels, [0])
    return frozenset(np.flatnonzero(tns.check_ctl(m, "AG (req -> AF resp)").mask).tolist())


def _pmc_ctl_run(n, src, dst, labels):
    if _pmc is None:
        raise RuntimeError("pyModelChecking not installed")
    lab = {i: {a for a, v in labels.items() if v[i]} for i in range(n)}
    k = _pmc.Kripke(
        S=list(range(n)), S0=[0], R=list(zip(src.tolist(), dst.tolist(), strict=True)), L=lab
    )
    phi = _pmc_ctl.Parser()("A G (req --> A F resp)")
    return frozenset(_pmc_ctl.modelcheck(k, phi))


LTL_FORMULAS = [
    "G (req -> F resp)",
    "G F resp",
    "F G !req",
    "G (req -> X (busy U resp))",
    "(req U resp) | G !resp",  # the table shows "or" for "|"
]


def _setup_ltl():
    n = 1000
    src, dst, labels = _random_model(n, 6)
    return (tns.Kripke.from_arrays(n, src, dst, labels, [0]),)


WORKLOADS += [
    Workload(
        name="CTL AG(req -> AF resp), 100k states (incl. model build)",
        setup=_setup_ctl,
        ours=_ours_ctl,
        peers={"pyModelChecking (incl. model build)": _pmc_ctl_run} if _pmc else {},
        repeat=3,
        goal="goal <= 0.3 s",
        check=lambda a, b: a == b,
    ),
]
WORKLOADS += [
    Workload(
        name=f"LTL check 1,000 states: {f.replace('|', 'or')}",
        setup=_setup_ltl,
        ours=lambda m, f=f: tns.check_ltl(m, f).status,
        repeat=3,
        goal="goal <= 1 s",
    )
    for f in LTL_FORMULAS
]


# -- parsing -------------------------------------------------------------------------------
BIG = " & ".join(f"(p{i} -> F q{i})" for i in range(67))  # 201 operators
BIG_FLLOAT = " & ".join(f"(p{i} -> F(q{i}))" for i in range(67))

WORKLOADS.append(
    Workload(
        name="parse a 201-operator formula",
        setup=lambda: (BIG, BIG_FLLOAT),
        ours=lambda text, ftext: tns.parse(text).size(),
        peers={"flloat LTLfParser": lambda text, ftext: _flloat(ftext)} if _flloat_ltlf else {},
        number=20,
        goal="goal <= 5 ms",
    )
)


def differential(count: int, seed: int = 0) -> int:
    """Random formulas and traces: our evaluate against flloat; returns mismatches."""
    rng = np.random.default_rng(seed)
    atoms = ["p", "q", "r"]
    unary = [
        ("!", "!({})", "!({})"),
        ("X", "X({})", "X({})"),
        ("N", "N({})", "WX({})"),
        ("F", "F({})", "F({})"),
        ("G", "G({})", "G({})"),
    ]
    binary = [
        ("&", "({}) & ({})"),
        ("|", "({}) | ({})"),
        ("->", "({}) -> ({})"),
        ("U", "({}) U ({})"),
        ("R", "({}) R ({})"),
    ]

    def gen(depth: int) -> tuple[str, str]:
        if depth == 0 or rng.random() < 0.25:
            a = atoms[rng.integers(3)]
            return a, a
        if rng.random() < 0.5:
            _, ours, theirs = unary[rng.integers(len(unary))]
            o, t = gen(depth - 1)
            return ours.format(o), theirs.format(t)
        _, pattern = binary[rng.integers(len(binary))]
        (o1, t1), (o2, t2) = gen(depth - 1), gen(depth - 1)
        return pattern.format(o1, o2), pattern.format(t1, t2)

    mismatches = 0
    for _ in range(count):
        ours_text, flloat_text = gen(4)
        n = int(rng.integers(1, 9))
        trace = [{a: bool(rng.random() < 0.5) for a in atoms} for _ in range(n)]
        a = tns.evaluate(ours_text, trace).holds
        b = bool(_flloat(flloat_text).truth(trace, 0))
        if a != b:
            mismatches += 1
            print("MISMATCH", ours_text, flloat_text, trace, a, b)
    return mismatches


def ctl_differential(count: int, seed: int = 0) -> int:
    """Random CTL formulas on random Kripke structures: check_ctl against pyModelChecking."""
    rng = np.random.default_rng(seed)
    atoms = ["p", "q"]

    def gen(depth: int) -> tuple[str, str]:
        r = rng.random()
        if depth == 0 or r < 0.2:
            a = atoms[rng.integers(2)]
            return a, a
        if r < 0.35:
            o, t = gen(depth - 1)
            return f"!({o})", f"not ({t})"
        if r < 0.5:
            (o1, t1), (o2, t2) = gen(depth - 1), gen(depth - 1)
            op, top = [("&", "and"), ("|", "or"), ("->", "-->")][rng.integers(3)]
            return f"({o1}) {op} ({o2})", f"({t1}) {top} ({t2})"
        q = "AE"[rng.integers(2)]
        if r < 0.8:
            t_op = "XFG"[rng.integers(3)]
            o, t = gen(depth - 1)
            return f"{q} {t_op} ({o})", f"{q} {t_op} ({t})"
        (o1, t1), (o2, t2) = gen(depth - 1), gen(depth - 1)
        return f"{q} (({o1}) U ({o2}))", f"{q}(({t1}) U ({t2}))"

    parser = _pmc_ctl.Parser()
    mismatches = 0
    for _ in range(count):
        n = int(rng.integers(1, 7))
        edges = sorted({(s, int(d)) for s in range(n) for d in rng.integers(0, n, size=2)})
        labels = {s: {a for a in atoms if rng.random() < 0.5} for s in range(n)}
        labels[0] |= {"p", "q"}  # every atom labels some state
        ours_text, theirs_text = gen(3)
        k = tns.Kripke(list(range(n)), edges, labels, [0])
        ours = set(tns.check_ctl(k, ours_text).states)
        theirs = set(
            _pmc_ctl.modelcheck(
                _pmc.Kripke(S=list(range(n)), S0=[0], R=edges, L=labels), parser(theirs_text)
            )
        )
        if ours != theirs:
            mismatches += 1
            print("MISMATCH", ours_text, theirs_text, edges, labels, ours, theirs)
    return mismatches


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--differential":
        count = int(sys.argv[2])
        bad = differential(count)
        print(f"{count} random formulas: {bad} mismatches with flloat")
        sys.exit(1 if bad else 0)
    if len(sys.argv) == 3 and sys.argv[1] == "--ctl-differential":
        count = int(sys.argv[2])
        bad = ctl_differential(count)
        print(f"{count} random CTL formulas and models: {bad} mismatches with pyModelChecking")
        sys.exit(1 if bad else 0)
