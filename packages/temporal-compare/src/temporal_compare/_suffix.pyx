"""Longest-common-prefix array of a suffix array (Kasai et al. 2001, O(n)).

The caller builds the suffix array and its inverse and validates them.
"""

from libc.stdint cimport int64_t


def lcp_kasai(const int64_t[::1] codes, const int64_t[::1] sa, const int64_t[::1] rank,
              int64_t[::1] lcp):
    """``lcp[r]`` = common prefix length of the suffixes at ``sa[r - 1]`` and ``sa[r]``
    (``lcp[0] = 0``)."""
    cdef Py_ssize_t n = codes.shape[0], i, j, h = 0
    with nogil:
        if n > 0:
            lcp[0] = 0
        for i in range(n):
            if rank[i] > 0:
                j = sa[rank[i] - 1]
                while i + h < n and j + h < n and codes[i + h] == codes[j + h]:
                    h += 1
                lcp[rank[i]] = h
                if h > 0:
                    h -= 1
            else:
                h = 0
