"""temporal_compare.dask on a real LocalCluster: results equal the single-machine ones."""

import logging
import os
import re
import signal
import subprocess
import sys
import threading
import time

import dask.array as da
import dask.bag as db
import numpy as np
import pytest
from distributed import Client, LocalCluster

from temporal_compare import TemporalCompareError
from temporal_compare import cdist as local_cdist
from temporal_compare import dask as tcd
from temporal_compare import search as local_search

pytestmark = [pytest.mark.dask, pytest.mark.network]


@pytest.fixture(scope="session")
def client():
    # two worker processes on loopback TCP, one thread each: small and quick to start
    cluster = LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        protocol="tcp",
        host="127.0.0.1",
        dashboard_address=None,
        silence_logs=logging.ERROR,
    )
    with Client(cluster) as c:
        yield c
    cluster.close()


def test_importing_the_package_does_not_import_dask():
    code = (
        "import sys, temporal_compare\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')]\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def series_list(seed, count, lengths=(5, 30), empty=False):
    rng = np.random.default_rng(seed)
    out = [rng.standard_normal(rng.integers(*lengths)) for _ in range(count)]
    if empty:
        out[count // 2] = np.zeros(0)
    return out


# ---------------------------------------------------------------- cdist


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("tile", [1, 4, 7, 100])
def test_cdist_dtw_symmetric_equals_local(client, seed, tile):
    xs = series_list(seed, 13, empty=seed == 1)
    for window in (None, 3):
        want = local_cdist(xs, window=window)
        got = tcd.cdist(xs, window=window, client=client, tile=tile)
        assert np.array_equal(got, want)


@pytest.mark.parametrize("seed", [3, 4])
@pytest.mark.parametrize("metric", ["dtw", "euclidean", "levenshtein", "lcs_similarity"])
def test_cdist_every_metric_equals_local(client, seed, metric):
    rng = np.random.default_rng(seed)
    if metric in ("dtw", "euclidean"):
        X = rng.standard_normal((11, 16))
        Y = rng.standard_normal((6, 16))
    else:
        X = ["".join(rng.choice(list("abcd"), rng.integers(0, 12))) for _ in range(11)]
        Y = [list(rng.integers(0, 5, rng.integers(1, 9))) for _ in range(6)]
        X = [list(map(str, x)) for x in X] if seed == 4 else X
        Y = [list(map(str, y)) for y in Y] if seed == 4 else [str(y) for y in Y]
    assert np.array_equal(
        tcd.cdist(X, Y, metric=metric, client=client, tile=3), local_cdist(X, Y, metric=metric)
    )
    assert np.array_equal(
        tcd.cdist(X, metric=metric, client=client, tile=4), local_cdist(X, metric=metric)
    )


def test_cdist_accepts_dask_array_and_bag(client):
    rng = np.random.default_rng(5)
    X = rng.standard_normal((14, 12))
    Y = rng.standard_normal((9, 12))
    want_xy = local_cdist(X, Y, window=2)
    want_xx = local_cdist(X, window=2)
    X_da = da.from_array(X, chunks=(5, 6))
    bag = db.from_sequence(list(Y), npartitions=3)
    assert np.array_equal(tcd.cdist(X_da, Y, window=2, client=client, tile=4), want_xy)
    assert np.array_equal(tcd.cdist(X, bag, window=2, client=client, tile=4), want_xy)
    assert np.array_equal(tcd.cdist(X_da, bag, window=2, client=client, tile=4), want_xy)
    assert np.array_equal(tcd.cdist(X_da, window=2, client=client, tile=3), want_xx)
    xs = series_list(6, 10)
    bag_x = db.from_sequence(xs, npartitions=4)
    assert np.array_equal(tcd.cdist(bag_x, client=client), local_cdist(xs))


def test_cdist_dask_output_is_lazy_and_equal(client):
    xs = series_list(7, 12)
    ys = series_list(8, 5)
    lazy = tcd.cdist(xs, client=client, tile=5, output="dask")
    assert isinstance(lazy, da.Array)
    assert lazy.shape == (12, 12)
    assert np.array_equal(client.compute(lazy).result(), local_cdist(xs))
    lazy_xy = tcd.cdist(xs, ys, client=client, tile=4, output="dask")
    assert np.array_equal(client.compute(lazy_xy).result(), local_cdist(xs, ys))


def test_cdist_symmetric_computes_only_the_upper_triangle(client):
    xs = series_list(9, 10)
    _, _, tiles = tcd._tile_graph(xs, None, "dtw", None, 3, client)
    assert sorted(tiles) == [(a, b) for a in range(4) for b in range(a, 4)]


# ---------------------------------------------------------------- cdist_topk


def reference_topk(matrix, k, largest, exclude_diagonal):
    values, columns = [], []
    for i, row in enumerate(matrix):
        cols = np.arange(row.shape[0])
        if exclude_diagonal:
            cols = cols[cols != i]
        key = -row[cols] if largest else row[cols]
        order = np.lexsort((cols, key))[:k]
        values.append(row[cols][order])
        columns.append(cols[order])
    return np.array(values), np.array(columns)


@pytest.mark.parametrize("seed", [10, 11])
@pytest.mark.parametrize("k", [1, 3])
def test_cdist_topk_equals_sorted_matrix(client, seed, k):
    xs = series_list(seed, 12)
    ys = series_list(seed + 100, 7)
    for tile in (1, 5):
        got = tcd.cdist_topk(xs, k=k, client=client, tile=tile)
        want = reference_topk(local_cdist(xs), k, False, True)
        assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1])
        got = tcd.cdist_topk(xs, ys, k=k, window=2, client=client, tile=tile)
        want = reference_topk(local_cdist(xs, ys, window=2), k, False, False)
        assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1])


