"""Dynamic time warping kernels.

Callers (``temporal_compare.elastic`` and ``temporal_compare.pairwise``) validate
shapes, finiteness, windows and sizes; directives come from meson.build.

Two forward passes exist. ``_wavefront`` walks anti-diagonals of the cost matrix:
every cell of one anti-diagonal depends only on the two before it, so the inner
loop has no serial dependency and the compiler vectorises it. It serves the
common case (univariate, symmetric1 step, Sakoe-Chiba band, no early abandoning).
``_rows`` walks rows inside arbitrary per-row bands (Sakoe-Chiba, Itakura, or
both) and handles every metric, step pattern, dimension count and ``max_dist``.
"""

from libc.math cimport fabs, sqrt, INFINITY
from libc.stdlib cimport free, malloc
from libc.stdint cimport int64_t, uint8_t
from cython.parallel cimport prange, parallel

from temporal_compare._kernels cimport TC_HAVE_OPENMP, band_row_sq, local_cost

HAVE_OPENMP = bool(TC_HAVE_OPENMP)

# metric codes: 0 squared differences, 1 absolute differences, 2 Euclidean norm
# of the difference vector (equals 1 for one dimension).
# step codes: 0 symmetric1, 1 symmetric2.


cdef double _wavefront(const double* x, Py_ssize_t n, const double* yr, Py_ssize_t m,
                       Py_ssize_t window, int metric, double* work) noexcept nogil:
    """Accumulated cost of univariate symmetric1 DTW inside ``|i - j| <= window``.

    ``yr`` is ``y`` reversed, so that along an anti-diagonal both series are read
    forwards. ``work`` holds ``3 * (n + 1)`` doubles. Diagonal ``k = i + j`` is
    stored at index ``i + 1`` of one of three rotating buffers; index 0 stands for
    ``i = -1`` and is infinite except for the virtual start cell.
    """
    cdef double* dm2 = work
    cdef double* dm1 = work + (n + 1)
    cdef double* dk = work + 2 * (n + 1)
    cdef double* tmp
    cdef Py_ssize_t i, k, lo, hi, off, t
    cdef Py_ssize_t lo1 = 0, hi1 = -1, lo2 = 0, hi2 = -1  # bands of diagonals k-1, k-2
    cdef Py_ssize_t lo3 = 0, hi3 = -1
    cdef double a, b, e, diff, c
    for i in range(3 * (n + 1)):
        work[i] = INFINITY
    dm2[0] = 0.0  # virtual D(-1, -1): the empty prefix costs nothing
    for k in range(n + m - 1):
        lo = k - m + 1
        if lo < 0:
            lo = 0
        if 2 * lo < k - window:
            lo = (k - window + 1) // 2
        hi = k if k < n - 1 else n - 1
        if 2 * hi > k + window:
            hi = (k + window) // 2
        # dk still holds diagonal k-3: reset its band so it reads as infinite
        for t in range(lo3, hi3 + 1):
            dk[t + 1] = INFINITY
        dk[0] = INFINITY
        off = m - 1 - k
        if metric == 0:
            for i in range(lo, hi + 1):
                diff = x[i] - yr[off + i]
                a = dm2[i]
                b = dm1[i]
                e = dm1[i + 1]
                a = a if a < b else b
                a = a if a < e else e
                dk[i + 1] = diff * diff + a
        else:
            for i in range(lo, hi + 1):
                c = fabs(x[i] - yr[off + i])
                a = dm2[i]
                b = dm1[i]
                e = dm1[i + 1]
                a = a if a < b else b
                a = a if a < e else e
                dk[i + 1] = c + a
        lo3 = lo2
        hi3 = hi2
        lo2 = lo1
        hi2 = hi1
        lo1 = lo
        hi1 = hi
        tmp = dm2
        dm2 = dm1
        dm1 = dk
        dk = tmp
    return dm1[n]


