"""Divergence-curve kernels for the largest Lyapunov exponent.

Callers pass a validated C-contiguous (n, d) float64 trajectory and index arrays
whose every ``index + max_k`` is a valid row; directives come from meson.build.
"""

import numpy as np

from libc.math cimport frexp, log, sqrt


cdef inline double _sq_dist(const double[:, ::1] y, Py_ssize_t a, Py_ssize_t b) noexcept nogil:
    cdef Py_ssize_t k
    cdef double acc = 0.0, diff
    for k in range(y.shape[1]):
        diff = y[a, k] - y[b, k]
        acc += diff * diff
    return acc


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
    terms in out_sum[k]. O(pairs * max_k * d) time, O(max_k) extra memory.

    Each pair walks its two trajectories forward (consecutive rows, cache
    friendly). The sum of logs is kept as the log of a product whose mantissa and
    binary exponent are stored apart (frexp), so it cannot overflow and one log
    per step is taken at the end instead of one per pair; squared distances avoid
    the sqrt.
    """
    cdef Py_ssize_t p, k, a, b
    cdef double sq
    cdef int e
    cdef double[::1] mantissa = np.ones(max_k + 1)
    cdef double[::1] tiny = np.zeros(max_k + 1)
    cdef Py_ssize_t[::1] exponent = np.zeros(max_k + 1, dtype=np.intp)
    with nogil:
        for k in range(max_k + 1):
            out_count[k] = 0
        for p in range(first.shape[0]):
            a = first[p]
            b = second[p]
            for k in range(max_k + 1):
                sq = _sq_dist(y, a + k, b + k)
                if sq > 1e-290:
                    mantissa[k] = frexp(mantissa[k] * sq, &e)
                    exponent[k] += e
                    out_count[k] += 1
                elif sq > 0.0:  # too small to multiply safely
                    tiny[k] += log(sq)
                    out_count[k] += 1
        for k in range(max_k + 1):
            out_sum[k] = 0.5 * (log(mantissa[k]) + exponent[k] * 0.6931471805599453 + tiny[k])


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
