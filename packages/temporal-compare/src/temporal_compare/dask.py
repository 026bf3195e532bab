"""Scale-out on a Dask cluster: tiled distance matrices, nearest neighbours, archive search.

Needs the ``dask`` extra (``pip install "temporal-compare[dask]"``); nothing else in
the package imports this module, so single-machine use never loads Dask.

Every function here computes the same numbers as its single-machine namesake:
each task on a worker calls the public single-machine function on a tile of the
pair matrix or a chunk of an archive (its Cython kernel releases the GIL), and
the client only merges small results. Inputs of ``cdist`` travel inside the task
graph, so when a worker dies Dask recomputes what it held on another worker;
in-memory search chunks are scattered to the worker whose last task just
finished (outside the graph) and sent again if that worker dies. Either way the
result is unchanged.

Examples
--------
>>> from distributed import Client, LocalCluster  # doctest: +SKIP
>>> client = Client(LocalCluster(n_workers=2, threads_per_worker=1))  # doctest: +SKIP
>>> from temporal_compare import dask as tcd  # doctest: +SKIP
>>> D = tcd.cdist(X, metric="dtw", window=25, client=client)  # doctest: +SKIP
>>> best = tcd.search(query, archive, k=5, client=client)  # doctest: +SKIP
"""

from __future__ import annotations

import bisect
import contextlib
import math
import time
import uuid
from collections.abc import Iterator, Sequence
from concurrent.futures import CancelledError
from dataclasses import dataclass
from typing import Any, Literal

import dask
import dask.array as da
import dask.bag as db
import numpy as np
from distributed import Client, Variable, as_completed, get_client
from numpy.typing import NDArray

from ._chunk_plan import STATS_BLOCK, ChunkPlan
from ._records import record_dict
from ._validation import as_count, as_series
from .errors import TemporalCompareError
from .pairwise import CDIST_METRICS
from .pairwise import cdist as local_cdist
from .search import Match
from .search import search as local_search

__all__ = ["SeriesMatch", "cdist", "cdist_topk", "search", "search_collection"]

#: Rows (and columns) of X and Y per tile of the pair matrix.
DEFAULT_TILE = 256
#: Windows per chunk of a long series.
DEFAULT_CHUNK = 2**20
#: Widening of the broadcast threshold so rounding never prunes a window tied with it.
_BOUND_SLACK = 1e-9
#: Windows searched for a first bound by a task that starts with none: a prefix
#: this long gives a bound nearly as tight as the whole chunk at a fraction of the cost.
_PREPASS_WINDOWS = 2**17
#: Chunks sent again after their worker died, per search, before giving up.
_RESENDS = 200


@dataclass(frozen=True)
class SeriesMatch:
    """One occurrence found by :func:`search_collection`: ``series`` is its position
    in the collection, the other fields are those of :class:`temporal_compare.Match`."""

    series: int
    index: int
    distance: float
    mean: float
    std: float

    def to_dict(self) -> dict[str, Any]:
        return record_dict(self)


# ---------------------------------------------------------------- client and inputs


def _client(client: Any) -> Client:
    if client is None:
        try:
            client = get_client()
        except ValueError as exc:
            raise TemporalCompareError(
                "client is required: pass a distributed.Client (none is running)"
            ) from exc
    if not isinstance(client, Client):
        raise TemporalCompareError(f"client must be a distributed.Client, got {client!r}")
    if client.status != "running":
        raise TemporalCompareError(
            f"client must be connected to a cluster, its status is {client.status!r}"
        )
    return client


@dataclass(frozen=True)
class _Block:
    """``count`` consecutive series starting at ``offset``; ``data`` is a graph node."""

    offset: int
    count: int
    data: Any


