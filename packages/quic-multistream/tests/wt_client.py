"""A small HTTP/3 + WebTransport client for the tests, built on aioquic's H3Connection.

It is written independently of quic_multistream's server code: only aioquic's
public HTTP/3 layer, plus the wire format of draft-ietf-webtrans-http3-02 for
the stream data of streams this client opened (aioquic's H3Connection would
parse the server's answers on those as HTTP/3 frames).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any

from aioquic.asyncio.client import connect
from aioquic.asyncio.protocol import QuicConnectionProtocol
from aioquic.buffer import Buffer, encode_uint_var
from aioquic.h3 import events as h3
from aioquic.h3.connection import H3_ALPN, H3Connection
from aioquic.quic import events
from aioquic.quic.configuration import QuicConfiguration

CLOSE_CAPSULE = 0x2843


class StreamState:
    def __init__(self) -> None:
        self.data = bytearray()
        self.ended = False
        self.reset_code: int | None = None
        self.event = asyncio.Event()


class H3Client(QuicConnectionProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.http = H3Connection(self._quic, enable_webtransport=True)
        self.headers: dict[int, list[tuple[bytes, bytes]]] = {}
        self.streams: dict[int, StreamState] = defaultdict(StreamState)
        self.own: set[int] = set()  # WebTransport streams we opened
        self.incoming: asyncio.Queue[int] = asyncio.Queue()
        self.datagrams: asyncio.Queue[bytes] = asyncio.Queue()
        self.changed = asyncio.Event()
        self.authority_value = b""

    # -- events ----------------------------------------------------------------------

    def quic_event_received(self, event: events.QuicEvent) -> None:
        sid = getattr(event, "stream_id", None)
        if sid in self.own:
            state = self.streams[sid]
            if isinstance(event, events.StreamDataReceived):
                state.data += event.data
                state.ended = state.ended or event.end_stream
            elif isinstance(event, events.StreamReset):
                state.reset_code = event.error_code
            state.event.set()
            self.changed.set()
            return
        if isinstance(event, events.StreamReset) and sid is not None:
            state = self.streams[sid]
            state.reset_code = event.error_code
            state.event.set()
        for ev in self.http.handle_event(event):
            self.http_event(ev)
        self.changed.set()

    def http_event(self, ev: h3.H3Event) -> None:
        if isinstance(ev, h3.HeadersReceived):
            self.headers[ev.stream_id] = ev.headers
            state = self.streams[ev.stream_id]
            state.ended = state.ended or ev.stream_ended
            state.event.set()
        elif isinstance(ev, h3.DataReceived):
            state = self.streams[ev.stream_id]
            state.data += ev.data
            state.ended = state.ended or ev.stream_ended
            state.event.set()
        elif isinstance(ev, h3.WebTransportStreamDataReceived):
            new = ev.stream_id not in self.streams
            state = self.streams[ev.stream_id]
            state.data += ev.data
            state.ended = state.ended or ev.stream_ended
            state.event.set()
            if new:
                self.incoming.put_nowait(ev.stream_id)
        elif isinstance(ev, h3.DatagramReceived):
            self.datagrams.put_nowait(ev.data)

    # -- requests ----------------------------------------------------------------------

    def authority(self) -> bytes:
        return self.authority_value

    async def request(
        self, method: str, path: str, extra: list[tuple[bytes, bytes]] | None = None
    ) -> tuple[int, dict[bytes, bytes], bytes]:
        """A plain request; returns (status, headers, body) once the response ended."""
        sid = self._quic.get_next_available_stream_id()
        self.http.send_headers(
            sid,
            [
                (b":method", method.encode()),
                (b":scheme", b"https"),
                (b":authority", self.authority()),
                (b":path", path.encode()),
                *(extra or []),
            ],
            end_stream=True,
        )
        self.transmit()
        state = self.streams[sid]
        while not state.ended:
            state.event.clear()
            await state.event.wait()
        headers = dict(self.headers[sid])
        return int(headers[b":status"]), headers, bytes(state.data)

    async def open_session(self, path: str, origin: str | None = None) -> tuple[int, int]:
        """Extended CONNECT; returns (session id, status)."""
        sid = self._quic.get_next_available_stream_id()
        extra = [(b"origin", origin.encode())] if origin is not None else []
        self.http.send_headers(
            sid,
            [
                (b":method", b"CONNECT"),
                (b":protocol", b"webtransport"),
                (b":scheme", b"https"),
                (b":authority", self.authority()),
                (b":path", path.encode()),
                (b"sec-webtransport-http3-draft02", b"1"),
                (b"x-test", b"one"),
                *extra,
            ],
        )
        self.transmit()
        state = self.streams[sid]
        while sid not in self.headers:
            state.event.clear()
            await state.event.wait()
        return sid, int(dict(self.headers[sid])[b":status"])

    def close_session(self, session_id: int, code: int, reason: bytes) -> None:
        body = code.to_bytes(4, "big") + reason
        capsule = encode_uint_var(CLOSE_CAPSULE) + encode_uint_var(len(body)) + body
        self.http.send_data(session_id, capsule, end_stream=True)
        self.transmit()

    def open_stream(self, session_id: int, uni: bool) -> int:
        sid = self.http.create_webtransport_stream(session_id, is_unidirectional=uni)
        self.own.add(sid)
        return sid

    def send(self, sid: int, data: bytes, end: bool = False) -> None:
        self._quic.send_stream_data(sid, data, end_stream=end)
        self.transmit()

    async def read_until_end(self, sid: int) -> bytes:
        state = self.streams[sid]
        while not state.ended and state.reset_code is None:
            state.event.clear()
            await state.event.wait()
        return bytes(state.data)

    async def read_at_least(self, sid: int, n: int) -> bytes:
        state = self.streams[sid]
        while len(state.data) < n and not state.ended and state.reset_code is None:
            state.event.clear()
            await state.event.wait()
        return bytes(state.data)

    def send_datagram(self, session_id: int, data: bytes) -> None:
        self.http.send_datagram(session_id, data)
        self.transmit()


def parse_close_capsule(data: bytes) -> tuple[int, bytes] | None:
    buf = Buffer(data=data)
    while not buf.eof():
        kind = buf.pull_uint_var()
        length = buf.pull_uint_var()
        body = buf.pull_bytes(length)
        if kind == CLOSE_CAPSULE:
            return int.from_bytes(body[:4], "big"), body[4:]
    return None


def frame(payload: bytes) -> bytes:
    """quic_multistream's message framing, written out: 4-byte big-endian length."""
    return len(payload).to_bytes(4, "big") + payload


@contextlib.asynccontextmanager
async def h3_client(port: int, ca_pem: bytes, **config: Any) -> AsyncIterator[H3Client]:
    configuration = QuicConfiguration(
        is_client=True, alpn_protocols=H3_ALPN, max_datagram_frame_size=65536, **config
    )
    configuration.load_verify_locations(cadata=ca_pem)
    configuration.server_name = "localhost"
    async with connect(
        "127.0.0.1", port, configuration=configuration, create_protocol=H3Client
    ) as client:
        assert isinstance(client, H3Client)
        client.authority_value = f"127.0.0.1:{port}".encode()
        yield client
