"""`midstream serve` + `midstream send` as processes, over loopback with mutual TLS.

M producers send N events each; one producer is killed (SIGKILL) halfway and
restarted with --resume: the server's output holds every event exactly once, in
order per source. Also the commands' error paths: one stderr line, exit 2.
"""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("midstream")
from quic_multistream import generate_ca, issue_certificate

pytestmark = [pytest.mark.network, pytest.mark.slow]

MIDSTREAM = [sys.executable, "-m", "midstream"]


@pytest.fixture(scope="module")
def pki(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("pki")
    ca = generate_ca("Test CA")
    ca.write(d / "ca.pem", d / "ca.key")
    issue_certificate(ca, "localhost", names=["localhost", "127.0.0.1"]).write(
        d / "server.pem", d / "server.key"
    )
    issue_certificate(ca, "producer", client=True).write(d / "client.pem", d / "client.key")
    (d / "garbage.pem").write_text("not a certificate\n")
    return d


def _write_events(path: Path, source: str, n: int) -> list[dict]:
    events = [{"stream": source, "t": i * 1000, "value": (i * 37) % 101} for i in range(n)]
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    return events


def _start_server(pki: Path, out: Path, sources: int) -> tuple[subprocess.Popen, int]:
    proc = subprocess.Popen(
        [
            *MIDSTREAM,
            "serve",
            "--port",
            "0",
            "--cert",
            str(pki / "server.pem"),
            "--key",
            str(pki / "server.key"),
            "--client-ca",
            str(pki / "ca.pem"),
            "--sources",
            str(sources),
            "--out",
            str(out),
        ],
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    line = proc.stderr.readline()  # "listening on 127.0.0.1:PORT (...)"
    assert "listening on 127.0.0.1:" in line, line
    port = int(line.split("127.0.0.1:")[1].split()[0])
    return proc, port


def _send_cmd(pki: Path, port: int, *args: str) -> list[str]:
    return [
        *MIDSTREAM,
        "send",
        "--port",
        str(port),
        "--ca",
        str(pki / "ca.pem"),
        "--cert",
        str(pki / "client.pem"),
        "--key",
        str(pki / "client.key"),
        *args,
    ]


def _count(path: Path, source: str) -> int:
    if not path.exists():
        return 0
    return sum(1 for line in path.read_text().splitlines() if f'"{source}"' in line)


def test_producers_with_a_killed_sender_deliver_each_event_once(pki, tmp_path):
    n, producers = 4000, 4
    expected = {
        f"p{i}": _write_events(tmp_path / f"p{i}.jsonl", f"p{i}", n + 100 * i)
        for i in range(producers)
    }
    out = tmp_path / "received.jsonl"
    server, port = _start_server(pki, out, producers)
    try:
        # p0 comes through stdin; we feed half of it, then kill the process.
        victim = subprocess.Popen(
            _send_cmd(pki, port, "-", "--source", "p0", "--quiet"),
            stdin=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert victim.stdin is not None
        half = n // 2
        victim.stdin.write("".join(json.dumps(e) + "\n" for e in expected["p0"][:half]).encode())
        victim.stdin.flush()
        others = [
            subprocess.Popen(
                _send_cmd(pki, port, str(tmp_path / f"p{i}.jsonl"), "--quiet"),
                stderr=subprocess.PIPE,
            )
            for i in range(1, producers)
        ]
        deadline = time.monotonic() + 60
        while _count(out, "p0") < half // 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        victim.send_signal(signal.SIGKILL)
        victim.wait(10)
        # The restarted sender reads the whole file and skips what the server holds.
        restarted = subprocess.run(
            _send_cmd(pki, port, str(tmp_path / "p0.jsonl"), "--resume", "--json", "--quiet"),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert restarted.returncode == 0, restarted.stderr
        report = json.loads(restarted.stdout.splitlines()[-1])
        assert report["skipped"] > 0 and report["skipped"] + report["events"] == n
        for p in others:
            assert p.wait(120) == 0, p.stderr.read() if p.stderr else ""
        assert server.wait(60) == 0
    finally:
        for proc in [server]:
            if proc.poll() is None:
                proc.kill()
    got: dict[str, list[dict]] = {}
    for line in out.read_text().splitlines():
        event = json.loads(line)
        got.setdefault(event["stream"], []).append(event)
    assert got == expected  # all there, none twice, each source in order


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*MIDSTREAM, *args], capture_output=True, text=True, timeout=timeout)


def _one_line_error(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def test_serve_missing_cert_file(pki, tmp_path):
    r = _run(
        "serve",
        "--port",
        "0",
        "--cert",
        str(tmp_path / "nope.pem"),
        "--key",
        str(pki / "server.key"),
    )
    _one_line_error(r, "midstream serve: --cert: no such file", "nope.pem")


def test_serve_wrong_cert_file(pki):
    r = _run(
        "serve", "--port", "0", "--cert", str(pki / "garbage.pem"), "--key", str(pki / "server.key")
    )
    _one_line_error(r, "--cert: not a PEM certificate")
    r = _run(
        "serve", "--port", "0", "--cert", str(pki / "client.pem"), "--key", str(pki / "server.key")
    )
    _one_line_error(r, "--key does not match --cert")


def test_serve_port_in_use(pki):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        r = _run(
            "serve",
            "--port",
            str(port),
            "--cert",
            str(pki / "server.pem"),
            "--key",
            str(pki / "server.key"),
        )
    _one_line_error(r, f"port {port} on 127.0.0.1 is in use")


def test_send_unreachable_server(pki, tmp_path):
    _write_events(tmp_path / "a.jsonl", "a", 10)
    port = _free_udp_port()  # nobody listens there
    r = _run(*_send_cmd(pki, port, str(tmp_path / "a.jsonl"), "--quiet")[3:])
    _one_line_error(r, f"midstream send: cannot connect to 127.0.0.1:{port}")


def test_send_missing_and_wrong_cert_files(pki, tmp_path):
    _write_events(tmp_path / "a.jsonl", "a", 10)
    r = _run("send", str(tmp_path / "a.jsonl"), "--ca", str(tmp_path / "none.pem"))
    _one_line_error(r, "--ca: no such file")
    r = _run(
        "send",
        str(tmp_path / "a.jsonl"),
        "--port",
        str(_free_udp_port()),
        "--ca",
        str(pki / "garbage.pem"),
        "--quiet",
    )
    _one_line_error(r, "--ca: no valid PEM certificate")


def test_send_bad_input_line(pki, tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"stream": "a", "t": 1}\n[1, 2]\n')
    r = _run(*_send_cmd(pki, _free_udp_port(), str(path), "--quiet")[3:])
    _one_line_error(r, f"{path}:2: an event must be a JSON object")


def test_debug_shows_the_traceback(pki, tmp_path):
    r = _run(
        "serve",
        "--port",
        "0",
        "--cert",
        str(tmp_path / "nope.pem"),
        "--key",
        str(pki / "server.key"),
        "--debug",
    )
    assert r.returncode == 2
    assert "Traceback" in r.stderr and "--cert: no such file" in r.stderr


def test_bench_quic_reports_events_per_second():
    r = _run("bench", "--quic", "--events", "2000", "--sources", "2", "--json", timeout=120)
    assert r.returncode == 0, r.stderr
    result = json.loads(r.stdout)
    assert result["events"] == 2000 and result["events_per_s"] > 0


def test_serve_analyze_sends_alerts_back_to_the_sender(pki, tmp_path):
    # An LLM-like token stream that starts repeating itself: `serve --analyze` runs
    # the pipeline, writes its records, and the repetition alert comes back to the
    # still-connected `send`, which prints it on stdout.
    words = [
        "once",
        "upon",
        "a",
        "time",
        "a",
        "model",
        "answered",
        "questions",
        "about",
        "rivers",
        "and",
        "lakes",
    ]
    tokens = words + ["I", "will", "check", "the", "weather", "again", "now", "."] * 12
    lines = [
        json.dumps({"stream": "llm-1", "t": i * 20_000_000, "token": w + " "})
        for i, w in enumerate(tokens)
    ]
    out = tmp_path / "records.jsonl"
    server = subprocess.Popen(
        [
            *MIDSTREAM,
            "serve",
            "--port",
            "0",
            "--cert",
            str(pki / "server.pem"),
            "--key",
            str(pki / "server.key"),
            "--client-ca",
            str(pki / "ca.pem"),
            "--sources",
            "1",
            "--analyze",
            "--out",
            str(out),
        ],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stderr is not None
        line = server.stderr.readline()
        port = int(line.split("127.0.0.1:")[1].split()[0])
        sender = subprocess.Popen(
            _send_cmd(pki, port, "-", "--source", "llm", "--quiet"),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert sender.stdin is not None and sender.stdout is not None
        sender.stdin.write("\n".join(lines) + "\n")
        sender.stdin.flush()
        alert = json.loads(sender.stdout.readline())  # blocks until the alert arrives
        sender.stdin.close()
        assert sender.wait(60) == 0
        assert server.wait(60) == 0
    finally:
        for proc in (server,):
            if proc.poll() is None:
                proc.kill()
    assert alert["kind"] == "alert" and alert["stream"] == "llm-1"
    assert alert["detector"] == "repetition"
    records = [json.loads(r) for r in out.read_text().splitlines()]
    assert alert in records
    assert records[-1]["kind"] == "summary" and records[-1]["events"] == len(tokens)
