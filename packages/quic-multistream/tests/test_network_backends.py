"""The ``backend`` option: qh3 next to aioquic, mixed pairs, key exchange groups."""

import asyncio
import hashlib
import os
import sys

import pytest
from qm_testutil import HAVE_QH3, client_kwargs, run, server_kwargs

from quic_multistream import (
    ConfigurationError,
    FileTicketStore,
    MemoryTicketStore,
    QuicError,
    StreamPriority,
    connect,
    serve,
)

pytestmark = pytest.mark.network
needs_qh3 = pytest.mark.skipif(not HAVE_QH3, reason="qh3 is not installed")
PAIRS = [("aioquic", "aioquic"), ("qh3", "qh3"), ("qh3", "aioquic"), ("aioquic", "qh3")]


def server_group(conn):
    """The group whose key the server's TLS context generated (not our parser)."""
    context = conn._quic.tls
    owned = {
        "X25519MLKEM768": getattr(context, "_x25519_kyber_768_private_key", None),
        "x25519": getattr(context, "_x25519_private_key", None),
        "x448": getattr(context, "_x448_private_key", None),
        "secp256r1": getattr(context, "_ec_p256_private_key", None),
    }
    found = [name for name, key in owned.items() if key is not None]
    found += [k.curve.name for k in getattr(context, "_ec_private_keys", [])]
    assert len(found) == 1, found
    return found[0]


def test_backend_argument_is_checked(pki):
    with pytest.raises(ConfigurationError, match="backend"):
        connect("127.0.0.1", 1, backend="quiche")

    async def main():
        with pytest.raises(ConfigurationError, match="backend"):
            await serve("127.0.0.1", 0, backend=None, **server_kwargs(pki))

    run(main())


def test_missing_qh3_says_what_to_install(monkeypatch):
    from quic_multistream import _backend

    monkeypatch.setitem(sys.modules, "qh3", None)  # makes "import qh3" fail
    _backend._load.cache_clear()
    try:
        with pytest.raises(QuicError, match=r"quic-multistream\[fast\]"):
            connect("127.0.0.1", 1, backend="qh3")
    finally:
        _backend._load.cache_clear()


@needs_qh3
def test_qh3_server_refuses_client_certificate_options(pki):
    async def main():
        kw = server_kwargs(pki, backend="qh3")
        for extra in (
            {"client_ca": pki.ca.certificate},
            {
                "client_ca": pki.ca.certificate,
                "require_client_cert": True,
            },
        ):
            with pytest.raises(ConfigurationError, match=r"client_ca.*backend='qh3'"):
                await serve("127.0.0.1", 0, **kw, **extra)

    run(main())


@pytest.mark.parametrize(("client_backend", "server_backend"), PAIRS)
def test_pairs_exchange_data_and_report_the_key_exchange_group(pki, client_backend, server_backend):
    """Every client/server pairing moves 1 MiB intact and both ends name the same
    group, the one the server's TLS context generated a key for."""
    if "qh3" in (client_backend, server_backend) and not HAVE_QH3:
        pytest.skip("qh3 is not installed")
    payload = os.urandom(1 << 20)

    async def main():
        kw = server_kwargs(pki, backend=server_backend, datagrams=True)
        async with await serve("127.0.0.1", 0, **kw) as server:
            ck = client_kwargs(pki, backend=client_backend, datagrams=True)
            async with connect("127.0.0.1", server.port, **ck) as conn:
                s = await conn.open_bi_stream(priority=StreamPriority.HIGH)
                await s.send_message(payload)
                back = await asyncio.wait_for(s.recv_message(), 20)
                assert hashlib.sha256(back).digest() == hashlib.sha256(payload).digest()
                (srv,) = server.connections
                assert conn.key_exchange_group == srv.key_exchange_group
                assert conn.stats().key_exchange_group == conn.key_exchange_group
                return conn.key_exchange_group, server_group(srv)

    reported, generated = run(main(), timeout=40)
    assert reported == generated
    # qh3 offers X25519MLKEM768 and x25519 key shares; aioquic offers no
    # post-quantum group and puts secp256r1 first.
    expected = {"qh3": "X25519MLKEM768", "aioquic": "x25519"}[server_backend]
    if client_backend == "aioquic":
        expected = "secp256r1"
    assert reported == expected


@needs_qh3
def test_qh3_client_presents_a_certificate_to_an_aioquic_server(pki):
    async def handler(conn):
        s = await conn.accept_bi_stream()
        await s.recv_message()
        await s.send_message(conn.peer_identity.common_name.encode())
        await s.finish()

    async def main():
        kw = server_kwargs(
            pki, handler=handler, client_ca=pki.ca.certificate, require_client_cert=True
        )
        async with await serve("127.0.0.1", 0, **kw) as server:
            ck = client_kwargs(pki, pki.client, backend="qh3")
            async with connect("127.0.0.1", server.port, **ck) as conn:
                s = await conn.open_bi_stream()
                await s.send_message(b"who am I")
                return await asyncio.wait_for(s.recv_message(), 5)

    assert run(main()) == b"alice"


@needs_qh3
def test_qh3_zero_rtt_resumption(pki, tmp_path):
    async def main():
        kw = server_kwargs(pki, backend="qh3", allow_0rtt=True)
        async with await serve("127.0.0.1", 0, **kw) as server:
            store = FileTicketStore(tmp_path / "tickets.json")
            ck = client_kwargs(pki, backend="qh3", session_ticket_store=store)
            async with connect("127.0.0.1", server.port, **ck) as c1:
                s = await c1.open_bi_stream()
                await s.send_message(b"hello")
                assert await asyncio.wait_for(s.recv_message(), 5) == b"hello"
                for _ in range(100):
                    if len(store):
                        break
                    await asyncio.sleep(0.01)
            saved = store.get("localhost")
            assert saved is not None
            replay = MemoryTicketStore()
            replay.put(saved)
            # a ticket reloaded from the file (an aioquic-typed ticket) works on qh3
            reloaded = FileTicketStore(tmp_path / "tickets.json")
            ck = client_kwargs(pki, backend="qh3", session_ticket_store=reloaded, zero_rtt=True)
            async with connect("127.0.0.1", server.port, **ck) as c2:
                s = await c2.open_bi_stream()
                await s.send_message(b"early")
                assert await asyncio.wait_for(s.recv_message(), 5) == b"early"
                assert c2.session_resumed and c2.early_data_accepted
            ck = client_kwargs(pki, backend="qh3", session_ticket_store=replay, zero_rtt=True)
            async with connect("127.0.0.1", server.port, **ck) as c3:
                s = await c3.open_bi_stream()
                await s.send_message(b"again")
                assert await asyncio.wait_for(s.recv_message(), 5) == b"again"
                assert not c3.session_resumed and not c3.early_data_accepted

    run(main())


@pytest.mark.parametrize(("client_backend", "server_backend"), PAIRS)
def test_retry_address_validation_across_backends(pki, client_backend, server_backend):
    if "qh3" in (client_backend, server_backend) and not HAVE_QH3:
        pytest.skip("qh3 is not installed")

    async def main():
        kw = server_kwargs(pki, backend=server_backend, retry=True)
        async with await serve("127.0.0.1", 0, **kw) as server:
            ck = client_kwargs(pki, backend=client_backend)
            async with connect("127.0.0.1", server.port, **ck) as conn:
                s = await conn.open_bi_stream()
                await s.send_message(b"after retry")
                return await asyncio.wait_for(s.recv_message(), 5)

    assert run(main()) == b"after retry"
