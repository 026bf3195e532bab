"""Analysis split by stream: partitions, one partition's run, and the deterministic merge.

Every detector keeps its state per stream, so streams can be analysed apart and the
records merged afterwards (``midstream analyze --ordered`` runs one partition in this
process; ``--dask`` runs many on a cluster, see :mod:`midstream.cluster`). The merged
output does not depend on how streams were grouped or scheduled:

* analysis records sorted by ``(t, stream, detector index, sequence)``: event time,
  then stream name, then the position of the detector in the configuration, then
  the order that detector emitted them (a detector's own sequence for one stream is
  deterministic; only the interleaving between streams and detectors depends on
  scheduling, which is what the sort removes);
* then one ``stats`` record and one ``summary`` record for the whole run (periodic
  ``stats`` records are left out: when they fire depends on the wall clock).

Fields measured on the wall clock differ between any two runs and are listed in
:data:`WALL_CLOCK_FIELDS`; everything else is identical for the same input and
configuration. Not partitionable: ``[[adaptation]]`` (one threshold tuner shared by
every stream it applies to), see :func:`check_partitionable`.

This module is sans-I/O apart from running the pipeline: it never imports Dask.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import AsyncIterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import msgspec
import numpy as np

from . import __version__
from .config import Config
from .detectors import DetectorFactory, StreamDetector
from .errors import MidstreamError
from .events import Event, OrderGuard, decode_event
from .pipeline import Pipeline, Source
from .records import Record, record

__all__ = [
    "WALL_CLOCK_FIELDS",
    "EventBuffer",
    "PartitionResult",
    "analyse_partition",
    "buffer_events",
    "check_partitionable",
    "decode_partition",
    "merge_results",
    "partition_streams",
    "run_partition",
    "without_wall_clock",
]

#: Fields of the ``stats`` and ``summary`` records measured on the wall clock (and
#: ``deadline_misses``, which depends on timing); every other field is reproducible.
WALL_CLOCK_FIELDS = frozenset(
    {
        "t",
        "seconds",
        "events_per_s",
        "latency_p50_ms",
        "latency_p99_ms",
        "alert_latency_p99_ms",
        "deadline_misses",
    }
)

_SKETCH_POINTS = 1025  # quantiles kept per partition for the merged latency percentiles
_ORDER = "_order"  # key a detector's record carries inside a partition run, removed before output
_event_encoder = msgspec.msgpack.Encoder()
_events_decoder = msgspec.msgpack.Decoder(list[Event])


def check_partitionable(config: Config) -> None:
    """Raise :class:`MidstreamError` if results would depend on how streams are grouped.

    An ``[[adaptation]]`` table makes one threshold tuner learn from the labels of all
    its streams together, so separate partitions would learn separately.
    """
    if config.adaptation:
        names = ", ".join(a.detector for a in config.adaptation)
        raise MidstreamError(
            f"--dask: [[adaptation]] ({names}) shares one threshold tuner across streams, "
            "so partitions would learn different thresholds; run without --dask"
        )


# ---------------------------------------------------------------------- partitions


def partition_streams(counts: Mapping[str, int], partitions: int) -> list[list[str]]:
    """Group streams into at most ``partitions`` groups of similar event counts.

    Largest stream first onto the group with the fewest events so far (ties: the
    lower group index); each group's streams in name order. A stream is never split.

    >>> partition_streams({"a": 5, "b": 3, "c": 3, "d": 1}, 2)
    [['a', 'd'], ['b', 'c']]
    """
    if partitions < 1:
        raise MidstreamError(f"partitions: must be >= 1, got {partitions}")
    groups: list[list[str]] = [[] for _ in range(min(partitions, len(counts)))]
    loads = [0] * len(groups)
    for name in sorted(counts, key=lambda s: (-counts[s], s)):
        k = loads.index(min(loads))
        groups[k].append(name)
        loads[k] += counts[name]
    return [sorted(g) for g in groups]


class EventBuffer:
    """Validated events kept per stream as MessagePack, in arrival order.

    Compact (about the size of the JSON) and cheap to ship: a partition's payload is
    its streams' bytes behind one array header, decoded by :func:`decode_partition`.
    """

    def __init__(self) -> None:
        self._bytes: dict[str, bytearray] = {}
        self.counts: dict[str, int] = {}

    def add(self, event: Event) -> None:
        buf = self._bytes.get(event.stream)
        if buf is None:
            buf = self._bytes[event.stream] = bytearray()
            self.counts[event.stream] = 0
        _event_encoder.encode_into(event, buf, len(buf))
        self.counts[event.stream] += 1

    def payload(self, streams: Sequence[str]) -> bytes:
        """The events of ``streams`` (each stream's in arrival order) as one MessagePack array."""
        n = sum(self.counts[s] for s in streams)
        return b"\xdd" + n.to_bytes(4, "big") + b"".join(self._bytes[s] for s in streams)


def decode_partition(payload: bytes) -> list[Event]:
    """The events of an :meth:`EventBuffer.payload`."""
    return _events_decoder.decode(payload)


# ---------------------------------------------------------------------- one partition


@dataclass(frozen=True)
class PartitionResult:
    """What one partition's run returns to the merge (small: no per-event data)."""

    records: list[tuple[tuple[int, str, int, int], Record]]  # (order key, record)
    summary: Record
    latency: tuple[int, np.ndarray]  # (samples, quantile sketch in ns)
    alert_latency: tuple[int, np.ndarray]
    version: str = __version__


class _Numbered:
    """A detector whose records carry their order key (removed again by the collector)."""

    def __init__(self, inner: StreamDetector, stream: str, index: int) -> None:
        self.inner = inner
        self.stream = stream
        self.index = index
        self.seq = 0

    def _number(self, out: list[Record]) -> list[Record]:
        for rec in out:
            rec[_ORDER] = (rec["t"], self.stream, self.index, self.seq)
            self.seq += 1
        return out

    async def feed(self, events: Sequence[Event]) -> list[Record]:
        return self._number(await self.inner.feed(events))

    async def close(self) -> list[Record]:
        return self._number(await self.inner.close())


def _numbered(factory: DetectorFactory, index: int) -> DetectorFactory:
    def make(stream: str) -> StreamDetector:
        return _Numbered(factory.create(stream), stream, index)

    return DetectorFactory(factory.name, factory.streams, make)


def _sketch(samples: np.ndarray) -> tuple[int, np.ndarray]:
    if not samples.size:
        return 0, np.zeros(0)
    return int(samples.size), np.percentile(samples, np.linspace(0.0, 100.0, _SKETCH_POINTS))


def _batch_config(config: Config) -> Config:
    """``config`` for a run whose records are all collected: no periodic stats (their
    timing is the wall clock's) and a blocking output queue (dropping would make the
    records depend on timing)."""
    pipeline = msgspec.structs.replace(config.pipeline, stats_every_s=0.0, on_full_output="block")
    return msgspec.structs.replace(config, pipeline=pipeline)


async def analyse_partition(
    config: Config, source: Source, executor: concurrent.futures.Executor | None = None
) -> PartitionResult:
    """Run a :class:`~midstream.pipeline.Pipeline` over ``source`` and keep every analysis
    record with its order key (see the module docstring)."""
    records: list[tuple[tuple[int, str, int, int], Record]] = []

    def keep(rec: Record) -> None:
        key = rec.pop(_ORDER, None)
        if key is not None:
            records.append((key, rec))

    pipe = Pipeline(_batch_config(config), on_record=keep, executor=executor)
    pipe.factories = [_numbered(f, i) for i, f in enumerate(pipe.factories)]
    summary = await pipe.run(source)
    return PartitionResult(
        records,
        summary,
        _sketch(pipe.latency.since(0)),
        _sketch(pipe.alert_latency.since(0)),
    )


def run_partition(config: Config, payload: bytes) -> PartitionResult:
    """One partition, start to end, in this process: what a Dask task runs."""

    async def main() -> PartitionResult:
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            return await analyse_partition(config, decode_partition(payload), pool)

    return asyncio.run(main())


# ---------------------------------------------------------------------- merge


def _percentile_ms(sketches: Sequence[tuple[int, np.ndarray]], q: float) -> float | None:
    """The ``q``-th percentile of the union of the sketched samples (each sketch point
    stands for an equal share of its partition's samples)."""
    parts = [(n, points) for n, points in sketches if n]
    if not parts:
        return None
    values = np.concatenate([points for _, points in parts])
    weights = np.concatenate([np.full(points.size, n / points.size) for n, points in parts])
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weights[order])
    at = int(np.searchsorted(cumulative, q / 100.0 * cumulative[-1], side="left"))
    return float(values[order][min(at, values.size - 1)]) / 1e6


