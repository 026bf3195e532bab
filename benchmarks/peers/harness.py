"""Run a workload for Midstream and for peer libraries in one process, interleaved.

Each repetition times every implementation once, in turn, so machine noise hits all
of them alike; the table reports medians and the ratio ours/peer (below 1 means we
are faster). Peers come from the benchmark environment made by
``scripts/bench-peers``, never from Midstream's runtime dependencies.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Each workload file is named after the package it measures. Run as a script, its
# folder (this one) is sys.path[0], where the file would shadow the package: keep the
# folder on the path but last, as run.py does, so the installed package wins.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE] + [str(_HERE)]

OURS = "midstream"


@dataclass
class Workload:
    """One comparison row group.

    ``setup`` builds the inputs once and returns them as a tuple; ``ours`` and every
    entry of ``peers`` are called with those inputs. ``number`` calls make one timed
    sample (for sub-millisecond work); ``check`` optionally compares the results of
    ours and each peer (for example ``math.isclose``) so a fast wrong answer shows;
    ``report`` optionally adds text (a figure measured once) to our row's note.
    """

    name: str
    setup: Callable[[], tuple[Any, ...]]
    ours: Callable[..., Any]
    peers: dict[str, Callable[..., Any]] = field(default_factory=dict)
    number: int = 1
    repeat: int = 7
    goal: str = ""
    check: Callable[[Any, Any], bool] | None = None
    # Extra text for our row's note, from the setup values, after the timed runs
    # (for example a memory figure measured once).
    report: Callable[..., str] | None = None


@dataclass(frozen=True)
class Row:
    workload: str
    impl: str
    median_s: float | None
    ratio: float | None  # ours / this impl; None for ours or a failed impl
    note: str


def _time_once(fn: Callable[..., Any], args: tuple[Any, ...], number: int) -> tuple[float, Any]:
    start = time.perf_counter()
    for _ in range(number):
        result = fn(*args)
    return (time.perf_counter() - start) / number, result


def run_workload(w: Workload, repeat: int | None = None) -> list[Row]:
    args = w.setup()
    impls: dict[str, Callable[..., Any]] = {OURS: w.ours, **w.peers}
    samples: dict[str, list[float]] = {name: [] for name in impls}
    notes: dict[str, str] = {}
    results: dict[str, Any] = {}
    for name, fn in impls.items():  # warm-up, import and JIT costs stay out of the samples
        try:
            _, results[name] = _time_once(fn, args, 1)
        except Exception as exc:  # a missing or broken peer is reported, not fatal
            notes[name] = f"failed: {type(exc).__name__}: {exc}"[:80]
    for _ in range(repeat or w.repeat):
        for name, fn in impls.items():
            if name not in notes:
                samples[name].append(_time_once(fn, args, w.number)[0])
    if w.check is not None and OURS in results:
        for name in w.peers:
            if name in results and not w.check(results[OURS], results[name]):
                notes[name] = "RESULT DIFFERS from ours"
    if w.report is not None:
        try:
            extra = w.report(*args)
        except Exception as exc:
            extra = f"report failed: {type(exc).__name__}: {exc}"[:80]
        notes[OURS] = "; ".join(filter(None, [notes.get(OURS, w.goal), extra]))
    ours = statistics.median(samples[OURS]) if samples[OURS] else None
    rows = []
    for name in impls:
        median = statistics.median(samples[name]) if samples[name] else None
        ratio = ours / median if (ours and median and name != OURS) else None
        note = notes.get(name, w.goal if name == OURS else "")
        rows.append(Row(w.name, name, median, ratio, note))
    return rows


def _fmt_time(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def format_table(rows: list[Row]) -> str:
    lines = [
        "| workload | implementation | median | ours/peer | note |",
        "| --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        ratio = f"{r.ratio:.3g}" if r.ratio is not None else ""
        lines.append(f"| {r.workload} | {r.impl} | {_fmt_time(r.median_s)} | {ratio} | {r.note} |")
    return "\n".join(lines)
