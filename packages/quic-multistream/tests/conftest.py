"""Fixtures for quic-multistream tests."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from qm_testutil import Pki, make_pki


@pytest.fixture(scope="session")
def pki() -> Pki:
    return make_pki()
