"""Matrix profile of a numeric series (self-join) or of one series against another
(AB-join), with the ``k`` nearest neighbours of every window.

The matrix profile holds, for every window of length ``m``, the z-normalised
Euclidean distance to its nearest other window (in a self-join, windows
overlapping by more than ``m - ceil(m / 4)`` samples do not count, the usual
exclusion zone). Windows holding NaN or infinity are left out, as stumpy does:
their distance is ``inf``, their index ``-1``, and they are nobody's neighbour.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _profile
from ._records import record_dict
from ._validation import as_count, as_float_array, as_jobs, check_cells
from ._windows import window_stats
from .errors import TemporalCompareError

__all__ = ["MatrixProfile", "matrix_profile"]

Progress = Callable[[int, int], None]


@dataclass(frozen=True, repr=False, eq=False)
class MatrixProfile:
    """Nearest-neighbour distance (``profile``) and position (``index``) of every window.

    With ``k == 1`` both are 1-D (one entry per window); with ``k > 1`` they are
    ``(windows, k)``, nearest first (stumpy's layout). ``index`` is ``-1`` and
    ``profile`` is ``inf`` where a window has no (further) neighbour: outside
    its exclusion zone, or because it holds NaN or infinity. For an AB-join
    (``T_B`` given), indices point into ``T_B`` and ``exclusion`` is 0.
    """

    profile: NDArray[np.float64]
    index: NDArray[np.int64]
    m: int
    exclusion: int
    k: int = 1

    def __repr__(self) -> str:
        nearest = self.profile if self.profile.ndim == 1 else self.profile[:, 0]
        best = int(np.argmin(nearest)) if nearest.size else -1
        return (
            f"MatrixProfile(m={self.m}, windows={self.profile.shape[0]}, k={self.k}, "
            f"exclusion={self.exclusion}, min_at={best})"
        )

    def to_dict(self) -> dict[str, Any]:
        return record_dict(self, fields=("m", "k", "exclusion", "profile", "index"))


@dataclass(frozen=True)
class _Prepared:
    """A series made ready for the MPX kernels: non-finite values zeroed (their
    windows are flagged 2 and never read), per-window statistics and flags."""

    t: NDArray[np.float64]
    mean: NDArray[np.float64]
    invnorm: NDArray[np.float64]
    df: NDArray[np.float64]
    dg: NDArray[np.float64]
    flag: NDArray[np.uint8]
    constant: NDArray[np.bool_]


def _prepare(raw: NDArray[np.float64], m: int) -> _Prepared:
    finite = np.isfinite(raw)
    t = np.where(finite, raw, 0.0) if not finite.all() else raw
    windows = t.shape[0] - m + 1
    mean, _, inv, constant = window_stats(t, m)
    bad = np.concatenate(([0], np.cumsum(~finite)))
    excluded = bad[m:] - bad[:windows] > 0
    flag = np.where(excluded, 2, constant.astype(np.uint8)).astype(np.uint8)
    df = np.zeros(windows)
    dg = np.zeros(windows)
    if windows > 1:
        df[1:] = (t[m:] - t[: windows - 1]) / 2.0
        dg[1:] = (t[m:] - mean[1:]) + (t[: windows - 1] - mean[:-1])
    return _Prepared(
        t=np.ascontiguousarray(t),
        mean=mean,
        invnorm=np.ascontiguousarray(inv / math.sqrt(m)),
        df=df,
        dg=dg,
        flag=np.ascontiguousarray(flag),
        constant=constant & ~excluded,
    )


def _as_profile_series(values: ArrayLike, name: str, m: int) -> NDArray[np.float64]:
    t = as_float_array(values, name)
    if t.ndim != 1:
        raise TemporalCompareError(f"{name} must be 1-D, got shape {t.shape}")
    if m > t.shape[0]:
        raise TemporalCompareError(f"m ({m}) is longer than {name} (length {t.shape[0]})")
    return t


def matrix_profile(
    series: ArrayLike,
    m: int,
    *,
    T_B: ArrayLike | None = None,
    k: int = 1,
    n_jobs: int | None = None,
    progress: Progress | None = None,
) -> MatrixProfile:
    """Matrix profile with z-normalised Euclidean distance (MPX in Cython, no JIT).

    Parameters
    ----------
    series : array_like
        1-D series (stumpy's ``T_A``). NaN and infinity are allowed: windows
        holding them get ``inf`` / ``-1`` and are nobody's neighbour.
    m : int
        Window length, ``2 <= m <= len(series)``.
    T_B : array_like, optional
        AB-join: for each window of ``series``, its nearest windows in ``T_B``
        (no exclusion zone), as ``stumpy.stump(T_A, m, T_B, ignore_trivial=False)``.
    k : int
        Neighbours per window (top-k matrix profile, as stumpy's ``k``); with
        ``k > 1`` the result's arrays are ``(windows, k)``. Clamped to the
        number of windows.
    n_jobs : int, optional
        Threads (``None`` or ``-1``: every CPU; ``-2`` all but one, as joblib).
    progress : callable, optional
        Called as ``progress(done, total)`` (diagonals) as the work proceeds; a
        ``tqdm`` bar fits: ``bar = tqdm(total=1); progress=lambda d, t:
        (setattr(bar, "total", t), bar.update(d - bar.n))``.

    Notes
    -----
    Constant windows (all values equal) have distance 0 to each other and
    ``sqrt(m)`` to any other window (stumpy's convention). Distances below
    about ``1e-3 * sqrt(m)`` are recomputed from the two windows, so exact
    repeats come out as exactly 0. Equal correlations go to the smaller
    neighbour index, so the result does not depend on ``n_jobs`` or on how
    threads share the work.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([0.0, 1, 0, 5, 5, 0, 1, 0, 3, 3])
    >>> mp = matrix_profile(x, 3)
    >>> int(mp.index[0]), round(float(mp.profile[0]), 6)
    (5, 0.0)
    >>> ab = matrix_profile([0.0, 1, 0, 9], 3, T_B=[5.0, 0, 1, 0, 7])
    >>> ab.index.tolist(), ab.profile.round(6).tolist()
    ([1, 2], [0.0, 0.053552])
    """
    width = as_count(m, "m", minimum=2)
    ta = _as_profile_series(series, "series", width)
    tb = None if T_B is None else _as_profile_series(T_B, "T_B", width)
    if progress is not None and not callable(progress):
        raise TemporalCompareError("progress must be callable as progress(done, total)")
    wa = ta.shape[0] - width + 1
    wb = wa if tb is None else tb.shape[0] - width + 1
    count = min(as_count(k, "k", minimum=1), wb)
    jobs = min(as_jobs(n_jobs), max(wa, wb))
    # each thread keeps k candidates per window, and so does the result
    check_cells((jobs + 1) * wa * count, "matrix_profile (k neighbours per window and thread)")
    a = _prepare(ta, width)
    corr = np.full(wa * count, -np.inf)
    index = np.full(wa * count, -1, dtype=np.int64)
    if tb is None:
        exclusion = math.ceil(width / 4)
        first_lag = exclusion + 1
        total = (wa - first_lag + 3) // 4 if wa > first_lag else 0

        def run(start: int, stop: int) -> None:
            _profile.mpx(a.t, width, a.mean, a.invnorm, a.df, a.dg, a.flag, first_lag, count,
                         start, stop, corr, index, jobs)  # fmt: skip

        b = a
    else:
        exclusion = 0
        b = _prepare(tb, width)
        total = wa + wb - 1

        def run(start: int, stop: int) -> None:
            _profile.mpx_ab(a.t, b.t, width, a.mean, a.invnorm, a.df, a.dg, a.flag,
                            b.mean, b.invnorm, b.df, b.dg, b.flag, count, start, stop,
                            corr, index, jobs)  # fmt: skip

    if progress is None:
        run(0, total)
    else:
        step = max(1, math.ceil(total / 100))
        for start in range(0, total, step):
            run(start, min(start + step, total))
            progress(min(start + step, total), total)
        if total == 0:
            progress(0, 0)
    corr2 = corr.reshape(wa, count)
    index2 = index.reshape(wa, count)
    found = index2 >= 0
    profile = np.full((wa, count), np.inf)
    profile[found] = np.sqrt(np.maximum(2.0 * width * (1.0 - np.minimum(corr2[found], 1.0)), 0.0))
    for col in range(count):
        _refine_near_zero(a, b, width, profile[:, col], index2[:, col])
    if count > 1:
        # refinement can reorder nearly equal neighbours
        order = np.argsort(profile, axis=1, kind="stable")
        profile = np.take_along_axis(profile, order, axis=1)
        index2 = np.take_along_axis(index2, order, axis=1)
        return MatrixProfile(profile=profile, index=index2, m=width, exclusion=exclusion, k=count)
    return MatrixProfile(
        profile=profile[:, 0].copy(), index=index2[:, 0].copy(), m=width, exclusion=exclusion
    )


#: Squared distances below this fraction of ``2 m`` are recomputed directly: there
#: the rounding of the correlation (about 1e-13) is no longer small next to the
#: distance itself, and exact repeats must come out as exactly 0.
_REFINE_BELOW = 1e-6


def _refine_near_zero(
    a: _Prepared,
    b: _Prepared,
    m: int,
    profile: NDArray[np.float64],
    index: NDArray[np.int64],
) -> None:
    """Recompute near-zero profile entries (in place) from the two windows themselves.

    Each window is z-normalised with its own two-pass mean and standard
    deviation, so two identical windows give bitwise identical vectors and the
    distance 0 (stumpy gets there by rounding correlations above 1 - 1e-8 up to
    1; this keeps genuine near-repeats at their true small distance).
    """
    rows = np.flatnonzero(
        (index >= 0) & (profile * profile < _REFINE_BELOW * 2.0 * m) & ~a.constant
    )
    if rows.size == 0:
        return
    cols = index[rows]
    keep = ~b.constant[cols]
    rows, cols = rows[keep], cols[keep]

    def z(t: NDArray[np.float64], at: NDArray[np.int64]) -> NDArray[np.float64]:
        w = np.lib.stride_tricks.sliding_window_view(t, m)[at]
        centred = w - w.mean(axis=1, keepdims=True)
        return centred / np.sqrt((centred * centred).mean(axis=1, keepdims=True))

    profile[rows] = np.sqrt(((z(a.t, rows) - z(b.t, cols)) ** 2).sum(axis=1))
