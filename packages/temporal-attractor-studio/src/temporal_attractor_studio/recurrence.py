"""Recurrence quantification analysis (RQA) without a dense recurrence matrix."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.spatial import cKDTree

from ._validation import as_int, as_series, check_not_constant, reject_complex
from .embedding import embed
from .errors import AttractorError

__all__ = ["RecurrenceResult", "recurrence_pairs", "recurrence_quantification"]


@dataclass(frozen=True)
class RecurrenceResult:
    """RQA measures (Marwan et al. 2007 definitions).

    ``recurrence_rate``: fraction of admissible pairs closer than ``threshold``.
    ``determinism``: fraction of recurrent points on diagonal lines of length
    ``>= min_line``; ``laminarity``: the same for vertical lines; ``entropy``:
    Shannon entropy (nats) of the diagonal line-length distribution;
    ``mean_diagonal``, ``max_diagonal``, ``trapping_time`` (mean vertical length).
    """

    recurrence_rate: float
    determinism: float
    laminarity: float
    entropy: float
    mean_diagonal: float
    max_diagonal: int
    trapping_time: float
    threshold: float

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python dictionary, for JSON."""
        return dict(self.__dict__)


def recurrence_pairs(
    points: NDArray[np.float64], threshold: float, theiler: int
) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Upper-triangle recurrent pairs ``i < j``, ``j - i > theiler``, distance ``<= threshold``."""
    tree = cKDTree(points)
    pairs = tree.query_pairs(threshold, output_type="ndarray")
    if pairs.size == 0:
        return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.intp)
    i = np.minimum(pairs[:, 0], pairs[:, 1]).astype(np.intp)
    j = np.maximum(pairs[:, 0], pairs[:, 1]).astype(np.intp)
    keep = (j - i) > theiler
    return i[keep], j[keep]


def _run_lengths(group: NDArray[np.intp], pos: NDArray[np.intp]) -> NDArray[np.intp]:
    """Lengths of runs of consecutive ``pos`` within equal ``group`` (any input order)."""
    if group.size == 0:
        return np.empty(0, dtype=np.intp)
    order = np.lexsort((pos, group))
    g, p = group[order], pos[order]
    breaks = np.nonzero((np.diff(g) != 0) | (np.diff(p) != 1))[0] + 1
    edges = np.concatenate([[0], breaks, [g.size]])
    return np.diff(edges).astype(np.intp)


def recurrence_quantification(
    series_or_points: ArrayLike,
    *,
    dim: int = 1,
    delay: int = 1,
    threshold: float | None = None,
    recurrence_rate: float = 0.05,
    theiler: int = 0,
    min_line: int = 2,
    seed: int | None = 0,
) -> RecurrenceResult:
    """Recurrence quantification of a series (delay-embedded) or of points.

    Pairs ``|i - j| <= theiler`` (always the main diagonal) are excluded. When
    ``threshold`` is ``None`` it is the ``recurrence_rate`` quantile of the
    distances of 20,000 random admissible pairs (seeded), so about that fraction of
    pairs recur. Recurrent pairs come from a KD-tree; memory is O(number of
    recurrences), never the n×n matrix.

    Examples
    --------
    >>> x = np.sin(np.arange(400) * 2 * np.pi / 20)
    >>> rqa = recurrence_quantification(x, dim=2, delay=5, threshold=0.1)
    >>> round(rqa.determinism, 3)
    1.0
    """
    reject_complex(series_or_points, "series_or_points")
    arr = np.asarray(series_or_points, dtype=np.float64)
    if arr.ndim == 1:
        x = as_series(arr)
        check_not_constant(x)
        points = np.ascontiguousarray(
            embed(x, as_int(dim, "dim", 1), as_int(delay, "delay", 1)), dtype=np.float64
        )
    elif arr.ndim == 2:
        points = np.ascontiguousarray(arr)
        if not np.isfinite(points).all():
            raise AttractorError("series_or_points contains NaN or infinity")
    else:
        raise AttractorError(
            f"series_or_points must be 1-D (a series) or 2-D (points), got shape {arr.shape}"
        )
    theiler = as_int(theiler, "theiler", 0)
    min_line = as_int(min_line, "min_line", 1)
    n = points.shape[0]
    if n <= theiler + 2:
        raise AttractorError(f"{n} points are too few for theiler={theiler}")
    if threshold is None:
        if not 0.0 < recurrence_rate < 1.0:
            raise AttractorError(f"recurrence_rate must be in (0, 1), got {recurrence_rate!r}")
        rng = np.random.default_rng(seed)
        a = rng.integers(0, n, 20_000)
        b = rng.integers(0, n, 20_000)
        ok = np.abs(a - b) > theiler
        d = np.sqrt(((points[a[ok]] - points[b[ok]]) ** 2).sum(axis=1))
        eps = float(np.quantile(d, recurrence_rate))
    else:
        eps = float(threshold)
        if not (np.isfinite(eps) and eps >= 0):
            raise AttractorError(f"threshold must be a finite number >= 0, got {threshold!r}")
    i, j = recurrence_pairs(points, eps, theiler)
    admissible = float(n) * n - n - (2 * n * theiler - theiler * (theiler + 1))
    recurrent = 2.0 * i.size
    rr = recurrent / admissible if admissible > 0 else 0.0
    # Diagonal lines: by symmetry, count the upper triangle; a line is a run of
    # consecutive i on the same diagonal j - i.
    diag = _run_lengths(j - i, i)
    long_diag = diag[diag >= min_line]
    # Vertical lines: column c, consecutive rows r, over the full symmetric matrix.
    cols = np.concatenate([j, i])
    rows = np.concatenate([i, j])
    vert = _run_lengths(cols, rows)
    long_vert = vert[vert >= min_line]
    if long_diag.size:
        _, counts = np.unique(long_diag, return_counts=True)
        p = counts / counts.sum()
        entropy = float(-(p * np.log(p)).sum())
    else:
        entropy = 0.0
    return RecurrenceResult(
        recurrence_rate=float(rr),
        determinism=float(long_diag.sum() / i.size) if i.size else 0.0,
        laminarity=float(long_vert.sum() / cols.size) if cols.size else 0.0,
        entropy=entropy,
        mean_diagonal=float(long_diag.mean()) if long_diag.size else 0.0,
        max_diagonal=int(diag.max()) if diag.size else 0,
        trapping_time=float(long_vert.mean()) if long_vert.size else 0.0,
        threshold=eps,
    )
