"""The send/ack protocol that ships events over QUIC, without I/O.

Each *source* (one producer's input: a file, stdin, an iterator) travels on its own
QUIC stream as length-prefixed messages (quic-multistream's framing). The sender
numbers the source's events 1, 2, 3, ... and keeps every event the receiver has not
acknowledged; the receiver remembers the last sequence number it delivered per
source id and acknowledges cumulatively. After a dropped connection the sender
opens a new stream, says ``HELLO`` again, the receiver answers ``WELCOME`` with the
last sequence number it delivered, and the sender replays from the one after it:
no event is lost and none is delivered twice, however the connection breaks.

Messages (first byte is the kind; integers are big-endian unsigned 64-bit):

================  ===========  ==================================================================
kind              direction    body
================  ===========  ==================================================================
``H`` HELLO       to server    version, resume flag (1 byte each), sender id, attempt, source
``W`` WELCOME     to sender    last sequence number delivered for that source (0: none)
``B`` BATCH       to server    first sequence number, then the events, ``\\n``-separated
``A`` ACK         to sender    every event up to this sequence number is delivered
``R`` REFUSE      to sender    the source belongs to another sender now (UTF-8 reason)
``E`` END         to server    the source is complete; its last sequence number
``D`` DONE        to sender    END received and every event delivered (the last number)
``C`` CONTROL     to server    opens the connection's control stream (alerts flow back)
``L`` ALERT       to sender    one output record as JSON (on the CRITICAL control stream)
================  ===========  ==================================================================

:class:`Sender` and :class:`Receiver` hold the policy; ``midstream.send`` and
``midstream.serve`` move their messages over quic-multistream.
"""

from __future__ import annotations

import secrets
import struct
from collections import deque
from dataclasses import dataclass, field

from .errors import MidstreamError

__all__ = [
    "PROTOCOL_VERSION",
    "Ack",
    "Alert",
    "Batch",
    "Control",
    "Done",
    "End",
    "Hello",
    "Message",
    "Receiver",
    "Refuse",
    "Sender",
    "Welcome",
    "WireError",
    "decode",
]

PROTOCOL_VERSION = 1
_U64 = struct.Struct(">Q")


class WireError(MidstreamError):
    """A protocol violation, or events that cannot be delivered exactly once."""


@dataclass(frozen=True)
class Hello:
    source: str
    attempt: int  # grows with each connection, so a late HELLO of a dead one is ignored
    sender: int = 0  # random id of the Sender object
    resume: bool = False  # another sender id may take the source over only with this

    def encode(self) -> bytes:
        head = bytes([PROTOCOL_VERSION, int(self.resume)])
        head += _U64.pack(self.sender) + _U64.pack(self.attempt)
        return b"H" + head + self.source.encode()


@dataclass(frozen=True)
class Refuse:
    reason: str

    def encode(self) -> bytes:
        return b"R" + self.reason.encode()


@dataclass(frozen=True)
class Welcome:
    last_seq: int

    def encode(self) -> bytes:
        return b"W" + _U64.pack(self.last_seq)


@dataclass(frozen=True)
class Batch:
    first_seq: int
    events: list[bytes]

    def encode(self) -> bytes:
        return b"B" + _U64.pack(self.first_seq) + b"\n".join(self.events)


@dataclass(frozen=True)
class Ack:
    seq: int

    def encode(self) -> bytes:
        return b"A" + _U64.pack(self.seq)


@dataclass(frozen=True)
class End:
    last_seq: int

    def encode(self) -> bytes:
        return b"E" + _U64.pack(self.last_seq)


@dataclass(frozen=True)
class Done:
    last_seq: int

    def encode(self) -> bytes:
        return b"D" + _U64.pack(self.last_seq)


@dataclass(frozen=True)
class Control:
    def encode(self) -> bytes:
        return b"C" + bytes([PROTOCOL_VERSION])


@dataclass(frozen=True)
class Alert:
    record: bytes

    def encode(self) -> bytes:
        return b"L" + self.record


Message = Hello | Welcome | Batch | Ack | End | Done | Refuse | Control | Alert


def _u64(data: bytes, what: str) -> int:
    if len(data) != 9:
        raise WireError(f"{what} message: expected 8 bytes after the kind, got {len(data) - 1}")
    return int(_U64.unpack_from(data, 1)[0])


