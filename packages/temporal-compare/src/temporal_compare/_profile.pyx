"""Matrix profile kernel (MPX: diagonal traversal with mean-centred updates).

Callers validate the series, window length and exclusion zone, and compute the
per-window statistics; directives come from meson.build.

Along a diagonal (row i, column i + lag) the mean-centred covariance of the two
windows changes by ``df[i] * dg[i + lag] + df[i + lag] * dg[i]`` per step
(Zimmerman et al., Matrix Profile XI), so each cell costs a few flops and no
square root. Diagonals are shared among threads; each thread keeps its own best
correlation per window, merged at the end.
"""

from libc.stdlib cimport free, malloc
from libc.stdint cimport int64_t
from cython.parallel cimport parallel, prange, threadid


cdef inline void _visit(Py_ssize_t i, Py_ssize_t j, double c, const double* invnorm,
                        const unsigned char* constant, bint any_constant, double* mine,
                        int64_t* mine_at) noexcept nogil:
    cdef double r = c * invnorm[i] * invnorm[j]
    if any_constant and (constant[i] or constant[j]):
        r = 1.0 if (constant[i] and constant[j]) else 0.5
    if r > mine[i]:
        mine[i] = r
        mine_at[i] = j
    if r > mine[j]:
        mine[j] = r
        mine_at[j] = i


cdef double _start(const double* t, Py_ssize_t m, const double* mean, Py_ssize_t lag) noexcept nogil:
    cdef Py_ssize_t k
    cdef double c = 0.0
    for k in range(m):
        c = c + (t[lag + k] - mean[lag]) * (t[k] - mean[0])
    return c


cdef void _group(const double* t, Py_ssize_t m, Py_ssize_t w, const double* mean,
                 const double* invnorm, const double* df, const double* dg,
                 const unsigned char* constant, bint any_constant, Py_ssize_t lag,
                 Py_ssize_t count, double* mine, int64_t* mine_at) noexcept nogil:
    """Walk ``count`` (1 to 4) neighbouring diagonals together: their covariance
    updates are independent, so the processor overlaps them."""
    cdef double c[4]
    cdef Py_ssize_t q, i, j, common = w - (lag + count - 1)
    for q in range(count):
        c[q] = _start(t, m, mean, lag + q)
    for i in range(common):
        if i > 0:
            for q in range(count):
                j = i + lag + q
                c[q] = c[q] + df[i] * dg[j] + df[j] * dg[i]
        for q in range(count):
            _visit(i, i + lag + q, c[q], invnorm, constant, any_constant, mine, mine_at)
    for q in range(count - 1):
        for i in range(common, w - lag - q):
            j = i + lag + q
            if i > 0:
                c[q] = c[q] + df[i] * dg[j] + df[j] * dg[i]
            _visit(i, j, c[q], invnorm, constant, any_constant, mine, mine_at)


def mpx(const double[::1] t, Py_ssize_t m, const double[::1] mean,
        const double[::1] invnorm, const double[::1] df, const double[::1] dg,
        const unsigned char[::1] constant, Py_ssize_t first_lag,
        double[::1] corr, int64_t[::1] index, int num_threads):
    """Best Pearson correlation of each window with any window at least ``first_lag``
    away, into ``corr`` / ``index`` (initialised by the caller to -inf / -1).

    Constant windows (``constant[i]``) correlate 1 with each other and 0.5 with
    anything else, which gives the distances 0 and ``sqrt(m)``.
    """
    cdef Py_ssize_t w = mean.shape[0], g, groups, lag, count, i, th, tid
    cdef bint any_constant = False
    for i in range(w):
        if constant[i]:
            any_constant = True
            break
    cdef int threads = num_threads if num_threads > 0 else 1
    cdef double* best = <double*> malloc(threads * w * sizeof(double))
    cdef int64_t* where = <int64_t*> malloc(threads * w * sizeof(int64_t))
    if best == NULL or where == NULL:
        free(best)
        free(where)
        raise MemoryError()
    groups = (w - first_lag + 3) // 4 if w > first_lag else 0
    with nogil:
        for i in range(threads * w):
            best[i] = -2.0
            where[i] = -1
        with parallel(num_threads=threads):
            for g in prange(groups, schedule="dynamic", chunksize=4):
                tid = threadid()
                lag = first_lag + 4 * g
                count = w - lag if w - lag < 4 else 4
                _group(&t[0], m, w, &mean[0], &invnorm[0], &df[0], &dg[0], &constant[0],
                       any_constant, lag, count, best + tid * w, where + tid * w)
        for th in range(threads):
            for i in range(w):
                if best[th * w + i] > corr[i]:
                    corr[i] = best[th * w + i]
                    index[i] = where[th * w + i]
    free(best)
    free(where)
