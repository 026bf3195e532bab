"""One scan for Cao's max-norm neighbours in several dimensions (issue 14 speed)."""

import numpy as np
import pytest
import tas_signals
from hypothesis import given, settings
from hypothesis import strategies as st

from temporal_attractor_studio import AttractorError, embed, estimate_dimension, systems
from temporal_attractor_studio import parameters as parameters_module
from temporal_attractor_studio.neighbors import (
    delay_admissible_neighbors,
    find_admissible_neighbors,
)


def _brute_force(x, delay, rows, query, theiler, d):
    """Nearest admissible row (smallest on ties) and its place among all rows by distance.

    Place = 1 + rows that are inadmissible (Theiler window, or distance 0) and strictly
    closer; ``rows + 1`` when no row is admissible. O(rows) per query, plain numpy.
    """
    points = np.asarray(embed(x, d, delay)[:rows])
    steps = np.arange(rows)
    index = np.full(query.size, -1)
    dist = np.full(query.size, np.inf)
    place = np.full(query.size, rows + 1)
    for row, q in enumerate(query):
        dd = np.abs(points - points[q]).max(axis=1)
        bad = (np.abs(steps - q) <= theiler) | (dd == 0)
        masked = np.where(bad, np.inf, dd)
        best = int(np.argmin(masked))  # first minimum: the smallest row on ties
        if np.isfinite(masked[best]):
            index[row], dist[row] = best, masked[best]
            place[row] = 1 + int((bad & (dd < masked[best])).sum())
    return index, dist, place


def _rounds_reference(place, rows, theiler):
    """Queries resolved by the rounds k = 2, 8, 32, ... (budget not reached), and their work.

    A query is still searched in a round when its nearest admissible row's place is
    beyond the previous round's k; it costs k candidates there.
    """
    deepest = min(rows, 8 * (2 * theiler + 1) + 64)
    k, previous, work = 2, 0, 0
    while True:
        kk = min(k, rows)
        work += kk * int((place > previous).sum())
        if kk >= deepest:
            return place <= kk, work
        previous, k = kk, 4 * k


@settings(max_examples=80, deadline=None)
@given(
    n=st.integers(12, 160),
    delay=st.integers(1, 4),
    d_lo=st.integers(1, 5),
    n_dims=st.integers(1, 5),
    theiler=st.integers(0, 10),
    levels=st.integers(2, 40),
    seed=st.integers(0, 2**32 - 1),
)
def test_scan_equals_brute_force_with_ties_and_duplicates(
    n, delay, d_lo, n_dims, theiler, levels, seed
):
    # Coarsely quantised series: exact duplicates, zero distances and equal distances.
    x = np.random.default_rng(seed).integers(0, levels, n).astype(np.float64)
    top = d_lo + n_dims - 1
    rows = n - top * delay
    if rows < 2:
        return
    query = np.unique(np.random.default_rng(seed + 1).integers(0, rows, min(rows, 30)))
    dims = range(d_lo, top + 1)
    found = delay_admissible_neighbors(x, delay, rows, query, theiler, dims)
    assert len(found) == n_dims
    for d, search in zip(dims, found, strict=True):
        index, dist, place = _brute_force(x, delay, rows, query, theiler, d)
        resolved, work = _rounds_reference(place, rows, theiler)
        assert search.abandoned == 0
        assert search.candidates == work  # the places (ranks) replay the same rounds
        np.testing.assert_array_equal(search.index, np.where(resolved, index, -1))
        np.testing.assert_array_equal(search.distance, np.where(resolved, dist, np.inf))


def _continuous_cases():
    lorenz = systems.lorenz(6000, dt=0.01)[:, 0]
    henon = systems.henon(6000)[:, 0]
    white, _ = tas_signals.white_noise(6000, 1)
    ar2, _ = tas_signals.ar2_oscillating(6000, 2)
    walk = np.cumsum(np.random.default_rng(3).standard_normal(6000))
    return [
        ("lorenz", lorenz, 16, 55),
        ("henon", henon, 1, 4),
        ("white", white, 1, 1),
        ("ar2", ar2, 4, 15),
        ("random walk", walk, 60, 600),  # drifting: the work bound abandons queries
    ]


@pytest.mark.parametrize(("name", "x", "delay", "theiler"), _continuous_cases())
def test_scan_repeats_the_kd_tree_search_exactly(name, x, delay, theiler):
    # Same neighbours, distances, work, budget and abandoned queries as one
    # KD-tree search per dimension (what Cao's estimate used before).
    rows = x.size - 11 * delay
    query = np.linspace(0, rows - 1, 1500).astype(np.intp)
    dims = range(4, 12)
    found = delay_admissible_neighbors(x, delay, rows, query, theiler, dims)
    for d, search in zip(dims, found, strict=True):
        points = np.ascontiguousarray(embed(x, d, delay)[:rows])
        tree = find_admissible_neighbors(points, query, theiler, chebyshev=True)
        np.testing.assert_array_equal(search.index, tree.index)
        np.testing.assert_array_equal(search.distance, tree.distance)
        assert (search.candidates, search.budget, search.abandoned) == (
            tree.candidates,
            tree.budget,
            tree.abandoned,
        )
    if name == "random walk":
        assert found[-1].abandoned > 0  # the bound's replay was exercised


