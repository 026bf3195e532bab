import sys
from pathlib import Path

from hypothesis import settings

# Tests import the reference implementations in tc_reference.py (importlib mode
# does not put this directory on sys.path by itself).
sys.path.insert(0, str(Path(__file__).resolve().parent))


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "fuzz: guided fuzzing of the compiled kernels (brief by default, still runs in CI; "
        "TC_FUZZ_EXAMPLES=n for longer runs)",
    )


# A hypothesis deadline is a timed assertion: on a shared, loaded machine it fails
# correct tests. Examples are bounded by max_examples instead.
settings.register_profile("no-deadline", deadline=None)
settings.load_profile("no-deadline")