cdef double _rows(const double* x, Py_ssize_t n, const double* y, Py_ssize_t m,
                  Py_ssize_t d, const int64_t* lo_arr, const int64_t* hi_arr,
                  int metric, int step, double limit, double* work,
                  uint8_t* trace, const int64_t* trace_off) noexcept nogil:
    """Accumulated cost inside per-row bands ``lo_arr[i] <= j <= hi_arr[i]``.

    ``work`` holds ``2 * (m + 1)`` doubles. Returns ``INFINITY`` as soon as a
    whole row exceeds ``limit`` (every warping path crosses every row). When
    ``trace`` is not NULL, the chosen predecessor of cell ``(i, j)`` is written to
    ``trace[trace_off[i] + j - lo_arr[i]]`` (0 diagonal, 1 up, 2 left).
    """
    cdef double* prev = work
    cdef double* cur = work + (m + 1)
    cdef double* tmp
    cdef Py_ssize_t i, j, t, lo, hi
    cdef Py_ssize_t lo1 = 0, hi1 = -1, lo2 = 0, hi2 = -1
    cdef double c, dg, up, left, best, rowmin
    cdef uint8_t move
    # the common row needs neither a trace nor step weights: the shared row step
    cdef bint fast = d == 1 and metric == 0 and step == 0 and trace == NULL
    for i in range(2 * (m + 1)):
        work[i] = INFINITY
    prev[0] = 0.0
    for i in range(n):
        lo = lo_arr[i]
        hi = hi_arr[i]
        for t in range(lo2, hi2 + 1):
            cur[t + 1] = INFINITY
        cur[0] = INFINITY
        if fast:
            rowmin = band_row_sq(prev, cur, x[i], y, lo, hi)
        else:
            rowmin = INFINITY
            for j in range(lo, hi + 1):
                c = local_cost(x + i * d, y + j * d, d, metric)
                dg = prev[j]
                up = prev[j + 1]
                left = cur[j]
                if step == 1:
                    if i == 0 and j == 0:
                        dg = c  # symmetric2 starts with the plain cost of cell (0, 0)
                    else:
                        dg = dg + 2.0 * c
                    up = up + c
                    left = left + c
                    c = 0.0
                best = dg
                move = 0
                if up < best:
                    best = up
                    move = 1
                if left < best:
                    best = left
                    move = 2
                best = best + c
                cur[j + 1] = best
                if best < rowmin:
                    rowmin = best
                if trace != NULL:
                    trace[trace_off[i] + j - lo] = move
        if rowmin > limit:
            return INFINITY
        lo2 = lo1
        hi2 = hi1
        lo1 = lo
        hi1 = hi
        tmp = prev
        prev = cur
        cur = tmp
    return prev[m]


def dtw_wavefront(const double[::1] x, const double[::1] y, Py_ssize_t window,
                  int metric) -> float:
    """Accumulated cost of univariate symmetric1 DTW; both series non-empty."""
    cdef Py_ssize_t n = x.shape[0], m = y.shape[0], i
    cdef double result
    cdef double* work = <double*> malloc((3 * (n + 1) + m) * sizeof(double))
    if work == NULL:
        raise MemoryError()
    cdef double* yr = work + 3 * (n + 1)
    with nogil:
        for i in range(m):
            yr[i] = y[m - 1 - i]
        result = _wavefront(&x[0], n, yr, m, window, metric, work)
    free(work)
    return result


def dtw_rows(const double[::1] x, const double[::1] y, Py_ssize_t d,
             const int64_t[::1] lo, const int64_t[::1] hi, int metric, int step,
             double limit) -> float:
    """Accumulated cost inside per-row bands; ``x``, ``y`` flattened ``(n, d)``."""
    cdef Py_ssize_t n = x.shape[0] // d, m = y.shape[0] // d
    cdef double result
    cdef double* work = <double*> malloc(2 * (m + 1) * sizeof(double))
    if work == NULL:
        raise MemoryError()
    with nogil:
        result = _rows(&x[0], n, &y[0], m, d, &lo[0], &hi[0], metric, step, limit,
                       work, NULL, NULL)
    free(work)
    return result


