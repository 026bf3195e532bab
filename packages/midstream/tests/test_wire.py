"""The sans-I/O send/ack protocol: exactly-once, in-order delivery under any drops."""

from __future__ import annotations

from collections import deque

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from midstream.wire import (
    Ack,
    Alert,
    Batch,
    Control,
    Done,
    End,
    Hello,
    Receiver,
    Refuse,
    Sender,
    Welcome,
    WireError,
    decode,
)


class _Link:
    """One connection: two ordered queues of encoded messages (a QUIC stream)."""

    def __init__(self) -> None:
        self.to_receiver: deque[bytes] = deque()
        self.to_sender: deque[bytes] = deque()
        self.session = 0


class _World:
    """A sender, a receiver and the connections between them, stepped by the test."""

    def __init__(self, n: int, window: int, batch: int) -> None:
        self.events = [f'{{"stream": "s", "i": {i}}}'.encode() for i in range(n)]
        self.sender = Sender("src", window=window, batch_events=batch)
        self.receiver = Receiver()
        self.delivered: list[bytes] = []
        self.stale: list[_Link] = []
        self.link = self._connect()

    def _connect(self) -> _Link:
        link = _Link()
        link.to_receiver.append(self.sender.hello().encode())
        return link

    def push(self) -> None:
        s = self.sender
        if s.pushed < len(self.events) and s.room:
            s.push(self.events[s.pushed])
        elif s.pushed == len(self.events):
            s.finish()

    def send(self) -> None:
        msg = self.sender.next_message()
        if msg is not None:
            self.link.to_receiver.append(msg.encode())

    def serve(self, link: _Link) -> None:
        if not link.to_receiver:
            return
        msg = decode(link.to_receiver.popleft())
        r = self.receiver
        if isinstance(msg, Hello):
            opened = r.open(msg)
            assert not isinstance(opened, Refuse)  # one sender in this model
            if opened is not None:
                link.session, welcome = opened
                link.to_sender.append(welcome.encode())
        elif isinstance(msg, Batch):
            new = r.accept(link.session, "src", msg)
            if new:
                self.delivered.extend(new)
                r.delivered("src", msg.first_seq + len(msg.events) - 1)
            if r.current(link.session, "src"):
                link.to_sender.append(r.ack("src").encode())
        elif isinstance(msg, End):
            done = r.end(link.session, "src", msg)
            if done is not None:
                link.to_sender.append(done.encode())
        else:  # pragma: no cover - the model sends nothing else
            raise AssertionError(msg)

    def hear(self) -> None:
        if self.link.to_sender:
            self.sender.receive(decode(self.link.to_sender.popleft()))

    def drop(self, keep_in_flight: int) -> None:
        # Part of what was sent may still reach the receiver later (a half-dead
        # connection the server has not noticed yet); what comes back is lost.
        old = self.link
        while len(old.to_receiver) > keep_in_flight:
            old.to_receiver.pop()
        old.to_sender.clear()
        self.stale.append(old)
        self.sender.connection_lost()
        self.link = self._connect()

    def step(self, action: int, arg: int) -> None:
        if action == 0:
            self.push()
        elif action == 1:
            self.send()
        elif action == 2:
            self.serve(self.link)
        elif action == 3:
            self.hear()
        elif action == 4:
            self.drop(arg)
        elif action == 5 and self.stale:
            self.serve(self.stale[arg % len(self.stale)])

    def drain(self) -> None:
        for _ in range(100_000):
            if self.sender.done:
                return
            self.push()
            self.send()
            self.serve(self.link)
            self.hear()
        raise AssertionError("did not finish")


@settings(max_examples=1000, deadline=None)
@given(
    n=st.integers(0, 60),
    window=st.integers(1, 20),
    batch=st.integers(1, 7),
    actions=st.lists(st.tuples(st.integers(0, 5), st.integers(0, 4)), max_size=300),
)
def test_any_interleaving_of_drops_delivers_each_event_once_in_order(n, window, batch, actions):
    world = _World(n, window, batch)
    for action, arg in actions:
        world.step(action, arg)
        assert world.delivered == world.events[: len(world.delivered)]
        assert world.sender.unacked <= window
    world.drain()
    # Stale connections delivering late change nothing.
    for link in world.stale:
        while link.to_receiver:
            world.serve(link)
    assert world.delivered == world.events
    assert world.receiver.complete("src")
    assert world.sender.acked == n


