"""temporal_attractor_studio: Lyapunov exponent, correlation dimension, classify, streaming."""

import warnings

import numpy as np

import temporal_attractor_studio as tas
from temporal_attractor_studio import systems


class LyapunovMax:
    params = [2000, 10_000]
    param_names = ["n"]

    def setup(self, n):
        self.x = systems.lorenz(n, dt=0.01)[:, 0]

    def time_lyapunov_max_rosenstein(self, n):
        tas.lyapunov_max(self.x, dt=0.01)

    def peakmem_lyapunov_max_rosenstein(self, n):
        tas.lyapunov_max(self.x, dt=0.01)


class CorrelationDimension:
    params = [2000, 10_000]
    param_names = ["n"]

    def setup(self, n):
        self.x = systems.lorenz(n, dt=0.01)[:, 0]

    def time_correlation_dimension(self, n):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tas.correlation_dimension(self.x)


class Classify:
    params = ["lorenz", "noise"]
    param_names = ["series"]

    def setup(self, series):
        if series == "lorenz":
            self.x, self.dt = systems.lorenz(10_000, dt=0.01)[:, 0], 0.01
        else:
            self.x, self.dt = np.random.default_rng(0).standard_normal(10_000), 1.0

    def time_classify(self, series):
        tas.classify(self.x, dt=self.dt)


class Neighbors:
    params = [500, 2000, 10_000]
    param_names = ["n"]

    def setup(self, n):
        t = np.linspace(0, 40 * np.pi, n + 20)
        self.points = np.ascontiguousarray(tas.embed(np.sin(t), dim=3, delay=10))

    def time_nearest_neighbors(self, n):
        tas.nearest_neighbors(self.points, theiler=10)


class Stream:
    def setup(self):
        self.points = [tuple(p) for p in systems.lorenz(10_000).tolist()]
        self.analyzer = tas.AttractorAnalyzer(dim=3, max_points=5000)

    def time_add_point_10k(self):
        add = self.analyzer.add_point
        for p in self.points:
            add(p)
