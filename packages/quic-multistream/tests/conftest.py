"""Fixtures for quic-multistream tests."""

import sys
from pathlib import Path

import pytest
from hypothesis import settings

sys.path.insert(0, str(Path(__file__).parent))

from qm_testutil import HAVE_QH3, Pki, make_pki


@pytest.fixture(scope="session")
def pki() -> Pki:
    return make_pki()


@pytest.fixture(params=["aioquic", "qh3"])
def backend(request) -> str:
    """The QUIC implementation under test; qh3 runs only where it is installed."""
    if request.param == "qh3" and not HAVE_QH3:
        pytest.skip("qh3 is not installed (pip install 'quic-multistream[fast]')")
    return request.param


# A hypothesis deadline is a timed assertion: on a shared, loaded machine it fails
# correct tests. Examples are bounded by max_examples instead.
settings.register_profile("no-deadline", deadline=None)
settings.load_profile("no-deadline")
