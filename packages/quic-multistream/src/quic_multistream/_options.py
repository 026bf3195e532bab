"""Validation of the keyword options shared by ``serve`` and ``connect``."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from ._receive_budget import DEFAULT_RECEIVE_BUDGET, check_budget
from .errors import ConfigurationError
from .framing import HEADER_SIZE, check_max_message_size

__all__ = ["TransportOptions", "load_identity"]


def _positive_int(name: str, value: object, maximum: int = 2**62) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= maximum:
        raise ConfigurationError(f"{name} must be an int in [1, {maximum}], got {value!r}")
    return value


def _positive_float(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ConfigurationError(f"{name} must be a positive number, got {value!r}")
    if value != value or value == float("inf"):
        raise ConfigurationError(f"{name} must be finite, got {value!r}")
    return float(value)


def check_alpn(alpn: object) -> list[str]:
    if isinstance(alpn, str) or not isinstance(alpn, Sequence) or not alpn:
        raise ConfigurationError(f"alpn must be a non-empty sequence of str, got {alpn!r}")
    out = []
    for p in alpn:
        if not isinstance(p, str) or not 0 < len(p.encode()) < 256:
            raise ConfigurationError(f"alpn entries must be str of 1-255 bytes, got {p!r}")
        out.append(p)
    return out


@dataclass(frozen=True)
class TransportOptions:
    """Validated transport settings."""

    max_streams: int
    idle_timeout: float
    max_message_size: int
    datagrams: bool
    receive_window: int
    send_buffer: int
    unsent_window: int
    keepalive_interval: float | None
    receive_budget: int = DEFAULT_RECEIVE_BUDGET

    @classmethod
    def check(
        cls,
        *,
        max_streams: Any,
        idle_timeout: Any,
        max_message_size: Any,
        datagrams: Any,
        receive_window: Any,
        send_buffer: Any,
        unsent_window: Any,
        keepalive_interval: Any,
        receive_budget: Any = DEFAULT_RECEIVE_BUDGET,
    ) -> TransportOptions:
        window = _positive_int("receive_window", receive_window, 2**40)
        if window < 1024:
            raise ConfigurationError(f"receive_window must be at least 1024, got {window}")
        idle = _positive_float("idle_timeout", idle_timeout)
        keep = None
        if keepalive_interval is not None:
            keep = _positive_float("keepalive_interval", keepalive_interval)
            if keep >= idle:
                raise ConfigurationError(
                    f"keepalive_interval ({keep}) must be shorter than idle_timeout ({idle})"
                )
        message_limit = check_max_message_size(max_message_size)
        # A budget below one message (plus its header) could never complete it.
        budget = check_budget(
            "receive_budget", receive_budget, max(window, message_limit + HEADER_SIZE)
        )
        return cls(
            max_streams=_positive_int("max_streams", max_streams, 2**60),
            idle_timeout=idle,
            max_message_size=message_limit,
            datagrams=bool(datagrams),
            receive_window=window + (window & 1),
            send_buffer=_positive_int("send_buffer", send_buffer),
            unsent_window=_positive_int("unsent_window", unsent_window),
            keepalive_interval=keep,
            receive_budget=budget,
        )

    def apply(self, config: Any) -> None:
        """Set the options on an aioquic or qh3 ``QuicConfiguration``."""
        config.idle_timeout = self.idle_timeout
        config.max_stream_data = self.receive_window
        # Initial connection-level credit: a few windows, within the budget (it
        # then follows what the application releases, see _receive_budget).
        config.max_data = min(max(config.max_data, 4 * self.receive_window), self.receive_budget)
        if self.datagrams:
            config.max_datagram_frame_size = 65536


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
