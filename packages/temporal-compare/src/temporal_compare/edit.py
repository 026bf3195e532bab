"""Edit distances between token sequences.

Tokens are any hashables (see :mod:`temporal_compare.lcs`). Unit-cost Levenshtein
is bit-parallel (Myers' recurrence in Hyyro's multi-word block form); weighted
Levenshtein is a dynamic programme restricted to the band an optional
``score_cutoff`` allows.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from . import _edit
from ._tokens import dense, encode_pair
from ._validation import as_count, check_cells
from .errors import TemporalCompareError

__all__ = [
    "damerau_levenshtein",
    "editops",
    "hamming",
    "levenshtein",
    "levenshtein_normalized_distance",
    "levenshtein_normalized_similarity",
    "opcodes",
    "osa",
]


def _weights(weights: Any) -> tuple[int, int, int]:
    try:
        ins, dele, sub = weights
    except (TypeError, ValueError):
        raise TemporalCompareError(
            f"weights must be three integers (insert, delete, substitute), got {weights!r}"
        ) from None
    return (
        as_count(ins, "weights[0] (insert)"),
        as_count(dele, "weights[1] (delete)"),
        as_count(sub, "weights[2] (substitute)"),
    )


def levenshtein(
    a: Sequence[Any],
    b: Sequence[Any],
    *,
    weights: tuple[int, int, int] = (1, 1, 1),
    score_cutoff: int | None = None,
    processor: Callable[[Any], Sequence[Any]] | None = None,
) -> int:
    """Levenshtein distance: cheapest insertions, deletions and substitutions from a to b.

    Parameters
    ----------
    a, b : sequence of hashables
    weights : (int, int, int)
        Costs of an insertion, a deletion and a substitution (non-negative
        integers of any size: the result is exact, never wrapped around).
    score_cutoff : int, optional
        When the distance exceeds it, return ``score_cutoff + 1`` instead (the
        rapidfuzz convention); the weighted search then stays in a band.
    processor : callable, optional
        Applied to ``a`` and ``b`` first (rapidfuzz's hook), e.g. ``str.lower``.

    Examples
    --------
    >>> levenshtein("kitten", "sitting")
    3
    >>> levenshtein("kitten", "sitting", weights=(1, 1, 2))
    5
    >>> levenshtein("kitten", "sitting", score_cutoff=2)
    3
    """
    ins, dele, sub = _weights(weights)
    cutoff = None if score_cutoff is None else as_count(score_cutoff, "score_cutoff")
    a, b = apply_processor(processor, a, b)
    x, y = encode_pair(a, b)
    n, m = x.shape[0], y.shape[0]
    if (ins, dele, sub) == (1, 1, 1):
        dist = _edit.levenshtein_unit(x, y)
    else:
        band = max(n, m)
        cheapest = min(ins, dele)
        if cutoff is not None and cheapest > 0:
            # an alignment reaching |i - j| = k pays at least k indels
            band = min(band, cutoff // cheapest)
            if abs(n - m) > band:
                return cutoff + 1
        dist = _weighted(x, y, ins, dele, sub, band)
    if cutoff is not None and dist > cutoff:
        return cutoff + 1
    return dist


def apply_processor(processor: Any, *items: Any) -> tuple[Any, ...]:
    """Each item through ``processor`` (None: unchanged), or raise naming it."""
    if processor is None:
        return items
    if not callable(processor):
        raise TemporalCompareError(f"processor must be callable, got {processor!r}")
    return tuple(processor(item) for item in items)


def _maximum(n: int, m: int, ins: int, dele: int, sub: int) -> int:
    """Largest weighted Levenshtein distance between lengths n and m (rapidfuzz's)."""
    worst = n * dele + m * ins
    if n >= m:
        return min(worst, m * sub + (n - m) * dele)
    return min(worst, n * sub + (m - n) * ins)


def levenshtein_normalized_distance(
    a: Sequence[Any],
    b: Sequence[Any],
    *,
    weights: tuple[int, int, int] = (1, 1, 1),
    score_cutoff: float | None = None,
    processor: Callable[[Any], Sequence[Any]] | None = None,
) -> float:
    """Levenshtein distance divided by the largest possible one for these lengths.

    In ``[0, 1]``; ``0.0`` for two empty sequences. Above ``score_cutoff`` the
    result is ``1.0`` (rapidfuzz's ``Levenshtein.normalized_distance``).

    Examples
    --------
    >>> levenshtein_normalized_distance("kitten", "sitting")
    0.42857142857142855
    """
    ins, dele, sub = _weights(weights)
    cutoff = _unit_cutoff(score_cutoff)
    a, b = apply_processor(processor, a, b)
    x, y = encode_pair(a, b)
    worst = _maximum(x.shape[0], y.shape[0], ins, dele, sub)
    if worst == 0:
        return 0.0
    value = levenshtein(a, b, weights=(ins, dele, sub)) / worst
    return 1.0 if cutoff is not None and value > cutoff else value


def levenshtein_normalized_similarity(
    a: Sequence[Any],
    b: Sequence[Any],
    *,
    weights: tuple[int, int, int] = (1, 1, 1),
    score_cutoff: float | None = None,
    processor: Callable[[Any], Sequence[Any]] | None = None,
) -> float:
    """``1 - levenshtein_normalized_distance``; ``0.0`` below ``score_cutoff``.

    Examples
    --------
    >>> round(levenshtein_normalized_similarity("kitten", "sitting"), 6)
    0.571429
    """
    cutoff = _unit_cutoff(score_cutoff)
    value = 1.0 - levenshtein_normalized_distance(a, b, weights=weights, processor=processor)
    return 0.0 if cutoff is not None and value < cutoff else value


def _unit_cutoff(score_cutoff: Any) -> float | None:
    if score_cutoff is None:
        return None
    try:
        value = float(score_cutoff)
    except (TypeError, ValueError):
        raise TemporalCompareError(f"score_cutoff must be a number, got {score_cutoff!r}") from None
    if not 0.0 <= value <= 1.0:
        raise TemporalCompareError(f"score_cutoff must be in [0, 1], got {score_cutoff!r}")
    return value


#: The kernel's "unreachable" value; every reachable cost and weight stays below it.
_KERNEL_INF = 2**62


def _weighted(
    x: NDArray[np.int64], y: NDArray[np.int64], ins: int, dele: int, sub: int, band: int
) -> int:
    """Weighted Levenshtein inside ``|i - j| <= band``, exact for weights of any size.

    A substitution never costs more than a deletion plus an insertion, and a
    common factor of the weights factors out of the distance. Every reachable
    cell costs at most ``i * dele + j * ins`` (delete and insert along the band),
    so when that bound stays below the kernel's infinity the int64 kernel cannot
    overflow; otherwise the same recurrence runs on Python integers.
    """
    sub = min(sub, ins + dele)
    scale = math.gcd(ins, dele, sub)
    if scale > 1:
        ins, dele, sub = ins // scale, dele // scale, sub // scale
    n, m = x.shape[0], y.shape[0]
    if n * dele + m * ins + max(ins, dele, sub) < _KERNEL_INF:
        return scale * _edit.levenshtein_weighted(x, y, ins, dele, sub, band)
    check_cells(n * min(2 * band + 1, m + 1), "levenshtein with these weights")
    xs, ys = x.tolist(), y.tolist()
    inf = None  # outside the band
    prev: list[int | None] = [j * ins if j <= band else inf for j in range(m + 1)]
    for i in range(1, n + 1):
        cur: list[int | None] = [inf] * (m + 1)
        if i <= band:
            cur[0] = i * dele
        for j in range(max(1, i - band), min(m, i + band) + 1):
            options = []
            diagonal, up, left = prev[j - 1], prev[j], cur[j - 1]
            if diagonal is not None:
                options.append(diagonal + (0 if xs[i - 1] == ys[j - 1] else sub))
            if up is not None:
                options.append(up + dele)
            if left is not None:
                options.append(left + ins)
            cur[j] = min(options)
        prev = cur
    result = prev[m]
    assert result is not None  # the caller checked |n - m| <= band
    return scale * result


def osa(a: Sequence[Any], b: Sequence[Any]) -> int:
    """Optimal string alignment distance: Levenshtein plus adjacent transpositions,
    where no substring is edited more than once.

    Examples
    --------
    >>> osa("CA", "ABC")
    3
    >>> osa("abcd", "acbd")
    1
    """
    x, y = encode_pair(a, b)
    return _edit.osa(x, y)


def damerau_levenshtein(a: Sequence[Any], b: Sequence[Any]) -> int:
    """Unrestricted Damerau-Levenshtein distance (transpositions of any adjacent pair,
    even across earlier edits).

    Uses an ``(n + 2) x (m + 2)`` table; oversized inputs raise before allocating.

    Examples
    --------
    >>> damerau_levenshtein("CA", "ABC")
    2
    """
    x, y = encode_pair(a, b)
    check_cells((x.shape[0] + 2) * (y.shape[0] + 2) * 8, "damerau_levenshtein (bytes)")
    (dx, dy), k = dense(x, y)
    return _edit.damerau_levenshtein(dx, dy, k)


def hamming(a: Sequence[Any], b: Sequence[Any]) -> int:
    """Number of positions where two equal-length sequences differ.

    Examples
    --------
    >>> hamming("karolin", "kathrin")
    3
    """
    x, y = encode_pair(a, b)
    if x.shape[0] != y.shape[0]:
        raise TemporalCompareError(
            f"a and b must have the same length for hamming, got {x.shape[0]} and {y.shape[0]}"
        )
    return int(np.count_nonzero(x != y))


def editops(a: Sequence[Any], b: Sequence[Any]) -> list[tuple[str, int, int]]:
    """A shortest list of unit-cost edits turning ``a`` into ``b``.

    Each edit is ``(op, i, j)`` with ``op`` in ``"replace"``, ``"insert"``,
    ``"delete"``; ``i`` indexes ``a`` and ``j`` indexes ``b`` (the
    python-Levenshtein / rapidfuzz format). Uses an ``(n + 1) x (m + 1)`` table.

    Examples
    --------
    >>> editops("kitten", "sitting")
    [('replace', 0, 0), ('replace', 4, 4), ('insert', 6, 6)]
    """
    x, y = encode_pair(a, b)
    n, m = x.shape[0], y.shape[0]
    check_cells((n + 1) * (m + 1) * 4, "editops (bytes of its table)")
    table = np.empty((n + 1) * (m + 1), dtype=np.int32)
    _edit.edit_table(x, y, table)
    t = table.reshape(n + 1, m + 1).tolist()
    xs, ys = x.tolist(), y.tolist()
    ops: list[tuple[str, int, int]] = []
    i, j = n, m
    while i > 0 or j > 0:
        here = t[i][j]
        if i > 0 and j > 0 and xs[i - 1] == ys[j - 1] and t[i - 1][j - 1] == here:
            i, j = i - 1, j - 1
        elif i > 0 and j > 0 and t[i - 1][j - 1] + 1 == here:
            i, j = i - 1, j - 1
            ops.append(("replace", i, j))
        elif i > 0 and t[i - 1][j] + 1 == here:
            i -= 1
            ops.append(("delete", i, j))
        else:
            j -= 1
            ops.append(("insert", i, j))
    ops.reverse()
    return ops


def opcodes(a: Sequence[Any], b: Sequence[Any]) -> list[tuple[str, int, int, int, int]]:
    """:func:`editops` as difflib-style blocks ``(tag, i1, i2, j1, j2)``.

    ``tag`` is ``"equal"``, ``"replace"``, ``"delete"`` or ``"insert"``;
    ``a[i1:i2]`` becomes ``b[j1:j2]``. The blocks cover both sequences in
    order (rapidfuzz's ``Levenshtein.opcodes`` / ``Editops.as_opcodes``).

    Examples
    --------
    >>> opcodes("kitten", "sitting")[:2]
    [('replace', 0, 1, 0, 1), ('equal', 1, 4, 1, 4)]
    """
    ops = editops(a, b)
    n, m = len(a), len(b)
    blocks: list[tuple[str, int, int, int, int]] = []
    i = j = 0
    k = 0
    while k < len(ops):
        op, si, dj = ops[k]
        if si > i or dj > j:
            blocks.append(("equal", i, si, j, dj))
            i, j = si, dj
        # a run of one kind of edit at consecutive positions is one block
        start_i, start_j = i, j
        while k < len(ops) and ops[k][0] == op and ops[k][1] == i and ops[k][2] == j:
            if op != "insert":
                i += 1
            if op != "delete":
                j += 1
            k += 1
        blocks.append((op, start_i, i, start_j, j))
    if i < n or j < m:
        blocks.append(("equal", i, n, j, m))
    return blocks
