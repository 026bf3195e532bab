"""``--report DIR``: a self-contained HTML report with PNG figures.

Input is what a run produced: its output records (see :mod:`midstream.records`) and
the numeric series of each stream (timestamps in ns and values), so ``demo`` and
``analyze`` call it the same way. Figures, each also written as a PNG file in
``DIR/figures``: a phase portrait per numeric stream (temporal-attractor-studio's
``plot_phase_portrait``), the signal with DTW pattern matches shaded (from
``pattern:*`` alerts), a verdict timeline per monitored formula, and robustness over
time. ``DIR/index.html`` embeds the PNGs, so the one file can be mailed around.

Needs the ``plot`` extra: ``pip install 'midstream[plot]'`` (matplotlib, Agg backend).
"""

from __future__ import annotations

import base64
import html
import io
import json
from collections import defaultdict, deque
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import MidstreamError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["ReportResult", "SeriesCollector", "write_report"]

# Verdicts bottom to top on the timeline.
_VERDICT_LEVELS = ["FALSE", "PRESUMABLY_FALSE", "UNKNOWN", "PRESUMABLY_TRUE", "TRUE"]
_MAX_PORTRAITS = 12


@dataclass(frozen=True)
class ReportResult:
    """Where :func:`write_report` wrote the report."""

    index: Path
    figures: tuple[Path, ...]


class SeriesCollector:
    """The numeric values of each stream as events pass by, for :func:`write_report`.

    Keeps the last ``max_points`` ``(t, value)`` pairs per stream. Events are
    mappings or objects with ``stream``, ``t`` (int ns) and ``value`` (events
    without a numeric value are skipped).

    Examples
    --------
    >>> c = SeriesCollector()
    >>> for i in range(3):
    ...     c.add({"stream": "s", "t": i, "value": i / 2})
    >>> c.add({"stream": "llm", "t": 0, "token": "hi"})
    >>> c.series()
    {'s': ([0, 1, 2], [0.0, 0.5, 1.0])}
    """

    def __init__(self, max_points: int = 50_000) -> None:
        if max_points < 2:
            raise MidstreamError(f"max_points: must be >= 2, got {max_points}")
        self.max_points = max_points
        self._points: dict[str, deque[tuple[int, float]]] = {}

    def add(self, event: Any) -> None:
        """Record ``event``'s value if it has a numeric one and an integer time."""
        if isinstance(event, Mapping):
            stream, t, value = event.get("stream"), event.get("t"), event.get("value")
        else:
            stream = getattr(event, "stream", None)
            t, value = getattr(event, "t", None), getattr(event, "value", None)
        if (
            not isinstance(stream, str)
            or not isinstance(t, int)
            or isinstance(value, bool)
            or not isinstance(value, int | float)
        ):
            return
        points = self._points.get(stream)
        if points is None:
            points = self._points[stream] = deque(maxlen=self.max_points)
        points.append((t, float(value)))

    async def tap(self, source: AsyncIterable[Any] | Iterable[Any]) -> AsyncIterator[Any]:
        """Yield ``source``'s events unchanged, recording each."""
        if isinstance(source, AsyncIterable):
            async for event in source:
                self.add(event)
                yield event
        else:
            for event in source:
                self.add(event)
                yield event

    def series(self) -> dict[str, tuple[list[int], list[float]]]:
        """``{stream: (times_ns, values)}`` of every stream with a numeric value."""
        return {
            name: ([t for t, _ in points], [v for _, v in points])
            for name, points in self._points.items()
        }


