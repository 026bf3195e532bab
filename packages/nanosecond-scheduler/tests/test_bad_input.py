import math
import time

import numpy as np
import pytest

import nanosecond_scheduler
from nanosecond_scheduler import (
    AsyncScheduler,
    Deadline,
    InvalidTaskError,
    Priority,
    Scheduler,
    SchedulerError,
    TaskNotFoundError,
)


@pytest.fixture
def s():
    return Scheduler(clock=lambda: 1_000, sleep=lambda ns: None)


def f():
    pass


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"deadline": math.nan}, "deadline must be a number, got NaN"),
        ({"deadline": -1}, "deadline must be >= 0"),
        ({"deadline": 1.5}, "whole number"),
        ({"deadline": "soon"}, "deadline must be an integer"),
        ({"period": 0}, "period must be > 0"),
        ({"period": -5}, "period must be > 0"),
        ({"period": math.nan}, "period must be a number, got NaN"),
        ({"period": 10, "wcet": 11}, r"wcet \(11 ns\) must not exceed period \(10 ns\)"),
        ({"wcet": -1}, "wcet must be >= 0"),
        ({"priority": 1.5}, "priority must be an int"),
        ({"priority": True}, "priority must be an int"),
        ({"priority": 2**62}, "priority must be within"),
        ({"at": 5, "delay": 5}, "not both"),
        ({"delay": math.inf}, "delay must be a whole number"),
        ({"on_miss": "panic"}, "on_miss must be one of"),
        ({"on_miss": "callback"}, "needs a callable miss_callback"),
        ({"miss_callback": print}, "only used with on_miss='callback'"),
        ({"period": 10, "deadline": 1_000}, "must come after its release"),
        ({"deadline": 2**63}, "below 2"),
        ({"deadline": 2**63 - 1}, "below 2"),
        ({"deadline": 2**70}, "below 2"),
        ({"deadline": -(2**70)}, "deadline must be >= 0"),
        ({"period": 2**70}, "below 2"),
        ({"period": -(2**70)}, "period must be > 0"),
        ({"wcet": 2**70}, "below 2"),
        ({"priority": 2**70}, "priority must be within"),
        ({"priority": -(2**62)}, "priority must be within"),
        ({"priority": -(2**70)}, "priority must be within"),
        ({"delay": 2**63 - 1_001}, "beyond 2"),
        ({"deadline": Deadline(2**63 - 1_001)}, "beyond 2"),
    ],
)
def test_schedule_rejects(s, kwargs, match):
    with pytest.raises(InvalidTaskError, match=match) as info:
        s.schedule(f, **kwargs)
    assert isinstance(info.value, ValueError) and isinstance(info.value, SchedulerError)
    assert len(s) == 0


def test_non_callable_and_unknown_policy(s):
    with pytest.raises(InvalidTaskError, match="fn must be callable"):
        s.schedule(42)
    with pytest.raises(InvalidTaskError, match="unknown policy 'lottery'"):
        Scheduler("lottery")
    with pytest.raises(InvalidTaskError, match="clock must be callable"):
        Scheduler(clock=5)


def test_unknown_ids(s):
    with pytest.raises(TaskNotFoundError, match="no queued task with id 12345"):
        s.cancel(12345)
    with pytest.raises(TaskNotFoundError):
        s.cancel(-1)
    with pytest.raises(TaskNotFoundError, match="ints"):
        s.cancel("abc")
    with pytest.raises(LookupError):
        s.reschedule(2**40, priority=1)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"deadline": np.array([1.0, np.nan])}, "deadline contains NaN"),
        ({"deadline": np.array([1, -2])}, "deadline must be >= 0"),
        ({"deadline": np.array([1.5])}, "whole, finite"),
        ({"deadline": np.ones((2, 2), dtype=np.int64)}, "one-dimensional"),
        ({"deadline": np.array(["a"])}, "array of integers"),
        ({"deadline": np.arange(3), "at": np.arange(4)}, "one common length"),
        ({"priority": np.array([0.5, 1.0])}, "priority must be integers"),
        ({}, "needs count="),
        ({"count": 3, "deadline": np.arange(4)}, "one common length"),
    ],
)
def test_schedule_many_rejects(s, kwargs, match):
    with pytest.raises(InvalidTaskError, match=match):
        s.schedule_many(lambda i: None, **kwargs)
    assert len(s) == 0


