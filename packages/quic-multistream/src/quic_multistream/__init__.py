"""quic_multistream: secure, prioritised, multiplexed QUIC streams for asyncio."""

from importlib.metadata import version as _version

from .errors import QuicError
from .priority import StreamPriority

__version__: str = _version("quic-multistream")

__all__ = ["QuicError", "StreamPriority", "__version__"]
