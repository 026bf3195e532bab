"""``to_dict`` of every result record, against literal dicts written out by hand.

Types are compared as well as values, so a change of container or scalar type shows up.
"""

from __future__ import annotations

from typing import Any

from midstream.bench import QuicThroughput
from midstream.demo import DemoResult
from midstream.distributions import DistributionStatus
from midstream.events import Event
from midstream.send import SendReport
from midstream.serve import ServerStats


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


def test_distribution_status() -> None:
    assert_same(
        DistributionStatus("strange-loop", "==0.1.0", "0.1.0").to_dict(),
        {"name": "strange-loop", "pinned": "==0.1.0", "installed": "0.1.0", "matches": True},
    )
    assert_same(
        DistributionStatus("strange-loop", "==0.1.0", None).to_dict(),
        {"name": "strange-loop", "pinned": "==0.1.0", "installed": None, "matches": False},
    )


def test_quic_throughput_rounds_rate() -> None:
    q = QuicThroughput(
        events=1000, sources=4, event_bytes=64, batch_events=50, seconds=0.3, connections=2
    )
    assert_same(
        q.to_dict(),
        {
            "events": 1000,
            "sources": 4,
            "event_bytes": 64,
            "batch_events": 50,
            "seconds": 0.3,
            "connections": 2,
            "events_per_s": 3333.3,
        },
    )


def test_send_report_rounds_rate() -> None:
    r = SendReport(sources=2, events=7, skipped=1, connections=1, alerts=0, seconds=0.6)
    assert_same(
        r.to_dict(),
        {
            "sources": 2,
            "events": 7,
            "skipped": 1,
            "connections": 1,
            "alerts": 0,
            "seconds": 0.6,
            "events_per_s": 11.7,
        },
    )
    idle = SendReport(sources=0, events=0, skipped=0, connections=0, alerts=0, seconds=0.0)
    assert_same(idle.to_dict()["events_per_s"], 0.0)


def test_server_stats() -> None:
    s = ServerStats(10, 1, 3, 2, 2, 1, 0, 4)
    assert_same(
        s.to_dict(),
        {
            "events": 10,
            "duplicates": 1,
            "batches": 3,
            "connections": 2,
            "sources": 2,
            "sources_complete": 1,
            "protocol_errors": 0,
            "alerts_sent": 4,
        },
    )


def test_event_omits_defaults() -> None:
    assert_same(Event("s", 5).to_dict(), {"stream": "s", "t": 5})
    assert_same(
        Event("s", 5, token="a", value=1.5, fields={"k": [1, 2]}).to_dict(),
        {"stream": "s", "t": 5, "token": "a", "value": 1.5, "fields": {"k": [1, 2]}},
    )


def test_demo_result() -> None:
    summary = {
        "events": 90,
        "dropped": 0,
        "alerts": 3,
        "events_per_s": 1234.5,
        "latency_p50_ms": 0.5,
        "latency_p99_ms": 2.0,
        "alert_latency_p99_ms": 3.0,
        "lost": 1,
    }
    facts = {"found_all": True, "facts": ["drift on s1"], "unexpected_alerts": []}
    d = DemoResult(streams=3, sent=100, received=98, summary=summary, facts=facts, duplicates=0)
    assert_same(
        d.to_dict(),
        {
            "streams": 3,
            "sent": 100,
            "received": 98,
            "events": 90,
            "lost": 3,
            "dropped": 0,
            "alerts": 3,
            "events_per_s": 1234.5,
            "latency_p50_ms": 0.5,
            "latency_p99_ms": 2.0,
            "alert_latency_p99_ms": 3.0,
            "duplicates": 0,
            "alerts_returned": 0,
            "found_all": True,
            "facts": ["drift on s1"],
            "unexpected_alerts": [],
            "ok": False,
        },
    )
