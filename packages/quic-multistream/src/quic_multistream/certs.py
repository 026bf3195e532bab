"""Certificate helpers for development and tests, built on ``cryptography``.

:func:`generate_ca` makes a self-signed certificate authority;
:func:`issue_certificate` signs a server or client certificate with it. Keys are
ECDSA P-256. These are for development CAs and tests: production certificates
come from your PKI. ``python -m quic_multistream cert ...`` writes them as PEM.
"""

from __future__ import annotations

import datetime as _dt
import ipaddress
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from .errors import ConfigurationError

__all__ = [
    "IssuedCertificate",
    "generate_ca",
    "issue_certificate",
    "load_certificates",
    "spki_sha256",
]


@dataclass(frozen=True)
class IssuedCertificate:
    """A certificate and its private key."""

    certificate: x509.Certificate
    private_key: ec.EllipticCurvePrivateKey

    @property
    def subject(self) -> str:
        """The subject as an RFC 4514 string."""
        return self.certificate.subject.rfc4514_string()

    def certificate_pem(self) -> bytes:
        """The certificate in PEM."""
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    def private_key_pem(self) -> bytes:
        """The private key in unencrypted PKCS#8 PEM."""
        return self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def write(
        self, certificate_path: str | os.PathLike[str], key_path: str | os.PathLike[str]
    ) -> None:
        """Write the certificate and the key (mode 0600) as PEM files."""
        Path(certificate_path).write_bytes(self.certificate_pem())
        fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(self.private_key_pem())

    def __repr__(self) -> str:
        return (
            f"IssuedCertificate(subject={self.subject!r}, "
            f"not_valid_after={self.certificate.not_valid_after_utc.isoformat()})"
        )


def _validity(
    valid_days: float, not_before: _dt.datetime | None
) -> tuple[_dt.datetime, _dt.datetime]:
    if isinstance(valid_days, bool) or not isinstance(valid_days, (int, float)) or valid_days <= 0:
        raise ConfigurationError(f"valid_days must be a positive number, got {valid_days!r}")
    start = not_before or (_dt.datetime.now(_dt.timezone.utc) - _dt.timedelta(minutes=5))
    if start.tzinfo is None:
        raise ConfigurationError("not_before must be timezone-aware")
    return start, start + _dt.timedelta(days=valid_days)


def _name(common_name: str) -> x509.Name:
    if not isinstance(common_name, str) or not common_name:
        raise ConfigurationError(f"common_name must be a non-empty str, got {common_name!r}")
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def generate_ca(
    common_name: str = "Midstream development CA",
    *,
    valid_days: float = 365,
    not_before: _dt.datetime | None = None,
) -> IssuedCertificate:
    """Generate a self-signed certificate authority.

    Parameters
    ----------
    common_name : str
        Subject CN of the CA.
    valid_days : float
        Validity period in days.
    not_before : datetime, optional
        Start of validity (timezone-aware); defaults to five minutes ago.

    Returns
    -------
    IssuedCertificate

    Examples
    --------
    >>> ca = generate_ca("Test CA")
    >>> ca.subject
    'CN=Test CA'
    """
    start, end = _validity(valid_days, not_before)
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(common_name)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return IssuedCertificate(cert, key)


def _san_entry(name: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)


def issue_certificate(
    ca: IssuedCertificate,
    common_name: str,
    *,
    names: Sequence[str] = (),
    client: bool = False,
    valid_days: float = 90,
    not_before: _dt.datetime | None = None,
) -> IssuedCertificate:
    """Issue a leaf certificate signed by ``ca``.

    Parameters
    ----------
    ca : IssuedCertificate
        The signing authority (from :func:`generate_ca`).
    common_name : str
        Subject CN; for a client this is the identity the server sees.
    names : sequence of str
        DNS names or IP addresses for the subjectAltName; a server certificate
        needs the name clients connect to (``"localhost"``, ``"127.0.0.1"``).
    client : bool
        Issue for TLS client authentication (EKU clientAuth) instead of server
        authentication (EKU serverAuth).
    valid_days : float
        Validity period in days.
    not_before : datetime, optional
        Start of validity (timezone-aware); defaults to five minutes ago.

    Examples
    --------
    >>> ca = generate_ca()
    >>> server = issue_certificate(ca, "localhost", names=["localhost", "127.0.0.1"])
    >>> server.certificate.issuer == ca.certificate.subject
    True
    """
    if not isinstance(ca, IssuedCertificate):
        raise ConfigurationError(f"ca must be an IssuedCertificate, got {type(ca).__name__}")
    if isinstance(names, str):
        raise ConfigurationError("names must be a sequence of str, not a single str")
    start, end = _validity(valid_days, not_before)
    sans = [_san_entry(n) for n in names] if names else [_san_entry(common_name)]
    key = ec.generate_private_key(ec.SECP256R1())
    eku = ExtendedKeyUsageOID.CLIENT_AUTH if client else ExtendedKeyUsageOID.SERVER_AUTH
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(ca.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([eku]), critical=False)
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.private_key.public_key()),
            critical=False,
        )
        .sign(ca.private_key, hashes.SHA256())
    )
    return IssuedCertificate(cert, key)


def load_certificates(source: object, argument: str = "certificates") -> list[x509.Certificate]:
    """Load PEM certificates from a path, PEM bytes, a certificate or a list of them."""
    if isinstance(source, x509.Certificate):
        return [source]
    if isinstance(source, (list, tuple)) and all(isinstance(c, x509.Certificate) for c in source):
        return list(source)
    if isinstance(source, (bytes, bytearray)):
        data = bytes(source)
    elif isinstance(source, (str, os.PathLike)):
        try:
            data = Path(source).read_bytes()
        except OSError as exc:
            raise ConfigurationError(f"{argument}: cannot read {source!s}: {exc}") from exc
    else:
        raise ConfigurationError(
            f"{argument} must be a path, PEM bytes or x509.Certificate, got {type(source).__name__}"
        )
    try:
        certs = x509.load_pem_x509_certificates(data)
    except ValueError as exc:
        raise ConfigurationError(f"{argument}: no valid PEM certificate ({exc})") from exc
    return certs


def spki_sha256(certificate: object) -> str:
    """Base64 SHA-256 of a certificate's public key (SubjectPublicKeyInfo).

    The value Chromium's ``--ignore-certificate-errors-spki-list`` takes, so a
    browser accepts a development certificate for WebTransport. ``certificate``
    is a path, PEM bytes or an ``x509.Certificate`` (the first of a chain counts).

    >>> ca = generate_ca("Example CA")
    >>> len(spki_sha256(ca.certificate))
    44
    """
    import base64

    leaf = load_certificates(certificate, "certificate")[0]
    spki = leaf.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    digest = hashes.Hash(hashes.SHA256())
    digest.update(spki)
    return base64.b64encode(digest.finalize()).decode()
