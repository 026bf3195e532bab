"""RQA against a dense-matrix reference implementation."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from temporal_attractor_studio import AttractorError, recurrence_quantification


def reference_rqa(points, eps, theiler, lmin):
    n = len(points)
    d = np.sqrt(((points[:, None, :] - points[None, :, :]) ** 2).sum(-1))
    i, j = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    band = np.abs(i - j) <= theiler
    r = (d <= eps) & ~band
    total = r.sum()
    diag_lengths = []
    for off in range(theiler + 1, n):  # upper triangle diagonals
        run = 0
        for k in range(n - off):
            if r[k, k + off]:
                run += 1
            elif run:
                diag_lengths.append(run)
                run = 0
        if run:
            diag_lengths.append(run)
    vert_lengths = []
    for c in range(n):
        run = 0
        for row in range(n):
            if r[row, c]:
                run += 1
            elif run:
                vert_lengths.append(run)
                run = 0
        if run:
            vert_lengths.append(run)
    diag = np.array(diag_lengths, dtype=int)
    vert = np.array(vert_lengths, dtype=int)
    long_d, long_v = diag[diag >= lmin], vert[vert >= lmin]
    upper = total / 2
    if long_d.size:
        _, c = np.unique(long_d, return_counts=True)
        p = c / c.sum()
        ent = float(-(p * np.log(p)).sum())
    else:
        ent = 0.0
    return {
        "recurrence_rate": total / (~band).sum(),
        "determinism": long_d.sum() / upper if upper else 0.0,
        "laminarity": long_v.sum() / total if total else 0.0,
        "entropy": ent,
        "max_diagonal": int(diag.max()) if diag.size else 0,
    }


@settings(max_examples=30, deadline=None)
@given(
    st.integers(10, 60),
    st.floats(0.05, 0.6),
    st.integers(0, 3),
    st.integers(2, 3),
    st.integers(0, 10_000),
)
def test_matches_dense_reference(n, eps, theiler, lmin, seed):
    rng = np.random.default_rng(seed)
    pts = np.cumsum(rng.standard_normal((n, 2)) * 0.1, axis=0)
    ours = recurrence_quantification(pts, threshold=eps, theiler=theiler, min_line=lmin)
    ref = reference_rqa(pts, eps, theiler, lmin)
    for key, value in ref.items():
        assert getattr(ours, key) == pytest.approx(value, abs=1e-12), key


def test_periodic_signal_is_fully_deterministic():
    x = np.sin(np.arange(600) * 2 * np.pi / 30)
    rqa = recurrence_quantification(x, dim=2, delay=7)
    assert rqa.determinism > 0.95
    assert rqa.recurrence_rate == pytest.approx(0.05, abs=0.02)


def test_noise_has_low_determinism():
    # iid noise, not embedded: a recurrence continues a diagonal with probability
    # about the recurrence rate, so DET is about 2 * RR.
    x = np.random.default_rng(0).standard_normal(1500)
    rqa = recurrence_quantification(x, dim=1, delay=1)
    periodic = recurrence_quantification(np.sin(np.arange(1500) * 0.2), dim=3, delay=8)
    assert rqa.determinism < 0.2 < 0.9 < periodic.determinism


@pytest.mark.parametrize(
    ("arg", "kwargs", "message"),
    [
        (np.ones(100), {}, "constant"),
        (np.r_[np.zeros(9), np.nan], {}, "NaN"),
        (np.zeros((2, 2, 2)), {}, "1-D"),
        (np.arange(10.0), {"threshold": -1.0}, "threshold"),
        (np.arange(10.0), {"recurrence_rate": 1.5}, "recurrence_rate"),
        (np.arange(10.0), {"theiler": 20}, "too few"),
    ],
)
def test_bad_input(arg, kwargs, message):
    with pytest.raises(AttractorError, match=message):
        recurrence_quantification(arg, **kwargs)