def test_cdist_topk_similarity_takes_largest_and_breaks_ties_by_column(client):
    words = ["abc", "abd", "abc", "xyz", "ab", "abc", "b"]
    got = tcd.cdist_topk(words, k=2, metric="lcs_similarity", client=client, tile=3)
    want = reference_topk(local_cdist(words, metric="lcs_similarity"), 2, True, True)
    assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1])
    assert got[1][0].tolist() == [2, 5]  # the two other "abc", lower column first


def test_cdist_topk_rejects_k_beyond_the_candidates(client):
    with pytest.raises(TemporalCompareError, match="k must be at most 3"):
        tcd.cdist_topk(series_list(0, 4), k=4, client=client)


# ---------------------------------------------------------------- search


def archive(seed, n, query, places):
    rng = np.random.default_rng(seed)
    t = np.cumsum(rng.standard_normal(n))
    for p in places:
        t[p : p + query.shape[0]] = query * rng.uniform(0.5, 2) + rng.uniform(-3, 3)
        t[p : p + query.shape[0]] += 0.05 * rng.standard_normal(query.shape[0])
    return t


@pytest.mark.parametrize("seed", [20, 21, 22])
@pytest.mark.parametrize("metric", ["dtw", "euclidean"])
@pytest.mark.parametrize("k", [1, 4])
def test_search_equals_local_across_chunk_borders(client, seed, metric, k):
    rng = np.random.default_rng(seed)
    q = np.cumsum(rng.standard_normal(40))
    # occurrences straddling the chunk borders at multiples of 256, some within one
    # exclusion zone of each other across a border
    t = archive(seed, 3000, q, [230, 250, 500, 760, 1010, 2040])
    for znorm in (True, False):
        for exclusion in (None, 0, 25):
            want = local_search(q, t, k=k, metric=metric, znorm=znorm, exclusion=exclusion)
            got = tcd.search(
                q,
                t,
                k=k,
                metric=metric,
                znorm=znorm,
                exclusion=exclusion,
                client=client,
                chunk=256,
                in_flight=2,
            )
            assert got == want, (znorm, exclusion)


