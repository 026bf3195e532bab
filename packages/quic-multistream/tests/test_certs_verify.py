import datetime as dt
import shutil
import subprocess

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from quic_multistream import (
    CertificateError,
    ConfigurationError,
    generate_ca,
    issue_certificate,
    verify_client_certificate,
)
from quic_multistream.certs import load_certificates
from quic_multistream.verify import (
    ALERT_BAD_CERTIFICATE,
    ALERT_CERTIFICATE_EXPIRED,
    ALERT_CERTIFICATE_REQUIRED,
    ALERT_UNKNOWN_CA,
)

CASES = {
    # name -> (pki attribute, expected alert or None for accepted)
    "good": ("client", None),
    "untrusted": ("untrusted_client", ALERT_UNKNOWN_CA),
    "expired": ("expired_client", ALERT_CERTIFICATE_EXPIRED),
    "server_only": ("server_as_client", ALERT_BAD_CERTIFICATE),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_verify_client_certificate(pki, case):
    attr, alert = CASES[case]
    leaf = getattr(pki, attr).certificate
    if alert is None:
        ident = verify_client_certificate(leaf, [], [pki.ca.certificate])
        assert ident.common_name == "alice"
        assert ident.issuer == "CN=Test CA"
        assert ident.to_dict()["subject"] == "CN=alice"
    else:
        with pytest.raises(CertificateError) as info:
            verify_client_certificate(leaf, [], [pki.ca.certificate])
        assert info.value.alert == alert
        assert info.value.error_code == 0x100 + alert


def test_missing_certificate(pki):
    with pytest.raises(CertificateError) as info:
        verify_client_certificate(None, [], [pki.ca.certificate])
    assert info.value.alert == ALERT_CERTIFICATE_REQUIRED


def test_not_yet_valid(pki):
    future = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=30)
    leaf = issue_certificate(pki.ca, "later", client=True, not_before=future)
    with pytest.raises(CertificateError) as info:
        verify_client_certificate(leaf.certificate, [], [pki.ca.certificate])
    assert info.value.alert == ALERT_CERTIFICATE_EXPIRED


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl CLI not installed")
@pytest.mark.parametrize("case", sorted(CASES))
def test_agrees_with_openssl_verify(pki, case, tmp_path):
    """OpenSSL's own path validation (purpose sslclient) is the independent truth."""
    attr, alert = CASES[case]
    (tmp_path / "ca.pem").write_bytes(pki.ca.certificate_pem())
    (tmp_path / "leaf.pem").write_bytes(getattr(pki, attr).certificate_pem())
    proc = subprocess.run(
        ["openssl", "verify", "-purpose", "sslclient", "-CAfile", "ca.pem", "leaf.pem"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert (proc.returncode == 0) == (alert is None), proc.stdout + proc.stderr


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl CLI not installed")
def test_server_certificate_accepted_by_openssl_for_its_names(pki, tmp_path):
    (tmp_path / "ca.pem").write_bytes(pki.ca.certificate_pem())
    (tmp_path / "srv.pem").write_bytes(pki.server.certificate_pem())
    base = ["openssl", "verify", "-purpose", "sslserver", "-CAfile", "ca.pem"]
    ok = subprocess.run([*base, "-verify_ip", "127.0.0.1", "srv.pem"], cwd=tmp_path, timeout=30)
    bad = subprocess.run(
        [*base, "-verify_hostname", "example.org", "srv.pem"],
        cwd=tmp_path,
        timeout=30,
        capture_output=True,
    )
    assert ok.returncode == 0 and bad.returncode != 0


def test_issued_fields(pki):
    eku = pki.client.certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert ExtendedKeyUsageOID.CLIENT_AUTH in eku.value
    assert "IssuedCertificate(subject='CN=alice'" in repr(pki.client)


def test_write_and_load(pki, tmp_path):
    pki.client.write(tmp_path / "c.pem", tmp_path / "c.key")
    assert (tmp_path / "c.key").stat().st_mode & 0o777 == 0o600
    assert load_certificates(tmp_path / "c.pem") == [pki.client.certificate]
    assert b"PRIVATE KEY" in (tmp_path / "c.key").read_bytes()


def test_bad_input(tmp_path):
    with pytest.raises(ConfigurationError, match="valid_days"):
        generate_ca(valid_days=0)
    with pytest.raises(ConfigurationError, match="common_name"):
        generate_ca("")
    with pytest.raises(ConfigurationError, match="not_before"):
        generate_ca(not_before=dt.datetime(2020, 1, 1))
    with pytest.raises(ConfigurationError, match="ca must be"):
        issue_certificate("ca", "x")  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="names"):
        issue_certificate(generate_ca(), "x", names="localhost")
    with pytest.raises(ConfigurationError, match="client_ca: cannot read"):
        load_certificates(tmp_path / "missing.pem", "client_ca")
    with pytest.raises(ConfigurationError, match="no valid PEM"):
        load_certificates(b"not pem")
