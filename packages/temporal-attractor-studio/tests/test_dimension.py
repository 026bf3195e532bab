"""Correlation dimension against published values and a brute-force correlation sum."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from temporal_attractor_studio import AttractorError, correlation_dimension, systems
from temporal_attractor_studio.dimension import correlation_sum


def test_lorenz_from_x_series_default_arguments(lorenz_x):
    # Published D2 of the Lorenz attractor: 2.05 (Grassberger & Procaccia 1983).
    result = correlation_dimension(lorenz_x)
    assert result.dimension == pytest.approx(2.05, abs=0.1)
    assert result.quality > 0.9


def test_lorenz_from_state_points(lorenz_xyz):
    result = correlation_dimension(lorenz_xyz)
    assert result.dimension == pytest.approx(2.05, abs=0.1)
    assert result.delay == 0 and result.dim == 3


def test_henon_published_value():
    # Grassberger & Procaccia (1983): D2 = 1.21 +- 0.01 for the Hénon attractor.
    result = correlation_dimension(systems.henon(5000))
    assert result.dimension == pytest.approx(1.21, abs=0.06)


def test_uniform_square_has_dimension_two():
    pts = np.random.default_rng(0).random((4000, 2))
    result = correlation_dimension(pts, theiler=0)
    assert result.dimension == pytest.approx(2.0, abs=0.15)


def brute_correlation_sum(points, radii, theiler):
    n = len(points)
    d = np.sqrt(((points[:, None, :] - points[None, :, :]) ** 2).sum(-1))
    i, j = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    mask = np.abs(i - j) > theiler
    return np.array([(d[mask] <= r).sum() / mask.sum() for r in radii])


@settings(max_examples=25, deadline=None)
@given(
    st.integers(20, 80),
    st.integers(1, 3),
    st.integers(0, 6),
    st.integers(0, 10_000),
)
def test_correlation_sum_matches_brute_force(n, d, theiler, seed):
    pts = np.random.default_rng(seed).random((n, d))
    radii = np.array([0.05, 0.1, 0.3, 0.7, 2.0])
    np.testing.assert_allclose(
        correlation_sum(pts, radii, theiler), brute_correlation_sum(pts, radii, theiler), atol=1e-12
    )


def test_result_dict_and_repr(lorenz_xyz):
    result = correlation_dimension(lorenz_xyz[:3000])
    assert len(result.to_dict()["radii"]) == len(result.radii)
    assert "CorrelationDimensionResult(dimension=" in repr(result)


@pytest.mark.parametrize(
    ("arg", "kwargs", "message"),
    [
        (np.full(500, 3.0), {}, "constant"),
        (np.r_[np.random.default_rng(0).random(499), np.nan], {}, "NaN"),
        (np.zeros((3, 3, 3)), {}, "1-D"),
        (np.random.default_rng(0).random(50), {}, "at least 100"),
        (np.random.default_rng(0).random((500, 2)), {"dim": 3}, "apply to a 1-D series"),
        (np.random.default_rng(0).random(500), {"n_radii": 2}, "n_radii"),
    ],
)
def test_bad_input(arg, kwargs, message):
    with pytest.raises(AttractorError, match=message):
        correlation_dimension(arg, **kwargs)
