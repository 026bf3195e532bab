"""LTL/MTL properties over a stream's events: temporal-neural-solver ``Monitor``.

Each event is one step (see :func:`.base.signals_of`); timed operators measure
seconds since the stream's first event, and interval bounds may carry units
(``F[0,5s]``, ``G[0,250ms]``: ns, us, ms, s, min). Verdicts (four-valued RV-LTL) are
reported when they change; a final ``FALSE`` also raises an alert.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import temporal_neural_solver as tns

from ..config import MonitorConfig
from ..events import Event
from ..records import Record, alert, record
from .base import signals_of

__all__ = ["MonitorDetector", "compile_formula"]

_UNITS = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0, "min": 60.0}
_BOUND = re.compile(r"(\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)(ns|us|ms|min|s)\b")
_INTERVAL = re.compile(r"\[[^\[\]]*\]")


def _seconds(text: str) -> tuple[str, list[tuple[int, int]]]:
    """Rewrite unit bounds inside ``[...]`` to plain seconds; return (text, shifts).

    ``shifts`` lists (position in the rewritten text, characters removed before it)
    so a syntax error's column can be mapped back to the user's text.
    """
    out: list[str] = []
    shifts: list[tuple[int, int]] = []
    pos = 0
    removed = 0
    for interval in _INTERVAL.finditer(text):
        for m in _BOUND.finditer(text, interval.start(), interval.end()):
            out.append(text[pos : m.start()])
            number = repr(float(m.group(1)) * _UNITS[m.group(2)])
            out.append(number)
            pos = m.end()
            removed += (m.end() - m.start()) - len(number)
            shifts.append((sum(map(len, out)), removed))
    out.append(text[pos:])
    return "".join(out), shifts


def compile_formula(text: str) -> tns.Formula:
    """Parse ``text`` (with unit-suffixed interval bounds) into a formula.

    Raises
    ------
    temporal_neural_solver.FormulaSyntaxError
        Positioned on the user's text (line, column and caret).
    """
    rewritten, shifts = _seconds(text)
    try:
        return tns.parse(rewritten)
    except tns.FormulaSyntaxError as exc:
        if not shifts or exc.line != 1:
            raise
        column = exc.column
        for at, removed in shifts:
            if exc.column - 1 >= at:
                column = exc.column + removed
        message = str(exc).split(" at line ")[0]
        raise tns.FormulaSyntaxError(message, text=text, line=1, column=column) from None


class MonitorDetector:
    """One RV-LTL monitor per stream; reports verdict changes."""

    def __init__(self, cfg: MonitorConfig, stream: str, formula: tns.Formula) -> None:
        self.cfg = cfg
        self.stream = stream
        self.name = cfg.name or "monitor"
        self.monitor = tns.Monitor(formula, unknown="false")
        self.timed = self.monitor.timed
        self.verdict: tns.MonitorVerdict | None = None
        self.position = -1  # index of the last event read
        self.skipped = 0  # events without a signal the formula compares
        self._t0: int | None = None
        self._last_time = -1.0
        self._final = False

    def _changed(self, e: Event, v: tns.MonitorVerdict) -> list[Record]:
        previous = self.verdict
        self.verdict = v
        out = [
            record(
                "verdict",
                self.stream,
                e.t,
                detector=self.name,
                formula=self.cfg.formula,
                verdict=v.name,
                previous=previous.name if previous is not None else None,
                position=self.position,
            )
        ]
        if v is tns.MonitorVerdict.FALSE:
            out.append(
                alert(
                    self.stream,
                    e.t,
                    self.name,
                    self.cfg.severity,
                    f"property violated: {self.cfg.formula} (event {self.position})",
                    formula=self.cfg.formula,
                    position=self.position,
                )
            )
        return out

    async def feed(self, events: Sequence[Event]) -> list[Record]:
        out: list[Record] = []
        if self._final:
            return out  # TRUE and FALSE never change
        step = self.monitor.step
        timed = self.timed
        verdict = self.verdict
        for e in events:
            self.position += 1
            try:
                if timed:
                    if self._t0 is None:
                        self._t0 = e.t
                    # strictly increasing: equal timestamps are read 1 ns apart
                    time = max((e.t - self._t0) / 1e9, self._last_time + 1e-9)
                    self._last_time = time
                    v = step(signals_of(e), time)
                else:
                    v = step(signals_of(e))
            except tns.TemporalLogicError:
                self.skipped += 1  # a compared signal is missing from this event
                continue
            if v is not verdict:
                out.extend(self._changed(e, v))
                verdict = v
                if v.final:
                    self._final = True
                    break
        return out

    async def close(self) -> list[Record]:
        return []
