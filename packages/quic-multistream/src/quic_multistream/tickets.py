"""Session ticket stores for TLS resumption and 0-RTT.

Clients keep the tickets servers send in a :class:`MemoryTicketStore` or a
:class:`FileTicketStore` (JSON, mode 0600) and pass it to ``connect``. Servers use
:class:`ServerTicketStore`, which hands every ticket out at most once: a replayed
ClientHello cannot resume, so 0-RTT data from it is refused (the single-use ticket
anti-replay of RFC 8446 section 8.1, for one server process).
"""

from __future__ import annotations

import base64
import datetime as _dt
import json
import os
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Protocol

from aioquic.tls import CipherSuite, SessionTicket

from .errors import ConfigurationError

__all__ = [
    "FileTicketStore",
    "MemoryTicketStore",
    "ServerTicketStore",
    "SessionTicketStore",
    "ticket_from_dict",
    "ticket_to_dict",
]


class SessionTicketStore(Protocol):
    """What ``connect(session_ticket_store=...)`` needs: ``get`` and ``put``."""

    def get(self, server_name: str) -> SessionTicket | None: ...

    def put(self, ticket: SessionTicket) -> None: ...


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def ticket_to_dict(ticket: SessionTicket) -> dict[str, object]:
    """A JSON-friendly dict of a session ticket."""
    return {
        "age_add": ticket.age_add,
        "cipher_suite": int(ticket.cipher_suite),
        "not_valid_after": ticket.not_valid_after.isoformat(),
        "not_valid_before": ticket.not_valid_before.isoformat(),
        "resumption_secret": _b64(ticket.resumption_secret),
        "server_name": ticket.server_name,
        "ticket": _b64(ticket.ticket),
        "max_early_data_size": ticket.max_early_data_size,
        "other_extensions": [[t, _b64(v)] for t, v in ticket.other_extensions],
    }


def _utc(text: str) -> _dt.datetime:
    # qh3 keeps ticket times as naive UTC; aioquic compares them with aware ones.
    when = _dt.datetime.fromisoformat(text)
    return when if when.tzinfo is not None else when.replace(tzinfo=_dt.timezone.utc)


def ticket_from_dict(d: dict[str, object]) -> SessionTicket:
    """Inverse of :func:`ticket_to_dict`."""
    try:
        return SessionTicket(
            age_add=int(d["age_add"]),  # type: ignore[call-overload]
            cipher_suite=CipherSuite(int(d["cipher_suite"])),  # type: ignore[call-overload]
            not_valid_after=_utc(str(d["not_valid_after"])),
            not_valid_before=_utc(str(d["not_valid_before"])),
            resumption_secret=base64.b64decode(str(d["resumption_secret"])),
            server_name=str(d["server_name"]),
            ticket=base64.b64decode(str(d["ticket"])),
            max_early_data_size=(
                None if d["max_early_data_size"] is None else int(d["max_early_data_size"])  # type: ignore[call-overload]
            ),
            other_extensions=[
                (int(t), base64.b64decode(v))
                for t, v in d["other_extensions"]  # type: ignore[attr-defined]
            ],
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigurationError(f"malformed session ticket record: {exc}") from exc


class MemoryTicketStore:
    """Client tickets in memory, the newest per server name.

    Examples
    --------
    >>> store = MemoryTicketStore()
    >>> store.get("example.org") is None
    True
    """

    def __init__(self) -> None:
        self._tickets: dict[str, SessionTicket] = {}
        self._lock = threading.Lock()

    def get(self, server_name: str) -> SessionTicket | None:
        """The newest valid ticket for ``server_name``, or None."""
        with self._lock:
            ticket = self._tickets.get(server_name)
        return ticket if ticket is not None and ticket.is_valid else None

    def put(self, ticket: SessionTicket) -> None:
        """Keep ``ticket`` as the newest one for its server name."""
        with self._lock:
            self._tickets[ticket.server_name] = ticket

    def __len__(self) -> int:
        return len(self._tickets)


class FileTicketStore(MemoryTicketStore):
    """Client tickets persisted in a JSON file (created with mode 0600).

    The file holds resumption secrets: keep it private. A corrupt file raises
    :class:`~quic_multistream.errors.ConfigurationError` rather than being ignored.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        super().__init__()
        self.path = Path(path)
        if self.path.exists():
            try:
                records = json.loads(self.path.read_text())
            except (OSError, ValueError) as exc:
                raise ConfigurationError(
                    f"path: cannot read ticket store {self.path}: {exc}"
                ) from exc
            if not isinstance(records, list):
                raise ConfigurationError(f"path: {self.path} does not hold a list of tickets")
            for record in records:
                ticket = ticket_from_dict(record)
                self._tickets[ticket.server_name] = ticket

    def put(self, ticket: SessionTicket) -> None:
        """Keep ``ticket`` and rewrite the file atomically."""
        super().put(ticket)
        with self._lock:
            data = json.dumps([ticket_to_dict(t) for t in self._tickets.values()])
        tmp = self.path.with_name(self.path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(data)
        os.replace(tmp, self.path)


class ServerTicketStore:
    """Server-side tickets, each usable once, at most ``capacity`` kept.

    ``pop`` removes the ticket it returns, so a second ClientHello with the same
    ticket (a replay) gets a full handshake and its 0-RTT data is rejected.
    """

    def __init__(self, capacity: int = 10_000) -> None:
        if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 1:
            raise ConfigurationError(f"capacity must be a positive int, got {capacity!r}")
        self.capacity = capacity
        self._tickets: OrderedDict[bytes, SessionTicket] = OrderedDict()

    def add(self, ticket: SessionTicket) -> None:
        """Remember a ticket issued to a client; the oldest is dropped when full."""
        self._tickets[ticket.ticket] = ticket
        while len(self._tickets) > self.capacity:
            self._tickets.popitem(last=False)

    def pop(self, label: bytes) -> SessionTicket | None:
        """Return and forget the ticket with this label (None if unknown or used)."""
        return self._tickets.pop(label, None)

    def __len__(self) -> int:
        return len(self._tickets)
