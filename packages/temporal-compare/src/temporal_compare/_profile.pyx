"""Matrix profile kernels (MPX: diagonal traversal with mean-centred updates).

Callers validate the series, window length and exclusion zone, and compute the
per-window statistics; directives come from meson.build.

Along a diagonal (row i, column j = i + lag) the mean-centred covariance of the
two windows changes by ``df_a[i] * dg_b[j] + df_b[j] * dg_a[i]`` per step
(Zimmerman et al., Matrix Profile XI), so each cell costs a few flops and no
square root. Diagonals are shared among threads; each thread keeps its own ``k``
best correlations per window (sorted, best first), merged at the end into the
caller's arrays, so a caller can process diagonals in chunks (for progress).

Window flags: 0 ordinary, 1 constant (correlates 1 with constant windows and
0.5 with anything else, giving the distances 0 and ``sqrt(m)``, stumpy's
convention), 2 excluded (it holds NaN or infinity: never anyone's neighbour).
"""

from libc.stdlib cimport free, malloc
from libc.stdint cimport int64_t
from cython.parallel cimport parallel, prange, threadid


cdef inline void _offer(double r, int64_t j, double* best, int64_t* at,
                        Py_ssize_t k) noexcept nogil:
    """Insert correlation ``r`` with neighbour ``j`` into a best-first list of ``k``.

    Equal correlations rank by the smaller neighbour index, so the result does not
    depend on the order threads visit diagonals in (``schedule="dynamic"``).
    """
    cdef Py_ssize_t p = k - 1
    if r < best[p] or (r == best[p] and j >= at[p]):
        return
    while p > 0 and (best[p - 1] < r or (best[p - 1] == r and at[p - 1] > j)):
        best[p] = best[p - 1]
        at[p] = at[p - 1]
        p -= 1
    best[p] = r
    at[p] = j


cdef inline void _visit(Py_ssize_t i, Py_ssize_t j, double c, const double* inv_a,
                        const double* inv_b, const unsigned char* flag_a,
                        const unsigned char* flag_b, bint special, double* best_a,
                        int64_t* at_a, double* best_b, int64_t* at_b, Py_ssize_t k) noexcept nogil:
    cdef double r = c * inv_a[i] * inv_b[j]
    if special and (flag_a[i] or flag_b[j]):
        if flag_a[i] == 2 or flag_b[j] == 2:
            return
        r = 1.0 if (flag_a[i] and flag_b[j]) else 0.5
    _offer(r, j, best_a + i * k, at_a + i * k, k)
    if best_b != NULL:
        _offer(r, i, best_b + j * k, at_b + j * k, k)


cdef inline void _visit1(Py_ssize_t i, Py_ssize_t j, double c, const double* invnorm,
                         const unsigned char* flag, bint special, double* mine,
                         int64_t* mine_at) noexcept nogil:
    """Self-join with one neighbour per window: the hot path, kept minimal."""
    cdef double r = c * invnorm[i] * invnorm[j]
    if special and (flag[i] or flag[j]):
        if flag[i] == 2 or flag[j] == 2:
            return
        r = 1.0 if (flag[i] and flag[j]) else 0.5
    # ties go to the smaller index, as in _offer (deterministic under any threads)
    if r >= mine[i]:
        if r > mine[i] or j < mine_at[i]:
            mine[i] = r
            mine_at[i] = j
    if r >= mine[j]:
        if r > mine[j] or i < mine_at[j]:
            mine[j] = r
            mine_at[j] = i


cdef double _start(const double* a, const double* b, Py_ssize_t m, double mean_a,
                   double mean_b) noexcept nogil:
    cdef Py_ssize_t q
    cdef double c = 0.0
    for q in range(m):
        c = c + (a[q] - mean_a) * (b[q] - mean_b)
    return c


