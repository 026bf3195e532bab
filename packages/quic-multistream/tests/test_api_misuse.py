"""Issue 13 item 7: API misuse reported clearly, up front, with the package's errors."""

import asyncio
import functools

import pytest
from qm_testutil import client_kwargs, echo_messages, run, server_kwargs

from quic_multistream import ConfigurationError, ConnectionClosed, connect, serve


class AsyncCallable:
    async def __call__(self, conn):
        await echo_messages(conn)


class SyncCallable:
    def __call__(self, conn):
        return None


@pytest.mark.parametrize(
    "handler",
    [lambda c: None, SyncCallable(), print, "handler"],
    ids=["lambda", "sync_callable", "builtin", "str"],
)
def test_serve_refuses_a_handler_that_is_not_async(pki, handler):
    async def main():
        with pytest.raises(ConfigurationError, match="handler must be an async function"):
            await serve("127.0.0.1", 0, **server_kwargs(pki, handler=handler))

    run(main())


@pytest.mark.network
@pytest.mark.parametrize(
    "handler",
    [echo_messages, functools.partial(echo_messages), AsyncCallable()],
    ids=["async_def", "partial", "async_callable"],
)
def test_serve_accepts_async_handlers(pki, handler):
    async def main():
        server = await serve("127.0.0.1", 0, **server_kwargs(pki, handler=handler))
        async with server, connect("127.0.0.1", server.port, **client_kwargs(pki)) as conn:
            s = await conn.open_bi_stream()
            await s.send_message(b"hi")
            assert await asyncio.wait_for(s.recv_message(), 5) == b"hi"

    run(main())


@pytest.mark.network
def test_no_stream_opens_after_close(pki, backend):
    async def main():
        kw = server_kwargs(pki, backend=backend)
        async with await serve("127.0.0.1", 0, **kw) as server:
            conn = await connect("127.0.0.1", server.port, **client_kwargs(pki, backend=backend))
            kept = await conn.open_bi_stream()
            conn.close()
            for opener in (conn.open_bi_stream, conn.open_uni_stream):
                with pytest.raises(ConnectionClosed, match="closed by us"):
                    await opener()
            with pytest.raises(ConnectionClosed):
                await kept.send(b"late")
            await conn.__aexit__(None, None, None)

    run(main())


@pytest.mark.parametrize("which", ["certificate", "private_key"])
def test_missing_certificate_file_is_reported_as_missing(pki, tmp_path, which):
    missing = tmp_path / "absent.pem"

    async def main():
        kw = server_kwargs(pki, **{which: missing})
        with pytest.raises(ConfigurationError) as info:
            await serve("127.0.0.1", 0, **kw)
        message = str(info.value)
        assert message.startswith(f"{which}: cannot read {missing}"), message
        assert "No such file" in message and "not a PEM" not in message

    run(main())
