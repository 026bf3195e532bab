"""Nearest-neighbour kernels for embedded trajectories.

Callers pass a validated C-contiguous (n, d) float64 array and output buffers of
length n; directives come from meson.build.
"""

from libc.math cimport INFINITY


def nearest_neighbors_brute(
    const double[:, ::1] points,
    Py_ssize_t theiler,
    Py_ssize_t[::1] out_index,
    double[::1] out_dist,
):
    """For each point, the closest other point (Euclidean) at least theiler+1 steps away.

    Points with no admissible neighbour get index -1 and distance inf.
    O(n^2 d) time, O(1) extra memory.
    """
    cdef Py_ssize_t n = points.shape[0], d = points.shape[1]
    cdef Py_ssize_t i, j, k, best
    cdef double acc, diff, best_dist
    with nogil:
        for i in range(n):
            best = -1
            best_dist = INFINITY
            for j in range(n):
                if j - i <= theiler and i - j <= theiler:
                    continue
                acc = 0.0
                for k in range(d):
                    diff = points[i, k] - points[j, k]
                    acc += diff * diff
                if acc < best_dist:
                    best_dist = acc
                    best = j
            out_index[i] = best
            out_dist[i] = best_dist ** 0.5 if best >= 0 else INFINITY