def dtw_trace(const double[::1] x, const double[::1] y, Py_ssize_t d,
              const int64_t[::1] lo, const int64_t[::1] hi,
              const int64_t[::1] offsets, uint8_t[::1] trace, int metric,
              int step) -> float:
    """Accumulated cost, recording each cell's predecessor in ``trace``."""
    cdef Py_ssize_t n = x.shape[0] // d, m = y.shape[0] // d
    cdef double result
    cdef double* work = <double*> malloc(2 * (m + 1) * sizeof(double))
    if work == NULL:
        raise MemoryError()
    with nogil:
        result = _rows(&x[0], n, &y[0], m, d, &lo[0], &hi[0], metric, step,
                       INFINITY, work, &trace[0], &offsets[0])
    free(work)
    return result


def backtrack(const uint8_t[::1] trace, const int64_t[::1] lo,
              const int64_t[::1] offsets, Py_ssize_t n, Py_ssize_t m,
              int64_t[:, ::1] path) -> int:
    """Write the warping path ending at ``(n-1, m-1)`` backwards; return its length.

    ``path`` has ``n + m - 1`` rows; the path occupies the last ``length`` rows.
    """
    cdef Py_ssize_t i = n - 1, j = m - 1, pos = n + m - 2
    cdef uint8_t move
    with nogil:
        while True:
            path[pos, 0] = i
            path[pos, 1] = j
            if i == 0 and j == 0:
                break
            move = trace[offsets[i] + j - lo[i]]
            if move == 0:
                i -= 1
                j -= 1
            elif move == 1:
                i -= 1
            else:
                j -= 1
            pos -= 1
    return n + m - 1 - pos


def pairwise_wavefront(const double[::1] flat, const int64_t[::1] starts,
                       const int64_t[::1] lengths, const int64_t[::1] first,
                       const int64_t[::1] second, const double[::1] flat_y,
                       const int64_t[::1] starts_y, const int64_t[::1] lengths_y,
                       double[::1] out, Py_ssize_t window, int metric, int squared_root,
                       int num_threads):
    """DTW of every pair ``(first[p], second[p])`` into ``out[p]`` in parallel.

    Series ``i`` of the left set is ``flat[starts[i]:starts[i] + lengths[i]]``;
    the right set is described by ``flat_y``/``starts_y``/``lengths_y``. Right-hand
    series are stored reversed by the caller (the wavefront reads them backwards).
    """
    cdef Py_ssize_t p, npairs = first.shape[0], maxlen = 0, i
    cdef double* work
    cdef double r
    for i in range(lengths.shape[0]):
        if lengths[i] > maxlen:
            maxlen = lengths[i]
    with nogil, parallel(num_threads=num_threads):
        work = <double*> malloc(3 * (maxlen + 1) * sizeof(double))
        # every thread takes part in the loop; one without memory leaves NaN behind
        for p in prange(npairs, schedule="dynamic", chunksize=4):
            if work == NULL:
                continue
            r = _wavefront(&flat[starts[first[p]]], lengths[first[p]],
                           &flat_y[starts_y[second[p]]], lengths_y[second[p]],
                           window, metric, work)
            if squared_root:
                r = sqrt(r)
            out[p] = r
        free(work)


def lcss_length(const double[::1] x, const double[::1] y, Py_ssize_t d,
                double epsilon, Py_ssize_t window) -> int:
    """Length of the longest common subsequence of two real-valued series.

    Points match when every coordinate differs by at most ``epsilon`` and
    ``|i - j| <= window``. ``x``, ``y`` are flattened ``(n, d)`` arrays.
    """
    cdef Py_ssize_t n = x.shape[0] // d, m = y.shape[0] // d, i, j, k
    cdef bint match
    cdef int64_t* buf = <int64_t*> malloc(2 * (m + 1) * sizeof(int64_t))
    if buf == NULL:
        raise MemoryError()
    cdef int64_t* prev = buf
    cdef int64_t* cur = buf + (m + 1)
    cdef int64_t* tmp
    cdef int64_t a, b, result
    with nogil:
        for j in range(2 * (m + 1)):
            buf[j] = 0
        for i in range(n):
            for j in range(m):
                match = (i - j <= window) and (j - i <= window)
                if match:
                    for k in range(d):
                        if fabs(x[i * d + k] - y[j * d + k]) > epsilon:
                            match = False
                            break
                if match:
                    cur[j + 1] = prev[j] + 1
                else:
                    a = prev[j + 1]
                    b = cur[j]
                    cur[j + 1] = a if a > b else b
            tmp = prev
            prev = cur
            cur = tmp
        result = prev[m]
    free(buf)
    return result


