"""serve_webtransport against an independent client: aioquic's own H3Connection (wt_client)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import subprocess
import sys
from typing import Any

import pytest
from aioquic.buffer import encode_uint_var
from qm_testutil import Pki, run
from wt_client import frame, h3_client, parse_close_capsule

from quic_multistream import (
    ConfigurationError,
    ConnectionClosed,
    MessageTooLarge,
    QuicError,
    StreamPriority,
    StreamReset,
)
from quic_multistream.webtransport import (
    HEALTH_BODY,
    HEALTH_PATH,
    SESSION_GONE,
    WebTransportSession,
    serve_webtransport,
    webtransport_echo,
)


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "quic_multistream", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def _kw(pki: Pki, handler: Any, **kw: Any) -> dict[str, Any]:
    return {
        "certificate": pki.server.certificate,
        "private_key": pki.server.private_key,
        "handler": handler,
        **kw,
    }


def _ca(pki: Pki) -> bytes:
    return pki.ca.certificate_pem()


async def _wait_for(predicate: Any, timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "condition not reached"
        await asyncio.sleep(0.01)


def test_streams_and_datagrams_round_trip(pki: Pki) -> None:
    seen: dict[str, Any] = {}

    async def handler(session: WebTransportSession) -> None:
        seen.update(path=session.path, origin=session.origin, headers=session.headers)
        # 1. client bidi stream: echo framed messages until the client finishes
        bidi = await session.accept_bi_stream()
        async for message in bidi.messages():
            await bidi.send_message(message.upper())
        await bidi.finish()
        # 2. client uni stream: answer its SHA-256 on a server uni stream (LOW priority)
        uni = await session.accept_uni_stream()
        digest = hashlib.sha256(await uni.read_all()).digest()
        out = await session.open_uni_stream(StreamPriority.LOW)
        await out.send(digest)
        await out.finish()
        # 3. a server-opened bidi stream: one message out, one back
        mine = await session.open_bi_stream(StreamPriority.CRITICAL)
        await mine.send_message(b"from server")
        seen["reply"] = await mine.recv_message()
        await mine.finish()
        # 4. datagrams: echo three
        for _ in range(3):
            session.send_datagram(b"echo:" + await session.recv_datagram())

    async def main() -> None:
        async with (
            serve_webtransport("127.0.0.1", 0, **_kw(pki, handler)) as server,
            h3_client(server.port, _ca(pki)) as client,
        ):
            session_id, status = await client.open_session("/midstream?room=7")
            assert status == 200
            assert dict(client.headers[session_id])[b"sec-webtransport-http3-draft"] == b"draft02"
            # 1
            bidi = client.open_stream(session_id, uni=False)
            messages = [b"alpha", b"", b"x" * 70_000]
            client.send(bidi, b"".join(frame(m) for m in messages), end=True)
            echoed = await client.read_until_end(bidi)
            assert echoed == b"".join(frame(m.upper()) for m in messages)
            # 2
            payload = bytes(range(256)) * 1000
            uni = client.open_stream(session_id, uni=True)
            client.send(uni, payload, end=True)
            answer = await asyncio.wait_for(client.incoming.get(), 5)
            assert answer & 3 == 3  # server-initiated unidirectional
            assert await client.read_until_end(answer) == hashlib.sha256(payload).digest()
            # 3
            theirs = await asyncio.wait_for(client.incoming.get(), 5)
            assert theirs & 3 == 1  # server-initiated bidirectional
            assert await client.read_at_least(theirs, 15) == frame(b"from server")
            client.send(theirs, frame(b"from client"), end=True)
            assert await client.read_until_end(theirs) == frame(b"from server")
            # 4 (loopback: datagrams are not lost, but resend until all echoes arrive)
            echoes = set()
            for i in range(3):
                client.send_datagram(session_id, f"d{i}".encode())
            while len(echoes) < 3:
                echoes.add(await asyncio.wait_for(client.datagrams.get(), 5))
            assert echoes == {b"echo:d0", b"echo:d1", b"echo:d2"}
            # The handler returned: the session closes with code 0 and a FIN.
            await client.read_until_end(session_id)
            assert parse_close_capsule(bytes(client.streams[session_id].data)) == (0, b"")
        assert seen["reply"] == b"from client"
        assert seen["path"] == "/midstream?room=7"
        assert seen["origin"] is None
        assert seen["headers"]["x-test"] == "one"

    run(main())


def test_origin_check(pki: Pki) -> None:
    origins: list[str | None] = []

    async def handler(session: WebTransportSession) -> None:
        origins.append(session.origin)
        await session.wait_closed()

    async def statuses(**kw: Any) -> list[int]:
        async with (
            serve_webtransport("127.0.0.1", 0, **_kw(pki, handler, **kw)) as server,
            h3_client(server.port, _ca(pki)) as client,
        ):
            own = f"https://127.0.0.1:{server.port}"
            out = []
            for origin in (None, own, "https://evil.example", "null", "https://app.example/"):
                out.append((await client.open_session("/midstream", origin))[1])
            return out

    async def main() -> None:
        # Default: the server's own origin (and clients without Origin) only.
        assert await statuses() == [200, 200, 403, 403, 403]
        assert await statuses(allowed_origins=["https://APP.example"]) == [200, 403, 403, 403, 200]
        assert await statuses(allowed_origins=["*"]) == [200, 200, 200, 200, 200]

    run(main())
    assert None in origins and "https://app.example/" in origins


def test_plain_http3_answers(pki: Pki) -> None:
    calls = []

    async def handler(session: WebTransportSession) -> None:
        calls.append(session)

    async def main() -> None:
        pages = {"/page.html": "<p>hi</p>"}
        async with (
            serve_webtransport("127.0.0.1", 0, **_kw(pki, handler, pages=pages)) as server,
            h3_client(server.port, _ca(pki)) as client,
        ):
            assert (await client.open_session("/elsewhere"))[1] == 404
            for path in ("/", HEALTH_PATH, HEALTH_PATH + "?x=1"):
                status, headers, body = await client.request("GET", path)
                assert (status, body) == (200, HEALTH_BODY)
                assert headers[b"content-length"] == str(len(HEALTH_BODY)).encode()
            status, headers, body = await client.request("HEAD", HEALTH_PATH)
            assert (status, body) == (200, b"")
            status, headers, body = await client.request("GET", "/page.html")
            assert (status, body) == (200, b"<p>hi</p>")
            assert headers[b"content-type"].startswith(b"text/html")
            assert (await client.request("GET", "/nothing"))[0] == 404
            assert (await client.request("GET", "/midstream"))[0] == 404
            assert (await client.request("POST", HEALTH_PATH))[0] == 405
            # A plain (non-WebTransport) CONNECT is not a session.
            assert (await client.request("DELETE", "/midstream"))[0] == 405
        assert calls == []

    run(main())


def test_close_both_ways_and_handler_error(pki: Pki) -> None:
    results: dict[str, Any] = {}
    started: dict[str, asyncio.Event] = {}

    async def handler(session: WebTransportSession) -> None:
        kind = session.path.strip("/")
        started[kind].set()
        if kind == "client-closes":
            stream = await session.accept_bi_stream()
            await session.wait_closed()
            results["error"] = session.close_error
            with pytest.raises(StreamReset) as info:
                await stream.send(b"late")
            results["stream_code"] = info.value.error_code
            with pytest.raises(QuicError):
                await session.open_bi_stream()
        elif kind == "server-closes":
            session.close(42, "bye now")
            with pytest.raises(QuicError):
                session.send_datagram(b"x")
        else:
            raise RuntimeError("boom")

    async def main() -> None:
        for kind in ("client-closes", "server-closes", "fails"):
            started[kind] = asyncio.Event()
        for kind in ("client-closes", "server-closes", "fails"):
            async with (
                serve_webtransport("127.0.0.1", 0, **_kw(pki, handler, path=f"/{kind}")) as server,
                h3_client(server.port, _ca(pki)) as client,
            ):
                sid, status = await client.open_session(f"/{kind}")
                assert status == 200
                await asyncio.wait_for(started[kind].wait(), 5)
                if kind == "client-closes":
                    stream = client.open_stream(sid, uni=False)
                    client.send(stream, b"hello")
                    await _wait_for(
                        lambda: server.connections and any(c._streams for c in server.connections)
                    )
                    client.close_session(sid, 7, b"done here")
                    # The server resets the session's streams with SESSION_GONE.
                    await client.read_until_end(stream)
                    await _wait_for(lambda s=stream: client.streams[s].reset_code is not None)
                    assert client.streams[stream].reset_code == SESSION_GONE
                    await _wait_for(lambda: "stream_code" in results)
                else:
                    await client.read_until_end(sid)
                    got = parse_close_capsule(bytes(client.streams[sid].data))
                    results[kind] = got
        assert results["error"].error_code == 7 and results["error"].reason == "done here"
        assert results["stream_code"] == SESSION_GONE
        assert results["server-closes"] == (42, b"bye now")
        assert results["fails"] == (1, b"handler error: RuntimeError")

    run(main(), timeout=30)


def test_receive_window_bounds_unread_data_and_message_limit(pki: Pki) -> None:
    state: dict[str, Any] = {}

    async def handler(session: WebTransportSession) -> None:
        stream = await session.accept_bi_stream()
        state["stream"] = stream
        await state["go"].wait()
        with pytest.raises(MessageTooLarge):
            await stream.recv_message()
        small = await session.accept_uni_stream()
        state["small"] = await small.recv_message()
        await session.wait_closed()

    async def main() -> None:
        state["go"] = asyncio.Event()
        window = 64 * 1024
        async with (
            serve_webtransport(
                "127.0.0.1",
                0,
                **_kw(pki, handler, receive_window=window, max_message_size=1000),
            ) as server,
            h3_client(server.port, _ca(pki)) as client,
        ):
            sid, _ = await client.open_session("/midstream")
            stream = client.open_stream(sid, uni=False)
            # 2 MB that the handler does not read: the server must hold only about
            # one receive window of it, the rest stays at the client.
            client.send(stream, frame(b"y" * 2000) + b"z" * 2_000_000)
            await _wait_for(lambda: "stream" in state)
            await asyncio.sleep(0.5)
            held = state["stream"].buffered
            assert 0 < held <= window + 4096, held
            sender = client._quic._streams[stream].sender
            assert sender._buffer_stop - sender._buffer_start > 1_000_000  # unsent or unacked
            # The CONNECT stream's body (here one huge unknown capsule) is bounded too.
            big = encode_uint_var(0x1234) + encode_uint_var(3_000_000) + b"c" * 3_000_000
            client.http.send_data(sid, big, end_stream=False)
            client.transmit()
            await asyncio.sleep(0.5)
            conn = next(iter(server.connections))
            assert conn._quic._streams[sid].receiver.highest_offset <= window + 4096
            connect_sender = client._quic._streams[sid].sender
            assert connect_sender._buffer_stop - connect_sender._buffer_start > 2_000_000
            state["go"].set()
            uni = client.open_stream(sid, uni=True)
            client.send(uni, frame(b"ok"), end=True)
            await _wait_for(lambda: "small" in state)
        assert state["small"] == b"ok"

    run(main())


def test_bad_arguments(pki: Pki) -> None:
    async def handler(session: WebTransportSession) -> None:
        pass

    async def main() -> None:
        bad: list[dict[str, Any]] = [
            {"path": "midstream"},
            {"path": "/a?b"},
            {"allowed_origins": "https://a.example"},
            {"allowed_origins": ["a.example"]},
            {"pages": {"page": "x"}},
            {"pages": {"/page": 3}},
            {"handler": None},
            {"max_streams": 0},
        ]
        for kw in bad:
            args = _kw(pki, handler)
            args.update(kw)
            with pytest.raises(ConfigurationError) as info:
                await serve_webtransport("127.0.0.1", 0, **args)
            name = next(iter(kw))
            assert name in str(info.value)

    run(main())


def test_session_streams_only(pki: Pki) -> None:
    errors: list[Exception] = []

    async def handler(session: WebTransportSession) -> None:
        for call in (
            session.connection.open_bi_stream(),
            session.connection.accept_stream(),
            session.connection.recv_datagram(),
        ):
            try:
                await call
            except QuicError as exc:
                errors.append(exc)
        try:
            session.connection.send_datagram(b"x")
        except QuicError as exc:
            errors.append(exc)
        with pytest.raises(ConfigurationError):
            session.close(-1)
        with pytest.raises(ConfigurationError):
            await session.open_bi_stream(priority=3)  # type: ignore[arg-type]

    async def main() -> None:
        async with (
            serve_webtransport("127.0.0.1", 0, **_kw(pki, handler)) as server,
            h3_client(server.port, _ca(pki)) as client,
        ):
            sid, status = await client.open_session("/midstream")
            assert status == 200
            await client.read_until_end(sid)

    run(main())
    assert len(errors) == 4 and all("session" in str(e).lower() for e in errors)


def test_many_streams_with_checksums_and_unknown_session(pki: Pki) -> None:
    async def main() -> None:
        async with (
            serve_webtransport("127.0.0.1", 0, **_kw(pki, webtransport_echo)) as server,
            h3_client(server.port, _ca(pki)) as client,
        ):
            sid, status = await client.open_session("/midstream")
            assert status == 200
            # A stream naming a session that does not exist is refused, nothing else.
            stray = client.open_stream(sid + 400, uni=False)
            client.send(stray, b"lost")
            await _wait_for(lambda: client.streams[stray].reset_code is not None)
            assert client.streams[stray].reset_code == SESSION_GONE
            payloads = {}
            for i in range(60):
                stream = client.open_stream(sid, uni=False)
                payloads[stream] = hashlib.sha256(str(i).encode()).digest() * (50 + 37 * i)
                client.send(stream, payloads[stream], end=True)
            for stream, payload in payloads.items():
                echoed = await client.read_until_end(stream)
                assert hashlib.sha256(echoed).digest() == hashlib.sha256(payload).digest()
            conn = next(iter(server.connections))
            await _wait_for(lambda: not conn._streams)  # every finished stream forgotten
            assert not conn._stream_session

    run(main(), timeout=60)


@pytest.mark.network
def test_cli_webtransport_server(pki: Pki, tmp_path: Any) -> None:
    assert cli("cert", "dev", "--out", str(tmp_path)).returncode == 0
    # openssl computes the public-key hash Chromium wants, independently of us.
    pubkey = subprocess.run(
        ["openssl", "x509", "-in", str(tmp_path / "server.pem"), "-pubkey", "-noout"],
        capture_output=True,
        check=True,
    ).stdout
    der = subprocess.run(
        ["openssl", "pkey", "-pubin", "-outform", "der"],
        input=pubkey,
        capture_output=True,
        check=True,
    ).stdout
    expected_spki = base64.b64encode(hashlib.sha256(der).digest()).decode()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "quic_multistream",
            "webtransport-server",
            "--port",
            "0",
            "--cert",
            str(tmp_path / "server.pem"),
            "--key",
            str(tmp_path / "server.key"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        info = json.loads(server.stdout.readline())
        assert info["spki_sha256"] == expected_spki
        assert info["path"] == "/midstream"

        async def main() -> None:
            ca = (tmp_path / "ca.pem").read_bytes()
            async with h3_client(info["port"], ca) as client:
                sid, status = await client.open_session("/midstream")
                assert status == 200
                bidi = client.open_stream(sid, uni=False)
                client.send(bidi, b"ping" * 1000, end=True)
                assert await client.read_until_end(bidi) == b"ping" * 1000
                uni = client.open_stream(sid, uni=True)
                client.send(uni, b"one way", end=True)
                back = await asyncio.wait_for(client.incoming.get(), 5)
                assert await client.read_until_end(back) == b"one way"
                client.send_datagram(sid, b"dgram")
                assert await asyncio.wait_for(client.datagrams.get(), 5) == b"dgram"

        run(main())
    finally:
        server.terminate()
        server.wait(timeout=10)
        if server.stdout is not None:
            server.stdout.close()


def test_connection_end_ends_sessions_and_tasks(pki: Pki) -> None:
    outcome: dict[str, Any] = {}

    async def handler(session: WebTransportSession) -> None:
        key = session.path.strip("/")
        outcome[key + "-started"] = asyncio.current_task()
        try:
            await session.recv_datagram()
        except QuicError as exc:
            outcome[key] = exc
        if key == "stubborn":
            await asyncio.sleep(3600)  # must be cancelled when the server closes

    async def main() -> None:
        async with serve_webtransport("127.0.0.1", 0, **_kw(pki, handler, path="/gone")) as server:
            async with h3_client(server.port, _ca(pki)) as client:
                await client.open_session("/gone")
                await _wait_for(lambda: "gone-started" in outcome)
                client.close(error_code=0x100)
            await _wait_for(lambda: "gone" in outcome and not server.connections)
        assert isinstance(outcome["gone"], ConnectionClosed)
        assert outcome["gone"].error_code == 0x100  # H3_NO_ERROR, not a TLS alert

        server = await serve_webtransport("127.0.0.1", 0, **_kw(pki, handler, path="/stubborn"))
        async with h3_client(server.port, _ca(pki)) as client:
            await client.open_session("/stubborn")
            await _wait_for(lambda: "stubborn-started" in outcome)
            server.close()
            await asyncio.wait_for(server.wait_closed(), 5)
            assert "stubborn" in outcome
            assert outcome["stubborn-started"].cancelled()  # the sleeping handler is gone

    run(main())


def test_send_backpressure_when_the_client_stops_reading(pki: Pki) -> None:
    state: dict[str, Any] = {}
    payload = hashlib.sha256(b"bulk").digest() * (4 * 1024 * 1024 // 32)  # 4 MiB

    async def handler(session: WebTransportSession) -> None:
        stream = await session.open_uni_stream()
        state["stream"] = stream
        state["sending"] = asyncio.ensure_future(stream.send(payload))
        await state["sending"]
        await stream.finish()
        await session.wait_closed()

    async def main() -> None:
        send_buffer = 128 * 1024
        kw = _kw(pki, handler, send_buffer=send_buffer)
        async with (
            serve_webtransport("127.0.0.1", 0, **kw) as server,
            h3_client(server.port, _ca(pki), max_stream_data=256 * 1024) as client,
        ):
            await client.open_session("/midstream")
            client._transport.pause_reading()  # the client stops reading its socket
            await _wait_for(lambda: "sending" in state)
            await asyncio.sleep(0.5)
            # send() waits: only the bounded queue is held, not the 4 MiB.
            assert not state["sending"].done()
            assert state["stream"].queued <= send_buffer
            client._transport.resume_reading()
            incoming = await asyncio.wait_for(client.incoming.get(), 10)
            data = await client.read_until_end(incoming)
            assert hashlib.sha256(data).digest() == hashlib.sha256(payload).digest()
            assert state["sending"].done()

    run(main(), timeout=40)
