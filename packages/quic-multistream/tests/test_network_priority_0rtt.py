"""Priorities that work under load, and 0-RTT resumption, on loopback."""

import asyncio
import contextlib

import pytest
from qm_testutil import client_kwargs, run, server_kwargs

from quic_multistream import (
    FileTicketStore,
    MemoryTicketStore,
    StreamPriority,
    connect,
    serve,
)
from quic_multistream.tickets import ticket_to_dict

pytestmark = pytest.mark.network


def test_critical_overtakes_queued_low_bulk(pki, backend):
    """Under a saturating LOW transfer, a CRITICAL message overtakes every LOW byte
    still queued in the scheduler: when it arrives, the server has received at most
    what had already been handed to QUIC plus one unsent window."""
    unsent_window = 16 * 1024
    record = {}

    async def handler(conn):
        low_total = 0

        async def read_low(s):
            nonlocal low_total
            while chunk := await s.recv():
                low_total += len(chunk)

        first = await conn.accept_bi_stream()
        reader = asyncio.ensure_future(read_low(first))
        crit = await conn.accept_bi_stream()
        msg = await crit.recv_message()
        record["low_at_critical"] = low_total
        record["msg"] = msg
        await crit.send_message(b"ack")
        await crit.finish()
        await reader

    async def main():
        kw = server_kwargs(pki, backend=backend, handler=handler)
        async with await serve("127.0.0.1", 0, **kw) as server:
            ck = client_kwargs(
                pki, backend=backend, send_buffer=1 << 20, unsent_window=unsent_window
            )
            async with connect("127.0.0.1", server.port, **ck) as conn:
                low = await conn.open_bi_stream(priority=StreamPriority.LOW)
                block = b"L" * 65536
                stop = asyncio.Event()
                submitted = 0

                async def bulk():
                    nonlocal submitted
                    while not stop.is_set():
                        submitted += len(block)
                        await low.send(block)
                    await low.finish()

                pump = asyncio.ensure_future(bulk())
                for _ in range(500):  # wait until LOW saturates its queue
                    await asyncio.sleep(0.01)
                    if low.queued >= 512 * 1024:
                        break
                assert low.queued >= 512 * 1024
                crit = await conn.open_bi_stream(priority=StreamPriority.CRITICAL)
                if backend == "aioquic":
                    handed = conn._quic._streams[low.stream_id].sender._buffer_stop
                else:  # qh3 does not tell: at most what send() got, minus our queue
                    handed = submitted - low.queued
                queued_low = low.queued
                await crit.send_message(b"urgent")
                assert await asyncio.wait_for(crit.recv_message(), 10) == b"ack"
                stop.set()
                await asyncio.wait_for(pump, 20)
        assert record["msg"] == b"urgent"
        assert record["low_at_critical"] <= handed + unsent_window
        # FIFO service would have delivered the queued LOW data first.
        assert record["low_at_critical"] < handed + queued_low

    run(main(), timeout=60)


