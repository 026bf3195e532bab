"""temporal_compare.dask against the single-process functions on a LocalCluster.

Not an asv benchmark (it starts clusters): run it as a script, e.g.

    python benchmarks/scale_out_dask.py                     # the sizes of issue 17
    python benchmarks/scale_out_dask.py --series 500 --samples 200000   # a loaded machine

It prints, for 1 and 2 single-threaded worker processes: wall time of the DTW
distance matrix and of a top-k search over several long series, next to the
single-process functions (``n_jobs=1``); the per-task overhead of an empty task;
the bytes moved between workers (Dask's transfer logs) and the result bytes.
The search runs twice: over arrays in the client's memory (sent to the workers
during the search) and over the same archive already on the workers (each
series loaded by a worker from a ``.npy`` file and persisted before the timing,
as an archive larger than the client's memory would be).
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import statistics
import tempfile
import time
from typing import Any


def timed(fn: Any, repeat: int) -> tuple[float, Any]:
    times, value = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), value


def transferred(client: Any) -> int:
    """Bytes received by all workers from other workers since they started."""

    def incoming(dask_worker: Any) -> int:
        return int(sum(entry["total"] for entry in dask_worker.transfer_incoming_log))

    return sum(client.run(incoming).values())


def noop(x: int) -> int:
    return x


def main() -> None:
    import dask
    import dask.array as da
    import numpy as np
    from distributed import Client, LocalCluster, wait

    import temporal_compare as tc
    from temporal_compare import dask as tcd

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=2000, help="rows of the DTW matrix")
    parser.add_argument("--length", type=int, default=256, help="samples per series")
    parser.add_argument("--tile", type=int, default=250)
    parser.add_argument("--archive", type=int, default=10, help="series searched")
    parser.add_argument("--samples", type=int, default=1_000_000, help="samples per series")
    parser.add_argument("--query", type=int, default=128)
    parser.add_argument("--chunk", type=int, default=2**17)
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument(
        "--skip-cdist", action="store_true", help="time the searches only (quicker)"
    )
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    X = np.cumsum(rng.standard_normal((args.series, args.length)), axis=1)
    window = math.ceil(0.1 * args.length)
    rows = [np.cumsum(rng.standard_normal(args.samples)) for _ in range(args.archive)]
    q = rows[len(rows) // 2][args.samples // 2 : args.samples // 2 + args.query].copy()
    # the archive as files the workers read themselves (one machine: shared storage)
    folder = tempfile.TemporaryDirectory(prefix="scale-out-dask-")
    paths = [os.path.join(folder.name, f"series-{i}.npy") for i in range(len(rows))]
    for path, row in zip(paths, rows, strict=True):
        np.save(path, row)
    pairs = args.series * (args.series - 1) // 2
    band = sum(min(args.length, i + window + 1) - max(0, i - window) for i in range(args.length))
    print(f"load before: {os.getloadavg()}")
    print(
        f"cdist: {args.series} x {args.series} DTW n={args.length} window={window} "
        f"({pairs} pairs, {band} cells each); search: {args.archive} x {args.samples} "
        f"samples, m={args.query}, k={args.k}"
    )

    if args.skip_cdist:
        local_cdist_s, want_matrix = math.nan, None
    else:
        local_cdist_s, want_matrix = timed(
            lambda: tc.cdist(X, window=window, n_jobs=1), args.repeat
        )

    def local_archive() -> list[Any]:
        found = [
            (m.distance, s, m.index) for s, r in enumerate(rows) for m in tc.search(q, r, k=args.k)
        ]
        return sorted(found)[: args.k]

    local_search_s, want_search = timed(local_archive, args.repeat)
    print(
        f"single process: cdist {local_cdist_s:.2f} s "
        f"({pairs * band / local_cdist_s / 1e6:.0f} M cells/s), "
        f"search {local_search_s:.2f} s "
        f"({args.archive * args.samples / local_search_s / 1e6:.2f} M samples/s)"
    )

    results = {}
    for workers in (1, 2):
        with (
            LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
                silence_logs=logging.ERROR,
            ) as cluster,
            Client(cluster) as client,
        ):
            client.submit(noop, 0).result()
            # workers import temporal_compare on their first task: keep that out of the timings
            tcd.cdist(X[:4], window=window, client=client)
            tasks = 2000
            start = time.perf_counter()
            client.gather(client.map(noop, range(tasks)))
            overhead = (time.perf_counter() - start) / tasks * workers
            d_s = math.nan
            if not args.skip_cdist:
                before = transferred(client)
                d_s, got = timed(
                    lambda c=client: tcd.cdist(X, window=window, client=c, tile=args.tile),
                    args.repeat,
                )
                moved = transferred(client) - before
                assert np.array_equal(got, want_matrix), "distributed cdist differs"
                tiles = math.ceil(args.series / args.tile)
                print(
                    f"{workers} worker(s): cdist {d_s:.2f} s ({local_cdist_s / d_s:.2f}x single, "
                    f"{tiles * (tiles + 1) // 2} tasks, {moved / 1e6:.1f} MB worker-to-worker, "
                    f"{X.nbytes / 1e6:.1f} MB input, {args.series**2 * 8 / 1e6:.1f} MB result)"
                )
            before = transferred(client)
            s_s, got_search = timed(
                lambda c=client: tcd.search_collection(
                    q, rows, k=args.k, client=c, chunk=args.chunk
                ),
                args.repeat,
            )
            moved_search = transferred(client) - before
            assert [(m.distance, m.series, m.index) for m in got_search] == want_search
            # the same archive already on the workers: each loaded by a worker from
            # its file and kept there (not timed), as an out-of-memory archive would be
            stored = client.persist(
                da.stack(
                    [
                        da.from_delayed(dask.delayed(np.load)(path), (args.samples,), float)
                        for path in paths
                    ]
                )
            )
            wait(stored)
            before = transferred(client)
            p_s, got_search = timed(
                lambda c=client, a=stored: tcd.search_collection(
                    q, a, k=args.k, client=c, chunk=args.chunk
                ),
                args.repeat,
            )
            moved_stored = transferred(client) - before
            assert [(m.distance, m.series, m.index) for m in got_search] == want_search
            del stored  # free the workers' copy before the next cluster
            results[workers] = (d_s, s_s, p_s)
            print(
                f"{workers} worker(s): search {s_s:.2f} s ({local_search_s / s_s:.2f}x single, "
                f"{moved_search / 1e6:.2f} MB worker-to-worker); "
                f"search of the archive on the workers {p_s:.2f} s "
                f"({local_search_s / p_s:.2f}x single, {moved_stored / 1e6:.2f} MB "
                f"worker-to-worker); empty task {overhead * 1e3:.2f} ms per worker"
            )
    print(
        f"2 vs 1 worker: cdist {results[1][0] / results[2][0]:.2f}x, "
        f"search {results[1][1] / results[2][1]:.2f}x, "
        f"search of the archive on the workers {results[1][2] / results[2][2]:.2f}x"
    )
    print(f"load after: {os.getloadavg()}")
    folder.cleanup()


if __name__ == "__main__":
    main()
