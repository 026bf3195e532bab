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
    double[:, ::1] out_sum,
    Py_ssize_t[:, ::1] out_count,
):
    """Accumulate ln|y[first+k] - y[second+k]| over pairs for k = 0..max_k, per block.

    The pairs are cut into ``B = out_sum.shape[0]`` consecutive blocks of (nearly)
    equal size; ``out_sum[b, k]`` holds block ``b``'s sum and ``out_count[b, k]`` its
    number of terms, so a caller can leave one block out (jackknife). Zero
    distances are skipped (their log is undefined). O(pairs * max_k * d) time,
    O(B * max_k) extra memory.

    Each pair walks its two trajectories forward (consecutive rows, cache
    friendly). The sum of logs is kept as the log of a product whose mantissa and
    binary exponent are stored apart (frexp), so it cannot overflow and one log
    per step is taken at the end instead of one per pair; squared distances avoid
    the sqrt.
    """
    cdef Py_ssize_t p, k, a, b, blk
    cdef Py_ssize_t n_blocks = out_sum.shape[0]
    cdef Py_ssize_t n_pairs = first.shape[0]
    cdef double sq
    cdef int e
    cdef double[:, ::1] mantissa = np.ones((n_blocks, max_k + 1))
    cdef double[:, ::1] tiny = np.zeros((n_blocks, max_k + 1))
    cdef Py_ssize_t[:, ::1] exponent = np.zeros((n_blocks, max_k + 1), dtype=np.intp)
    with nogil:
        for blk in range(n_blocks):
            for k in range(max_k + 1):
                out_count[blk, k] = 0
        for p in range(n_pairs):
            a = first[p]
            b = second[p]
            blk = p * n_blocks // n_pairs
            for k in range(max_k + 1):
                sq = _sq_dist(y, a + k, b + k)
                if sq > 1e-290:
                    mantissa[blk, k] = frexp(mantissa[blk, k] * sq, &e)
                    exponent[blk, k] += e
                    out_count[blk, k] += 1
                elif sq > 0.0:  # too small to multiply safely
                    tiny[blk, k] += log(sq)
                    out_count[blk, k] += 1
        for blk in range(n_blocks):
            for k in range(max_k + 1):
                out_sum[blk, k] = 0.5 * (
                    log(mantissa[blk, k]) + exponent[blk, k] * 0.6931471805599453 + tiny[blk, k]
                )


def kantz_curve(
    const double[:, ::1] y,
    const Py_ssize_t[::1] reference,
    const Py_ssize_t[::1] indptr,
    const Py_ssize_t[::1] neighbors,
    Py_ssize_t max_k,
    double[:, ::1] out_sum,
    Py_ssize_t[:, ::1] out_count,
):
    """Accumulate ln(mean_j |y[r+k] - y[j+k]|) over references r for k = 0..max_k, per block.

    Reference ``reference[q]`` has neighbours ``neighbors[indptr[q]:indptr[q+1]]``
    (at least one each). References are cut into ``out_sum.shape[0]`` consecutive
    blocks as in :func:`rosenstein_curve`. A zero mean distance is skipped.
    """
    cdef Py_ssize_t q, k, r, s, m, blk
    cdef Py_ssize_t n_blocks = out_sum.shape[0]
    cdef Py_ssize_t n_refs = reference.shape[0]
    cdef double acc
    with nogil:
        for blk in range(n_blocks):
            for k in range(max_k + 1):
                out_sum[blk, k] = 0.0
                out_count[blk, k] = 0
        for q in range(n_refs):
            r = reference[q]
            m = indptr[q + 1] - indptr[q]
            blk = q * n_blocks // n_refs
            for k in range(max_k + 1):
                acc = 0.0
                for s in range(indptr[q], indptr[q + 1]):
                    acc += _dist(y, r + k, neighbors[s] + k)
                if acc > 0.0:
                    out_sum[blk, k] += log(acc / m)
                    out_count[blk, k] += 1
