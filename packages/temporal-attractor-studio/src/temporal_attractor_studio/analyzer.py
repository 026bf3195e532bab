"""Streaming attractor analysis over a bounded trajectory."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ._trajectory import TrajectoryBuffer
from ._validation import as_dt, as_points, reject_complex
from .classify import AttractorInfo, classify
from .errors import AttractorError

__all__ = ["AttractorAnalyzer", "TrajectoryStats"]


@dataclass(frozen=True)
class TrajectoryStats:
    """Summary of the stored trajectory.

    ``mean_velocity`` is the mean Euclidean step length divided by ``dt``.
    """

    length: int
    total_points: int
    mean_velocity: float
    mean: tuple[float, ...]
    std: tuple[float, ...]

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python dictionary, for JSON."""
        return {
            "length": self.length,
            "total_points": self.total_points,
            "mean_velocity": self.mean_velocity,
            "mean": list(self.mean),
            "std": list(self.std),
        }


class AttractorAnalyzer(TrajectoryBuffer):
    """Keep the last ``max_points`` points of a ``dim``-dimensional stream and analyse them.

    ``add_point`` is a compiled ring-buffer write (no allocation per point).
    ``analyze`` classifies the first coordinate of the stored trajectory with
    :func:`classify`.

    Examples
    --------
    >>> analyzer = AttractorAnalyzer(dim=2, max_points=1000)
    >>> for t in range(1500):
    ...     analyzer.add_point((np.sin(0.1 * t), np.cos(0.1 * t)))
    >>> stats = analyzer.trajectory_stats(dt=0.1)
    >>> stats.length, stats.total_points, round(stats.mean_velocity, 3)
    (1000, 1500, 1.0)
    >>> analyzer.analyze(dt=0.1).attractor_type.name
    'LIMIT_CYCLE'
    """

    def __init__(self, dim: int, max_points: int) -> None:
        # Arguments are validated by TrajectoryBuffer.__cinit__.
        pass

    def add_points(self, points: ArrayLike) -> None:
        """Append many points, shape ``(m, dim)`` (or ``(m,)`` when ``dim`` is 1)."""
        reject_complex(points, "points")
        arr = np.asarray(points, dtype=np.float64)
        if arr.ndim == 1 and self.dim == 1:
            arr = arr[:, None]
        pts = as_points(arr)
        if pts.shape[1] != self.dim:
            raise AttractorError(f"points must have {self.dim} columns, got {pts.shape[1]}")
        self._extend(pts)

    @property
    def trajectory(self) -> np.ndarray:
        """Stored points, oldest first (a copy)."""
        return self._trajectory()

    def __len__(self) -> int:
        return min(self.total_points, self.max_points)

    def trajectory_stats(self, dt: object = 1.0) -> TrajectoryStats:
        """Length, total points seen, mean velocity, per-coordinate mean and std."""
        dt = as_dt(dt)
        traj = self._trajectory()
        if traj.shape[0] < 2:
            raise AttractorError("trajectory_stats needs at least 2 points")
        steps = np.sqrt((np.diff(traj, axis=0) ** 2).sum(axis=1))
        return TrajectoryStats(
            length=int(traj.shape[0]),
            total_points=int(self.total_points),
            mean_velocity=float(steps.mean() / dt),
            mean=tuple(float(v) for v in traj.mean(axis=0)),
            std=tuple(float(v) for v in traj.std(axis=0)),
        )

    def analyze(self, dt: object = 1.0) -> AttractorInfo:
        """:func:`classify` the first coordinate of the stored trajectory."""
        traj = self._trajectory()
        if traj.shape[0] < 200:
            raise AttractorError(f"analyze needs at least 200 stored points, have {traj.shape[0]}")
        return classify(traj[:, 0], dt=dt)

    def __repr__(self) -> str:
        return (
            f"AttractorAnalyzer(dim={self.dim}, max_points={self.max_points}, "
            f"stored={len(self)}, total_points={self.total_points})"
        )
