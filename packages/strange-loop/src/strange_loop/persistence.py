"""Save and load a whole :class:`~strange_loop.StrangeLoop` (or a single learner).

Format (version 1): one ``.npz`` file (a zip archive, written by
:func:`numpy.savez`) holding

* ``__strange_loop__`` - UTF-8 JSON as a ``uint8`` array: ``{"format":
  "strange-loop", "version": 1, "state": ...}``, where every numpy array of the
  state is replaced by ``{"__array__": "<name>"}``;
* one member per array, named ``a0``, ``a1``, ... (numeric dtypes only).

Loading uses ``numpy.load(allow_pickle=False)``: no pickle is ever read or written.
Writing is atomic: a temporary file in the target directory is written, flushed,
``fsync``-ed, renamed over the target (``os.replace``) and the directory is
``fsync``-ed, so a process killed mid-save leaves the previous file intact. A
corrupted, truncated, foreign or future-version file raises
:class:`~strange_loop.StateFileError` and nothing is half-loaded.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import tempfile
import zipfile
from collections import deque
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from .bandits import UCB, EpsilonGreedyBandit, GradientBandit, ThompsonSampling
from .errors import StateFileError, StrangeLoopError
from .learner import Learner
from .linear import LinearQLearning
from .loop import StrangeLoop
from .rules import Rule
from .tabular import ExpectedSarsa, SarsaLambda, TabularQLearning

__all__ = ["FORMAT", "VERSION", "load", "save"]

FORMAT = "strange-loop"
VERSION = 1
_HEADER = "__strange_loop__"
_LEARNERS: dict[str, type[Learner]] = {
    cls.__name__: cls
    for cls in (
        TabularQLearning,
        ExpectedSarsa,
        SarsaLambda,
        EpsilonGreedyBandit,
        UCB,
        ThompsonSampling,
        GradientBandit,
        LinearQLearning,
    )
}


# ----------------------------------------------------------------- encoding
def _split(obj: Any, arrays: dict[str, np.ndarray]) -> Any:
    """JSON-able copy of ``obj`` with arrays moved into ``arrays``."""
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind not in "biuf":
            raise StrangeLoopError(f"save: cannot store an array of dtype {obj.dtype}")
        name = f"a{len(arrays)}"
        arrays[name] = obj
        return {"__array__": name}
    if isinstance(obj, dict):
        return {str(k): _split(v, arrays) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, deque)):
        return [_split(v, arrays) for v in obj]
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (np.floating,)):
        return float(obj)
    if isinstance(obj, np.bool_):
        return bool(obj)
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    raise StrangeLoopError(f"save: cannot store a {type(obj).__name__}")


def _join(obj: Any, arrays: Any) -> Any:
    if isinstance(obj, dict):
        if set(obj) == {"__array__"}:
            name = obj["__array__"]
            if name not in arrays.files:
                raise StateFileError(f"state file: missing array {name!r}")
            return np.array(arrays[name])
        return {k: _join(v, arrays) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_join(v, arrays) for v in obj]
    return obj


def _learner_state(learner: Learner) -> dict[str, Any]:
    return learner.to_state()


def _learner_from(state: dict[str, Any]) -> Learner:
    cls = _LEARNERS.get(state.get("kind", ""))
    if cls is None:
        raise StateFileError(f"state file: unknown learner kind {state.get('kind')!r}")
    return cls.from_state(state)


def _payload_state(payload: Any) -> Any:
    if payload is None:
        return None
    if isinstance(payload, Learner):
        return {"learner": _learner_state(payload)}
    if isinstance(payload, Rule):
        return {"rule": payload.to_dict()}
    if isinstance(payload, tuple):
        return {"remove": payload[1]}
    raise StrangeLoopError(f"save: cannot store a modification payload {payload!r}")


def _payload_from(state: Any) -> Any:
    if state is None:
        return None
    if "learner" in state:
        return _learner_from(state["learner"])
    if "rule" in state:
        return Rule.from_dict(state["rule"])
    return ("remove", state["remove"])


def _encode(obj: StrangeLoop | Learner) -> dict[str, Any]:
    if isinstance(obj, StrangeLoop):
        return obj.to_state(_payload_state)
    if isinstance(obj, Learner):
        return {"type": "Learner", "learner": _learner_state(obj)}
    raise StrangeLoopError(f"obj: expected a StrangeLoop or a Learner, got {type(obj).__name__}")


def _decode(state: Mapping[str, Any]) -> StrangeLoop | Learner:
    kind = state.get("type")
    if kind == "StrangeLoop":
        return StrangeLoop.from_state(state, _learner_from, _payload_from)
    if kind == "Learner":
        return _learner_from(state["learner"])
    raise StateFileError(f"state file: unknown object type {kind!r}")


def save(obj: StrangeLoop | Learner, path: str | os.PathLike[str]) -> Path:
    """Write ``obj`` to ``path`` atomically (see the module docstring); returns the path.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from strange_loop import TabularQLearning, load, save
    >>> agent = TabularQLearning(4, 2, seed=0)
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = save(agent, pathlib.Path(d) / "agent.npz")
    ...     load(p).q.shape
    (4, 2)
    """
    target = Path(path)
    arrays: dict[str, np.ndarray] = {}
    header = {"format": FORMAT, "version": VERSION, "state": _split(_encode(obj), arrays)}
    text = json.dumps(header, allow_nan=True, separators=(",", ":"))
    members = {_HEADER: np.frombuffer(text.encode("utf-8"), dtype=np.uint8), **arrays}
    directory = target.parent if str(target.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **members)  # type: ignore[arg-type]
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    return target


def load(path: str | os.PathLike[str]) -> StrangeLoop | Learner:
    """Read an object written by :func:`save`; raises StateFileError on any defect."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise StateFileError(f"path: cannot read {str(p)!r}: {exc}") from exc
    try:
        with np.load(io.BytesIO(raw), allow_pickle=False) as npz:
            if _HEADER not in npz.files:
                raise StateFileError(f"state file {str(p)!r}: not a strange-loop state file")
            header = json.loads(bytes(npz[_HEADER]).decode("utf-8"))
            if not isinstance(header, dict) or header.get("format") != FORMAT:
                raise StateFileError(f"state file {str(p)!r}: not a strange-loop state file")
            version = header.get("version")
            if not isinstance(version, int) or version > VERSION or version < 1:
                raise StateFileError(
                    f"state file {str(p)!r}: format version {version!r} is not supported "
                    f"(this strange-loop reads versions 1..{VERSION})"
                )
            state = _join(header["state"], npz)
    except StateFileError:
        raise
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, UnicodeDecodeError) as exc:
        raise StateFileError(f"state file {str(p)!r}: corrupted or truncated ({exc})") from exc
    try:
        return _decode(state)
    except StateFileError:
        raise
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
        raise StateFileError(f"state file {str(p)!r}: inconsistent state ({exc!r})") from exc
