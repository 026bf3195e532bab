"""``to_dict`` of every result record, against literal dicts written out by hand.

Types are compared as well as values, so a change of container or scalar type shows up.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from quic_multistream.stats import ConnectionStats
from quic_multistream.verify import PeerIdentity


def assert_same(got: Any, want: Any) -> None:
    assert type(got) is type(want), (got, want)
    if isinstance(want, dict):
        assert list(got) == list(want)
        for k in want:
            assert_same(got[k], want[k])
    elif isinstance(want, list):
        assert len(got) == len(want)
        for g, w in zip(got, want, strict=True):
            assert_same(g, w)
    else:
        assert got == want


def test_connection_stats() -> None:
    s = ConnectionStats(0.002, None, 10, 20, 1, 2, 0, 3, 1, "x25519")
    assert_same(
        s.to_dict(),
        {
            "smoothed_rtt": 0.002,
            "min_rtt": None,
            "bytes_sent": 10,
            "bytes_received": 20,
            "packets_sent": 1,
            "packets_received": 2,
            "lost_packets": 0,
            "active_bi_streams": 3,
            "active_uni_streams": 1,
            "key_exchange_group": "x25519",
        },
    )
    assert ConnectionStats(None, None, 0, 0, 0, 0, 0, 0, 0).to_dict()["key_exchange_group"] is None


def test_peer_identity() -> None:
    p = PeerIdentity(
        subject="CN=client",
        common_name="client",
        alt_names=("client.test", "127.0.0.1"),
        issuer="CN=ca",
        serial_number=12345678901234567890,
        fingerprint_sha256="ab" * 32,
        not_valid_after=dt.datetime(2030, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
    )
    assert_same(
        p.to_dict(),
        {
            "subject": "CN=client",
            "common_name": "client",
            "alt_names": ["client.test", "127.0.0.1"],
            "issuer": "CN=ca",
            "serial_number": 12345678901234567890,
            "fingerprint_sha256": "ab" * 32,
            "not_valid_after": "2030-01-02T03:04:05+00:00",
        },
    )
    bare = PeerIdentity("O=x", None, (), "O=x", 1, "00", dt.datetime(2030, 1, 1, tzinfo=dt.UTC))
    assert_same(bare.to_dict()["alt_names"], [])
    assert bare.to_dict()["common_name"] is None
