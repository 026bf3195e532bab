"""Output records (schema version 1): what the pipeline reports, as JSON-ready dicts.

Every record has ``"v": 1``, ``"kind"``, ``"stream"`` and ``"t"`` (integer ns: the
timestamp of the event that caused it; ``stats`` and ``summary`` use the wall clock).
Kinds and their fields (consumers must ignore kinds and fields they do not know):

``alert``       detector, severity (info|warning|critical), message, data (object)
``verdict``     detector, formula, verdict, previous (null at first), position (event index)
``robustness``  detector, formula, value, position
``dynamics``    detector, class, reason, lyapunov (float|null), window ([first_t, last_t])
``stats``       events, events_per_s, latency_p50_ms, latency_p99_ms, lost, dropped, streams
``summary``     the same counters for the whole run, plus alerts and per-stream counts
"""

from __future__ import annotations

from typing import Any

__all__ = ["RECORD_VERSION", "Record", "alert", "record"]

RECORD_VERSION = 1
Record = dict[str, Any]


def record(kind: str, stream: str, t: int, **fields: Any) -> Record:
    """One output record of ``kind``."""
    return {"v": RECORD_VERSION, "kind": kind, "stream": stream, "t": int(t), **fields}


def alert(stream: str, t: int, detector: str, severity: str, message: str, **data: Any) -> Record:
    """An ``alert`` record; ``data`` holds the detector's numbers."""
    return record(
        "alert", stream, t, detector=detector, severity=severity, message=message, data=data
    )
