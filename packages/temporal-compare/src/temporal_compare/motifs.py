"""Motifs and discords of a numeric series, read off its matrix profile.

Motifs are the closest pairs of windows; discords the windows farthest from
everything else (see :mod:`temporal_compare.profile`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ._records import record_dict
from ._validation import as_count
from .profile import matrix_profile

__all__ = ["Discord", "Motif", "discords", "motifs"]


@dataclass(frozen=True)
class Motif:
    """A pair of similar windows: starts ``index`` and ``neighbor``, at ``distance``."""

    index: int
    neighbor: int
    distance: float

    def to_dict(self) -> dict[str, Any]:
        return record_dict(self)


@dataclass(frozen=True)
class Discord:
    """A window far from all others: start ``index``, nearest-neighbour ``distance``."""

    index: int
    distance: float

    def to_dict(self) -> dict[str, Any]:
        return record_dict(self)


def _zone(exclusion: Any, m: int, windows: int) -> int:
    zone = math.ceil(m / 2) if exclusion is None else as_count(exclusion, "exclusion")
    return min(zone, windows)


def motifs(
    series: ArrayLike,
    m: int,
    k: int = 1,
    *,
    exclusion: int | None = None,
    n_jobs: int | None = None,
) -> list[Motif]:
    """The ``k`` closest pairs of windows, each pair away from the others.

    After a pair is taken, windows within ``exclusion`` (default ``ceil(m / 2)``)
    of either member are no longer candidates, so motifs are distinct.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(0).standard_normal(300)
    >>> x[200:220] = x[20:40]
    >>> top = motifs(x, 20, 1)[0]
    >>> (top.index, top.neighbor), round(top.distance, 6)
    ((20, 200), 0.0)
    """
    count = as_count(k, "k", minimum=1)
    mp = matrix_profile(series, m, n_jobs=n_jobs)
    zone = _zone(exclusion, mp.m, mp.profile.shape[0])
    blocked = np.zeros(mp.profile.shape[0], dtype=bool)
    out: list[Motif] = []
    for i in np.argsort(mp.profile, kind="stable"):
        j = int(mp.index[i])
        if j < 0 or blocked[i] or blocked[j]:
            continue
        a, b = sorted((int(i), j))
        out.append(Motif(index=a, neighbor=b, distance=float(mp.profile[i])))
        for p in (a, b):
            blocked[max(0, p - zone) : p + zone + 1] = True
        if len(out) == count:
            break
    return out


def discords(
    series: ArrayLike,
    m: int,
    k: int = 1,
    *,
    exclusion: int | None = None,
    n_jobs: int | None = None,
) -> list[Discord]:
    """The ``k`` windows farthest from their nearest neighbour, each away from the others.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.sin(np.linspace(0, 40 * np.pi, 2000))
    >>> x[1000:1010] += 2.0
    >>> 980 <= discords(x, 50, 1)[0].index <= 1010
    True
    """
    count = as_count(k, "k", minimum=1)
    mp = matrix_profile(series, m, n_jobs=n_jobs)
    zone = _zone(exclusion, mp.m, mp.profile.shape[0])
    blocked = np.zeros(mp.profile.shape[0], dtype=bool)
    out: list[Discord] = []
    for i in np.argsort(-mp.profile, kind="stable"):
        if blocked[i] or not np.isfinite(mp.profile[i]):
            continue
        out.append(Discord(index=int(i), distance=float(mp.profile[i])))
        blocked[max(0, i - zone) : i + zone + 1] = True
        if len(out) == count:
            break
    return out
