"""What the creator of a connection (``connect``, a server) uses of its life.

A :class:`Lifecycle` is made by :func:`._assembly.assemble_connection` and handed
to the :class:`~quic_multistream.Connection`, which runs its hooks and fills in
its controls; the creator adds hooks and calls the controls through it, never
through the connection's attributes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

__all__ = ["Lifecycle"]


def _unset(*args: object) -> None:
    raise RuntimeError("Lifecycle control used before a Connection took it")


@dataclass(eq=False)
class Lifecycle:
    """Hooks run by a connection, and controls it offers to its creator."""

    #: run once when the handshake completes
    on_handshake: list[Callable[[], None]] = field(default_factory=list)
    #: run once at the first stream or datagram event (only a packet that
    #: decrypted with 0-RTT or 1-RTT keys carries one), unless the handshake
    #: completes first
    on_app_data: list[Callable[[], None]] = field(default_factory=list)
    #: run once when the connection has terminated
    on_close: list[Callable[[], None]] = field(default_factory=list)
    #: ``handshake_done()``: whether the handshake completed
    handshake_done: Callable[[], bool] = _unset  # type: ignore[assignment]
    #: ``await wait_handshake()``: until the handshake completes (raises its error)
    wait_handshake: Callable[[], Awaitable[None]] = _unset  # type: ignore[assignment]
    #: ``start_keepalive(interval)``: PING every ``interval`` seconds while open
    start_keepalive: Callable[[float], None] = _unset
    #: ``release()``: free the socket (a client's) and the timer once done
    release: Callable[[], None] = _unset
