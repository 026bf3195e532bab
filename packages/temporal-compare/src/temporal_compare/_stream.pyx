"""SPRING: subsequence DTW over a live stream (Sakurai, Faloutsos, Yamamuro 2007).

One column of the subsequence-DTW matrix is kept per pattern position, with the
stream time where each cell's best path started. A candidate match is reported
once no cell that could still extend into a better overlapping match remains.
The public class (``temporal_compare.stream.StreamMatcher``) validates its
arguments; this core checks each incoming value, because a per-sample call
cannot afford a second layer. Costs are squared differences.
"""

from libc.math cimport INFINITY, isfinite
from libc.stdlib cimport free, malloc
from libc.stdint cimport int64_t

from .errors import TemporalCompareError


def _real(value):
    """``value`` as a float, or TemporalCompareError for strings, None, complex, ..."""
    if isinstance(value, (str, bytes, complex)) or getattr(value, "imag", 0) != 0:
        raise TemporalCompareError(
            f"value must be a real number, got {type(value).__name__} {value!r}"
        )
    try:
        return float(value)
    except (TypeError, ValueError):
        raise TemporalCompareError(
            f"value must be a real number, got {type(value).__name__} {value!r}"
        ) from None


cdef class SpringCore:
    cdef double* y
    cdef double* d
    cdef double* nd
    cdef int64_t* s
    cdef int64_t* ns
    cdef Py_ssize_t m
    cdef int64_t t
    cdef double eps2
    cdef double dmin
    cdef int64_t ts, te
    cdef object _make
    # banded variant: one cost per (pattern position, warp offset) and time layer
    cdef Py_ssize_t w
    cdef double* band
    cdef double* band_prev

    def __cinit__(self):
        self.y = NULL
        self.d = NULL
        self.nd = NULL
        self.s = NULL
        self.ns = NULL
        self.band = NULL
        self.band_prev = NULL
        self.w = -1

    def _setup(self, const double[::1] pattern, double eps2, make, Py_ssize_t window=-1):
        cdef Py_ssize_t i, m = pattern.shape[0]
        self.m = m
        self.eps2 = eps2
        self._make = make
        self.w = window
        if window >= 0:
            self.band = <double*> malloc((m + 1) * (2 * window + 1) * sizeof(double))
            self.band_prev = <double*> malloc((m + 1) * (2 * window + 1) * sizeof(double))
            if not (self.band and self.band_prev):
                raise MemoryError()
        self.y = <double*> malloc(m * sizeof(double))
        self.d = <double*> malloc((m + 1) * sizeof(double))
        self.nd = <double*> malloc((m + 1) * sizeof(double))
        self.s = <int64_t*> malloc((m + 1) * sizeof(int64_t))
        self.ns = <int64_t*> malloc((m + 1) * sizeof(int64_t))
        if not (self.y and self.d and self.nd and self.s and self.ns):
            raise MemoryError()
        for i in range(m):
            self.y[i] = pattern[i]
        self._reset()

    cdef void _reset(self) noexcept:
        cdef Py_ssize_t i
        for i in range(self.m + 1):
            self.d[i] = INFINITY
            self.s[i] = 0
        self.d[0] = 0.0
        if self.w >= 0:
            for i in range((self.m + 1) * (2 * self.w + 1)):
                self.band[i] = INFINITY
                self.band_prev[i] = INFINITY
        self.t = 0
        self.dmin = INFINITY
        self.ts = 0
        self.te = 0

    def __dealloc__(self):
        free(self.band)
        free(self.band_prev)
        free(self.y)
        free(self.d)
        free(self.nd)
        free(self.s)
        free(self.ns)

    cdef int _step(self, double x, double* out_d, int64_t* out_s, int64_t* out_e) noexcept nogil:
        """Advance one sample; returns 1 and fills the outputs when a match is confirmed."""
        cdef Py_ssize_t i, m = self.m
        cdef double best, c, diff, a, e
        cdef int64_t bs, as_, es
        cdef bint take
        cdef double* d = self.d
        cdef double* nd = self.nd
        cdef int64_t* s = self.s
        cdef int64_t* ns = self.ns
        cdef int found = 0
        cdef bint confirmed
        nd[0] = 0.0
        ns[0] = self.t
        # selects rather than branches: on noisy data the smallest predecessor is
        # unpredictable, and mispredicted branches would dominate the cost
        best = 0.0
        bs = self.t
        for i in range(1, m + 1):
            diff = x - self.y[i - 1]
            c = diff * diff
            a = d[i]
            e = d[i - 1]
            as_ = s[i]
            es = s[i - 1]
            take = a < best
            best = a if take else best
            bs = as_ if take else bs
            take = e < best
            best = e if take else best
            bs = es if take else bs
            best = c + best
            nd[i] = best
            ns[i] = bs
        if self.dmin <= self.eps2:
            confirmed = True
            for i in range(1, m + 1):
                if nd[i] < self.dmin and ns[i] <= self.te:
                    confirmed = False
                    break
            if confirmed:
                out_d[0] = self.dmin
                out_s[0] = self.ts
                out_e[0] = self.te
                found = 1
                for i in range(1, m + 1):
                    if ns[i] <= self.te:
                        nd[i] = INFINITY
                self.dmin = INFINITY
        if nd[m] <= self.eps2 and nd[m] < self.dmin:
            self.dmin = nd[m]
            self.ts = ns[m]
            self.te = self.t
        self.d = nd
        self.nd = d
        self.s = ns
        self.ns = s
        self.t += 1
        return found

    cdef int _step_band(self, double x, double* out_d, int64_t* out_s,
                        int64_t* out_e) noexcept nogil:
        """Advance one sample under the band ``|(t - start) - (i - 1)| <= w``.

        State ``(i, off)`` with ``off = (t - start) - (i - 1)`` in ``[-w, w]``
        holds the cost of the best path from that start, so every start inside
        the band keeps its own exact cost; the start is implied by the state.
        """
        cdef Py_ssize_t i, k, m = self.m, w = self.w, width = 2 * w + 1
        cdef double* cur = self.band
        cdef double* prev = self.band_prev
        cdef double c, diff, best, v, cand = INFINITY
        cdef int64_t start, cand_start = 0
        cdef int found = 0
        cdef bint confirmed
        for i in range(1, m + 1):
            diff = x - self.y[i - 1]
            c = diff * diff
            for k in range(width):
                if i == 1:
                    if k == w:
                        best = 0.0  # a match may start at this sample
                    elif k > w:
                        best = prev[width + k - 1]
                    else:
                        best = INFINITY
                else:
                    best = prev[(i - 1) * width + k]
                    if k >= 1 and prev[i * width + k - 1] < best:
                        best = prev[i * width + k - 1]
                    if k + 1 < width and cur[(i - 1) * width + k + 1] < best:
                        best = cur[(i - 1) * width + k + 1]
                v = c + best
                cur[i * width + k] = v
        for k in range(width):
            v = cur[m * width + k]
            if v < cand:
                cand = v
                cand_start = self.t - (m - 1) - (k - w)
        if self.dmin <= self.eps2:
            confirmed = True
            for i in range(1, m + 1):
                for k in range(width):
                    start = self.t - (i - 1) - (k - w)
                    if cur[i * width + k] < self.dmin and start <= self.te:
                        confirmed = False
                        break
                if not confirmed:
                    break
            if confirmed:
                out_d[0] = self.dmin
                out_s[0] = self.ts
                out_e[0] = self.te
                found = 1
                for i in range(1, m + 1):
                    for k in range(width):
                        if self.t - (i - 1) - (k - w) <= self.te:
                            cur[i * width + k] = INFINITY
                self.dmin = INFINITY
                cand = INFINITY
                for k in range(width):
                    v = cur[m * width + k]
                    if v < cand:
                        cand = v
                        cand_start = self.t - (m - 1) - (k - w)
        if cand <= self.eps2 and cand < self.dmin:
            self.dmin = cand
            self.ts = cand_start
            self.te = self.t
        self.band = prev
        self.band_prev = cur
        self.t += 1
        return found

    def update(self, value):
        """Feed one sample; return the matches it confirms (at most one) as a list."""
        cdef double dist
        cdef int64_t start, end
        if not isinstance(value, float):  # float and numpy.float64 skip the checks
            value = _real(value)
        if not isfinite(value):
            raise TemporalCompareError(f"value must be finite, got {value!r}")
        cdef int hit
        if self.w >= 0:
            hit = self._step_band(value, &dist, &start, &end)
        else:
            hit = self._step(value, &dist, &start, &end)
        if hit:
            return [self._make(start, end, dist)]
        return []

    def extend(self, const double[::1] values):
        """Feed many samples (already validated as finite); return confirmed matches."""
        cdef Py_ssize_t i = 0, n = values.shape[0]
        cdef double dist
        cdef int64_t start, end
        cdef int hit
        out = []
        while i < n:
            hit = 0
            with nogil:
                while i < n and not hit:
                    if self.w >= 0:
                        hit = self._step_band(values[i], &dist, &start, &end)
                    else:
                        hit = self._step(values[i], &dist, &start, &end)
                    i += 1
            if hit:
                out.append(self._make(start, end, dist))
        return out

    def flush(self):
        """Report the pending candidate, if any, as if the stream had ended."""
        cdef double dist = self.dmin
        cdef Py_ssize_t i, k, width = 2 * self.w + 1
        if dist <= self.eps2:
            self.dmin = INFINITY
            if self.w >= 0:
                # band_prev holds the latest layer (time t - 1)
                for i in range(1, self.m + 1):
                    for k in range(width):
                        if self.t - 1 - (i - 1) - (k - self.w) <= self.te:
                            self.band_prev[i * width + k] = INFINITY
            else:
                for i in range(1, self.m + 1):
                    if self.s[i] <= self.te:
                        self.d[i] = INFINITY
            return [self._make(self.ts, self.te, dist)]
        return []

    def reset(self):
        """Forget the stream seen so far (the pattern and threshold stay)."""
        self._reset()

    @property
    def samples_seen(self) -> int:
        return self.t

    @property
    def earliest_start(self) -> int:
        """The smallest start index a match reported from now on can have.

        Costs only grow along a warping path, so a cell whose cost is above the
        threshold can never end in a match: only the pending candidate and the
        cells still within the threshold bound the start. ``samples_seen`` when
        nothing is pending (a later match starts at a sample not seen yet).
        """
        cdef int64_t lo = self.t, start
        cdef Py_ssize_t i, k, width = 2 * self.w + 1
        if self.dmin <= self.eps2 and self.ts < lo:
            lo = self.ts
        if self.w >= 0:
            # band_prev holds the latest layer (time t - 1)
            for i in range(1, self.m + 1):
                for k in range(width):
                    if self.band_prev[i * width + k] <= self.eps2:
                        start = self.t - 1 - (i - 1) - (k - self.w)
                        if start < lo:
                            lo = start
        else:
            for i in range(1, self.m + 1):
                if self.d[i] <= self.eps2 and self.s[i] < lo:
                    lo = self.s[i]
        return lo
