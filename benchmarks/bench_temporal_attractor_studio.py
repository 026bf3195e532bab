"""temporal_attractor_studio embedding and neighbour search."""

import numpy as np

import temporal_attractor_studio as tas


class Neighbors:
    params = [500, 2000]
    param_names = ["n"]

    def setup(self, n):
        t = np.linspace(0, 40 * np.pi, n + 20)
        self.points = np.ascontiguousarray(tas.embed(np.sin(t), dim=3, delay=10))

    def time_nearest_neighbors(self, n):
        tas.nearest_neighbors(self.points, theiler=10)
