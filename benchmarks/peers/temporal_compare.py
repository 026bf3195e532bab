"""Lock-step distance against NumPy: the harness's own smoke workload."""

import numpy as np
from harness import Workload

import temporal_compare as tc


def _pair():
    rng = np.random.default_rng(0)
    return rng.standard_normal(10_000), rng.standard_normal(10_000)


WORKLOADS = [
    Workload(
        name="euclidean n=10k",
        setup=_pair,
        ours=tc.euclidean,
        peers={"numpy.linalg.norm": lambda x, y: float(np.linalg.norm(x - y))},
        number=200,
        check=lambda a, b: abs(a - b) <= 1e-9 * max(1.0, abs(b)),
    )
]
