"""Ready-heap entries and their bulk sort (shared by the queue kernel).

A declarations-only module: the struct and the inline sort are compiled into the
modules that cimport them.
"""

from libc.stdint cimport UINT64_MAX, int64_t, uint32_t, uint64_t
from libc.stdlib cimport calloc, free, malloc
from libc.string cimport memcpy, memset


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
    KEY_BITS = 10              # digits of the one-word sort (sorted_ids)
    KEY_SIZE = 1024            # 1 << KEY_BITS
    KEY_DIGITS = 7             # 7 * 10 bits cover 64
    RUN_INSERTION = 64         # tied runs up to this length are insertion-sorted


cdef struct KeyIndex:
    uint64_t key
    int64_t tid


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


cdef inline void key_histograms(const KeyIndex* items, int64_t n, uint64_t differ,
                                int* varying, int* m, int64_t* counts) noexcept nogil:
    """List the 11-bit digits that vary (given the OR of every key XOR the first) and
    count each varying digit's values into ``counts`` (m * KEY_SIZE int64)."""
    cdef int64_t i
    cdef int d, w
    m[0] = 0
    for d in range(KEY_DIGITS):
        if (differ >> (KEY_BITS * d)) & (KEY_SIZE - 1):
            varying[m[0]] = d
            m[0] += 1
    memset(counts, 0, KEY_DIGITS * KEY_SIZE * sizeof(int64_t))
    for i in range(n):
        for w in range(m[0]):
            counts[w * KEY_SIZE + ((items[i].key >> (KEY_BITS * varying[w])) & (KEY_SIZE - 1))] += 1


cdef inline void sort_keys(KeyIndex* items, KeyIndex* buffer, int64_t n, int64_t* counts,
                           const int* varying, int m) noexcept nogil:
    """Stable LSD radix sort of items by key on the m varying 11-bit digits, whose
    value counts are in ``counts`` (see ``key_histograms``)."""
    cdef int64_t i, total, c
    cdef int d, w, shift
    cdef int64_t* cnt
    cdef KeyIndex* src = items
    cdef KeyIndex* dst = buffer
    cdef KeyIndex* swap
    for w in range(m):
        shift = KEY_BITS * varying[w]
        cnt = &counts[w * KEY_SIZE]
        total = 0
        for d in range(KEY_SIZE):
            c = cnt[d]
            cnt[d] = total
            total += c
        for i in range(n):
            d = <int> ((src[i].key >> shift) & (KEY_SIZE - 1))
            dst[cnt[d]] = src[i]
            cnt[d] += 1
        swap = src
        src = dst
        dst = swap
    if src != items:
        memcpy(items, src, n * sizeof(KeyIndex))


cdef inline void sort_run_by_seq(KeyIndex* items, KeyIndex* buffer, int64_t n,
                                 const Entry* entries, const int64_t* pos,
                                 int64_t* counts) noexcept nogil:
    """Order items with equal keys by their entries' seq (submission order)."""
    cdef int64_t i, k
    cdef uint64_t differ = 0
    cdef KeyIndex tmp
    cdef int varying[KEY_DIGITS]
    cdef int m
    for i in range(n):
        items[i].key = entries[pos[items[i].tid & <int64_t> 0xFFFFFFFF]].seq
    if n <= RUN_INSERTION:
        for i in range(1, n):
            tmp = items[i]
            k = i
            while k > 0 and items[k - 1].key > tmp.key:
                items[k] = items[k - 1]
                k -= 1
            items[k] = tmp
        return
    for i in range(n):
        differ |= items[i].key ^ items[0].key
    key_histograms(items, n, differ, varying, &m, counts)
    sort_keys(items, buffer, n, counts, varying, m)


cdef struct Scratch:
    void* data      # kept between sorts: fresh pages for every drain would each fault
    int64_t size


cdef inline void* scratch_get(Scratch* scratch, int64_t nbytes) except NULL:
    """At least ``nbytes`` of scratch memory, reusing (or growing) ``scratch``."""
    cdef void* grown
    if nbytes > scratch.size:
        free(scratch.data)
        scratch.data = NULL
        scratch.size = 0
        grown = malloc(nbytes if nbytes > 0 else 1)
        if grown == NULL:
            raise MemoryError()
        scratch.data = grown
        scratch.size = nbytes
    return scratch.data