@pytest.mark.parametrize("seed", [24, 25])
@pytest.mark.parametrize("k", [2, 5])
def test_search_with_chunks_longer_than_the_first_pass_prefix_equals_local(client, seed, k):
    # chunks of 2**18 windows: the unbounded first tasks bound themselves from a
    # prefix of 2**17 windows, so matches beyond the prefix must still be found
    rng = np.random.default_rng(seed)
    q = rng.standard_normal(40)
    places = sorted(rng.choice(np.arange(200_000, 590_000, 1000), 8, replace=False))
    t = archive(seed, 600_000, q, [int(p) for p in places])
    want = local_search(q, t, k=k, window=4)
    got = tcd.search(q, t, k=k, window=4, client=client, chunk=2**18, in_flight=3)
    assert got == want
    assert all(m.index >= 2**17 for m in want[:1]), "the best match should lie past the prefix"


def test_a_queued_task_reads_the_latest_bound_published_or_found_on_its_worker(client):
    from distributed import Variable

    from temporal_compare.dask import _latest_bound, _remember_bound

    name = "test-latest-bound"
    here, there = sorted(client.nthreads())
    latest = Variable(name, client=client)
    latest.set(2.5)

    def on(worker, fn, *args):
        return client.submit(fn, *args, workers=[worker], pure=False).result()

    try:
        assert on(here, _latest_bound, name, np.inf) == 2.5
        assert on(here, _latest_bound, name, 1.0) == 1.0
        # a finished task's bound serves the next tasks on its own worker only,
        # and is only ever lowered
        on(here, _remember_bound, name, 1.5)
        on(here, _remember_bound, name, 4.0)
        assert on(here, _latest_bound, name, np.inf) == 1.5
        assert on(there, _latest_bound, name, np.inf) == 2.5
        assert latest.get() == 2.5  # only the client writes the shared bound
    finally:
        latest.delete()
    # a vanished variable (run finished, scheduler restarted) keeps what is known
    assert on(there, _latest_bound, name, 3.0) == 3.0
    assert on(here, _latest_bound, name, 3.0) == 1.5
    assert on(here, _latest_bound, None, 3.0) == 3.0
    on(here, _remember_bound, None, 1.0)  # no error, no effect


def test_a_worker_remembers_the_bounds_of_a_bounded_number_of_searches(client):
    from temporal_compare import dask as module

    def fill(runs):
        for i in range(runs):
            module._remember_bound(f"run-{i}", float(i + 1))
        return dict(module._FOUND_HERE)

    runs = 3 * module._FOUND_HERE_RUNS
    kept = client.submit(fill, runs, pure=False).result()
    # the newest searches are kept, the oldest forgotten
    assert len(kept) == module._FOUND_HERE_RUNS
    assert kept[f"run-{runs - 1}"] == float(runs)
    assert "run-0" not in kept


def test_search_accepts_a_dask_array_and_any_chunk_size(client):
    rng = np.random.default_rng(23)
    q = rng.standard_normal(30)
    t = archive(23, 5000, q, [100, 3000])
    want = local_search(q, t, k=3, window=4)
    for chunk in (256, 1000, 10**6):
        assert tcd.search(q, t, k=3, window=4, client=client, chunk=chunk) == want
    t_da = da.from_array(t, chunks=700)
    assert tcd.search(q, t_da, k=3, window=4, client=client, chunk=512) == want


@pytest.mark.parametrize("seed", [30, 31])
def test_search_collection_equals_merged_local_searches(client, seed):
    rng = np.random.default_rng(seed)
    q = np.cumsum(rng.standard_normal(32))
    rows = [archive(seed + i, int(rng.integers(40, 1500)), q, []) for i in range(5)]
    rows[2] = archive(seed, 900, q, [300, 310])
    for k in (1, 3, 6):
        per_series = [
            (m.distance, s, m.index, m) for s, r in enumerate(rows) for m in local_search(q, r, k=k)
        ]
        want = [
            tcd.SeriesMatch(s, m.index, m.distance, m.mean, m.std)
            for _, s, _, m in sorted(per_series, key=lambda e: e[:3])[:k]
        ]
        assert tcd.search_collection(q, rows, k=k, client=client, chunk=256) == want
    block = np.stack([r[:40] for r in rows])
    want_block = tcd.search_collection(q, list(block), k=2, client=client)
    assert tcd.search_collection(q, da.from_array(block, chunks=2), k=2, client=client) == (
        want_block
    )


