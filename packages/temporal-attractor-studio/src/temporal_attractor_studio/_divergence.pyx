"""Divergence-curve kernels for the largest Lyapunov exponent.

Callers pass a validated C-contiguous (n, d) float64 trajectory and index arrays
whose every ``index + max_k`` is a valid row; directives come from meson.build.
"""

from cython.parallel cimport prange
from libc.math cimport log, sqrt


cdef inline double _dist(const double[:, ::1] y, Py_ssize_t a, Py_ssize_t b) noexcept nogil:
    cdef Py_ssize_t k
    cdef double acc = 0.0, diff
    for k in range(y.shape[1]):
        diff = y[a, k] - y[b, k]
        acc += diff * diff
    return sqrt(acc)


def rosenstein_curve(
    const double[:, ::1] y,
    const Py_ssize_t[::1] first,
    const Py_ssize_t[::1] second,
    Py_ssize_t max_k,
    double[::1] out_sum,
    Py_ssize_t[::1] out_count,
):
    """Accumulate ln|y[first+k] - y[second+k]| over pairs for k = 0..max_k.

    Zero distances are skipped (their log is undefined); out_count[k] counts the
    terms in out_sum[k]. O(pairs * max_k * d) time, no extra memory.
    """
    cdef Py_ssize_t p, k
    with nogil:
        # Steps are independent, so threads split them and never share an output.
        for k in prange(max_k + 1, schedule="static"):
            _pairs_at_step(y, first, second, k, &out_sum[k], &out_count[k])


cdef void _pairs_at_step(
    const double[:, ::1] y,
    const Py_ssize_t[::1] first,
    const Py_ssize_t[::1] second,
    Py_ssize_t k,
    double* out_sum,
    Py_ssize_t* out_count,
) noexcept nogil:
    cdef Py_ssize_t p
    cdef double dist, acc = 0.0
    cdef Py_ssize_t count = 0
    for p in range(first.shape[0]):
        dist = _dist(y, first[p] + k, second[p] + k)
        if dist > 0.0:
            acc += log(dist)
            count += 1
    out_sum[0] = acc
    out_count[0] = count


def kantz_curve(
    const double[:, ::1] y,
    const Py_ssize_t[::1] reference,
    const Py_ssize_t[::1] indptr,
    const Py_ssize_t[::1] neighbors,
    Py_ssize_t max_k,
    double[::1] out_sum,
    Py_ssize_t[::1] out_count,
):
    """Accumulate ln(mean_j |y[r+k] - y[j+k]|) over references r for k = 0..max_k.

    Reference ``reference[q]`` has neighbours ``neighbors[indptr[q]:indptr[q+1]]``
    (at least one each). A zero mean distance is skipped.
    """
    cdef Py_ssize_t q, k, r, s, m
    cdef double acc
    with nogil:
        for k in range(max_k + 1):
            out_sum[k] = 0.0
            out_count[k] = 0
        for q in range(reference.shape[0]):
            r = reference[q]
            m = indptr[q + 1] - indptr[q]
            for k in range(max_k + 1):
                acc = 0.0
                for s in range(indptr[q], indptr[q + 1]):
                    acc += _dist(y, r + k, neighbors[s] + k)
                if acc > 0.0:
                    out_sum[k] += log(acc / m)
                    out_count[k] += 1
