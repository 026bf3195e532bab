"""Soft-DTW kernels (Cuturi and Blondel, "Soft-DTW: a differentiable loss function
for time-series", ICML 2017).

The hard minimum of the DTW recurrence becomes the smoothed minimum
``-gamma * log(sum(exp(-v / gamma)))``, so the value is differentiable in the
inputs. The forward pass fills the accumulated matrix R; the backward pass
(the paper's Algorithm 2) fills E, the expected alignment, with
``dR[n, m] / dD[i, j] = E[i, j]``. Local costs are squared Euclidean distances.
Callers validate inputs and sizes and allocate every matrix.
"""

from libc.math cimport INFINITY, exp, log

from temporal_compare._kernels cimport local_cost


cdef inline double _softmin3(double a, double b, double c, double gamma) noexcept nogil:
    """``-gamma * log(exp(-a/gamma) + exp(-b/gamma) + exp(-c/gamma))``, shifted by
    the smallest argument so no exponential overflows."""
    cdef double lo = a
    if b < lo:
        lo = b
    if c < lo:
        lo = c
    if lo == INFINITY:
        return INFINITY
    return lo - gamma * log(exp((lo - a) / gamma) + exp((lo - b) / gamma)
                            + exp((lo - c) / gamma))


def costs(const double[::1] x, const double[::1] y, Py_ssize_t d, double[:, ::1] out):
    """Squared Euclidean cost of every pair of samples into ``out`` (n x m)."""
    cdef Py_ssize_t n = out.shape[0], m = out.shape[1], i, j
    with nogil:
        for i in range(n):
            for j in range(m):
                out[i, j] = local_cost(&x[i * d], &y[j * d], d, 0)


def value(const double[::1] x, const double[::1] y, Py_ssize_t d, double gamma,
          double[::1] work) -> float:
    """Soft-DTW value in linear memory; ``work`` holds ``2 * (m + 1)`` doubles."""
    cdef Py_ssize_t n = x.shape[0] // d, m = y.shape[0] // d, i, j
    cdef double* prev = &work[0]
    cdef double* cur = &work[m + 1]
    cdef double* tmp
    with nogil:
        for j in range(m + 1):
            prev[j] = INFINITY
        prev[0] = 0.0
        for i in range(n):
            cur[0] = INFINITY
            for j in range(m):
                cur[j + 1] = local_cost(&x[i * d], &y[j * d], d, 0) + _softmin3(
                    prev[j], prev[j + 1], cur[j], gamma)
            tmp = prev
            prev = cur
            cur = tmp
    return prev[m]


def forward(const double[:, ::1] D, double gamma, double[:, ::1] R) -> float:
    """Fill ``R`` ((n + 2) x (m + 2)): ``R[i, j]`` is the soft-DTW value of the
    prefixes of lengths i and j; returns ``R[n, m]``."""
    cdef Py_ssize_t n = D.shape[0], m = D.shape[1], i, j
    with nogil:
        for i in range(n + 2):
            for j in range(m + 2):
                R[i, j] = INFINITY
        R[0, 0] = 0.0
        for i in range(1, n + 1):
            for j in range(1, m + 1):
                R[i, j] = D[i - 1, j - 1] + _softmin3(R[i - 1, j - 1], R[i - 1, j],
                                                      R[i, j - 1], gamma)
    return R[n, m]


def backward(const double[:, ::1] D, double[:, ::1] R, double gamma, double[:, ::1] E):
    """Expected alignment ``E`` ((n + 2) x (m + 2), the inner n x m block is the
    gradient of the value with respect to ``D``), from the ``R`` of :func:`forward`
    (whose border row and column it overwrites)."""
    cdef Py_ssize_t n = D.shape[0], m = D.shape[1], i, j
    cdef double a, b, c, dn, dr, dd
    with nogil:
        for i in range(n + 2):
            for j in range(m + 2):
                E[i, j] = 0.0
        for i in range(1, n + 1):
            R[i, m + 1] = -INFINITY
        for j in range(1, m + 1):
            R[n + 1, j] = -INFINITY
        R[n + 1, m + 1] = R[n, m]
        E[n + 1, m + 1] = 1.0
        for j in range(m, 0, -1):
            for i in range(n, 0, -1):
                # the cost of the successor cell; 0 past the last row or column
                dn = D[i, j - 1] if i < n else 0.0
                dr = D[i - 1, j] if j < m else 0.0
                dd = D[i, j] if (i < n and j < m) else 0.0
                a = exp((R[i + 1, j] - R[i, j] - dn) / gamma)
                b = exp((R[i, j + 1] - R[i, j] - dr) / gamma)
                c = exp((R[i + 1, j + 1] - R[i, j] - dd) / gamma)
                E[i, j] = E[i + 1, j] * a + E[i, j + 1] * b + E[i + 1, j + 1] * c