@pytest.mark.parametrize("seed", [32, 33])
def test_search_collection_with_a_shrinking_tail_equals_merged_local_searches(client, seed):
    # with two workers the last chunks are cut smaller (ChunkPlan's spread): put
    # occurrences across those borders, within one exclusion zone of each other
    from temporal_compare._chunk_plan import ChunkPlan

    rng = np.random.default_rng(seed)
    q = np.cumsum(rng.standard_normal(40))
    lengths = [600_000, 450_000, 500_000]
    plan = ChunkPlan(lengths, q.shape[0], 2**18, spread=sum(client.nthreads().values()))
    borders: dict[int, list[int]] = {s: [] for s in range(len(lengths))}
    while (span := plan.next()) is not None:
        if span.start:
            borders[span.series].append(span.start)
    assert sum(len(b) for b in borders.values()) >= 4
    assert any(b % 2**18 for bs in borders.values() for b in bs), "no border off the chunk grid"
    rows = [
        archive(seed + s, n, q, [p + d for p in borders[s] for d in (-30, -5)])
        for s, n in enumerate(lengths)
    ]
    for k in (1, 4):
        per_series = [
            (m.distance, s, m.index, m) for s, r in enumerate(rows) for m in local_search(q, r, k=k)
        ]
        want = [
            tcd.SeriesMatch(s, m.index, m.distance, m.mean, m.std)
            for _, s, _, m in sorted(per_series, key=lambda e: e[:3])[:k]
        ]
        assert tcd.search_collection(q, rows, k=k, client=client, chunk=2**18) == want


def _make_slow(seconds):
    """On this worker, make every search task take ``seconds`` longer (and count them)."""
    from temporal_compare import dask as module

    if not hasattr(module, "_unslowed"):
        module._unslowed = module._chunk_search
    # kept on the module: this function is pickled by value, its globals copied
    module._slow_calls = 0

    def slow(*args, **kwargs):
        module._slow_calls += 1
        time.sleep(seconds)
        return module._unslowed(*args, **kwargs)

    module._chunk_search = slow


def _unslow():
    from temporal_compare import dask as module

    module._chunk_search = module.__dict__.pop("_unslowed", module._chunk_search)
    return module.__dict__.pop("_slow_calls", None)


def test_search_chunks_go_to_the_worker_that_is_free(client):
    # one worker takes a second per task, the other milliseconds: chunks sent
    # round-robin would give the slow one every other chunk; sent to the worker
    # whose task just finished, the fast one does nearly all of them
    rng = np.random.default_rng(52)
    q = rng.standard_normal(32)
    t = archive(52, 48 * 256 + 31, q, [1000, 9000])
    want = local_search(q, t, k=2)
    slow = sorted(client.nthreads())[0]
    client.run(_make_slow, 1.0, workers=[slow])
    try:
        got = tcd.search(q, t, k=2, client=client, chunk=256, in_flight=4)
    finally:
        ran_slowly = client.run(_unslow, workers=[slow])[slow]
    assert got == want
    # 48 chunks: the slow worker starts with 2 (Dask's work stealing may take one
    # back) and gets one more per second; round-robin gave it 13 of them
    assert ran_slowly is not None  # the slow wrapper was in place
    assert ran_slowly <= 8, ran_slowly


# ---------------------------------------------------------------- failures and bad input


def same_error(local_call, remote_call):
    with pytest.raises(TemporalCompareError) as local:
        local_call()
    with pytest.raises(TemporalCompareError, match=re.escape(str(local.value))):
        remote_call()


