"""Which backend ``backend="..."`` names: :func:`get_backend` loads it on first use.

The record it returns and the protocol type are in :mod:`._backend_api`, which the
backends import (so no backend module imports this one).
"""

from __future__ import annotations

import functools

from ._backend_api import Backend, QuicProtocol
from .errors import ConfigurationError, QuicError

__all__ = ["BACKENDS", "Backend", "QuicProtocol", "get_backend"]

#: Accepted values of the ``backend`` option.
BACKENDS = ("aioquic", "qh3")


def get_backend(name: object) -> Backend:
    """The :class:`Backend` named ``name`` ("aioquic" or "qh3").

    Raises
    ------
    ConfigurationError
        ``name`` is not one of :data:`BACKENDS`.
    QuicError
        ``name`` is "qh3" and qh3 is not installed.
    """
    if name not in BACKENDS:
        raise ConfigurationError(f"backend must be one of {BACKENDS}, got {name!r}")
    return _load(str(name))


@functools.cache
def _load(name: str) -> Backend:
    if name == "aioquic":
        from . import _aioquic

        return _aioquic.backend()
    try:
        import qh3  # noqa: F401
    except ImportError as exc:
        raise QuicError("backend='qh3' needs qh3: pip install 'quic-multistream[fast]'") from exc
    from . import _qh3

    return _qh3.backend()
