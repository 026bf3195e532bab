"""HDR-style log-linear histogram of non-negative nanosecond values.

Values below 128 are counted exactly; above, each power of two is split into 64
equal buckets, so a reported percentile is at most 1/64 (1.6 %) above the true
sample it stands for. Recording is O(1) and allocation-free.
"""

from libc.stdint cimport int64_t
from libc.string cimport memset


cdef inline int msb(int64_t v) noexcept nogil:
    """Index of the highest set bit of v > 0 (portable, six steps)."""
    cdef int r = 0
    if v >= (<int64_t> 1) << 32:
        v >>= 32
        r += 32
    if v >= (<int64_t> 1) << 16:
        v >>= 16
        r += 16
    if v >= (<int64_t> 1) << 8:
        v >>= 8
        r += 8
    if v >= (<int64_t> 1) << 4:
        v >>= 4
        r += 4
    if v >= (<int64_t> 1) << 2:
        v >>= 2
        r += 2
    if v >= (<int64_t> 1) << 1:
        r += 1
    return r


cdef inline Py_ssize_t bucket_of(int64_t v) noexcept nogil:
    if v < SUB_BUCKETS:
        return <Py_ssize_t> v
    cdef int shift = msb(v) - 6
    return SUB_BUCKETS + (shift - 1) * HALF_BUCKETS + <Py_ssize_t> ((v >> shift) - HALF_BUCKETS)


cdef inline int64_t bucket_high(Py_ssize_t i) noexcept nogil:
    """Largest value that falls in bucket i."""
    if i < SUB_BUCKETS:
        return i
    cdef Py_ssize_t j = i - SUB_BUCKETS
    cdef int shift = <int> (j // HALF_BUCKETS) + 1
    cdef int64_t m = (j % HALF_BUCKETS) + HALF_BUCKETS
    if shift >= 56 and m == 127:
        return 0x7FFFFFFFFFFFFFFF
    return ((m + 1) << shift) - 1


cdef class LatencyHistogram:
    """Counts of nanosecond values in log-linear buckets (HDR-style).

    Negative values are counted as 0.
    """

    def __cinit__(self):
        self.reset()

    def reset(self):
        """Forget every recorded value."""
        memset(self.counts, 0, sizeof(self.counts))
        self.count = 0
        self.min = 0
        self.max = 0
        self.total = 0.0

    cdef void record_value(self, int64_t value) noexcept nogil:
        if value < 0:
            value = 0
        self.counts[bucket_of(value)] += 1
        if self.count == 0 or value < self.min:
            self.min = value
        if self.count == 0 or value > self.max:
            self.max = value
        self.count += 1
        self.total += <double> value

    def record(self, int64_t value):
        """Count one value."""
        self.record_value(value)

    def record_many(self, const int64_t[::1] values):
        """Count every value of a contiguous int64 array."""
        cdef Py_ssize_t i
        with nogil:
            for i in range(values.shape[0]):
                self.record_value(values[i])

    def merge(self, LatencyHistogram other):
        """Add the counts of ``other`` into this histogram."""
        cdef Py_ssize_t i
        if other.count == 0:
            return
        for i in range(N_BUCKETS):
            self.counts[i] += other.counts[i]
        if self.count == 0 or other.min < self.min:
            self.min = other.min
        if self.count == 0 or other.max > self.max:
            self.max = other.max
        self.count += other.count
        self.total += other.total

    @property
    def mean(self):
        return self.total / self.count if self.count else 0.0

    def percentile(self, double p):
        """Nearest-rank percentile ``p`` in [0, 100]; at most 1/64 above the true value."""
        if self.count == 0:
            return 0
        if p <= 0.0:
            return self.min
        cdef double want = p / 100.0 * <double> self.count
        cdef int64_t rank = <int64_t> want
        if <double> rank < want:
            rank += 1
        if rank < 1:
            rank = 1
        if rank > self.count:
            rank = self.count
        cdef int64_t seen = 0
        cdef Py_ssize_t i
        for i in range(N_BUCKETS):
            seen += self.counts[i]
            if seen >= rank:
                return min(bucket_high(i), self.max)
        return self.max
