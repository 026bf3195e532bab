"""A live ``rich`` dashboard of the pipeline's output records.

Feed it the records the pipeline emits (``alert``, ``verdict``, ``robustness``,
``dynamics``, ``stats``, ``summary``; see :mod:`midstream.records`); unknown kinds
and fields are ignored. On a terminal it redraws one screen: totals (events,
events/s, latency p50/p99, lost, dropped), a progress bar for the run's duration, one
row per stream (dynamics class, monitor verdicts, latest robustness, alerts) and
the latest alerts. When the console is not a terminal it prints one plain line per
alert, verdict change and dynamics class change, and a stats line at most every
``stats_every`` seconds, so logs and pipes stay readable.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.panel import Panel
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

__all__ = ["Dashboard"]

_SEVERITY_STYLE = {"critical": "bold red", "warning": "yellow", "info": "cyan"}
_VERDICT_STYLE = {
    "TRUE": "green",
    "FALSE": "bold red",
    "PRESUMABLY_TRUE": "green3",
    "PRESUMABLY_FALSE": "dark_orange",
}
_CLASS_STYLE = {
    "stable": "green",
    "periodic": "cyan",
    "chaotic": "magenta",
    "noise": "grey62",
    "non-stationary": "yellow",
    "unknown": "dim",
}


@dataclass
class _StreamView:
    alerts: int = 0
    last_alert: str = ""
    dynamics: str = ""
    lyapunov: float | None = None
    verdicts: dict[str, str] = field(default_factory=dict)  # formula -> verdict
    robustness: float | None = None
    events: int | None = None


def _fmt(value: Any, spec: str, missing: str = "-") -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return format(value, spec)
    return missing


class Dashboard:
    """Live view of output records; use as a context manager around the run.

    Parameters
    ----------
    console : rich.console.Console, optional
        Where to draw (default: stdout). Live redrawing only when it is a terminal.
    duration : float, optional
        Seconds the run should last, for the progress bar.
    title : str
        Shown above the totals.
    max_alerts : int
        Latest alerts kept on screen.
    stats_every : float
        Plain mode: seconds between stats lines.

    Examples
    --------
    >>> from rich.console import Console
    >>> console = Console(record=True, width=100, force_terminal=False)
    >>> with Dashboard(console, duration=5.0) as board:
    ...     board.update({"v": 1, "kind": "alert", "stream": "llm-1", "t": 0,
    ...                   "detector": "loops", "severity": "warning",
    ...                   "message": "repeats 'the cat' 4x", "data": {}})
    llm-1 ALERT warning loops: repeats 'the cat' 4x
    """

    def __init__(
        self,
        console: Console | None = None,
        *,
        duration: float | None = None,
        title: str = "midstream",
        max_alerts: int = 8,
        stats_every: float = 1.0,
    ) -> None:
        self.console = console or Console()
        self.duration = duration
        self.title = title
        self.stats_every = stats_every
        self.streams: dict[str, _StreamView] = {}
        self.alerts: deque[tuple[str, str, str, str]] = deque(maxlen=max_alerts)
        self.stats: dict[str, Any] = {}
        self.summary: dict[str, Any] | None = None
        self.records = 0
        self._started = time.monotonic()
        self._last_stats_line = float("-inf")
        self._live: Live | None = None

    @property
    def is_live(self) -> bool:
        """Whether the dashboard redraws a screen (a terminal) or prints lines."""
        return self.console.is_terminal

    # -- context manager -----------------------------------------------------------

    def __enter__(self) -> Dashboard:
        self._started = time.monotonic()
        if self.is_live:
            self._live = Live(
                self.render(), console=self.console, refresh_per_second=8, transient=False
            )
            self._live.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._live is not None:
            self._live.update(self.render(), refresh=True)
            self._live.__exit__(exc_type, exc, tb)
            self._live = None

    # -- records -------------------------------------------------------------------

    def update(self, record: Mapping[str, Any]) -> None:
        """Take one output record; ignore kinds and fields it does not know."""
        self.records += 1
        kind = record.get("kind")
        name = str(record.get("stream", ""))
        line: str | None = None
        if kind == "alert":
            view = self._stream(name)
            view.alerts += 1
            severity = str(record.get("severity", ""))
            detector = str(record.get("detector", ""))
            message = str(record.get("message", ""))
            view.last_alert = message
            self.alerts.append((name, severity, detector, message))
            line = f"{name} ALERT {severity} {detector}: {message}"
        elif kind == "verdict":
            view = self._stream(name)
            formula = str(record.get("formula", ""))
            verdict = str(record.get("verdict", ""))
            if view.verdicts.get(formula) != verdict:
                line = (
                    f"{name} VERDICT {formula}: {record.get('previous')} -> {verdict} "
                    f"at event {record.get('position')}"
                )
            view.verdicts[formula] = verdict
        elif kind == "robustness":
            value = record.get("value")
            if isinstance(value, int | float):
                self._stream(name).robustness = float(value)
        elif kind == "dynamics":
            view = self._stream(name)
            cls = str(record.get("class", ""))
            lyap = record.get("lyapunov")
            view.lyapunov = float(lyap) if isinstance(lyap, int | float) else None
            if cls != view.dynamics:
                line = f"{name} DYNAMICS {cls}: {record.get('reason', '')}"
            view.dynamics = cls
        elif kind == "stats":
            self.stats = dict(record)
            now = time.monotonic()
            if now - self._last_stats_line >= self.stats_every:
                self._last_stats_line = now
                line = "STATS " + self._totals_text()
        elif kind == "summary":
            self.summary = dict(record)
            self.stats = {**self.stats, **record}
            per_stream = record.get("per_stream")
            if isinstance(per_stream, Mapping):
                for stream, counts in per_stream.items():
                    if isinstance(counts, Mapping):
                        self._stream(str(stream)).events = counts.get("events")
            line = "SUMMARY " + self._totals_text()
        else:
            return
        if self._live is not None:
            self._live.update(self.render())
        elif line is not None and not self.is_live:
            self.console.print(line, markup=False, highlight=False, soft_wrap=True)

    def _stream(self, name: str) -> _StreamView:
        view = self.streams.get(name)
        if view is None:
            view = self.streams[name] = _StreamView()
        return view

    def _totals_text(self) -> str:
        s = self.stats
        return (
            f"events {_fmt(s.get('events'), ',')}  "
            f"{_fmt(s.get('events_per_s'), ',.0f')}/s  "
            f"latency p50 {_fmt(s.get('latency_p50_ms'), '.2f')} ms "
            f"p99 {_fmt(s.get('latency_p99_ms'), '.2f')} ms  "
            f"lost {_fmt(s.get('lost'), 'd')}  dropped {_fmt(s.get('dropped'), 'd')}  "
            f"streams {_fmt(s.get('streams'), 'd', str(len(self.streams)))}"
        )

    # -- drawing -------------------------------------------------------------------

    def render(self) -> RenderableType:
        """The whole screen as one renderable (also usable without :meth:`__enter__`)."""
        parts: list[RenderableType] = [Text(self._totals_text())]
        if self.duration:
            elapsed = min(time.monotonic() - self._started, self.duration)
            bar = Table.grid(padding=(0, 1))
            bar.add_row(
                ProgressBar(total=self.duration, completed=elapsed, width=40),
                Text(f"{elapsed:4.1f} / {self.duration:g} s"),
            )
            parts.append(bar)
        parts.append(self._streams_table())
        if self.alerts:
            alerts = Table(show_header=False, box=None, padding=(0, 1))
            for stream, severity, detector, message in self.alerts:
                alerts.add_row(
                    Text(stream, style="bold"),
                    Text(severity, style=_SEVERITY_STYLE.get(severity, "")),
                    Text(detector),
                    Text(message),
                )
            parts.append(Panel(alerts, title="latest alerts", title_align="left"))
        return Panel(Group(*parts), title=self.title, title_align="left")

    def _streams_table(self) -> Table:
        table = Table(expand=True)
        for column in ("stream", "events", "dynamics", "verdicts", "robustness", "alerts"):
            table.add_column(column, overflow="fold")
        for name in sorted(self.streams):
            view = self.streams[name]
            verdicts = Text()
            for formula, verdict in view.verdicts.items():
                if verdicts:
                    verdicts.append("\n")
                verdicts.append(f"{formula}: ")
                verdicts.append(verdict, style=_VERDICT_STYLE.get(verdict, ""))
            dynamics = Text(view.dynamics, style=_CLASS_STYLE.get(view.dynamics.lower(), ""))
            if view.lyapunov is not None:
                dynamics.append(f" (λ {view.lyapunov:.2f})", style="dim")
            alerts = Text(str(view.alerts), style="bold red" if view.alerts else "")
            if view.last_alert:
                alerts.append(f" {view.last_alert}", style="")
            table.add_row(
                name,
                _fmt(view.events, ","),
                dynamics,
                verdicts,
                _fmt(view.robustness, ".3g"),
                alerts,
            )
        return table
