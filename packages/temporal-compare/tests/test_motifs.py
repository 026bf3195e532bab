import math

import numpy as np
import pytest
import tc_reference as ref
from hypothesis import given, settings
from hypothesis import strategies as st

from temporal_compare import TemporalCompareError, discords, matrix_profile, motifs


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(3, 24), st.integers(30, 120), st.sampled_from([1, 2]))
def test_matches_brute_force(seed, m, n, jobs):
    rng = np.random.default_rng(seed)
    t = np.cumsum(rng.standard_normal(n))
    if seed % 3 == 0:
        t[10:40] = 2.0  # constant stretch
    d = ref.profile_distances(t, m)
    mp = matrix_profile(t, m, n_jobs=jobs)
    expected = d.min(axis=1)
    assert np.allclose(mp.profile, expected, atol=1e-6)
    found = mp.index >= 0
    assert (found == np.isfinite(expected)).all()
    rows = np.nonzero(found)[0]
    # the reported neighbour really is at the profile distance
    assert np.allclose(d[rows, mp.index[rows]], expected[rows], atol=1e-6)


def test_motifs_and_discords_find_planted_structure():
    rng = np.random.default_rng(1)
    x = rng.standard_normal(2000)
    shape = np.sin(np.linspace(0, 4 * np.pi, 50)) * 3
    for start in (100, 900, 1500):
        x[start : start + 50] = shape + rng.standard_normal(50) * 0.01
    top = motifs(x, 50, 2)
    assert {top[0].index, top[0].neighbor} <= {100, 900, 1500}
    assert top[0].distance < 0.2
    zone = math.ceil(50 / 2)
    members = [p for mot in top for p in (mot.index, mot.neighbor)]
    assert all(abs(a - b) > zone for i, a in enumerate(members) for b in members[i + 1 :] if a != b)

    s = np.sin(np.linspace(0, 60 * np.pi, 3000))
    s[2000:2010] += 1.5
    found = discords(s, 60, 2)
    assert 1950 <= found[0].index <= 2010
    assert abs(found[1].index - found[0].index) > 30
    assert found[0].distance >= found[1].distance


def test_results_are_small_frozen_records():
    mp = matrix_profile(np.arange(20.0) % 7, 4)
    assert "MatrixProfile(m=4" in repr(mp)
    assert set(mp.to_dict()) == {"m", "k", "exclusion", "profile", "index"}
    mot = motifs(np.arange(40.0) % 7, 4)[0]
    assert mot.to_dict()["distance"] == pytest.approx(0.0, abs=1e-6)
    with pytest.raises(AttributeError):
        mot.index = 3  # type: ignore[misc]


def test_no_neighbour_outside_the_exclusion_zone():
    mp = matrix_profile([1.0, 2.0, 3.0, 1.0], 3)
    assert np.isinf(mp.profile).all() and (mp.index == -1).all()
    assert discords([1.0, 2.0, 3.0, 1.0], 3) == []


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: matrix_profile([1.0, 2.0], 3), r"m \(3\) is longer than series"),
        (lambda: matrix_profile([1.0, 2.0], 1), "m must be >= 2"),
        (lambda: matrix_profile([[1.0, 2.0]], 2), "series must be 1-D"),
        (lambda: motifs(np.arange(10.0), 3, 0), "k must be >= 1"),
        (lambda: discords(np.arange(10.0), 3, 1, exclusion=-1), "exclusion must be >= 0"),
        (lambda: matrix_profile(np.arange(10.0), 3, n_jobs=0), "n_jobs must be a positive count"),
    ],
)
def test_bad_input(call, message):
    with pytest.raises(TemporalCompareError, match=message):
        call()
