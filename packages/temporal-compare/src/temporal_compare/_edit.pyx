"""Token-sequence kernels: LCS and edit distances.

Token sequences arrive as int64 arrays (code points, integers, or codes the
caller assigned to arbitrary hashables); the caller validates everything and
checks table sizes. Unit-weight LCS and Levenshtein are bit-parallel: the
shorter sequence becomes a set of bit masks (one bit per position, 64 per
machine word, as many words as needed), and each token of the longer sequence
updates all positions at once (Hyyro's LCS recurrence, Myers' edit-distance
recurrence with Hyyro's block formulation). Everything else is dynamic
programming over rows.
"""

from libc.stdint cimport int32_t, int64_t, uint64_t
from libc.stdlib cimport calloc, free, malloc
from libc.string cimport memset
from cython.parallel cimport parallel, prange

from temporal_compare._kernels cimport TC_HAVE_OPENMP

cdef extern from *:
    """
    #include <stdint.h>
    #if defined(_MSC_VER)
    #include <intrin.h>
    static inline int tc_popcount(unsigned long long x) { return (int)__popcnt64(x); }
    #else
    static inline int tc_popcount(unsigned long long x) { return __builtin_popcountll(x); }
    #endif
    /* One word of Hyyro's LCS step: S' = (S + (S & M) + carry) | (S & ~M), with the
       carry of the addition passed to the next word (add-with-carry where the
       compiler has 128-bit integers). */
    static inline uint64_t tc_lcs_word(uint64_t s, uint64_t pm, uint64_t* carry) {
        uint64_t u = s & pm;
    #if defined(__SIZEOF_INT128__)
        unsigned __int128 sum = (unsigned __int128)s + u + *carry;
        *carry = (uint64_t)(sum >> 64);
        return (uint64_t)sum | (s - u);
    #else
        uint64_t x = s + *carry;
        uint64_t c = x < *carry;
        uint64_t x2 = x + u;
        *carry = c | (x2 < u);
        return x2 | (s - u);
    #endif
    }
    """
    int tc_popcount(uint64_t x) noexcept nogil
    uint64_t tc_lcs_word(uint64_t s, uint64_t pm, uint64_t* carry) noexcept nogil


cdef int64_t INF64 = 1 << 62


def fill_ints(seq, int64_t[::1] out) -> bool:
    """Copy a list/tuple of Python ints into ``out``; False if any item is not a plain int
    that fits in int64 (the caller then falls back to hashing objects)."""
    cdef Py_ssize_t i, n = len(seq)
    for i in range(n):
        v = seq[i]
        if type(v) is not int:
            return False
        try:
            out[i] = v
        except OverflowError:
            return False
    return True


# ---------------------------------------------------------------- hashing tokens

cdef inline Py_ssize_t _slot(int64_t key, Py_ssize_t mask) noexcept nogil:
    cdef uint64_t h = (<uint64_t> key) * 0x9E3779B97F4A7C15ULL
    return <Py_ssize_t> ((h >> 29) & <uint64_t> mask)


cdef struct Codes:
    Py_ssize_t k          # number of distinct tokens in the pattern
    Py_ssize_t words      # 64-bit words per mask
    uint64_t* masks       # k * words: bit i of mask c is set where pattern[i] has code c
    int64_t* text         # codes of the text tokens, -1 when absent from the pattern


