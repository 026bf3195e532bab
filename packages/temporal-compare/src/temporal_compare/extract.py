"""The best matches of one query among many choices (rapidfuzz's ``process.extract``)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ._validation import as_count
from .errors import TemporalCompareError
from .pairwise import _SIMILARITIES, _scorer_name, cdist

__all__ = ["extract"]


def extract(
    query: Any,
    choices: Sequence[Any],
    *,
    scorer: str | Callable[..., Any] = "levenshtein",
    k: int | None = 5,
    score_cutoff: float | None = None,
    processor: Callable[[Any], Any] | None = None,
    workers: int | None = None,
    best: str | None = None,
) -> list[tuple[Any, float, int]]:
    """The ``k`` choices that score best against ``query``, best first.

    Parameters
    ----------
    query : sequence
        A token sequence (or a numeric series for ``"dtw"`` / ``"euclidean"``).
    choices : sequence of sequences
        Candidates; anything :func:`temporal_compare.cdist` accepts as ``Y``.
    scorer : str or callable
        A :func:`~temporal_compare.cdist` metric name or function of this
        package (``levenshtein``, ``lcs_similarity``, ``dtw``, ...), or any
        callable ``scorer(a, b)``.
    k : int or None
        How many to return (rapidfuzz's ``limit``); ``None`` returns all.
    score_cutoff : float, optional
        Leave out choices scoring worse than it (above it for a distance,
        below it for a similarity).
    processor : callable, optional
        Applied to the query and every choice first.
    workers : int, optional
        Threads, ``-1`` for every CPU.
    best : {"min", "max"}, optional
        Whether small or large scores are better; needed only for a callable
        scorer this package does not know (default ``"min"``, a distance).

    Returns
    -------
    list of (choice, score, index)
        rapidfuzz's tuple layout; ties keep the order of ``choices``.

    Examples
    --------
    >>> extract("apple", ["maple", "apply", "grape", "apple pie"], k=2)
    [('apply', 1.0, 1), ('maple', 2.0, 0)]
    >>> extract("apple", ["maple", "apply", "grape"], scorer="lcs_similarity", k=1)
    [('maple', 0.8, 0)]
    """
    if isinstance(choices, (str, bytes)) or not hasattr(choices, "__len__"):
        raise TemporalCompareError("choices must be a sequence of candidates")
    limit = None if k is None else as_count(k, "k", minimum=1)
    items = list(choices.to_numpy() if hasattr(choices, "to_numpy") else choices)
    if not items:
        return []
    name = _scorer_name(scorer)
    if name is None:
        if best not in (None, "min", "max"):
            raise TemporalCompareError(f"best must be 'min' or 'max', got {best!r}")
        larger_is_better = best == "max"
    else:
        larger_is_better = name in _SIMILARITIES
    scores = cdist([query], items, scorer=scorer, processor=processor, workers=workers)[0]
    if score_cutoff is not None:
        try:
            cut = float(score_cutoff)
        except (TypeError, ValueError):
            raise TemporalCompareError(
                f"score_cutoff must be a number, got {score_cutoff!r}"
            ) from None
        if math.isnan(cut):
            raise TemporalCompareError("score_cutoff must not be NaN")
        keep = scores >= cut if larger_is_better else scores <= cut
    else:
        keep = np.ones(scores.shape[0], dtype=bool)
    order = np.argsort(-scores if larger_is_better else scores, kind="stable")
    picked = [int(i) for i in order if keep[i]]
    if limit is not None:
        picked = picked[:limit]
    return [(items[i], float(scores[i]), i) for i in picked]
