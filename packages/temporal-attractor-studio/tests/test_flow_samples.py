"""The samples of dysts flows in ``tas_flows``: complete, and each one integrates.

Fast checks of what the slow reference and calibration tests rely on: every flow of
``SECOND_SAMPLE`` and ``THIRD_SAMPLE`` has a stored reference that is clearly
positive, its vector field works on one state and on a stack of states alike, and
its trajectories from two initial conditions stay finite and keep moving. No
estimator of the package runs here (``THIRD_SAMPLE`` must stay untouched by them).
"""

import numpy as np
import pytest
import tas_flows

SAMPLES = {
    "second": (tas_flows.SECOND_SAMPLE, tas_flows.SECOND_SAMPLE_REFERENCE),
    "third": (tas_flows.THIRD_SAMPLE, tas_flows.THIRD_SAMPLE_REFERENCE),
}
CASES = [(sample, name) for sample, (flows, _) in SAMPLES.items() for name in flows]


@pytest.mark.parametrize("sample", list(SAMPLES))
def test_every_flow_of_a_sample_has_a_stored_reference(sample):
    flows, references = SAMPLES[sample]
    assert set(references) == set(flows)


def test_the_samples_share_no_flow():
    first, second, third = tas_flows.FLOWS, tas_flows.SECOND_SAMPLE, tas_flows.THIRD_SAMPLE
    assert not set(first) & set(second)
    assert not set(first) & set(third)
    assert not set(second) & set(third)


@pytest.mark.parametrize(("sample", "name"), CASES)
def test_sample_flow_has_a_clearly_positive_reference_and_finite_trajectories(sample, name):
    flows, references = SAMPLES[sample]
    entry = tas_flows.dysts_data()[name]
    # The keep rule of the samples: lambda1 above 0.005 e-folds per mean period.
    assert references[name] * entry["period"] > 0.005

    states = np.asarray(entry["initial_conditions"], dtype=float) * np.array(
        [[1.0, 1.0, 1.0], [1.01, 0.99, 1.02], [0.98, 1.01, 0.99]]
    )
    stacked = np.stack(flows[name](states, entry["parameters"]), axis=-1)
    one_by_one = [np.array(flows[name](s, entry["parameters"]), dtype=float) for s in states]
    np.testing.assert_array_equal(stacked, one_by_one)

    out, dt = tas_flows.trajectories(name, 250, [0, 1], transient_periods=2)
    assert dt == entry["period"] / 50
    assert np.isfinite(out).all()
    assert (np.ptp(out, axis=1) > 0).all()