def test_bad_input_raises_the_local_errors(client):
    X = np.zeros((3, 5))
    same_error(
        lambda: local_cdist(X, metric="cosine"),
        lambda: tcd.cdist(X, metric="cosine", client=client),
    )
    same_error(
        lambda: local_cdist(X, np.zeros((2, 6)), metric="euclidean"),
        lambda: tcd.cdist(X, np.zeros((2, 6)), metric="euclidean", client=client),
    )
    ragged = [np.zeros(5), np.zeros(4)]
    same_error(
        lambda: local_cdist(ragged, metric="euclidean"),
        lambda: tcd.cdist(
            da.from_array(np.zeros((2, 5))),
            db.from_sequence(ragged),
            metric="euclidean",
            client=client,
        ),
    )
    bad = np.zeros((9, 5))
    bad[7, 2] = np.nan
    same_error(
        lambda: local_cdist(bad),
        lambda: tcd.cdist(da.from_array(bad, chunks=(2, 5)), client=client, tile=3),
    )
    same_error(lambda: local_cdist(bad), lambda: tcd.cdist(bad, client=client))
    q, t = np.arange(10.0), np.arange(50.0)
    same_error(
        lambda: local_search(q, t, metric="cosine"),
        lambda: tcd.search(q, t, metric="cosine", client=client),
    )
    same_error(lambda: local_search(t, q), lambda: tcd.search(t, q, client=client))
    same_error(
        lambda: local_search(q, t, window=-1), lambda: tcd.search(q, t, window=-1, client=client)
    )
    same_error(lambda: local_search(q, t, k=0), lambda: tcd.search(q, t, k=0, client=client))
    same_error(
        lambda: local_search(q, t, exclusion=-2),
        lambda: tcd.search(q, t, exclusion=-2, client=client),
    )


def test_closed_or_missing_client_is_a_clear_error(client):
    other = Client(client.scheduler.address)
    other.close()
    with pytest.raises(TemporalCompareError, match=r"client must be connected.*'closed'"):
        tcd.cdist(np.zeros((2, 3)), client=other)
    with pytest.raises(TemporalCompareError, match="client must be connected"):
        tcd.search(np.zeros(3), np.zeros(9), client=other)
    with pytest.raises(TemporalCompareError, match=r"client must be a distributed\.Client"):
        tcd.cdist_topk(np.zeros((2, 3)), client="tcp://127.0.0.1:1")


def _kill_a_busy_worker(client, runner):
    """SIGKILL the first worker seen running a task while ``runner`` is alive."""
    pids = client.run(os.getpid)
    victim = None
    deadline = time.monotonic() + 60
    while victim is None and time.monotonic() < deadline and runner.is_alive():
        busy = [addr for addr, keys in client.processing().items() if keys]
        if busy:
            victim = busy[0]
        else:
            time.sleep(0.005)
    assert victim is not None, "no task was ever seen running"
    os.kill(pids[victim], signal.SIGKILL)


def test_a_worker_killed_mid_run_does_not_change_the_result(client):
    rng = np.random.default_rng(50)
    X = rng.standard_normal((120, 200))
    want = local_cdist(X)
    result = {}
    runner = threading.Thread(target=lambda: result.update(got=tcd.cdist(X, client=client, tile=6)))
    runner.start()
    _kill_a_busy_worker(client, runner)
    # the scheduler marks what the dead worker was running as suspicious and reruns it
    retried = 0
    while not retried and runner.is_alive():
        retried = client.run_on_scheduler(
            lambda dask_scheduler: sum(ts.suspicious for ts in dask_scheduler.tasks.values())
        )
        time.sleep(0.01)
    runner.join(timeout=120)
    assert retried, "the killed worker's tasks were never rerun"
    assert not runner.is_alive()
    assert np.array_equal(result["got"], want)
    # the nanny restarts the worker, so later tests see two workers again
    client.wait_for_workers(2, timeout=60)


def test_a_worker_killed_mid_search_does_not_change_the_result(client):
    # the chunks are scattered to the workers: those on the killed one are sent again
    rng = np.random.default_rng(51)
    q = rng.standard_normal(64)
    rows = [archive(51 + i, 200_000, q, [int(rng.integers(0, 199_000))]) for i in range(6)]
    want = sorted(
        (m.distance, s, m.index) for s, r in enumerate(rows) for m in local_search(q, r, k=3)
    )[:3]
    result = {}
    runner = threading.Thread(
        target=lambda: result.update(
            got=tcd.search_collection(q, rows, k=3, client=client, chunk=2**14)
        )
    )
    runner.start()
    _kill_a_busy_worker(client, runner)
    runner.join(timeout=120)
    assert not runner.is_alive()
    assert [(m.distance, m.series, m.index) for m in result["got"]] == want
    client.wait_for_workers(2, timeout=60)
