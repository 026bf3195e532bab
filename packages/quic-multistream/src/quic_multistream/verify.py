"""Verification of a TLS client's certificate chain (the server side of mutual TLS).

aioquic can request a client certificate but does not verify it; this module does,
with ``cryptography``'s X.509 path validation: validity period, chain to one of the
trusted CAs, basic constraints, key usage and the clientAuth extended key usage.
A failure raises :class:`~quic_multistream.errors.CertificateError` carrying the TLS
alert the server sends back in its CONNECTION_CLOSE.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from cryptography.x509.verification import PolicyBuilder, Store, VerificationError

from ._records import record_dict
from .errors import CertificateError

__all__ = [
    "ALERT_BAD_CERTIFICATE",
    "ALERT_CERTIFICATE_EXPIRED",
    "ALERT_CERTIFICATE_REQUIRED",
    "ALERT_UNKNOWN_CA",
    "ALERT_UNSUPPORTED_CERTIFICATE",
    "PeerIdentity",
    "check_server_certificate_usage",
    "verify_client_certificate",
]

# TLS alert numbers (RFC 8446 section 6); QUIC sends them as error 0x100 + alert.
ALERT_BAD_CERTIFICATE = 42
ALERT_UNSUPPORTED_CERTIFICATE = 43
ALERT_CERTIFICATE_EXPIRED = 45
ALERT_UNKNOWN_CA = 48
ALERT_CERTIFICATE_REQUIRED = 116


@dataclass(frozen=True)
class PeerIdentity:
    """The verified identity of a peer certificate."""

    subject: str
    common_name: str | None
    alt_names: tuple[str, ...]
    issuer: str
    serial_number: int
    fingerprint_sha256: str
    not_valid_after: _dt.datetime

    @classmethod
    def from_certificate(cls, cert: x509.Certificate) -> PeerIdentity:
        """Describe a certificate (no verification is done here)."""
        cns = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        try:
            san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
            alt = tuple(str(getattr(n, "value", n)) for n in san)
        except x509.ExtensionNotFound:
            alt = ()
        return cls(
            subject=cert.subject.rfc4514_string(),
            common_name=str(cns[0].value) if cns else None,
            alt_names=alt,
            issuer=cert.issuer.rfc4514_string(),
            serial_number=cert.serial_number,
            fingerprint_sha256=cert.fingerprint(hashes.SHA256()).hex(),
            not_valid_after=cert.not_valid_after_utc,
        )

    def to_dict(self) -> dict[str, object]:
        """A JSON-friendly dict."""
        return record_dict(self)


def verify_client_certificate(
    leaf: x509.Certificate | None,
    intermediates: Sequence[x509.Certificate],
    trusted: Sequence[x509.Certificate],
    *,
    now: _dt.datetime | None = None,
) -> PeerIdentity:
    """Verify a client certificate chain against trusted CAs.

    Parameters
    ----------
    leaf : x509.Certificate or None
        The client's certificate; None means the client sent none.
    intermediates : sequence of x509.Certificate
        Further certificates the client sent.
    trusted : sequence of x509.Certificate
        The CAs client certificates must chain to.
    now : datetime, optional
        Verification time (timezone-aware), default the current time.

    Returns
    -------
    PeerIdentity
        The verified leaf's identity.

    Raises
    ------
    CertificateError
        With ``alert`` 116 (no certificate), 45 (expired or not yet valid), 48
        (no chain to a trusted CA) or 42 (otherwise unacceptable, for example a
        server-only certificate).

    Examples
    --------
    >>> from quic_multistream.certs import generate_ca, issue_certificate
    >>> ca = generate_ca()
    >>> alice = issue_certificate(ca, "alice", client=True)
    >>> verify_client_certificate(alice.certificate, [], [ca.certificate]).common_name
    'alice'
    >>> verify_client_certificate(None, [], [ca.certificate])
    Traceback (most recent call last):
    ...
    quic_multistream.errors.CertificateError: client certificate required but none was sent
    """
    if leaf is None:
        raise CertificateError(
            "client certificate required but none was sent", alert=ALERT_CERTIFICATE_REQUIRED
        )
    when = now or _dt.datetime.now(_dt.timezone.utc)
    for cert in (leaf, *intermediates):
        if not cert.not_valid_before_utc <= when <= cert.not_valid_after_utc:
            raise CertificateError(
                f"certificate {cert.subject.rfc4514_string()!r} is not valid at "
                f"{when.isoformat()} (valid {cert.not_valid_before_utc.isoformat()} to "
                f"{cert.not_valid_after_utc.isoformat()})",
                alert=ALERT_CERTIFICATE_EXPIRED,
            )
    if not trusted:
        raise CertificateError("no trusted client CA configured", alert=ALERT_UNKNOWN_CA)
    verifier = PolicyBuilder().store(Store(list(trusted))).time(when).build_client_verifier()
    try:
        verified = verifier.verify(leaf, list(intermediates))
    except VerificationError as exc:
        known = {ca.subject for ca in trusted}
        issuers = {c.issuer for c in (leaf, *intermediates)}
        alert = ALERT_BAD_CERTIFICATE if known & issuers else ALERT_UNKNOWN_CA
        raise CertificateError(
            f"client certificate {leaf.subject.rfc4514_string()!r} rejected: {exc}",
            alert=alert,
        ) from exc
    # cryptography checks EKU only when present; a client identity must carry clientAuth.
    try:
        eku = leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        eku = None
    if eku is None or ExtendedKeyUsageOID.CLIENT_AUTH not in eku:
        raise CertificateError(
            f"certificate {leaf.subject.rfc4514_string()!r} is not issued for client "
            "authentication (no clientAuth extended key usage)",
            alert=ALERT_BAD_CERTIFICATE,
        )
    return PeerIdentity.from_certificate(verified.chain[0])


def check_server_certificate_usage(leaf: x509.Certificate | bytes) -> None:
    """Refuse a server leaf certificate that is not issued for TLS server authentication.

    The TLS stacks under us check the chain and the name but (aioquic) not the
    purpose, so a clientAuth-only certificate from a CA that also issues client
    certificates would let any client impersonate the server. Rules (RFC 5280
    section 4.2.1.12 and 4.2.1.3, as the Web PKI applies them): an extended key
    usage extension, when present, must list serverAuth; a key usage extension,
    when present, must allow digitalSignature (TLS 1.3 servers sign the handshake).

    Parameters
    ----------
    leaf : x509.Certificate or bytes
        The server's certificate (DER bytes are accepted).

    Raises
    ------
    CertificateError
        With ``alert`` 43 (unsupported_certificate) and the reason.

    Examples
    --------
    >>> from quic_multistream.certs import generate_ca, issue_certificate
    >>> ca = generate_ca()
    >>> check_server_certificate_usage(issue_certificate(ca, "localhost").certificate)
    >>> try:
    ...     check_server_certificate_usage(issue_certificate(ca, "x", client=True).certificate)
    ... except CertificateError as err:
    ...     print(err.alert, "serverAuth" in str(err))
    43 True
    """
    cert = x509.load_der_x509_certificate(leaf) if isinstance(leaf, bytes) else leaf
    subject = cert.subject.rfc4514_string()
    try:
        eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        eku = None
    if eku is not None and ExtendedKeyUsageOID.SERVER_AUTH not in eku:
        names = ", ".join(getattr(u, "_name", u.dotted_string) for u in eku) or "nothing"
        raise CertificateError(
            f"server certificate {subject!r} is not issued for server authentication "
            f"(extended key usage lists {names}, not serverAuth)",
            alert=ALERT_UNSUPPORTED_CERTIFICATE,
        )
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        usage = None
    if usage is not None and not usage.digital_signature:
        raise CertificateError(
            f"server certificate {subject!r} key usage does not allow digitalSignature, "
            "which a TLS 1.3 server needs to sign the handshake",
            alert=ALERT_UNSUPPORTED_CERTIFICATE,
        )