cdef int _encode(const int64_t* pattern, Py_ssize_t m, const int64_t* text, Py_ssize_t n,
                 Codes* out) noexcept nogil:
    """Fill ``out``; returns -1 when memory runs out."""
    cdef Py_ssize_t size = 16, mask, i, s
    cdef int64_t code
    while size < 2 * m + 2:
        size *= 2
    mask = size - 1
    cdef int64_t* keys = <int64_t*> malloc(size * sizeof(int64_t))
    cdef int64_t* slot_code = <int64_t*> malloc(size * sizeof(int64_t))
    cdef int64_t* pcode = <int64_t*> malloc((m + 1) * sizeof(int64_t))
    out.masks = NULL
    out.text = <int64_t*> malloc((n + 1) * sizeof(int64_t))
    if keys == NULL or slot_code == NULL or pcode == NULL or out.text == NULL:
        free(keys); free(slot_code); free(pcode); free(out.text)
        out.text = NULL
        return -1
    for i in range(size):
        slot_code[i] = -1
    out.k = 0
    for i in range(m):
        s = _slot(pattern[i], mask)
        while slot_code[s] != -1 and keys[s] != pattern[i]:
            s = (s + 1) & mask
        if slot_code[s] == -1:
            keys[s] = pattern[i]
            slot_code[s] = out.k
            out.k += 1
        pcode[i] = slot_code[s]
    for i in range(n):
        s = _slot(text[i], mask)
        while slot_code[s] != -1 and keys[s] != text[i]:
            s = (s + 1) & mask
        out.text[i] = slot_code[s]
    out.words = (m + 63) // 64
    if out.words == 0:
        out.words = 1
    out.masks = <uint64_t*> calloc((out.k + 1) * out.words + 1, sizeof(uint64_t))
    if out.masks == NULL:
        free(keys); free(slot_code); free(pcode); free(out.text)
        out.text = NULL
        return -1
    for i in range(m):
        code = pcode[i]
        out.masks[code * out.words + i // 64] |= (<uint64_t> 1) << (i % 64)
    free(keys); free(slot_code); free(pcode)
    return 0


cdef void _release(Codes* c) noexcept nogil:
    free(c.masks)
    free(c.text)


# ------------------------------------------------------------- bit-parallel LCS

cdef int64_t _lcs_bits(const Codes* c, Py_ssize_t m, Py_ssize_t n, uint64_t* S) noexcept nogil:
    cdef Py_ssize_t j, w, words = c.words
    cdef int64_t code, total = 0
    cdef uint64_t carry, u, s, x, x2
    cdef const uint64_t* pm
    for w in range(words):
        S[w] = ~(<uint64_t> 0)
    for j in range(n):
        code = c.text[j]
        if code < 0:
            continue
        pm = c.masks + code * words
        carry = 0
        for w in range(words):
            S[w] = tc_lcs_word(S[w], pm[w], &carry)
    for w in range(words):
        if w == words - 1 and m % 64 != 0:
            total += tc_popcount(~S[w] & (((<uint64_t> 1) << (m % 64)) - 1))
        else:
            total += tc_popcount(~S[w])
    return total


def lcs_length(const int64_t[::1] a, const int64_t[::1] b) -> int:
    """Length of a longest common subsequence (bit-parallel)."""
    cdef const int64_t[::1] p = a if a.shape[0] <= b.shape[0] else b
    cdef const int64_t[::1] t = b if a.shape[0] <= b.shape[0] else a
    cdef Py_ssize_t m = p.shape[0], n = t.shape[0]
    cdef Codes c
    cdef int64_t result
    cdef uint64_t* S
    if m == 0:
        return 0
    with nogil:
        if _encode(&p[0], m, &t[0], n, &c) != 0:
            result = -1
        else:
            S = <uint64_t*> malloc(c.words * sizeof(uint64_t))
            if S == NULL:
                result = -1
            else:
                result = _lcs_bits(&c, m, n, S)
                free(S)
            _release(&c)
    if result < 0:
        raise MemoryError()
    return result


# ------------------------------------------------------ bit-parallel Levenshtein

cdef inline void _myers_word(uint64_t eq, uint64_t* VP, uint64_t* VN, uint64_t* hin_pos,
                             uint64_t* hin_neg, int top_bit) noexcept nogil:
    """One 64-row block of one column (Myers / Hyyro); the horizontal delta at the
    block's bottom row (bit ``top_bit``) becomes the next block's input."""
    cdef uint64_t pv = VP[0], mv = VN[0], xv, xh, ph, mh
    xv = eq | mv
    eq |= hin_neg[0]
    xh = (((eq & pv) + pv) ^ pv) | eq
    ph = mv | ~(xh | pv)
    mh = pv & xh
    # ph and mh never share a bit, so at most one output is set
    cdef uint64_t out_pos = (ph >> top_bit) & 1
    cdef uint64_t out_neg = (mh >> top_bit) & 1
    ph = (ph << 1) | hin_pos[0]
    mh = (mh << 1) | hin_neg[0]
    VP[0] = mh | ~(xv | ph)
    VN[0] = ph & xv
    hin_pos[0] = out_pos
    hin_neg[0] = out_neg


cdef int64_t _levenshtein_bits(const Codes* c, Py_ssize_t m, Py_ssize_t n,
                               uint64_t* VP, uint64_t* VN) noexcept nogil:
    cdef Py_ssize_t j, w, words = c.words, last = c.words - 1
    cdef int64_t code, score = m
    cdef uint64_t hin_neg, hin_pos
    cdef int last_bit = (m - 1) % 64
    cdef const uint64_t* pm
    cdef const uint64_t* zero = c.masks + c.k * words  # all-zero mask for absent tokens
    for w in range(words):
        VP[w] = ~(<uint64_t> 0)
        VN[w] = 0
    for j in range(n):
        code = c.text[j]
        pm = c.masks + code * words if code >= 0 else zero
        # horizontal delta entering the top block: the first row grows by one
        hin_neg = 0
        hin_pos = 1
        for w in range(last):
            _myers_word(pm[w], &VP[w], &VN[w], &hin_pos, &hin_neg, 63)
        _myers_word(pm[last], &VP[last], &VN[last], &hin_pos, &hin_neg, last_bit)
        score += <int64_t> hin_pos - <int64_t> hin_neg
    return score


def levenshtein_unit(const int64_t[::1] a, const int64_t[::1] b) -> int:
    """Unit-cost Levenshtein distance (bit-parallel)."""
    cdef const int64_t[::1] p = a if a.shape[0] <= b.shape[0] else b
    cdef const int64_t[::1] t = b if a.shape[0] <= b.shape[0] else a
    cdef Py_ssize_t m = p.shape[0], n = t.shape[0]
    cdef Codes c
    cdef int64_t result
    cdef uint64_t* V
    if m == 0:
        return n
    with nogil:
        if _encode(&p[0], m, &t[0], n, &c) != 0:
            result = -1
        else:
            V = <uint64_t*> malloc(2 * c.words * sizeof(uint64_t))
            if V == NULL:
                result = -1
            else:
                result = _levenshtein_bits(&c, m, n, V, V + c.words)
                free(V)
            _release(&c)
    if result < 0:
        raise MemoryError()
    return result


def pairwise_lcs(const int64_t[::1] flat, const int64_t[::1] starts,
                 const int64_t[::1] lengths, const int64_t[::1] flat_y,
                 const int64_t[::1] starts_y, const int64_t[::1] lengths_y,
                 const int64_t[::1] first, const int64_t[::1] second,
                 int64_t[::1] out, bint levenshtein=False):
    """LCS length (or, with ``levenshtein``, the unit-cost Levenshtein distance) of
    each pair ``(first[p], second[p])`` into ``out[p]`` (GIL released)."""
    cdef Py_ssize_t p, la, lb
    cdef Codes c
    cdef uint64_t* S = NULL
    cdef Py_ssize_t cap = 0
    cdef const int64_t* pa
    cdef const int64_t* pb
    cdef bint failed = False
    with nogil:
        for p in range(first.shape[0]):
            la = lengths[first[p]]
            lb = lengths_y[second[p]]
            pa = &flat[starts[first[p]]] if la > 0 else NULL
            pb = &flat_y[starts_y[second[p]]] if lb > 0 else NULL
            if la == 0 or lb == 0:
                out[p] = la + lb if levenshtein else 0
                continue
            if la > lb:
                pa, pb = pb, pa
                la, lb = lb, la
            if _encode(pa, la, pb, lb, &c) != 0:
                failed = True
                break
            if c.words > cap:
                free(S)
                cap = c.words
                # Levenshtein keeps two bit vectors (VP and VN) per word
                S = <uint64_t*> malloc(2 * cap * sizeof(uint64_t))
                if S == NULL:
                    _release(&c)
                    failed = True
                    break
            if levenshtein:
                out[p] = _levenshtein_bits(&c, la, lb, S, S + c.words)
            else:
                out[p] = _lcs_bits(&c, la, lb, S)
            _release(&c)
        free(S)
    if failed:
        raise MemoryError()


# --------------------------------------------------------- dynamic programming

def levenshtein_weighted(const int64_t[::1] a, const int64_t[::1] b, int64_t ins,
                         int64_t dele, int64_t sub, int64_t band) -> int:
    """Weighted Levenshtein distance turning ``a`` into ``b`` within ``|i - j| <= band``.

    Cells outside the band are unreachable; the caller picks a band wide enough
    that every alignment costing at most its cutoff stays inside.
    """
    cdef Py_ssize_t n = a.shape[0], m = b.shape[0], i, j, lo, hi
    cdef int64_t* buf = <int64_t*> malloc(2 * (m + 1) * sizeof(int64_t))
    if buf == NULL:
        raise MemoryError()
    cdef int64_t* prev = buf
    cdef int64_t* cur = buf + (m + 1)
    cdef int64_t* tmp
    cdef int64_t v, t, result
    with nogil:
        for j in range(2 * (m + 1)):
            buf[j] = INF64
        for j in range(m + 1):
            if j > band:
                break
            prev[j] = j * ins
        for i in range(1, n + 1):
            lo = i - band if i - band > 0 else 0
            hi = i + band if i + band < m else m
            if lo >= 1:
                cur[lo - 1] = INF64
            if lo == 0:
                cur[0] = i * dele
                lo = 1
            for j in range(lo, hi + 1):
                v = prev[j - 1] + (0 if a[i - 1] == b[j - 1] else sub)
                t = prev[j] + dele
                if t < v:
                    v = t
                t = cur[j - 1] + ins
                if t < v:
                    v = t
                cur[j] = v
            if hi + 1 <= m:
                cur[hi + 1] = INF64
            tmp = prev
            prev = cur
            cur = tmp
        result = prev[m]
    free(buf)
    return result


def osa(const int64_t[::1] a, const int64_t[::1] b) -> int:
    """Optimal string alignment distance (adjacent transpositions, no substring edited twice)."""
    cdef Py_ssize_t n = a.shape[0], m = b.shape[0], i, j
    cdef int64_t* buf = <int64_t*> malloc(3 * (m + 1) * sizeof(int64_t))
    if buf == NULL:
        raise MemoryError()
    cdef int64_t* r2 = buf
    cdef int64_t* r1 = buf + (m + 1)
    cdef int64_t* r0 = buf + 2 * (m + 1)
    cdef int64_t* tmp
    cdef int64_t v, t, result
    with nogil:
        for j in range(m + 1):
            r1[j] = j
        for i in range(1, n + 1):
            r0[0] = i
            for j in range(1, m + 1):
                v = r1[j - 1] + (0 if a[i - 1] == b[j - 1] else 1)
                t = r1[j] + 1
                if t < v:
                    v = t
                t = r0[j - 1] + 1
                if t < v:
                    v = t
                if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                    t = r2[j - 2] + 1
                    if t < v:
                        v = t
                r0[j] = v
            tmp = r2
            r2 = r1
            r1 = r0
            r0 = tmp
        result = r1[m]
    free(buf)
    return result


def damerau_levenshtein(const int64_t[::1] a, const int64_t[::1] b, Py_ssize_t alphabet) -> int:
    """Unrestricted Damerau-Levenshtein distance (Lowrance-Wagner).

    Tokens must be dense codes ``0 <= code < alphabet``; uses an
    ``(n + 2) x (m + 2)`` table.
    """
    cdef Py_ssize_t n = a.shape[0], m = b.shape[0], i, j, k, l, db, w = m + 2
    cdef int64_t* d = <int64_t*> malloc((n + 2) * (m + 2) * sizeof(int64_t))
    cdef int64_t* da = <int64_t*> calloc(alphabet + 1, sizeof(int64_t))
    if d == NULL or da == NULL:
        free(d)
        free(da)
        raise MemoryError()
    cdef int64_t maxdist = n + m, v, t, result
    with nogil:
        d[0] = maxdist
        for i in range(n + 1):
            d[(i + 1) * w] = maxdist
            d[(i + 1) * w + 1] = i
        for j in range(m + 1):
            d[j + 1] = maxdist
            d[w + j + 1] = j
        for i in range(1, n + 1):
            db = 0
            for j in range(1, m + 1):
                k = da[b[j - 1]]
                l = db
                if a[i - 1] == b[j - 1]:
                    t = 0
                    db = j
                else:
                    t = 1
                v = d[i * w + j] + t
                t = d[(i + 1) * w + j] + 1
                if t < v:
                    v = t
                t = d[i * w + j + 1] + 1
                if t < v:
                    v = t
                t = d[k * w + l] + (i - k - 1) + 1 + (j - l - 1)
                if t < v:
                    v = t
                d[(i + 1) * w + j + 1] = v
            da[a[i - 1]] = i
        result = d[(n + 1) * w + m + 1]
    free(d)
    free(da)
    return result


def lcs_table(const int64_t[::1] a, const int64_t[::1] b, int32_t[::1] table):
    """Fill the ``(n + 1) x (m + 1)`` LCS length table (row-major)."""
    cdef Py_ssize_t n = a.shape[0], m = b.shape[0], i, j, w = m + 1
    cdef int32_t u, l
    with nogil:
        for j in range(w):
            table[j] = 0
        for i in range(1, n + 1):
            table[i * w] = 0
            for j in range(1, m + 1):
                if a[i - 1] == b[j - 1]:
                    table[i * w + j] = table[(i - 1) * w + j - 1] + 1
                else:
                    u = table[(i - 1) * w + j]
                    l = table[i * w + j - 1]
                    table[i * w + j] = u if u > l else l


def edit_table(const int64_t[::1] a, const int64_t[::1] b, int32_t[::1] table):
    """Fill the ``(n + 1) x (m + 1)`` unit-cost Levenshtein table (row-major)."""
    cdef Py_ssize_t n = a.shape[0], m = b.shape[0], i, j, w = m + 1
    cdef int32_t v, t
    with nogil:
        for j in range(w):
            table[j] = j
        for i in range(1, n + 1):
            table[i * w] = i
            for j in range(1, m + 1):
                v = table[(i - 1) * w + j - 1] + (0 if a[i - 1] == b[j - 1] else 1)
                t = table[(i - 1) * w + j] + 1
                if t < v:
                    v = t
                t = table[i * w + j - 1] + 1
                if t < v:
                    v = t
                table[i * w + j] = v


HAVE_OPENMP = bool(TC_HAVE_OPENMP)


cdef int64_t _lcs_dense_row(const uint64_t* masks, Py_ssize_t words, Py_ssize_t m,
                            const int64_t* text, Py_ssize_t n, uint64_t* S) noexcept nogil:
    cdef Py_ssize_t j, w
    cdef int64_t total = 0
    cdef uint64_t carry, u, s, x, x2
    cdef const uint64_t* pm
    for w in range(words):
        S[w] = ~(<uint64_t> 0)
    for j in range(n):
        pm = masks + text[j] * words
        carry = 0
        for w in range(words):
            S[w] = tc_lcs_word(S[w], pm[w], &carry)
    for w in range(words):
        if w == words - 1 and m % 64 != 0:
            total += tc_popcount(~S[w] & (((<uint64_t> 1) << (m % 64)) - 1))
        else:
            total += tc_popcount(~S[w])
    return total


def pairwise_lcs_dense(const int64_t[::1] flat, const int64_t[::1] starts,
                       const int64_t[::1] lengths, const int64_t[::1] flat_y,
                       const int64_t[::1] starts_y, const int64_t[::1] lengths_y,
                       const int64_t[::1] rows, const int64_t[::1] row_begin,
                       const int64_t[::1] second, Py_ssize_t alphabet,
                       int64_t[::1] out, int num_threads):
    """LCS lengths with the left series of each row encoded once (-1 where a thread
    ran out of memory).

    Tokens are dense codes ``0 <= code < alphabet``. Row ``r`` is left series
    ``rows[r]`` against right series ``second[row_begin[r]:row_begin[r + 1]]``;
    results go to the same positions of ``out``. Rows run in parallel (OpenMP).
    """
    cdef Py_ssize_t nrows = rows.shape[0], r, p, i, words, maxwords = 1, m, n
    cdef uint64_t* masks
    cdef uint64_t* S
    cdef const int64_t* pat
    for r in range(nrows):
        words = (lengths[rows[r]] + 63) // 64
        if words > maxwords:
            maxwords = words
    with nogil, parallel(num_threads=num_threads if num_threads > 0 else 1):
        masks = <uint64_t*> malloc((alphabet * maxwords + 1) * sizeof(uint64_t))
        S = <uint64_t*> malloc((maxwords + 1) * sizeof(uint64_t))
        # every thread takes part in the loop; one without memory marks its rows
        for r in prange(nrows, schedule="dynamic", chunksize=1):
            if masks == NULL or S == NULL:
                for p in range(row_begin[r], row_begin[r + 1]):
                    out[p] = -1
                continue
            m = lengths[rows[r]]
            words = (m + 63) // 64
            if words == 0:
                words = 1
            memset(masks, 0, alphabet * words * sizeof(uint64_t))
            pat = &flat[starts[rows[r]]]
            for i in range(m):
                masks[pat[i] * words + i // 64] |= (<uint64_t> 1) << (i % 64)
            for p in range(row_begin[r], row_begin[r + 1]):
                n = lengths_y[second[p]]
                if m == 0 or n == 0:
                    out[p] = 0
                else:
                    out[p] = _lcs_dense_row(masks, words, m, &flat_y[starts_y[second[p]]], n, S)
        free(masks)
        free(S)
