"""A feed round's work grows with the streams that have data, not with open streams.

The Connection's feed (``Connection._feed``) runs on a fake backend that records
which streams it is asked about; no sockets. (CPU per message that does grow
with open streams comes from aioquic's packet builder, which visits every
stream for every packet; see the README's Performance section.)
"""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import pytest

from quic_multistream._counters import Counters
from quic_multistream.connection import Connection
from quic_multistream.priority import StreamPriority


class FakeStack:
    """A QUIC stack that sends everything it is given at once (nothing stays unsent)
    unless told to hold, and counts the per-stream questions asked of it."""

    def __init__(self) -> None:
        self.next_id = 0
        self.unsent: dict[int, int] = {}
        self.asked: list[int] = []
        self.hold = False

    # backend functions
    def open_stream(self, quic: object, uni: bool) -> int:
        sid, self.next_id = self.next_id, self.next_id + 4
        return sid

    def unsent_bytes(self, quic: object, sid: int) -> int:
        self.asked.append(sid)
        return self.unsent.get(sid, 0)

    def credit_left(self, quic: object, sid: int) -> int:
        return 1 << 20

    def loss(self, quic: object) -> SimpleNamespace:
        return SimpleNamespace(congestion_window=1 << 20, bytes_in_flight=0, _rtt_smoothed=0.01)

    # quic
    def send_stream_data(self, sid: int, data: bytes, end_stream: bool = False) -> None:
        if self.hold:
            self.unsent[sid] = self.unsent.get(sid, 0) + len(data)


class FakeProtocol:
    def __init__(self, stack: FakeStack) -> None:
        self.quic = stack
        self.counters = Counters()
        self.link = None

    def schedule_transmit(self) -> None:
        pass

    def now(self) -> float:
        return 0.0


def _connection(stack: FakeStack) -> Connection:
    from quic_multistream._backend import get_backend

    backend = dataclasses.replace(
        get_backend("aioquic"),
        open_stream=stack.open_stream,
        unsent_bytes=stack.unsent_bytes,
        credit_left=stack.credit_left,
        loss=stack.loss,
    )
    return Connection(
        FakeProtocol(stack),  # type: ignore[arg-type]
        is_client=True,
        max_message_size=1 << 20,
        send_buffer=1 << 20,
        receive_window=1 << 20,
        unsent_window=65536,
        backend=backend,
    )


@pytest.mark.parametrize("open_streams", [1, 10, 100, 1000])
def test_feed_asks_only_about_streams_it_fed(open_streams):
    stack = FakeStack()
    conn = _connection(stack)
    streams = [conn._open(False, StreamPriority.NORMAL) for _ in range(open_streams)]
    busy = streams[:1]
    for round_ in range(5):
        stack.asked.clear()
        busy[0]._link.scheduler.push(busy[0].stream_id, b"x" * 64)
        assert conn._feed() == 64
        # The previous round's stream was asked about once (sent: forgotten);
        # the idle streams never.
        assert len(stack.asked) <= 1, (open_streams, round_, stack.asked)
        assert set(stack.asked) <= {busy[0].stream_id}


def test_streams_holding_unsent_data_are_asked_about_until_it_leaves():
    stack = FakeStack()
    conn = _connection(stack)
    streams = [conn._open(False, StreamPriority.NORMAL) for _ in range(50)]
    stack.hold = True
    for s in streams[:3]:
        s._link.scheduler.push(s.stream_id, b"y" * 100)
    conn._feed()
    stack.hold = False
    streams[3]._link.scheduler.push(streams[3].stream_id, b"z")
    stack.asked.clear()
    conn._feed()
    assert sorted(stack.asked) == sorted(s.stream_id for s in streams[:3])
    for s in streams[:3]:
        stack.unsent[s.stream_id] = 0  # the stack sent it
    streams[4]._link.scheduler.push(streams[4].stream_id, b"z")
    stack.asked.clear()
    conn._feed()
    # Asked once more (now 0: forgotten) and about the stream fed last round.
    assert sorted(stack.asked) == sorted(s.stream_id for s in streams[:4])
    streams[5]._link.scheduler.push(streams[5].stream_id, b"z")
    stack.asked.clear()
    conn._feed()
    assert stack.asked == [streams[4].stream_id]
