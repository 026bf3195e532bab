"""Transport options shared by :func:`~quic_multistream.connect`,
:func:`~quic_multistream.serve` and :func:`~quic_multistream.serve_webtransport`.

One :class:`Options` value collects the settings a deployment tunes (limits,
windows, budgets, timeouts), like httpx's ``Limits`` and ``Timeout``: build it
once, pass it as ``options=`` to every entry point, and derive variants with
:meth:`Options.replace`. The entry points still take each setting as a keyword
argument; one given there overrides the same field of ``options``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from ._receive_budget import DEFAULT_RECEIVE_BUDGET, check_budget
from .errors import ConfigurationError
from .framing import HEADER_SIZE, check_max_message_size

__all__ = ["Options"]


def _positive_int(name: str, value: object, maximum: int = 2**62) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= maximum:
        raise ConfigurationError(f"{name} must be an int in [1, {maximum}], got {value!r}")
    return value


def _positive_float(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ConfigurationError(f"{name} must be a positive number, got {value!r}")
    if value != value or value == float("inf"):
        raise ConfigurationError(f"{name} must be finite, got {value!r}")
    return float(value)


@dataclass(frozen=True)
class Options:
    """Validated transport settings; every field has the documented default.

    Parameters
    ----------
    max_streams : int
        Concurrent streams the peer may open per direction (1024).
    idle_timeout : float
        Seconds of silence after which a connection is dropped (30).
    max_message_size : int
        Largest message :meth:`Stream.recv_message` accepts (16 MiB).
    datagrams : bool
        Enable RFC 9221 datagrams (off; always on for WebTransport).
    receive_window : int
        Unread bytes the peer may send per stream before it must wait (1 MiB;
        rounded up to an even number).
    receive_budget : int
        Bytes buffered for one connection across all its streams, partial
        messages included (64 MiB); at least ``max_message_size`` + 4 and
        ``receive_window``. See the README's security section.
    send_buffer : int
        Bytes :meth:`Stream.send` queues per stream before it waits (256 KiB).
    unsent_window : int
        Bytes handed to the QUIC stack and not yet sent, across streams, at
        least (64 KiB); keeps priorities effective.
    keepalive_interval : float or None
        Send a PING this often (seconds) so idle connections stay open (off);
        shorter than ``idle_timeout``.
    incremental : bool
        Within one priority level, serve streams round-robin (True) or one at a
        time in the order they became ready (False).

    Raises
    ------
    ConfigurationError
        A field has a bad type or value; the message names it.

    Examples
    --------
    >>> small = Options(max_streams=16, receive_budget=32 * 1024 * 1024)
    >>> small.replace(idle_timeout=5).idle_timeout
    5.0
    >>> Options(receive_window=10)
    Traceback (most recent call last):
    ...
    quic_multistream.errors.ConfigurationError: receive_window must be at least 1024, got 10
    """

    max_streams: int = 1024
    idle_timeout: float = 30.0
    max_message_size: int = 16 * 1024 * 1024
    datagrams: bool = False
    receive_window: int = 1024 * 1024
    receive_budget: int = DEFAULT_RECEIVE_BUDGET
    send_buffer: int = 256 * 1024
    unsent_window: int = 64 * 1024
    keepalive_interval: float | None = None
    incremental: bool = True

    def __post_init__(self) -> None:
        window = _positive_int("receive_window", self.receive_window, 2**40)
        if window < 1024:
            raise ConfigurationError(f"receive_window must be at least 1024, got {window}")
        idle = _positive_float("idle_timeout", self.idle_timeout)
        keep = None
        if self.keepalive_interval is not None:
            keep = _positive_float("keepalive_interval", self.keepalive_interval)
            if keep >= idle:
                raise ConfigurationError(
                    f"keepalive_interval ({keep}) must be shorter than idle_timeout ({idle})"
                )
        message_limit = check_max_message_size(self.max_message_size)
        # A budget below one message (plus its header) could never complete it.
        budget = check_budget(
            "receive_budget", self.receive_budget, max(window, message_limit + HEADER_SIZE)
        )
        checked = {
            "max_streams": _positive_int("max_streams", self.max_streams, 2**60),
            "idle_timeout": idle,
            "datagrams": bool(self.datagrams),
            "receive_window": window + (window & 1),
            "receive_budget": budget,
            "send_buffer": _positive_int("send_buffer", self.send_buffer),
            "unsent_window": _positive_int("unsent_window", self.unsent_window),
            "keepalive_interval": keep,
            "incremental": bool(self.incremental),
        }
        for name, value in checked.items():
            object.__setattr__(self, name, value)

    def replace(self, **changes: Any) -> Options:
        """A copy with ``changes`` applied (and validated)."""
        unknown = set(changes) - {f.name for f in dataclasses.fields(self)}
        if unknown:
            raise ConfigurationError(f"unknown option(s): {', '.join(sorted(unknown))}")
        return dataclasses.replace(self, **changes)

    @classmethod
    def merge(cls, options: Options | None, **overrides: Any) -> Options:
        """``options`` (default: the defaults) with every override that is not None."""
        if options is not None and not isinstance(options, Options):
            raise ConfigurationError(f"options must be an Options, got {type(options).__name__}")
        base = options if options is not None else cls()
        given = {k: v for k, v in overrides.items() if v is not None}
        return base.replace(**given) if given else base

    def apply(self, config: Any) -> None:
        """Set the options on an aioquic or qh3 ``QuicConfiguration``."""
        config.idle_timeout = self.idle_timeout
        config.max_stream_data = self.receive_window
        # Initial connection-level credit: a few windows, within the budget (it
        # then follows what the application releases, see _receive_budget).
        config.max_data = min(max(config.max_data, 4 * self.receive_window), self.receive_budget)
        if self.datagrams:
            config.max_datagram_frame_size = 65536
