"""temporal_attractor_studio against nolds and neurokit2, library defaults on both sides.

Run ``python benchmarks/peers/temporal_attractor_studio.py`` (inside .venv-bench)
for the accuracy table: every implementation's value against the published truth.
"""

from __future__ import annotations

import math

import numpy as np
from harness import Workload  # first: it puts the installed package ahead of this file

# isort: split
import temporal_attractor_studio as tas

systems = tas.systems

DT = 0.01
LORENZ_LAMBDA = 0.906
LORENZ_D2 = 2.05


def _lorenz():
    return (systems.lorenz(10_000, dt=DT)[:, 0],)


def _ours_lyap(x):
    return tas.lyapunov_max(x, dt=DT).exponent


def _nolds_lyap(x):
    import nolds

    return nolds.lyap_r(x) / DT  # nolds returns per sample


def _neurokit_lyap(x):
    import neurokit2 as nk

    value, _ = nk.complexity_lyapunov(x, method="rosenstein1993")
    return value / DT  # per sample, like nolds


def _ours_d2(x):
    return tas.correlation_dimension(x).dimension


def _nolds_d2(x):
    import nolds

    return nolds.corr_dim(x, emb_dim=3)  # nolds needs an embedding dimension; ours picks 3


def _stream():
    pts = [tuple(p) for p in systems.lorenz(100_000, dt=DT).tolist()]
    return tas.AttractorAnalyzer(dim=3, max_points=10_000), pts


def _add_points(analyzer, pts):
    add = analyzer.add_point
    for p in pts:
        add(p)


WORKLOADS = [
    Workload(
        name="lyapunov_max Lorenz x n=10k",
        setup=_lorenz,
        ours=_ours_lyap,
        peers={"nolds.lyap_r": _nolds_lyap, "neurokit2.complexity_lyapunov": _neurokit_lyap},
        repeat=3,
        goal="goal <= 0.3 s",
    ),
    Workload(
        name="correlation_dimension Lorenz x n=10k",
        setup=_lorenz,
        ours=_ours_d2,
        peers={"nolds.corr_dim": _nolds_d2},
        repeat=3,
        goal="goal <= 1 s",
    ),
    Workload(
        name="classify Lorenz x n=10k",
        setup=_lorenz,
        ours=lambda x: tas.classify(x, dt=DT),
        repeat=5,
        goal="goal <= 1 s",
    ),
    Workload(
        name="AttractorAnalyzer.add_point x100k",
        setup=_stream,
        ours=_add_points,
        repeat=7,
        goal="goal >= 500k points/s (<= 0.2 s here)",
    ),
]


def accuracy_table() -> str:
    """Each implementation's value with library defaults against the published truth."""
    (x,) = _lorenz()
    rows = [
        "| quantity | implementation | value | truth | error |",
        "| --- | --- | --- | --- | --- |",
    ]
    cases = [
        ("λ1 Lorenz (per time unit)", LORENZ_LAMBDA, _ours_lyap, "midstream"),
        ("λ1 Lorenz (per time unit)", LORENZ_LAMBDA, _nolds_lyap, "nolds.lyap_r"),
        ("λ1 Lorenz (per time unit)", LORENZ_LAMBDA, _neurokit_lyap, "neurokit2"),
        ("D2 Lorenz", LORENZ_D2, _ours_d2, "midstream"),
        ("D2 Lorenz", LORENZ_D2, _nolds_d2, "nolds.corr_dim"),
    ]
    for label, truth, fn, name in cases:
        try:
            value = float(fn(x))
            err = f"{100 * (value - truth) / truth:+.1f}%"
            rows.append(f"| {label} | {name} | {value:.4g} | {truth} | {err} |")
        except Exception as exc:  # a broken peer is reported, not fatal
            rows.append(f"| {label} | {name} | failed: {type(exc).__name__} | {truth} | |")
    log4 = systems.logistic(5000)
    noise = np.random.default_rng(0).standard_normal(5000)
    for label, series, truth in (
        ("λ logistic r=4", log4, math.log(2)),
        ("λ white noise", noise, 0.0),
    ):
        for name, fn in (
            ("midstream", lambda s: tas.lyapunov_max(s).exponent),
            ("midstream quality", lambda s: tas.lyapunov_max(s).quality),
            ("nolds.lyap_r", lambda s: __import__("nolds").lyap_r(s)),
        ):
            try:
                rows.append(f"| {label} | {name} | {float(fn(series)):.4g} | {truth:.4g} | |")
            except Exception as exc:
                rows.append(f"| {label} | {name} | failed: {type(exc).__name__} | {truth:.4g} | |")
    return "\n".join(rows)


if __name__ == "__main__":
    import warnings

    warnings.simplefilter("ignore")
    print(accuracy_table())
