"""Command line: ``python -m quic_multistream {cert,echo-server,webtransport-server,bench} ...``."""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from .certs import IssuedCertificate, generate_ca, issue_certificate
from .client import connect
from .connection import Connection
from .errors import ConfigurationError, QuicError
from .server import serve

__all__ = ["main"]


def _load_ca(directory: Path) -> IssuedCertificate:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    try:
        cert_pem = (directory / "ca.pem").read_bytes()
        key_pem = (directory / "ca.key").read_bytes()
    except OSError as exc:
        raise ConfigurationError(
            f"--ca-dir {directory}: cannot read the CA ({exc.strerror}: {exc.filename}); "
            "make one with 'cert dev' first"
        ) from exc
    try:
        cert = x509.load_pem_x509_certificate(cert_pem)
        key = serialization.load_pem_private_key(key_pem, None)
    except (ValueError, TypeError) as exc:
        raise ConfigurationError(f"--ca-dir {directory}: not a PEM CA and key ({exc})") from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ConfigurationError(f"--ca-dir {directory}: ca.key is not an EC key made by this tool")
    return IssuedCertificate(cert, key)


def _cert(args: argparse.Namespace) -> int:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.kind == "dev":
        ca = generate_ca(args.cn or "Midstream development CA", valid_days=args.days)
        ca.write(out / "ca.pem", out / "ca.key")
        names = args.name or ["localhost", "127.0.0.1", "::1"]
        issue_certificate(ca, names[0], names=names, valid_days=args.days).write(
            out / "server.pem", out / "server.key"
        )
        issue_certificate(ca, args.client_cn, client=True, valid_days=args.days).write(
            out / "client.pem", out / "client.key"
        )
        print(f"wrote ca, server ({', '.join(names)}) and client ({args.client_cn}) to {out}")
    else:
        ca = _load_ca(Path(args.ca_dir))
        cn = args.cn or ("localhost" if args.kind == "server" else args.client_cn)
        leaf = issue_certificate(
            ca, cn, names=args.name or (), client=args.kind == "client", valid_days=args.days
        )
        stem = args.stem or args.kind
        leaf.write(out / f"{stem}.pem", out / f"{stem}.key")
        print(f"wrote {args.kind} certificate {leaf.subject} to {out / (stem + '.pem')}")
    return 0


async def _echo(conn: Connection) -> None:
    async def one(stream: object) -> None:
        from .stream import Stream

        assert isinstance(stream, Stream)
        try:
            while chunk := await stream.recv():
                await stream.send(chunk)
            await stream.finish()
        except QuicError:
            pass

    tasks = set()
    async for stream in conn:
        if stream.can_send:
            task = asyncio.ensure_future(one(stream))
            tasks.add(task)
            task.add_done_callback(tasks.discard)


