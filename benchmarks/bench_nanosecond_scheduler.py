"""nanosecond_scheduler: queue operations, batches, cancel, dispatch and asyncio."""

import asyncio

import numpy as np

from nanosecond_scheduler import AsyncScheduler, Scheduler


def noop(*args):
    return None


class SteadyScheduler:
    """Scheduler.schedule + pop_next pairs on a queue of 1,000 tasks (10k pairs)."""

    def setup(self):
        self.keys = np.random.default_rng(0).integers(0, 10**12, 10_000).tolist()
        self.s = Scheduler("edf")
        for k in self.keys[:1000]:
            self.s.schedule(noop, deadline=k)

    def time_schedule_pop_10k(self):
        schedule, pop = self.s.schedule, self.s.pop_next
        for k in self.keys:
            schedule(noop, deadline=k)
            pop()


class Batch:
    """schedule_many + pop_ready of one million tasks (arrays sized in setup)."""

    def setup(self):
        self.deadlines = np.random.default_rng(1).integers(0, 10**12, 1_000_000)
        self.s = Scheduler("edf")
        self.s.pop_ready(self.s.schedule_many(noop, deadline=self.deadlines).size)

    def time_schedule_many_pop_ready_1m(self):
        self.s.schedule_many(noop, deadline=self.deadlines)
        self.s.pop_ready(1_000_000)


class Cancel:
    """Cancel 10k random tasks of a 100k queue."""

    number = 1
    repeat = 5

    def setup(self):
        rng = np.random.default_rng(2)
        self.s = Scheduler("edf")
        ids = self.s.schedule_many(noop, deadline=rng.integers(0, 10**12, 100_000))
        self.pick = rng.choice(ids, 10_000, replace=False).tolist()

    def time_cancel_10k_of_100k(self):
        cancel = self.s.cancel
        for tid in self.pick:
            cancel(tid)


class Dispatch:
    """run_until_idle over 100k queued no-op tasks."""

    number = 1
    repeat = 5

    def setup(self):
        self.s = Scheduler("edf")
        for d in np.random.default_rng(3).integers(0, 10**9, 100_000).tolist():
            self.s.schedule(noop, deadline=d)

    def time_run_until_idle_100k(self):
        self.s.run_until_idle()


class Asyncio:
    """AsyncScheduler: schedule and run 100k callbacks inside one event loop."""

    def setup(self):
        self.deadlines = np.random.default_rng(4).integers(0, 10**9, 100_000).tolist()

    def time_schedule_and_run_100k(self):
        async def main():
            s = AsyncScheduler("edf")
            for d in self.deadlines:
                s.schedule(noop, deadline=d)
            await s.join()

        asyncio.run(main())
