"""Bounded ring buffer of phase-space points behind AttractorAnalyzer.

add_point is the hot path (one call per sample of a stream), so it lives here:
it converts and checks each coordinate in C and writes straight into the buffer.
"""

from cpython.pyport cimport PY_SSIZE_T_MAX
from libc.math cimport isfinite

import numpy as np

from .errors import AttractorError


cdef class TrajectoryBuffer:
    cdef double[:, ::1] _buf
    cdef readonly Py_ssize_t dim
    cdef readonly Py_ssize_t max_points
    cdef Py_ssize_t _pos
    cdef readonly Py_ssize_t total_points

    def __cinit__(self, dim, max_points, *args, **kwargs):
        if isinstance(dim, bool) or not isinstance(dim, int) or dim < 1:
            raise AttractorError(f"dim must be an integer >= 1, got {dim!r}")
        if isinstance(max_points, bool) or not isinstance(max_points, int) or max_points < 2:
            raise AttractorError(f"max_points must be an integer >= 2, got {max_points!r}")
        # Checked before the C assignment: a huge Python int would raise a raw
        # OverflowError, a large one a MemoryError from numpy.
        if dim * max_points * 8 > PY_SSIZE_T_MAX:
            raise AttractorError(
                f"max_points * dim = {max_points * dim} points do not fit in memory "
                f"(dim={dim}, max_points={max_points})"
            )
        try:
            buf = np.zeros((max_points, dim))
        except MemoryError:
            raise AttractorError(
                f"not enough memory for max_points={max_points} points of dim={dim}"
            ) from None
        self.dim = dim
        self.max_points = max_points
        self._buf = buf
        self._pos = 0
        self.total_points = 0

    def add_point(self, point):
        """Append one point (a sequence of ``dim`` numbers, or a number when dim is 1)."""
        cdef Py_ssize_t k
        cdef double v
        if self.dim == 1 and not hasattr(point, "__len__"):
            v = float(point)
            if not isfinite(v):
                raise AttractorError("point contains NaN or infinity")
            self._buf[self._pos, 0] = v
        else:
            if len(point) != self.dim:
                raise AttractorError(f"point must have {self.dim} coordinates, got {len(point)}")
            for k in range(self.dim):
                v = float(point[k])
                if not isfinite(v):
                    raise AttractorError("point contains NaN or infinity")
                self._buf[self._pos, k] = v
        self._pos += 1
        if self._pos == self.max_points:
            self._pos = 0
        self.total_points += 1

    def _extend(self, const double[:, ::1] points):
        """Append validated (m, dim) rows."""
        cdef Py_ssize_t i, k, m = points.shape[0]
        with nogil:
            for i in range(m):
                for k in range(self.dim):
                    self._buf[self._pos, k] = points[i, k]
                self._pos += 1
                if self._pos == self.max_points:
                    self._pos = 0
        self.total_points += m

    def _trajectory(self):
        """Stored points, oldest first, as a new array."""
        buf = np.asarray(self._buf)
        if self.total_points < self.max_points:
            return buf[: self._pos].copy()
        return np.concatenate([buf[self._pos :], buf[: self._pos]])

    def clear(self):
        """Forget every point."""
        self._pos = 0
        self.total_points = 0
