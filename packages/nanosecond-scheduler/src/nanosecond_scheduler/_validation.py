"""Checking and normalising task arguments: the slow path of every submit call.

Pure functions of their arguments (and the time ``now`` passed in): each returns the
values the queue stores or raises :class:`InvalidTaskError` naming the argument. The
compiled dispatcher reads the common cases itself and calls :func:`validate_task`
for everything else, so both paths accept and refuse the same inputs.
"""

from __future__ import annotations

import math
import operator
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from .deadline import Deadline
from .errors import InvalidTaskError

FOREVER = 2**63 - 1  # the queue's "no deadline"; also one past the largest valid time
NEVER = -(2**63)
PRIORITY_LIMIT = 2**62
MAX_TASKS = 2**32 - 1  # a task id keeps its slot in 32 bits
RUN_LATE, SKIP, CALLBACK = 0, 1, 2
MISS_POLICIES = {"run_late": RUN_LATE, "skip": SKIP, "callback": CALLBACK}

MissHook = Callable[[int, int], object]
# What the queue carries for a task: (fn, args or None for a batch, miss code,
# miss callback). A tuple, not an object, because it is built on every schedule().
Payload = tuple[Callable[..., Any], "tuple[Any, ...] | None", int, "MissHook | None"]
TaskSpec = tuple[int, int, int, int, int, Payload]  # release, deadline, period, wcet, priority

# Clocks in float seconds: with them every deadline in nanoseconds lies ~1e9 ticks away.
_SECONDS_CLOCKS = {
    time.monotonic: "time.monotonic_ns",
    time.perf_counter: "time.perf_counter_ns",
    time.time: "time.time_ns",
    time.process_time: "time.process_time_ns",
    time.thread_time: "time.thread_time_ns",
}


def check_clock(clock: object) -> None:
    """Refuse a clock that is not callable or does not return integer nanoseconds."""
    if not callable(clock):
        raise InvalidTaskError(f"clock must be callable, got {type(clock).__name__}")
    try:
        hint = _SECONDS_CLOCKS.get(clock)  # type: ignore[call-overload,unused-ignore]
    except TypeError:  # an unhashable callable
        hint = None
    if hint is not None:
        name = getattr(clock, "__name__", clock)
        raise InvalidTaskError(
            f"clock must return integer nanoseconds; {name} returns float seconds, use {hint}"
        )
    sample = clock()
    if isinstance(sample, bool) or not isinstance(sample, (int, np.integer)):
        raise InvalidTaskError(
            "clock must return integer nanoseconds (like time.monotonic_ns), "
            f"got {type(sample).__name__} {sample!r}"
        )


def ns(name: str, value: object, *, positive: bool = False) -> int:
    """An int64 count of nanoseconds, or an :class:`InvalidTaskError` naming ``name``."""
    if type(value) is not int:
        if isinstance(value, float):
            if math.isnan(value):
                raise InvalidTaskError(f"{name} must be a number, got NaN")
            if not math.isfinite(value) or value != int(value):
                raise InvalidTaskError(
                    f"{name} must be a whole number of nanoseconds, got {value!r}"
                )
            value = int(value)
        else:
            try:
                value = operator.index(value)  # type: ignore[arg-type]
            except TypeError:
                raise InvalidTaskError(
                    f"{name} must be an integer number of nanoseconds, got {type(value).__name__}"
                ) from None
    assert isinstance(value, int)
    if value < 0 or (positive and value == 0):
        raise InvalidTaskError(f"{name} must be {'> 0' if positive else '>= 0'}, got {value}")
    if value >= FOREVER:
        raise InvalidTaskError(f"{name} must be below 2**63 - 1, got {value}")
    return value


def priority_value(value: object) -> int:
    """``value`` as a priority within +-2**62 (any int or :class:`Priority`)."""
    if isinstance(value, int) and not isinstance(value, bool):
        p = int(value)
    elif isinstance(value, bool) or not hasattr(value, "__index__"):
        raise InvalidTaskError(f"priority must be an int or Priority, got {type(value).__name__}")
    else:
        p = operator.index(value)
    if not -PRIORITY_LIMIT < p < PRIORITY_LIMIT:
        raise InvalidTaskError(f"priority must be within +-2**62, got {p}")
    return p


def miss_code(on_miss: str, miss_callback: MissHook | None) -> int:
    """The kernel's code for an ``on_miss`` policy, checked against ``miss_callback``."""
    try:
        code = MISS_POLICIES[on_miss]
    except (KeyError, TypeError):
        raise InvalidTaskError(
            f"on_miss must be one of {', '.join(map(repr, MISS_POLICIES))}, got {on_miss!r}"
        ) from None
    if code == CALLBACK and not callable(miss_callback):
        raise InvalidTaskError("on_miss='callback' needs a callable miss_callback")
    if code != CALLBACK and miss_callback is not None:
        raise InvalidTaskError("miss_callback is only used with on_miss='callback'")
    return code