def _figure(width: float = 7.0, height: float = 3.2) -> Figure:
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise MidstreamError("--report needs matplotlib: pip install 'midstream[plot]'") from None
    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def _series_arrays(
    series: Mapping[str, tuple[Sequence[int], Sequence[float]]],
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for name, pair in series.items():
        if len(pair) != 2:
            raise MidstreamError(f"series[{name!r}]: expected (times, values)")
        t = np.asarray(pair[0], dtype=np.int64)
        v = np.asarray(pair[1], dtype=np.float64)
        if t.shape != v.shape or t.ndim != 1:
            raise MidstreamError(
                f"series[{name!r}]: times and values must be 1-D of one length, "
                f"got {t.shape} and {v.shape}"
            )
        keep = np.isfinite(v)
        if keep.sum() >= 2:
            out[name] = (t[keep], v[keep])
    return out


def _seconds(t: np.ndarray, origin: int) -> np.ndarray:
    return (t - origin) / 1e9


def _phase_portrait(name: str, values: np.ndarray) -> bytes:
    import temporal_attractor_studio as tas

    fig = _figure(4.0, 4.0)
    ax = fig.add_subplot()
    try:
        tas.plot_phase_portrait(values, ax=ax, color="tab:blue")
    except (tas.AttractorError, ValueError) as exc:
        # Constant or too short: say so on the figure instead of leaving it out.
        ax.plot(values[:-1], values[1:], ".", ms=2)
        ax.set_title("phase portrait (delay 1)")
        ax.text(0.02, 0.02, str(exc)[:80], transform=ax.transAxes, fontsize=7)
    ax.set_title(f"{name}: {ax.get_title()}")
    return _png(fig)


def _signal_with_matches(
    name: str, t: np.ndarray, values: np.ndarray, matches: list[Mapping[str, Any]], origin: int
) -> bytes:
    fig = _figure()
    ax = fig.add_subplot()
    ax.plot(_seconds(t, origin), values, lw=0.7, color="tab:blue")
    for i, m in enumerate(matches):
        start, end = m.get("t_start"), m.get("t_end")
        if isinstance(start, int) and isinstance(end, int):
            ax.axvspan(
                (start - origin) / 1e9,
                (end - origin) / 1e9,
                color="tab:red",
                alpha=0.25,
                label="DTW match" if i == 0 else None,
            )
    ax.set_xlabel("time (s)")
    ax.set_ylabel("value")
    ax.set_title(f"{name}: signal and {len(matches)} DTW pattern match(es)")
    if matches:
        ax.legend(loc="upper right", fontsize=8)
    return _png(fig)


def _verdict_timeline(
    verdicts: Mapping[tuple[str, str], list[tuple[int, str]]], origin: int, end: int
) -> bytes:
    fig = _figure(7.0, 1.2 + 0.5 * len(verdicts))
    ax = fig.add_subplot()
    colours = {
        "TRUE": "tab:green",
        "PRESUMABLY_TRUE": "yellowgreen",
        "UNKNOWN": "lightgrey",
        "PRESUMABLY_FALSE": "orange",
        "FALSE": "tab:red",
    }
    labels = []
    for row, ((stream, formula), changes) in enumerate(sorted(verdicts.items())):
        labels.append(f"{stream}: {formula}"[:60])
        for i, (t, verdict) in enumerate(changes):
            stop = changes[i + 1][0] if i + 1 < len(changes) else end
            ax.broken_barh(
                [((t - origin) / 1e9, max((stop - t) / 1e9, 1e-3))],
                (row - 0.4, 0.8),
                color=colours.get(verdict, "tab:purple"),
            )
    ax.set_yticks(range(len(labels)), labels, fontsize=7)
    ax.set_xlabel("time (s)")
    from matplotlib.patches import Patch

    ax.set_title("monitor verdicts")
    ax.legend(
        handles=[Patch(color=c, label=v.lower().replace("_", " ")) for v, c in colours.items()],
        fontsize=7,
        loc="upper left",
        bbox_to_anchor=(1.0, 1.0),
    )
    return _png(fig)


def _robustness(values: Mapping[tuple[str, str], list[tuple[int, float]]], origin: int) -> bytes:
    fig = _figure()
    ax = fig.add_subplot()
    for (stream, formula), points in sorted(values.items()):
        t = np.array([p[0] for p in points], dtype=np.int64)
        ax.plot(
            _seconds(t, origin), [p[1] for p in points], lw=1, label=f"{stream}: {formula}"[:50]
        )
    ax.axhline(0.0, color="black", lw=0.6)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("robustness")
    ax.set_title("STL robustness (below 0: violated)")
    ax.legend(fontsize=7, loc="best")
    return _png(fig)


def write_report(
    directory: str | Path,
    records: Iterable[Mapping[str, Any]],
    series: Mapping[str, tuple[Sequence[int], Sequence[float]]] | None = None,
    *,
    title: str = "midstream report",
) -> ReportResult:
    """Write ``index.html`` and ``figures/*.png`` into ``directory``.

    Parameters
    ----------
    directory : path
        Created if missing; existing report files in it are replaced.
    records : iterable of dict
        The run's output records; unknown kinds and fields are ignored.
    series : mapping of stream -> (times_ns, values), optional
        The numeric signal of each stream (phase portraits, match overlays).
    title : str
        Heading of the page.

    Raises
    ------
    MidstreamError
        matplotlib is missing, the directory cannot be written, or a series is
        malformed.

    Examples
    --------
    >>> import tempfile, numpy as np
    >>> t = np.arange(500) * 10_000_000
    >>> out = write_report(tempfile.mkdtemp(), [], {"s": (t, np.sin(t / 1e8))})
    >>> [p.name for p in out.figures]
    ['phase-s.png', 'signal-s.png']
    """
    records = list(records)
    arrays = _series_arrays(series or {})
    out = Path(directory)
    figures_dir = out / "figures"
    try:
        figures_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise MidstreamError(f"--report: cannot create {out}: {exc.strerror}") from None

    times = [int(r["t"]) for r in records if isinstance(r.get("t"), int) and r.get("stream")]
    times += [int(t[0]) for t, _ in arrays.values()] + [int(t[-1]) for t, _ in arrays.values()]
    origin = min(times) if times else 0
    end = max(times) if times else 0

    matches: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    verdicts: dict[tuple[str, str], list[tuple[int, str]]] = defaultdict(list)
    robustness: dict[tuple[str, str], list[tuple[int, float]]] = defaultdict(list)
    alerts: list[Mapping[str, Any]] = []
    summary: Mapping[str, Any] | None = None
    dynamics: dict[str, Mapping[str, Any]] = {}
    for r in records:
        kind, stream, t = r.get("kind"), str(r.get("stream", "")), r.get("t")
        if kind == "alert":
            alerts.append(r)
            data = r.get("data")
            if str(r.get("detector", "")).startswith("pattern") and isinstance(data, Mapping):
                matches[stream].append(data)
        elif kind == "verdict" and isinstance(t, int):
            verdicts[(stream, str(r.get("formula", "")))].append((t, str(r.get("verdict"))))
        elif (
            kind == "robustness" and isinstance(t, int) and isinstance(r.get("value"), int | float)
        ):
            robustness[(stream, str(r.get("formula", "")))].append((t, float(r["value"])))
        elif kind == "dynamics":
            dynamics[stream] = r
        elif kind == "summary":
            summary = r

    figures: list[tuple[str, str, bytes]] = []  # (file name, caption, png)
    for name in sorted(arrays)[:_MAX_PORTRAITS]:
        t, v = arrays[name]
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in name)
        figures.append((f"phase-{safe}.png", f"{name}: phase portrait", _phase_portrait(name, v)))
        figures.append(
            (
                f"signal-{safe}.png",
                f"{name}: signal with DTW pattern matches",
                _signal_with_matches(name, t, v, matches.get(name, []), origin),
            )
        )
    if verdicts:
        figures.append(
            ("verdicts.png", "verdict timeline", _verdict_timeline(verdicts, origin, end))
        )
    if robustness:
        figures.append(("robustness.png", "robustness over time", _robustness(robustness, origin)))

    paths = []
    for file_name, _, png in figures:
        path = figures_dir / file_name
        path.write_bytes(png)
        paths.append(path)

    index = out / "index.html"
    index.write_text(_html(title, summary, dynamics, alerts, figures), encoding="utf-8")
    return ReportResult(index=index, figures=tuple(paths))


