"""temporal_compare kernels (asv). Peer comparisons live in benchmarks/peers/."""

import numpy as np

import temporal_compare as tc


def _walk(n, seed):
    return np.cumsum(np.random.default_rng(seed).standard_normal(n))


class Lockstep:
    params = [100, 10_000]
    param_names = ["n"]

    def setup(self, n):
        rng = np.random.default_rng(0)
        self.x, self.y = rng.standard_normal(n), rng.standard_normal(n)

    def time_euclidean(self, n):
        tc.euclidean(self.x, self.y)


class DTW:
    params = [[100, 1000], [None, 10]]
    param_names = ["n", "window"]

    def setup(self, n, window):
        self.x, self.y = _walk(n, 1), _walk(n, 2)

    def time_dtw(self, n, window):
        tc.dtw(self.x, self.y, window=window)

    def time_dtw_path(self, n, window):
        tc.dtw_path(self.x, self.y, window=window)


class Pairwise:
    def setup(self):
        self.X = np.cumsum(np.random.default_rng(3).standard_normal((50, 128)), axis=1)

    def time_cdist_dtw(self):
        tc.cdist(self.X, n_jobs=1)


class Search:
    def setup(self):
        self.series = _walk(100_000, 4)
        self.query = self.series[50_000:50_128].copy()

    def time_search_top1(self):
        tc.search(self.query, self.series, k=1, window=12)

    def time_search_top10(self):
        tc.search(self.query, self.series, k=10, window=12)


class Tokens:
    def setup(self):
        rng = np.random.default_rng(5)
        self.a = rng.integers(0, 64, 1000).tolist()
        self.b = rng.integers(0, 64, 1000).tolist()

    def time_lcs_length(self):
        tc.lcs_length(self.a, self.b)

    def time_levenshtein(self):
        tc.levenshtein(self.a, self.b)

    def time_find_patterns(self):
        tc.find_patterns(self.a * 5, 3, 6)


class Profile:
    def setup(self):
        self.series = _walk(5_000, 6)

    def time_matrix_profile(self):
        tc.matrix_profile(self.series, 64, n_jobs=1)


class Stream:
    def setup(self):
        self.pattern = np.sin(np.linspace(0, 2 * np.pi, 64))
        self.values = np.random.default_rng(7).standard_normal(50_000)

    def time_stream_extend(self):
        tc.StreamMatcher(self.pattern, threshold=1.0).extend(self.values)