cdef inline int bit_length(uint64_t x) noexcept nogil:
    cdef int b = 0
    while x:
        b += 1
        x >>= 1
    return b


cdef inline int sorted_ids_packed(const Entry* entries, int64_t n, const int64_t* pos,
                                  int64_t n_slots, bint use_k1, uint64_t kmin, int kbits,
                                  int sbits, int64_t* ids_out, Scratch* scratch) except -1:
    """The common case of ``sorted_ids``: one 8-byte word per task,
    ``(key - kmin) << sbits | slot``, sorted on the key bits only (8-bit digits),
    runs of equal keys then ordered by seq; generations are kept aside to rebuild
    the ids. Needs ``kbits + sbits <= 64``."""
    cdef uint64_t* items = <uint64_t*> scratch_get(
        scratch, 2 * n * sizeof(uint64_t) + n_slots * sizeof(uint32_t))
    cdef uint64_t* buffer = items + n
    cdef uint32_t* gens = <uint32_t*> (items + 2 * n)
    cdef int m = (kbits + KEY_BITS - 1) // KEY_BITS
    cdef int64_t* counts = <int64_t*> calloc(KEY_DIGITS * KEY_SIZE, sizeof(int64_t))
    cdef KeyIndex* run = NULL
    cdef KeyIndex* runbuf = NULL
    cdef uint64_t sign = (<uint64_t> 1) << 63
    cdef uint64_t smask = ((<uint64_t> 1) << sbits) - 1
    cdef uint64_t key, item, tmp
    cdef uint64_t* src
    cdef uint64_t* dst
    cdef uint64_t* swap
    cdef int64_t i, j, r, k, total, c, slot
    cdef int w, d, shift
    cdef int64_t* cnt
    cdef int varying[KEY_DIGITS]
    cdef int mv
    cdef uint64_t differ
    if counts == NULL:
        raise MemoryError()
    try:
        with nogil:
            for i in range(n):
                key = (<uint64_t> (entries[i].k1 if use_k1 else entries[i].k2)) ^ sign
                slot = entries[i].tid & <int64_t> 0xFFFFFFFF
                gens[slot] = <uint32_t> (entries[i].tid >> 32)
                item = ((key - kmin) << sbits) | <uint64_t> slot
                items[i] = item
                for w in range(m):
                    counts[w * KEY_SIZE + ((item >> (sbits + KEY_BITS * w)) & (KEY_SIZE - 1))] += 1
            src = items
            dst = buffer
            for w in range(m):
                shift = sbits + KEY_BITS * w
                cnt = &counts[w * KEY_SIZE]
                total = 0
                for d in range(KEY_SIZE):
                    c = cnt[d]
                    cnt[d] = total
                    total += c
                for i in range(n):
                    d = <int> ((src[i] >> shift) & (KEY_SIZE - 1))
                    dst[cnt[d]] = src[i]
                    cnt[d] += 1
                swap = src
                src = dst
                dst = swap
            # Runs of equal keys: order by seq (submission order).
            i = 0
            while i < n:
                j = i + 1
                while j < n and (src[j] >> sbits) == (src[i] >> sbits):
                    j += 1
                if j - i > RUN_INSERTION:
                    with gil:
                        run = <KeyIndex*> malloc((j - i) * sizeof(KeyIndex))
                        runbuf = <KeyIndex*> malloc((j - i) * sizeof(KeyIndex))
                        if run == NULL or runbuf == NULL:
                            raise MemoryError()
                    for r in range(i, j):
                        run[r - i].key = entries[pos[src[r] & smask]].seq
                        run[r - i].tid = <int64_t> src[r]
                    differ = 0
                    for r in range(j - i):
                        differ |= run[r].key ^ run[0].key
                    key_histograms(run, j - i, differ, varying, &mv, counts)
                    sort_keys(run, runbuf, j - i, counts, varying, mv)
                    for r in range(i, j):
                        src[r] = <uint64_t> run[r - i].tid
                    free(run)
                    free(runbuf)
                    run = runbuf = NULL
                elif j - i > 1:
                    for r in range(i + 1, j):
                        tmp = src[r]
                        k = r
                        while k > i and (entries[pos[src[k - 1] & smask]].seq
                                         > entries[pos[tmp & smask]].seq):
                            src[k] = src[k - 1]
                            k -= 1
                        src[k] = tmp
                i = j
            for i in range(n):
                slot = <int64_t> (src[i] & smask)
                ids_out[i] = ((<int64_t> gens[slot]) << 32) | slot
    finally:
        free(run)
        free(runbuf)
        free(counts)
    return 0