def dtw_path_wavefront(const double[::1] x, const double[::1] y, Py_ssize_t window,
                       int metric, int64_t[:, ::1] path):
    """Univariate symmetric1 DTW with its warping path, walking anti-diagonals.

    Predecessors are recorded one byte per cell, diagonal by diagonal, with the
    same tie-breaking as ``dtw_trace`` (diagonal, then up, then left). Writes the
    path into the last rows of ``path`` (``n + m - 1`` rows); returns
    ``(accumulated cost, path length)``, length 0 when no path exists.
    """
    cdef Py_ssize_t n = x.shape[0], m = y.shape[0], ndiag = n + m - 1
    cdef Py_ssize_t k, i, j, lo, hi, off, t, total = 0, pos, length
    cdef Py_ssize_t lo3 = 0, hi3 = -1, lo2 = 0, hi2 = -1, lo1 = 0, hi1 = -1
    cdef double a, b, e, diff, c, best, result
    cdef unsigned char mv
    cdef int64_t* lows = <int64_t*> malloc(2 * ndiag * sizeof(int64_t))
    if lows == NULL:
        raise MemoryError()
    cdef int64_t* base = lows + ndiag
    for k in range(ndiag):
        lo = k - m + 1 if k - m + 1 > 0 else 0
        if 2 * lo < k - window:
            lo = (k - window + 1) // 2
        hi = k if k < n - 1 else n - 1
        if 2 * hi > k + window:
            hi = (k + window) // 2
        lows[k] = lo
        base[k] = total
        if hi >= lo:
            total += hi - lo + 1
    cdef uint8_t* trace = <uint8_t*> malloc((total + 1) * sizeof(uint8_t))
    cdef double* work = <double*> malloc((3 * (n + 1) + m) * sizeof(double))
    if trace == NULL or work == NULL:
        free(lows)
        free(trace)
        free(work)
        raise MemoryError()
    cdef double* dm2 = work
    cdef double* dm1 = work + (n + 1)
    cdef double* dk = work + 2 * (n + 1)
    cdef double* yr = work + 3 * (n + 1)
    cdef double* tmp
    cdef uint8_t* tr
    with nogil:
        for i in range(m):
            yr[i] = y[m - 1 - i]
        for i in range(3 * (n + 1)):
            work[i] = INFINITY
        dm2[0] = 0.0
        for k in range(ndiag):
            lo = lows[k]
            hi = k if k < n - 1 else n - 1
            if 2 * hi > k + window:
                hi = (k + window) // 2
            for t in range(lo3, hi3 + 1):
                dk[t + 1] = INFINITY
            dk[0] = INFINITY
            off = m - 1 - k
            tr = trace + base[k] - lo
            for i in range(lo, hi + 1):
                if metric == 0:
                    diff = x[i] - yr[off + i]
                    c = diff * diff
                else:
                    c = fabs(x[i] - yr[off + i])
                a = dm2[i]
                b = dm1[i]
                e = dm1[i + 1]
                best = a
                mv = 0
                if b < best:
                    best = b
                    mv = 1
                if e < best:
                    best = e
                    mv = 2
                dk[i + 1] = c + best
                tr[i] = mv
            lo3 = lo2
            hi3 = hi2
            lo2 = lo1
            hi2 = hi1
            lo1 = lo
            hi1 = hi
            tmp = dm2
            dm2 = dm1
            dm1 = dk
            dk = tmp
        result = dm1[n]
        length = 0
        if result < INFINITY:
            i = n - 1
            j = m - 1
            pos = n + m - 2
            while True:
                path[pos, 0] = i
                path[pos, 1] = j
                if i == 0 and j == 0:
                    break
                k = i + j
                mv = trace[base[k] + i - lows[k]]
                if mv == 0:
                    i -= 1
                    j -= 1
                elif mv == 1:
                    i -= 1
                else:
                    j -= 1
                pos -= 1
            length = n + m - 1 - pos
    free(lows)
    free(trace)
    free(work)
    return result, length


