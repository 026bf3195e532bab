"""Coercion of user traces into column arrays, with validation.

A trace is a list of per-step dicts (``{"p": True, "speed": 0.3}``) or sets of the
atoms true at that step, or a dict of equal-length 1-D arrays (the fast form), or a
pandas DataFrame (one column per atom or signal) or Series of per-step dicts or sets;
pandas is never imported, only recognised. Atoms are read as booleans; numeric
signals (used by comparisons) as float64. Timestamps may be numbers, or datetime64 /
timedelta64 values (a pandas ``DatetimeIndex`` or ``TimedeltaIndex``), which are read
as seconds since the first step, so interval bounds are then in seconds.

Examples
--------
>>> t = Trace.coerce([{"p"}, {"p", "q"}, set()])
>>> t.length, t.boolean("q", unknown="error").tolist()
(3, [False, True, False])
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from .errors import TemporalLogicError, missing_atom

__all__ = ["Trace", "coerce_times"]


class Trace:
    """Column view of a finite trace: one array per atom or signal."""

    __slots__ = ("_columns", "_sets", "length")

    def __init__(
        self, length: int, columns: dict[str, np.ndarray], sets: list[frozenset[str]] | None
    ) -> None:
        self.length = length
        self._columns = columns
        self._sets = sets

    @classmethod
    def coerce(cls, trace: Any, *, name: str = "trace") -> Trace:
        """Validate ``trace`` and wrap it; raises :class:`TemporalLogicError` on bad input."""
        if isinstance(trace, Trace):
            return trace
        if _is_pandas(trace):
            trace = _from_pandas(trace, name)
        if isinstance(trace, Mapping):
            columns: dict[str, np.ndarray] = {}
            length = -1
            for key, values in trace.items():
                if not isinstance(key, str):
                    raise TemporalLogicError(f"{name}: column names must be strings, got {key!r}")
                arr = np.asarray(values)
                if arr.ndim != 1:
                    raise TemporalLogicError(
                        f"{name}: column {key!r} must be 1-D, got shape {arr.shape}"
                    )
                if length >= 0 and arr.shape[0] != length:
                    raise TemporalLogicError(
                        f"{name}: column {key!r} has length {arr.shape[0]}, expected {length}"
                    )
                length = arr.shape[0]
                columns[key] = arr
            if length <= 0:
                raise TemporalLogicError(f"{name}: a trace needs at least one step")
            return cls(length, columns, None)
        if isinstance(trace, (str, bytes)) or not isinstance(trace, Iterable):
            raise TemporalLogicError(
                f"{name}: expected a list of dicts or sets, or a dict of arrays; "
                f"got {type(trace).__name__}"
            )
        steps = list(trace)
        if not steps:
            raise TemporalLogicError(f"{name}: a trace needs at least one step")
        if all(isinstance(s, (set, frozenset)) for s in steps):
            return cls(len(steps), {}, [frozenset(s) for s in steps])
        if not all(isinstance(s, Mapping) for s in steps):
            bad = next(s for s in steps if not isinstance(s, (Mapping, set, frozenset)))
            raise TemporalLogicError(
                f"{name}: every step must be a dict or a set, got {type(bad).__name__}"
            )
        keys: set[str] = set()
        for s in steps:
            keys.update(s.keys())
        cols: dict[str, np.ndarray] = {}
        for key in keys:
            values = [s.get(key) for s in steps]
            if any(v is None for v in values):
                missing = next(i for i, v in enumerate(values) if v is None)
                raise TemporalLogicError(f"{name}: step {missing} has no value for {key!r}")
            cols[key] = np.asarray(values)
        return cls(len(steps), cols, None)

    def names(self) -> frozenset[str]:
        if self._sets is not None:
            return frozenset().union(*self._sets)
        return frozenset(self._columns)

    def boolean(self, atom: str, *, unknown: str) -> np.ndarray:
        """The atom's truth value at every step, as a boolean array."""
        if self._sets is not None:
            col = self._columns.get(atom)
            if col is None:
                # a set lists the atoms true at that step: an absent atom is false
                col = np.fromiter((atom in s for s in self._sets), dtype=bool, count=self.length)
                self._columns[atom] = col
            return col
        col = self._columns.get(atom)
        if col is None:
            if unknown == "error":
                raise missing_atom("trace", atom)
            return np.zeros(self.length, dtype=bool)
        if col.dtype != bool:
            if col.dtype.kind not in "biuf" or (
                col.dtype.kind == "f" and not np.isfinite(col).all()
            ):
                raise TemporalLogicError(
                    f"trace: atom {atom!r} must be boolean, got dtype {col.dtype}"
                )
            col = col != 0
        return col

    def linear(self, terms: tuple[tuple[str, float], ...], const: float) -> np.ndarray:
        """``sum(c * signal) + const`` at every step."""
        out = np.full(self.length, const, dtype=np.float64)
        for name, c in terms:
            out += c * self.signal(name)
        return out

    def signal(self, name: str) -> np.ndarray:
        """A numeric signal as a finite float64 array."""
        col = self._columns.get(name) if self._sets is None else None
        if col is None:
            raise TemporalLogicError(f"signals: unknown signal {name!r}")
        if col.dtype.kind not in "biuf":
            raise TemporalLogicError(
                f"signals: signal {name!r} must be numeric, got dtype {col.dtype}"
            )
        arr = np.ascontiguousarray(col, dtype=np.float64)
        if not np.isfinite(arr).all():
            raise TemporalLogicError(f"signals: signal {name!r} contains NaN or infinity")
        return arr


