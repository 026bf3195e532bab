"""Priority send scheduler, sans-I/O.

Streams queue bytes with :meth:`SendScheduler.push`; the I/O layer asks
:meth:`SendScheduler.pop` for at most ``budget`` bytes whenever the QUIC
connection has room. Chunks come out in strict priority order (every queued byte
of a CRITICAL stream before any byte of a HIGH stream, and so on). Within one
level streams are served round-robin, ``quantum`` bytes per turn
(``incremental=True``, the default), or one stream at a time in the order they
became ready (``incremental=False``, like RFC 9218's non-incremental streams).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .errors import ConfigurationError
from .priority import StreamPriority

__all__ = ["Chunk", "SendScheduler"]


@dataclass(frozen=True)
class Chunk:
    """Bytes of one stream handed to the connection; ``end_stream`` carries FIN."""

    stream_id: int
    data: bytes
    end_stream: bool = False


@dataclass
class _Queue:
    priority: StreamPriority
    chunks: deque[memoryview] = field(default_factory=deque)
    queued: int = 0
    fin: bool = False
    ready: bool = False  # in its level's ready deque


def _check_priority(priority: object) -> StreamPriority:
    if isinstance(priority, StreamPriority):
        return priority
    if isinstance(priority, int) and not isinstance(priority, bool):
        try:
            return StreamPriority(priority)
        except ValueError:
            pass
    raise ConfigurationError(f"priority must be a StreamPriority, got {priority!r}")


class SendScheduler:
    """Hands queued stream data out in strict priority order.

    Parameters
    ----------
    quantum : int
        Bytes a stream may send per round-robin turn within its level.
    incremental : bool
        Round-robin within a level (True) or drain one stream at a time (False).

    Examples
    --------
    >>> s = SendScheduler(quantum=4)
    >>> s.add_stream(0, StreamPriority.LOW)
    >>> s.add_stream(4, StreamPriority.CRITICAL)
    >>> s.push(0, b"bulk-data")
    >>> s.push(4, b"urgent", end_stream=True)
    >>> [(c.stream_id, c.data) for c in s.pop(budget=100)]
    [(4, b'urge'), (4, b'nt'), (0, b'bulk'), (0, b'-dat'), (0, b'a')]
    """

    def __init__(self, *, quantum: int = 16384, incremental: bool = True) -> None:
        if isinstance(quantum, bool) or not isinstance(quantum, int) or quantum < 1:
            raise ConfigurationError(f"quantum must be a positive int, got {quantum!r}")
        self.quantum = quantum
        self.incremental = bool(incremental)
        self._queues: dict[int, _Queue] = {}
        # One ready deque per level, indexed by int(level): enum hashing is slow.
        self._ready: list[deque[int]] = [deque() for _ in StreamPriority]
        self._n_ready = 0
        self._total = 0
        self._levels: dict[tuple[object, ...], list[deque[int]]] = {}

    # -- streams -----------------------------------------------------------------

    def add_stream(self, stream_id: int, priority: StreamPriority = StreamPriority.NORMAL) -> None:
        """Register a stream with its priority."""
        if stream_id in self._queues:
            raise ConfigurationError(f"stream_id {stream_id} is already registered")
        self._queues[stream_id] = _Queue(_check_priority(priority))

    def remove_stream(self, stream_id: int) -> int:
        """Forget a stream and drop its queued data; return the bytes dropped."""
        q = self._queues.pop(stream_id, None)
        if q is None:
            return 0
        if q.ready:
            self._ready[q.priority].remove(stream_id)
            self._n_ready -= 1
        self._total -= q.queued
        return q.queued

    def priority(self, stream_id: int) -> StreamPriority:
        """The stream's current priority."""
        return self._queue(stream_id).priority

    def set_priority(self, stream_id: int, priority: StreamPriority) -> None:
        """Move a stream to another level; its queued data follows it."""
        q = self._queue(stream_id)
        new = _check_priority(priority)
        if new is q.priority:
            return
        if q.ready:
            self._ready[q.priority].remove(stream_id)
            self._ready[new].append(stream_id)
        q.priority = new

    def __contains__(self, stream_id: object) -> bool:
        return stream_id in self._queues

    # -- data --------------------------------------------------------------------

    def push(self, stream_id: int, data: bytes | memoryview, *, end_stream: bool = False) -> None:
        """Queue ``data`` (and FIN when ``end_stream``) on a stream."""
        q = self._queue(stream_id)
        if q.fin:
            raise ConfigurationError(f"stream {stream_id} is already finished")
        if data:
            q.chunks.append(memoryview(bytes(data)))
            q.queued += len(data)
            self._total += len(data)
        if end_stream:
            q.fin = True
        if (q.queued or q.fin) and not q.ready:
            q.ready = True
            self._n_ready += 1
            self._ready[q.priority].append(stream_id)

    def queued(self, stream_id: int) -> int:
        """Bytes queued on one stream and not yet handed out."""
        q = self._queues.get(stream_id)
        return 0 if q is None else q.queued

    @property
    def total_queued(self) -> int:
        """Bytes queued on every stream."""
        return self._total

    def has_pending(self) -> bool:
        """Whether any stream has data or a FIN waiting."""
        return self._n_ready > 0

    def has_pending_at(self, priority: StreamPriority) -> bool:
        """Whether a stream of level ``priority`` has data or a FIN waiting."""
        return bool(self._ready[_check_priority(priority)])

    def pop(
        self,
        budget: int,
        allowance: Callable[[int], int] | None = None,
        *,
        levels: Iterable[StreamPriority] | None = None,
    ) -> list[Chunk]:
        """Take up to ``budget`` bytes of queued data, highest priority first.

        ``allowance(stream_id)`` optionally caps what one stream may take now (for
        example, what its flow-control window permits); a stream whose allowance
        is 0 is skipped this time and keeps its place. ``levels`` optionally
        restricts the levels served (default: all). A FIN with no data left
        costs nothing and is always handed out.
        """
        out: list[Chunk] = []
        readies = self._ready if levels is None else self._levels_ready(levels)
        if not self._n_ready:
            return out
        taken: dict[int, int] = {}
        for ready in readies:
            skipped = 0
            while ready and skipped < len(ready):
                sid = ready[0]
                q = self._queues[sid]
                limit = budget
                if allowance is not None:
                    limit = min(limit, allowance(sid) - taken.get(sid, 0))
                if self.incremental:
                    limit = min(limit, self.quantum)
                if q.queued and limit <= 0:
                    ready.rotate(-1)
                    skipped += 1
                    continue
                data = self._take(q, limit)
                budget -= len(data)
                taken[sid] = taken.get(sid, 0) + len(data)
                fin = q.fin and q.queued == 0
                out.append(Chunk(sid, data, fin))
                if q.queued == 0:
                    ready.popleft()
                    q.ready = False
                    self._n_ready -= 1
                    if fin:
                        self._queues.pop(sid)
                elif self.incremental:
                    ready.rotate(-1)
                skipped = 0
                if budget <= 0:
                    # FINs without data are free; anything else waits for budget.
                    return out
        return out

    # -- internals ---------------------------------------------------------------

    def _levels_ready(self, levels: Iterable[StreamPriority]) -> list[deque[int]]:
        cacheable = type(levels) is tuple and all(type(p) is StreamPriority for p in levels)
        if cacheable and levels in self._levels:
            return self._levels[levels]
        chosen = sorted({int(_check_priority(p)) for p in levels})
        readies = [self._ready[i] for i in chosen]
        if cacheable and len(self._levels) < 64:
            self._levels[levels] = readies  # type: ignore[index]  # few tuples recur
        return readies

    def _queue(self, stream_id: int) -> _Queue:
        try:
            return self._queues[stream_id]
        except KeyError:
            raise ConfigurationError(f"stream_id {stream_id} is not registered") from None

    def _take(self, q: _Queue, limit: int) -> bytes:
        parts: list[bytes] = []
        while q.chunks and limit > 0:
            head = q.chunks[0]
            if len(head) <= limit:
                parts.append(bytes(head))
                q.chunks.popleft()
                n = len(head)
            else:
                parts.append(bytes(head[:limit]))
                q.chunks[0] = head[limit:]
                n = limit
            limit -= n
            q.queued -= n
            self._total -= n
        return b"".join(parts)
