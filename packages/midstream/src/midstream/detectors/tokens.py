"""Token streams: repetition loops (temporal-compare find_patterns) and drift from a
reference answer (temporal-compare lcs_similarity / levenshtein)."""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Sequence

import temporal_compare as tc

from ..config import ReferenceConfig, RepetitionConfig
from ..events import Event
from ..records import Record, alert, record

__all__ = ["ReferenceDetector", "RepetitionDetector"]


class RepetitionDetector:
    """Alerts when an ``ngram`` of tokens recurs ``min_count`` times within ``window`` tokens.

    A running count of the window's n-grams says *when* to look (O(1) per token);
    ``temporal_compare.find_patterns`` then reports the repeated unit and where it
    occurs. One alert per loop episode: the detector re-arms once no n-gram in the
    window reaches ``min_count`` any more.
    """

    def __init__(self, cfg: RepetitionConfig, stream: str) -> None:
        self.cfg = cfg
        self.stream = stream
        self._tokens: deque[str] = deque(maxlen=cfg.window)
        self._last: deque[str] = deque(maxlen=cfg.ngram)
        self._grams: deque[tuple[str, ...]] = deque()
        self._counts: Counter[tuple[str, ...]] = Counter()
        self._over = 0  # n-grams in the window at or above min_count
        self._seen = 0
        self._armed = True

    def _push(self, token: str) -> bool:
        n, k = self.cfg.ngram, self.cfg.min_count
        self._tokens.append(token)
        self._last.append(token)
        self._seen += 1
        if len(self._last) == n:
            gram = tuple(self._last)
            self._grams.append(gram)
            c = self._counts[gram] = self._counts[gram] + 1
            if c == k:
                self._over += 1
            if len(self._grams) > self.cfg.window - n + 1:
                old = self._grams.popleft()
                c = self._counts[old] = self._counts[old] - 1
                if c == k - 1:
                    self._over -= 1
                if c == 0:
                    del self._counts[old]
        return self._over > 0

    async def feed(self, events: Sequence[Event]) -> list[Record]:
        out: list[Record] = []
        for e in events:
            if e.token is None:
                continue
            looping = self._push(e.token)
            if looping and self._armed:
                self._armed = False
                out.append(self._alert(e.t))
            elif not looping:
                self._armed = True
        return out

    def _alert(self, t: int) -> Record:
        cfg = self.cfg
        window = list(self._tokens)
        found = tc.find_patterns(window, cfg.ngram, cfg.ngram, min_count=cfg.min_count)
        best = found[0]
        first = self._seen - len(window)
        text = "".join(best.tokens)
        return alert(
            self.stream,
            t,
            "repetition",
            cfg.severity,
            f"repetition loop: {text!r} x{best.count} in the last {len(window)} tokens",
            tokens=list(best.tokens),
            count=best.count,
            positions=[first + p for p in best.positions],
        )

    async def close(self) -> list[Record]:
        return []


class ReferenceDetector:
    """Alerts when the running response drifts from its reference answer.

    Every ``every`` tokens (once the response has ``min_chars`` characters) the
    response text is compared with the reference's prefix of the same length, with
    LCS similarity or normalised Levenshtein similarity (``1 - d / longer``). A
    response longer than twice its reference is compared no further (its first
    ``2 * len(reference)`` characters decide), which bounds the cost per stream.
    """

    def __init__(self, cfg: ReferenceConfig, stream: str) -> None:
        self.cfg = cfg
        self.stream = stream
        self._parts: list[str] = []
        self._chars = 0
        self._since = 0
        self._armed = True
        self.similarity: float | None = None
        self._last_t = 0
        self._done = False  # the response passed twice the reference's length

    def _compare(self) -> float:
        limit = 2 * len(self.cfg.reference)
        text = "".join(self._parts)[:limit]
        ref = self.cfg.reference[: len(text)]
        if self.cfg.metric == "lcs":
            return tc.lcs_similarity(text, ref)
        longer = max(len(text), len(ref))
        return 1.0 - tc.levenshtein(text, ref) / longer if longer else 1.0

    async def feed(self, events: Sequence[Event]) -> list[Record]:
        out: list[Record] = []
        cfg = self.cfg
        for e in events:
            if e.token is None:
                continue
            self._parts.append(e.token)
            self._chars += len(e.token)
            self._since += 1
            self._last_t = e.t
            if self._since < cfg.every or self._chars < cfg.min_chars or self._done:
                continue
            self._done = self._chars >= 2 * len(cfg.reference)
            self._since = 0
            self.similarity = s = self._compare()
            if s < cfg.threshold and self._armed:
                self._armed = False
                out.append(
                    alert(
                        self.stream,
                        e.t,
                        "reference",
                        cfg.severity,
                        f"response drifted from its reference: {cfg.metric} similarity "
                        f"{s:.2f} < {cfg.threshold}",
                        similarity=s,
                        chars=self._chars,
                        metric=cfg.metric,
                    )
                )
            elif s >= cfg.threshold:
                self._armed = True
        return out

    async def close(self) -> list[Record]:
        if not self._parts:
            return []
        self.similarity = self._compare()
        return [
            record(
                "similarity",
                self.stream,
                self._last_t,
                detector="reference",
                metric=self.cfg.metric,
                value=self.similarity,
                chars=self._chars,
            )
        ]