def test_executor_and_deadline_arguments(s):
    with pytest.raises(InvalidTaskError, match="exactly one"):
        s.run()
    with pytest.raises(InvalidTaskError, match="exactly one"):
        s.run(duration=1, until=2)
    with pytest.raises(InvalidTaskError, match="duration must be >= 0"):
        s.run(duration=-1)
    with pytest.raises(InvalidTaskError, match="workers must be > 0"):
        Scheduler(workers=0)
    with pytest.raises(InvalidTaskError, match="spin_threshold_ns"):
        Scheduler(spin_threshold_ns=-1)
    with pytest.raises(InvalidTaskError, match="max_queue_size must be > 0"):
        Scheduler(max_queue_size=0)
    with pytest.raises(InvalidTaskError, match="on_error"):
        Scheduler(on_error="log")
    with pytest.raises(InvalidTaskError, match="NaN"):
        Deadline.from_micros(math.nan)
    with pytest.raises(InvalidTaskError, match=">= 0"):
        Deadline.from_millis(-1)
    with pytest.raises(InvalidTaskError, match="n must be >= 0"):
        s.pop_ready(-1)


# ----------------------------------------------------------- issues 15 and 16


@pytest.mark.parametrize("clock", [time.monotonic, time.perf_counter, time.time])
def test_float_seconds_clocks_are_refused(clock):
    with pytest.raises(InvalidTaskError, match=r"integer nanoseconds.*_ns"):
        Scheduler("edf", clock=clock)
    with pytest.raises(InvalidTaskError, match="integer nanoseconds"):
        AsyncScheduler("edf", clock=clock)


def test_a_clock_returning_floats_is_refused():
    with pytest.raises(InvalidTaskError, match=r"got float 1\.5"):
        Scheduler(clock=lambda: 1.5)
    reading = [1_000]
    s = Scheduler(clock=lambda: reading[0], sleep=lambda ns: None)
    s.schedule(f)
    reading[0] = 1_000.5  # turns to floats later: refused when read, not truncated
    with pytest.raises(InvalidTaskError, match="integer nanoseconds"):
        s.run_until_idle()
    assert Scheduler(clock=lambda: np.int64(7)).stats().queued == 0  # numpy ints are fine


@pytest.mark.parametrize("dtype", [np.uint64, np.int64])
def test_schedule_many_refuses_deadlines_from_2_63_minus_1(s, dtype):
    for value in ([2**64 - 1] if dtype is np.uint64 else []) + [2**63, 2**63 - 1]:
        if value >= 2**63 and dtype is np.int64:
            continue
        with pytest.raises(InvalidTaskError, match="deadline must be below 2"):
            s.schedule_many(f, deadline=np.array([5_000, value], dtype))
        with pytest.raises(InvalidTaskError, match="at must be below 2"):
            s.schedule_many(f, at=np.array([value], dtype))
    assert len(s) == 0
    ids = s.schedule_many(f, deadline=np.array([2**63 - 2, 5_000], np.uint64))
    assert list(s.pop_ready(2)) == [ids[1], ids[0]]  # large but valid uint64: no wrap


def test_reschedule_out_of_range_ids_are_not_found(s):
    for bad in (2**63, 2**64, -(2**63) - 1, 2**200):
        with pytest.raises(TaskNotFoundError, match="no queued task"):
            s.reschedule(bad, priority=0)
        with pytest.raises(TaskNotFoundError):
            s.cancel(bad)


def test_schedule_many_count_is_bounded(s):
    with pytest.raises(InvalidTaskError, match=r"count 1099511627776 is too large"):
        s.schedule_many(f, 2**40)
    with pytest.raises(InvalidTaskError, match="too large"):
        s.schedule_many(f, deadline=np.broadcast_to(np.int64(5), (2**33,)))
    assert len(s) == 0


def test_priority_levels_and_error_base():
    assert [p.value for p in Priority] == [100, 75, 50, 25, 10]
    assert issubclass(SchedulerError, Exception)
    assert nanosecond_scheduler.__version__.count(".") >= 2
