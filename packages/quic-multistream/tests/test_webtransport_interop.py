"""serve_webtransport against real HTTP/3 peers: curl_cffi's libcurl, ngtcp2, Chromium.

Each test skips, naming what is missing, when its peer is not installed.
``scripts/system_peers.sh`` (run by ``scripts/test``) installs Debian's
``ngtcp2-client`` and ``chromium-headless-shell`` when it runs as root with apt.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from qm_testutil import Pki, run

from quic_multistream.webtransport import (
    HEALTH_BODY,
    HEALTH_PATH,
    WebTransportSession,
    serve_webtransport,
)

INSTALL_HINT = "scripts/system_peers.sh installs it (root + apt-get)"


async def _nothing(session: WebTransportSession) -> None:
    await session.wait_closed()


def _kw(pki: Pki, handler: Any = _nothing, **kw: Any) -> dict[str, Any]:
    return {
        "certificate": pki.server.certificate,
        "private_key": pki.server.private_key,
        "handler": handler,
        **kw,
    }


async def _run_peer(cmd: list[str], timeout: float = 20.0) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        *cmd, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout)
    except asyncio.TimeoutError:
        proc.kill()
        await proc.wait()
        raise
    assert proc.returncode is not None
    return proc.returncode, out.decode(errors="replace"), err.decode(errors="replace")


# -- curl_cffi (libcurl with ngtcp2 + nghttp3) -------------------------------------------


def test_curl_cffi_http3_get(pki: Pki, tmp_path: Path) -> None:
    curl_cffi = pytest.importorskip("curl_cffi", reason="curl_cffi not installed (test extra)")
    from curl_cffi import Curl, CurlHttpVersion, requests

    version = Curl().version()
    if b"nghttp3" not in version:
        pytest.skip(f"curl_cffi {curl_cffi.__version__}'s libcurl has no HTTP/3: {version!r}")
    ca = tmp_path / "ca.pem"
    ca.write_bytes(pki.ca.certificate_pem())

    def get(port: int, path: str) -> Any:
        return requests.get(
            f"https://127.0.0.1:{port}{path}",
            http_version=CurlHttpVersion.V3ONLY,
            verify=str(ca),
            timeout=10,
        )

    async def main() -> None:
        async with serve_webtransport("127.0.0.1", 0, **_kw(pki)) as server:
            ok = await asyncio.to_thread(get, server.port, HEALTH_PATH)
            missing = await asyncio.to_thread(get, server.port, "/missing")
        assert ok.http_version == CurlHttpVersion.V3
        assert (ok.status_code, ok.content) == (200, HEALTH_BODY)
        assert ok.headers["server"] == "quic-multistream"
        assert missing.status_code == 404

    run(main(), timeout=30)


# -- ngtcp2's example HTTP/3 client (Debian ngtcp2-client: gtlsclient) ----------------------


def test_ngtcp2_client_get(pki: Pki, tmp_path: Path) -> None:
    client = shutil.which("gtlsclient")
    if client is None:
        pytest.skip(f"gtlsclient (Debian ngtcp2-client) not installed; {INSTALL_HINT}")

    async def get(port: int, path: str, name: str) -> tuple[int, bytes]:
        out_dir = tmp_path / name
        out_dir.mkdir()
        code, _, err = await _run_peer(
            [
                client,
                "--no-quic-dump",
                "--exit-on-all-streams-close",
                "--timeout=5s",
                f"--download={out_dir}",
                "127.0.0.1",
                str(port),
                f"https://127.0.0.1:{port}{path}",
            ]
        )
        assert code == 0, err[-2000:]
        status = re.search(r"\[:status: (\d+)\]", err)
        assert status is not None, err[-2000:]
        files = list(out_dir.iterdir())
        return int(status.group(1)), files[0].read_bytes() if files else b""

    async def main() -> None:
        async with serve_webtransport("127.0.0.1", 0, **_kw(pki)) as server:
            assert await get(server.port, HEALTH_PATH, "ok") == (200, HEALTH_BODY)
            assert (await get(server.port, "/missing", "missing"))[0] == 404

    run(main(), timeout=60)


# -- Chromium: a page opens a WebTransport session -------------------------------------------

PAGE = """<!doctype html>
<html><head><title>midstream webtransport test</title></head><body><script>
function frame(text) {
  const body = new TextEncoder().encode(text);
  const out = new Uint8Array(4 + body.length);
  new DataView(out.buffer).setUint32(0, body.length);
  out.set(body, 4);
  return out;
}
async function readAll(readable) {
  const reader = readable.getReader();
  let buf = new Uint8Array(0);
  for (;;) {
    const {value, done} = await reader.read();
    if (done) return buf;
    const grown = new Uint8Array(buf.length + value.length);
    grown.set(buf);
    grown.set(value, buf.length);
    buf = grown;
  }
}
(async () => {
  let cross = "connected";
  try {
    // Another origin's server, default allowed_origins: must refuse this page.
    const other = new WebTransport(new URLSearchParams(location.search).get("cross"));
    await other.ready;
  } catch (e) {
    cross = "refused";
  }
  const wt = new WebTransport(location.origin + "/midstream");
  await wt.ready;
  const bidi = await wt.createBidirectionalStream();
  const writer = bidi.writable.getWriter();
  await writer.write(frame("hello from chromium"));
  await writer.close();
  const echo = await readAll(bidi.readable);
  const length = new DataView(echo.buffer).getUint32(0);
  const text = new TextDecoder().decode(echo.slice(4, 4 + length));
  // Datagrams may be lost: send until one echo arrives (at most 20 tries).
  const dgWriter = wt.datagrams.writable.getWriter();
  const dgReader = wt.datagrams.readable.getReader();
  let dgram = "none";
  for (let i = 0; i < 20 && dgram === "none"; i++) {
    await dgWriter.write(new TextEncoder().encode("dg" + i));
    const timeout = new Promise((resolve) => setTimeout(() => resolve(null), 250));
    const got = await Promise.race([dgReader.read(), timeout]);
    if (got && !got.done) dgram = new TextDecoder().decode(got.value);
  }
  const report = await wt.createUnidirectionalStream();
  const w = report.getWriter();
  await w.write(new TextEncoder().encode("cross=" + cross + " echo=" + text + " dgram=" + dgram));
  // Not awaited: the server closes the session as soon as it has the report,
  // which can come before this FIN is acknowledged (the promise then rejects).
  w.close().catch(() => {});
  // The server then closes the session with a code and reason: report them
  // on a second session.
  const info = await wt.closed;
  const again = new WebTransport(location.origin + "/midstream");
  await again.ready;
  const closed = (await again.createUnidirectionalStream()).getWriter();
  await closed.write(new TextEncoder().encode("closed=" + info.closeCode + ":" + info.reason));
  closed.close().catch(() => {});
})();
</script></body></html>
"""


def _spki_hash(pki: Pki) -> str:
    spki = pki.server.certificate.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(hashlib.sha256(spki).digest()).decode()


def test_chromium_webtransport_echo(pki: Pki) -> None:
    browser = shutil.which("chromium-headless-shell")
    if browser is None:
        pytest.skip(f"chromium-headless-shell (Debian) not installed; {INSTALL_HINT}")
    seen: dict[str, Any] = {}

    async def handler(session: WebTransportSession) -> None:
        seen["origin"] = session.origin
        if "report" in seen:  # the page's second session
            report = await session.accept_uni_stream()
            seen["closed"] = (await report.read_all()).decode()
            seen["done"].set()
            return

        async def datagrams() -> None:
            while True:
                session.send_datagram(b"re:" + await session.recv_datagram())

        echo = asyncio.ensure_future(datagrams())
        try:
            bidi = await session.accept_bi_stream()
            async for message in bidi.messages():
                await bidi.send_message(message.upper())
            await bidi.finish()
            report = await session.accept_uni_stream()
            seen["report"] = (await report.read_all()).decode()
            session.close(7, "bye now")
        finally:
            echo.cancel()

    async def main() -> None:
        seen["done"] = asyncio.Event()
        with tempfile.TemporaryDirectory() as profile, open(Path(profile) / "log", "wb") as log:
            async with (
                serve_webtransport("127.0.0.1", 0, **_kw(pki, handler, pages={"/": PAGE})) as a,
                serve_webtransport("127.0.0.1", 0, **_kw(pki, handler)) as b,
            ):
                cross = f"https://127.0.0.1:{b.port}/midstream"
                proc = await asyncio.create_subprocess_exec(
                    browser,
                    "--headless",
                    "--no-sandbox",  # the tests may run as root
                    "--disable-gpu",
                    "--disable-dev-shm-usage",  # containers often have a tiny /dev/shm
                    f"--user-data-dir={profile}",
                    f"--origin-to-force-quic-on=127.0.0.1:{a.port}",
                    f"--ignore-certificate-errors-spki-list={_spki_hash(pki)}",
                    f"https://127.0.0.1:{a.port}/?cross={cross}",
                    stdout=asyncio.subprocess.DEVNULL,
                    stderr=log,
                )
                try:
                    await asyncio.wait_for(seen["done"].wait(), 30)
                except asyncio.TimeoutError:
                    tail = (Path(profile) / "log").read_bytes()[-3000:].decode(errors="replace")
                    pytest.fail(f"no report from chromium within 30 s; its log ends:\n{tail}")
                finally:
                    with contextlib.suppress(ProcessLookupError):
                        proc.kill()
                    await proc.wait()
        assert re.fullmatch(
            r"cross=refused echo=HELLO FROM CHROMIUM dgram=re:dg\d+", seen["report"]
        )
        assert seen["closed"] == "closed=7:bye now"
        assert seen["origin"] == f"https://127.0.0.1:{a.port}"

    run(main(), timeout=45)
