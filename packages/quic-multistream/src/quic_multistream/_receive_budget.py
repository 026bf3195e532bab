"""Receive memory budgets for a connection and a server, sans-I/O.

Everything a peer sends is either still *held* by us (unread stream data,
partial and complete messages not yet returned, out-of-order data the QUIC stack
reassembles) or *released* (returned to the application, or discarded). QUIC's
connection-level flow control (MAX_DATA) caps the bytes a peer may send in
total, so announcing ``MAX_DATA = released + budget`` bounds what is held to
``budget`` whatever the number of streams: :meth:`ReceiveBudget.max_data`.

A :class:`ReceivePool` shares one budget among a server's connections: a
connection is granted credit only while the credit outstanding over all
connections stays within the pool, and connections starved by the pool are
woken when others release memory.

Where the QUIC stack grants credit on its own (qh3), the budget cannot hold the
peer back; :meth:`ReceiveBudget.overrun` then tells the connection to close.
"""

from __future__ import annotations

from collections.abc import Callable

from .errors import ConfigurationError

__all__ = [
    "DEFAULT_RECEIVE_BUDGET",
    "DEFAULT_SERVER_RECEIVE_BUDGET",
    "ReceiveBudget",
    "ReceivePool",
    "check_budget",
]

#: Default per-connection budget (``receive_budget``): 64 MiB.
DEFAULT_RECEIVE_BUDGET = 64 * 1024 * 1024
#: Default budget shared by a server's connections (``server_receive_budget``): 1 GiB.
DEFAULT_SERVER_RECEIVE_BUDGET = 1024 * 1024 * 1024


def check_budget(name: str, value: object, minimum: int) -> int:
    """Validate a budget argument (an int of at least ``minimum`` bytes)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigurationError(f"{name} must be an int (bytes), got {value!r}")
    if value < minimum:
        raise ConfigurationError(f"{name} must be at least {minimum} bytes, got {value}")
    return value


class ReceiveBudget:
    """The receive memory account of one connection.

    Parameters
    ----------
    budget : int
        Bytes that may be held at once.
    pool : ReceivePool, optional
        A server-wide budget this connection draws from.

    Examples
    --------
    >>> b = ReceiveBudget(1000)
    >>> b.initial(4000)  # initial credit: at most the budget
    1000
    >>> b.arrived(600); b.hold(600)
    >>> b.max_data(sent=1000) is None  # nothing released: no more credit
    True
    >>> b.release(500)  # True: worth announcing more credit now
    True
    >>> b.max_data(sent=1000)  # released 500: the peer may send 500 more
    1500
    """

    def __init__(self, budget: int, pool: ReceivePool | None = None) -> None:
        self.budget = budget
        self.pool = pool
        #: stream bytes the QUIC stack passed to us
        self.delivered = 0
        #: bytes of those we still buffer
        self.held = 0
        #: bytes the peer's flow-control usage counts that never reach us
        #: (the gap to the final size of a reset stream)
        self.gaps = 0
        #: the last MAX_DATA we announced (None: the stack grants credit itself)
        self.granted: int | None = None
        self.wake: Callable[[], None] | None = None
        self._released_mark = 0
        if pool is not None:
            pool.members.add(self)

    @property
    def released(self) -> int:
        """Bytes counted by flow control that we no longer hold."""
        return self.delivered + self.gaps - self.held

    @property
    def outstanding(self) -> int:
        """Bytes the peer may still have us hold: announced credit not yet released."""
        if self.granted is None:
            return self.held
        return max(0, self.granted - self.released)

    def arrived(self, n: int) -> None:
        """The QUIC stack delivered ``n`` stream bytes (held or not)."""
        self.delivered += n

    def hold(self, n: int) -> None:
        """``n`` delivered bytes are now buffered by us."""
        self.held += n
        if self.pool is not None:
            self.pool.held += n

    def release(self, n: int) -> bool:
        """``n`` held bytes left our buffers; True when announcing more credit is due."""
        self.held -= n
        if self.pool is not None:
            self.pool.held -= n
        due = self.released - self._released_mark >= self.budget // 8
        if due:
            self._released_mark = self.released
            if self.pool is not None:
                self.pool.wake_starved(self)
        return due

    def reset_gap(self, n: int) -> None:
        """A reset stream's final size is ``n`` bytes beyond what was delivered."""
        self.gaps += max(0, n)

    def allowance(self) -> int:
        """Credit this connection may have outstanding now (its budget, or less from the pool)."""
        if self.pool is None:
            return self.budget
        return min(self.budget, self.pool.allowance(self))

    def initial(self, wanted: int) -> int:
        """The initial MAX_DATA (transport parameter): ``wanted``, within the allowance."""
        self.granted = min(wanted, self.allowance())
        return self.granted

    def max_data(self, sent: int) -> int | None:
        """The MAX_DATA to announce now, or None to keep ``sent``.

        ``sent`` is the value announced last. A new value goes out once it
        raises the limit by at least an eighth of the budget (a few frames per
        budget, not one per packet).
        """
        step = max(1, self.budget // 8)
        allowance = self.allowance()
        target = self.released + allowance
        if target < sent + step:
            if self.pool is not None and allowance < self.budget:
                self.pool.starved.add(self)  # wake me when others release
            return None
        self.granted = target
        if self.pool is not None:
            self.pool.starved.discard(self)
        return target

    def overrun(self) -> str | None:
        """Why the connection must close (held beyond a budget it cannot enforce), or None."""
        if self.granted is not None:
            return None
        if self.held > self.budget:
            return (
                f"receive budget exceeded: {self.held} bytes buffered unread, "
                f"receive_budget={self.budget}"
            )
        if self.pool is not None and self.pool.held > self.pool.budget:
            return (
                f"server receive budget exceeded: {self.pool.held} bytes buffered unread "
                f"over all connections, server_receive_budget={self.pool.budget}"
            )
        return None

    def close(self) -> None:
        """The connection ended: its memory and credit return to the pool."""
        if self.pool is not None and self in self.pool.members:
            self.pool.held -= self.held
            self.pool.members.discard(self)
            self.pool.starved.discard(self)
            self.pool.wake_starved(self)


class ReceivePool:
    """A receive budget shared by a server's connections.

    Examples
    --------
    >>> pool = ReceivePool(1500)
    >>> a, b = ReceiveBudget(1000, pool), ReceiveBudget(1000, pool)
    >>> a.initial(1000)
    1000
    >>> b.initial(1000)  # only 500 left in the pool
    500
    """

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.members: set[ReceiveBudget] = set()
        self.starved: set[ReceiveBudget] = set()
        #: bytes held over all member connections
        self.held = 0

    def allowance(self, member: ReceiveBudget) -> int:
        """Credit ``member`` may have outstanding, given what the others have."""
        others = sum(m.outstanding for m in self.members if m is not member)
        return max(0, self.budget - others)

    def wake_starved(self, source: ReceiveBudget) -> None:
        """Let connections the pool held back announce credit again."""
        for member in list(self.starved):
            if member is not source and member.wake is not None:
                member.wake()
