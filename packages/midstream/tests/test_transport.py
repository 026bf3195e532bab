"""serve + send over loopback QUIC with mutual TLS: exactly-once delivery."""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict

import pytest

from midstream.send import send_events
from midstream.serve import TransportError, serve_events
from midstream.wire import WireError
from quic_multistream import generate_ca, issue_certificate

pytestmark = pytest.mark.network


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    d = tmp_path_factory.mktemp("pki")
    ca = generate_ca("Test CA")
    ca.write(d / "ca.pem", d / "ca.key")
    issue_certificate(ca, "localhost", names=["localhost", "127.0.0.1"]).write(
        d / "server.pem", d / "server.key"
    )
    issue_certificate(ca, "producer", client=True).write(d / "client.pem", d / "client.key")
    other = generate_ca("Other CA")
    issue_certificate(other, "intruder", client=True).write(d / "bad.pem", d / "bad.key")
    return d


def _events(source: str, n: int) -> list[bytes]:
    return [json.dumps({"stream": source, "t": i, "value": i * 0.5}).encode() for i in range(n)]


def _server_kwargs(pki):
    return dict(
        certificate=pki / "server.pem",
        private_key=pki / "server.key",
        client_ca=pki / "ca.pem",
    )


def _client_kwargs(pki):
    return dict(
        ca_file=pki / "ca.pem",
        client_certificate=pki / "client.pem",
        client_key=pki / "client.key",
    )


async def _collect(server, into: dict[str, list[bytes]]) -> None:
    async for source, events in server.batches():
        into[source].extend(events)


@pytest.mark.parametrize(("producers", "n"), [(1, 1), (3, 2_000), (8, 700)])
def test_concurrent_producers_deliver_every_event_once(pki, producers, n):
    async def main():
        got: dict[str, list[bytes]] = defaultdict(list)
        async with serve_events(
            "127.0.0.1", 0, stop_after_sources=producers, **_server_kwargs(pki)
        ) as server:
            collector = asyncio.create_task(_collect(server, got))
            reports = await asyncio.wait_for(
                asyncio.gather(
                    *(
                        send_events(
                            [(f"p{i}", _events(f"p{i}", n + i))],
                            "127.0.0.1",
                            server.port,
                            server_name="localhost",
                            batch_events=64,
                            **_client_kwargs(pki),
                        )
                        for i in range(producers)
                    )
                ),
                60,
            )
            await asyncio.wait_for(collector, 10)
            return got, reports, server.stats

    got, reports, stats = asyncio.run(main())
    assert sorted(got) == [f"p{i}" for i in range(producers)]
    for i in range(producers):
        assert got[f"p{i}"] == _events(f"p{i}", n + i)
    assert [r.events for r in reports] == [n + i for i in range(producers)]
    assert stats.events == sum(n + i for i in range(producers))
    assert stats.sources_complete == producers


@pytest.mark.parametrize("drops", [1, 3])
def test_killed_connections_lose_and_duplicate_nothing(pki, drops):
    # Several sources on one connection; the server kills the connection while
    # batches are in flight, the sender reconnects and replays from the last ack.
    n = 3_000
    sources = [(f"s{i}", _events(f"s{i}", n)) for i in range(4)]

    async def main():
        got: dict[str, list[bytes]] = defaultdict(list)
        async with serve_events(
            "127.0.0.1", 0, stop_after_sources=len(sources), queue_batches=4, **_server_kwargs(pki)
        ) as server:
            dropped = 0

            async def collect_and_kill():
                nonlocal dropped
                total = 0
                async for source, events in server.batches():
                    got[source].extend(events)
                    total += len(events)
                    if dropped < drops and total >= (dropped + 1) * n * len(sources) // (drops + 2):
                        dropped += server.drop_connections("test kill") > 0

            collector = asyncio.create_task(collect_and_kill())
            report = await asyncio.wait_for(
                send_events(
                    sources,
                    "127.0.0.1",
                    server.port,
                    batch_events=50,
                    window=400,
                    retry_for=10,
                    **_client_kwargs(pki),
                ),
                90,
            )
            await asyncio.wait_for(collector, 10)
            return got, report, server.stats, dropped

    got, report, stats, dropped = asyncio.run(main())
    assert dropped == drops
    assert report.connections == drops + 1
    for name, events in sources:
        assert got[name] == events  # every event once, in order
    assert stats.events == n * len(sources)


