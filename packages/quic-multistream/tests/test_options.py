"""The public Options object and the real signatures of the entry points."""

import asyncio
import inspect

import pytest
from qm_testutil import client_kwargs, run, server_kwargs

from quic_multistream import (
    ConfigurationError,
    MessageTooLarge,
    Options,
    connect,
    serve,
    serve_webtransport,
)

MiB = 1024 * 1024


def test_defaults_are_the_documented_ones():
    o = Options()
    assert (o.max_streams, o.idle_timeout, o.max_message_size, o.datagrams) == (
        1024,
        30.0,
        16 * MiB,
        False,
    )
    assert (o.receive_window, o.receive_budget, o.send_buffer, o.unsent_window) == (
        MiB,
        64 * MiB,
        256 * 1024,
        64 * 1024,
    )
    assert o.keepalive_interval is None and o.incremental is True


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("max_streams", 0),
        ("max_streams", True),
        ("idle_timeout", -1),
        ("idle_timeout", float("nan")),
        ("max_message_size", -1),
        ("receive_window", 10),
        ("receive_budget", MiB),  # below max_message_size + 4
        ("send_buffer", 0),
        ("unsent_window", "big"),
        ("keepalive_interval", 60.0),  # not shorter than idle_timeout
    ],
)
def test_bad_fields_name_themselves(field, value):
    with pytest.raises(ConfigurationError, match=field):
        Options(**{field: value})
    with pytest.raises(ConfigurationError, match=field):
        Options().replace(**{field: value})


def test_replace_merge_and_normalisation():
    o = Options(receive_window=4097)
    assert o.receive_window == 4098  # rounded up to even
    assert o.replace(max_streams=3).max_streams == 3 and o.max_streams == 1024
    with pytest.raises(ConfigurationError, match="unknown option"):
        o.replace(max_stream=3)
    base = Options(max_streams=7, idle_timeout=5)
    merged = Options.merge(base, max_streams=None, idle_timeout=9)
    assert (merged.max_streams, merged.idle_timeout) == (7, 9.0)
    assert Options.merge(None) == Options()
    with pytest.raises(ConfigurationError, match="options must be an Options"):
        Options.merge({"max_streams": 3})


@pytest.mark.parametrize("entry", [serve, serve_webtransport, connect])
def test_entry_points_have_real_signatures(entry):
    params = inspect.signature(entry).parameters
    assert not any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in params.values()), (
        entry.__name__
    )
    assert "options" in params and "receive_budget" in params


@pytest.mark.network
def test_options_apply_and_keywords_override_them(pki, backend):
    seen = []

    async def handler(conn):
        async for s in conn:
            try:
                seen.append(len(await s.recv_message()))
            except MessageTooLarge as exc:
                seen.append(exc)

    async def main():
        opts = Options(max_message_size=100, receive_budget=MiB)
        kw = server_kwargs(pki, backend=backend, options=opts, handler=handler)
        async with await serve("127.0.0.1", 0, **kw) as server:
            ck = client_kwargs(pki, backend=backend, options=opts, max_message_size=1000)
            async with connect("127.0.0.1", server.port, **ck) as conn:
                assert conn.max_message_size == 1000  # keyword over options
                for size in (100, 101):  # the server's limit (from options) is 100
                    s = await conn.open_bi_stream()
                    await s.send_message(b"x" * size)
                for _ in range(200):
                    if len(seen) == 2:
                        break
                    await asyncio.sleep(0.02)
            assert seen[0] == 100 and isinstance(seen[1], MessageTooLarge)
            ck = client_kwargs(pki, backend=backend, options=opts)
            async with connect("127.0.0.1", server.port, **ck) as conn:
                with pytest.raises(MessageTooLarge):
                    await (await conn.open_bi_stream()).send_message(b"y" * 101)

    run(main())
