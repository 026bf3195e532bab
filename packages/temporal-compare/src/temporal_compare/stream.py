"""Match a pattern against a live stream, sample by sample (SPRING).

:class:`StreamMatcher` keeps one column of the subsequence-DTW matrix: each new
sample costs ``O(len(pattern))`` time and no history is stored. It reports every
subsequence of the stream whose DTW distance to the pattern is within the
threshold and that is the best among the candidates overlapping it, once, as soon
as no later sample can improve it (Sakurai, Faloutsos and Yamamuro, "Stream
monitoring under the time warping distance", ICDE 2007).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from . import _stream
from ._records import record_dict
from ._validation import as_positive_float, as_series, as_window, check_cells
from .errors import TemporalCompareError

__all__ = ["StreamMatch", "StreamMatcher"]


@dataclass(frozen=True)
class StreamMatch:
    """A matched stretch of the stream: samples ``start`` to ``end`` inclusive
    (counted from the first sample fed), at DTW ``distance`` from the pattern."""

    start: int
    end: int
    distance: float

    def to_dict(self) -> dict[str, Any]:
        return record_dict(self)


def _make(start: int, end: int, squared: float) -> StreamMatch:
    return StreamMatch(start=start, end=end, distance=math.sqrt(squared))


class StreamMatcher(_stream.SpringCore):
    """Report subsequences of a stream within ``threshold`` DTW distance of ``pattern``.

    Parameters
    ----------
    pattern : array_like
        1-D finite, non-empty series to look for.
    threshold : float
        Largest DTW distance (the ``sqeuclidean`` convention of
        :func:`temporal_compare.dtw`: square root of summed squared
        differences) a match may have.
    window : int, optional
        Sakoe-Chiba radius between the pattern and the matched stretch:
        pattern position ``i`` may align with stretch position ``j`` only when
        ``|i - j| <= window`` (so matches are ``len(pattern) ± window`` long).
        Each start inside the band keeps its own cost, ``O(len(pattern) *
        (2 * window + 1))`` per sample; ``None`` is plain SPRING.

    Notes
    -----
    ``update(value)`` feeds one sample and returns the list of matches it
    confirms (at most one); ``extend(values)`` feeds many; ``flush()`` reports a
    pending candidate at the end of a stream; ``reset()`` starts over;
    ``earliest_start`` is the smallest start a match reported from now on can
    have, so a caller keeping per-sample data (timestamps) for the matches may
    drop everything before it. A reported
    distance is the cost of a warping path between the pattern and
    ``stream[start:end + 1]``: the optimal one for the first match; after a
    report, cells whose paths overlap it are discarded (SPRING's rule that
    keeps matches disjoint), so a later match can cost slightly more than the
    unconstrained DTW of its stretch.

    Examples
    --------
    >>> matcher = StreamMatcher([1.0, 2.0, 1.0], threshold=0.5)
    >>> found = [m for v in [0, 0, 1, 2, 2, 1, 0, 0] for m in matcher.update(v)]
    >>> found
    [StreamMatch(start=2, end=5, distance=0.0)]
    """

    def __init__(self, pattern: ArrayLike, *, threshold: float, window: int | None = None) -> None:
        y = as_series(pattern, "pattern")
        if y.shape[0] == 0:
            raise TemporalCompareError("pattern must not be empty")
        eps = as_positive_float(threshold, "threshold")
        w = as_window(window)
        self.pattern = y
        self.threshold = eps
        self.window = w
        if w is not None:
            check_cells((y.shape[0] + 1) * (2 * w + 1) * 16, "StreamMatcher window (bytes)")
        self._setup(y, eps * eps, _make, -1 if w is None else w)

    def extend(self, values: ArrayLike) -> list[StreamMatch]:
        """Feed many samples; return the matches they confirm, in order."""
        return super().extend(np.ascontiguousarray(as_series(values, "values")))

    def __repr__(self) -> str:
        return (
            f"StreamMatcher(pattern_length={self.pattern.shape[0]}, threshold={self.threshold}, "
            f"window={self.window}, samples_seen={self.samples_seen})"
        )