def merge_results(
    results: Sequence[PartitionResult], seconds: float, *, now_ns: int
) -> list[Record]:
    """Every partition's records in the deterministic order, then ``stats`` and ``summary``.

    Parameters
    ----------
    results : sequence of PartitionResult
        One per partition, in any order; their streams must be disjoint.
    seconds : float
        Wall time of the whole run (for ``seconds`` and ``events_per_s``).
    now_ns : int
        Wall-clock time stamped on the ``stats`` and ``summary`` records.
    """
    per_stream: dict[str, dict[str, int]] = {}
    totals = dict.fromkeys(
        ("events", "lost", "dropped", "dropped_records", "bad", "alerts", "deadline_misses"), 0
    )
    keyed: list[tuple[tuple[int, str, int, int], Record]] = []
    for result in results:
        if result.version != __version__:
            raise MidstreamError(
                f"--dask: a worker runs midstream {result.version}, this client "
                f"{__version__}; install the same version on the workers"
            )
        for name, counts in result.summary["per_stream"].items():
            if name in per_stream:
                raise MidstreamError(f"stream {name!r} was analysed in two partitions")
            per_stream[name] = counts
        for key in totals:
            totals[key] += int(result.summary[key])
        keyed.extend(result.records)
    keyed.sort(key=lambda item: item[0])
    seconds = max(seconds, 1e-9)
    events = totals["events"]
    latency = [r.latency for r in results]
    p50, p99 = _percentile_ms(latency, 50), _percentile_ms(latency, 99)
    stats = record(
        "stats",
        "",
        now_ns,
        events=events,
        events_per_s=events / seconds,
        latency_p50_ms=p50,
        latency_p99_ms=p99,
        lost=totals["lost"],
        dropped=totals["dropped"],
        streams=len(per_stream),
    )
    summary = record(
        "summary",
        "",
        now_ns,
        events=events,
        seconds=seconds,
        events_per_s=events / seconds,
        latency_p50_ms=p50,
        latency_p99_ms=p99,
        alert_latency_p99_ms=_percentile_ms([r.alert_latency for r in results], 99),
        lost=totals["lost"],
        dropped=totals["dropped"],
        dropped_records=totals["dropped_records"],
        bad=totals["bad"],
        alerts=totals["alerts"],
        deadline_misses=totals["deadline_misses"],
        streams=len(per_stream),
        per_stream={name: per_stream[name] for name in sorted(per_stream)},
    )
    return [rec for _, rec in keyed] + [stats, summary]


def without_wall_clock(rec: Mapping[str, Any]) -> dict[str, Any]:
    """``rec`` without its :data:`WALL_CLOCK_FIELDS` if it is a ``stats`` or ``summary``."""
    if rec.get("kind") not in ("stats", "summary"):
        return dict(rec)
    return {k: v for k, v in rec.items() if k not in WALL_CLOCK_FIELDS}


async def buffer_events(source: Source, config: Config) -> EventBuffer:
    """Read ``source`` into an :class:`EventBuffer`.

    Under the ``error`` timestamp policy the first stream going backwards fails here,
    at the same event and with the same message as a single-process run.
    """
    events = EventBuffer()
    guard = OrderGuard("error") if config.pipeline.timestamps == "error" else None

    def add(item: Any) -> None:
        event = item if type(item) is Event else decode_event(item)
        if guard is not None:
            guard.push(event)
        events.add(event)

    if isinstance(source, AsyncIterable):
        async for item in source:
            add(item)
    else:
        for item in source:
            add(item)
    return events
