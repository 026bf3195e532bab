import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import temporal_compare
from temporal_compare import TemporalCompareError, euclidean

finite = st.floats(-1e6, 1e6, allow_nan=False)


def reference_euclidean(x, y):
    return math.sqrt(sum((a - b) ** 2 for a, b in zip(x, y, strict=True)))


@given(
    st.integers(0, 50).flatmap(
        lambda n: st.tuples(
            arrays(np.float64, n, elements=finite), arrays(np.float64, n, elements=finite)
        )
    )
)
def test_euclidean_matches_reference(pair):
    x, y = pair
    assert euclidean(x, y) == pytest.approx(reference_euclidean(x, y), rel=1e-9, abs=1e-9)


def test_euclidean_known_value_and_empty():
    assert euclidean([0, 3], [4, 0]) == 5.0
    assert euclidean([], []) == 0.0


@pytest.mark.parametrize(
    ("x", "y", "message"),
    [
        ([1.0, np.nan], [1.0, 2.0], "x contains NaN"),
        ([1.0, 2.0], [1.0, np.inf], "y contains NaN or infinity"),
        ([[1.0]], [1.0], "x must be 1-D"),
        ([1.0, 2.0], [1.0], "same length"),
        (["a"], [1.0], "x must be numeric"),
    ],
)
def test_bad_input_names_the_argument(x, y, message):
    with pytest.raises(TemporalCompareError, match=message):
        euclidean(x, y)


def test_error_base_is_value_error_and_exported():
    assert issubclass(TemporalCompareError, ValueError)
    assert isinstance(temporal_compare.__version__, str)
    assert temporal_compare.__version__.count(".") >= 2