def release_time(now: int, at: object, delay: object) -> int:
    """The first release: ``at`` (absolute), ``now + delay``, or ``now``."""
    if at is not None and delay is not None:
        raise InvalidTaskError("give at= or delay=, not both")
    if at is not None:
        return ns("at", at)
    if delay is not None:
        release = now + ns("delay", delay)
        if release >= FOREVER:
            raise InvalidTaskError(f"delay {delay} puts the release beyond 2**63 - 1 ns")
        return release
    return now


def deadline_time(now: int, release: int, deadline: object, period: int) -> int:
    """The absolute deadline; periodic tasks default to one period after release."""
    if deadline is None:
        return min(release + period, FOREVER) if period else FOREVER
    if isinstance(deadline, Deadline):
        d = now + deadline.relative_ns
        if d >= FOREVER:
            raise InvalidTaskError(f"{deadline} puts the deadline beyond 2**63 - 1 ns")
    else:
        d = ns("deadline", deadline)
    if period and d <= release:
        raise InvalidTaskError(
            f"a periodic task's deadline ({d}) must come after its release ({release})"
        )
    return d


def period_and_wcet(period: object, wcet: object) -> tuple[int, int]:
    per = 0 if period is None else ns("period", period, positive=True)
    w = 0 if wcet is None else ns("wcet", wcet)
    if per and w > per:
        raise InvalidTaskError(f"wcet ({w} ns) must not exceed period ({per} ns)")
    return per, w


def validate_task(
    now: int,
    fn: object,
    args: tuple[Any, ...],
    priority: object,
    deadline: object,
    period: object,
    wcet: object,
    at: object,
    delay: object,
    on_miss: str,
    miss_callback: MissHook | None,
) -> TaskSpec:
    """Every ``schedule()`` argument checked: ``(release, deadline, period, wcet,
    priority, payload)`` for the queue."""
    if not callable(fn):
        raise InvalidTaskError(f"fn must be callable, got {type(fn).__name__}")
    release = release_time(now, at, delay)
    p = priority_value(priority)
    per, w = period_and_wcet(period, wcet)
    d = deadline_time(now, release, deadline, per)
    miss = miss_code(on_miss, miss_callback)
    return release, d, per, w, p, (fn, tuple(args), miss, miss_callback)


def int64_array(name: str, values: object, n: int | None) -> npt.NDArray[np.int64]:
    """``values`` as int64, validated; a scalar becomes a read-only stride-0 view of n."""
    arr = np.asarray(values)
    if arr.dtype == object or not (
        np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)
    ):
        raise InvalidTaskError(f"{name} must be an array of integers, got dtype {arr.dtype}")
    if arr.ndim > 1 or (arr.ndim == 0 and n is None):
        raise InvalidTaskError(f"{name} must be one-dimensional, got shape {arr.shape}")
    if arr.ndim == 1 and n is not None and arr.shape[0] != n:
        raise InvalidTaskError(f"{name} has {arr.shape[0]} values, expected {n}")
    if np.issubdtype(arr.dtype, np.floating):
        if np.isnan(arr).any():
            raise InvalidTaskError(f"{name} contains NaN")
        if not np.isfinite(arr).all() or (arr != np.round(arr)).any():
            raise InvalidTaskError(f"{name} must hold whole, finite nanosecond counts")
        if arr.size and arr.max() >= 2.0**63:
            raise InvalidTaskError(f"{name} must be below 2**63 - 1")
    elif arr.size and arr.max() >= FOREVER:
        # Compared before the cast: uint64 values from 2**63 on would wrap negative.
        raise InvalidTaskError(f"{name} must be below 2**63 - 1, found {arr.max()}")
    if arr.size and arr.min() < 0:
        raise InvalidTaskError(f"{name} must be >= 0, found {arr.min()}")
    arr = arr.astype(np.int64, copy=False)
    if arr.ndim == 0:
        assert n is not None
        return np.broadcast_to(arr, (n,))
    return arr


def priority_array(values: object, n: int) -> npt.NDArray[np.int64]:
    """Priorities as an int64 array of length ``n`` (a scalar is broadcast)."""
    arr = np.asarray(values)
    if arr.dtype == object or not np.issubdtype(arr.dtype, np.integer):
        raise InvalidTaskError(f"priority must be integers, got dtype {arr.dtype}")
    if arr.size and (arr.min() <= -PRIORITY_LIMIT or arr.max() >= PRIORITY_LIMIT):
        raise InvalidTaskError("priority must be within +-2**62")
    return np.broadcast_to(arr.astype(np.int64, copy=False), (n,))