@settings(max_examples=100, deadline=None)
@given(n=st.integers(1, 40), cut=st.integers(0, 40), window=st.integers(1, 50))
def test_restarted_sender_resumes_after_what_the_receiver_holds(n, cut, window):
    # A killed `send` process restarted on the same input with resume=True.
    events = [str(i).encode() for i in range(n)]
    receiver = Receiver()
    delivered: list[bytes] = []
    session, _ = receiver.open(Hello("f", 1, sender=1))
    first = events[: min(cut, n)]
    if first:
        delivered += receiver.accept(session, "f", Batch(1, first))
        receiver.delivered("f", len(first))
    sender = Sender("f", window=window, resume=True, sender_id=2)
    opened = receiver.open(sender.hello())
    assert opened is not None
    session, welcome = opened
    sender.receive(welcome)
    for e in events:
        while not sender.room:
            msg = sender.next_message()
            assert isinstance(msg, Batch)
            delivered += receiver.accept(session, "f", msg)
            receiver.delivered("f", msg.first_seq + len(msg.events) - 1)
            sender.receive(receiver.ack("f"))
        sender.push(e)
    sender.finish()
    while not sender.done:
        msg = sender.next_message()
        if isinstance(msg, Batch):
            delivered += receiver.accept(session, "f", msg)
            receiver.delivered("f", msg.first_seq + len(msg.events) - 1)
            sender.receive(receiver.ack("f"))
        else:
            assert isinstance(msg, End)
            done = receiver.end(session, "f", msg)
            assert done is not None
            sender.receive(done)
    assert delivered == events
    assert sender.skipped == len(first)


def test_fresh_sender_refuses_a_source_id_the_receiver_already_holds():
    sender = Sender("f")
    sender.hello()
    with pytest.raises(WireError, match="already holds 5 events"):
        sender.receive(Welcome(5))


def test_receiver_that_lost_its_state_is_an_error_not_a_silent_replay():
    sender = Sender("f")
    sender.hello()
    sender.receive(Welcome(0))
    sender.push(b"1")
    sender.next_message()
    sender.receive(Ack(1))
    sender.connection_lost()
    sender.hello()
    with pytest.raises(WireError, match="lost its state"):
        sender.receive(Welcome(0))


def test_resumed_input_shorter_than_what_was_delivered_is_an_error():
    sender = Sender("f", resume=True)
    sender.hello()
    sender.receive(Welcome(3))
    sender.push(b"1")
    sender.finish()
    with pytest.raises(WireError, match="not the input"):
        sender.next_message()


def test_late_hello_of_an_abandoned_connection_is_ignored():
    receiver = Receiver()
    opened = receiver.open(Hello("f", 2))
    assert opened is not None
    assert receiver.open(Hello("f", 1)) is None
    assert receiver.current(opened[0], "f")


def test_only_done_finishes_a_sender():
    # The ACK of the last batch can arrive after END was sent; it must not end the
    # sender, or a receiver that never saw END would wait for the source forever.
    sender = Sender("f")
    sender.push(b"a")
    sender.hello()
    sender.receive(Welcome(0))
    assert sender.next_message() == Batch(1, [b"a"])
    sender.finish()
    assert sender.next_message() == End(1)
    sender.receive(Ack(1))
    assert not sender.done
    with pytest.raises(WireError, match="DONE at 0"):
        sender.receive(Done(0))
    sender.receive(Done(1))
    assert sender.done


def test_empty_source_completes():
    receiver = Receiver()
    sender = Sender("f")
    sender.finish()
    opened = receiver.open(sender.hello())
    assert opened is not None
    sender.receive(opened[1])
    end = sender.next_message()
    assert end == End(0)
    done = receiver.end(opened[0], "f", end)
    assert done == Done(0) and receiver.complete("f")
    sender.receive(done)
    assert sender.done


