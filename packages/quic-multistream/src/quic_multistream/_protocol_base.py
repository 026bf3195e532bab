"""The asyncio-protocol pieces both backends share, on top of their library's
``QuicConnectionProtocol`` (aioquic and qh3 give it the same attributes).

:class:`LinkedProtocol` is a mixin: it passes the stack's events to the
connection's :class:`~._backend_api.ConnectionLink`, re-arms the stack's timer
after a transmit (:func:`._transmit.timer_change`) and offers the members of
:class:`~._backend_api.QuicProtocol` that :class:`~quic_multistream.Connection`
uses, so the connection never reads the protocol's private attributes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._backend_api import ConnectionLink
from ._counters import Counters
from ._transmit import timer_change

__all__ = ["LinkedProtocol"]


class LinkedProtocol:
    """Mixin for a backend's protocol class (put it before the library's base)."""

    # Set by the library's QuicConnectionProtocol.__init__.
    _quic: Any
    _loop: Any
    _transport: Any
    _timer: Any
    _timer_at: float | None
    _transmit_task: Any
    counters: Counters
    link: ConnectionLink | None

    _handle_timer: Callable[[], None]
    _transmit_soon: Callable[[], None]

    @property
    def quic(self) -> Any:
        """The backend's ``QuicConnection``."""
        return self._quic

    def now(self) -> float:
        """The event loop's clock, in seconds."""
        return float(self._loop.time())

    def schedule_transmit(self) -> None:
        """Transmit on the next event-loop iteration."""
        self._transmit_soon()

    # -- the TransmitStack members both backends answer the same way (see _transmit.py) --

    def feed(self) -> int:
        return 0 if self.link is None else self.link.feed()

    def has_queued(self) -> bool:
        return self.link is not None and self.link.has_queued()

    def quic_event_received(self, event: Any) -> None:
        if self.link is not None:
            self.link.on_event(event)

    def _rearm_timer(self) -> None:
        """Arm the library's timer for the stack's next deadline."""
        wanted = self._quic.get_timer()
        cancel, arm = timer_change(self._timer is not None, self._timer_at, wanted)
        if cancel:
            self._timer.cancel()
            self._timer = None
        if arm:
            self._timer = self._loop.call_at(wanted, self._handle_timer)
        self._timer_at = wanted

    def release(self, *, close_transport: bool, cancel_timer: bool) -> None:
        """Close our UDP socket and/or cancel the stack's timer."""
        if close_transport and self._transport is not None:
            self._transport.close()
        if cancel_timer and self._timer is not None:
            self._timer.cancel()
            self._timer = None