cdef inline int sorted_ids(const Entry* entries, int64_t n, const int64_t* pos,
                           int64_t n_slots, int64_t* ids_out, Scratch* scratch) except -1:
    """Write the ``tid`` of entries in (k1, k2, seq) order to ``ids_out``.

    ``pos`` maps a task's slot (the low 32 bits of ``tid``) to its index in
    ``entries``. When k2 (or k1) is the same in every entry (every policy but
    fixed_priority with mixed priorities), sort 16-byte (key, tid) pairs by the other
    key, an LSD radix sort on 11-bit digits, then order each run of equal keys by seq
    (a stable sort keeps ties in array order, which is not submission order).
    Otherwise fall back to the three-word entry sort.
    """
    cdef int64_t i, j
    cdef uint64_t differ1 = 0, differ2 = 0, differ = 0
    cdef uint64_t sign = (<uint64_t> 1) << 63
    cdef uint64_t min1 = UINT64_MAX, max1 = 0, min2 = UINT64_MAX, max2 = 0, key
    cdef KeyIndex* items
    cdef KeyIndex* buffer
    cdef int64_t* counts
    cdef Entry* copy
    cdef int varying[KEY_DIGITS]
    cdef int m, kbits, sbits
    cdef bint use_k1
    if n <= 0:
        return 0
    with nogil:
        for i in range(n):
            differ1 |= <uint64_t> (entries[i].k1 ^ entries[0].k1)
            differ2 |= <uint64_t> (entries[i].k2 ^ entries[0].k2)
            key = (<uint64_t> entries[i].k1) ^ sign
            min1 = key if key < min1 else min1
            max1 = key if key > max1 else max1
            key = (<uint64_t> entries[i].k2) ^ sign
            min2 = key if key < min2 else min2
            max2 = key if key > max2 else max2
    use_k1 = not (differ1 == 0 and differ2 != 0)
    if not (differ1 != 0 and differ2 != 0):
        kbits = bit_length(max1 - min1 if use_k1 else max2 - min2)
        sbits = bit_length(<uint64_t> (n_slots - 1)) if n_slots > 1 else 1
        if kbits > 0 and kbits + sbits <= 64:
            return sorted_ids_packed(entries, n, pos, n_slots, use_k1,
                                     min1 if use_k1 else min2, kbits, sbits, ids_out,
                                     scratch)
    if differ1 != 0 and differ2 != 0:
        copy = <Entry*> malloc(n * sizeof(Entry))
        if copy == NULL:
            raise MemoryError()
        memcpy(copy, entries, n * sizeof(Entry))
        try:
            sort_entries(copy, n)
            for i in range(n):
                ids_out[i] = copy[i].tid
        finally:
            free(copy)
        return 0
    differ = differ1 if use_k1 else differ2
    items = <KeyIndex*> scratch_get(scratch, 2 * n * sizeof(KeyIndex))
    buffer = items + n
    counts = <int64_t*> malloc(KEY_DIGITS * KEY_SIZE * sizeof(int64_t))
    if counts == NULL:
        raise MemoryError()
    with nogil:
        for i in range(n):
            items[i].key = (<uint64_t> (entries[i].k1 if use_k1 else entries[i].k2)) ^ sign
            items[i].tid = entries[i].tid
    with nogil:
        key_histograms(items, n, differ, varying, &m, counts)
        sort_keys(items, buffer, n, counts, varying, m)
        i = 0
        while i < n:
            j = i + 1
            while j < n and items[j].key == items[i].key:
                j += 1
            if j - i > 1:
                sort_run_by_seq(&items[i], buffer, j - i, entries, pos, counts)
            ids_out[i] = items[i].tid
            i += 1
            while i < j:
                ids_out[i] = items[i].tid
                i += 1
    free(counts)
    return 0
