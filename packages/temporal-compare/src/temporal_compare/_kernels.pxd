# Inline building blocks shared by the compiled kernels (_dtw, _search, _edit,
# _profile, _softdtw): one definition of each, so a fix lands everywhere.
# Everything here is `noexcept nogil` and trusts its caller's bounds.

from libc.math cimport INFINITY, fabs, sqrt

cdef extern from *:
    """
    #ifdef _OPENMP
    #define TC_HAVE_OPENMP 1
    #else
    #define TC_HAVE_OPENMP 0
    #endif
    """
    # 1 when the kernels were compiled with OpenMP (prange runs in parallel)
    int TC_HAVE_OPENMP


cdef inline double min2(double a, double b) noexcept nogil:
    return a if a < b else b


cdef inline double sq(double a, double b) noexcept nogil:
    return (a - b) * (a - b)


cdef inline double local_cost(const double* x, const double* y, Py_ssize_t d,
                              int metric) noexcept nogil:
    """Cost of matching sample ``x`` with sample ``y`` (``d`` values each).

    metric 0: squared differences; 1: absolute differences; 2: Euclidean norm
    of the difference vector (equals 1 for one dimension).
    """
    cdef Py_ssize_t k
    cdef double acc = 0.0, diff
    if metric == 0:
        for k in range(d):
            diff = x[k] - y[k]
            acc += diff * diff
    elif metric == 1:
        for k in range(d):
            acc += fabs(x[k] - y[k])
    else:
        for k in range(d):
            diff = x[k] - y[k]
            acc += diff * diff
        acc = sqrt(acc)
    return acc


cdef inline double band_row_sq(const double* prev, double* cur, double a_i,
                               const double* b, Py_ssize_t lo, Py_ssize_t hi) noexcept nogil:
    """One row of univariate symmetric1 DTW with squared costs, columns ``lo..hi``.

    ``prev`` and ``cur`` are rows of the accumulated-cost matrix shifted by one
    (entry ``j + 1`` is column ``j``; entry 0 is the virtual column -1), so a
    cell reads its diagonal ``prev[j]``, upper ``prev[j + 1]`` and left
    ``cur[j]`` neighbours. Cells outside the band must already hold INFINITY.
    Returns the row's minimum (for early abandoning).
    """
    cdef Py_ssize_t j
    cdef double best, up, left, v, rowmin = INFINITY
    for j in range(lo, hi + 1):
        best = prev[j]
        up = prev[j + 1]
        left = cur[j]
        if up < best:
            best = up
        if left < best:
            best = left
        v = best + (a_i - b[j]) * (a_i - b[j])
        cur[j + 1] = v
        if v < rowmin:
            rowmin = v
    return rowmin
