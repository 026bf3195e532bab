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

    def _time_of(self, index: int) -> int | None:
        offset = index - (self._seen - len(self._times))
        return self._times[offset] if 0 <= offset < len(self._times) else None

    def _report(self, matches: list[tc.StreamMatch]) -> list[Record]:
        out = []
        for m in matches:
            t_end = self._time_of(m.end)
            out.append(
                alert(
                    self.stream,
                    t_end if t_end is not None else self._times[-1],
                    f"pattern:{self.cfg.name}",
                    self.cfg.severity,
                    f"pattern {self.cfg.name!r} at samples {m.start}-{m.end} "
                    f"(DTW distance {m.distance:.3g})",
                    pattern=self.cfg.name,
                    start=m.start,
                    end=m.end,
                    distance=m.distance,
                    t_start=self._time_of(m.start),
                    t_end=t_end,
                )
            )
        return out

    async def feed(self, events: Sequence[Event]) -> list[Record]:
        values, times = numeric_signal(events, self.cfg.field)
        if not times:
            return []
        self._times.extend(times)
        self._seen += len(times)
        return self._report(self.matcher.extend(values))

    async def close(self) -> list[Record]:
        return self._report(self.matcher.flush()) if self._times else []
