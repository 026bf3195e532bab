"""Lock-step kernels (point i of one series against point i of the other).

Callers validate shapes, dtype and finiteness; directives come from meson.build.
"""


def sqeuclidean(const double[::1] x, const double[::1] y) -> float:
    """Sum of squared differences of two equal-length float64 vectors.

    Four running sums break the addition chain so the loop runs at the speed of
    the multiplications (the compiler may not reorder floating-point sums itself).
    """
    cdef Py_ssize_t i, n = x.shape[0], body = n - n % 4
    cdef double a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0, d0, d1, d2, d3
    with nogil:
        for i in range(0, body, 4):
            d0 = x[i] - y[i]
            d1 = x[i + 1] - y[i + 1]
            d2 = x[i + 2] - y[i + 2]
            d3 = x[i + 3] - y[i + 3]
            a0 += d0 * d0
            a1 += d1 * d1
            a2 += d2 * d2
            a3 += d3 * d3
        for i in range(body, n):
            d0 = x[i] - y[i]
            a0 += d0 * d0
    return (a0 + a1) + (a2 + a3)
