"""Which new connections a server lets start a handshake, sans-I/O.

A QUIC server cannot tell a real client's first Initial packet from one forged
with a spoofed source address: both hold a ClientHello, and Initial keys are
derived from the packet itself. What production stacks do, done here:

* **No state for junk**: a new connection is created only for an Initial packet
  that decrypts (:func:`inspect_initial`); random 1,200-byte datagrams with an
  Initial header cost one decryption attempt and nothing else.
* **A budget for unvalidated handshakes**, separate from ``max_connections``:
  handshakes whose client address is not proved yet count against
  ``max_unvalidated`` in total and ``max_unvalidated_per_address`` per source
  address (:class:`HandshakeAdmission`).
* **Stateless Retry under load**: past either limit a new client is answered
  with a Retry packet (RFC 9000 section 8.1.2), which holds no server state; a
  client that returns its token proved it receives packets at its address, and
  its handshake no longer counts as unvalidated.

``max_connections`` then counts only connections whose handshake completed, so
forged Initials can no longer lock real clients out: at most the unvalidated
budget is held by them, for at most ``handshake_timeout``.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass

from aioquic.buffer import Buffer, BufferReadError
from aioquic.quic.crypto import CryptoError, CryptoPair
from aioquic.quic.packet import QuicPacketType, pull_quic_header

from .errors import ConfigurationError

__all__ = [
    "DEFAULT_MAX_UNVALIDATED",
    "DEFAULT_MAX_UNVALIDATED_PER_ADDRESS",
    "HandshakeAdmission",
    "InitialPacket",
    "Verdict",
    "inspect_initial",
]

#: Default of ``max_unvalidated_handshakes``.
DEFAULT_MAX_UNVALIDATED = 64
#: Default of ``max_unvalidated_per_address``.
DEFAULT_MAX_UNVALIDATED_PER_ADDRESS = 8

_SMALLEST_INITIAL = 1200  # RFC 9000 section 14.1: a client's Initial datagram
_SUPPORTED = (0x00000001, 0x6B3343CF)  # QUIC v1 and v2


class Verdict(enum.Enum):
    """What to do with a client's first Initial packet."""

    #: Create the connection.
    ADMIT = "admit"
    #: Answer with a stateless Retry; no connection is created.
    RETRY = "retry"


@dataclass(frozen=True)
class InitialPacket:
    """What the admission decision needs from a client's first datagram."""

    destination_cid: bytes
    token: bytes


def inspect_initial(data: bytes, cid_length: int) -> InitialPacket | None:
    """The first packet of ``data`` if it is a client Initial that decrypts, else None.

    Decryption uses the Initial keys derived from the packet's destination
    connection ID (RFC 9001 section 5.2), as the connection would; a datagram
    shorter than 1,200 bytes, another packet type, an unknown version or a
    packet whose authentication tag fails gives None.
    """
    if len(data) < _SMALLEST_INITIAL:
        return None
    buf = Buffer(data=data)
    try:
        header = pull_quic_header(buf, host_cid_length=cid_length)
    except (ValueError, BufferReadError):
        return None
    if header.packet_type != QuicPacketType.INITIAL or header.version not in _SUPPORTED:
        return None
    encrypted_offset = buf.tell()
    end = header.packet_length
    if end > len(data) or encrypted_offset + 20 > end:  # packet number + sample
        return None
    crypto = CryptoPair()
    crypto.setup_initial(cid=header.destination_cid, is_client=False, version=header.version)
    try:
        crypto.decrypt_packet(data[:end], encrypted_offset, 0)
    except (CryptoError, ValueError):
        return None
    return InitialPacket(destination_cid=header.destination_cid, token=header.token)


class HandshakeAdmission:
    """Counts unvalidated handshakes and decides between admitting and Retry.

    Parameters
    ----------
    max_unvalidated : int
        Handshakes from unproved addresses in progress at once, in total.
    max_unvalidated_per_address : int
        The same per source address.
    always_retry : bool
        Validate every new client with Retry (``serve(retry=True)``).

    Examples
    --------
    >>> gate = HandshakeAdmission(max_unvalidated=2, max_unvalidated_per_address=1)
    >>> gate.decide("192.0.2.1", validated=False)
    <Verdict.ADMIT: 'admit'>
    >>> gate.opened("c1", "192.0.2.1", validated=False)
    >>> gate.decide("192.0.2.1", validated=False)  # per-address limit
    <Verdict.RETRY: 'retry'>
    >>> gate.decide("192.0.2.1", validated=True)  # came back with a Retry token
    <Verdict.ADMIT: 'admit'>
    >>> gate.finished("c1")
    >>> gate.unvalidated
    0
    """

    def __init__(
        self,
        max_unvalidated: int = DEFAULT_MAX_UNVALIDATED,
        max_unvalidated_per_address: int = DEFAULT_MAX_UNVALIDATED_PER_ADDRESS,
        *,
        always_retry: bool = False,
    ) -> None:
        for name, value in (
            ("max_unvalidated_handshakes", max_unvalidated),
            ("max_unvalidated_per_address", max_unvalidated_per_address),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigurationError(f"{name} must be a positive int, got {value!r}")
        self.max_unvalidated = max_unvalidated
        self.max_unvalidated_per_address = max_unvalidated_per_address
        self.always_retry = always_retry
        self._open: dict[Hashable, str] = {}
        self._per_address: Counter[str] = Counter()
        #: Retry packets decided so far.
        self.retries = 0

    @property
    def unvalidated(self) -> int:
        """Unvalidated handshakes in progress."""
        return len(self._open)

    def unvalidated_from(self, address: str) -> int:
        """Unvalidated handshakes in progress from ``address``."""
        return self._per_address[address]

    def decide(self, address: str, *, validated: bool) -> Verdict:
        """The verdict for a new client at ``address`` (``validated``: it has a token)."""
        if validated:
            return Verdict.ADMIT
        if (
            self.always_retry
            or len(self._open) >= self.max_unvalidated
            or self._per_address[address] >= self.max_unvalidated_per_address
        ):
            self.retries += 1
            return Verdict.RETRY
        return Verdict.ADMIT

    def opened(self, key: Hashable, address: str, *, validated: bool) -> None:
        """A connection ``key`` was created for ``address``."""
        if not validated and key not in self._open:
            self._open[key] = address
            self._per_address[address] += 1

    def finished(self, key: Hashable) -> None:
        """Connection ``key`` completed its handshake or closed (idempotent)."""
        address = self._open.pop(key, None)
        if address is not None:
            self._per_address[address] -= 1
            if not self._per_address[address]:
                del self._per_address[address]
