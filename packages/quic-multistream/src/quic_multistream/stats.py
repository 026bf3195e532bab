"""Connection statistics."""

from __future__ import annotations

from dataclasses import dataclass

from ._records import record_dict

__all__ = ["ConnectionStats"]


@dataclass(frozen=True)
class ConnectionStats:
    """A snapshot of one connection's counters.

    RTTs are in seconds (None before the first RTT sample). Bytes and packets
    count UDP payloads this endpoint sent and received; ``lost_packets`` counts
    packets QUIC loss detection declared lost. ``key_exchange_group`` names the
    TLS key exchange the handshake used.

    Examples
    --------
    >>> s = ConnectionStats(0.001, 0.0008, 10, 20, 1, 2, 0, 3, 1)
    >>> s.to_dict()["active_bi_streams"]
    3
    """

    smoothed_rtt: float | None
    min_rtt: float | None
    bytes_sent: int
    bytes_received: int
    packets_sent: int
    packets_received: int
    lost_packets: int
    active_bi_streams: int
    active_uni_streams: int
    #: TLS key exchange group of the handshake ("X25519MLKEM768", "x25519",
    #: "secp256r1", ...); None before the ServerHello.
    key_exchange_group: str | None = None

    def to_dict(self) -> dict[str, object]:
        """A JSON-friendly dict."""
        return record_dict(self)