def coerce_times(times: Any, length: int, *, name: str = "times") -> np.ndarray:
    """Timestamps as float64, strictly increasing; ``None`` means the step indices."""
    if times is None:
        return np.arange(length, dtype=np.float64)
    if _is_pandas(times) and getattr(getattr(times, "dtype", None), "tz", None) is not None:
        times = times.to_numpy(dtype="datetime64[ns]")  # time-zone aware: to UTC instants
    arr = np.asarray(times)
    if arr.ndim != 1 or arr.shape[0] != length:
        raise TemporalLogicError(f"{name}: expected {length} timestamps, got shape {arr.shape}")
    if arr.dtype.kind in "Mm":  # datetime64 / timedelta64: seconds since the first step
        if np.isnat(arr).any():
            raise TemporalLogicError(f"{name}: timestamps contain NaT")
        arr = (arr - arr[0]) / np.timedelta64(1, "s")
    if arr.dtype.kind not in "iuf":
        raise TemporalLogicError(f"{name}: timestamps must be numeric, got dtype {arr.dtype}")
    arr = arr.astype(np.float64)
    if not np.isfinite(arr).all():
        raise TemporalLogicError(f"{name}: timestamps contain NaN or infinity")
    if length > 1:
        bad = np.flatnonzero(np.diff(arr) <= 0)
        if bad.size:
            i = int(bad[0]) + 1
            raise TemporalLogicError(
                f"{name}: timestamps must be strictly increasing; "
                f"step {i} has {arr[i]:g} after {arr[i - 1]:g}"
            )
    return arr


def _is_pandas(obj: Any) -> bool:
    """Whether ``obj`` is a pandas object, without importing pandas."""
    module = type(obj).__module__
    return module == "pandas" or module.startswith("pandas.")


def _from_pandas(obj: Any, name: str) -> Any:
    """A DataFrame as a dict of columns; a Series (of per-step dicts or sets) as a list."""
    kind = type(obj).__name__
    if kind == "DataFrame":
        columns: dict[str, np.ndarray] = {}
        for key in obj.columns:
            if not isinstance(key, str):
                raise TemporalLogicError(
                    f"{name}: DataFrame column names must be strings (atoms or signals), "
                    f"got {key!r}"
                )
            columns[key] = obj[key].to_numpy()
        if len(columns) != len(obj.columns):
            raise TemporalLogicError(f"{name}: DataFrame column names must be unique")
        return columns
    if kind == "Series":
        return obj.tolist()
    raise TemporalLogicError(f"{name}: expected a pandas DataFrame or Series, got pandas {kind}")
