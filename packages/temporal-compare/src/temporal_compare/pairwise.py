"""Pairwise distance and similarity matrices between collections of sequences."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
from numpy.typing import NDArray

from . import _dtw, _edit
from ._tokens import dense, encode_many
from ._validation import as_jobs, as_multiseries, as_time_axis, as_window, check_cells
from .elastic import band
from .errors import TemporalCompareError

__all__ = ["CDIST_METRICS", "cdist"]

#: Metrics accepted by :func:`cdist`.
CDIST_METRICS = (
    "dtw",
    "euclidean",
    "lcs_similarity",
    "levenshtein",
    "levenshtein_normalized_distance",
    "levenshtein_normalized_similarity",
)
_SIMILARITIES = ("lcs_similarity", "levenshtein_normalized_similarity")

Progress = Callable[[int, int], None]


def _collection(
    values: Any, name: str, numeric: bool, time_axis: int = 0, processor: Any = None
) -> list[Any]:
    if hasattr(values, "to_numpy") and not isinstance(values, np.ndarray):
        values = values.to_numpy()  # pandas: a DataFrame holds one series per row
        if values.dtype == object:
            values = list(values)
    if processor is not None:
        if not callable(processor):
            raise TemporalCompareError(f"processor must be callable, got {processor!r}")
        values = [processor(v) for v in values]
    if isinstance(values, np.ndarray):
        if numeric and values.ndim not in (2, 3):
            raise TemporalCompareError(
                f"{name} must be a 2-D array (one series per row), a 3-D array "
                f"(n_series, length, dims) or a list of series, got shape {values.shape}"
            )
        if not numeric and values.ndim not in (1, 2):
            raise TemporalCompareError(f"{name} must hold one sequence per row")
        items: list[Any] = list(values)
    elif isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise TemporalCompareError(f"{name} must be a sequence of sequences")
    else:
        items = list(values)
    if numeric:
        return [as_multiseries(s, f"{name}[{i}]", time_axis=time_axis) for i, s in enumerate(items)]
    return items


def _pairs(nx: int, ny: int, symmetric: bool) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    if symmetric:
        first, second = np.triu_indices(nx, k=1)
    else:
        first, second = np.divmod(np.arange(nx * ny, dtype=np.int64), max(ny, 1))
    return np.ascontiguousarray(first, dtype=np.int64), np.ascontiguousarray(second, dtype=np.int64)


def _pack(
    series: list[NDArray[Any]], dtype: Any, reverse: bool = False
) -> tuple[NDArray[Any], ...]:
    lengths = np.array([s.shape[0] for s in series], dtype=np.int64)
    starts = np.zeros(len(series), dtype=np.int64)
    if len(series) > 1:
        np.cumsum(lengths[:-1], out=starts[1:])
    parts = [s[::-1] if reverse else s for s in series]
    # one spare element keeps the buffer non-empty when every series is empty
    flat = np.concatenate([*parts, np.zeros(1, dtype=dtype)]).astype(dtype)
    return np.ascontiguousarray(flat), starts, lengths


def _run_chunks(
    total: int,
    jobs: int,
    work: Callable[[slice, int], None],
    progress: Progress | None,
    parallel_kernel: bool,
) -> None:
    """Run ``work(chunk, threads)`` over chunks of ``range(total)``, reporting progress.

    With an OpenMP kernel each chunk is split across ``jobs`` threads inside the
    kernel; otherwise chunks go to a pool of ``jobs`` plain threads (the kernels
    release the GIL, so these run in parallel too).
    """
    if progress:
        chunk = max(256, math.ceil(total / 100))
    else:
        chunk = total if parallel_kernel else max(1, math.ceil(total / jobs))
    bounds = [slice(s, min(s + chunk, total)) for s in range(0, total, chunk)]
    done = 0
    if parallel_kernel or jobs == 1:
        for part in bounds:
            work(part, jobs)
            done += part.stop - part.start
            if progress:
                progress(done, total)
        return
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [(part, pool.submit(work, part, 1)) for part in bounds]
        for part, future in futures:
            future.result()
            done += part.stop - part.start
            if progress:
                progress(done, total)


def cdist(
    X: Any,
    Y: Any = None,
    *,
    metric: str = "dtw",
    window: int | None = None,
    n_jobs: int | None = None,
    progress: Progress | None = None,
    workers: int | None = None,
    scorer: str | Callable[..., Any] | None = None,
    score_cutoff: float | None = None,
    processor: Callable[[Any], Any] | None = None,
    time_axis: int = 0,
) -> NDArray[np.float64]:
    """Matrix of distances (or similarities) between every series of X and every one of Y.

    Parameters
    ----------
    X, Y : array or sequence of sequences
        Numeric series for ``"dtw"`` and ``"euclidean"``: a 2-D array (one
        univariate series per row), a 3-D array ``(n_series, length, dims)``
        (tslearn's layout), a list of 1-D or ``(length, dims)`` series (lengths
        may differ for DTW), or a pandas DataFrame (one series per row). Token
        sequences for the other metrics. With ``Y=None`` the matrix of X against
        itself is computed from one triangle (the diagonal is 0, or 1 for a
        similarity).
    metric : str
        One of :data:`CDIST_METRICS`. ``"dtw"`` is :func:`temporal_compare.dtw`
        with the ``sqeuclidean`` metric; ``"lcs_similarity"`` is
        :func:`temporal_compare.lcs_similarity`; ``"levenshtein"`` is the
        unit-cost distance and the ``levenshtein_normalized_*`` ones divide it
        by the longer length.
    window : int, optional
        Sakoe-Chiba radius for ``"dtw"``.
    n_jobs : int, optional
        Threads to use; ``None`` or ``-1`` uses every CPU, ``-2`` all but one
        (the joblib convention). Kernels run with the GIL released (OpenMP
        ``prange`` where the build has OpenMP).
    progress : callable, optional
        Called as ``progress(done, total)`` (pairs) after each chunk. With tqdm:
        ``bar = tqdm(total=1)`` and ``progress=lambda done, total: (setattr(bar,
        "total", total), bar.update(done - bar.n))``.
    workers : int, optional
        rapidfuzz's name for ``n_jobs`` (``-1``: every CPU); give one or the other.
    scorer : str or callable, optional
        rapidfuzz's name for ``metric``: a metric name, one of this package's
        functions for a metric (``levenshtein``, ``dtw``, ...), or any callable
        ``scorer(a, b)`` (called in Python for every pair, with
        ``score_cutoff=`` when one is given).
    score_cutoff : float, optional
        For a distance, results above it become ``score_cutoff + 1``
        (``levenshtein``), ``1.0`` (normalised distance) or ``inf`` (``dtw``,
        ``euclidean``); for a similarity, results below it become ``0.0``
        (rapidfuzz's conventions).
    processor : callable, optional
        Applied to every item of X and Y first (rapidfuzz's hook).
    time_axis : {0, 1}
        Axis of each 2-D numeric series that is time (1 for channels-first).

    Returns
    -------
    ndarray of shape (len(X), len(Y))

    Examples
    --------
    >>> cdist([[0.0, 1.0, 2.0], [0.0, 2.0], [5.0]]).round(3).tolist()
    [[0.0, 1.0, 7.071], [1.0, 0.0, 5.831], [7.071, 5.831, 0.0]]
    >>> cdist(["abcd", "abxd"], metric="lcs_similarity").tolist()
    [[1.0, 0.75], [0.75, 1.0]]
    """
    if scorer is not None:
        if metric != "dtw":
            raise TemporalCompareError("give metric or scorer, not both")
        named = _scorer_name(scorer)
        if named is None and callable(scorer):
            return _callable_matrix(X, Y, scorer, score_cutoff, processor, progress)
        assert named is not None  # _scorer_name refused anything else
        metric = named
    if metric not in CDIST_METRICS:
        raise TemporalCompareError(f"metric must be one of {list(CDIST_METRICS)}, got {metric!r}")
    if progress is not None and not callable(progress):
        raise TemporalCompareError("progress must be callable as progress(done, total)")
    if workers is not None and n_jobs is not None:
        raise TemporalCompareError("give n_jobs or workers, not both")
    jobs = as_jobs(n_jobs) if workers is None else as_jobs(workers, "workers")
    cutoff = _cutoff(score_cutoff)
    numeric = metric in ("dtw", "euclidean")
    axis = as_time_axis(time_axis)
    xs = _collection(X, "X", numeric, axis, processor)
    symmetric = Y is None
    ys = xs if symmetric else _collection(Y, "Y", numeric, axis, processor)
    nx, ny = len(xs), len(ys)
    longest = max((s.shape[0] for s in (*xs, *ys)), default=0) if numeric else 0
    w = as_window(window, limit=longest)
    check_cells(nx * ny * 8, "cdist (bytes of the result)")
    diagonal = 1.0 if metric in _SIMILARITIES else 0.0
    out = np.zeros((nx, ny))
    if symmetric:
        np.fill_diagonal(out, diagonal)
    if numeric:
        dims = {s.shape[1] for s in (*xs, *ys)}
        if len(dims) > 1:
            raise TemporalCompareError(f"series mix dimensions {sorted(dims)}")
        if metric == "euclidean":
            _euclidean(xs, ys, out)
        elif dims == {1} or not dims:
            flat = [s.reshape(-1) for s in xs]
            _dtw_matrix(flat, flat if symmetric else [s.reshape(-1) for s in ys],
                        out, symmetric, w, jobs, progress)  # fmt: skip
        else:
            _dtw_multivariate(xs, ys, out, symmetric, w, jobs, progress)
    else:
        _token_matrix(xs, ys, out, symmetric, metric, jobs, progress)
    if symmetric:
        upper = np.triu_indices(nx, k=1)
        out[upper[1], upper[0]] = out[upper]
    if cutoff is not None:
        _apply_cutoff(out, metric, cutoff)
    return out


def _scorer_name(scorer: Any) -> str | None:
    """The metric a scorer names, or None for a callable this module cannot map."""
    if isinstance(scorer, str):
        return scorer
    if not callable(scorer):
        raise TemporalCompareError(f"scorer must be a metric name or callable, got {scorer!r}")
    name = getattr(scorer, "__name__", "")
    module = getattr(scorer, "__module__", "") or ""
    if module.startswith("temporal_compare") and name in CDIST_METRICS:
        return str(name)
    return None


def _cutoff(score_cutoff: Any) -> float | None:
    if score_cutoff is None:
        return None
    try:
        value = float(score_cutoff)
    except (TypeError, ValueError):
        raise TemporalCompareError(f"score_cutoff must be a number, got {score_cutoff!r}") from None
    if math.isnan(value) or value < 0:
        raise TemporalCompareError(f"score_cutoff must be >= 0, got {score_cutoff!r}")
    return value


def _apply_cutoff(out: NDArray[np.float64], metric: str, cutoff: float) -> None:
    if metric in _SIMILARITIES:
        out[out < cutoff] = 0.0
    elif metric == "levenshtein":
        out[out > cutoff] = math.floor(cutoff) + 1
    elif metric == "levenshtein_normalized_distance":
        out[out > cutoff] = 1.0
    else:
        out[out > cutoff] = math.inf


def _callable_matrix(
    X: Any, Y: Any, scorer: Callable[..., Any], score_cutoff: Any, processor: Any,
    progress: Progress | None,
) -> NDArray[np.float64]:  # fmt: skip
    """Any ``scorer(a, b)`` over every pair, in Python (no symmetry assumed)."""
    if progress is not None and not callable(progress):
        raise TemporalCompareError("progress must be callable as progress(done, total)")
    xs = _collection(X, "X", False, 0, processor)
    ys = xs if Y is None else _collection(Y, "Y", False, 0, processor)
    check_cells(len(xs) * len(ys) * 8, "cdist (bytes of the result)")
    extra = {} if score_cutoff is None else {"score_cutoff": score_cutoff}
    out = np.zeros((len(xs), len(ys)))
    for i, a in enumerate(xs):
        for j, b in enumerate(ys):
            out[i, j] = scorer(a, b, **extra)
        if progress:
            progress((i + 1) * len(ys), len(xs) * len(ys))
    return out


def _dtw_multivariate(
    xs: list[NDArray[np.float64]],
    ys: list[NDArray[np.float64]],
    out: NDArray[np.float64],
    symmetric: bool,
    window: int | None,
    jobs: int,
    progress: Progress | None,
) -> None:
    """DTW of ``(length, dims)`` series pair by pair through the banded row kernel
    (it releases the GIL, so plain threads run pairs in parallel)."""
    first, second = _pairs(len(xs), len(ys), symmetric)
    values = np.zeros(first.shape[0])

    def work(part: slice, threads: int) -> None:
        for p in range(part.start, part.stop):
            a, b = xs[first[p]], ys[second[p]]
            n, m = a.shape[0], b.shape[0]
            if n == 0 or m == 0:
                values[p] = 0.0 if n == m else math.inf
                continue
            if window is not None and abs(n - m) > window:
                values[p] = math.inf
                continue
            lo, hi = band(n, m, window)
            total = _dtw.dtw_rows(a.reshape(-1), b.reshape(-1), a.shape[1], lo, hi, 0, 0,
                                  math.inf)  # fmt: skip
            values[p] = math.sqrt(total)

    if first.size:
        _run_chunks(first.shape[0], jobs, work, progress, parallel_kernel=False)
    elif progress:
        progress(0, 0)
    out[first, second] = values


def _euclidean(
    xs: list[NDArray[np.float64]], ys: list[NDArray[np.float64]], out: NDArray[np.float64]
) -> None:
    lengths = {s.shape[0] for s in xs} | {s.shape[0] for s in ys}
    if len(lengths) > 1:
        raise TemporalCompareError(
            f"metric 'euclidean' needs series of one length, got lengths {sorted(lengths)}"
        )
    if not xs or not ys:
        return
    a = np.stack([s.reshape(-1) for s in xs])
    b = np.stack([s.reshape(-1) for s in ys])
    for i in range(a.shape[0]):
        out[i] = np.sqrt(((b - a[i]) ** 2).sum(axis=1))


def _dtw_matrix(
    xs: list[NDArray[np.float64]],
    ys: list[NDArray[np.float64]],
    out: NDArray[np.float64],
    symmetric: bool,
    window: int | None,
    jobs: int,
    progress: Progress | None,
) -> None:
    first, second = _pairs(len(xs), len(ys), symmetric)
    lx = np.array([s.shape[0] for s in xs], dtype=np.int64)
    ly = np.array([s.shape[0] for s in ys], dtype=np.int64)
    if first.size:
        na, nb = lx[first], ly[second]
        empty = (na == 0) | (nb == 0)
        out[first[empty], second[empty]] = np.where(na[empty] == nb[empty], 0.0, math.inf)
        keep = ~empty
        first, second = first[keep], second[keep]
    if not first.size:
        if progress:
            progress(0, 0)
        return
    flat, starts, lengths = _pack(xs, np.float64)
    flat_y, starts_y, lengths_y = _pack(ys, np.float64, reverse=True)
    radius = int(max(lx.max(), ly.max())) if window is None else window
    values = np.full(first.shape[0], math.nan)

    def work(part: slice, threads: int) -> None:
        _dtw.pairwise_wavefront(
            flat, starts, lengths, first[part], second[part], flat_y, starts_y, lengths_y,
            values[part], radius, 0, 1, threads,
        )  # fmt: skip

    _run_chunks(first.shape[0], jobs, work, progress, _dtw.HAVE_OPENMP)
    if np.isnan(values).any():
        raise MemoryError("cdist could not allocate working memory")
    out[first, second] = values


def _token_matrix(
    xs: list[Any],
    ys: list[Any],
    out: NDArray[np.float64],
    symmetric: bool,
    metric: str,
    jobs: int,
    progress: Progress | None,
) -> None:
    names = [f"X[{i}]" for i in range(len(xs))]
    if symmetric:
        codes = encode_many(xs, names)
        codes_y = codes
    else:
        both = encode_many([*xs, *ys], names + [f"Y[{i}]" for i in range(len(ys))])
        codes, codes_y = both[: len(xs)], both[len(xs) :]
    first, second = _pairs(len(xs), len(ys), symmetric)
    if not first.size:
        if progress:
            progress(0, 0)
        return
    if metric == "lcs_similarity":
        lcs = _lcs_rows(codes, codes_y, symmetric, first, second, jobs, progress)
        lengths = np.array([c.shape[0] for c in codes], dtype=np.int64)
        lengths_y = np.array([c.shape[0] for c in codes_y], dtype=np.int64)
        longest = np.maximum(lengths[first], lengths_y[second])
        out[first, second] = np.where(longest == 0, 1.0, lcs / np.maximum(longest, 1))
        return
    result = np.zeros(first.shape[0], dtype=np.int64)
    flat, starts, lengths_x = _pack(codes, np.int64)
    flat_y, starts_y, lengths_y = _pack(codes_y, np.int64)

    def work(part: slice, threads: int) -> None:
        sub = np.zeros(part.stop - part.start, dtype=np.int64)
        _edit.pairwise_lcs(flat, starts, lengths_x, flat_y, starts_y, lengths_y,
                           first[part], second[part], sub, True)  # fmt: skip
        result[part] = sub

    _run_chunks(first.shape[0], jobs, work, progress, parallel_kernel=False)
    if metric == "levenshtein":
        out[first, second] = result
        return
    # unit weights: the largest distance between lengths n and m is max(n, m)
    lengths = np.array([c.shape[0] for c in codes], dtype=np.int64)
    lengths_y = np.array([c.shape[0] for c in codes_y], dtype=np.int64)
    longest = np.maximum(lengths[first], lengths_y[second])
    normalised = np.where(longest == 0, 0.0, result / np.maximum(longest, 1))
    if metric == "levenshtein_normalized_similarity":
        normalised = 1.0 - normalised
    out[first, second] = normalised


#: Largest pattern-mask table (bytes) one thread may hold for the dense LCS kernel.
_DENSE_MASK_BYTES = 64 * 2**20


def _lcs_rows(
    codes: list[NDArray[np.int64]],
    codes_y: list[NDArray[np.int64]],
    symmetric: bool,
    first: NDArray[np.int64],
    second: NDArray[np.int64],
    jobs: int,
    progress: Progress | None,
) -> NDArray[np.int64]:
    """LCS length of every pair; pairs come sorted by ``first`` (one row per left series)."""
    both = codes if symmetric else [*codes, *codes_y]
    relabelled, alphabet = dense(*both)
    left = relabelled[: len(codes)]
    right = left if symmetric else relabelled[len(codes) :]
    flat, starts, lengths = _pack(left, np.int64)
    flat_y, starts_y, lengths_y = _pack(right, np.int64)
    rows, row_begin = np.unique(first, return_index=True)
    row_begin = np.ascontiguousarray(np.append(row_begin, first.shape[0]), dtype=np.int64)
    rows = np.ascontiguousarray(rows, dtype=np.int64)
    result = np.zeros(first.shape[0], dtype=np.int64)
    words = max(1, (int(lengths.max()) + 63) // 64)
    if alphabet * words * 8 > _DENSE_MASK_BYTES:
        # too many distinct tokens for a dense table: encode each pair by hashing
        def pairs(part: slice, threads: int) -> None:
            sub = np.zeros(part.stop - part.start, dtype=np.int64)
            _edit.pairwise_lcs(
                flat, starts, lengths, flat_y, starts_y, lengths_y, first[part], second[part], sub
            )
            result[part] = sub

        _run_chunks(first.shape[0], jobs, pairs, progress, parallel_kernel=False)
        return result

    def work(part: slice, threads: int) -> None:
        _edit.pairwise_lcs_dense(
            flat, starts, lengths, flat_y, starts_y, lengths_y, rows[part],
            row_begin[part.start : part.stop + 1], second, max(alphabet, 1), result, threads,
        )  # fmt: skip

    def row_progress(done_rows: int, total_rows: int) -> None:
        if progress:
            progress(int(row_begin[done_rows]), first.shape[0])

    _run_chunks(rows.shape[0], jobs, work, row_progress if progress else None, _edit.HAVE_OPENMP)
    if (result < 0).any():
        raise MemoryError("cdist could not allocate working memory")
    return result
