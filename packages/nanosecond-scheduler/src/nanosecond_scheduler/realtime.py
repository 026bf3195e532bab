"""Linux real-time options: CPU pinning, SCHED_FIFO and timer slack for executor threads.

Spinning under ``SCHED_FIFO`` is bounded. A FIFO thread that spins is never preempted
by ordinary threads, and the kernel's RT throttling
(``/proc/sys/kernel/sched_rt_runtime_us`` out of ``sched_rt_period_us``, by default
950 ms of every 1 s) stops it for the rest of the period once the budget is spent:
that stall would be far worse than the lateness the spin saves, and until then the
CPU's other threads starve. So in real-time mode the executor spins for at most
:data:`RT_SPIN_CAP_NS` before each release and sleeps (with timer slack set to 1 ns)
for the rest of every wait, which keeps its CPU share under the budget unless the
releases themselves leave no idle time.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from .errors import InvalidTaskError, RealtimeUnavailable

__all__ = ["RT_SPIN_CAP_NS", "RealtimeStatus", "realtime_thread", "validate_cpus"]

logger = logging.getLogger("nanosecond_scheduler")

RT_SPIN_CAP_NS = 50_000
PR_SET_TIMERSLACK = 29
PR_GET_TIMERSLACK = 30


@dataclass(frozen=True)
class RealtimeStatus:
    """What an executor thread obtained.

    ``fifo`` says whether SCHED_FIFO is active; ``fallback`` holds the reason when
    real-time was requested but refused and the scheduler fell back (logged).
    """

    fifo: bool
    fifo_priority: int | None
    cpus: tuple[int, ...] | None
    timer_slack_ns: int | None
    fallback: str | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def validate_cpus(cpus: Iterable[int] | None) -> tuple[int, ...] | None:
    """Check a ``cpu_affinity`` argument against the CPUs this process may use."""
    if cpus is None:
        return None
    if not hasattr(os, "sched_setaffinity"):
        raise RealtimeUnavailable("cpu_affinity needs os.sched_setaffinity (Linux)")
    try:
        out = tuple(sorted({int(c) for c in cpus}))
    except (TypeError, ValueError):
        raise InvalidTaskError("cpu_affinity must be an iterable of CPU numbers") from None
    allowed = os.sched_getaffinity(0)
    if not out:
        raise InvalidTaskError("cpu_affinity must name at least one CPU")
    bad = [c for c in out if c not in allowed]
    if bad:
        raise InvalidTaskError(
            f"cpu_affinity names CPUs {bad} outside the allowed {sorted(allowed)}"
        )
    return out


def _prctl() -> Any:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        return ctypes.CDLL(name, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


class realtime_thread:
    """Apply affinity / SCHED_FIFO / timer slack to the calling thread; restore on exit.

    ``fallback`` is ``"raise"`` (a refused SCHED_FIFO raises
    :class:`RealtimeUnavailable`, a ``PermissionError``) or ``"warn"`` (log a warning
    and run with the normal policy; :attr:`status` says so).
    """

    def __init__(
        self,
        *,
        realtime: bool,
        cpus: Sequence[int] | None,
        fifo_priority: int = 10,
        fallback: str = "raise",
    ) -> None:
        self.realtime = realtime
        self.cpus = cpus
        self.fifo_priority = fifo_priority
        self.fallback = fallback
        self.status = RealtimeStatus(False, None, None, None, None)
        self._saved_affinity: set[int] | None = None
        self._saved_policy: tuple[int, int] | None = None
        self._saved_slack: int | None = None

    def __enter__(self) -> realtime_thread:
        fifo = False
        slack = None
        reason = None
        if self.cpus is not None:
            self._saved_affinity = os.sched_getaffinity(0)
            os.sched_setaffinity(0, self.cpus)
        if self.realtime:
            try:
                self._enter_fifo()
                fifo = True
                slack = self._set_slack()
            except RealtimeUnavailable as exc:
                if self.fallback == "raise":
                    self._restore()
                    raise
                reason = str(exc)
                logger.warning("real-time scheduling unavailable, running without it: %s", exc)
        self.status = RealtimeStatus(
            fifo,
            self.fifo_priority if fifo else None,
            None if self.cpus is None else tuple(self.cpus),
            slack,
            reason,
        )
        return self

    def _enter_fifo(self) -> None:
        if not hasattr(os, "sched_setscheduler"):
            raise RealtimeUnavailable("SCHED_FIFO needs os.sched_setscheduler (Linux)")
        policy = os.sched_getscheduler(0)
        param = os.sched_getparam(0).sched_priority
        try:
            os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(self.fifo_priority))
        except PermissionError as exc:
            raise RealtimeUnavailable(
                f"SCHED_FIFO refused ({exc.strerror or exc}); run as root, grant CAP_SYS_NICE, "
                "or raise RLIMIT_RTPRIO"
            ) from exc
        except OSError as exc:
            raise RealtimeUnavailable(f"SCHED_FIFO refused: {exc}") from exc
        self._saved_policy = (policy, param)

    def _set_slack(self) -> int | None:
        prctl = _prctl()
        if prctl is None:
            return None
        self._saved_slack = int(prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0))
        # 0 would mean "reset to the default" (50 µs); 1 ns is the smallest slack.
        if prctl(PR_SET_TIMERSLACK, 1, 0, 0, 0) != 0:
            self._saved_slack = None
            return None
        return 1

    def _restore(self) -> None:
        if self._saved_slack is not None:
            prctl = _prctl()
            if prctl is not None:
                prctl(PR_SET_TIMERSLACK, self._saved_slack, 0, 0, 0)
            self._saved_slack = None
        if self._saved_policy is not None:
            policy, param = self._saved_policy
            os.sched_setscheduler(0, policy, os.sched_param(param))
            self._saved_policy = None
        if self._saved_affinity is not None:
            os.sched_setaffinity(0, self._saved_affinity)
            self._saved_affinity = None

    def __exit__(self, *exc: object) -> None:
        self._restore()
