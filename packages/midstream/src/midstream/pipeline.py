"""The live pipeline: async sources in, per-stream analysis on a deadline scheduler, records out.

Flow and backpressure::

    source --> decode --> OrderGuard --> per-stream pending batch --(AsyncScheduler, EDF)-->
        detectors --> bounded output queue --> consumer (on_record)

* Each source is read by one task. When ``max_pending`` events wait for analysis
  across all streams, reading stops until analysis catches up, so a slow detector
  slows the source (and, over QUIC, the producer) instead of growing memory.
* A stream's pending events become one analysis task on nanosecond-scheduler's
  ``AsyncScheduler``, due ``deadline_ms`` after its oldest event arrived; under EDF
  the stream waiting longest goes first. A task takes up to ``max_batch`` events, so
  batches grow with load and the libraries' batch calls (``StreamMatcher.extend``)
  amortise their cost.
* Records go through a bounded queue to the consumer. ``on_full_output = "block"``
  (default) makes analysis wait for a slow consumer; ``"drop"`` drops the record and
  counts it. Events dropped by the timestamp policy are counted too; ``lost`` (events
  received but neither analysed nor counted as dropped) is reported and must be 0.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import inspect
import time
from collections.abc import AsyncIterable, Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import nanosecond_scheduler as ns

from .config import Config
from .detectors import DetectorFactory, StreamDetector, build_detectors
from .events import Event, EventError, OrderGuard, decode_event
from .records import Record, record

__all__ = ["Pipeline", "RawEvent", "Source", "analyse"]

RawEvent = Event | Mapping[str, Any] | bytes | str
Source = AsyncIterable[RawEvent] | Iterable[RawEvent]
RecordSink = Callable[[Record], Awaitable[None] | None]

_LATENCY_RING = 1 << 20  # latency samples kept for the percentiles
_YIELD_EVERY = 256  # events read before a source lets the analysis run


@dataclass
class _Stream:
    name: str
    detectors: list[StreamDetector]
    pending: list[Event] = field(default_factory=list)
    arrivals: list[int] = field(default_factory=list)
    scheduled: bool = False
    busy: bool = False
    events: int = 0
    alerts: int = 0


class _Latencies:
    """A ring of the most recent latency samples (ns)."""

    def __init__(self, size: int = _LATENCY_RING) -> None:
        self._ring = np.zeros(size, dtype=np.int64)
        self._n = 0

    def add(self, values: np.ndarray) -> None:
        size = self._ring.shape[0]
        values = values[-size:]
        k = values.shape[0]
        at = self._n % size
        first = min(k, size - at)
        self._ring[at : at + first] = values[:first]
        self._ring[: k - first] = values[first:]
        self._n += k

    def since(self, mark: int) -> np.ndarray:
        size = self._ring.shape[0]
        k = min(self._n - mark, size)
        if k <= 0:
            return self._ring[:0]
        end = self._n % size
        if k <= end:
            return self._ring[end - k : end]
        return np.concatenate((self._ring[size - (k - end) :], self._ring[:end]))

    @property
    def count(self) -> int:
        return self._n


def _ms(values: np.ndarray, q: float) -> float | None:
    return float(np.percentile(values, q)) / 1e6 if values.size else None


async def _iterate(source: Source) -> Any:
    if isinstance(source, AsyncIterable):
        async for item in source:
            yield item
    else:
        for item in source:
            yield item


class Pipeline:
    """Analyse events from any number of sources, each stream as it flows.

    Parameters
    ----------
    config : Config, optional
        Detectors and pipeline settings (default: no detectors, default settings).
    on_record : callable, optional
        Called with every output record (a dict), in order; may be a coroutine
        function, which the pipeline awaits (so a slow consumer applies backpressure).
    skip_bad : bool
        Count and skip malformed events from the sources instead of failing.
    executor : concurrent.futures.Executor, optional
        Where the dynamics detector's windows are classified (default: the loop's).

    Examples
    --------
    >>> import asyncio
    >>> from midstream.config import parse_config
    >>> cfg = parse_config('[[detectors.monitor]]\\nformula = "G (value < 10)"')
    >>> out = []
    >>> events = [{"stream": "s", "t": i, "value": v} for i, v in enumerate([1, 5, 12])]
    >>> summary = asyncio.run(Pipeline(cfg, on_record=out.append).run(events))
    >>> [(r["verdict"], r["position"]) for r in out if r["kind"] == "verdict"]
    [('PRESUMABLY_TRUE', 0), ('FALSE', 2)]
    >>> summary["events"], summary["lost"]
    (3, 0)
    """

    def __init__(
        self,
        config: Config | None = None,
        *,
        on_record: RecordSink | None = None,
        skip_bad: bool = False,
        executor: concurrent.futures.Executor | None = None,
    ) -> None:
        self.config = config = config if config is not None else Config()
        p = config.pipeline
        self.factories: list[DetectorFactory] = build_detectors(config, executor)
        self.guard = OrderGuard(
            p.timestamps,
            window_ns=int(p.reorder_window_ms * 1e6),
            max_held=p.reorder_max_held,
        )
        self.on_record = on_record
        self.skip_bad = skip_bad
        self.streams: dict[str, _Stream] = {}
        self.received = 0
        self.analysed = 0
        self.bad = 0
        self.dropped_records = 0
        self.records = 0
        self.alerts = 0
        self.latency = _Latencies()
        self.alert_latency = _Latencies(1 << 16)
        self._pending = 0
        self._deadline_ns = int(p.deadline_ms * 1e6)
        self._scheduler: ns.AsyncScheduler | None = None
        self._space: asyncio.Event | None = None
        self._output: asyncio.Queue[Record | None] | None = None
        self._failure: BaseException | None = None
        self._started = 0
        self._stats_mark = (0, 0, 0)  # (time, analysed, latency count) at the last stats

    # ------------------------------------------------------------------ counters

    @property
    def dropped(self) -> int:
        """Events dropped by the timestamp policy."""
        return self.guard.dropped_total

    @property
    def lost(self) -> int:
        """Events received but neither analysed, waiting, nor counted as dropped: must be 0."""
        return self.received - self.analysed - self._pending - self.dropped - self.guard.held

    def snapshot(self) -> dict[str, Any]:
        """Counters now (for a dashboard); cheap."""
        now = time.monotonic_ns()
        seconds = max((now - self._started) / 1e9, 1e-9) if self._started else 0.0
        recent = self.latency.since(max(self.latency.count - 65536, 0))
        return {
            "events": self.analysed,
            "events_per_s": self.analysed / seconds if seconds else 0.0,
            "latency_p50_ms": _ms(recent, 50),
            "latency_p99_ms": _ms(recent, 99),
            "lost": self.lost,
            "dropped": self.dropped,
            "streams": len(self.streams),
            "alerts": self.alerts,
        }

    # ------------------------------------------------------------------ intake

    def _stream(self, name: str) -> _Stream:
        st = _Stream(name, [f.create(name) for f in self.factories if f.applies(name)])
        self.streams[name] = st
        return st

    def _enqueue(self, event: Event, arrival: int) -> None:
        st = self.streams.get(event.stream) or self._stream(event.stream)
        st.pending.append(event)
        st.arrivals.append(arrival)
        self._pending += 1
        if not st.scheduled and not st.busy:
            self._schedule(st)

    def _schedule(self, st: _Stream) -> None:
        assert self._scheduler is not None
        st.scheduled = True
        self._scheduler.schedule(self._analyse, st, deadline=st.arrivals[0] + self._deadline_ns)

    async def _read(self, source: Source) -> None:
        clock = time.monotonic_ns
        limit = self.config.pipeline.max_pending
        assert self._space is not None
        n = 0
        async for item in _iterate(source):
            if self._failure is not None:
                return
            try:
                event = item if type(item) is Event else decode_event(item)
            except EventError:
                if not self.skip_bad:
                    raise
                self.bad += 1
                continue
            self.received += 1
            for e in self.guard.push(event):
                self._enqueue(e, clock())
            n += 1
            if self._pending >= limit:
                self._space.clear()
                await self._space.wait()
            elif n % _YIELD_EVERY == 0:
                await asyncio.sleep(0)

    # ------------------------------------------------------------------ analysis

    async def _analyse(self, st: _Stream) -> None:
        st.scheduled = False
        st.busy = True
        try:
            k = self.config.pipeline.max_batch
            batch, arrivals = st.pending[:k], st.arrivals[:k]
            del st.pending[:k], st.arrivals[:k]
            self._pending -= len(batch)
            out: list[Record] = []
            for detector in st.detectors:
                out.extend(await detector.feed(batch))
            done = time.monotonic_ns()
            self.latency.add(done - np.asarray(arrivals, dtype=np.int64))
            st.events += len(batch)
            self.analysed += len(batch)
            if out:
                # conservative: measured from the batch's oldest event
                self.alert_latency.add(np.full(len(out), done - arrivals[0], dtype=np.int64))
            for r in out:
                await self._emit(r)
        finally:
            st.busy = False
        assert self._space is not None
        if self._pending < self.config.pipeline.max_pending // 2:
            self._space.set()
        if st.pending and not st.scheduled:
            self._schedule(st)

    async def _emit(self, rec: Record) -> None:
        assert self._output is not None
        if rec["kind"] == "alert":
            self.alerts += 1
            st = self.streams.get(rec["stream"])
            if st is not None:
                st.alerts += 1
        if self.config.pipeline.on_full_output == "drop":
            try:
                self._output.put_nowait(rec)
            except asyncio.QueueFull:
                self.dropped_records += 1
        else:
            await self._output.put(rec)

    async def _consume(self) -> None:
        assert self._output is not None
        sink = self.on_record
        is_async = sink is not None and inspect.iscoroutinefunction(sink)
        while True:
            rec = await self._output.get()
            if rec is None:
                return
            self.records += 1
            if sink is None:
                continue
            if is_async:
                await sink(rec)  # type: ignore[misc]
            else:
                result = sink(rec)
                if inspect.isawaitable(result):
                    await result

    def _stats_record(self) -> Record:
        now = time.monotonic_ns()
        then, analysed, mark = self._stats_mark
        recent = self.latency.since(mark)
        self._stats_mark = (now, self.analysed, self.latency.count)
        seconds = max((now - then) / 1e9, 1e-9)
        return record(
            "stats",
            "",
            time.time_ns(),
            events=self.analysed,
            events_per_s=(self.analysed - analysed) / seconds,
            latency_p50_ms=_ms(recent, 50),
            latency_p99_ms=_ms(recent, 99),
            lost=self.lost,
            dropped=self.dropped,
            streams=len(self.streams),
        )

    async def _ticker(self, every: float) -> None:
        while True:
            await asyncio.sleep(every)
            await self._emit(self._stats_record())

    def _failed(self, _task_id: int, exc: BaseException) -> None:
        if self._failure is None:
            self._failure = exc
        assert self._space is not None
        self._space.set()  # unblock readers so they see the failure

    # ------------------------------------------------------------------ run

    async def run(self, *sources: Source) -> dict[str, Any]:
        """Read every source to its end, analyse everything, return the summary record."""
        p = self.config.pipeline
        self._scheduler = ns.AsyncScheduler(p.scheduler_policy, on_error=self._failed)
        self._space = asyncio.Event()
        self._output = asyncio.Queue(maxsize=p.output_queue)
        self._started = time.monotonic_ns()
        self._stats_mark = (self._started, 0, 0)
        consumer = asyncio.ensure_future(self._consume())
        ticker = asyncio.ensure_future(self._ticker(p.stats_every_s)) if p.stats_every_s else None
        try:
            readers = [asyncio.ensure_future(self._read(s)) for s in sources]
            try:
                await asyncio.gather(*readers)
            except BaseException:
                for reader in readers:
                    reader.cancel()
                raise
            for e in self.guard.flush():
                self._enqueue(e, time.monotonic_ns())
            await self._scheduler.join()
            if self._failure is not None:
                raise self._failure
            for st in self.streams.values():
                for detector in st.detectors:
                    for r in await detector.close():
                        await self._emit(r)
            summary = self.summary()
            if ticker is not None:
                ticker.cancel()
                ticker = None
            await self._emit(self._stats_record())
            await self._emit(summary)
            await self._output.put(None)
            await consumer
            return summary
        finally:
            if ticker is not None:
                ticker.cancel()
            if not consumer.done():
                consumer.cancel()
            self._scheduler.close()

    def summary(self) -> Record:
        """The ``summary`` record: counters for the whole run."""
        seconds = max((time.monotonic_ns() - self._started) / 1e9, 1e-9)
        every = self.latency.since(max(self.latency.count - _LATENCY_RING, 0))
        alert_lat = self.alert_latency.since(0)
        stats = self._scheduler.stats() if self._scheduler is not None else None
        return record(
            "summary",
            "",
            time.time_ns(),
            events=self.analysed,
            seconds=seconds,
            events_per_s=self.analysed / seconds,
            latency_p50_ms=_ms(every, 50),
            latency_p99_ms=_ms(every, 99),
            alert_latency_p99_ms=_ms(alert_lat, 99),
            lost=self.lost,
            dropped=self.dropped,
            dropped_records=self.dropped_records,
            bad=self.bad,
            alerts=self.alerts,
            deadline_misses=stats.missed if stats is not None else 0,
            streams=len(self.streams),
            per_stream={
                name: {"events": s.events, "alerts": s.alerts} for name, s in self.streams.items()
            },
        )


def analyse(
    *sources: Source,
    config: Config | None = None,
    skip_bad: bool = False,
) -> tuple[list[Record], Record]:
    """Run a :class:`Pipeline` to completion; return (records, summary). For scripts and tests."""
    out: list[Record] = []

    async def main() -> Record:
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            pipe = Pipeline(config, on_record=out.append, skip_bad=skip_bad, executor=pool)
            return await pipe.run(*sources)

    summary = asyncio.run(main())
    return out, summary