def decode(data: bytes) -> Message:
    """Parse one message; raise :class:`WireError` naming what is wrong."""
    if not data:
        raise WireError("empty message")
    kind = data[:1]
    if kind == b"B":
        if len(data) < 10:
            raise WireError("BATCH message: shorter than its header")
        return Batch(int(_U64.unpack_from(data, 1)[0]), data[9:].split(b"\n"))
    if kind == b"A":
        return Ack(_u64(data, "ACK"))
    if kind == b"W":
        return Welcome(_u64(data, "WELCOME"))
    if kind == b"E":
        return End(_u64(data, "END"))
    if kind == b"D":
        return Done(_u64(data, "DONE"))
    if kind in (b"H", b"C"):
        if len(data) < 2 or data[1] != PROTOCOL_VERSION:
            got = data[1] if len(data) > 1 else "none"
            raise WireError(f"protocol version {got}, this side speaks {PROTOCOL_VERSION}")
        if kind == b"C":
            return Control()
        if len(data) < 19:
            raise WireError("HELLO message: shorter than its header")
        try:
            source = data[19:].decode()
        except UnicodeDecodeError as exc:
            raise WireError(f"HELLO message: source id is not UTF-8 ({exc})") from None
        if not source:
            raise WireError("HELLO message: empty source id")
        sender, attempt = _U64.unpack_from(data, 3)[0], _U64.unpack_from(data, 11)[0]
        return Hello(source, int(attempt), int(sender), bool(data[2]))
    if kind == b"L":
        return Alert(data[1:])
    if kind == b"R":
        return Refuse(data[1:].decode(errors="replace"))
    raise WireError(f"unknown message kind {kind!r}")


