"""Recurring exact patterns in a token sequence, via a suffix array and its LCP array.

Every repeated substring of length ``L`` is a run of neighbouring suffixes in the
suffix array whose longest common prefixes are all at least ``L``, so one pass
over the LCP array per length finds them all with their positions, without
enumerating substrings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from . import _suffix
from ._records import record_dict
from ._tokens import dense, encode_many
from ._validation import as_count
from .errors import TemporalCompareError

__all__ = ["Pattern", "find_patterns", "suffix_array"]


@dataclass(frozen=True)
class Pattern:
    """A substring occurring ``count`` times, starting at ``positions`` (sorted).

    ``confidence`` is the original Midstream score, frequency weighted by length:
    ``min(1, count / (n - length + 1) * length / max_length)``.
    """

    tokens: tuple[Any, ...]
    count: int
    positions: tuple[int, ...]
    confidence: float

    @property
    def length(self) -> int:
        return len(self.tokens)

    def to_dict(self) -> dict[str, Any]:
        return record_dict(self)


def suffix_array(codes: NDArray[np.int64]) -> NDArray[np.int64]:
    """Start positions of all suffixes in lexicographic order (prefix doubling)."""
    n = codes.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    rank = codes.astype(np.int64)
    positions = np.arange(n)
    step = 1
    while True:
        ahead = positions + step
        second = np.where(ahead < n, rank[np.minimum(ahead, n - 1)] + 1, 0)
        sa = np.lexsort((second, rank))
        first_sorted, second_sorted = rank[sa], second[sa]
        new = np.empty(n, dtype=np.int64)
        boundaries = (first_sorted[1:] != first_sorted[:-1]) | (
            second_sorted[1:] != second_sorted[:-1]
        )
        new[sa] = np.concatenate(([0], np.cumsum(boundaries)))
        rank = new
        if rank[sa[-1]] == n - 1 or step >= n:
            return np.ascontiguousarray(sa, dtype=np.int64)
        step *= 2


def find_patterns(
    sequence: Sequence[Any], min_length: int, max_length: int, *, min_count: int = 2
) -> list[Pattern]:
    """Substrings of length ``min_length..max_length`` that occur at least ``min_count`` times.

    Occurrences may overlap (``"aaaa"`` holds ``"aa"`` three times). Results are
    sorted by count, then confidence, then length (all descending), then
    position.

    Examples
    --------
    >>> [(''.join(p.tokens), p.count, p.positions) for p in find_patterns("abcabcab", 3, 3)]
    [('abc', 2, (0, 3)), ('bca', 2, (1, 4)), ('cab', 2, (2, 5))]
    >>> find_patterns(["go", "stop", "go", "stop"], 2, 2)[0].tokens
    ('go', 'stop')
    """
    low = as_count(min_length, "min_length", minimum=1)
    high = as_count(max_length, "max_length", minimum=1)
    if high < low:
        raise TemporalCompareError(f"max_length ({high}) must be >= min_length ({low})")
    times = as_count(min_count, "min_count", minimum=2)
    (raw,) = encode_many([sequence], ["sequence"])
    (codes,), _ = dense(raw)
    n = codes.shape[0]
    items = list(sequence)
    sa = suffix_array(codes)
    rank = np.empty(n, dtype=np.int64)
    rank[sa] = np.arange(n)
    lcp = np.zeros(n, dtype=np.int64)
    _suffix.lcp_kasai(codes, sa, rank, lcp)
    found: list[Pattern] = []
    for length in range(low, min(high, n) + 1):
        inside = np.concatenate(([False], lcp[1:] >= length, [False]))
        edges = np.flatnonzero(inside[1:] != inside[:-1])
        for rise, fall in zip(edges[::2], edges[1::2], strict=True):
            # lcp[rise + 1 .. fall] >= length: suffixes sa[rise .. fall] share the prefix
            group = sa[rise : fall + 1]
            if group.shape[0] < times:
                continue
            positions = tuple(sorted(int(p) for p in group))
            first = positions[0]
            confidence = min(1.0, group.shape[0] / (n - length + 1) * length / high)
            found.append(
                Pattern(
                    tokens=tuple(items[first : first + length]),
                    count=int(group.shape[0]),
                    positions=positions,
                    confidence=confidence,
                )
            )
    found.sort(key=lambda p: (-p.count, -p.confidence, -p.length, p.positions[0]))
    return found
