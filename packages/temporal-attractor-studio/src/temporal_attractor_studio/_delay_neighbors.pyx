"""Nearest admissible neighbours of delay vectors in the max norm, several dimensions at once.

Cao's dimension estimate needs, for each reference row ``i`` and each dimension
``d``, the nearest row ``j`` with ``|i - j| > theiler`` and a non-zero distance
``D_d(i, j) = max_{k < d} |x[i + k*delay] - x[j + k*delay]|``. ``D_d`` only grows
with ``d``, so one scan serves a range of dimensions: candidates are visited in
order of ``|x[j] - x[i]|`` (a lower bound of every ``D_d``) and each candidate's
coordinates are added until its distance exceeds the largest current best. The
callers validate every input; directives come from meson.build.
"""

from libc.math cimport fabs, INFINITY


cdef inline double _visit(
    const double[:, ::1] vectors,
    const Py_ssize_t[::1] order,
    Py_ssize_t here,
    Py_ssize_t p,
    Py_ssize_t i,
    Py_ssize_t theiler,
    Py_ssize_t d_lo,
    Py_ssize_t q,
    double bound,
    Py_ssize_t[:, ::1] out_index,
    double[:, ::1] out_dist,
    Py_ssize_t[:, ::1] out_rank,
) noexcept nogil:
    """Offer sorted row ``p`` to query ``q`` (row ``i``); return the new bound."""
    cdef Py_ssize_t j = order[p]
    cdef Py_ssize_t n_dims = out_index.shape[0]
    cdef Py_ssize_t d_hi = d_lo + n_dims - 1
    cdef Py_ssize_t k, t, u
    cdef double dist = 0.0, diff
    if j - i <= theiler and i - j <= theiler:
        return bound  # the window is counted separately
    # The lowest dimension's distance first, without early exits: it rarely stays
    # within the bound, and one predictable test is cheaper than a loop whose exit
    # the processor cannot guess.
    for k in range(d_lo):
        diff = fabs(vectors[here, k] - vectors[p, k])
        dist = diff if diff > dist else dist
    if dist > bound:
        return bound
    for k in range(d_lo - 1, d_hi):
        diff = fabs(vectors[here, k] - vectors[p, k])
        if diff > dist:
            dist = diff
        if dist > bound:
            return bound
        t = k + 1 - d_lo
        if dist == 0.0:
            out_rank[t, q] += 1
        elif dist < out_dist[t, q] or (dist == out_dist[t, q] and j < out_index[t, q]):
            out_dist[t, q] = dist
            out_index[t, q] = j
            bound = 0.0
            for u in range(n_dims):
                if out_dist[u, q] > bound:
                    bound = out_dist[u, q]
    return bound


def chebyshev_delay_neighbors(
    const double[::1] x,
    Py_ssize_t delay,
    const double[:, ::1] sorted_vectors,
    const Py_ssize_t[::1] query,
    Py_ssize_t theiler,
    Py_ssize_t d_lo,
    const Py_ssize_t[::1] order,
    const Py_ssize_t[::1] position,
    Py_ssize_t[:, ::1] out_index,
    double[:, ::1] out_dist,
    Py_ssize_t[:, ::1] out_rank,
):
    """Nearest admissible row of each ``query[q]`` for dimensions ``d_lo .. d_lo + D - 1``.

    ``D = out_index.shape[0]``; rows are ``0 .. rows - 1`` and every
    ``row + (d_lo + D - 2) * delay`` indexes ``x``. ``order`` sorts ``x[:rows]``,
    ``position`` is its inverse and ``sorted_vectors[p]`` is the delay vector
    (dimension ``d_lo + D - 1``) of row ``order[p]``, so the scan reads memory in
    order. For dimension ``d_lo + t`` and query ``q``:
    ``out_index[t, q]`` is the admissible row at the smallest distance (the
    smallest such row on ties; -1 when none), ``out_dist[t, q]`` that distance
    (inf when none) and ``out_rank[t, q]`` one plus the number of inadmissible rows
    (inside the Theiler window, the query itself included, or at distance 0)
    strictly closer, i.e. the nearest admissible row's place in a list of all rows
    sorted by distance (``rows + 1`` when none). O(len(query) * rows * D) time in
    the worst case, far less when the neighbours are close; O(D) extra memory.
    """
    cdef Py_ssize_t rows = sorted_vectors.shape[0]
    cdef Py_ssize_t n_dims = out_index.shape[0]
    cdef Py_ssize_t d_hi = d_lo + n_dims - 1
    cdef Py_ssize_t n_query = query.shape[0]
    cdef Py_ssize_t q, i, j, t, k, lo, hi, here, p
    cdef double xi, bound, dist, diff
    with nogil:
        for q in range(n_query):
            i = query[q]
            here = position[i]
            xi = sorted_vectors[here, 0]
            for t in range(n_dims):
                out_index[t, q] = -1
                out_dist[t, q] = INFINITY
                out_rank[t, q] = 1  # zero-distance rows outside the window, counted below
            bound = INFINITY  # the largest current best: no candidate beyond it can help
            # Each side in turn, outwards: |x[j] - x[i]| only grows, and once it
            # exceeds the largest current best no row further out can be nearer.
            for p in range(here + 1, rows):
                if sorted_vectors[p, 0] - xi > bound:
                    break
                bound = _visit(sorted_vectors, order, here, p, i, theiler, d_lo, q, bound,
                               out_index, out_dist, out_rank)
            for p in range(here - 1, -1, -1):
                if xi - sorted_vectors[p, 0] > bound:
                    break
                bound = _visit(sorted_vectors, order, here, p, i, theiler, d_lo, q, bound,
                               out_index, out_dist, out_rank)
            # Rows inside the Theiler window that are closer than the nearest admissible one.
            lo = i - theiler if i >= theiler else 0
            hi = i + theiler + 1 if i + theiler + 1 < rows else rows
            for j in range(lo, hi):
                dist = 0.0
                for k in range(d_hi):
                    diff = fabs(x[i + k * delay] - x[j + k * delay])
                    if diff > dist:
                        dist = diff
                    if dist >= bound:
                        break
                    if k + 1 >= d_lo and dist < out_dist[k + 1 - d_lo, q]:
                        out_rank[k + 1 - d_lo, q] += 1
            for t in range(n_dims):
                if out_index[t, q] < 0:
                    out_rank[t, q] = rows + 1