def _blocks(values: Any, name: str, tile: int, client: Client) -> list[_Block]:
    """Split a collection of series into graph nodes of at most ``tile`` series."""
    if isinstance(values, da.Array):
        if values.ndim != 2:
            raise TemporalCompareError(
                f"{name} must be a 2-D array (one series per row) or a list of series, "
                f"got shape {values.shape}"
            )
        if any(math.isnan(c) for c in values.chunks[0]):
            raise TemporalCompareError(
                f"{name} has unknown chunk sizes; call compute_chunk_sizes()"
            )
        rows = values.rechunk({0: tile, 1: -1}).to_delayed()[:, 0]
        starts = np.concatenate(([0], np.cumsum(values.rechunk({0: tile}).chunks[0])))
        return [
            _Block(int(starts[i]), int(starts[i + 1] - starts[i]), rows[i])
            for i in range(len(rows))
        ]
    if isinstance(values, db.Bag):
        # counting needs one pass over the bag before the tiles (which read it again)
        parts = values.to_delayed()
        counts = client.compute([dask.delayed(len)(p) for p in parts], sync=True)
        out, offset = [], 0
        for part, count in zip(parts, counts, strict=True):
            out.append(_Block(offset, int(count), part))
            offset += int(count)
        return out
    items = values if isinstance(values, np.ndarray) and values.ndim == 2 else list(values)
    return [
        _Block(a, min(tile, len(items) - a), dask.delayed(items[a : a + tile], traverse=False))
        for a in range(0, len(items), tile)
    ]


def _validate_local(X: Any, Y: Any, metric: str, window: int | None) -> None:
    """Raise the single-machine errors for in-memory inputs (cheap: no pairs computed)."""
    if not isinstance(X, (da.Array, db.Bag)):
        local_cdist(X, [], metric=metric, window=window, n_jobs=1)
    if Y is not None and not isinstance(Y, (da.Array, db.Bag)):
        local_cdist([], Y, metric=metric, window=window, n_jobs=1)
    if metric == "euclidean" and Y is not None:
        heads = [s for s in (_first(X), _first(Y)) if s is not None]
        local_cdist(heads[:1], heads[1:], metric=metric, n_jobs=1)


def _block_lengths(block: Any, offset: int, name: str) -> set[int]:
    """Check one block of numeric series, naming a bad one by its place in the whole."""
    return {as_series(s, f"{name}[{offset + i}]").shape[0] for i, s in enumerate(block)}


def _validate_remote(
    X: Any, rows: list[_Block], Y: Any, cols: list[_Block], metric: str, client: Client
) -> None:
    """Check series held by dask collections on the workers, with the local messages."""
    if metric not in ("dtw", "euclidean"):
        return
    checks = [
        dask.delayed(_block_lengths, pure=True)(b.data, b.offset, name)
        for values, blocks, name in ((X, rows, "X"), (Y, cols, "Y"))
        if isinstance(values, (da.Array, db.Bag))
        for b in blocks
    ]
    if not checks:
        return
    lengths = set().union(*client.compute(checks, sync=True))
    if metric == "euclidean":
        for values in (X, Y):
            if values is not None and not isinstance(values, (da.Array, db.Bag)):
                lengths |= {len(s) for s in values}
        if len(lengths) > 1:
            raise TemporalCompareError(
                f"metric 'euclidean' needs series of one length, got lengths {sorted(lengths)}"
            )


def _first(values: Any) -> Any:
    if isinstance(values, (da.Array, db.Bag)) or len(values) == 0:
        return None
    return values[0]


def _tile_size(tile: Any) -> int:
    return as_count(tile, "tile", minimum=1)


# ---------------------------------------------------------------- cdist


def _tile(xa: Any, xb: Any, metric: str, window: int | None, diagonal: bool) -> NDArray[Any]:
    xa = xa if isinstance(xa, np.ndarray) else list(xa)
    if diagonal:
        return local_cdist(xa, metric=metric, window=window, n_jobs=1)
    xb = xb if isinstance(xb, np.ndarray) else list(xb)
    return local_cdist(xa, xb, metric=metric, window=window, n_jobs=1)


def _tile_graph(
    X: Any, Y: Any, metric: str, window: int | None, tile: Any, client: Client
) -> tuple[list[_Block], list[_Block], dict[tuple[int, int], Any]]:
    """The tiles to compute: all of them, or for ``Y=None`` the upper triangle only."""
    if metric not in CDIST_METRICS:
        raise TemporalCompareError(f"metric must be one of {list(CDIST_METRICS)}, got {metric!r}")
    size = _tile_size(tile)
    _validate_local(X, Y, metric, window)
    rows = _blocks(X, "X", size, client)
    cols = rows if Y is None else _blocks(Y, "Y", size, client)
    _validate_remote(X, rows, Y, cols, metric, client)
    tiles = {}
    for a, ra in enumerate(rows):
        for b, cb in enumerate(cols):
            if Y is None and b < a:
                continue
            diagonal = Y is None and a == b
            tiles[a, b] = dask.delayed(_tile, pure=True)(ra.data, cb.data, metric, window, diagonal)
    return rows, cols, tiles


