import asyncio
import gc
import itertools
import random
import time
import weakref

import pytest

from nanosecond_scheduler import (
    AsyncScheduler,
    Deadline,
    DeadlineMissed,
    SchedulerClosed,
    TaskHandle,
)


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 30))


@pytest.mark.parametrize("policy", ["edf", "least_laxity"])
def test_coroutines_start_in_deadline_order(policy):
    rng = random.Random(1)
    deadlines = [rng.randrange(10**6, 10**8) for _ in range(50)]

    async def main():
        started, finished = [], []
        sched = AsyncScheduler(policy)

        async def job(i):
            started.append(i)
            await asyncio.sleep(0)
            finished.append(i)

        now = time.monotonic_ns()
        for i, d in enumerate(deadlines):
            sched.schedule(job, i, deadline=now + d)
        await sched.join()
        return started, finished, sched.stats()

    started, finished, stats = run(main())
    assert started == sorted(range(50), key=lambda i: (deadlines[i], i))
    assert sorted(finished) == list(range(50))
    assert stats.completed == 50 and stats.queued == stats.running == 0


def test_callbacks_and_coroutines_share_one_order_and_future_releases_wait():
    async def main():
        order = []
        sched = AsyncScheduler("fixed_priority")

        async def coro(tag):
            order.append(tag)

        sched.schedule(order.append, "low", priority=1)
        sched.schedule(coro, "high", priority=9)
        sched.schedule(order.append, "mid", priority=5)
        sched.schedule(order.append, "later", priority=0, delay=5_000_000)
        t0 = time.monotonic_ns()
        await sched.join()
        return order, time.monotonic_ns() - t0

    order, elapsed = run(main())
    assert order == ["high", "mid", "low", "later"]
    assert elapsed >= 5_000_000  # the delayed task never runs early


def test_scheduling_before_the_loop_runs_and_batches():
    sched = AsyncScheduler("edf")
    got = []
    sched.schedule(got.append, "first", deadline=Deadline.from_millis(1))

    async def main():
        sched.schedule_many(lambda i: got.append(i), 3)
        await sched.join()

    run(main())
    assert got == ["first", 0, 1, 2]


def test_errors_in_coroutines_and_callbacks_are_captured():
    seen = []

    async def main():
        sched = AsyncScheduler(on_error=lambda tid, exc: seen.append(type(exc)))

        async def bad():
            raise KeyError("x")

        sched.schedule(bad)
        sched.schedule(lambda: 1 / 0)
        await sched.join()
        return sched.stats()

    stats = run(main())
    assert sorted(t.__name__ for t in seen) == ["KeyError", "ZeroDivisionError"]
    assert stats.errors == 2 and stats.completed == 2


def test_periodic_coroutine_and_cancel():
    async def main():
        sched = AsyncScheduler()
        ticks = []
        ids = {}

        async def tick():
            ticks.append(time.monotonic_ns())
            if len(ticks) == 4:
                sched.cancel(ids["t"])

        t0 = time.monotonic_ns()
        ids["t"] = sched.schedule(tick, period=2_000_000)
        await sched.join()
        return t0, ticks, sched.stats()

    t0, ticks, stats = run(main())
    assert len(ticks) == 4
    assert all(b - a >= 0 for a, b in itertools.pairwise(ticks))
    # job k is released at (first release) + k * period and never starts early
    assert all(t - t0 >= k * 2_000_000 for k, t in enumerate(ticks))
    assert stats.jitter.count == 3


def test_close_drops_queued_work():
    async def main():
        sched = AsyncScheduler()
        ran = []
        sched.schedule(ran.append, 1, delay=10**9)
        sched.close()
        await sched.join()
        return ran, len(sched)

    assert run(main()) == ([], 0)


# ------------------------------------------------------- handles (issue 15)