def dtw_psi(const double[::1] x, const double[::1] y, Py_ssize_t d,
            const int64_t[::1] lo, const int64_t[::1] hi, int metric,
            Py_ssize_t psi_x_begin, Py_ssize_t psi_x_end, Py_ssize_t psi_y_begin,
            Py_ssize_t psi_y_end) -> float:
    """Accumulated cost with psi relaxation (dtaidistance's ``psi``), symmetric1 step.

    A path may start anywhere in the first ``psi_x_begin + 1`` samples of ``x`` or
    the first ``psi_y_begin + 1`` of ``y`` (the skipped samples cost nothing),
    and end in the last ``psi_x_end + 1`` of ``x`` or ``psi_y_end + 1`` of ``y``.
    Per-row bands ``lo[i] <= j <= hi[i]`` as in ``dtw_rows``; all ``psi`` values
    are at most the series' lengths (the caller clamps them).
    """
    cdef Py_ssize_t n = x.shape[0] // d, m = y.shape[0] // d, i, j, t
    cdef Py_ssize_t lo1 = 0, hi1 = -1, lo2 = 0, hi2 = -1
    cdef double c, best, result = INFINITY
    cdef double* work = <double*> malloc(2 * (m + 1) * sizeof(double))
    if work == NULL:
        raise MemoryError()
    cdef double* prev = work
    cdef double* cur = work + (m + 1)
    cdef double* tmp
    with nogil:
        for j in range(2 * (m + 1)):
            work[j] = INFINITY
        for j in range(psi_y_begin + 1):
            if j <= m:
                prev[j] = 0.0  # the virtual row before x: free start in y's head
        for i in range(n):
            for t in range(lo2, hi2 + 1):
                cur[t + 1] = INFINITY
            cur[0] = 0.0 if i < psi_x_begin else INFINITY  # free start in x's head
            for j in range(lo[i], hi[i] + 1):
                c = local_cost(&x[i * d], &y[j * d], d, metric)
                best = prev[j]
                if prev[j + 1] < best:
                    best = prev[j + 1]
                if cur[j] < best:
                    best = cur[j]
                cur[j + 1] = c + best
            if n - 1 - i <= psi_x_end and cur[m] < result:
                result = cur[m]  # free end in x's tail
            lo2 = lo1
            hi2 = hi1
            lo1 = lo[i]
            hi1 = hi[i]
            tmp = prev
            prev = cur
            cur = tmp
        for j in range(m - psi_y_end, m + 1):
            if j >= 1 and prev[j] < result:
                result = prev[j]  # free end in y's tail
    free(work)
    return result


def dtw_last_row(const double[::1] x, const double[::1] y, Py_ssize_t d, int metric,
                 double[::1] out):
    """Last row of the unconstrained symmetric1 accumulated-cost matrix into ``out``
    (``m`` entries), in ``O(m)`` memory: the forward half of Hirschberg's split."""
    cdef Py_ssize_t n = x.shape[0] // d, m = y.shape[0] // d, i, j
    cdef double* work = <double*> malloc(2 * (m + 1) * sizeof(double))
    if work == NULL:
        raise MemoryError()
    cdef double* prev = work
    cdef double* cur = work + (m + 1)
    cdef double* tmp
    cdef double best
    with nogil:
        for j in range(2 * (m + 1)):
            work[j] = INFINITY
        prev[0] = 0.0
        for i in range(n):
            cur[0] = INFINITY
            for j in range(m):
                best = prev[j]
                if prev[j + 1] < best:
                    best = prev[j + 1]
                if cur[j] < best:
                    best = cur[j]
                cur[j + 1] = local_cost(&x[i * d], &y[j * d], d, metric) + best
            tmp = prev
            prev = cur
            cur = tmp
        for j in range(m):
            out[j] = prev[j + 1]
    free(work)