def test_alerts_come_back_to_the_sender(pki):
    async def main():
        alerts: list[bytes] = []
        async with serve_events("127.0.0.1", 0, **_server_kwargs(pki)) as server:

            async def consume():
                count = 0
                async for _ in server.events():
                    count += 1
                    if count == 10:
                        # wait until the control stream is registered
                        while not await server.send_alert({"kind": "alert", "n": count}):
                            await asyncio.sleep(0.01)

            task = asyncio.create_task(consume())

            def slow_lines():
                yield from _events("a", 10)

            async def lines():
                yield _events("a", 10)
                while not alerts:
                    await asyncio.sleep(0.01)

            report = await asyncio.wait_for(
                send_events(
                    [("a", lines())],
                    "127.0.0.1",
                    server.port,
                    on_alert=alerts.append,
                    **_client_kwargs(pki),
                ),
                30,
            )
            task.cancel()
            return alerts, report

    alerts, report = asyncio.run(main())
    assert [json.loads(a) for a in alerts] == [{"kind": "alert", "n": 10}]
    assert report.alerts == 1


def test_resume_after_a_killed_sender_process(pki):
    # The first sender dies after part of its input; a new one with resume=True
    # sends the same input and the server sees each event once.
    events = _events("f", 500)

    async def main():
        got: dict[str, list[bytes]] = defaultdict(list)
        async with serve_events(
            "127.0.0.1", 0, stop_after_sources=1, **_server_kwargs(pki)
        ) as server:
            collector = asyncio.create_task(_collect(server, got))

            async def partial():
                yield events[:200]
                await asyncio.sleep(3600)  # the "process" hangs here and is killed

            first = asyncio.create_task(
                send_events([("f", partial())], "127.0.0.1", server.port, **_client_kwargs(pki))
            )
            while server.stats.events < 200:
                await asyncio.sleep(0.01)
            first.cancel()
            with pytest.raises(WireError, match=r"belongs to another sender \(200 events"):
                await send_events([("f", events)], "127.0.0.1", server.port, **_client_kwargs(pki))
            report = await send_events(
                [("f", events)], "127.0.0.1", server.port, resume=True, **_client_kwargs(pki)
            )
            await asyncio.wait_for(collector, 10)
            return got, report

    got, report = asyncio.run(main())
    assert got["f"] == events
    assert (report.events, report.skipped) == (300, 200)


def test_client_without_a_trusted_certificate_is_refused(pki):
    async def main():
        async with serve_events("127.0.0.1", 0, **_server_kwargs(pki)) as server:
            await send_events(
                [("x", _events("x", 3))],
                "127.0.0.1",
                server.port,
                ca_file=pki / "ca.pem",
                client_certificate=pki / "bad.pem",
                client_key=pki / "bad.key",
                retry_for=0.5,
            )

    with pytest.raises(TransportError):
        asyncio.run(asyncio.wait_for(main(), 30))


def test_unreachable_server_is_one_transport_error(pki):
    async def main():
        await send_events(
            [("x", _events("x", 3))], "127.0.0.1", 9, connect_timeout=0.5, **_client_kwargs(pki)
        )

    with pytest.raises(TransportError, match=r"cannot connect to 127\.0\.0\.1:9"):
        asyncio.run(asyncio.wait_for(main(), 30))


def test_port_in_use_is_a_transport_error(pki):
    async def main():
        async with serve_events("127.0.0.1", 0, **_server_kwargs(pki)) as server:
            second = serve_events("127.0.0.1", server.port, **_server_kwargs(pki))
            await second.__aenter__()

    with pytest.raises(TransportError, match="is in use"):
        asyncio.run(main())


def test_second_producer_with_the_same_source_id_is_refused(pki):
    first, second = _events("a", 3000), _events("b", 3000)

    async def main():
        got: dict[str, list[bytes]] = defaultdict(list)
        async with serve_events(
            "127.0.0.1", 0, stop_after_sources=1, queue_batches=2, **_server_kwargs(pki)
        ) as server:
            collector = asyncio.create_task(_collect(server, got))
            one = asyncio.create_task(
                send_events([("same", first)], "127.0.0.1", server.port, **_client_kwargs(pki))
            )
            while server.stats.events == 0:
                await asyncio.sleep(0.005)
            with pytest.raises(WireError, match="belongs to another sender"):
                await send_events(
                    [("same", second)], "127.0.0.1", server.port, **_client_kwargs(pki)
                )
            await asyncio.wait_for(one, 60)
            await asyncio.wait_for(collector, 10)
            return got

    got = asyncio.run(main())
    assert got["same"] == first  # the refused producer interleaved nothing