cdef void _group(const double* t, Py_ssize_t m, Py_ssize_t w, const double* mean,
                 const double* invnorm, const double* df, const double* dg,
                 const unsigned char* flag, bint special, Py_ssize_t lag,
                 Py_ssize_t count, double* mine, int64_t* mine_at, Py_ssize_t k) noexcept nogil:
    """Self-join: walk ``count`` (1 to 4) neighbouring diagonals together; their
    covariance updates are independent, so the processor overlaps them."""
    cdef double c[4]
    cdef Py_ssize_t q, i, j, common = w - (lag + count - 1)
    for q in range(count):
        c[q] = _start(t + lag + q, t, m, mean[lag + q], mean[0])
    for i in range(common):
        if i > 0:
            for q in range(count):
                j = i + lag + q
                c[q] = c[q] + df[i] * dg[j] + df[j] * dg[i]
        for q in range(count):
            _visit(i, i + lag + q, c[q], invnorm, invnorm, flag, flag, special, mine,
                   mine_at, mine, mine_at, k)
    for q in range(count - 1):
        for i in range(common, w - lag - q):
            j = i + lag + q
            if i > 0:
                c[q] = c[q] + df[i] * dg[j] + df[j] * dg[i]
            _visit(i, j, c[q], invnorm, invnorm, flag, flag, special, mine, mine_at,
                   mine, mine_at, k)


cdef void _group1(const double* t, Py_ssize_t m, Py_ssize_t w, const double* mean,
                 const double* invnorm, const double* df, const double* dg,
                 const unsigned char* flag, bint special, Py_ssize_t lag,
                 Py_ssize_t count, double* mine, int64_t* mine_at) noexcept nogil:
    """:func:`_group` for ``k == 1`` (a copy, so the compiler keeps the hot loop tight)."""
    cdef double c[4]
    cdef Py_ssize_t q, i, j, common = w - (lag + count - 1)
    for q in range(count):
        c[q] = _start(t + lag + q, t, m, mean[lag + q], mean[0])
    for i in range(common):
        if i > 0:
            for q in range(count):
                j = i + lag + q
                c[q] = c[q] + df[i] * dg[j] + df[j] * dg[i]
        for q in range(count):
            _visit1(i, i + lag + q, c[q], invnorm, flag, special, mine, mine_at)
    for q in range(count - 1):
        for i in range(common, w - lag - q):
            j = i + lag + q
            if i > 0:
                c[q] = c[q] + df[i] * dg[j] + df[j] * dg[i]
            _visit1(i, j, c[q], invnorm, flag, special, mine, mine_at)


cdef bint _any(const unsigned char[::1] flag) noexcept nogil:
    cdef Py_ssize_t i
    for i in range(flag.shape[0]):
        if flag[i]:
            return True
    return False


cdef void _merge(double* best, int64_t* where, int threads, Py_ssize_t w, Py_ssize_t k,
                 double[::1] corr, int64_t[::1] index) noexcept nogil:
    cdef Py_ssize_t th, i, r
    for th in range(threads):
        for i in range(w):
            for r in range(k):
                if where[(th * w + i) * k + r] < 0:
                    break
                _offer(best[(th * w + i) * k + r], where[(th * w + i) * k + r],
                       &corr[i * k], &index[i * k], k)


cdef int _buffers(int threads, Py_ssize_t w, Py_ssize_t k, double** best,
                  int64_t** where) noexcept nogil:
    cdef Py_ssize_t i
    best[0] = <double*> malloc(threads * w * k * sizeof(double))
    where[0] = <int64_t*> malloc(threads * w * k * sizeof(int64_t))
    if best[0] == NULL or where[0] == NULL:
        free(best[0])
        free(where[0])
        return -1
    for i in range(threads * w * k):
        best[0][i] = -2.0
        where[0][i] = -1
    return 0