def cdist(
    X: Any,
    Y: Any = None,
    *,
    metric: str = "dtw",
    window: int | None = None,
    client: Client | None = None,
    tile: int = DEFAULT_TILE,
    output: Literal["numpy", "dask"] = "numpy",
) -> Any:
    """:func:`temporal_compare.cdist` computed tile by tile on a Dask cluster.

    Parameters
    ----------
    X, Y : 2-D array, sequence of sequences, dask.array or dask.bag
        As for :func:`temporal_compare.cdist`; a ``dask.array`` holds one series
        per row, a ``dask.bag`` one series per item. With ``Y=None`` only the
        tiles on and above the diagonal are computed.
    metric, window
        As for :func:`temporal_compare.cdist`.
    client : distributed.Client, optional
        The cluster to use; default the current client (:func:`distributed.get_client`).
    tile : int
        Series of X (and of Y) per tile: each task computes ``tile * tile``
        pairs with one worker thread.
    output : {"numpy", "dask"}
        ``"numpy"`` gathers the matrix on the client; ``"dask"`` returns a lazy
        ``dask.array`` of tiles for matrices that do not fit in its memory
        (compute or store it with the client, e.g. ``client.compute(D)``).

    Returns
    -------
    ndarray or dask.array of shape (len(X), len(Y))
        Equal, element for element, to :func:`temporal_compare.cdist`.
    """
    c = _client(client)
    if output not in ("numpy", "dask"):
        raise TemporalCompareError(f"output must be 'numpy' or 'dask', got {output!r}")
    rows, cols, tiles = _tile_graph(X, Y, metric, window, tile, c)
    nx = sum(r.count for r in rows)
    ny = sum(b.count for b in cols)
    if output == "dask":
        grid = []
        for a, ra in enumerate(rows):
            line = []
            for b, cb in enumerate(cols):
                if (a, b) in tiles:
                    line.append(da.from_delayed(tiles[a, b], (ra.count, cb.count), np.float64))
                else:
                    upper = tiles[b, a]
                    line.append(da.from_delayed(upper, (cb.count, ra.count), np.float64).T)
            grid.append(line)
        if not grid or not grid[0]:
            return da.zeros((nx, ny))
        return da.block(grid)
    out = np.zeros((nx, ny))
    keys = list(tiles)
    futures = c.compute([tiles[key] for key in keys])
    where = {f.key: key for f, key in zip(futures, keys, strict=True)}
    for future, value in as_completed(futures, with_results=True):
        a, b = where[future.key]
        ra, cb = rows[a], cols[b]
        out[ra.offset : ra.offset + ra.count, cb.offset : cb.offset + cb.count] = value
        if Y is None and a != b:
            out[cb.offset : cb.offset + cb.count, ra.offset : ra.offset + ra.count] = value.T
    return out


