"""Traffic counters kept by the asyncio protocol of either backend."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Counters"]


@dataclass
class Counters:
    """Traffic counters kept by the asyncio layer."""

    packets_sent: int = 0
    bytes_sent: int = 0
    packets_received: int = 0
    bytes_received: int = 0
    lost_packets: int = 0
    # RTT samples without the peer's ACK delay and without aioquic's 1 ms floor,
    # for the LOW window's delay control (connection._low_window).
    rtt_samples: int = 0
    rtt_latest: float = 0.0
    rtt_min: float = float("inf")
