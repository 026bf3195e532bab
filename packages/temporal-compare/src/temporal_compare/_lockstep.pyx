"""Lock-step kernels (point i of one series against point i of the other).

Callers validate shapes, dtype and finiteness; directives come from meson.build.
"""


def sqeuclidean(const double[::1] x, const double[::1] y) -> float:
    """Sum of squared differences of two equal-length float64 vectors."""
    cdef Py_ssize_t i, n = x.shape[0]
    cdef double acc = 0.0, diff
    with nogil:
        for i in range(n):
            diff = x[i] - y[i]
            acc += diff * diff
    return acc
