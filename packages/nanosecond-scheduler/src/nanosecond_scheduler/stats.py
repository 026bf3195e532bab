"""Scheduler statistics: counters and latency summaries."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from ._histogram import LatencyHistogram

__all__ = ["LatencySummary", "SchedulerStats"]


@dataclass(frozen=True)
class LatencySummary:
    """Percentiles of a nanosecond histogram (HDR-style: within 1/64 above the true value).

    Examples
    --------
    >>> from nanosecond_scheduler._histogram import LatencyHistogram
    >>> h = LatencyHistogram()
    >>> for v in (10, 20, 30, 40):
    ...     h.record(v)
    >>> LatencySummary.of(h)
    LatencySummary(count=4, min_ns=10, p50_ns=20, p90_ns=40, p99_ns=40, max_ns=40, mean_ns=25.0)
    """

    count: int
    min_ns: int
    p50_ns: int
    p90_ns: int
    p99_ns: int
    max_ns: int
    mean_ns: float

    @classmethod
    def of(cls, histogram: LatencyHistogram) -> LatencySummary:
        return cls(
            count=histogram.count,
            min_ns=histogram.min,
            p50_ns=histogram.percentile(50),
            p90_ns=histogram.percentile(90),
            p99_ns=histogram.percentile(99),
            max_ns=histogram.max,
            mean_ns=histogram.mean,
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class SchedulerStats:
    """A snapshot of a scheduler's counters and latency histograms.

    ``completed`` counts every job that ran (``errors`` of them raised); ``missed``
    counts jobs that finished after their deadline or were dropped by the ``skip`` or
    ``callback`` miss policy (``skipped``). ``taken`` counts tasks removed with
    ``pop_ready``. ``latency`` is release -> start, ``lateness`` is finish - deadline
    for jobs with a deadline (early finishes count as 0), ``jitter`` is
    ``|start_k - start_(k-1) - period|`` for periodic tasks.
    """

    scheduled: int
    completed: int
    missed: int
    skipped: int
    cancelled: int
    taken: int
    errors: int
    queued: int
    running: int
    latency: LatencySummary
    lateness: LatencySummary
    jitter: LatencySummary

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