def _cell(value: Any) -> str:
    return json.dumps(value) if isinstance(value, dict | list) else str(value)


def _html(
    title: str,
    summary: Mapping[str, Any] | None,
    dynamics: Mapping[str, Mapping[str, Any]],
    alerts: list[Mapping[str, Any]],
    figures: list[tuple[str, str, bytes]],
) -> str:
    e = html.escape
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{e(title)}</title>",
        "<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}"
        "table{border-collapse:collapse;font-size:90%}td,th{border:1px solid #ccc;"
        "padding:2px 6px;text-align:left}figure{display:inline-block;margin:.5em}"
        "figcaption{font-size:85%;color:#555}img{max-width:100%}</style>",
        f"</head><body><h1>{e(title)}</h1>",
    ]
    if summary is not None:
        rows = "".join(
            f"<tr><th>{e(str(k))}</th><td>{e(_cell(v))}</td></tr>"
            for k, v in summary.items()
            if k not in ("v", "kind", "stream", "t")
        )
        parts.append(f"<h2>Summary</h2><table>{rows}</table>")
    if dynamics:
        rows = "".join(
            f"<tr><td>{e(s)}</td><td>{e(str(r.get('class', '')))}</td>"
            f"<td>{e(str(r.get('lyapunov', '')))}</td><td>{e(str(r.get('reason', '')))}</td></tr>"
            for s, r in sorted(dynamics.items())
        )
        parts.append(
            "<h2>Dynamics (last classification per stream)</h2><table><tr><th>stream</th>"
            f"<th>class</th><th>largest Lyapunov exponent</th><th>reason</th></tr>{rows}</table>"
        )
    parts.append(f"<h2>Alerts ({len(alerts)})</h2>")
    if alerts:
        rows = "".join(
            f"<tr><td>{e(str(a.get('stream', '')))}</td><td>{e(str(a.get('severity', '')))}</td>"
            f"<td>{e(str(a.get('detector', '')))}</td><td>{e(str(a.get('message', '')))}</td></tr>"
            for a in alerts[:500]
        )
        more = f"<p>{len(alerts) - 500} more not shown.</p>" if len(alerts) > 500 else ""
        parts.append(
            "<table><tr><th>stream</th><th>severity</th><th>detector</th><th>message</th></tr>"
            f"{rows}</table>{more}"
        )
    parts.append("<h2>Figures</h2>")
    for file_name, caption, png in figures:
        data = base64.b64encode(png).decode()
        parts.append(
            f'<figure><img src="data:image/png;base64,{data}" alt="{e(caption)}">'
            f"<figcaption>{e(caption)} (figures/{e(file_name)})</figcaption></figure>"
        )
    if not figures:
        parts.append("<p>No numeric series, verdicts or robustness values to plot.</p>")
    parts.append("</body></html>")
    return "\n".join(parts)
