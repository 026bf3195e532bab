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
    offsets = {tuple(map(int, p)) for p in ax.collections[0].get_offsets()}
    dense = {(i, j) for i in range(80) for j in range(80) if abs(x[i] - x[j]) <= 0.3}
    assert offsets == dense


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