@dataclass
class Sender:
    """One source's sending side: numbering, the unacknowledged window, replay.

    Parameters
    ----------
    source : str
        The source id; the receiver keys its memory on it.
    window : int
        Most events kept unacknowledged; :meth:`push` refuses more (check
        :attr:`room` first). This bounds the sender's memory.
    batch_events, batch_bytes : int
        Limits of one BATCH message.
    sender_id : int
        Identifies this sender to the receiver (default: 64 random bits). A source
        has one sender at a time: another id is refused unless it says ``resume``
        (a restarted ``send`` of the same input), and then the old id is refused.
    resume : bool
        When the receiver already holds events of this source on the *first*
        connection, skip that many events of the input (the input is the same as
        before: a restarted ``send`` of the same file). Without it that is an error,
        because silently skipping a different input's events would lose them.

    Examples
    --------
    >>> s = Sender("sensor-1")
    >>> s.push(b'{"stream": "a", "t": 1}')
    1
    >>> s.hello()
    Hello(source='sensor-1', attempt=1, sender=..., resume=False)
    >>> s.receive(Welcome(0))
    >>> s.next_message()
    Batch(first_seq=1, events=[b'{"stream": "a", "t": 1}'])
    >>> s.receive(Ack(1)); s.acked, s.unacked
    (1, 0)
    >>> s.finish(); s.next_message()
    End(last_seq=1)
    >>> s.receive(Done(1)); s.done
    True
    """

    source: str
    window: int = 8192
    batch_events: int = 512
    batch_bytes: int = 64 * 1024
    resume: bool = False
    sender_id: int = field(default_factory=lambda: secrets.randbits(64))
    pushed: int = 0  # sequence number of the last event pushed (skipped ones included)
    acked: int = 0
    finished: bool = False
    connections: int = 0
    skipped: int = 0  # events already held by the receiver (``resume``)
    _buffer: deque[bytes] = field(default_factory=deque)  # events acked+1 .. pushed
    _next: int = 0  # next sequence number to put in a BATCH on this connection; 0: no WELCOME
    _end_sent: bool = False
    _done: bool = False  # the receiver confirmed END

    def __post_init__(self) -> None:
        if not self.source:
            raise WireError("source: must be a non-empty string")
        for name in ("window", "batch_events", "batch_bytes"):
            if getattr(self, name) < 1:
                raise WireError(f"{name}: must be >= 1, got {getattr(self, name)}")

    @property
    def unacked(self) -> int:
        """Events pushed and not yet acknowledged."""
        return len(self._buffer)

    @property
    def room(self) -> int:
        """How many more events :meth:`push` accepts now."""
        return self.window - len(self._buffer)

    @property
    def done(self) -> bool:
        """The receiver confirmed (DONE) that it holds the whole finished input."""
        return self._done

    @property
    def ready(self) -> bool:
        """Whether the current connection got its WELCOME (so batches may flow)."""
        return self._next > 0

    def push(self, event: bytes) -> int:
        """Append one event (JSON, no newline inside); give its sequence number."""
        if self.finished:
            raise WireError(f"source {self.source!r}: push after finish")
        if b"\n" in event:
            raise WireError("event: must not contain a newline (one JSON text per event)")
        self.pushed += 1
        if self.pushed <= self.acked:  # resumed: the receiver already has it
            self.skipped += 1
            return self.pushed
        if len(self._buffer) >= self.window:
            self.pushed -= 1
            raise WireError(f"source {self.source!r}: window of {self.window} events is full")
        self._buffer.append(event)
        return self.pushed

    def finish(self) -> None:
        """Mark the input complete; an END message follows the last batch."""
        self.finished = True

    def hello(self) -> Hello:
        """The first message on a new connection's stream for this source."""
        self.connections += 1
        self._next = 0
        self._end_sent = False
        return Hello(self.source, self.connections, self.sender_id, self.resume)

    def connection_lost(self) -> None:
        """The stream is gone; unacknowledged events are replayed on the next one."""
        self._next = 0
        self._end_sent = False

    def receive(self, message: Message) -> None:
        """Apply a WELCOME, ACK or DONE from the receiver."""
        if isinstance(message, Welcome):
            last = message.last_seq
            if last < self.acked:
                raise WireError(
                    f"source {self.source!r}: the receiver remembers {last} events but had "
                    f"acknowledged {self.acked}; it lost its state, so exactly-once delivery "
                    "cannot continue"
                )
            if last > self.acked and self.connections == 1 and self.acked == 0:
                if not self.resume:
                    raise WireError(
                        f"source {self.source!r}: the receiver already holds {last} events of "
                        "this source id; resume to skip them (same input) or use another id"
                    )
                self.skipped += min(last, self.pushed)  # pushed before the WELCOME
            elif last > self.pushed:
                raise WireError(
                    f"source {self.source!r}: the receiver claims {last} events, only "
                    f"{self.pushed} were sent"
                )
            self._advance(last)
            self._next = last + 1
        elif isinstance(message, Ack):
            if message.seq > self.pushed or (self._next and message.seq >= self._next):
                raise WireError(
                    f"source {self.source!r}: ACK {message.seq} for an event not sent yet"
                )
            self._advance(message.seq)
        elif isinstance(message, Refuse):
            raise WireError(message.reason)
        elif isinstance(message, Done):
            if not self._end_sent or message.last_seq != self.pushed:
                raise WireError(
                    f"source {self.source!r}: DONE at {message.last_seq} before END, or for "
                    f"another length than the {self.pushed} events sent"
                )
            self._advance(message.last_seq)
            self._done = True
        else:
            raise WireError(f"source {self.source!r}: unexpected {type(message).__name__}")

    def _advance(self, seq: int) -> None:
        while self.acked < seq:
            if self._buffer:
                self._buffer.popleft()
            self.acked += 1

    def next_message(self) -> Batch | End | None:
        """The next message to send on this connection, or ``None`` for now."""
        if not self._next:
            return None
        if self._next <= self.pushed:
            start = self._next - self.acked - 1  # index of _next in the buffer
            events: list[bytes] = []
            size = 0
            buffer = self._buffer
            stop = min(len(buffer), start + self.batch_events)
            for i in range(start, stop):
                event = buffer[i]
                if events and size + len(event) > self.batch_bytes:
                    break
                events.append(event)
                size += len(event) + 1
            first = self._next
            self._next += len(events)
            return Batch(first, events)
        if self.finished and self.acked > self.pushed:
            raise WireError(
                f"source {self.source!r}: the receiver holds {self.acked} events, the input "
                f"has only {self.pushed}; it is not the input that was sent before"
            )
        if self.finished and not self._end_sent and self._next == self.pushed + 1:
            self._end_sent = True
            return End(self.pushed)
        return None


@dataclass
class _SourceState:
    last_seq: int = 0
    owner: int | None = None  # sender id of the current producer
    attempt: int = -1
    retired: set[int] = field(default_factory=set)  # sender ids taken over
    session: int = 0
    complete: bool = False


