from libc.stdint cimport int64_t

cdef enum:
    SUB_BUCKETS = 128       # exact below 128 ns, then 64 sub-buckets per power of two
    HALF_BUCKETS = 64
    N_BUCKETS = 3712        # 128 + 56 * 64 covers every non-negative int64

cdef class LatencyHistogram:
    cdef int64_t counts[N_BUCKETS]
    cdef readonly int64_t count
    cdef readonly int64_t min
    cdef readonly int64_t max
    cdef double total
    cdef void record_value(self, int64_t value) noexcept nogil
