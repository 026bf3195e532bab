"""Issue 14: quality >= 0.8 means the exponent is within 25% of the truth (held-out half).

The calibration set is ``tas_calibration``: flows with twin-trajectory references,
maps with known exponents, 0-20% observational noise, n = 2,000-10,000, several
initial conditions, and not-chaotic series (exponent <= 0). The thresholds of the
quality factors were chosen on ``TUNE_*``; these tests run the held-out half only.
"""

import math

import pytest
import tas_calibration as cal

pytestmark = pytest.mark.slow

SEEDS = (0, 1)

#: Held-out cases where quality >= 0.8 still comes with an error above 25%; none of
#: the quality factors (fit, consistency, jackknife precision, small-scale dimension,
#: e-folds per period) exposes them. Each entry says which cases it covers; any
#: other miss fails, and so does an entry that no longer misses.
KNOWN_MISSES = {
    "Arneodo": (
        lambda c: c.noise <= 0.05,
        "overestimated by 25-60% with quality >= 0.95 from every initial condition "
        "(reference 0.202); the estimate barely moves with dimension, delay, Theiler "
        "window, curve length or method (Kantz agrees), so no signal of the data exposes it; "
        "the reference is right (variational equations: 0.195-0.211, "
        "test_flows_reference.py), dysts' 0.237 is not",
    ),
}


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
    misses = _check(cal.flow_cases(name, SEEDS))
    covered, reason = KNOWN_MISSES.get(name, (lambda c: False, ""))
    unexpected = [c for c in misses if not covered(c)]
    assert not unexpected, _describe(unexpected)
    if name in KNOWN_MISSES:
        assert misses, f"{name} no longer misses: remove it from KNOWN_MISSES"
        pytest.xfail(f"{reason}: " + "; ".join(_describe(misses)))


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