class Receiver:
    """The receiving side for every source: dedupe, ordering, acknowledgements.

    A stream starts with :meth:`open` (the HELLO), which gives a session number;
    a later :meth:`open` of the same source supersedes it, and messages of the old
    session are ignored, so a half-dead connection cannot interleave with its
    replacement.

    Examples
    --------
    >>> r = Receiver()
    >>> session, welcome = r.open(Hello("sensor-1", 1))
    >>> welcome
    Welcome(last_seq=0)
    >>> r.accept(session, "sensor-1", Batch(1, [b"{}", b"{}"]))
    [b'{}', b'{}']
    >>> r.delivered("sensor-1", 2)
    >>> r.ack("sensor-1")
    Ack(seq=2)
    """

    def __init__(self) -> None:
        self._sources: dict[str, _SourceState] = {}
        self._sessions = 0
        self.duplicates = 0

    def open(self, hello: Hello) -> tuple[int, Welcome] | Refuse | None:
        """Start a session for ``hello.source``; answer with its last delivered number.

        A source has one sender at a time. Another sender id is refused unless its
        HELLO says ``resume`` (the same input, restarted); then it takes the source
        over and the old id is refused from then on. ``None`` when the same sender
        already opened a later attempt (a late HELLO of a connection it gave up:
        close that stream).
        """
        state = self._sources.setdefault(hello.source, _SourceState())
        if hello.sender in state.retired:
            return Refuse(f"source {hello.source!r} was taken over by another sender")
        if hello.sender == state.owner and hello.attempt <= state.attempt:
            return None
        if hello.sender != state.owner and state.owner is not None:
            if not hello.resume:
                return Refuse(
                    f"source {hello.source!r} belongs to another sender ({state.last_seq} "
                    "events delivered); to continue it with the same input, resume "
                    "(--resume); otherwise use another source id"
                )
            state.retired.add(state.owner)
        state.owner = hello.sender
        state.attempt = hello.attempt
        self._sessions += 1
        state.session = self._sessions
        state.complete = False
        return state.session, Welcome(state.last_seq)

    def current(self, session: int, source: str) -> bool:
        """Whether ``session`` is still the live one for ``source``."""
        state = self._sources.get(source)
        return state is not None and state.session == session

    def accept(self, session: int, source: str, batch: Batch) -> list[bytes]:
        """The events of ``batch`` not delivered before (empty for a stale session).

        Deliver them in order, calling :meth:`delivered` after each (or once after
        the last), then send :meth:`ack`.
        """
        state = self._sources.get(source)
        if state is None or state.session != session:
            return []
        if batch.first_seq > state.last_seq + 1:
            raise WireError(
                f"source {source!r}: BATCH starts at {batch.first_seq}, expected at most "
                f"{state.last_seq + 1} (events would be lost)"
            )
        if batch.first_seq < 1:
            raise WireError(f"source {source!r}: BATCH starts at {batch.first_seq}, must be >= 1")
        skip = state.last_seq + 1 - batch.first_seq
        self.duplicates += min(skip, len(batch.events))
        return batch.events[skip:] if skip else batch.events

    def delivered(self, source: str, seq: int) -> None:
        """Record that every event of ``source`` up to ``seq`` reached the consumer."""
        state = self._sources[source]
        if seq > state.last_seq:
            state.last_seq = seq

    def end(self, session: int, source: str, end: End) -> Done | None:
        """Apply an END: the DONE to answer with, or ``None`` for a stale session."""
        state = self._sources.get(source)
        if state is None or state.session != session:
            return None
        if end.last_seq != state.last_seq:
            raise WireError(
                f"source {source!r}: END at {end.last_seq} but {state.last_seq} delivered"
            )
        state.complete = True
        return Done(state.last_seq)

    def ack(self, source: str) -> Ack:
        """The cumulative acknowledgement for ``source``."""
        return Ack(self._sources[source].last_seq)

    def last_seq(self, source: str) -> int:
        """Last delivered sequence number of ``source`` (0 when unknown)."""
        state = self._sources.get(source)
        return state.last_seq if state else 0

    def complete(self, source: str) -> bool:
        """Whether ``source`` sent END with everything delivered."""
        state = self._sources.get(source)
        return bool(state and state.complete)

    @property
    def sources(self) -> list[str]:
        """Every source id seen."""
        return list(self._sources)
