"""How an archive of long series is cut into search tasks (policy only, no I/O).

Used by :mod:`temporal_compare.dask`; kept apart so it is tested without a cluster.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

#: ``window_stats`` restarts its rolling sums every 256 windows; chunks that start
#: on such a boundary see bit-identical window means and standard deviations.
STATS_BLOCK = 256
#: Smallest chunk the tail is cut into: below this, per-task costs (a scatter, a
#: submit, two bound look-ups: a few ms) stop being small next to the search.
TAIL_MIN_WINDOWS = 2**17


@dataclass(frozen=True)
class ChunkSpan:
    """Windows ``start .. start + windows - 1`` of series ``series``: samples
    ``start .. start + windows + m - 2``, so consecutive spans overlap by ``m - 1``."""

    series: int
    start: int
    windows: int


class ChunkPlan:
    """Hands out the chunks of an archive one at a time, largest first.

    Every window of every series lands in exactly one chunk, in order, each
    chunk at most ``chunk`` windows and starting on a multiple of
    :data:`STATS_BLOCK`. With ``spread`` set (the worker threads of a cluster
    with more than one), a chunk is also at most the windows still to hand out
    divided by ``spread`` (but not below
    :data:`TAIL_MIN_WINDOWS`): the last tasks shrink, as in guided
    self-scheduling, so the workers run out of work at nearly the same time
    instead of one finishing a full-size chunk alone. A chunk takes the rest of
    its series when less than :data:`TAIL_MIN_WINDOWS` would be left over.

    Parameters
    ----------
    lengths : sequence of int
        Samples in each series (each at least ``m``).
    m : int
        Query length.
    chunk : int
        Largest chunk in windows, a positive multiple of :data:`STATS_BLOCK`.
    spread : int, optional
        Divide the remaining windows by this; ``None`` keeps every chunk at
        ``chunk`` windows (a single thread has no tail to balance).
    """

    def __init__(self, lengths: Sequence[int], m: int, chunk: int, spread: int | None) -> None:
        self._windows = [n - m + 1 for n in lengths]
        self._chunk = chunk
        self._spread = spread
        self._series = 0
        self._start = 0
        self.remaining = sum(self._windows)

    def next(self) -> ChunkSpan | None:
        """The next chunk, or ``None`` when every window has been handed out."""
        while self._series < len(self._windows) and self._start >= self._windows[self._series]:
            self._series += 1
            self._start = 0
        if self._series >= len(self._windows):
            return None
        size = self._chunk
        if self._spread is not None:
            share = self.remaining // self._spread
            size = min(size, max(TAIL_MIN_WINDOWS, share - share % STATS_BLOCK))
        left = self._windows[self._series] - self._start
        if left - size < TAIL_MIN_WINDOWS and left <= self._chunk:
            size = left  # no sliver of a task left behind at the end of a series
        size = min(size, left)
        span = ChunkSpan(self._series, self._start, size)
        self._start += size
        self.remaining -= size
        return span