def test_critical_waits_behind_little_low_data_in_flight(pki):
    """Under a saturating LOW upload, few LOW bytes reach the server between the
    moment a CRITICAL message is sent and its arrival: packets already sent cannot
    be overtaken, so this counts the LOW bytes in flight and queued at the
    receiver, which the delay-controlled LOW window keeps small (without it, a
    congestion window of LOW data, hundreds of KiB, arrived first). Bytes, not
    wall-clock time, so CPU contention on a CI machine cannot fail it."""
    shared = {}

    def arrived(stream):
        return stream._consumed + len(stream._rbuf)

    async def handler(conn):
        async def sink(s):
            with contextlib.suppress(Exception):
                while await s.recv():
                    pass

        low = await conn.accept_bi_stream()
        shared["low"] = low
        task = asyncio.ensure_future(sink(low))
        crit = await conn.accept_bi_stream()
        ahead = []
        with contextlib.suppress(Exception):
            async for msg in crit.messages():
                ahead.append(arrived(low) - shared["sent_at"])
                await crit.send_message(msg)
        shared["ahead"] = ahead
        task.cancel()

    async def main():
        async with (
            await serve("127.0.0.1", 0, **server_kwargs(pki, handler=handler)) as server,
            connect("127.0.0.1", server.port, **client_kwargs(pki)) as conn,
        ):
            low = await conn.open_bi_stream(priority=StreamPriority.LOW)
            stop = asyncio.Event()
            block = b"L" * 65536

            async def bulk():
                while not stop.is_set():
                    await low.send(block)

            pump = asyncio.ensure_future(bulk())
            for _ in range(500):  # until the LOW queue is saturated
                await asyncio.sleep(0.01)
                if low.queued >= conn.send_buffer // 2 and "low" in shared:
                    break
            crit = await conn.open_bi_stream(priority=StreamPriority.CRITICAL)
            for _ in range(30):
                await asyncio.sleep(0.005)
                shared["sent_at"] = arrived(shared["low"])
                await crit.send_message(b"x" * 64)
                assert await asyncio.wait_for(crit.recv_message(), 10) == b"x" * 64
            saturated = low.queued > 0  # the upload was still queueing data
            stop.set()
            await asyncio.wait_for(pump, 20)
            await crit.finish()
            for _ in range(500):
                if "ahead" in shared:
                    break
                await asyncio.sleep(0.01)
        assert saturated
        return sorted(shared["ahead"])

    ahead = run(main(), timeout=90)
    assert len(ahead) == 30
    assert ahead[15] <= 24 * 1024, ahead  # about 60 KiB without the LOW window


def test_zero_rtt_resumption_and_single_use_tickets(pki, tmp_path):
    async def main():
        kw = server_kwargs(pki, allow_0rtt=True)
        async with await serve("127.0.0.1", 0, **kw) as server:
            store = FileTicketStore(tmp_path / "tickets.json")
            async with connect(
                "127.0.0.1", server.port, **client_kwargs(pki, session_ticket_store=store)
            ) as c1:
                s = await c1.open_bi_stream()
                await s.send_message(b"hello")
                assert await asyncio.wait_for(s.recv_message(), 5) == b"hello"
                for _ in range(100):
                    if len(store):
                        break
                    await asyncio.sleep(0.01)
                assert not c1.session_resumed
            saved = store.get("localhost")
            assert saved is not None
            # the file store round-trips the ticket
            reloaded = FileTicketStore(tmp_path / "tickets.json").get("localhost")
            assert ticket_to_dict(reloaded) == ticket_to_dict(saved)
            assert (tmp_path / "tickets.json").stat().st_mode & 0o777 == 0o600

            replay = MemoryTicketStore()
            replay.put(saved)
            ck = client_kwargs(pki, session_ticket_store=store, zero_rtt=True)
            async with connect("127.0.0.1", server.port, **ck) as c2:
                s = await c2.open_bi_stream()
                await s.send_message(b"early")  # leaves in 0-RTT packets
                assert await asyncio.wait_for(s.recv_message(), 5) == b"early"
                assert c2.session_resumed and c2.early_data_accepted

            # The same ticket again (a replayed ClientHello): no resumption, no 0-RTT.
            ck = client_kwargs(pki, session_ticket_store=replay, zero_rtt=True)
            async with connect("127.0.0.1", server.port, **ck) as c3:
                s = await c3.open_bi_stream()
                await s.send_message(b"again")
                assert await asyncio.wait_for(s.recv_message(), 5) == b"again"
                assert not c3.session_resumed and not c3.early_data_accepted

    run(main())


def test_no_tickets_without_allow_0rtt(pki):
    async def main():
        async with await serve("127.0.0.1", 0, **server_kwargs(pki)) as server:
            store = MemoryTicketStore()
            ck = client_kwargs(pki, session_ticket_store=store)
            async with connect("127.0.0.1", server.port, **ck) as c:
                s = await c.open_bi_stream()
                await s.send_message(b"x")
                await asyncio.wait_for(s.recv_message(), 5)
                await asyncio.sleep(0.05)
            assert len(store) == 0

    run(main())
