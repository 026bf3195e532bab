"""Lower bounds, envelopes and UCR-suite subsequence search.

Callers validate and prepare everything (z-normalised query, its visiting
order and envelope, per-window means and inverse standard deviations, the data
envelope); directives come from meson.build. Distances are squared here.
"""

from libc.math cimport INFINITY, sqrt
from libc.stdlib cimport free, malloc, realloc
from libc.string cimport memmove
from libc.stdint cimport int64_t

from temporal_compare._kernels cimport band_row_sq, min2, sq


def envelope(const double[::1] x, Py_ssize_t r, double[::1] upper, double[::1] lower):
    """Running max/min of ``x`` over ``[i - r, i + r]`` in O(n) (van Herk / Gil-Werman).

    In blocks of ``k = 2r + 1`` samples of the series padded with ``r`` infinite
    values each side, ``g`` holds maxima from each block start and ``h`` maxima to
    each block end; every window spans at most two blocks, so its maximum is
    ``max(h[i], g[i + k - 1])``. Same for minima.
    """
    cdef Py_ssize_t n = x.shape[0], k = 2 * r + 1, i, j, size
    if n == 0:
        return
    size = ((n + 2 * r + k - 1) // k) * k
    cdef double* buf = <double*> malloc(4 * size * sizeof(double))
    if buf == NULL:
        raise MemoryError()
    cdef double* gmax = buf
    cdef double* hmax = buf + size
    cdef double* gmin = buf + 2 * size
    cdef double* hmin = buf + 3 * size
    cdef double v, a, b
    with nogil:
        for j in range(size):
            if r <= j < n + r:
                v = x[j - r]
                gmax[j] = v
                gmin[j] = v
            else:
                gmax[j] = -INFINITY
                gmin[j] = INFINITY
            hmax[j] = gmax[j]
            hmin[j] = gmin[j]
        for j in range(size):
            if j % k != 0:
                a = gmax[j - 1]
                if a > gmax[j]:
                    gmax[j] = a
                b = gmin[j - 1]
                if b < gmin[j]:
                    gmin[j] = b
        for j in range(size - 2, -1, -1):
            if (j + 1) % k != 0:
                a = hmax[j + 1]
                if a > hmax[j]:
                    hmax[j] = a
                b = hmin[j + 1]
                if b < hmin[j]:
                    hmin[j] = b
        for i in range(n):
            a = hmax[i]
            b = gmax[i + k - 1]
            upper[i] = a if a > b else b
            a = hmin[i]
            b = gmin[i + k - 1]
            lower[i] = a if a < b else b
    free(buf)


def keogh_sq(const double[::1] q, const double[::1] upper, const double[::1] lower) -> float:
    """Sum of squared excursions of ``q`` outside the envelope ``[lower, upper]``."""
    cdef Py_ssize_t i
    cdef double acc = 0.0, v
    with nogil:
        for i in range(q.shape[0]):
            v = q[i]
            if v > upper[i]:
                acc += (v - upper[i]) * (v - upper[i])
            elif v < lower[i]:
                acc += (lower[i] - v) * (lower[i] - v)
    return acc


cdef struct Pool:
    double* dist          # candidates sorted by distance
    int64_t* index
    int64_t* picked
    Py_ssize_t size
    Py_ssize_t cap
    Py_ssize_t k
    Py_ssize_t separation
    double threshold


cdef int _pool_accept(Pool* p, int64_t index, double dist) noexcept nogil:
    """Insert a candidate; tighten the threshold to the k-th distance of the greedy
    best-first selection with exclusion zone ``separation``. Returns -1 when memory
    runs out."""
    cdef Py_ssize_t lo = 0, hi, mid, t, u, npicked = 0
    cdef bint ok
    cdef void* grown
    if p.size == p.cap:
        p.cap = 2 * p.cap + 16
        grown = realloc(p.dist, p.cap * sizeof(double))
        if grown == NULL:
            return -1
        p.dist = <double*> grown
        grown = realloc(p.index, p.cap * sizeof(int64_t))
        if grown == NULL:
            return -1
        p.index = <int64_t*> grown
    hi = p.size
    while lo < hi:
        mid = (lo + hi) // 2
        if p.dist[mid] <= dist:
            lo = mid + 1
        else:
            hi = mid
    memmove(p.dist + lo + 1, p.dist + lo, (p.size - lo) * sizeof(double))
    memmove(p.index + lo + 1, p.index + lo, (p.size - lo) * sizeof(int64_t))
    p.dist[lo] = dist
    p.index[lo] = index
    p.size += 1
    for t in range(p.size):
        ok = True
        for u in range(npicked):
            if p.index[t] - p.picked[u] < p.separation and p.picked[u] - p.index[t] < p.separation:
                ok = False
                break
        if ok:
            p.picked[npicked] = p.index[t]
            npicked += 1
            if npicked == p.k:
                if p.dist[t] < p.threshold:
                    p.threshold = p.dist[t]
                    # candidates beyond the threshold can no longer make the answer
                    u = t + 1
                    while u < p.size and p.dist[u] <= p.threshold:
                        u += 1
                    p.size = u
                break
    return 0


cdef double _kim(const double* t, double mean, double inv, const double* q, Py_ssize_t m,
                 double bsf) noexcept nogil:
    """UCR-suite LB_Kim hierarchy on the first and last three points (m >= 8)."""
    cdef double x0 = (t[0] - mean) * inv, y0 = (t[m - 1] - mean) * inv
    cdef double lb = sq(x0, q[0]) + sq(y0, q[m - 1]), d
    if lb >= bsf:
        return lb
    cdef double x1 = (t[1] - mean) * inv
    d = min2(min2(sq(x1, q[0]), sq(x0, q[1])), sq(x1, q[1]))
    lb += d
    if lb >= bsf:
        return lb
    cdef double y1 = (t[m - 2] - mean) * inv
    d = min2(min2(sq(y1, q[m - 1]), sq(y0, q[m - 2])), sq(y1, q[m - 2]))
    lb += d
    if lb >= bsf:
        return lb
    cdef double x2 = (t[2] - mean) * inv
    d = min2(min2(sq(x0, q[2]), sq(x1, q[2])), min2(sq(x2, q[2]), min2(sq(x2, q[1]), sq(x2, q[0]))))
    lb += d
    if lb >= bsf:
        return lb
    cdef double y2 = (t[m - 3] - mean) * inv
    d = min2(min2(sq(y0, q[m - 3]), sq(y1, q[m - 3])), min2(sq(y2, q[m - 3]), min2(sq(y2, q[m - 2]), sq(y2, q[m - 1]))))
    return lb + d


cdef double _dtw_cb(const double* a, const double* b, const double* cb, Py_ssize_t m,
                    Py_ssize_t r, double bsf, double* work) noexcept nogil:
    """Banded DTW (squared costs) of two length-m vectors, abandoned with the cumulative
    lower bound ``cb`` (``cb[k]`` bounds the cost of rows ``k..m-1``)."""
    cdef double* prev = work
    cdef double* cur = work + (m + 1)
    cdef double* tmp
    cdef Py_ssize_t i, j, lo, hi, t
    cdef Py_ssize_t lo2 = 0, hi2 = -1, lo1 = 0, hi1 = -1
    cdef double rowmin
    for i in range(2 * (m + 1)):
        work[i] = INFINITY
    prev[0] = 0.0
    for i in range(m):
        lo = i - r if i > r else 0
        hi = i + r if i + r < m - 1 else m - 1
        for t in range(lo2, hi2 + 1):
            cur[t + 1] = INFINITY
        cur[0] = INFINITY
        rowmin = band_row_sq(prev, cur, a[i], b, lo, hi)
        if i + r + 1 < m:
            if rowmin + cb[i + r + 1] >= bsf:
                return INFINITY
        elif rowmin >= bsf:
            return INFINITY
        lo2 = lo1
        hi2 = hi1
        lo1 = lo
        hi1 = hi
        tmp = prev
        prev = cur
        cur = tmp
    return prev[m]


def ucr_search(const double[::1] t, const double[::1] mean, const double[::1] inv,
               const double[::1] upper_t, const double[::1] lower_t,
               const double[::1] q, const int64_t[::1] order, const double[::1] q_upper,
               const double[::1] q_lower, Py_ssize_t r, bint use_dtw, Py_ssize_t k,
               Py_ssize_t separation, double start_threshold=INFINITY, visit=None):
    """Scan every window of ``t``; return the candidates (squared distance, index)
    that beat the pruning threshold of the moment, as two lists, and pruning counts.

    The threshold is the k-th distance of the greedy best-first selection with
    exclusion zone ``separation`` (see ``temporal_compare.search`` for when that
    is safe), starting from ``start_threshold`` (squared) when the caller knows
    one. Windows are visited in index order, or those ``visit`` lists, in its
    order (every entry a valid window start).

    ``q`` is the prepared query; ``order`` visits its positions by decreasing
    magnitude (early abandoning stops sooner); ``q_upper``/``q_lower`` are its
    envelope; ``upper_t``/``lower_t`` the data envelope. Returns pruning counts
    (kim, keogh_eq, keogh_ec, dtw_abandoned, computed).
    """
    cdef Py_ssize_t m = q.shape[0], n = t.shape[0], i, idx, last = n - m, v
    cdef const int64_t[::1] order_windows
    cdef bint has_order = visit is not None
    cdef Py_ssize_t visits = last + 1
    if has_order:
        order_windows = visit
        visits = order_windows.shape[0]  # may be a subset (a chunk, for progress)
    else:
        order_windows = order  # unused; keeps the memoryview initialised
    cdef Pool pool
    pool.dist = NULL
    pool.index = NULL
    pool.size = 0
    pool.cap = 0
    pool.k = k
    pool.separation = separation
    pool.threshold = start_threshold
    pool.picked = <int64_t*> malloc((k + 1) * sizeof(int64_t))
    if pool.picked == NULL:
        raise MemoryError()
    cdef bint failed = False
    k = 0
    cdef double bsf = start_threshold, mu, iv, lb, lb1, lb2, z, d, dist, u, l, qq
    cdef int64_t pruned_kim = 0, pruned_eq = 0, pruned_ec = 0, abandoned = 0, computed = 0
    cdef bint use_kim = m >= 8
    cdef double* buf = <double*> malloc((6 * m + 4) * sizeof(double))
    if buf == NULL:
        free(pool.picked)
        raise MemoryError()
    cdef double* cb1 = buf
    cdef double* cb2 = buf + m
    cdef double* cb = buf + 2 * m          # m + 1 entries
    cdef double* tz = buf + 3 * m + 1
    cdef double* work = buf + 4 * m + 1    # 2 * (m + 1) entries
    cdef double* qo = <double*> malloc(3 * m * sizeof(double))
    if qo == NULL:
        free(buf)
        free(pool.picked)
        raise MemoryError()
    cdef double* uo = qo + m
    cdef double* lo_ = qo + 2 * m
    for k in range(m):
        qo[k] = q[order[k]]
        uo[k] = q_upper[order[k]]
        lo_[k] = q_lower[order[k]]
    try:
        with nogil:
            for v in range(visits):
                i = order_windows[v] if has_order else v
                mu = mean[i]
                iv = inv[i]
                if not use_dtw:
                    dist = 0.0
                    for k in range(m):
                        z = (t[i + order[k]] - mu) * iv - qo[k]
                        dist += z * z
                        if dist >= bsf:
                            break
                    if dist >= bsf:
                        abandoned += 1
                        continue
                    computed += 1
                    if _pool_accept(&pool, i, dist) != 0:
                        failed = True
                        break
                    bsf = pool.threshold
                    continue
                if use_kim:
                    lb = _kim(&t[i], mu, iv, &q[0], m, bsf)
                    if lb >= bsf:
                        pruned_kim += 1
                        continue
                # LB_Keogh: the window against the query's envelope
                lb1 = 0.0
                for k in range(m):
                    idx = order[k]
                    z = (t[i + idx] - mu) * iv
                    d = 0.0
                    if z > uo[k]:
                        d = (z - uo[k]) * (z - uo[k])
                    elif z < lo_[k]:
                        d = (lo_[k] - z) * (lo_[k] - z)
                    cb1[idx] = d
                    lb1 += d
                    if lb1 >= bsf:
                        break
                if lb1 >= bsf:
                    pruned_eq += 1
                    continue
                # LB_Keogh reversed: the query against the data's envelope
                lb2 = 0.0
                for k in range(m):
                    idx = order[k]
                    u = (upper_t[i + idx] - mu) * iv
                    l = (lower_t[i + idx] - mu) * iv
                    qq = qo[k]
                    d = 0.0
                    if qq > u:
                        d = (qq - u) * (qq - u)
                    elif qq < l:
                        d = (l - qq) * (l - qq)
                    cb2[idx] = d
                    lb2 += d
                    if lb2 >= bsf:
                        break
                if lb2 >= bsf:
                    pruned_ec += 1
                    continue
                cb[m] = 0.0
                if lb1 > lb2:
                    for k in range(m - 1, -1, -1):
                        cb[k] = cb[k + 1] + cb1[k]
                else:
                    for k in range(m - 1, -1, -1):
                        cb[k] = cb[k + 1] + cb2[k]
                for k in range(m):
                    tz[k] = (t[i + k] - mu) * iv
                dist = _dtw_cb(tz, &q[0], cb, m, r, bsf, work)
                if dist >= bsf:
                    abandoned += 1
                    continue
                computed += 1
                if _pool_accept(&pool, i, dist) != 0:
                    failed = True
                    break
                bsf = pool.threshold
        if failed:
            raise MemoryError()
        dists = [pool.dist[i] for i in range(pool.size)]
        indices = [pool.index[i] for i in range(pool.size)]
    finally:
        free(buf)
        free(qo)
        free(pool.dist)
        free(pool.index)
        free(pool.picked)
    return dists, indices, (pruned_kim, pruned_eq, pruned_ec, abandoned, computed)


def window_stats(const double[::1] t, Py_ssize_t m, double[::1] mean, double[::1] std,
                 double[::1] inv, double constant_std):
    """Mean, population standard deviation and its inverse for every length-m window.

    ``inv`` is 0 where the standard deviation is below ``constant_std`` (the
    window z-normalises to zeros). Sums are rolled forward from an exact
    recomputation at the start of each block of 256 windows, centred on that
    block's first value, so rounding cannot build up over a long series.
    """
    cdef Py_ssize_t n = t.shape[0], count = n - m + 1, i, k, next_reset = 0
    cdef double ref = 0.0, s = 0.0, s2 = 0.0, v, mu, var, sd, inv_m = 1.0 / m
    with nogil:
        for i in range(count):
            if i == next_reset:
                next_reset = i + 256
                ref = t[i]
                s = 0.0
                s2 = 0.0
                for k in range(i, i + m):
                    v = t[k] - ref
                    s += v
                    s2 += v * v
            else:
                v = t[i - 1] - ref
                s -= v
                s2 -= v * v
                v = t[i + m - 1] - ref
                s += v
                s2 += v * v
            mu = s * inv_m
            var = s2 * inv_m - mu * mu
            sd = sqrt(var) if var > 0.0 else 0.0
            mean[i] = mu + ref
            std[i] = sd
            inv[i] = 1.0 / sd if sd >= constant_std else 0.0
