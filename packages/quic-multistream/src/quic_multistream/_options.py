"""Checks of the TLS arguments shared by ``serve`` and ``connect``: ALPN, identity.

The transport options themselves are :class:`quic_multistream.options.Options`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from .errors import ConfigurationError

__all__ = ["check_alpn", "load_identity"]


def check_alpn(alpn: object) -> list[str]:
    if isinstance(alpn, str) or not isinstance(alpn, Sequence) or not alpn:
        raise ConfigurationError(f"alpn must be a non-empty sequence of str, got {alpn!r}")
    out = []
    for p in alpn:
        if not isinstance(p, str) or not 0 < len(p.encode()) < 256:
            raise ConfigurationError(f"alpn entries must be str of 1-255 bytes, got {p!r}")
        out.append(p)
    return out


def _read(source: object, argument: str) -> bytes:
    if isinstance(source, (bytes, bytearray)):
        return bytes(source)
    if isinstance(source, (str, os.PathLike)):
        try:
            return Path(source).read_bytes()
        except OSError as exc:
            raise ConfigurationError(f"{argument}: cannot read {source!s}: {exc}") from exc
    raise ConfigurationError(f"{argument} must be a path or PEM bytes, got {type(source).__name__}")


def load_identity(
    config: Any,
    certificate: object,
    private_key: object,
    cert_name: str = "certificate",
    key_name: str = "private_key",
    convert: Callable[[list[Any], Any], tuple[Any, list[Any], Any]] | None = None,
) -> None:
    """Put a certificate chain and its key (paths, PEM bytes or objects) in ``config``.

    ``convert`` turns the checked cryptography objects into the backend's types
    (``Backend.convert_identity``); without it they are stored as they are.
    """
    if isinstance(certificate, x509.Certificate):
        certs = [certificate]
    else:
        data = _read(certificate, cert_name)  # a missing file is reported as such
        try:
            certs = x509.load_pem_x509_certificates(data)
        except ValueError as exc:
            raise ConfigurationError(f"{cert_name}: not a PEM certificate ({exc})") from exc
    if hasattr(private_key, "sign") and hasattr(private_key, "public_key"):
        key: Any = private_key
    else:
        key_data = _read(private_key, key_name)
        try:
            key = serialization.load_pem_private_key(key_data, None)
        except (ValueError, TypeError) as exc:
            raise ConfigurationError(f"{key_name}: not an unencrypted PEM key ({exc})") from exc
    pub = (
        certs[0]
        .public_key()
        .public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    if (
        key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        != pub
    ):
        raise ConfigurationError(f"{key_name} does not match {cert_name}")
    if convert is None:
        config.certificate, config.certificate_chain, config.private_key = certs[0], certs[1:], key
    else:
        config.certificate, config.certificate_chain, config.private_key = convert(certs, key)
