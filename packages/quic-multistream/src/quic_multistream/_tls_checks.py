"""Our own checks inside a TLS handshake, on aioquic's or qh3's ``tls.Context``.

Both implementations keep aioquic's Python TLS state machine, which dispatches
each handshake message to a ``_client_handle_*`` method looked up on the
instance, and raises ``tls.Alert`` subclasses for local failures. Two hooks:

* :func:`check_server_usage`: after the stack verified the server's chain and
  name, refuse a leaf that is not issued for server authentication
  (:func:`~quic_multistream.verify.check_server_certificate_usage`).
* :func:`record_local_alerts`: remember the alert *we* raised, so the error
  the application gets says that this side refused and why, not that the peer
  rejected the handshake.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable
from types import ModuleType
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from .errors import CertificateError
from .verify import check_server_certificate_usage

__all__ = ["check_server_usage", "record_local_alerts"]


def _der(cert: Any) -> bytes:
    # aioquic holds cryptography certificates, qh3 its own (DER via public_bytes()).
    if isinstance(cert, x509.Certificate):
        return cert.public_bytes(serialization.Encoding.DER)
    return bytes(cert.public_bytes())


def check_server_usage(context: Any, tls: ModuleType) -> None:
    """Make a client ``context`` refuse a server leaf without serverAuth usage."""
    original = context._client_handle_certificate_verify

    def client_handle_certificate_verify(input_buf: Any, *rest: Any) -> None:
        original(input_buf, *rest)  # signature, chain and name first
        if context._verify_mode == ssl.CERT_NONE or context._peer_certificate is None:
            return
        try:
            check_server_certificate_usage(_der(context._peer_certificate))
        except CertificateError as err:
            alert = tls.Alert(str(err))
            alert.description = tls.AlertDescription(err.alert)
            raise alert from err

    context._client_handle_certificate_verify = client_handle_certificate_verify


def record_local_alerts(
    context: Any, tls: ModuleType, on_alert: Callable[[int, str], None]
) -> None:
    """Call ``on_alert(alert_number, reason)`` when ``context`` itself aborts the handshake."""
    original = context.handle_message

    def handle_message(*args: Any, **kwargs: Any) -> Any:
        try:
            return original(*args, **kwargs)
        except tls.Alert as exc:
            on_alert(int(exc.description), str(exc))
            raise

    context.handle_message = handle_message