def test_schedule_returns_an_awaitable_handle_with_the_result():
    seen = []

    async def main():
        sched = AsyncScheduler("edf", on_error=lambda tid, exc: seen.append(tid))

        async def double(x):
            await asyncio.sleep(0)
            return 2 * x

        async def broken():
            raise KeyError("coroutine")

        h1 = sched.schedule(double, 21)
        h2 = sched.schedule(lambda: "callback")
        h3 = sched.schedule(broken)
        h4 = sched.schedule(lambda: 1 / 0)
        results = await asyncio.gather(h1, h2, h3, h4, return_exceptions=True)
        return sched, (h1, h2, h3, h4), results

    sched, handles, results = run(main())
    assert results[:2] == [42, "callback"]
    assert isinstance(results[2], KeyError) and isinstance(results[3], ZeroDivisionError)
    assert all(h.done() and not h.cancelled() for h in handles)
    assert handles[0].result() == 42 and handles[2].exception() is results[2]
    assert sorted(seen) == [handles[2].id, handles[3].id]  # on_error still sees each failure
    assert sched.stats().errors == 2
    # The handle stands for its id.
    h = handles[0]
    assert isinstance(h, TaskHandle) and h == h.id and hash(h) == hash(h.id)
    assert int(h) == h.id and {h.id: 1}[h] == 1 and h != handles[1] and h != "x"


def test_cancelling_handles_queued_and_running():
    async def main():
        sched = AsyncScheduler()
        started = asyncio.Event()

        async def forever():
            started.set()
            await asyncio.sleep(3600)

        queued = sched.schedule(print, "never", delay=10**9)
        running = sched.schedule(forever)
        by_id = sched.schedule(print, "never either", delay=10**9)
        await started.wait()
        assert queued.cancel() and running.cancel()
        sched.cancel(by_id)  # cancelling by id (or handle) resolves the handle too
        outcomes = []
        for h in (queued, running, by_id):
            try:
                await h
            except asyncio.CancelledError:
                outcomes.append("cancelled")
        assert not queued.cancel()  # already done
        await sched.join()
        return outcomes, sched.stats()

    outcomes, stats = run(main())
    assert outcomes == ["cancelled"] * 3
    assert stats.queued == stats.running == 0 and stats.errors == 0


def test_wait_for_timeout_cancels_the_scheduled_task():
    async def main():
        sched = AsyncScheduler()
        ran = []
        h = sched.schedule(ran.append, 1, delay=10**9)
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(h, 0.01)
        return h, ran, len(sched)

    h, ran, queued = run(main())
    assert h.cancelled() and ran == [] and queued == 0


def test_skipped_task_raises_deadline_missed_and_periodic_handles_end_cancelled():
    async def main():
        sched = AsyncScheduler()
        now = time.monotonic_ns()
        late = sched.schedule(print, "late", deadline=now - 1, on_miss="skip")
        with pytest.raises(DeadlineMissed) as info:
            await late
        assert info.value.task_id == late.id and info.value.late_ns > 0
        ticks = []
        periodic = sched.schedule(lambda: ticks.append(1), period=1_000_000)
        while len(ticks) < 3:
            await asyncio.sleep(0.001)
        assert not periodic.done()
        sched.cancel(periodic)
        with pytest.raises(asyncio.CancelledError):
            await periodic
        await sched.join()

    run(main())


def test_close_refuses_later_work_and_cancels_queued_handles():
    async def main():
        sched = AsyncScheduler()
        h = sched.schedule(print, "dropped", delay=10**9)
        sched.close()
        assert sched.closed and h.cancelled()
        with pytest.raises(SchedulerClosed, match="closed"):
            sched.schedule(print, "refused")
        with pytest.raises(SchedulerClosed):
            sched.schedule_many(print, 3)
        await sched.join()
        return len(sched)

    assert run(main()) == 0


def test_handles_leave_no_uncollectable_cycles():
    # Pending handles and payloads are hidden from the cyclic GC for speed: check that a
    # dropped scheduler with pending handles, and a result that refers back to its own
    # handle, are still collected.
    class Box:
        pass

    async def main():
        sched = AsyncScheduler()
        pending = [sched.schedule(print, "never", delay=10**9) for _ in range(3)]
        box = Box()
        h = sched.schedule(lambda: box)
        box.handle = h
        await h
        return weakref.ref(sched), weakref.ref(box), pending

    sched_ref, box_ref, pending = run(main())
    gc.collect()
    assert sched_ref() is None and box_ref() is None
    assert not pending[0].done() and not pending[0].cancel()  # its scheduler is gone


def test_taking_tasks_without_running_them_cancels_their_handles():
    async def main():
        sched = AsyncScheduler("edf")
        now = time.monotonic_ns()
        hs = [sched.schedule(lambda i=i: i, deadline=now + 10 * i) for i in range(4)]
        taken = sched.pop_ready(2).tolist()
        first = sched.pop_next()
        assert taken == [hs[0].id, hs[1].id] and first == hs[2]
        assert [h.cancelled() for h in hs] == [True, True, True, False]
        return await hs[3]

    assert run(main()) == 3
