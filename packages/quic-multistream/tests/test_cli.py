import json
import subprocess
import sys

import pytest


def cli(*args, **kw):
    return subprocess.run(
        [sys.executable, "-m", "quic_multistream", *args],
        capture_output=True,
        text=True,
        timeout=60,
        **kw,
    )


def test_cert_dev_then_issue_another_client(tmp_path):
    r = cli("cert", "dev", "--out", str(tmp_path), "--client-cn", "alice")
    assert r.returncode == 0, r.stderr
    for f in ("ca.pem", "ca.key", "server.pem", "server.key", "client.pem", "client.key"):
        assert (tmp_path / f).exists()
    assert (tmp_path / "client.key").stat().st_mode & 0o777 == 0o600
    r = cli("cert", "client", "--ca-dir", str(tmp_path), "--out", str(tmp_path), "--cn", "bob")
    assert r.returncode == 0, r.stderr
    from quic_multistream.certs import load_certificates
    from quic_multistream.verify import verify_client_certificate

    ca = load_certificates(tmp_path / "ca.pem")
    bob = load_certificates(tmp_path / "client.pem")[0]
    assert verify_client_certificate(bob, [], ca).common_name == "bob"


@pytest.mark.network
def test_echo_server_and_bench_with_mutual_tls(tmp_path):
    assert cli("cert", "dev", "--out", str(tmp_path)).returncode == 0
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "quic_multistream",
            "echo-server",
            "--port",
            "0",
            "--cert",
            str(tmp_path / "server.pem"),
            "--key",
            str(tmp_path / "server.key"),
            "--client-ca",
            str(tmp_path / "ca.pem"),
            "--require-client-cert",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = server.stdout.readline()
        port = json.loads(line)["port"]
        common = ["--port", str(port), "--ca-file", str(tmp_path / "ca.pem"), "--messages", "50"]
        ok = cli(
            "bench",
            *common,
            "--client-cert",
            str(tmp_path / "client.pem"),
            "--client-key",
            str(tmp_path / "client.key"),
        )
        assert ok.returncode == 0, ok.stderr
        result = json.loads(ok.stdout)
        assert result["messages"] == 50 and result["rtt_p50_us"] > 0
        denied = cli("bench", *common)  # no client certificate
        assert denied.returncode == 1
        assert "alert 116" in denied.stderr
    finally:
        server.terminate()
        server.wait(timeout=10)
        server.stdout.close()


@pytest.mark.network
def test_echo_server_and_bench_on_qh3(tmp_path):
    pytest.importorskip("qh3")
    assert cli("cert", "dev", "--out", str(tmp_path)).returncode == 0
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "quic_multistream",
            "echo-server",
            "--port",
            "0",
            "--cert",
            str(tmp_path / "server.pem"),
            "--key",
            str(tmp_path / "server.key"),
            "--backend",
            "qh3",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        port = json.loads(server.stdout.readline())["port"]
        common = ["--port", str(port), "--ca-file", str(tmp_path / "ca.pem"), "--messages", "20"]
        ok = cli("bench", *common, "--backend", "qh3")
        assert ok.returncode == 0, ok.stderr
        result = json.loads(ok.stdout)
        assert result["messages"] == 20
        assert result["stats"]["key_exchange_group"] == "X25519MLKEM768"
    finally:
        server.terminate()
        server.wait(timeout=10)
        server.stdout.close()


def _echo_server(tmp_path, backend):
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "quic_multistream",
            "echo-server",
            "--port",
            "0",
            "--cert",
            str(tmp_path / "server.pem"),
            "--key",
            str(tmp_path / "server.key"),
            "--backend",
            backend,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )


@pytest.mark.network
@pytest.mark.parametrize("backend", ["aioquic", "qh3"])
def test_bench_with_a_message_larger_than_the_windows(tmp_path, backend):
    # Issue 13 item 7: the client sent all 4 MB before reading the echo, both
    # sides' windows filled up, and the run ended in an idle timeout.
    if backend == "qh3":
        pytest.importorskip("qh3")
    assert cli("cert", "dev", "--out", str(tmp_path)).returncode == 0
    server = _echo_server(tmp_path, backend)
    try:
        port = json.loads(server.stdout.readline())["port"]
        r = cli(
            "bench",
            *("--port", str(port), "--ca-file", str(tmp_path / "ca.pem")),
            *("--messages", "2", "--size", "4000000", "--backend", backend),
        )
        assert r.returncode == 0, r.stderr
        result = json.loads(r.stdout)
        assert result["messages"] == 2 and result["size"] == 4000000
        assert result["stats"]["bytes_received"] >= 2 * 4000000
    finally:
        server.terminate()
        server.wait(timeout=10)
        server.stdout.close()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["bench", "--messages", "0"], "--messages must be at least 1, got 0"),
        (["bench", "--size", "0"], "--size must be at least 1, got 0"),
        (["cert", "server", "--ca-dir", "nope"], "--ca-dir nope: cannot read the CA"),
    ],
)
def test_cli_bad_input_is_a_one_line_error(tmp_path, args, message):
    r = cli(*args, cwd=tmp_path)
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert message in r.stderr
    assert "Traceback" not in r.stderr
