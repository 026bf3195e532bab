"""An object API over the comparison functions, with a thread-safe LRU result cache."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from . import edit, elastic, lcs, lockstep
from ._records import record_dict
from ._tokens import _fast, _items
from ._validation import as_count, as_multiseries
from .errors import TemporalCompareError

__all__ = ["ALGORITHMS", "CacheStats", "TemporalComparator"]

#: Algorithms :meth:`TemporalComparator.compare` accepts: numeric ones take
#: series, the others token sequences.
ALGORITHMS: dict[str, tuple[Callable[..., Any], bool]] = {
    "dtw": (elastic.dtw, True),
    "lcss": (elastic.lcss, True),
    "euclidean": (lockstep.euclidean, True),
    "lcs_length": (lcs.lcs_length, False),
    "lcs_similarity": (lcs.lcs_similarity, False),
    "levenshtein": (edit.levenshtein, False),
    "osa": (edit.osa, False),
    "damerau_levenshtein": (edit.damerau_levenshtein, False),
    "hamming": (edit.hamming, False),
}


@dataclass(frozen=True)
class CacheStats:
    """Cache counters of a :class:`TemporalComparator`."""

    hits: int
    misses: int
    size: int
    capacity: int
    hit_rate: float

    def to_dict(self) -> dict[str, Any]:
        return record_dict(self)


def _content_key(value: Any, numeric: bool, name: str) -> Hashable:
    """A key equal for two inputs exactly when the comparison cannot tell them apart."""
    if numeric:
        arr = as_multiseries(value, name, allow_nan=True)
        digest = hashlib.blake2b(arr.tobytes(), digest_size=32).hexdigest()
        return ("array", arr.shape, digest)
    fast = _fast(value)
    if fast is not None:
        kind, codes = fast
        return (kind, codes.shape[0], hashlib.blake2b(codes.tobytes(), digest_size=32).hexdigest())
    items = _items(value, name)
    try:
        hash(tuple(items))
    except TypeError as exc:
        raise TemporalCompareError(f"{name} contains an unhashable token: {exc}") from None
    return ("tokens", tuple(items))


class TemporalComparator:
    """Compare sequences with any algorithm of the package, caching results.

    The cache is keyed on the *content* of both inputs (a BLAKE2b digest of the
    numeric data or integer codes; the token tuple itself for other hashables),
    the algorithm and every parameter, so two different inputs never share an
    entry (the original keyed on lengths and returned stale results). It holds
    at most ``cache_size`` results, evicting the least recently used. All
    methods are safe to call from several threads.

    Examples
    --------
    >>> comparator = TemporalComparator(cache_size=8)
    >>> comparator.compare([1.0, 2.0, 3.0], [1.0, 2.0, 2.0, 3.0], "dtw")
    0.0
    >>> comparator.compare("kitten", "sitting", "levenshtein")
    3
    >>> comparator.compare("kitten", "sitting", "levenshtein")
    3
    >>> comparator.cache_stats()
    CacheStats(hits=1, misses=2, size=2, capacity=8, hit_rate=0.3333333333333333)
    """

    def __init__(self, cache_size: int = 1024, max_sequence_length: int = 100_000) -> None:
        self.cache_size = as_count(cache_size, "cache_size")
        self.max_sequence_length = as_count(max_sequence_length, "max_sequence_length", minimum=1)
        self._cache: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._hits = 0
        self._misses = 0

    def compare(self, a: Any, b: Any, algorithm: str = "dtw", **params: Any) -> Any:
        """Run ``algorithm`` on ``a`` and ``b`` (keyword ``params`` go to it), cached.

        Raises :class:`TemporalCompareError` for an unknown algorithm, a sequence
        longer than ``max_sequence_length``, or anything the algorithm rejects.
        """
        if algorithm not in ALGORITHMS:
            raise TemporalCompareError(
                f"algorithm must be one of {sorted(ALGORITHMS)}, got {algorithm!r}"
            )
        function, numeric = ALGORITHMS[algorithm]
        for name, value in (("a", a), ("b", b)):
            try:
                length = len(value)
            except TypeError:
                raise TemporalCompareError(f"{name} must be a sequence") from None
            if length > self.max_sequence_length:
                raise TemporalCompareError(
                    f"{name} has length {length}, more than max_sequence_length "
                    f"{self.max_sequence_length}"
                )
        try:
            options = tuple(sorted((k, repr(v)) for k, v in params.items()))
        except TypeError:
            raise TemporalCompareError("parameters must be keywords") from None
        key = (
            algorithm,
            options,
            _content_key(a, numeric, "a"),
            _content_key(b, numeric, "b"),
        )
        with self._lock:
            if key in self._cache:
                self._hits += 1
                self._cache.move_to_end(key)
                return self._cache[key]
            self._misses += 1
        try:
            result = function(a, b, **params)
        except TypeError as exc:
            raise TemporalCompareError(f"bad parameters for {algorithm}: {exc}") from None
        if self.cache_size:
            with self._lock:
                self._cache[key] = result
                self._cache.move_to_end(key)
                while len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
        return result

    def cache_stats(self) -> CacheStats:
        """Hits, misses, entries held, capacity and hit rate (0 before any call)."""
        with self._lock:
            total = self._hits + self._misses
            return CacheStats(
                hits=self._hits,
                misses=self._misses,
                size=len(self._cache),
                capacity=self.cache_size,
                hit_rate=self._hits / total if total else 0.0,
            )

    def clear_cache(self) -> None:
        """Drop every cached result and reset the counters."""
        with self._lock:
            self._cache.clear()
            self._hits = 0
            self._misses = 0
