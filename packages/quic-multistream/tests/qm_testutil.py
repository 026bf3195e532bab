"""Helpers for the network tests: a test PKI made at test time (no keys are committed)."""

from __future__ import annotations

import asyncio
import datetime as dt
import importlib.util
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any, TypeVar

from quic_multistream.certs import IssuedCertificate, generate_ca, issue_certificate

T = TypeVar("T")

#: Whether the optional qh3 backend can be tested here.
HAVE_QH3 = importlib.util.find_spec("qh3") is not None


@dataclass(frozen=True)
class Pki:
    ca: IssuedCertificate
    server: IssuedCertificate
    client: IssuedCertificate
    untrusted_ca: IssuedCertificate
    untrusted_client: IssuedCertificate
    expired_client: IssuedCertificate
    server_as_client: IssuedCertificate  # serverAuth-only certificate from the trusted CA


def make_pki() -> Pki:
    ca = generate_ca("Test CA")
    untrusted = generate_ca("Untrusted CA")
    past = dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)
    return Pki(
        ca=ca,
        server=issue_certificate(ca, "localhost", names=["localhost", "127.0.0.1", "::1"]),
        client=issue_certificate(ca, "alice", client=True),
        untrusted_ca=untrusted,
        untrusted_client=issue_certificate(untrusted, "mallory", client=True),
        expired_client=issue_certificate(ca, "old", client=True, not_before=past, valid_days=1),
        server_as_client=issue_certificate(ca, "svc", names=["svc.local"]),
    )


def run(coro: Awaitable[T], timeout: float = 20.0) -> T:
    """Run one test coroutine with an overall bound."""

    async def bounded() -> Any:
        return await asyncio.wait_for(coro, timeout)

    return asyncio.run(bounded())


async def echo_messages(conn: Any) -> None:
    """Server handler: echo every message on every bidirectional stream."""

    async def echo(stream: Any) -> None:
        try:
            async for msg in stream.messages():
                await stream.send_message(msg)
            await stream.finish()
        except Exception:
            pass  # a test closed the connection or reset the stream

    tasks = set()
    async for stream in conn:
        if stream.can_send:
            t = asyncio.ensure_future(echo(stream))
            tasks.add(t)
            t.add_done_callback(tasks.discard)
    for t in list(tasks):
        t.cancel()


def server_kwargs(pki: Pki, **kw: Any) -> dict[str, Any]:
    return {
        "certificate": pki.server.certificate,
        "private_key": pki.server.private_key,
        "handler": echo_messages,
        **kw,
    }


def client_kwargs(pki: Pki, who: IssuedCertificate | None = None, **kw: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"ca_file": pki.ca.certificate, "server_name": "localhost", **kw}
    if who is not None:
        out["client_certificate"] = who.certificate
        out["client_key"] = who.private_key
    return out
