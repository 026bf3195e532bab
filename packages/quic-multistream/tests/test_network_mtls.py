"""Mutual TLS and server verification on loopback."""

import asyncio
import warnings

import pytest
from qm_testutil import client_kwargs, echo_messages, run, server_kwargs

from quic_multistream import (
    CertificateError,
    ConfigurationError,
    HandshakeError,
    InsecureConnectionWarning,
    QuicError,
    connect,
    generate_ca,
    serve,
)

pytestmark = pytest.mark.network


async def roundtrip(conn, payload=b"ping"):
    stream = await conn.open_bi_stream()
    await stream.send_message(payload)
    return await asyncio.wait_for(stream.recv_message(), 5)


async def rejected(port, kwargs):
    """Connect and use the connection; return the error the client observes."""
    try:
        async with connect("127.0.0.1", port, **kwargs) as conn:
            await roundtrip(conn)
    except QuicError as exc:
        return exc
    return None


@pytest.mark.parametrize(
    ("who", "alert"),
    [(None, 116), ("untrusted_client", 48), ("expired_client", 45), ("server_as_client", 42)],
)
def test_bad_client_rejected_and_server_keeps_serving(pki, who, alert):
    seen = []

    async def handler(conn):
        seen.append(conn.peer_identity)
        await echo_messages(conn)

    async def main():
        kw = server_kwargs(pki, handler=handler, client_ca=pki.ca.certificate)
        async with await serve("127.0.0.1", 0, require_client_cert=True, **kw) as server:
            cert = None if who is None else getattr(pki, who)
            err = await rejected(server.port, client_kwargs(pki, cert))
            assert isinstance(err, CertificateError), err
            assert err.alert == alert and err.error_code == 0x100 + alert
            assert seen == []  # the handler never saw the rejected client
            async with connect("127.0.0.1", server.port, **client_kwargs(pki, pki.client)) as c:
                assert await roundtrip(c) == b"ping"
            assert [i.common_name for i in seen] == ["alice"]
            assert seen[0].issuer == "CN=Test CA"

    run(main())


def test_optional_client_certificate(pki):
    seen = []

    async def handler(conn):
        seen.append(conn.peer_identity)
        await echo_messages(conn)

    async def main():
        kw = server_kwargs(pki, handler=handler, client_ca=pki.ca.certificate)
        async with await serve("127.0.0.1", 0, **kw) as server:
            async with connect("127.0.0.1", server.port, **client_kwargs(pki)) as c:
                assert await roundtrip(c) == b"ping"
            err = await rejected(server.port, client_kwargs(pki, pki.untrusted_client))
            assert isinstance(err, CertificateError) and err.alert == 48
        assert seen == [None]

    run(main())


def test_client_verifies_server(pki, backend):
    async def main():
        async with await serve("127.0.0.1", 0, **server_kwargs(pki, backend=backend)) as server:
            other = generate_ca("Other")
            with pytest.raises(CertificateError):
                await connect("127.0.0.1", server.port, ca_file=other.certificate, backend=backend)
            with pytest.raises(CertificateError):
                await connect(
                    "127.0.0.1",
                    server.port,
                    ca_file=pki.ca.certificate,
                    server_name="evil.test",
                    backend=backend,
                )
            # default trust store: the test CA is unknown there
            with pytest.raises(CertificateError):
                await connect("127.0.0.1", server.port, connect_timeout=5, backend=backend)
            with warnings.catch_warnings(record=True) as w:
                warnings.simplefilter("always")
                async with connect(
                    "127.0.0.1", server.port, insecure_skip_verify=True, backend=backend
                ) as c:
                    assert await roundtrip(c) == b"ping"
            assert any(issubclass(x.category, InsecureConnectionWarning) for x in w)
            # verified by IP address SAN without server_name
            async with connect(
                "127.0.0.1", server.port, ca_file=pki.ca.certificate, backend=backend
            ) as c:
                assert await roundtrip(c) == b"ping"

    run(main())


def test_alpn_mismatch(pki, backend):
    async def main():
        async with await serve("127.0.0.1", 0, **server_kwargs(pki, backend=backend)) as server:
            with pytest.raises(HandshakeError) as info:
                ck = client_kwargs(pki, backend=backend)
                await connect("127.0.0.1", server.port, alpn=["h3"], **ck)
            # no_application_protocol (120); qh3's server sends handshake_failure (40)
            alert = 120 if backend == "aioquic" else 40
            assert info.value.error_code == 0x100 + alert

    run(main())


def test_configuration_errors(pki):
    async def main():
        kw = server_kwargs(pki)
        with pytest.raises(ConfigurationError, match="require_client_cert"):
            await serve("127.0.0.1", 0, require_client_cert=True, **kw)
        with pytest.raises(ConfigurationError, match="allow_0rtt"):
            await serve("127.0.0.1", 0, allow_0rtt=True, client_ca=pki.ca.certificate, **kw)
        with pytest.raises(ConfigurationError, match="port"):
            await serve("127.0.0.1", 70000, **kw)
        with pytest.raises(ConfigurationError, match="max_streams"):
            await serve("127.0.0.1", 0, max_streams=0, **kw)
        with pytest.raises(ConfigurationError, match="private_key does not match"):
            await serve(
                "127.0.0.1",
                0,
                certificate=pki.server.certificate,
                private_key=pki.client.private_key,
                handler=echo_messages,
            )
        with pytest.raises(ConfigurationError, match="handler"):
            await serve("127.0.0.1", 0, **{**kw, "handler": None})
        with pytest.raises(ConfigurationError, match="client_key"):
            connect("127.0.0.1", 1, client_certificate=pki.client.certificate)
        with pytest.raises(ConfigurationError, match="alpn"):
            connect("127.0.0.1", 1, alpn="midstream/1")
        with pytest.raises(ConfigurationError, match="keepalive_interval"):
            connect("127.0.0.1", 1, idle_timeout=1, keepalive_interval=2)

    run(main())
