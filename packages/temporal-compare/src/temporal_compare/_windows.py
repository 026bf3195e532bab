"""Per-window statistics shared by subsequence search and the matrix profile."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from . import _search


def window_stats(
    t: NDArray[np.float64], m: int
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.bool_]]:
    """Mean, standard deviation, inverse standard deviation and constancy of every
    length-``m`` window of ``t``.

    A window is constant when all its values are equal (checked exactly, not by a
    threshold on the rounded standard deviation); its std and inverse are 0, so
    it z-normalises to zeros.
    """
    windows = t.shape[0] - m + 1
    mean = np.empty(windows)
    std = np.empty(windows)
    inv = np.empty(windows)
    _search.window_stats(t, m, mean, std, inv, 0.0)
    changes = np.concatenate(([0], np.cumsum(t[1:] != t[:-1])))
    constant = changes[m - 1 :] - changes[:windows] == 0
    std[constant] = 0.0
    inv[constant] = 0.0
    return mean, std, inv, constant
