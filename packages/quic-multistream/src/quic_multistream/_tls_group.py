"""Which TLS key exchange group a handshake used, read from the ServerHello.

Neither aioquic nor qh3 records the negotiated group, but both pass handshake
bytes through ``tls.Context.handle_message(input_data, output_buffers, ...)``.
The client reads the group from the ServerHello it receives, the server from the
ServerHello it sends: the ``key_share`` extension (RFC 8446 section 4.2.8)
names it. This module parses only those bytes and never changes them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["GROUP_NAMES", "ServerHelloWatcher", "server_hello_group", "watch_context"]

#: TLS NamedGroup code points (IANA registry) and the names reported.
GROUP_NAMES = {
    0x0017: "secp256r1",
    0x0018: "secp384r1",
    0x0019: "secp521r1",
    0x001D: "x25519",
    0x001E: "x448",
    0x0100: "ffdhe2048",
    0x0101: "ffdhe3072",
    0x11EC: "X25519MLKEM768",
    0x6399: "X25519Kyber768Draft00",
}

_SERVER_HELLO = 2
_KEY_SHARE = 51
# A HelloRetryRequest is a ServerHello with this random (RFC 8446 section 4.1.3).
_HRR_RANDOM = bytes.fromhex("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c")


def server_hello_group(message: bytes) -> tuple[int, bool] | None:
    """The key_share group of one ServerHello handshake message, and whether it is an HRR.

    ``message`` starts with the 4-byte handshake header. Returns None when the
    message has no key_share (PSK-only resumption) or is malformed.

    >>> body = bytes(2) + bytes(32) + b"\\x00" + bytes(3) + (6).to_bytes(2, "big")
    >>> body += (51).to_bytes(2, "big") + (2).to_bytes(2, "big") + (0x11EC).to_bytes(2, "big")
    >>> server_hello_group(bytes([2]) + len(body).to_bytes(3, "big") + body)
    (4588, False)
    """
    try:
        pos = 4 + 2  # header, legacy_version
        random = message[pos : pos + 32]
        pos += 32
        pos += 1 + message[pos]  # legacy_session_id_echo
        pos += 2 + 1  # cipher_suite, legacy_compression_method
        end = pos + 2 + int.from_bytes(message[pos : pos + 2], "big")
        pos += 2
        while pos + 4 <= end:
            kind = int.from_bytes(message[pos : pos + 2], "big")
            size = int.from_bytes(message[pos + 2 : pos + 4], "big")
            if kind == _KEY_SHARE and size >= 2:
                return int.from_bytes(message[pos + 4 : pos + 6], "big"), random == _HRR_RANDOM
            pos += 4 + size
    except IndexError:
        return None
    return None


class ServerHelloWatcher:
    """Feed TLS handshake bytes of one direction; reports the ServerHello's group once."""

    def __init__(self, on_group: Callable[[str], None]) -> None:
        self._on_group = on_group
        self._buffer = bytearray()
        self.done = False

    def feed(self, data: bytes) -> None:
        """Consume handshake bytes; stops after the first message that is not an HRR."""
        if self.done or not data:
            return
        buf = self._buffer
        buf += data
        while len(buf) >= 4 and not self.done:
            size = 4 + int.from_bytes(buf[1:4], "big")
            if len(buf) < size:
                return
            message = bytes(buf[:size])
            del buf[:size]
            found = server_hello_group(message) if message[0] == _SERVER_HELLO else None
            if found is None:
                self.done = True
            else:
                group, retry = found
                if not retry:
                    self.done = True
                    self._on_group(GROUP_NAMES.get(group, f"0x{group:04x}"))
        if self.done:
            self._buffer = bytearray()


def watch_context(context: Any, is_client: bool, on_group: Callable[[str], None]) -> None:
    """Wrap ``context.handle_message`` so ``on_group`` learns the negotiated group."""
    watcher = ServerHelloWatcher(on_group)
    handle = context.handle_message

    def handle_message(input_data: bytes, output_buf: Any, *args: Any, **kwargs: Any) -> None:
        if is_client and not watcher.done:
            # qh3 says which encryption level the bytes came at; aioquic does not,
            # but its first incoming handshake bytes are the Initial ones.
            epoch = kwargs.get("epoch", args[0] if args else 0)
            if int(getattr(epoch, "value", epoch)) <= 0:
                watcher.feed(input_data)
        handle(input_data, output_buf, *args, **kwargs)
        if not is_client and not watcher.done:
            for epoch, buf in output_buf.items():
                if int(getattr(epoch, "value", epoch)) == 0:
                    watcher.feed(buf.data)

    context.handle_message = handle_message


def watch_aioquic(quic: Any, on_group: Callable[[str], None]) -> None:
    """Watch the TLS context aioquic creates in ``quic._initialize``."""
    initialize = quic._initialize

    def wrapped(peer_cid: bytes) -> None:
        initialize(peer_cid)
        watch_context(quic.tls, quic.configuration.is_client, on_group)

    quic._initialize = wrapped
