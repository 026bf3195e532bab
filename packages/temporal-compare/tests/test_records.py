"""``to_dict`` of every result record, against literal dicts written out by hand.

Types are compared as well as values (``1 == 1.0 == np.int64(1)``), so a change of
container or scalar type shows up.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from temporal_compare.comparator import CacheStats
from temporal_compare.motifs import Discord, Motif
from temporal_compare.patterns import Pattern
from temporal_compare.profile import MatrixProfile
from temporal_compare.search import Match
from temporal_compare.stream import StreamMatch


def assert_same(got: Any, want: Any) -> None:
    assert type(got) is type(want), (got, want)
    if isinstance(want, dict):
        assert list(got) == list(want)
        for k in want:
            assert_same(got[k], want[k])
    elif isinstance(want, list | tuple):
        assert len(got) == len(want)
        for g, w in zip(got, want, strict=True):
            assert_same(g, w)
    else:
        assert got == want


def test_pattern() -> None:
    p = Pattern(tokens=("a", 2), count=3, positions=(0, 4, 9), confidence=0.5)
    assert_same(
        p.to_dict(),
        {"tokens": ["a", 2], "count": 3, "positions": [0, 4, 9], "confidence": 0.5},
    )


def test_motif_and_discord() -> None:
    assert_same(Motif(3, 17, 0.25).to_dict(), {"index": 3, "neighbor": 17, "distance": 0.25})
    assert_same(Discord(8, 4.5).to_dict(), {"index": 8, "distance": 4.5})


def test_match_and_stream_match() -> None:
    assert_same(
        Match(5, 0.125, -1.0, 2.0).to_dict(),
        {"index": 5, "distance": 0.125, "mean": -1.0, "std": 2.0},
    )
    assert_same(StreamMatch(10, 19, 3.0).to_dict(), {"start": 10, "end": 19, "distance": 3.0})


def test_cache_stats() -> None:
    assert_same(
        CacheStats(hits=3, misses=1, size=2, capacity=8, hit_rate=0.75).to_dict(),
        {"hits": 3, "misses": 1, "size": 2, "capacity": 8, "hit_rate": 0.75},
    )


def test_matrix_profile_key_order() -> None:
    mp = MatrixProfile(
        profile=np.array([[0.5, np.inf], [1.5, 2.0]]),
        index=np.array([[3, -1], [0, 4]], dtype=np.int64),
        m=4,
        exclusion=1,
        k=2,
    )
    assert_same(
        mp.to_dict(),
        {
            "m": 4,
            "k": 2,
            "exclusion": 1,
            "profile": [[0.5, float("inf")], [1.5, 2.0]],
            "index": [[3, -1], [0, 4]],
        },
    )


def test_series_match() -> None:
    pytest.importorskip("distributed")
    from temporal_compare.dask import SeriesMatch

    assert_same(
        SeriesMatch(2, 5, 0.125, -1.0, 2.0).to_dict(),
        {"series": 2, "index": 5, "distance": 0.125, "mean": -1.0, "std": 2.0},
    )