@pytest.mark.parametrize(
    "make",
    [
        lambda: (tas_signals.ar2_oscillating(8000, 0)[0], 4),
        lambda: (tas_signals.ar2_oscillating(5000, 3)[0], 3),
        lambda: (tas_signals.white_noise(8000, 0)[0], 1),
        lambda: (systems.lorenz(8000, dt=0.01)[:, 0], 16),
        lambda: (np.cumsum(np.random.default_rng(5).standard_normal(5000)), 40),
    ],
)
def test_estimate_dimension_is_the_same_with_and_without_the_scan(make, monkeypatch):
    x, delay = make()
    with_scan = estimate_dimension(x, delay, theiler=15)
    monkeypatch.setattr(parameters_module, "_SCAN_WHEN_CANDIDATES", np.inf)
    kd_trees_only = estimate_dimension(x, delay, theiler=15)
    monkeypatch.setattr(parameters_module, "_SCAN_WHEN_CANDIDATES", 0.0)
    scan_from_6 = estimate_dimension(x, delay, theiler=15)
    assert with_scan == kd_trees_only == scan_from_6


def test_bad_arguments_name_the_problem():
    x = np.random.default_rng(0).standard_normal(100)
    query = np.arange(10)
    with pytest.raises(AttractorError, match="dims"):
        delay_admissible_neighbors(x, 1, 50, query, 2, range(0, 3))
    with pytest.raises(AttractorError, match="do not fit"):
        delay_admissible_neighbors(x, 10, 95, query, 2, range(1, 4))
    with pytest.raises(AttractorError, match="query"):
        delay_admissible_neighbors(x, 1, 50, np.arange(60), 2, range(1, 4))
    with pytest.raises(AttractorError, match="NaN"):
        delay_admissible_neighbors(
            np.where(np.arange(100) == 7, np.nan, x), 1, 50, query, 2, range(1, 4)
        )


def _ar2(n, seed):
    e = np.random.default_rng(seed).standard_normal(n)
    x = np.zeros(n)
    for i in range(2, n):
        x[i] = 1.6 * x[i - 1] - 0.8 * x[i - 2] + e[i]
    return x


@pytest.mark.parametrize(
    ("name", "x", "delay", "theiler", "scanned"),
    [
        # AR(2) oscillation: the KD-trees need second rounds from dimension ~6 on.
        ("ar2", _ar2(10_000, 0), 4, 15, True),
        ("lorenz", systems.lorenz(10_000, dt=0.01)[:, 0], 16, 55, False),  # stops at 3
        # Drifting: the KD-tree searches reach their work bound; no scan.
        (
            "random walk",
            np.cumsum(np.random.default_rng(0).standard_normal(10_000)),
            136,
            1000,
            False,
        ),
    ],
)
def test_cao_scans_only_where_the_kd_trees_need_second_rounds(
    name, x, delay, theiler, scanned, monkeypatch
):
    calls = []

    def spy(*args):
        calls.append(args[-1])
        return delay_admissible_neighbors(*args)

    monkeypatch.setattr(parameters_module, "delay_admissible_neighbors", spy)
    dim = estimate_dimension(x, delay, max_dim=10, theiler=theiler)
    assert bool(calls) == scanned
    if scanned:
        assert calls[0].start >= 6 and calls[0].stop == 12 and dim >= calls[0].start - 1


@pytest.mark.parametrize(
    ("name", "x", "dim", "delay", "theiler"),
    [
        ("ar2", _ar2(6000, 1), 9, 4, 15),  # about half the points need round 2
        ("henon", systems.henon(6000)[:, 0], 2, 1, 4),
        ("random walk", np.cumsum(np.random.default_rng(2).standard_normal(6000)), 6, 60, 600),
    ],
)
def test_round_two_asks_for_4_then_8_with_the_same_outcome(
    name, x, dim, delay, theiler, monkeypatch
):
    # Issue 14 speed: round 2 (k = 8) first asks the KD-tree for the 4 nearest points
    # when round 1 resolved at least half the queries; neighbours, work and abandoned
    # queries must be those of asking for 8 at once.
    from temporal_attractor_studio import neighbors as neighbors_module

    points = np.ascontiguousarray(embed(x, dim, delay))
    query = np.arange(points.shape[0] - 200)
    split = find_admissible_neighbors(points, query, theiler)
    monkeypatch.setattr(neighbors_module, "_SECOND_K", -1)  # never split
    whole = find_admissible_neighbors(points, query, theiler)
    np.testing.assert_array_equal(split.index, whole.index)
    np.testing.assert_array_equal(split.distance, whole.distance)
    assert (split.candidates, split.abandoned) == (whole.candidates, whole.abandoned)
    sample = query[:: query.size // 30]
    for q, j in zip(sample, split.index[sample], strict=True):
        d = np.sqrt(((points[: query.size + 200] - points[q]) ** 2).sum(axis=1))
        d[(np.abs(np.arange(d.size) - q) <= theiler) | (d == 0)] = np.inf
        if j >= 0:
            assert d[j] == d.min()