def _row_topk(
    values: NDArray[np.float64], columns: NDArray[np.int64], k: int, largest: bool
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Each row's ``k`` best entries, ties by column number."""
    keys = -values if largest else values
    order = np.lexsort((columns, keys), axis=-1)[:, :k]
    return np.take_along_axis(values, order, 1), np.take_along_axis(columns, order, 1)


def _tile_topk(
    matrix: NDArray[np.float64],
    offset_a: int,
    offset_b: int,
    k: int,
    largest: bool,
    diagonal: bool,
    both: bool,
) -> tuple[Any, Any]:
    """Best ``k`` per row of a tile and, for an upper tile of ``Y=None``, per column."""
    rows, cols = matrix.shape
    grid = np.broadcast_to(np.arange(offset_b, offset_b + cols, dtype=np.int64), matrix.shape)
    if diagonal:
        # a series is not its own neighbour: drop the diagonal, one entry per row
        keep = ~np.eye(rows, dtype=bool)
        matrix = matrix[keep].reshape(rows, cols - 1)
        grid = grid[keep].reshape(rows, cols - 1)
    by_row = _row_topk(matrix, np.ascontiguousarray(grid), k, largest)
    if not both:
        return by_row, None
    grid_t = np.broadcast_to(np.arange(offset_a, offset_a + rows, dtype=np.int64), (cols, rows))
    return by_row, _row_topk(
        np.ascontiguousarray(matrix.T), np.ascontiguousarray(grid_t), k, largest
    )


def _merge_topk(
    parts: list[tuple[NDArray[np.float64], NDArray[np.int64]]], k: int, largest: bool
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    values = np.concatenate([p[0] for p in parts], axis=1)
    columns = np.concatenate([p[1] for p in parts], axis=1)
    return _row_topk(values, columns, k, largest)


def cdist_topk(
    X: Any,
    Y: Any = None,
    *,
    k: int = 1,
    metric: str = "dtw",
    window: int | None = None,
    client: Client | None = None,
    tile: int = DEFAULT_TILE,
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Each series of X's ``k`` nearest series of Y, without building the matrix.

    Workers compute tiles of :func:`cdist`, keep each row's ``k`` best entries
    and send only those; the client merges one small array per tile.

    Parameters
    ----------
    X, Y, metric, window, client, tile
        As for :func:`cdist`. With ``Y=None`` neighbours come from X itself,
        each series excluded from its own list, and each tile is computed once
        for both its rows and its columns.
    k : int
        Neighbours per series (at most ``len(Y)``, or ``len(X) - 1``).

    Returns
    -------
    distances : ndarray of shape (len(X), k)
        Best first: smallest distances, or largest similarities for
        ``"lcs_similarity"``; ties by lower column number.
    indices : ndarray of shape (len(X), k)
        Columns of those entries in the matrix of :func:`temporal_compare.cdist`.
    """
    c = _client(client)
    count = as_count(k, "k", minimum=1)
    rows, cols, tiles = _tile_graph(X, Y, metric, window, tile, c)
    nx = sum(r.count for r in rows)
    candidates = sum(b.count for b in cols) - (1 if Y is None else 0)
    if nx and count > candidates:
        raise TemporalCompareError(f"k must be at most {candidates} here, got {count}")
    largest = metric == "lcs_similarity"
    parts: dict[int, list[Any]] = {a: [] for a in range(len(rows))}
    for (a, b), matrix in tiles.items():
        ra, cb = rows[a], cols[b]
        pair = dask.delayed(_tile_topk, pure=True, nout=2)(
            matrix, ra.offset, cb.offset, count, largest, Y is None and a == b, Y is None and a != b
        )
        parts[a].append(pair[0])
        if Y is None and a != b:
            parts[b].append(pair[1])
    merged = [dask.delayed(_merge_topk, pure=True)(parts[a], count, largest) for a in parts]
    distances = np.zeros((nx, count))
    indices = np.zeros((nx, count), dtype=np.int64)
    futures = c.compute(merged)
    where = {f.key: a for a, f in enumerate(futures)}
    for future, (values, columns) in as_completed(futures, with_results=True):
        ra = rows[where[future.key]]
        distances[ra.offset : ra.offset + ra.count] = values
        indices[ra.offset : ra.offset + ra.count] = columns
    return distances, indices


# ---------------------------------------------------------------- search


@dataclass(frozen=True)
class _Chunk:
    series: int
    start: int  # first window of the chunk
    data: Any  # samples start .. start + windows + m - 1: an ndarray or a dask.array


def _latest_bound(name: str | None, bound: float) -> float:
    """The smallest of ``bound``, the latest bound published as ``name`` and the
    best one a finished task of the same search left on this worker.

    A task reads it when it starts, not when it was submitted, so the tasks queued
    behind running ones prune with what those found. Reading it is an optimisation
    only: any failure keeps the bound the task was submitted with.
    """
    if name is None:
        return bound
    bound = min(bound, _FOUND_HERE.get(name, math.inf))
    try:
        latest = Variable(name, client=get_client()).get(timeout=1)
    except Exception:  # a missing or unreachable variable only costs pruning
        return bound
    return min(bound, float(latest))


#: Bounds found by finished tasks in this worker process, by search: the next task
#: of that search queued here starts with it at once, before the client has seen the
#: result and lowered the shared ``Variable`` (which only the client writes).
_FOUND_HERE: dict[str, float] = {}
#: Searches remembered in :data:`_FOUND_HERE`; the oldest is forgotten first.
_FOUND_HERE_RUNS = 64


def _remember_bound(name: str | None, bound: float) -> None:
    """Keep ``bound`` for the next tasks of search ``name`` on this worker, if it is lower.

    Two threads racing here may lose an update: every value kept is a valid
    bound, so a lost one only costs pruning.
    """
    if name is None or math.isinf(bound):
        return
    if bound < _FOUND_HERE.get(name, math.inf):
        _FOUND_HERE[name] = bound
    while len(_FOUND_HERE) > _FOUND_HERE_RUNS:
        with contextlib.suppress(KeyError, StopIteration, RuntimeError):
            del _FOUND_HERE[next(iter(_FOUND_HERE))]


def _chunk_search(
    q: NDArray[np.float64],
    piece: Any,
    start: int,
    count: int,
    separation: int,
    window: int | None,
    znorm: bool,
    metric: str,
    bound: float,
    bound_name: str | None = None,
) -> list[tuple[float, int, float, float]]:
    """The best windows of one chunk below ``bound``, any distance apart: enough of
    them to hold every window ranked before the k-th final match (see :func:`_run`)."""
    piece = np.asarray(piece, dtype=np.float64)
    m = q.shape[0]
    windows = piece.shape[0] - m + 1
    wanted = (count - 1) * (2 * separation - 1) + 1
    bound = _latest_bound(bound_name, bound)
    if wanted > 1 and math.isinf(bound):
        # No bound yet (the first tasks): without one, keeping ``wanted`` windows
        # prunes little. k matches spaced two zones apart in a prefix of the chunk
        # are cheap to find with the usual pruning and bound the final k-th distance.
        prefix = piece[: _PREPASS_WINDOWS + m - 1]
        spaced = local_search(
            q, prefix, k=min(count, prefix.shape[0] - m + 1), window=window, znorm=znorm,
            exclusion=2 * separation, metric=metric,
        )  # fmt: skip
        if len(spaced) == count:
            bound = spaced[-1].distance * (1.0 + _BOUND_SLACK) + _BOUND_SLACK
    found = local_search(
        q, piece, k=min(wanted, windows), window=window, znorm=znorm, exclusion=0,
        metric=metric, max_distance=None if math.isinf(bound) else bound,
    )  # fmt: skip
    # this chunk's own k matches spaced two zones apart bound the final k-th distance:
    # kept here, the next task queued on this worker starts with it
    own = _greedy(((m.distance, 0, m.index) for m in found), count, 2 * separation)
    if len(own) == count:
        _remember_bound(bound_name, own[-1][0] * (1.0 + _BOUND_SLACK) + _BOUND_SLACK)
    return [(m.distance, m.index + start, m.mean, m.std) for m in found]


def _greedy(candidates: Iterator[tuple[float, int, int]], k: int, separation: int) -> list[Any]:
    """Best first, skipping windows closer than ``separation`` to one taken in the same series."""
    picked: list[tuple[float, int, int]] = []
    taken: dict[int, list[int]] = {}
    for d, s, i in candidates:
        row = taken.setdefault(s, [])
        at = bisect.bisect_left(row, i)
        if at < len(row) and row[at] - i < separation:
            continue
        if at > 0 and i - row[at - 1] < separation:
            continue
        row.insert(at, i)
        picked.append((d, s, i))
        if len(picked) == k:
            break
    return picked


class _Archive:
    """Candidates gathered from finished chunks and the pruning bound they imply."""

    def __init__(self, k: int, separation: int) -> None:
        self.k = k
        self.separation = separation
        self.found: dict[tuple[int, int], tuple[float, float, float]] = {}

    def add(self, series: int, rows: list[tuple[float, int, float, float]]) -> None:
        for d, i, mean, std in rows:
            self.found[series, i] = (d, mean, std)

    def ordered(self) -> list[tuple[float, int, int]]:
        return sorted((d, s, i) for (s, i), (d, _, _) in self.found.items())

    def bound(self) -> float:
        """An upper bound on the k-th distance of the final answer.

        Any k windows pairwise ``2 * separation`` apart (or in different series)
        with distances at most D force k picks at distance at most D: each one
        is picked or blocked by a pick at most as far that blocks no other.
        """
        picks = _greedy(iter(self.ordered()), self.k, 2 * self.separation)
        if len(picks) < self.k:
            return math.inf
        return picks[-1][0] * (1.0 + _BOUND_SLACK) + _BOUND_SLACK

    def best(self) -> list[SeriesMatch]:
        picked = _greedy(iter(self.ordered()), self.k, self.separation)
        return [
            SeriesMatch(s, i, d, self.found[s, i][1], self.found[s, i][2]) for d, s, i in picked
        ]


def _check_search(
    q: NDArray[np.float64], n: int, k: Any, window: Any, znorm: bool, exclusion: Any, metric: str
) -> tuple[int, int]:
    """Raise what the single-machine search raises; return ``(k, separation)``."""
    count = as_count(k, "k", minimum=1)
    m = q.shape[0]
    if m == 0:
        raise TemporalCompareError("query must not be empty")
    if m > n:
        raise TemporalCompareError(f"query (length {m}) is longer than series (length {n})")
    # the query against itself checks metric, window and exclusion with the same messages
    local_search(q, q, window=window, znorm=znorm, exclusion=exclusion, metric=metric)
    excl = math.ceil(m / 2) if exclusion is None else as_count(exclusion, "exclusion")
    return count, max(excl, 1)


def _run(
    q: NDArray[np.float64],
    rows: Sequence[Any],
    chunk: int,
    count: int,
    separation: int,
    window: int | None,
    znorm: bool,
    metric: str,
    client: Client,
    in_flight: int | None,
) -> _Archive:
    """Search every chunk of ``rows``, each new task carrying the best-so-far bound.

    Each chunk returns its ``(k - 1)(2s - 1) + 1`` best windows (``s`` the
    separation) with no exclusion zone: each of the ``k - 1`` picks ranked before
    the k-th hides at most ``2(s - 1)`` windows, so that many hold every window
    ranked up to the k-th pick, and the client's greedy pick over them is exact.
    """
    archive = _Archive(count, separation)
    nthreads = client.nthreads()
    threads = max(sum(nthreads.values()), 1)
    limit = as_count(2 * threads if in_flight is None else in_flight, "in_flight", minimum=1)
    m = q.shape[0]
    # one thread has no tail to balance
    plan = ChunkPlan([r.shape[0] for r in rows], m, chunk, spread=threads if threads > 1 else None)
    # in-memory chunks go to the worker whose task just finished (each worker keeps
    # its share of the tasks in flight, however fast it runs); the first ones
    # spread over the workers by threads
    seats: list[str | None] = [w for w, n in sorted(nthreads.items()) for _ in range(n)]
    q_node = dask.delayed(q, traverse=False)
    running = as_completed()
    which: dict[str, tuple[_Chunk, str | None]] = {}
    # queued tasks read the latest bound from the scheduler when they start
    latest = Variable(f"temporal-compare-bound-{uuid.uuid4().hex}", client=client)
    latest.set(math.inf)
    published = math.inf

    lost = 0

    def resend(error: BaseException) -> None:
        # a worker holding scattered samples died: Dask cannot recompute data it
        # never had, so they are sent again, a bounded number of times
        nonlocal lost
        lost += 1
        if lost > _RESENDS or client.status != "running":
            raise error
        time.sleep(0.05)  # let the scheduler notice the dead worker before choosing again

    def scatter(samples: NDArray[np.float64], seat: str | None) -> tuple[Any, str | None]:
        if seat is not None:
            try:
                return client.scatter(samples, workers=[seat], hash=False), seat
            except Exception:  # that worker is gone: let the scheduler choose
                pass
        while True:
            try:
                return client.scatter(samples, hash=False), None
            except OSError as exc:  # the chosen worker died during the transfer
                resend(exc)

    def submit(part: _Chunk, seat: str | None) -> None:
        args = (part.start, count, separation, window, znorm, metric, archive.bound(), latest.name)
        if isinstance(part.data, da.Array):
            task = dask.delayed(_chunk_search, pure=True)(q_node, part.data, *args)
            future = client.compute(task)
        else:
            # to a worker, outside the graph; held only while its task is in flight
            data, seat = scatter(part.data, seat)
            future = client.submit(_chunk_search, q, data, *args, pure=False)
        which[future.key] = (part, seat)
        running.add(future)

    def next_chunk() -> _Chunk | None:
        span = plan.next()
        if span is None:
            return None
        samples = rows[span.series][span.start : span.start + span.windows + m - 1]
        return _Chunk(span.series, span.start, samples)

    try:
        for n in range(limit):
            part = next_chunk()
            if part is None:
                break
            submit(part, seats[n % len(seats)] if seats else None)
        for future in running:
            part, seat = which.pop(future.key)
            try:
                found = future.result()
            except CancelledError as exc:
                resend(exc)
                submit(part, None)
                continue
            archive.add(part.series, found)
            bound = archive.bound()
            if bound < published:
                # only this client writes it, and only lower; through this run's own
                # client (get_client() may be another one)
                with contextlib.suppress(Exception):  # a failed update only costs pruning
                    latest.set(bound)
                published = bound
            nxt = next_chunk()
            if nxt is not None:
                submit(nxt, seat)
    finally:
        latest.delete()
    return archive


def _chunk_length(chunk: Any) -> int:
    size = as_count(chunk, "chunk", minimum=1)
    return max(STATS_BLOCK, size - size % STATS_BLOCK)


def search(
    query: Any,
    series: Any,
    *,
    k: int = 1,
    window: int | None = None,
    znorm: bool = True,
    exclusion: int | None = None,
    metric: str = "dtw",
    client: Client | None = None,
    chunk: int = DEFAULT_CHUNK,
    in_flight: int | None = None,
) -> list[Match]:
    """:func:`temporal_compare.search` over one long series split into chunks.

    Chunks of ``chunk`` windows (``chunk + m - 1`` samples, so consecutive
    chunks overlap by ``m - 1``) are searched on the workers by the
    single-machine search; every task starts with the best distance found so far
    so its kernel prunes as if it had seen the earlier chunks; the client picks the
    final matches, exclusion zones included, across chunk borders.

    Parameters
    ----------
    query, k, window, znorm, exclusion, metric
        As for :func:`temporal_compare.search`.
    series : 1-D array_like or 1-D dask.array
    client : distributed.Client, optional
        Default the current client.
    chunk : int
        Windows per task at most, rounded down to a multiple of 256 (at least
        256). With more than one worker thread the last tasks get smaller
        chunks (a share of what is left, down to 2**17 windows) so the workers
        finish together.
    in_flight : int, optional
        Tasks running or queued at once; default twice the cluster's threads.
        A queued task reads the latest bound when it starts, so more in flight
        keep the workers busier at no cost in pruning (but hold more chunks).

    Returns
    -------
    list of Match
        Equal to :func:`temporal_compare.search` on the whole series (equal
        distances may come in a different order).
    """
    c = _client(client)
    q = as_series(query, "query")
    t = series if isinstance(series, da.Array) else as_series(series, "series")
    if t.ndim != 1:
        raise TemporalCompareError(f"series must be 1-D, got shape {t.shape}")
    count, separation = _check_search(q, t.shape[0], k, window, znorm, exclusion, metric)
    archive = _run(
        q, [t], _chunk_length(chunk), count, separation, window, znorm, metric, c, in_flight
    )
    return [Match(s.index, s.distance, s.mean, s.std) for s in archive.best()]


def search_collection(
    query: Any,
    collection: Any,
    *,
    k: int = 1,
    window: int | None = None,
    znorm: bool = True,
    exclusion: int | None = None,
    metric: str = "dtw",
    client: Client | None = None,
    chunk: int = DEFAULT_CHUNK,
    in_flight: int | None = None,
) -> list[SeriesMatch]:
    """The ``k`` best matches of ``query`` over many series.

    The same as searching every series with :func:`temporal_compare.search`
    and keeping the ``k`` best of all the matches (exclusion zones apply
    within a series); each series is split into chunks as in :func:`search`
    and the best-so-far bound is shared by all of them.

    Parameters
    ----------
    collection : 2-D array, sequence of 1-D series, or 2-D dask.array
        One series per row; each at least as long as the query.
    query, k, window, znorm, exclusion, metric, client, chunk, in_flight
        As for :func:`search`.

    Returns
    -------
    list of SeriesMatch
        Best first; equal distances by series, then index.
    """
    c = _client(client)
    q = as_series(query, "query")
    if isinstance(collection, da.Array):
        if collection.ndim != 2:
            raise TemporalCompareError(
                f"collection must be 2-D (one series per row), got shape {collection.shape}"
            )
        rows: Sequence[Any] = [collection[i] for i in range(collection.shape[0])]
    elif isinstance(collection, (str, bytes)) or not isinstance(collection, (Sequence, np.ndarray)):
        raise TemporalCompareError("collection must be a sequence of series")
    else:
        rows = [as_series(s, f"collection[{i}]") for i, s in enumerate(collection)]
    if not rows:
        raise TemporalCompareError("collection must hold at least one series")
    shortest = min(r.shape[0] for r in rows)
    count, separation = _check_search(q, shortest, k, window, znorm, exclusion, metric)
    size = _chunk_length(chunk)
    archive = _run(q, rows, size, count, separation, window, znorm, metric, c, in_flight)
    return archive.best()
