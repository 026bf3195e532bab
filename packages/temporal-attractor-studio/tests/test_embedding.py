import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from temporal_attractor_studio import AttractorError, embed, nearest_neighbors


@given(
    arrays(np.float64, st.integers(1, 60), elements=st.floats(-1e3, 1e3)),
    st.integers(1, 5),
    st.integers(1, 5),
)
def test_embed_matches_reference_rows(x, dim, delay):
    rows = len(x) - (dim - 1) * delay
    if rows < 1:
        with pytest.raises(AttractorError, match="too short"):
            embed(x, dim, delay)
        return
    out = embed(x, dim, delay)
    expected = np.array([[x[i + k * delay] for k in range(dim)] for i in range(rows)])
    np.testing.assert_array_equal(out, expected)
    assert not out.flags.writeable
    assert np.shares_memory(out, x)


@given(
    arrays(
        np.float64, st.tuples(st.integers(1, 25), st.integers(1, 3)), elements=st.floats(-100, 100)
    ),
    st.integers(0, 4),
)
def test_nearest_neighbors_matches_brute_force_reference(points, theiler):
    idx, dist = nearest_neighbors(points, theiler=theiler)
    n = len(points)
    for i in range(n):
        cands = [j for j in range(n) if abs(i - j) > theiler]
        if not cands:
            assert idx[i] == -1 and np.isinf(dist[i])
            continue
        best = min(np.linalg.norm(points[i] - points[j]) for j in cands)
        assert dist[i] == pytest.approx(best, abs=1e-9)
        assert abs(idx[i] - i) > theiler


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: embed([1.0, np.nan, 2.0], 2, 1), "series contains NaN"),
        (lambda: embed(np.ones((3, 2)), 2, 1), "series must be 1-D"),
        (lambda: embed([1.0, 2.0], 0, 1), "dim must be"),
        (lambda: embed([1.0, 2.0], 1, -1), "delay must be"),
        (lambda: nearest_neighbors([1.0, 2.0]), "points must be 2-D"),
        (lambda: nearest_neighbors([[1.0]], theiler=-1), "theiler must be"),
    ],
)
def test_bad_input(call, message):
    with pytest.raises(AttractorError, match=message):
        call()
    assert issubclass(AttractorError, ValueError)
