"""quic_multistream: secure, prioritised, multiplexed QUIC streams for asyncio."""

from importlib.metadata import version as _version

from .certs import IssuedCertificate, generate_ca, issue_certificate, spki_sha256
from .client import InsecureConnectionWarning, connect
from .connection import Connection
from .errors import (
    CertificateError,
    ConfigurationError,
    ConnectionClosed,
    ConnectionFailed,
    HandshakeError,
    MessageTooLarge,
    QuicError,
    StreamReset,
    Timeout,
)
from .framing import MessageDecoder, encode_message
from .options import Options
from .priority import StreamPriority
from .scheduler import SendScheduler
from .server import Server, serve
from .stats import ConnectionStats
from .stream import Stream
from .tickets import FileTicketStore, MemoryTicketStore, ServerTicketStore
from .verify import PeerIdentity, verify_client_certificate
from .webtransport import WebTransportSession, serve_webtransport

__version__: str = _version("quic-multistream")

__all__ = [
    "CertificateError",
    "ConfigurationError",
    "Connection",
    "ConnectionClosed",
    "ConnectionFailed",
    "ConnectionStats",
    "FileTicketStore",
    "HandshakeError",
    "InsecureConnectionWarning",
    "IssuedCertificate",
    "MemoryTicketStore",
    "MessageDecoder",
    "MessageTooLarge",
    "Options",
    "PeerIdentity",
    "QuicError",
    "SendScheduler",
    "Server",
    "ServerTicketStore",
    "Stream",
    "StreamPriority",
    "StreamReset",
    "Timeout",
    "WebTransportSession",
    "__version__",
    "connect",
    "encode_message",
    "generate_ca",
    "issue_certificate",
    "serve",
    "serve_webtransport",
    "spki_sha256",
    "verify_client_certificate",
]
