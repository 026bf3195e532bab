"""What every detector shares: the per-stream interface and numeric field extraction."""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import numpy as np

from ..errors import MidstreamError
from ..events import Event
from ..records import Record

__all__ = [
    "DetectorFactory",
    "StreamDetector",
    "numeric_signal",
    "signals_of",
    "trace_of",
]


class StreamDetector(Protocol):
    """One detector's state for one stream.

    ``feed`` takes the stream's next events (in timestamp order) and returns the
    records they cause; ``close`` is called once at the end of the stream.
    """

    async def feed(self, events: Sequence[Event]) -> list[Record]: ...

    async def close(self) -> list[Record]: ...


class DetectorFactory:
    """Makes a :class:`StreamDetector` for each stream whose name matches ``streams`` (a glob)."""

    def __init__(self, name: str, streams: str, make: Callable[[str], StreamDetector]) -> None:
        self.name = name
        self.streams = streams
        self._make = make

    def applies(self, stream: str) -> bool:
        return fnmatch.fnmatchcase(stream, self.streams)

    def create(self, stream: str) -> StreamDetector:
        return self._make(stream)

    def __repr__(self) -> str:
        return f"DetectorFactory({self.name!r}, streams={self.streams!r})"


def numeric_signal(events: Sequence[Event], field: str) -> tuple[np.ndarray, list[int]]:
    """The finite numeric ``field`` (``"value"`` or a key of ``fields``) and its timestamps."""
    values: list[float] = []
    times: list[int] = []
    if field == "value":
        for e in events:
            if e.value is not None:
                values.append(e.value)
                times.append(e.t)
    else:
        for e in events:
            f = e.fields
            if f is not None:
                v = f.get(field)
                if type(v) is float or (type(v) is int):
                    values.append(float(v))
                    times.append(e.t)
    arr = np.asarray(values, dtype=np.float64)
    if arr.size and not np.isfinite(arr).all():
        keep = np.isfinite(arr)
        arr = arr[keep]
        times = [t for t, k in zip(times, keep.tolist(), strict=True) if k]
    return arr, times


def signals_of(event: Event) -> dict[str, Any]:
    """An event as one step of a temporal-logic trace.

    The event name is an atom that is true (``tool_call``), ``token`` is true when the
    event carries a token, ``value`` and every entry of ``fields`` are signals.
    """
    state: dict[str, Any] = {}
    if event.fields:
        state.update(event.fields)
    if event.value is not None:
        state["value"] = event.value
    if event.token is not None:
        state["token"] = True
    if event.event is not None:
        state[event.event] = True
    return state


def trace_of(events: Sequence[Event]) -> list[dict[str, Any]]:
    """Events as a trace whose every step has every key, for whole-trace evaluation.

    Atoms (boolean keys) absent from a step are false there; a numeric signal must be
    present in every step (a comparison over a missing value has no truth value).
    """
    steps = [signals_of(e) for e in events]
    keys: dict[str, bool] = {}
    for step in steps:
        for key, v in step.items():
            keys[key] = keys.get(key, True) and isinstance(v, bool)
    for i, step in enumerate(steps):
        for key, boolean in keys.items():
            if key not in step:
                if not boolean:
                    raise MidstreamError(
                        f"event {i} ({events[i].stream!r}) has no value for signal {key!r}; "
                        "select one stream with --stream, or give it in every event"
                    )
                step[key] = False
    return steps