def test_one_sender_per_source_a_resuming_one_takes_over():
    # Two producers with one source id must never interleave it: a second sender
    # is refused unless it resumes (same input, restarted); then the first is out.
    receiver = Receiver()
    a = Sender("f", sender_id=1)
    opened_a = receiver.open(a.hello())
    assert not isinstance(opened_a, Refuse) and opened_a is not None
    a.receive(opened_a[1])
    a.push(b"a1")
    assert receiver.accept(opened_a[0], "f", a.next_message()) == [b"a1"]
    receiver.delivered("f", 1)
    # A second sender without resume is refused, and the first keeps its session.
    b = Sender("f", sender_id=2)
    refused = receiver.open(b.hello())
    assert isinstance(refused, Refuse) and "belongs to another sender" in refused.reason
    with pytest.raises(WireError, match="belongs to another sender"):
        b.receive(decode(refused.encode()))
    assert receiver.current(opened_a[0], "f")
    # A resuming sender takes over: the first one's session is stale, then refused.
    c = Sender("f", sender_id=3, resume=True)
    opened_c = receiver.open(c.hello())
    assert not isinstance(opened_c, Refuse) and opened_c is not None
    assert opened_c[1] == Welcome(1)
    a.push(b"a2")
    assert receiver.accept(opened_a[0], "f", a.next_message()) == []
    a.connection_lost()
    refused = receiver.open(a.hello())
    assert isinstance(refused, Refuse) and "taken over" in refused.reason


def test_gap_in_sequence_numbers_is_refused():
    receiver = Receiver()
    session, _ = receiver.open(Hello("f", 1))
    with pytest.raises(WireError, match="expected at most 1"):
        receiver.accept(session, "f", Batch(3, [b"x"]))


def test_window_bounds_the_sender():
    sender = Sender("f", window=2)
    sender.push(b"a")
    sender.push(b"b")
    assert sender.room == 0
    with pytest.raises(WireError, match="window of 2"):
        sender.push(b"c")
    assert sender.pushed == 2


def test_batches_respect_event_and_byte_limits():
    sender = Sender("f", batch_events=3, batch_bytes=10)
    for e in [b"aaaa", b"bbbb", b"cccc", b"d"]:
        sender.push(e)
    sender.hello()
    sender.receive(Welcome(0))
    assert sender.next_message() == Batch(1, [b"aaaa", b"bbbb"])
    assert sender.next_message() == Batch(3, [b"cccc", b"d"])
    assert sender.next_message() is None


def test_ack_beyond_what_was_sent_is_refused():
    sender = Sender("f")
    sender.push(b"a")
    sender.hello()
    sender.receive(Welcome(0))
    with pytest.raises(WireError, match="not sent yet"):
        sender.receive(Ack(1))


@pytest.mark.parametrize(
    "message",
    [
        Hello("sensor-ü", 3, sender=2**63 + 5),
        Hello("s", 1, sender=7, resume=True),
        Refuse("taken over"),
        Welcome(7),
        Batch(1, [b"{}", b'{"a": 1}']),
        Ack(2**40),
        End(3),
        Done(3),
        Control(),
        Alert(b'{"kind": "alert"}'),
    ],
)
def test_messages_round_trip(message):
    assert decode(message.encode()) == message


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (b"", "empty"),
        (b"Z", "unknown message kind"),
        (b"A\x00", "expected 8 bytes"),
        (b"H\x09src", "protocol version 9"),
        (b"H\x01" + bytes(17), "empty source id"),
        (b"H\x01" + bytes(17) + b"\xff", "not UTF-8"),
        (b"H\x01abc", "shorter than its header"),
        (b"B12", "shorter than its header"),
    ],
)
def test_malformed_messages_raise_wire_error(data, match):
    with pytest.raises(WireError, match=match):
        decode(data)


def test_event_with_newline_is_refused():
    with pytest.raises(WireError, match="newline"):
        Sender("f").push(b'{"a":\n1}')


@pytest.mark.parametrize("name", ["window", "batch_events", "batch_bytes"])
def test_bad_limits_name_the_argument(name):
    with pytest.raises(WireError, match=name):
        Sender("f", **{name: 0})
