"""The QUIC implementation under a connection: aioquic (default) or qh3.

Both keep aioquic's Python shape (configuration, connection, asyncio protocol,
events), so :mod:`~quic_multistream.connection` needs only the pieces collected in
a :class:`Backend`: the classes to build a connection from, and the engine
functions that read state each implementation exposes differently
(:mod:`._engine` for aioquic, :mod:`._engine_qh3` for qh3).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Awaitable, Callable
from types import ModuleType
from typing import Any

from .errors import ConfigurationError, QuicError

__all__ = ["BACKENDS", "Backend", "get_backend"]

#: Accepted values of the ``backend`` option.
BACKENDS = ("aioquic", "qh3")


@dataclasses.dataclass(frozen=True)
class Backend:
    """One QUIC implementation and the adapters quic-multistream uses on it."""

    name: str
    configuration: type
    connection: type
    server: type
    protocol: type
    events: ModuleType
    tune_connection: Callable[..., None]
    unsent_bytes: Callable[[Any, int], int]
    credit_left: Callable[[Any, int], int]
    #: ``open_stream(quic, uni)``: the id of a new stream of ours.
    open_stream: Callable[[Any, bool], int]
    all_acknowledged: Callable[[Any], bool]
    #: ``loss(quic)``: an object with ``congestion_window``, ``bytes_in_flight``
    #: and ``_rtt_smoothed`` (aioquic's loss recovery object, or an adapter).
    loss: Callable[[Any], Any]
    #: ``rtt(quic, counters)``: (smoothed, minimum) RTT in seconds, or None
    #: before the first sample.
    rtt: Callable[[Any, Any], tuple[float, float] | None]
    #: ``datagram_room(quic)``: largest DATAGRAM payload we may send, None if off.
    datagram_room: Callable[[Any], int | None]
    #: ``prune_forgotten(quic, ids)``: shrink the set of finished peer stream ids
    #: whose late events are ignored.
    prune_forgotten: Callable[[Any, set[int]], None]
    #: ``convert_identity(certificates, key)``: cryptography objects to what the
    #: configuration's ``certificate``/``certificate_chain``/``private_key`` take.
    convert_identity: Callable[[list[Any], Any], tuple[Any, list[Any], Any]]
    #: ``convert_ticket(ticket)``: a stored session ticket in this backend's type.
    convert_ticket: Callable[[Any], Any]
    #: ``await create_endpoint(protocol_factory, local_addr, family=0)``: a UDP
    #: socket bound to ``local_addr`` and its (transport, protocol).
    create_endpoint: Callable[..., Awaitable[tuple[Any, Any]]]
    #: ``retry_token_valid(handler, addr, destination_cid, token, now)``: whether
    #: ``token`` is a Retry token the server's ``handler`` issued to ``addr``.
    retry_token_valid: Callable[[Any, Any, bytes, bytes, float], bool]
    #: ``reset_final_size(quic, stream_id)``: the final size of a stream the peer
    #: reset (None where the stack does not count it against MAX_DATA for us).
    reset_final_size: Callable[[Any, int], int | None]


def get_backend(name: object) -> Backend:
    """The :class:`Backend` named ``name`` ("aioquic" or "qh3").

    Raises
    ------
    ConfigurationError
        ``name`` is not one of :data:`BACKENDS`.
    QuicError
        ``name`` is "qh3" and qh3 is not installed.
    """
    if name not in BACKENDS:
        raise ConfigurationError(f"backend must be one of {BACKENDS}, got {name!r}")
    return _load(str(name))


@functools.cache
def _load(name: str) -> Backend:
    if name == "aioquic":
        from . import _engine

        return _engine.backend()
    try:
        import qh3  # noqa: F401
    except ImportError as exc:
        raise QuicError("backend='qh3' needs qh3: pip install 'quic-multistream[fast]'") from exc
    from . import _engine_qh3

    return _engine_qh3.backend()
