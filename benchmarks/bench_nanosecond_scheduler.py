"""nanosecond_scheduler ready queue."""

import numpy as np

from nanosecond_scheduler import KeyHeap


class SteadyHeap:
    """Push + pop pairs on a heap that holds 1,000 entries."""

    def setup(self):
        self.keys = np.random.default_rng(0).integers(0, 10**9, 10_000).tolist()
        self.heap = KeyHeap()
        for i, k in enumerate(self.keys[:1000]):
            self.heap.push(k, i)

    def time_push_pop_10k(self):
        heap = self.heap
        for i, k in enumerate(self.keys):
            heap.push(k, i)
            heap.pop()
