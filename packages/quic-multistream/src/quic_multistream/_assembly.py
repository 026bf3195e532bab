"""Put a connection together: a backend's ``QuicConnection``, tuned, under its
asyncio protocol, driven by a :class:`~quic_multistream.Connection`.

Used by :func:`~quic_multistream.connect` and by the servers. The stack's
callbacks (receive window, handshake facts) are installed before the protocol
and the connection exist; they reach the connection through the protocol's
:class:`~._backend_api.ConnectionLink` once it is set.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from ._counters import Counters
from ._lifecycle import Lifecycle
from ._receive_budget import ReceiveBudget

if TYPE_CHECKING:
    from ._backend_api import Backend, QuicProtocol
    from .connection import Connection
    from .options import Options

__all__ = ["assemble_connection"]


def assemble_connection(
    backend: Backend,
    quic: Any,
    options: Options,
    *,
    is_client: bool,
    budget: ReceiveBudget,
    connection_factory: Callable[..., Connection],
    incremental: bool | None = None,
    client_ca: Sequence[Any] | None = None,
    require_client_cert: bool = False,
) -> tuple[QuicProtocol, Connection, Lifecycle]:
    """Tune ``quic`` for ``options``; return its protocol, connection and the
    connection's :class:`~._lifecycle.Lifecycle` (for the caller's hooks).

    ``incremental`` overrides ``options.incremental`` (a server's own setting);
    ``client_ca`` / ``require_client_cert`` (servers): verify client
    certificates against these CAs during the handshake.
    """
    counters = Counters()
    life = Lifecycle()
    protocol: QuicProtocol | None = None

    def link() -> Any:
        # The protocol and its link exist before the stack's first callback.
        assert protocol is not None and protocol.link is not None
        return protocol.link

    backend.tune_connection(
        quic,
        max_streams=options.max_streams,
        receive_window=options.receive_window,
        consumed_offset=lambda sid: link().consumed_offset(sid),
        counters=counters,
        on_key_exchange_group=lambda group: link().handshake_fact("key_exchange_group", group),
        on_local_alert=lambda alert, reason: link().handshake_fact("local_alert", (alert, reason)),
        receive_budget=budget,
        client_ca=client_ca,
        require_client_cert=require_client_cert,
        on_peer_identity=lambda identity: link().handshake_fact("peer_identity", identity),
    )
    protocol = backend.protocol(quic, counters)
    conn = connection_factory(
        protocol,
        is_client=is_client,
        max_message_size=options.max_message_size,
        send_buffer=options.send_buffer,
        receive_window=options.receive_window,
        unsent_window=options.unsent_window,
        incremental=options.incremental if incremental is None else incremental,
        backend=backend,
        receive_budget=budget,
        lifecycle=life,
    )
    assert protocol is not None
    return protocol, conn, life