def mpx(const double[::1] t, Py_ssize_t m, const double[::1] mean,
        const double[::1] invnorm, const double[::1] df, const double[::1] dg,
        const unsigned char[::1] flag, Py_ssize_t first_lag, Py_ssize_t k,
        Py_ssize_t group_start, Py_ssize_t group_stop,
        double[::1] corr, int64_t[::1] index, int num_threads):
    """Self-join: the ``k`` best Pearson correlations of each window with windows at
    least ``first_lag`` away, merged into ``corr`` / ``index`` (``w * k``, best
    first per window, initialised by the caller to -inf / -1).

    Diagonals come in groups of four from ``first_lag``; this call walks groups
    ``group_start`` to ``group_stop - 1`` (``(w - first_lag + 3) // 4`` in all).
    """
    cdef Py_ssize_t w = mean.shape[0], g, lag, count
    cdef int tid
    cdef bint special = _any(flag)
    cdef int threads = num_threads if num_threads > 0 else 1
    cdef double* best
    cdef int64_t* where
    if _buffers(threads, w, k, &best, &where) != 0:
        raise MemoryError()
    with nogil:
        with parallel(num_threads=threads):
            for g in prange(group_start, group_stop, schedule="dynamic", chunksize=4):
                tid = threadid()
                lag = first_lag + 4 * g
                count = w - lag if w - lag < 4 else 4
                if k == 1:
                    _group1(&t[0], m, w, &mean[0], &invnorm[0], &df[0], &dg[0], &flag[0],
                            special, lag, count, best + tid * w, where + tid * w)
                else:
                    _group(&t[0], m, w, &mean[0], &invnorm[0], &df[0], &dg[0], &flag[0],
                           special, lag, count, best + tid * w * k, where + tid * w * k, k)
        _merge(best, where, threads, w, k, corr, index)
    free(best)
    free(where)


def mpx_ab(const double[::1] ta, const double[::1] tb, Py_ssize_t m,
           const double[::1] mean_a, const double[::1] inv_a, const double[::1] df_a,
           const double[::1] dg_a, const unsigned char[::1] flag_a,
           const double[::1] mean_b, const double[::1] inv_b, const double[::1] df_b,
           const double[::1] dg_b, const unsigned char[::1] flag_b, Py_ssize_t k,
           Py_ssize_t diag_start, Py_ssize_t diag_stop,
           double[::1] corr, int64_t[::1] index, int num_threads):
    """AB-join: the ``k`` best correlations of each window of ``ta`` with any window
    of ``tb`` (no exclusion zone), merged into ``corr`` / ``index`` (``wa * k``).

    Diagonal ``d`` in ``0 .. wa + wb - 2`` starts at row ``max(0, wa - 1 - d)``,
    column ``max(0, d - wa + 1)``; this call walks ``diag_start .. diag_stop - 1``.
    """
    cdef Py_ssize_t wa = mean_a.shape[0], wb = mean_b.shape[0], dgn, i, j, i0, j0, steps, s
    cdef int tid
    cdef double c
    cdef bint special = _any(flag_a) or _any(flag_b)
    cdef int threads = num_threads if num_threads > 0 else 1
    cdef double* best
    cdef int64_t* where
    cdef double* mine
    cdef int64_t* mine_at
    if _buffers(threads, wa, k, &best, &where) != 0:
        raise MemoryError()
    with nogil:
        with parallel(num_threads=threads):
            for dgn in prange(diag_start, diag_stop, schedule="dynamic", chunksize=8):
                tid = threadid()
                mine = best + tid * wa * k
                mine_at = where + tid * wa * k
                i0 = wa - 1 - dgn if wa - 1 - dgn > 0 else 0
                j0 = dgn - wa + 1 if dgn - wa + 1 > 0 else 0
                steps = wa - i0 if wa - i0 < wb - j0 else wb - j0
                c = _start(&ta[i0], &tb[j0], m, mean_a[i0], mean_b[j0])
                for s in range(steps):
                    i = i0 + s
                    j = j0 + s
                    if s > 0:
                        c = c + df_a[i] * dg_b[j] + df_b[j] * dg_a[i]
                    _visit(i, j, c, &inv_a[0], &inv_b[0], &flag_a[0], &flag_b[0], special,
                           mine, mine_at, NULL, NULL, k)
        _merge(best, where, threads, wa, k, corr, index)
    free(best)
    free(where)
