"""Scheduling policies: which ready task runs first."""

from __future__ import annotations

import enum

from ._queue import POLICY_CODES
from .errors import InvalidTaskError

__all__ = ["Policy"]


class Policy(str, enum.Enum):
    """How the ready queue orders released tasks; ties always run in FIFO order.

    - ``fifo``: submission order.
    - ``fixed_priority``: higher ``priority`` first, then earlier deadline.
    - ``edf``: earliest absolute deadline first (tasks without one last).
    - ``rate_monotonic``: shorter ``period`` first (one-shot tasks last).
    - ``least_laxity``: smallest laxity ``deadline - now - wcet`` first. Jobs run to
      completion, so the remaining wcet is the wcet and, as ``now`` is common to
      every ready task, the order equals the order of ``deadline - wcet``.

    Examples
    --------
    >>> Policy("edf") is Policy.EDF
    True
    >>> Policy.coerce("least_laxity").value
    'least_laxity'
    """

    FIFO = "fifo"
    FIXED_PRIORITY = "fixed_priority"
    EDF = "edf"
    RATE_MONOTONIC = "rate_monotonic"
    LEAST_LAXITY = "least_laxity"

    @classmethod
    def coerce(cls, policy: Policy | str) -> Policy:
        """``policy`` as a :class:`Policy`, or :class:`InvalidTaskError` naming the choices."""
        try:
            return cls(policy)
        except ValueError:
            choices = ", ".join(repr(p.value) for p in cls)
            raise InvalidTaskError(f"unknown policy {policy!r}; choose one of {choices}") from None

    @property
    def code(self) -> int:
        """The kernel's integer code for this policy."""
        return int(POLICY_CODES[self.value])
