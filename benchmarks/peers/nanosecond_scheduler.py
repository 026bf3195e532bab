"""nanosecond_scheduler against heapq, sched, numpy and asyncio.

Run through ``./scripts/bench-peers nanosecond_scheduler``. Each workload's median is
for the whole batch named in the workload (divide by the count for per-task
numbers). ``python benchmarks/peers/nanosecond_scheduler.py --lateness`` measures
wake-up lateness (release -> start) of 10k deadlines 100 µs apart instead.
"""

from __future__ import annotations

import asyncio
import heapq
import importlib
import itertools
import os
import sched
import sys
import time

import numpy as np
from harness import Workload


def _real_package():
    """Import the installed package although this file has the same name.

    run.py puts this folder first on sys.path and imports ``nanosecond_scheduler``,
    which then finds this file; load the real one from site-packages and put this
    module back under the name run.py asked for.
    """
    here = os.path.dirname(os.path.abspath(__file__))
    me = sys.modules.get(__name__)
    if me is not None and getattr(me, "__file__", None) != os.path.abspath(__file__):
        return me  # an editable install's finder already gave run.py the package
    saved = sys.path[:]
    sys.modules.pop("nanosecond_scheduler", None)
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]
    try:
        return importlib.import_module("nanosecond_scheduler")
    finally:
        sys.path[:] = saved
        if __name__ == "nanosecond_scheduler" and me is not None:
            sys.modules["nanosecond_scheduler"] = me


_ns = _real_package()
AsyncScheduler = _ns.AsyncScheduler
Scheduler = _ns.Scheduler


def noop(*args):
    return None


# ---------------------------------------------------------- steady queue (1k)

PAIRS = 10_000


def _steady():
    keys = np.random.default_rng(0).integers(0, 10**12, PAIRS + 1_000).tolist()
    ours = Scheduler("edf")
    for k in keys[:1_000]:
        ours.schedule(noop, deadline=k)
    heap = []
    counter = itertools.count()
    for k in keys[:1_000]:
        heapq.heappush(heap, (k, next(counter), noop, ()))
    return ours, heap, counter, keys[1_000:]


def _ours_steady(ours, heap, counter, keys):
    schedule, pop = ours.schedule, ours.pop_next
    for k in keys:
        schedule(noop, deadline=k)
        pop()
    return len(ours)


def _heapq_steady(ours, heap, counter, keys):
    push, pop = heapq.heappush, heapq.heappop
    for k in keys:
        push(heap, (k, next(counter), noop, ()))
        pop(heap)
    return len(heap)


# ------------------------------------------------------------- batch (1M)

BATCH = 1_000_000


def _batch():
    deadlines = np.random.default_rng(1).integers(0, 10**12, BATCH)
    ours = Scheduler("edf")
    ours.pop_ready(ours.schedule_many(noop, deadline=deadlines).size)  # size the arrays once
    return ours, deadlines


def _ours_batch(ours, deadlines):
    ids = ours.schedule_many(noop, deadline=deadlines)
    out = ours.pop_ready(BATCH)
    return ids, out


def _argsort_batch(ours, deadlines):
    return np.argsort(deadlines, kind="stable")


def _same_order(ours_result, peer_result):
    ids, out = ours_result
    index = {tid: i for i, tid in enumerate(ids.tolist())}
    return [index[t] for t in out.tolist()] == list(np.asarray(peer_result))


# ------------------------------------------------------ cancel in 100k queue

QUEUE = 100_000
CANCELS = 10_000


def _cancel():
    rng = np.random.default_rng(2)
    deadlines = rng.integers(1, 10**12, QUEUE).tolist()
    ours = Scheduler("edf")
    ids = [ours.schedule(noop, deadline=d) for d in deadlines]
    # The heapq documentation's recipe for removable entries: mark, skip on pop.
    heap, finder, counter = [], {}, itertools.count()
    for i, d in enumerate(deadlines):
        entry = [d, next(counter), i]
        finder[i] = entry
        heapq.heappush(heap, entry)
    pick = rng.choice(QUEUE, CANCELS, replace=False).tolist()
    return ours, ids, (heap, finder, counter), pick, deadlines


def _ours_cancel(ours, ids, peer, pick, deadlines):
    for i in pick:  # cancel and re-add, so every repetition sees a 100k queue
        ours.cancel(ids[i])
        ids[i] = ours.schedule(noop, deadline=deadlines[i])
    return len(ours)


def _heapq_cancel(ours, ids, peer, pick, deadlines):
    heap, finder, counter = peer
    for i in pick:
        finder.pop(i)[-1] = None  # mark removed (O(1)); the heap keeps the dead entry
        entry = [deadlines[i], next(counter), i]
        finder[i] = entry
        heapq.heappush(heap, entry)
    return len(finder)


# -------------------------------------------------------- dispatch (100k)

DISPATCH = 100_000


def _dispatch():
    return (np.random.default_rng(3).integers(0, 10**9, DISPATCH).tolist(),)


def _ours_dispatch(deadlines):
    s = Scheduler("edf")
    for d in deadlines:
        s.schedule(noop, deadline=d)
    return s.run_until_idle()


def _sched_dispatch(deadlines):
    s = sched.scheduler(timefunc=lambda: 0, delayfunc=lambda x: None)
    for d in deadlines:
        s.enterabs(0, d, noop)
    s.run()
    return DISPATCH


# --------------------------------------------------------- asyncio (100k)

CALLBACKS = 100_000


def _async():
    return (np.random.default_rng(4).integers(0, 10**9, CALLBACKS).tolist(),)


def _ours_async(deadlines):
    async def main():
        s = AsyncScheduler("edf")
        for d in deadlines:
            s.schedule(noop, deadline=d)
        await s.join()
        return s.stats().completed

    return asyncio.run(main())


