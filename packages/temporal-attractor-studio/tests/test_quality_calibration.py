"""Issue 14: quality >= 0.8 means the exponent is within 25% of the truth (held-out half).

The calibration set is ``tas_calibration``: flows with twin-trajectory references,
maps with known exponents, 0-20% observational noise, n = 2,000-10,000, several
initial conditions, and not-chaotic series (exponent <= 0). The thresholds of the
quality factors were chosen on ``TUNE_*``; these tests run the held-out half, and
the second and third samples of flows (``tas_flows.SECOND_SAMPLE``, ``THIRD_SAMPLE``).
"""

import math

import pytest
import tas_calibration as cal

pytestmark = pytest.mark.slow

SEEDS = (0, 1)


def _check(cases):
    for c in cases:
        assert c.warned == (c.quality < cal.QUALITY), c
    return [c for c in cases if c.violates]


def _describe(misses):
    return [
        f"{c.system} seed={c.seed} n={c.n} noise={c.noise:.0%}: exponent {c.exponent:.4g} "
        f"vs {c.truth:.4g} ({c.error:+.0%}), quality {c.quality:.2f}"
        for c in misses
    ]


@pytest.mark.parametrize("name", cal.HELD_OUT_FLOWS)
def test_held_out_flows(name):
    # Arneodo missed here (+25% to +59% with quality >= 0.95) until the
    # orbit_coverage factor: its fitted regions spanned 0.5-1.0 mean periods.
    misses = _check(cal.flow_cases(name, SEEDS))
    assert not misses, _describe(misses)


@pytest.mark.parametrize("name", cal.SECOND_SAMPLE_FLOWS)
def test_second_sample_flows(name):
    # Finance, WangSun and RayleighBenard missed here (+38% / +37% / -27% with
    # quality 0.83-1.00) until continuous-time series were no longer rated >= 0.8
    # (the map_like factor; test_flows_reference.py has the single-flow findings).
    misses = _check(cal.flow_cases(name, (1, 2), sizes=(5000,), noise_levels=(0.0,)))
    assert not misses, _describe(misses)


@pytest.mark.parametrize("name", cal.THIRD_SAMPLE_FLOWS)
def test_third_sample_flows(name):
    # Set aside untouched until the map_like factor (then on the mean period alone)
    # was fixed; without it the other factors rated 29 of its 816 series >= 0.8 and
    # 8 of those were off by 27-141% (RabinovichFabrikant +27% to +39%, Laser +89% /
    # +141%).
    misses = _check(cal.flow_cases(name, (1, 2), sizes=(5000,), noise_levels=(0.0,)))
    assert not misses, _describe(misses)


@pytest.mark.parametrize("name", cal.HELD_OUT_MAPS)
def test_held_out_maps(name):
    misses = _check(cal.map_cases(name, SEEDS))
    assert not misses, _describe(misses)


@pytest.mark.parametrize("name", sorted(cal.NOT_CHAOTIC))
def test_held_out_not_chaotic_never_confidently_positive(name):
    # Random walks and trends at n=10,000 took ~5 s per call before the neighbour
    # search's work was bounded; they now end in AttractorError within 0.2 s.
    cases = cal.not_chaotic_cases(cal.NOT_CHAOTIC[name], cal.HELD_OUT_SEEDS_NOT_CHAOTIC)
    misses = _check(cases)
    assert not misses, _describe(misses)


def test_clean_maps_keep_a_good_quality():
    # The factors must not make the score useless: noise-free maps at n >= 5,000
    # are measured within 10% and should keep quality >= 0.8.
    for name in cal.HELD_OUT_MAPS:
        for case in cal.map_cases(name, SEEDS, sizes=(5000, 10_000), noise_levels=(0.0,)):
            assert case.quality >= cal.QUALITY, case
            assert abs(case.error) <= 0.1, case


def test_lozi_reference_matches_the_published_value():
    # Lozi (a=1.7, b=0.5): largest exponent 0.47 (Sprott, Chaos and Time-Series
    # Analysis, 2003, appendix A).
    assert cal.lozi_exponent() == pytest.approx(0.470, abs=0.005)
    assert math.isfinite(cal.lozi_exponent())
