"""temporal_compare kernels."""

import numpy as np

import temporal_compare as tc


class Lockstep:
    params = [100, 10_000]
    param_names = ["n"]

    def setup(self, n):
        rng = np.random.default_rng(0)
        self.x, self.y = rng.standard_normal(n), rng.standard_normal(n)

    def time_euclidean(self, n):
        tc.euclidean(self.x, self.y)
