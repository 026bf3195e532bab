import sys
from pathlib import Path

import pytest
from hypothesis import settings

from temporal_attractor_studio import systems

# Tests import the generators in tas_signals.py (importlib mode does not put this
# directory on sys.path by itself).
sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture(scope="session")
def lorenz_x():
    """Lorenz x, dt=0.01, n=10,000 (the accuracy table's case)."""
    return systems.lorenz(10_000, dt=0.01)[:, 0]


@pytest.fixture(scope="session")
def lorenz_xyz():
    return systems.lorenz(10_000, dt=0.01)


@pytest.fixture(scope="session")
def henon_x():
    return systems.henon(5_000)[:, 0]


@pytest.fixture(scope="session")
def logistic4():
    return systems.logistic(5_000, r=4.0)


# A hypothesis deadline is a timed assertion: on a shared, loaded machine it fails
# correct tests. Examples are bounded by max_examples instead.
settings.register_profile("no-deadline", deadline=None)
settings.load_profile("no-deadline")
