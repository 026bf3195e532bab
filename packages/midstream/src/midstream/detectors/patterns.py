"""Numeric shapes in a stream: temporal-compare's StreamMatcher (SPRING subsequence DTW)."""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

import numpy as np

import temporal_compare as tc

from ..config import PatternConfig
from ..events import Event
from ..records import Record, alert
from .base import numeric_signal

__all__ = ["PatternDetector", "pattern_shape"]


def pattern_shape(cfg: PatternConfig) -> np.ndarray:
    """The configured shape: ``values``, or a sine burst of ``sine_cycles`` cycles."""
    if cfg.values:
        return np.asarray(cfg.values, dtype=np.float64)
    phase = np.linspace(0.0, 2.0 * np.pi * cfg.sine_cycles, cfg.sine_length)
    return cfg.sine_amplitude * np.sin(phase)


class PatternDetector:
    """Alerts on each stretch of ``field`` within ``threshold`` DTW distance of the shape."""

    def __init__(self, cfg: PatternConfig, stream: str) -> None:
        shape = pattern_shape(cfg)
        self.cfg = cfg
        self.stream = stream
        self.matcher = tc.StreamMatcher(shape, threshold=cfg.threshold, window=cfg.window)
        # timestamps of recent samples, to date a match's start and end
        self._times: deque[int] = deque(maxlen=8 * shape.shape[0] + 2 * (cfg.window or 0) + 64)
        self._seen = 0

    def _report(self, matches: list[tc.StreamMatch], times: list[int]) -> list[Record]:
        """Alerts for ``matches``; ``times`` are the timestamps of the last samples."""
        first = self._seen - len(times)

        def time_of(index: int) -> int | None:
            return times[index - first] if 0 <= index - first < len(times) else None

        out = []
        for m in matches:
            t_end = time_of(m.end)
            out.append(
                alert(
                    self.stream,
                    t_end if t_end is not None else times[-1],
                    f"pattern:{self.cfg.name}",
                    self.cfg.severity,
                    f"pattern {self.cfg.name!r} at samples {m.start}-{m.end} "
                    f"(DTW distance {m.distance:.3g})",
                    pattern=self.cfg.name,
                    start=m.start,
                    end=m.end,
                    distance=m.distance,
                    t_start=time_of(m.start),
                    t_end=t_end,
                )
            )
        return out

    async def feed(self, events: Sequence[Event]) -> list[Record]:
        values, times = numeric_signal(events, self.cfg.field)
        if not times:
            return []
        matches = self.matcher.extend(values)
        self._seen += len(times)
        recent = [*self._times, *times] if matches else []
        self._times.extend(times)
        return self._report(matches, recent)

    async def close(self) -> list[Record]:
        return self._report(self.matcher.flush(), list(self._times)) if self._times else []
