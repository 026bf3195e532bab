"""Matrix profile, motifs and discords of a numeric series.

The matrix profile holds, for every window of length ``m``, the z-normalised
Euclidean distance to its nearest other window (windows overlapping by more than
``m - ceil(m / 4)`` samples do not count, the usual exclusion zone). Motifs are
the closest pairs; discords the windows farthest from everything else.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _profile
from ._validation import as_count, as_jobs, as_series
from ._windows import window_stats
from .errors import TemporalCompareError

__all__ = ["Discord", "MatrixProfile", "Motif", "discords", "matrix_profile", "motifs"]


@dataclass(frozen=True, repr=False, eq=False)
class MatrixProfile:
    """Nearest-neighbour distance (``profile``) and position (``index``) of every window.

    ``index[i]`` is ``-1`` and ``profile[i]`` is ``inf`` when window ``i`` has no
    neighbour outside its exclusion zone.
    """

    profile: NDArray[np.float64]
    index: NDArray[np.int64]
    m: int
    exclusion: int

    def __repr__(self) -> str:
        best = int(np.argmin(self.profile)) if self.profile.size else -1
        return (
            f"MatrixProfile(m={self.m}, windows={self.profile.shape[0]}, "
            f"exclusion={self.exclusion}, min_at={best})"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "m": self.m,
            "exclusion": self.exclusion,
            "profile": self.profile.tolist(),
            "index": self.index.tolist(),
        }


@dataclass(frozen=True)
class Motif:
    """A pair of similar windows: starts ``index`` and ``neighbor``, at ``distance``."""

    index: int
    neighbor: int
    distance: float

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "neighbor": self.neighbor, "distance": self.distance}


@dataclass(frozen=True)
class Discord:
    """A window far from all others: start ``index``, nearest-neighbour ``distance``."""

    index: int
    distance: float

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "distance": self.distance}


def _window(series: ArrayLike, m: Any) -> tuple[NDArray[np.float64], int]:
    t = as_series(series, "series")
    width = as_count(m, "m", minimum=2)
    if width > t.shape[0]:
        raise TemporalCompareError(f"m ({width}) is longer than series (length {t.shape[0]})")
    return t, width


def matrix_profile(series: ArrayLike, m: int, *, n_jobs: int | None = None) -> MatrixProfile:
    """Matrix profile with z-normalised Euclidean distance (MPX in Cython, no JIT).

    Parameters
    ----------
    series : array_like
        1-D finite series.
    m : int
        Window length, ``2 <= m <= len(series)``.
    n_jobs : int, optional
        Threads (``None`` or ``-1``: every CPU; ``-2`` all but one, as joblib).

    Notes
    -----
    Constant windows (all values equal) have distance 0 to each other and
    ``sqrt(m)`` to any other window (stumpy's convention).

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([0.0, 1, 0, 5, 5, 0, 1, 0, 3, 3])
    >>> mp = matrix_profile(x, 3)
    >>> int(mp.index[0]), round(float(mp.profile[0]), 6)
    (5, 0.0)
    """
    t, width = _window(series, m)
    windows = t.shape[0] - width + 1
    jobs = min(as_jobs(n_jobs), windows)
    exclusion = math.ceil(width / 4)
    mean, _, inv, is_constant = window_stats(t, width)
    constant = np.ascontiguousarray(is_constant, dtype=np.uint8)
    invnorm = inv / math.sqrt(width)
    df = np.zeros(windows)
    dg = np.zeros(windows)
    if windows > 1:
        df[1:] = (t[width:] - t[: windows - 1]) / 2.0
        dg[1:] = (t[width:] - mean[1:]) + (t[: windows - 1] - mean[:-1])
    corr = np.full(windows, -np.inf)
    index = np.full(windows, -1, dtype=np.int64)
    _profile.mpx(t, width, mean, np.ascontiguousarray(invnorm), df, dg, constant,
                 exclusion + 1, corr, index, jobs)  # fmt: skip
    found = index >= 0
    profile = np.full(windows, np.inf)
    profile[found] = np.sqrt(np.maximum(2.0 * width * (1.0 - np.minimum(corr[found], 1.0)), 0.0))
    _refine_near_zero(t, width, profile, index, is_constant)
    return MatrixProfile(profile=profile, index=index, m=width, exclusion=exclusion)


#: Squared distances below this fraction of ``2 m`` are recomputed directly: there
#: the rounding of the correlation (about 1e-13) is no longer small next to the
#: distance itself, and exact repeats must come out as exactly 0.
_REFINE_BELOW = 1e-6


def _refine_near_zero(
    t: NDArray[np.float64],
    m: int,
    profile: NDArray[np.float64],
    index: NDArray[np.int64],
    constant: NDArray[np.bool_],
) -> None:
    """Recompute near-zero profile entries from the two windows themselves.

    Each window is z-normalised with its own two-pass mean and standard
    deviation, so two identical windows give bitwise identical vectors and the
    distance 0 (stumpy gets there by rounding correlations above 1 - 1e-8 up to
    1; this keeps genuine near-repeats at their true small distance).
    """
    rows = np.flatnonzero((index >= 0) & (profile * profile < _REFINE_BELOW * 2.0 * m) & ~constant)
    if rows.size == 0:
        return
    cols = index[rows]
    keep = ~constant[cols]
    rows, cols = rows[keep], cols[keep]
    view = np.lib.stride_tricks.sliding_window_view(t, m)

    def z(at: NDArray[np.int64]) -> NDArray[np.float64]:
        w = view[at]
        centred = w - w.mean(axis=1, keepdims=True)
        return centred / np.sqrt((centred * centred).mean(axis=1, keepdims=True))

    profile[rows] = np.sqrt(((z(rows) - z(cols)) ** 2).sum(axis=1))


def _zone(exclusion: Any, m: int, windows: int) -> int:
    zone = math.ceil(m / 2) if exclusion is None else as_count(exclusion, "exclusion")
    return min(zone, windows)


def motifs(
    series: ArrayLike,
    m: int,
    k: int = 1,
    *,
    exclusion: int | None = None,
    n_jobs: int | None = None,
) -> list[Motif]:
    """The ``k`` closest pairs of windows, each pair away from the others.

    After a pair is taken, windows within ``exclusion`` (default ``ceil(m / 2)``)
    of either member are no longer candidates, so motifs are distinct.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(0).standard_normal(300)
    >>> x[200:220] = x[20:40]
    >>> top = motifs(x, 20, 1)[0]
    >>> (top.index, top.neighbor), round(top.distance, 6)
    ((20, 200), 0.0)
    """
    count = as_count(k, "k", minimum=1)
    mp = matrix_profile(series, m, n_jobs=n_jobs)
    zone = _zone(exclusion, mp.m, mp.profile.shape[0])
    blocked = np.zeros(mp.profile.shape[0], dtype=bool)
    out: list[Motif] = []
    for i in np.argsort(mp.profile, kind="stable"):
        j = int(mp.index[i])
        if j < 0 or blocked[i] or blocked[j]:
            continue
        a, b = sorted((int(i), j))
        out.append(Motif(index=a, neighbor=b, distance=float(mp.profile[i])))
        for p in (a, b):
            blocked[max(0, p - zone) : p + zone + 1] = True
        if len(out) == count:
            break
    return out


def discords(
    series: ArrayLike,
    m: int,
    k: int = 1,
    *,
    exclusion: int | None = None,
    n_jobs: int | None = None,
) -> list[Discord]:
    """The ``k`` windows farthest from their nearest neighbour, each away from the others.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.sin(np.linspace(0, 40 * np.pi, 2000))
    >>> x[1000:1010] += 2.0
    >>> 980 <= discords(x, 50, 1)[0].index <= 1010
    True
    """
    count = as_count(k, "k", minimum=1)
    mp = matrix_profile(series, m, n_jobs=n_jobs)
    zone = _zone(exclusion, mp.m, mp.profile.shape[0])
    blocked = np.zeros(mp.profile.shape[0], dtype=bool)
    out: list[Discord] = []
    for i in np.argsort(-mp.profile, kind="stable"):
        if blocked[i] or not np.isfinite(mp.profile[i]):
            continue
        out.append(Discord(index=int(i), distance=float(mp.profile[i])))
        blocked[max(0, i - zone) : i + zone + 1] = True
        if len(out) == count:
            break
    return out