async def _echo_server(args: argparse.Namespace) -> int:
    server = await serve(
        args.host,
        args.port,
        certificate=args.cert,
        private_key=args.key,
        handler=_echo,
        client_ca=args.client_ca,
        require_client_cert=args.require_client_cert,
        max_streams=args.max_streams,
        backend=args.backend,
    )
    print(json.dumps({"listening": server.host, "port": server.port}), flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        server.close()
    return 0


async def _webtransport_server(args: argparse.Namespace) -> int:
    from .webtransport import serve_webtransport, spki_sha256, webtransport_echo

    pages = {}
    if args.page:
        try:
            pages["/"] = Path(args.page).read_bytes()
        except OSError as exc:
            raise SystemExit(f"error: --page: {exc}") from exc
    server = await serve_webtransport(
        args.host,
        args.port,
        certificate=args.cert,
        private_key=args.key,
        handler=webtransport_echo,
        path=args.path,
        allowed_origins=args.allow_origin,
        pages=pages,
        max_streams=args.max_streams,
    )
    listening = {"listening": server.host, "port": server.port, "path": args.path}
    # For chromium --ignore-certificate-errors-spki-list with a development certificate.
    listening["spki_sha256"] = spki_sha256(args.cert)
    print(json.dumps(listening), flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        server.close()
    return 0


async def _bench(args: argparse.Namespace) -> int:
    if args.messages < 1:
        raise ConfigurationError(f"--messages must be at least 1, got {args.messages}")
    if args.size < 1:
        raise ConfigurationError(f"--size must be at least 1, got {args.size}")
    kwargs = {}
    if args.client_cert:
        kwargs = {"client_certificate": args.client_cert, "client_key": args.client_key}
    t0 = time.perf_counter()
    async with connect(
        args.host,
        args.port,
        ca_file=args.ca_file,
        server_name=args.server_name,
        backend=args.backend,
        **kwargs,
    ) as conn:
        handshake = time.perf_counter() - t0
        stream = await conn.open_bi_stream()
        payload = b"x" * args.size
        rtts = []
        for _ in range(args.messages):
            start = time.perf_counter()
            # Read while sending: a message larger than the flow-control windows
            # only gets through if its echo is drained as it comes back.
            sender = asyncio.ensure_future(stream.send(payload))
            got = 0
            try:
                while got < len(payload):
                    chunk = await stream.recv(len(payload) - got)
                    if not chunk:
                        raise QuicError("the echo server finished the stream early")
                    got += len(chunk)
                await sender
            finally:
                sender.cancel()
            rtts.append(time.perf_counter() - start)
        await stream.finish()
        rtts.sort()
        result = {
            "handshake_ms": round(handshake * 1e3, 3),
            "messages": args.messages,
            "size": args.size,
            "rtt_p50_us": round(statistics.median(rtts) * 1e6, 1),
            "rtt_p99_us": round(rtts[min(len(rtts) - 1, int(0.99 * len(rtts)))] * 1e6, 1),
            "stats": conn.stats().to_dict(),
        }
    print(json.dumps(result))
    return 0


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m quic_multistream", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    c = sub.add_parser("cert", help="write development certificates (PEM)")
    c.add_argument("kind", choices=["dev", "server", "client"], help="dev: CA + server + client")
    c.add_argument("--out", default=".", help="output directory")
    c.add_argument("--ca-dir", default=".", help="directory with ca.pem/ca.key (server, client)")
    c.add_argument("--cn", help="common name")
    c.add_argument("--name", action="append", help="subjectAltName (repeatable)")
    c.add_argument("--client-cn", default="client", help="client common name")
    c.add_argument("--stem", help="output file stem (default: the kind)")
    c.add_argument("--days", type=float, default=90, help="validity in days")

    e = sub.add_parser("echo-server", help="run an echo server until interrupted")
    e.add_argument("--host", default="127.0.0.1")
    e.add_argument("--port", type=int, default=4433)
    e.add_argument("--cert", required=True)
    e.add_argument("--key", required=True)
    e.add_argument("--client-ca")
    e.add_argument("--require-client-cert", action="store_true")
    e.add_argument("--max-streams", type=int, default=1024)
    e.add_argument("--backend", choices=["aioquic", "qh3"], default="aioquic")

    w = sub.add_parser(
        "webtransport-server",
        help="run an HTTP/3 WebTransport echo server until interrupted",
        description="Echo bytes on bidirectional streams, answer each unidirectional "
        "stream on a new one, echo datagrams. GET / and /.well-known/midstream answer 200.",
    )
    w.add_argument("--host", default="127.0.0.1")
    w.add_argument("--port", type=int, default=4433)
    w.add_argument("--cert", required=True)
    w.add_argument("--key", required=True)
    w.add_argument("--path", default="/midstream", help="WebTransport endpoint path")
    w.add_argument(
        "--allow-origin",
        action="append",
        help="origin allowed to open sessions (repeatable; '*' for any); default: own origin",
    )
    w.add_argument("--page", help="HTML file served at / (e.g. a page that opens a session)")
    w.add_argument("--max-streams", type=int, default=1024)

    b = sub.add_parser("bench", help="measure echo round trips against an echo server")
    b.add_argument("--host", default="127.0.0.1")
    b.add_argument("--port", type=int, default=4433)
    b.add_argument("--ca-file")
    b.add_argument("--server-name")
    b.add_argument("--client-cert")
    b.add_argument("--client-key")
    b.add_argument("--messages", type=int, default=1000)
    b.add_argument("--size", type=int, default=64)
    b.add_argument("--backend", choices=["aioquic", "qh3"], default="aioquic")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "cert":
            return _cert(args)
        if args.command == "echo-server":
            return asyncio.run(_echo_server(args))
        if args.command == "webtransport-server":
            return asyncio.run(_webtransport_server(args))
        return asyncio.run(_bench(args))
    except QuicError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
