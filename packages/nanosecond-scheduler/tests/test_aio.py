import asyncio
import itertools
import random
import time

import pytest

from nanosecond_scheduler import AsyncScheduler, Deadline


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
