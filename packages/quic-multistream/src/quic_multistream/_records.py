"""Plain-data dicts of result records (the one helper behind every ``to_dict``).

Each public ``to_dict`` method calls :func:`record_dict`, naming what the generic
conversion cannot express: fields to leave out and per-field conversions.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
from collections.abc import Callable, Iterable, Mapping
from typing import Any


def plain(value: Any) -> Any:
    """One field value as builtins, one level deep.

    Enums become their value, dates and times ISO 8601 strings, tuples and lists lists, mappings
    dicts and nested dataclasses their :func:`record_dict`; elements and mapping values
    are kept as they are (shallow, like the hand-written methods this replaces).
    """
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return list(value)
    if isinstance(value, Mapping):
        return dict(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return record_dict(value)
    return value


def record_dict(
    obj: Any,
    *,
    fields: Iterable[str] | None = None,
    omit: Iterable[str] = (),
    convert: Mapping[str, Callable[[Any], Any]] | None = None,
) -> dict[str, Any]:
    """A dict of ``obj``'s fields, in declaration order, converted by :func:`plain`.

    Parameters
    ----------
    obj : object
        A dataclass instance, or any object when ``fields`` is given.
    fields : iterable of str, optional
        Attribute names to read, in order (default: the dataclass fields).
    omit : iterable of str
        Fields left out.
    convert : mapping of str to callable, optional
        Per-field conversions used instead of :func:`plain`.

    Returns
    -------
    dict
    """
    names = [f.name for f in dataclasses.fields(obj)] if fields is None else list(fields)
    skip = set(omit)
    hooks = convert or {}
    return {name: hooks.get(name, plain)(getattr(obj, name)) for name in names if name not in skip}
