"""Plots: phase portrait, divergence curve with its fit, recurrence plot.

Needs the ``[plot]`` extra (matplotlib), imported only when a function is called.
Each function draws on ``ax`` (a new figure's axes when ``None``) and returns it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from ._validation import as_int, as_points, as_series, check_not_constant, reject_complex
from .embedding import embed
from .errors import AttractorError
from .lyapunov import LyapunovResult
from .parameters import estimate_delay
from .recurrence import recurrence_pairs

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_divergence", "plot_phase_portrait", "plot_recurrence"]


def _axes(ax: Axes | None) -> Axes:
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        raise ImportError(
            "plotting needs matplotlib: pip install 'temporal-attractor-studio[plot]'"
        ) from exc
    if ax is not None:
        return ax
    _, new_ax = plt.subplots()
    return new_ax


def _as_2d(series_or_points: ArrayLike, delay: int | None) -> tuple[np.ndarray, str, str]:
    reject_complex(series_or_points, "series_or_points")
    arr = np.asarray(series_or_points, dtype=np.float64)
    if arr.ndim == 1:
        x = as_series(arr)
        check_not_constant(x)
        tau = estimate_delay(x) if delay is None else as_int(delay, "delay", 1)
        return np.asarray(embed(x, 2, tau)), "x(t)", f"x(t + {tau})"
    pts = as_points(arr, "series_or_points")
    if pts.shape[1] < 2:
        raise AttractorError("points must have at least 2 columns for a phase portrait")
    return pts[:, :2], "x₁", "x₂"


def plot_phase_portrait(
    series_or_points: ArrayLike, *, delay: int | None = None, ax: Axes | None = None, **kwargs: Any
) -> Axes:
    """Phase portrait: ``x(t)`` against ``x(t + delay)`` for a series, or the first two columns.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> ax = plot_phase_portrait(np.sin(np.arange(500) * 0.1), delay=16)
    >>> len(ax.lines[0].get_xdata())
    484
    """
    pts, xlabel, ylabel = _as_2d(series_or_points, delay)
    axes = _axes(ax)
    axes.plot(pts[:, 0], pts[:, 1], lw=kwargs.pop("lw", 0.5), **kwargs)
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    axes.set_title("phase portrait")
    return axes


def plot_divergence(result: LyapunovResult, *, ax: Axes | None = None) -> Axes:
    """Divergence curve of a :func:`lyapunov_max` result with the fitted line over its range.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from temporal_attractor_studio import lyapunov_max, systems
    >>> ax = plot_divergence(lyapunov_max(systems.logistic(1000)))
    >>> len(ax.lines)
    2
    """
    if not isinstance(result, LyapunovResult):
        raise AttractorError("result must be a LyapunovResult from lyapunov_max")
    axes = _axes(ax)
    axes.plot(result.times, result.divergence, ".", ms=3, label="mean log divergence")
    start, stop = result.fit_range
    t = result.times[start:stop]
    axes.plot(
        t,
        result.exponent * t + result.intercept,
        "-",
        label=f"fit: λ = {result.exponent:.4g} (quality {result.quality:.2f})",
    )
    axes.set_xlabel("time")
    axes.set_ylabel("⟨ln distance⟩")
    axes.legend()
    return axes


def plot_recurrence(
    series_or_points: ArrayLike,
    *,
    threshold: float,
    dim: int = 1,
    delay: int = 1,
    ax: Axes | None = None,
) -> Axes:
    """Recurrence plot: dark at ``(i, j)`` when points ``i`` and ``j`` are within ``threshold``.

    Built from the sparse recurrent pairs (no n×n distance matrix) and drawn as an
    image of at most one cell per screen pixel of the axes (a cell is dark when any
    pair falls in it), so it stays visible at any dpi; with fewer points than
    pixels, each point is one cell. The main diagonal is drawn.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> ax = plot_recurrence(np.sin(np.arange(200) * 0.3), threshold=0.1, dim=2, delay=5)
    >>> ax.get_title(), len(ax.images)
    ('recurrence plot', 1)
    """
    arr = np.asarray(series_or_points)
    if arr.ndim == 1:
        x = as_series(arr)
        pts = np.ascontiguousarray(embed(x, as_int(dim, "dim", 1), as_int(delay, "delay", 1)))
    else:
        pts = as_points(arr, "series_or_points")
    eps = float(threshold)
    if not (np.isfinite(eps) and eps >= 0):
        raise AttractorError(f"threshold must be a finite number >= 0, got {threshold!r}")
    i, j = recurrence_pairs(pts, eps, 0)
    n = pts.shape[0]
    axes = _axes(ax)
    width, height = axes.get_window_extent().size
    cells = int(max(1, min(n, round(min(width, height)))))
    rows = np.concatenate([i, j, np.arange(n)]) * cells // n
    cols = np.concatenate([j, i, np.arange(n)]) * cells // n
    image = np.zeros((cells, cells), dtype=np.uint8)
    image[cols, rows] = 1
    axes.imshow(
        image,
        cmap="binary",
        vmin=0,
        vmax=1,
        origin="lower",
        extent=(-0.5, n - 0.5, -0.5, n - 0.5),
        interpolation="nearest",
    )
    axes.set_xlim(-0.5, n - 0.5)
    axes.set_ylim(-0.5, n - 0.5)
    axes.set_aspect("equal")
    axes.set_xlabel("i")
    axes.set_ylabel("j")
    axes.set_title("recurrence plot")
    return axes
