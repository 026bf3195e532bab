"""Token sequences to int64 arrays, so kernels compare integers instead of objects.

Strings become their code points, integer sequences their values; any other
sequence of hashables gets codes from one dictionary shared by both inputs, so
tokens compare exactly as Python's ``==`` and ``hash`` say.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from . import _edit
from .errors import TemporalCompareError

Tokens = NDArray[np.int64]


def _fast(seq: Any) -> tuple[str, Tokens] | None:
    """(kind, values) without per-token hashing, or None when tokens need a dictionary."""
    if isinstance(seq, str):
        return "str", np.frombuffer(seq.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    if isinstance(seq, np.ndarray):
        if seq.ndim != 1:
            return None
        if seq.dtype.kind in "iub":
            if seq.dtype == np.uint64 and seq.size and int(seq.max()) > np.iinfo(np.int64).max:
                return None  # would wrap around in int64: hash the values instead
            return "int", np.ascontiguousarray(seq, dtype=np.int64)
        return None
    if isinstance(seq, (list, tuple)):
        out = np.empty(len(seq), dtype=np.int64)
        if _edit.fill_ints(seq, out):
            return "int", out
    return None


def _items(seq: Any, name: str) -> list[Any]:
    if isinstance(seq, np.ndarray):
        if seq.ndim != 1:
            raise TemporalCompareError(f"{name} must be a 1-D sequence, got shape {seq.shape}")
        return seq.tolist()
    if isinstance(seq, (str, bytes, Sequence)):
        return list(seq)
    raise TemporalCompareError(
        f"{name} must be a sequence of hashable tokens (str, list, tuple, 1-D array), "
        f"got {type(seq).__name__}"
    )


def encode_many(seqs: Sequence[Any], names: Sequence[str]) -> list[Tokens]:
    """Encode several sequences consistently (equal tokens get equal integers)."""
    if len(seqs) > 2 and all(type(s) is str for s in seqs):
        # many strings: one encode and one buffer instead of one numpy call each
        points = np.frombuffer("".join(seqs).encode("utf-32-le"), dtype=np.uint32)
        flat = points.astype(np.int64)
        out, at = [], 0
        for s in seqs:
            out.append(flat[at : at + len(s)])
            at += len(s)
        return out
    fast = [_fast(s) for s in seqs]
    kinds = {f[0] for f in fast if f is not None}
    if all(f is not None for f in fast) and len(kinds) <= 1:
        return [f[1] for f in fast if f is not None]
    codes: dict[Hashable, int] = {}
    out = []
    for seq, name in zip(seqs, names, strict=True):
        items = _items(seq, name)
        arr = np.empty(len(items), dtype=np.int64)
        try:
            for i, tok in enumerate(items):
                arr[i] = codes.setdefault(tok, len(codes))
        except TypeError as exc:
            raise TemporalCompareError(f"{name} contains an unhashable token: {exc}") from None
        out.append(arr)
    return out


def encode_pair(a: Any, b: Any) -> tuple[Tokens, Tokens]:
    """Encode ``a`` and ``b`` consistently; errors name them ``a`` and ``b``."""
    x, y = encode_many([a, b], ["a", "b"])
    return x, y


def dense(*arrays: Tokens) -> tuple[list[Tokens], int]:
    """Relabel tokens as ``0 .. k-1`` across all arrays; return them and ``k``."""
    if not arrays or sum(a.shape[0] for a in arrays) == 0:
        return list(arrays), 0
    joined = np.concatenate(arrays)
    uniq, inverse = np.unique(joined, return_inverse=True)
    out = []
    start = 0
    for arr in arrays:
        out.append(np.ascontiguousarray(inverse[start : start + arr.shape[0]], dtype=np.int64))
        start += arr.shape[0]
    return out, int(uniq.shape[0])
