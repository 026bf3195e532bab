"""The ServerHello parser behind ``key_exchange_group`` (no network)."""

import doctest

from quic_multistream import _tls_group
from quic_multistream._tls_group import ServerHelloWatcher, server_hello_group


def server_hello(group: int, *, retry: bool = False, session_id: bytes = b"") -> bytes:
    random = _tls_group._HRR_RANDOM if retry else bytes(range(32))
    extensions = (43).to_bytes(2, "big") + (2).to_bytes(2, "big") + b"\x03\x04"  # version
    share = group.to_bytes(2, "big") + (b"" if retry else (4).to_bytes(2, "big") + b"keys")
    extensions += (51).to_bytes(2, "big") + len(share).to_bytes(2, "big") + share
    body = b"\x03\x03" + random + bytes([len(session_id)]) + session_id + b"\x13\x01\x00"
    body += len(extensions).to_bytes(2, "big") + extensions
    return b"\x02" + len(body).to_bytes(3, "big") + body


def test_doctest():
    assert doctest.testmod(_tls_group).failed == 0


def test_group_of_a_server_hello_and_a_retry_request():
    assert server_hello_group(server_hello(0x11EC, session_id=b"s" * 32)) == (0x11EC, False)
    assert server_hello_group(server_hello(0x0017, retry=True)) == (0x0017, True)
    assert server_hello_group(server_hello(0x001D)[:20]) is None  # truncated


def test_watcher_reports_once_across_fragments_and_after_a_retry():
    seen = []
    watcher = ServerHelloWatcher(seen.append)
    stream = server_hello(0x0017, retry=True) + server_hello(0x11EC) + b"\x08\x00\x00\x00"
    for i in range(0, len(stream), 7):  # CRYPTO data arrives in pieces
        watcher.feed(stream[i : i + 7])
    assert seen == ["X25519MLKEM768"] and watcher.done


def test_watcher_names_unknown_groups_and_stops_at_other_messages():
    seen = []
    ServerHelloWatcher(seen.append).feed(server_hello(0x4242))
    assert seen == ["0x4242"]
    other = ServerHelloWatcher(seen.append)
    other.feed(b"\x08\x00\x00\x02\x00\x00" + server_hello(0x001D))  # not a ServerHello first
    assert other.done and seen == ["0x4242"]
