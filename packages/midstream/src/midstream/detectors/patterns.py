"""Numeric shapes in a stream: temporal-compare's StreamMatcher (SPRING subsequence DTW)."""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

import numpy as np

import strange_loop as sl
import temporal_compare as tc

from ..config import AdaptationConfig, PatternConfig
from ..events import Event
from ..records import Record, alert, record
from .base import numeric_signal

__all__ = ["PatternDetector", "make_tuner", "pattern_shape"]

# a match starting further back than this many samples gets t_start null (memory bound)
_MAX_HISTORY = 1_000_000


def pattern_shape(cfg: PatternConfig) -> np.ndarray:
    """The configured shape: ``values``, or a sine burst of ``sine_cycles`` cycles."""
    if cfg.values:
        return np.asarray(cfg.values, dtype=np.float64)
    phase = np.linspace(0.0, 2.0 * np.pi * cfg.sine_cycles, cfg.sine_length)
    return cfg.sine_amplitude * np.sin(phase)


def make_tuner(cfg: AdaptationConfig) -> sl.ThresholdTuner:
    """The strange-loop bandit an adaptation table describes (shared by its streams)."""
    return sl.ThresholdTuner(
        cfg.candidates,
        policy=cfg.policy,
        decide_every=cfg.decide_every,
        constraints=list(cfg.constraints) or None,
        fp_cost=cfg.fp_cost,
        fn_cost=cfg.fn_cost,
        seed=cfg.seed,
    )


class PatternDetector:
    """Alerts on each stretch of ``field`` within ``threshold`` DTW distance of the shape.

    With ``adapt`` (an adaptation table and its shared tuner), the threshold is the
    tuner's: each label event on the stream reports whether this detector alerted
    since the previous label (a pending match is flushed at the label) and whether an
    anomaly really happened; when the tuner
    moves the threshold, the matcher restarts with it and an ``adaptation`` record
    says so.
    """

    def __init__(
        self,
        cfg: PatternConfig,
        stream: str,
        adapt: tuple[AdaptationConfig, sl.ThresholdTuner] | None = None,
    ) -> None:
        shape = pattern_shape(cfg)
        self.cfg = cfg
        self.stream = stream
        self.adapt = adapt
        threshold = adapt[1].threshold if adapt is not None else cfg.threshold
        self.matcher = tc.StreamMatcher(shape, threshold=threshold, window=cfg.window)
        self._alerted = False  # since the last label
        self._offset = 0  # samples seen before the current matcher started
        # timestamps of the samples a match can still start at (from the matcher's
        # earliest_start on), to date a match's start and end; _first is the index
        # of the oldest one kept
        self._times: deque[int] = deque()
        self._first = 0
        self._seen = 0

    def _report(self, matches: list[tc.StreamMatch]) -> list[Record]:
        """Alerts for ``matches``, dated from the kept timestamps."""
        times = self._times
        first = self._first

        def time_of(index: int) -> int | None:
            return times[index - first] if 0 <= index - first < len(times) else None

        out = []
        for found in matches:
            # a restarted matcher (new threshold) counts samples from its start
            m = tc.StreamMatch(found.start + self._offset, found.end + self._offset, found.distance)
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

    def _forget(self) -> None:
        """Drop timestamps no later match can start at (bounded history)."""
        keep_from = max(self._offset + self.matcher.earliest_start, self._seen - _MAX_HISTORY)
        while self._first < keep_from and self._times:
            self._times.popleft()
            self._first += 1

    def _values(self, events: Sequence[Event]) -> list[Record]:
        values, times = numeric_signal(events, self.cfg.field)
        if not times:
            return []
        matches = self.matcher.extend(values)
        self._seen += len(times)
        self._times.extend(times)
        if matches:
            self._alerted = True
        out = self._report(matches)
        self._forget()
        return out

    def _label(self, event: Event) -> list[Record]:
        assert self.adapt is not None
        cfg, tuner = self.adapt
        # a label closes a span: a pending candidate is reported now, as at a stream's end
        pending = self.matcher.flush()
        out = self._report(pending) if pending else []
        self._forget()
        actual = bool((event.fields or {}).get(cfg.label_field))
        tuner.feedback_label(predicted=self._alerted or bool(pending), actual=actual)
        self._alerted = False
        return out + self._follow(event.t)

    def _follow(self, t: int) -> list[Record]:
        """Restart the matcher when the shared tuner changed the threshold."""
        assert self.adapt is not None
        tuner = self.adapt[1]
        previous = self.matcher.threshold
        if tuner.threshold == previous:
            return []
        self.matcher = tc.StreamMatcher(
            self.matcher.pattern, threshold=tuner.threshold, window=self.cfg.window
        )
        self._offset = self._seen
        refused = sum(1 for a in tuner.audit if a.verdict != "applied")
        return [
            record(
                "adaptation",
                self.stream,
                t,
                detector=f"pattern:{self.cfg.name}",
                parameter="threshold",
                previous=previous,
                value=tuner.threshold,
                decisions=tuner.decisions,
                refused=refused,
            )
        ]

    async def feed(self, events: Sequence[Event]) -> list[Record]:
        if self.adapt is None:
            return self._values(events)
        label = self.adapt[0].label_event
        out: list[Record] = []
        start = 0
        if events:
            out.extend(self._follow(events[0].t))
        for i, e in enumerate(events):
            if e.event == label:
                out.extend(self._values(events[start:i]))
                out.extend(self._label(e))
                start = i + 1
        out.extend(self._values(events[start:]))
        return out

    async def close(self) -> list[Record]:
        return self._report(self.matcher.flush()) if self._times else []
