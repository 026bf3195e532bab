"""Dynamics of a numeric field on a sliding window: temporal-attractor-studio ``classify``.

Each window is classified in two halves, off the event loop (an executor). The
classes: ``stable`` (fixed point), ``periodic`` (limit cycle), ``quasi_periodic``,
``chaotic``, ``noise`` (stochastic), ``non_stationary`` (a half is a trend or random
walk, or the halves disagree: the regime changed inside the window) and ``unknown``
(the library could not decide, or the window is too short; the reason says which).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections import deque
from collections.abc import Sequence
from typing import Any

import numpy as np

import temporal_attractor_studio as tas

from ..config import DynamicsConfig
from ..events import Event
from ..records import Record, alert, record
from .base import numeric_signal

__all__ = ["DynamicsDetector", "classify_window"]

_CLASSES = {
    tas.AttractorType.FIXED_POINT: "stable",
    tas.AttractorType.LIMIT_CYCLE: "periodic",
    tas.AttractorType.QUASI_PERIODIC: "quasi_periodic",
    tas.AttractorType.CHAOTIC: "chaotic",
    tas.AttractorType.STOCHASTIC: "noise",
    tas.AttractorType.NON_STATIONARY: "non_stationary",
    tas.AttractorType.UNKNOWN: "unknown",
}


def _one(x: np.ndarray, dt: float) -> tuple[str, float | None, str]:
    if float(np.ptp(x)) == 0.0:
        return "stable", None, "constant"
    try:
        info = tas.classify(x, dt=dt)
    except tas.AttractorError as exc:
        return "unknown", None, str(exc)
    cls = _CLASSES[info.attractor_type]
    lyap = info.lyapunov_exponents[0] if cls == "chaotic" and info.lyapunov_exponents else None
    detail = f"{cls} (confidence {info.confidence:.2f})"
    if info.period is not None:
        detail += f", period {info.period:.3g}"
    return cls, lyap, detail


def classify_window(x: np.ndarray, dt: float) -> dict[str, Any]:
    """Classify both halves of ``x``; agreeing halves give the class, disagreeing ones
    ``non_stationary``, an undecided half ``unknown``."""
    half = x.shape[0] // 2
    a, la, da = _one(x[:half], dt)
    b, lb, db = _one(x[half:], dt)
    reason = f"first half {da}; second half {db}"
    if a == b:
        lyap = None if la is None or lb is None else (la + lb) / 2
        return {"class": a, "lyapunov": lyap, "reason": reason}
    if "unknown" in (a, b):
        return {"class": "unknown", "lyapunov": None, "reason": reason}
    return {"class": "non_stationary", "lyapunov": None, "reason": reason, "from": a, "to": b}


class DynamicsDetector:
    """Classifies the last ``window`` samples every ``every`` samples.

    Results are reported in window order; at most two windows per stream are in
    flight, after that ``feed`` waits (backpressure instead of dropping).
    """

    def __init__(
        self, cfg: DynamicsConfig, stream: str, executor: concurrent.futures.Executor | None
    ) -> None:
        self.cfg = cfg
        self.stream = stream
        self.executor = executor
        self._values: deque[float] = deque(maxlen=cfg.window)
        self._times: deque[int] = deque(maxlen=cfg.window)
        self._since = 0
        self._pending: deque[tuple[asyncio.Future[dict[str, Any]], int, int]] = deque()
        self.current: str | None = None

    def _submit(self) -> None:
        x = np.fromiter(self._values, dtype=np.float64, count=len(self._values))
        times = np.fromiter(self._times, dtype=np.int64, count=len(self._times))
        steps = np.diff(times)
        dt = float(np.median(steps)) / 1e9 if steps.size and np.median(steps) > 0 else 1.0
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self.executor, classify_window, x, dt)
        self._pending.append((future, int(times[0]), int(times[-1])))

    def _emit(self, result: dict[str, Any], first: int, last: int) -> list[Record]:
        cls = result["class"]
        out = [
            record(
                "dynamics",
                self.stream,
                last,
                detector="dynamics",
                field=self.cfg.field,
                window=[first, last],
                **{k: v for k, v in result.items()},
            )
        ]
        previous = self.current
        if cls not in ("unknown", "non_stationary"):
            if previous is not None and previous != cls:
                out.append(
                    alert(
                        self.stream,
                        last,
                        "dynamics",
                        self.cfg.severity,
                        f"dynamics changed: {previous} -> {cls}",
                        previous=previous,
                        current=cls,
                    )
                )
            self.current = cls
        return out

    async def feed(self, events: Sequence[Event]) -> list[Record]:
        values, times = numeric_signal(events, self.cfg.field)
        out: list[Record] = []
        for v, t in zip(values.tolist(), times, strict=True):
            self._values.append(v)
            self._times.append(t)
            self._since += 1
            if len(self._values) == self.cfg.window and self._since >= self.cfg.every:
                self._since = 0
                self._submit()
        while self._pending and (self._pending[0][0].done() or len(self._pending) > 2):
            future, first, last = self._pending.popleft()
            out.extend(self._emit(await future, first, last))
        return out

    async def close(self) -> list[Record]:
        out: list[Record] = []
        while self._pending:
            future, first, last = self._pending.popleft()
            out.extend(self._emit(await future, first, last))
        return out
