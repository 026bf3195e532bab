import logging
import os

import pytest

from nanosecond_scheduler import InvalidTaskError, RealtimeUnavailable, Scheduler, SchedulerError
from nanosecond_scheduler import realtime as rt

linux = pytest.mark.skipif(not hasattr(os, "sched_setscheduler"), reason="Linux only")


def fifo_permitted():
    if not hasattr(os, "sched_setscheduler"):
        return False
    policy = os.sched_getscheduler(0)
    param = os.sched_getparam(0)
    try:
        os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(1))
    except OSError:
        return False
    os.sched_setscheduler(0, policy, param)
    return True


def refuse(*args):
    raise PermissionError(1, "Operation not permitted")


@linux
def test_refused_fifo_raises_a_permission_error(monkeypatch):
    monkeypatch.setattr(os, "sched_setscheduler", refuse)
    s = Scheduler(realtime=True)
    ran = []
    s.schedule(ran.append, 1)
    with pytest.raises(RealtimeUnavailable) as info:
        s.run_until_idle()
    assert isinstance(info.value, PermissionError) and isinstance(info.value, SchedulerError)
    assert "SCHED_FIFO refused" in str(info.value) and "CAP_SYS_NICE" in str(info.value)
    assert ran == []  # refused before anything ran, never a silent no-op


@linux
def test_refused_fifo_can_fall_back_with_a_warning(monkeypatch, caplog):
    monkeypatch.setattr(os, "sched_setscheduler", refuse)
    s = Scheduler(realtime=True, realtime_fallback="warn")
    ran = []
    s.schedule(ran.append, 1)
    with caplog.at_level(logging.WARNING, logger="nanosecond_scheduler"):
        s.run_until_idle()
    assert ran == [1]
    assert "real-time scheduling unavailable" in caplog.text
    assert s.realtime_status is not None and not s.realtime_status.fifo
    assert "refused" in s.realtime_status.fallback


def test_missing_platform_support(monkeypatch):
    monkeypatch.delattr(os, "sched_setscheduler", raising=False)
    with (
        pytest.raises(RealtimeUnavailable, match="Linux"),
        rt.realtime_thread(realtime=True, cpus=None),
    ):
        pass


@linux
@pytest.mark.skipif(not fifo_permitted(), reason="SCHED_FIFO not permitted here")
def test_fifo_and_affinity_applied_then_restored():
    before = (os.sched_getscheduler(0), os.sched_getaffinity(0))
    seen = []
    cpu = min(os.sched_getaffinity(0))
    s = Scheduler(realtime=True, cpu_affinity=[cpu])
    s.schedule(lambda: seen.append((os.sched_getscheduler(0), os.sched_getaffinity(0))))
    s.run_until_idle()
    assert seen == [(os.SCHED_FIFO, {cpu})]
    assert s.realtime_status.fifo and s.realtime_status.cpus == (cpu,)
    assert s.realtime_status.fallback is None
    assert (os.sched_getscheduler(0), os.sched_getaffinity(0)) == before


def test_bad_realtime_arguments():
    with pytest.raises(InvalidTaskError, match="cpu_affinity"):
        Scheduler(cpu_affinity=[10_000])
    with pytest.raises(InvalidTaskError, match="cpu_affinity"):
        Scheduler(cpu_affinity=[])
    with pytest.raises(InvalidTaskError, match="realtime_fallback"):
        Scheduler(realtime=True, realtime_fallback="ignore")
    with pytest.raises(InvalidTaskError, match="realtime_priority"):
        Scheduler(realtime=True, realtime_priority=0)
