"""The six distributions the meta-package pins, and what is installed of them."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, distribution

from packaging.requirements import Requirement

from ._serialise import record_dict

__all__ = ["PINNED", "DistributionStatus", "installed"]

PINNED: tuple[str, ...] = (
    "temporal-compare",
    "nanosecond-scheduler",
    "temporal-attractor-studio",
    "temporal-neural-solver",
    "strange-loop",
    "quic-multistream",
)


@dataclass(frozen=True)
class DistributionStatus:
    """One pinned distribution: the pin in midstream's metadata and the installed version."""

    name: str
    pinned: str
    installed: str | None

    @property
    def matches(self) -> bool:
        return self.installed is not None and self.pinned == f"=={self.installed}"

    def to_dict(self) -> dict[str, object]:
        return record_dict(self, extra=("matches",))


def installed() -> list[DistributionStatus]:
    """Each pinned distribution with its pin (from midstream's metadata) and installed version."""
    pins: dict[str, str] = {}
    for line in distribution("midstream").requires or []:
        req = Requirement(line)
        if req.marker is None:
            pins[req.name] = str(req.specifier)
    out = []
    for name in PINNED:
        try:
            version: str | None = distribution(name).version
        except PackageNotFoundError:
            version = None
        out.append(DistributionStatus(name, pins.get(name, ""), version))
    return out
