"""Ready-heap entries and their bulk sort (shared by the queue kernel).

A declarations-only module: the struct and the inline sort are compiled into the
modules that cimport them.
"""

from libc.stdint cimport int64_t, uint64_t
from libc.stdlib cimport calloc, free, malloc
from libc.string cimport memcpy


cdef struct Entry:
    int64_t k1
    int64_t k2
    uint64_t seq
    int64_t tid           # the task id: (generation << 32) | slot


cdef inline bint before(const Entry* a, const Entry* b) noexcept nogil:
    if a.k1 != b.k1:
        return a.k1 < b.k1
    if a.k2 != b.k2:
        return a.k2 < b.k2
    return a.seq < b.seq


cdef enum:
    RADIX_BITS = 8
    RADIX_SIZE = 256           # 1 << RADIX_BITS
    RADIX_DIGITS = 24          # 8 digits cover each of the three 64-bit key words


cdef inline uint64_t key_word(const Entry* e, int w) noexcept nogil:
    """Word w of the sort key, least significant first: seq, k2, k1 (as unsigned order)."""
    if w == 0:
        return e.seq
    if w == 1:
        return (<uint64_t> e.k2) ^ ((<uint64_t> 1) << 63)  # signed -> unsigned order
    return (<uint64_t> e.k1) ^ ((<uint64_t> 1) << 63)


cdef inline Py_ssize_t radix_digit(const Entry* e, int d) noexcept nogil:
    return <Py_ssize_t> ((key_word(e, d // 8) >> (RADIX_BITS * (d % 8))) & (RADIX_SIZE - 1))


cdef inline int sort_entries(Entry* entries, int64_t n) except -1:
    """Sort entries by (k1, k2, seq): LSD radix sort on bytes, skipping the
    digits that are the same in every entry (often most of them)."""
    cdef int64_t* counts = <int64_t*> calloc(RADIX_DIGITS * RADIX_SIZE, sizeof(int64_t))
    cdef Entry* buffer = <Entry*> malloc(n * sizeof(Entry))
    cdef Entry* src = entries
    cdef Entry* dst = buffer
    cdef Entry* swap
    cdef int64_t* cnt
    cdef int64_t i, total, c
    cdef int d, w, m
    cdef Py_ssize_t b
    cdef uint64_t first[3]
    cdef uint64_t differ[3]
    cdef int varying[RADIX_DIGITS]
    if counts == NULL or buffer == NULL:
        free(counts)
        free(buffer)
        raise MemoryError()
    with nogil:
        for w in range(3):
            first[w] = key_word(&src[0], w)
            differ[w] = 0
        for i in range(n):
            for w in range(3):
                differ[w] |= key_word(&src[i], w) ^ first[w]
        m = 0
        for d in range(RADIX_DIGITS):
            if (differ[d // 8] >> (RADIX_BITS * (d % 8))) & (RADIX_SIZE - 1):
                varying[m] = d
                m += 1
        for i in range(n):
            for w in range(m):
                counts[w * RADIX_SIZE + radix_digit(&src[i], varying[w])] += 1
        for w in range(m):
            d = varying[w]
            cnt = &counts[w * RADIX_SIZE]
            total = 0
            for b in range(RADIX_SIZE):
                c = cnt[b]
                cnt[b] = total
                total += c
            for i in range(n):
                b = radix_digit(&src[i], d)
                dst[cnt[b]] = src[i]
                cnt[b] += 1
            swap = src
            src = dst
            dst = swap
        if src != entries:
            memcpy(entries, src, n * sizeof(Entry))
    free(counts)
    free(buffer)
    return 0
