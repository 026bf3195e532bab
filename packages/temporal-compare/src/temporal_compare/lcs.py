"""Longest common subsequence of token sequences.

Tokens are any hashables: a ``str`` compares characters, a list or 1-D array
compares its items with ``==``. The length is computed bit-parallel (64 positions
per machine word), so long sequences cost about ``n * m / 64`` word operations.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from . import _edit
from ._tokens import encode_pair
from ._validation import check_cells

__all__ = ["lcs", "lcs_length", "lcs_similarity"]


def lcs_length(a: Sequence[Any], b: Sequence[Any]) -> int:
    """Length of a longest common subsequence of ``a`` and ``b``.

    Examples
    --------
    >>> lcs_length("AGGTAB", "GXTXAYB")
    4
    >>> lcs_length([1, 2, 3], [])
    0
    """
    x, y = encode_pair(a, b)
    return _edit.lcs_length(x, y)


def lcs_similarity(a: Sequence[Any], b: Sequence[Any]) -> float:
    """LCS length divided by the longer length, in ``[0, 1]`` (``1.0`` for two empties).

    This is rapidfuzz's ``LCSseq.normalized_similarity``.

    Examples
    --------
    >>> lcs_similarity("abcd", "abxd")
    0.75
    """
    x, y = encode_pair(a, b)
    longest = max(x.shape[0], y.shape[0])
    if longest == 0:
        return 1.0
    return _edit.lcs_length(x, y) / longest


def lcs(a: Sequence[Any], b: Sequence[Any]) -> Any:
    """One longest common subsequence itself.

    Uses an ``(n + 1) x (m + 1)`` table of 32-bit lengths; inputs whose table
    would exceed the package's cell limit raise before allocating.

    Returns
    -------
    str or list
        A ``str`` when ``a`` is a ``str``, otherwise a list of tokens of ``a``.

    Examples
    --------
    >>> lcs("AGGTAB", "GXTXAYB")
    'GTAB'
    >>> lcs([1, 2, 3, 4], [2, 4, 5])
    [2, 4]
    """
    x, y = encode_pair(a, b)
    n, m = x.shape[0], y.shape[0]
    check_cells((n + 1) * (m + 1) * 4, "lcs (bytes of its table)")
    table = np.empty((n + 1) * (m + 1), dtype=np.int32)
    _edit.lcs_table(x, y, table)
    t = table.reshape(n + 1, m + 1)
    picked = []
    i, j = n, m
    while i > 0 and j > 0:
        if x[i - 1] == y[j - 1]:
            picked.append(i - 1)
            i -= 1
            j -= 1
        elif t[i - 1, j] >= t[i, j - 1]:
            i -= 1
        else:
            j -= 1
    picked.reverse()
    if isinstance(a, str):
        return "".join(a[k] for k in picked)
    items = a.tolist() if isinstance(a, np.ndarray) else list(a)
    return [items[k] for k in picked]