def _call_at_async(deadlines):
    async def main():
        loop = asyncio.get_running_loop()
        now = loop.time()
        done = loop.create_future()
        count = [0]

        def cb():
            count[0] += 1
            if count[0] == CALLBACKS:
                done.set_result(None)

        for d in deadlines:
            loop.call_at(now + d * 1e-18, cb)  # all due now, ordered by deadline
        await done
        return count[0]

    return asyncio.run(main())


WORKLOADS = [
    Workload(
        name=f"schedule + pop, steady queue of 1,000 ({PAIRS:,} pairs)",
        setup=_steady,
        ours=_ours_steady,
        peers={"heapq push+pop (tuples)": _heapq_steady},
        repeat=15,
        goal="<= 250 ns/pair, >= 2.5x heapq",
    ),
    Workload(
        name=f"batched schedule_many + pop_ready ({BATCH:,} tasks)",
        setup=_batch,
        ours=_ours_batch,
        peers={"numpy argsort (stable)": _argsort_batch},
        repeat=5,
        goal="<= 50 ns/task",
        check=_same_order,
    ),
    Workload(
        name=f"cancel + re-add in a {QUEUE:,} queue ({CANCELS:,} pairs)",
        setup=_cancel,
        ours=_ours_cancel,
        peers={"heapq mark-removed recipe": _heapq_cancel},
        repeat=7,
        goal="cancel O(log n), <= 1 µs",
    ),
    Workload(
        name=f"schedule + dispatch no-op callbacks ({DISPATCH:,})",
        setup=_dispatch,
        ours=_ours_dispatch,
        peers={"sched.scheduler enterabs+run": _sched_dispatch},
        repeat=7,
        goal=">= 1M tasks/s dispatch",
    ),
    Workload(
        name=f"asyncio: schedule + run {CALLBACKS:,} callbacks",
        setup=_async,
        ours=_ours_async,
        peers={"loop.call_at": _call_at_async},
        repeat=7,
        goal=">= 3x faster than loop.call_at",
    ),
]


# ------------------------------------------------------------------ lateness

N_WAKEUPS = 10_000
SPACING_NS = 100_000
LEAD_NS = 500_000_000  # scheduling 10k tasks must finish before the first release


def _percentiles(samples):
    xs = sorted(samples)
    pick = lambda p: xs[min(len(xs) - 1, max(0, -(-len(xs) * p // 100) - 1))]  # noqa: E731
    return pick(50), pick(99), xs[-1]


def lateness_ours(**options):
    lateness = []
    clock = time.monotonic_ns
    s = Scheduler("edf", **options)
    start = clock() + LEAD_NS
    for i in range(N_WAKEUPS):
        release = start + i * SPACING_NS
        s.schedule(lambda r=release: lateness.append(clock() - r), at=release)
    s.run_until_idle()
    return _percentiles(lateness), s


def lateness_sleep():
    """The obvious loop: time.sleep until each release."""
    lateness = []
    clock = time.monotonic_ns
    start = clock() + LEAD_NS
    for i in range(N_WAKEUPS):
        release = start + i * SPACING_NS
        wait = release - clock()
        if wait > 0:
            time.sleep(wait / 1e9)
        lateness.append(clock() - release)
    return _percentiles(lateness)


def lateness_sched():
    lateness = []
    clock = time.monotonic_ns
    s = sched.scheduler(timefunc=clock, delayfunc=lambda ns: time.sleep(ns / 1e9))
    start = clock() + LEAD_NS
    for i in range(N_WAKEUPS):
        release = start + i * SPACING_NS
        s.enterabs(release, 0, lambda r=release: lateness.append(clock() - r))
    s.run()
    return _percentiles(lateness)


def lateness_call_at():
    async def main():
        loop = asyncio.get_running_loop()
        lateness = []
        clock = time.monotonic_ns
        start = clock() + LEAD_NS
        done = loop.create_future()
        for i in range(N_WAKEUPS):
            release = start + i * SPACING_NS

            def cb(r=release):
                lateness.append(clock() - r)
                if len(lateness) == N_WAKEUPS:
                    done.set_result(None)

            loop.call_at(release / 1e9, cb)  # loop.time() is time.monotonic()
        await done
        return _percentiles(lateness)

    return asyncio.run(main())


def lateness_table():
    cpu = max(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    rows = []
    (p50, p99, mx), _ = lateness_ours()
    rows.append(("nanosecond_scheduler default (spin 200 µs)", p50, p99, mx))
    (p50, p99, mx), _ = lateness_ours(spin_threshold_ns=0)
    rows.append(("nanosecond_scheduler spin_threshold_ns=0 (sleep only)", p50, p99, mx))
    try:
        (p50, p99, mx), _ = lateness_ours(realtime=True, cpu_affinity=[cpu])
        rows.append((f"nanosecond_scheduler realtime=True, pinned to CPU {cpu}", p50, p99, mx))
    except PermissionError as exc:
        rows.append((f"realtime=True refused: {exc}", None, None, None))
    rows.append(("time.sleep loop", *lateness_sleep()))
    rows.append(("sched.scheduler", *lateness_sched()))
    rows.append(("asyncio loop.call_at", *lateness_call_at()))
    fmt = lambda ns: "-" if ns is None else f"{ns / 1000:.1f} µs"  # noqa: E731
    lines = [
        "| wake-up lateness, 10k releases 100 µs apart | p50 | p99 | max |",
        "| --- | --- | --- | --- |",
    ]
    lines += [f"| {name} | {fmt(a)} | {fmt(b)} | {fmt(c)} |" for name, a, b, c in rows]
    return "\n".join(lines)


if __name__ == "__main__":
    if "--lateness" in sys.argv:
        print(lateness_table())
