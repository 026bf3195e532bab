"""Plots draw exactly the data they are given."""

import runpy
from pathlib import Path

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from temporal_attractor_studio import (  # noqa: E402
    AttractorError,
    lyapunov_max,
    plot_divergence,
    plot_phase_portrait,
    plot_recurrence,
    systems,
)


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_phase_portrait_series_and_points():
    x = np.sin(np.arange(300) * 0.2)
    ax = plot_phase_portrait(x, delay=4)
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), x[:-4])
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), x[4:])
    pts = systems.lorenz(100)
    ax = plot_phase_portrait(pts)
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), pts[:, 1])


def test_divergence_plot_shows_curve_and_fit():
    result = lyapunov_max(systems.logistic(1000))
    ax = plot_divergence(result)
    curve, fit = ax.lines
    np.testing.assert_array_equal(curve.get_ydata(), result.divergence)
    start, stop = result.fit_range
    t = result.times[start:stop]
    np.testing.assert_allclose(fit.get_ydata(), result.exponent * t + result.intercept)


def test_recurrence_plot_matches_dense_matrix():
    x = np.random.default_rng(0).standard_normal(80)
    ax = plot_recurrence(x, threshold=0.3)
    image = ax.images[0].get_array()  # fewer points than pixels: one cell per point
    drawn = {(int(i), int(j)) for j, i in zip(*np.nonzero(image), strict=True)}
    dense = {(i, j) for i in range(80) for j in range(80) if abs(x[i] - x[j]) <= 0.3}
    assert drawn == dense


def _dark_fraction(fig, ax):
    fig.canvas.draw()
    img = np.asarray(fig.canvas.buffer_rgba())[..., :3]
    x0, y0, x1, y1 = (int(v) for v in ax.get_window_extent().extents)
    h = img.shape[0]
    inner = img[h - y1 + 2 : h - y0 - 2, x0 + 2 : x1 - 2]
    return float((inner.min(axis=2) < 128).mean())


@pytest.mark.parametrize("dpi", [50, 100, 300])
@pytest.mark.parametrize("n", [200, 1500])
def test_recurrence_plot_is_visible_at_any_dpi(dpi, n):
    # Issue 16: the plot rendered blank at dpi 100 (0.5 pt² scatter markers).
    x = np.random.default_rng(n).standard_normal(n)
    fig, ax = plt.subplots(dpi=dpi)
    plot_recurrence(x, threshold=0.2, ax=ax)
    rate = float((np.abs(x[:, None] - x[None, :]) <= 0.2).mean())  # dense reference
    # Cells are at least as dark as the pairs they hold; edges blur by a pixel.
    assert _dark_fraction(fig, ax) > 0.7 * rate


def test_bad_input():
    with pytest.raises(AttractorError, match="LyapunovResult"):
        plot_divergence(np.zeros(3))
    with pytest.raises(AttractorError, match="2 columns"):
        plot_phase_portrait(np.ones((10, 1)))
    with pytest.raises(AttractorError, match="threshold"):
        plot_recurrence(np.arange(10.0), threshold=np.nan)


def test_example_writes_pngs(tmp_path):
    example = Path(__file__).resolve().parent.parent / "examples" / "plot_gallery.py"
    written = runpy.run_path(str(example))["main"](tmp_path)
    assert len(written) == 3
    for path in written:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
