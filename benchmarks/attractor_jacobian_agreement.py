"""Issue 14 probe: python benchmarks/attractor_jacobian_agreement.py

Would an ``agreement`` quality factor — the divergence exponent of ``lyapunov_max``
against an independent local-Jacobian estimate of λ1 (Sano & Sawada 1985, Eckmann
et al. 1986) — remove Arneodo's confident overestimates without removing good
estimates? Over the noise-free series of the calibration set
(``packages/temporal-attractor-studio/tests/tas_calibration.py``, 4 initial
conditions, n = 2,000 / 5,000 / 10,000; noisy series already warn), for every
estimate with quality >= 0.8 it fits least-squares local linear maps over
``tau = delay`` steps from each reference point's 20 nearest neighbours outside the
Theiler window (1,500 references along the trajectory, every ``tau`` steps), takes
λ1 from the product of those maps (vector renormalised every step), and applies
``agreement`` = 1 up to 25% relative disagreement, 0 at 50%. Two fits: full rank,
and rank 3 (truncated SVD of the neighbour offsets: no spurious directions from
a larger embedding). Prints, per half, the good estimates (within 25%) the factor
would push below 0.8 and the violations it would flag. Not run by asv or the tests;
the factor was not built (see the package README).
"""

from __future__ import annotations

import math
import sys
import time
import warnings
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1] / "packages" / "temporal-attractor-studio" / "tests"
NEIGHBOURS = 20
REFERENCES = 1500


def jacobian_lambda1(x, result, rank):
    """λ1 from products of local least-squares linear maps over ``delay`` steps."""
    import numpy as np
    from scipy.spatial import cKDTree

    from temporal_attractor_studio import embed

    tau = result.delay
    y = np.ascontiguousarray(embed(x, result.dim, result.delay))
    rows = y.shape[0] - tau
    base = y[:rows]
    refs = np.arange(0, rows, tau)[:REFERENCES]
    k = min(rows, NEIGHBOURS + 2 * result.theiler + 1)
    d, j = cKDTree(base).query(base[refs], k=k)
    ok = (np.abs(j - refs[:, None]) > result.theiler) & (d > 0)
    order = np.cumsum(ok, axis=1)
    full = order[:, -1] >= NEIGHBOURS
    keep = ok & (order <= NEIGHBOURS)
    refs = refs[full]
    nbrs = j[full][keep[full]].reshape(-1, NEIGHBOURS)
    before = base[nbrs] - base[refs][:, None, :]
    after = y[nbrs + tau] - y[refs + tau][:, None, :]
    u, s, vt = np.linalg.svd(before, full_matrices=False)
    used = np.arange(s.shape[1]) < min(rank, result.dim)
    inv = np.where(used & (s > s[:, :1] * 1e-10), 1.0 / np.maximum(s, 1e-300), 0.0)
    maps = np.einsum("lji,lj,lkj,lkm->lmi", vt, inv, u, after)  # after^T pinv(before)^T
    v = np.ones(result.dim) / math.sqrt(result.dim)
    logs = []
    for jac in maps:
        v = jac @ v
        norm = float(np.linalg.norm(v))
        if norm == 0 or not math.isfinite(norm):
            return math.nan
        logs.append(math.log(norm))
        v /= norm
    return float(np.mean(logs[10:])) / (tau * result.dt)


def main() -> None:
    sys.path.insert(0, str(TESTS))
    import tas_calibration as cal
    import tas_flows

    from temporal_attractor_studio import AttractorError, lyapunov_max

    warnings.simplefilter("ignore")
    started = time.perf_counter()
    variants = {"full rank": 99, "rank 3": 3}
    counts: dict[tuple[str, str], dict[str, int]] = {}

    def account(part, name, truth, x, dt):
        try:
            result = lyapunov_max(x, dt=dt)
        except AttractorError:
            return
        if result.quality < cal.QUALITY:
            return
        good = abs(result.exponent / truth - 1) <= cal.TOLERANCE
        for variant, rank in variants.items():
            lam = jacobian_lambda1(x, result, rank)
            disagreement = abs(result.exponent - lam) / abs(lam) if lam else math.inf
            agreement = min(1.0, max(0.0, (0.5 - disagreement) / 0.25))
            if not math.isfinite(disagreement):
                agreement = 0.0
            removed = result.quality * agreement < cal.QUALITY
            c = counts.setdefault(
                (part, variant), dict.fromkeys(("good", "removed", "bad", "flagged"), 0)
            )
            c["good" if good else "bad"] += 1
            c["removed" if good else "flagged"] += removed
            if not good:
                print(
                    f"- [{part}] {name} n={x.shape[0]:,} "
                    f"divergence {result.exponent / truth - 1:+.0%}, "
                    f"Jacobian ({variant}) {lam / truth - 1:+.0%}: flagged={removed}"
                )

    halves = (
        ("tune", cal.TUNE_FLOWS, cal.TUNE_MAPS),
        ("held out", cal.HELD_OUT_FLOWS, cal.HELD_OUT_MAPS),
    )
    for part, flows, maps in halves:
        for name in flows:
            truth = tas_flows.reference_lambda1(name, **tas_flows.REFERENCE)
            runs, dt = tas_flows.trajectories(name, max(cal.SIZES), [0, 1, 2, 3])
            for run in runs:
                for n in cal.SIZES:
                    account(part, name, truth, run[:n].copy(), dt)
        for name in maps:
            make, exponent = cal.MAPS[name]
            truth = exponent()
            for seed in range(4):
                full = make(max(cal.SIZES), seed)
                for n in cal.SIZES:
                    account(part, name, truth, full[:n].copy(), 1.0)
    print("\n| half | fit | good (q ≥ 0.8, within 25%) | of them removed | violations | flagged |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for (part, variant), c in counts.items():
        print(
            f"| {part} | {variant} | {c['good']} | {c['removed']} | {c['bad']} | {c['flagged']} |"
        )
    print(f"\n{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
