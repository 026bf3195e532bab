"""STL robustness of numeric fields, online: temporal-neural-solver ``RobustnessMonitor``."""

from __future__ import annotations

from collections.abc import Sequence

import temporal_neural_solver as tns

from ..config import RobustnessConfig
from ..events import Event
from ..records import Record, alert, record
from .base import signals_of

__all__ = ["RobustnessDetector"]


class RobustnessDetector:
    """Robustness of a past-time STL formula at each sample.

    A ``robustness`` record at the first sample, every ``every`` samples, whenever
    the sign changes and at the end of the stream; an alert when it turns negative
    (the property is violated now).
    """

    def __init__(self, cfg: RobustnessConfig, stream: str) -> None:
        self.cfg = cfg
        self.stream = stream
        self.monitor = tns.RobustnessMonitor(cfg.formula)
        self.value: float | None = None
        self.position = -1
        self.skipped = 0
        self._since = 0
        self._last_t = 0

    async def feed(self, events: Sequence[Event]) -> list[Record]:
        out: list[Record] = []
        cfg = self.cfg
        update = self.monitor.update
        for e in events:
            if e.value is None and not e.fields:
                continue
            try:
                r = update(signals_of(e))
            except tns.TemporalLogicError:
                self.skipped += 1
                continue
            self.position += 1
            self._since += 1
            self._last_t = e.t
            flipped = self.value is not None and (r < 0) != (self.value < 0)
            first = self.value is None
            self.value = r
            if flipped or first or self._since >= cfg.every:
                self._since = 0
                out.append(
                    record(
                        "robustness",
                        self.stream,
                        e.t,
                        detector="robustness",
                        formula=cfg.formula,
                        value=r,
                        position=self.position,
                    )
                )
                if r < 0 and (flipped or first):
                    out.append(
                        alert(
                            self.stream,
                            e.t,
                            "robustness",
                            cfg.severity,
                            f"STL {cfg.formula} violated (robustness {r:.3g})",
                            formula=cfg.formula,
                            robustness=r,
                            position=self.position,
                        )
                    )
        return out

    async def close(self) -> list[Record]:
        if self.value is None or self._since == 0:
            return []  # nothing read, or the last sample was just reported
        return [
            record(
                "robustness",
                self.stream,
                self._last_t,
                detector="robustness",
                formula=self.cfg.formula,
                value=self.value,
                position=self.position,
            )
        ]
