"""Kripke structures and CTL model checking by vectorised fixpoints.

States are numbered internally; transitions are kept as compressed sparse rows in
both directions, labels as one boolean array per atom. ``EX`` is one scatter over
the edge list; ``E[φ U ψ]`` is a backward breadth-first search that only touches the
predecessors of the last frontier; ``EG φ`` peels states without a successor inside
the candidate set (successor counting), so each edge is handled O(1) times; fairness
uses the Emerson-Lei fixpoint ``νZ. φ ∧ ⋀ EX E[φ U (Z ∧ F_k)]``.

Examples
--------
>>> m = Kripke(["idle", "busy"], [("idle", "busy"), ("busy", "idle"), ("busy", "busy")],
...            {"busy": ["req"], "idle": ["resp"]}, ["idle"])
>>> check_ctl(m, "AG (req -> AF resp)").holds
False
>>> sorted(check_ctl(m, "EF resp").states)
['busy', 'idle']
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from ._records import record_dict
from .errors import TemporalLogicError
from .evaluate import as_formula
from .formula import Formula

__all__ = ["CTLResult", "Kripke", "check_ctl"]


_PATH_OPS = frozenset({"X", "N", "F", "G", "U", "R", "W", "M"})


class Kripke:
    """A Kripke structure ``(states, transitions, labels, initial)``.

    Parameters
    ----------
    states : sequence of hashable
        Distinct state names.
    transitions : iterable of (src, dst) pairs, or mapping src -> iterable of dst
    labels : mapping state -> iterable of str
        The atoms true in each state (states not listed have none).
    initial : iterable of states
        Non-empty.
    deadlock : {"error", "self_loop"}
        A state without successors is an error, or gets a self-loop (so that every
        path is infinite, as LTL and CTL semantics require).

    Raises
    ------
    TemporalLogicError
        For duplicate states, transitions or labels naming unknown states, an empty
        or unknown initial set, or a deadlock state with ``deadlock="error"``.
    """

    def __init__(
        self,
        states: Sequence[Hashable],
        transitions: Iterable[tuple[Hashable, Hashable]] | Mapping[Hashable, Iterable[Hashable]],
        labels: Mapping[Hashable, Iterable[str]],
        initial: Iterable[Hashable],
        *,
        deadlock: str = "error",
    ) -> None:
        names = list(states)
        index = {s: i for i, s in enumerate(names)}
        if len(index) != len(names):
            raise TemporalLogicError("states: state names must be distinct")
        if isinstance(transitions, Mapping):
            pairs = [(s, d) for s, ds in transitions.items() for d in ds]
        else:
            pairs = list(transitions)
        src = np.empty(len(pairs), dtype=np.int64)
        dst = np.empty(len(pairs), dtype=np.int64)
        for k, pair in enumerate(pairs):
            try:
                s, d = pair
            except (TypeError, ValueError):
                raise TemporalLogicError(
                    f"transitions: expected (src, dst) pairs, got {pair!r}"
                ) from None
            if s not in index or d not in index:
                bad = s if s not in index else d
                raise TemporalLogicError(f"transitions: ({s!r}, {d!r}) names unknown state {bad!r}")
            src[k], dst[k] = index[s], index[d]
        cols: dict[str, np.ndarray] = {}
        for s, atoms in labels.items():
            if s not in index:
                raise TemporalLogicError(f"labels: unknown state {s!r}")
            if isinstance(atoms, str):
                raise TemporalLogicError(
                    f"labels: state {s!r} must map to a collection of atoms, not a str"
                )
            for a in atoms:
                col = cols.get(a)
                if col is None:
                    col = cols[a] = np.zeros(len(names), dtype=bool)
                col[index[s]] = True
        init = np.zeros(len(names), dtype=bool)
        for s in initial:
            if s not in index:
                raise TemporalLogicError(f"initial: unknown state {s!r}")
            init[index[s]] = True
        self._setup(names, src, dst, cols, init, deadlock)

    @classmethod
    def from_arrays(
        cls,
        n_states: int,
        src: Any,
        dst: Any,
        labels: Mapping[str, Any],
        initial: Any,
        *,
        deadlock: str = "error",
    ) -> Kripke:
        """A structure over states ``0..n_states-1`` from edge arrays (fast for big models).

        ``labels`` maps each atom to a boolean array of length ``n_states``;
        ``initial`` is an array of state indices.

        Examples
        --------
        >>> m = Kripke.from_arrays(2, [0, 1], [1, 0], {"p": [True, False]}, [0])
        >>> check_ctl(m, "AG (p | AX p)").holds
        True
        """
        n = int(n_states)
        if n <= 0:
            raise TemporalLogicError("n_states: need at least one state")
        s = np.asarray(src)
        d = np.asarray(dst)
        if s.size == 0 and d.size == 0:
            s, d = s.reshape(0).astype(np.int64), d.reshape(0).astype(np.int64)
        if (
            s.ndim != 1
            or d.shape != s.shape
            or s.dtype.kind not in "iu"
            or d.dtype.kind not in "iu"
        ):
            raise TemporalLogicError("src, dst: expected integer arrays of equal length")
        s = s.astype(np.int64)
        d = d.astype(np.int64)
        if s.size and (min(s.min(), d.min()) < 0 or max(s.max(), d.max()) >= n):
            raise TemporalLogicError(f"src, dst: state indices must lie in [0, {n})")
        cols = {}
        for a, v in labels.items():
            arr = np.asarray(v)
            if arr.shape != (n,) or arr.dtype != bool:
                raise TemporalLogicError(f"labels: {a!r} must be a boolean array of length {n}")
            cols[a] = arr.copy()
        ini = np.asarray(initial, dtype=np.int64).ravel()
        if ini.size and (ini.min() < 0 or ini.max() >= n):
            raise TemporalLogicError(f"initial: state indices must lie in [0, {n})")
        init = np.zeros(n, dtype=bool)
        init[ini] = True
        self = object.__new__(cls)
        self._setup(range(n), s, d, cols, init, deadlock)
        return self

    def _setup(
        self,
        names: Sequence[Hashable],
        src: np.ndarray,
        dst: np.ndarray,
        labels: dict[str, np.ndarray],
        init: np.ndarray,
        deadlock: str,
    ) -> None:
        n = len(names)
        if n == 0:
            raise TemporalLogicError("states: need at least one state")
        if not init.any():
            raise TemporalLogicError("initial: need at least one initial state")
        if deadlock not in ("error", "self_loop"):
            raise TemporalLogicError(f"deadlock: expected 'error' or 'self_loop', got {deadlock!r}")
        has_succ = np.zeros(n, dtype=bool)
        has_succ[src] = True
        dead = np.flatnonzero(~has_succ)
        if dead.size:
            if deadlock == "error":
                raise TemporalLogicError(
                    f"transitions: state {names[int(dead[0])]!r} has no successor "
                    f"({dead.size} deadlock state(s)); pass deadlock='self_loop' to complete them"
                )
            src = np.concatenate((src, dead))
            dst = np.concatenate((dst, dead))
        self.names = list(names)
        self.n_states = n
        self.src, self.dst = src, dst
        order = np.argsort(src, kind="stable")
        self._succ_ptr = np.concatenate(([0], np.cumsum(np.bincount(src, minlength=n))))
        self._succ_idx = dst[order]
        order = np.argsort(dst, kind="stable")
        self._pred_ptr = np.concatenate(([0], np.cumsum(np.bincount(dst, minlength=n))))
        self._pred_idx = src[order]
        self.labels = labels
        self.initial = init

    def __repr__(self) -> str:
        atoms = sorted(self.labels)
        return f"Kripke(n_states={self.n_states}, n_transitions={self.src.size}, atoms={atoms})"

    def successors(self, i: int) -> np.ndarray:
        """Indices of the successors of state index ``i``."""
        return self._succ_idx[self._succ_ptr[i] : self._succ_ptr[i + 1]]

    def label(self, atom: str, unknown: str = "error") -> np.ndarray:
        col = self.labels.get(atom)
        if col is None:
            if unknown == "error":
                raise TemporalLogicError(
                    f"formula: atom {atom!r} labels no state (pass unknown='false')"
                )
            return np.zeros(self.n_states, dtype=bool)
        return col

    # -- fixpoint primitives ---------------------------------------------------------
    def _preds(self, frontier: np.ndarray) -> np.ndarray:
        """Predecessors of the given states, with one entry per edge."""
        ptr = self._pred_ptr
        starts = ptr[frontier]
        lengths = ptr[frontier + 1] - starts
        total = int(lengths.sum())
        if total == 0:
            return np.empty(0, dtype=np.int64)
        offsets = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
        return self._pred_idx[offsets + np.arange(total)]

    def pre(self, z: np.ndarray) -> np.ndarray:
        """``EX z``: states with some successor in ``z``."""
        out = np.zeros(self.n_states, dtype=bool)
        out[self.src[z[self.dst]]] = True
        return out

    def eu(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """``E[a U b]`` by backward breadth-first search from ``b``."""
        result = b.copy()
        frontier = np.flatnonzero(b)
        while frontier.size:
            preds = self._preds(frontier)
            preds = preds[a[preds] & ~result[preds]]
            if preds.size == 0:
                break
            preds = np.unique(preds)
            result[preds] = True
            frontier = preds
        return result

    def eg(self, a: np.ndarray) -> np.ndarray:
        """``EG a``: the greatest set inside ``a`` where every state has a successor in it."""
        z = a.copy()
        edge_in = z[self.dst] & z[self.src]
        count = np.bincount(self.src[edge_in], minlength=self.n_states)
        frontier = np.flatnonzero(z & (count == 0))
        while frontier.size:
            z[frontier] = False
            preds = self._preds(frontier)
            preds = preds[z[preds]]
            if preds.size == 0:
                break
            uniq, dec = np.unique(preds, return_counts=True)
            count[uniq] -= dec
            frontier = uniq[count[uniq] == 0]
        return z

    def eg_fair(self, a: np.ndarray, fair_sets: list[np.ndarray]) -> np.ndarray:
        """``EG a`` along paths that visit every fairness set infinitely often."""
        z = self.eg(a)
        while True:
            new = z.copy()
            for f in fair_sets:
                new &= self.pre(self.eu(a, z & f))
            new &= a
            if np.array_equal(new, z):
                return z
            z = new


class CTLResult:
    """Outcome of :func:`check_ctl`: the satisfying states and whether all initial ones are."""

    __slots__ = ("_names", "holds", "mask")

    def __init__(self, holds: bool, mask: np.ndarray, names: list[Hashable]) -> None:
        self.holds = holds
        self.mask = mask
        self._names = names

    @property
    def states(self) -> frozenset[Hashable]:
        """Names of the states satisfying the formula."""
        return frozenset(self._names[i] for i in np.flatnonzero(self.mask))

    def __repr__(self) -> str:
        return f"CTLResult(holds={self.holds}, n_satisfying={int(self.mask.sum())})"

    def to_dict(self) -> dict[str, Any]:
        return record_dict(
            self, fields=("holds", "states"), convert={"states": lambda s: sorted(map(str, s))}
        )


class _CTL:
    def __init__(self, model: Kripke, fairness: list[Formula], unknown: str) -> None:
        self.m = model
        self.unknown = unknown
        self.cache: dict[Formula, np.ndarray] = {}
        self.fair_sets: list[np.ndarray] = []
        self.fair = np.ones(model.n_states, dtype=bool)
        if fairness:
            self.fair_sets = [self.sat(f) for f in fairness]
            self.fair = self.eg(np.ones(model.n_states, dtype=bool))

    def eg(self, a: np.ndarray) -> np.ndarray:
        return self.m.eg_fair(a, self.fair_sets) if self.fair_sets else self.m.eg(a)

    def ex(self, a: np.ndarray) -> np.ndarray:
        return self.m.pre(a & self.fair)

    def eu(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return self.m.eu(a, b & self.fair)

    def sat(self, f: Formula) -> np.ndarray:
        got = self.cache.get(f)
        if got is None:
            # children first, so _sat only looks up its operands: no recursion. Path
            # formulas (the bodies of A and E) are evaluated by their quantifier.
            for g in f.subformulas():
                if g not in self.cache and g.op not in _PATH_OPS:
                    self.cache[g] = self._sat(g)
            got = self.cache.get(f)
            if got is None:
                got = self.cache[f] = self._sat(f)
        return got

    def _sat(self, f: Formula) -> np.ndarray:
        op, n = f.op, self.m.n_states
        if op == "true":
            return np.ones(n, dtype=bool)
        if op == "false":
            return np.zeros(n, dtype=bool)
        if op == "atom":
            assert f.name is not None
            return self.m.label(f.name, self.unknown)
        if op == "cmp":
            raise TemporalLogicError("formula: comparisons have no meaning on a Kripke structure")
        if op == "!":
            return ~self.sat(f.args[0])
        if op in ("&", "|", "->", "<->", "^"):
            a, b = (self.sat(x) for x in f.args)
            return {"&": a & b, "|": a | b, "->": ~a | b, "<->": a == b, "^": a != b}[op]
        if op not in ("A", "E"):
            raise TemporalLogicError(
                f"formula: temporal operator {op!r} must sit directly under A or E in CTL"
            )
        body = f.args[0]
        if body.op not in _PATH_OPS:
            return self.sat(body)  # A p == E p == p for a state formula
        if body.interval is not None:
            raise TemporalLogicError("formula: timed operators are not CTL")
        args = [self.sat(x) for x in body.args]
        if op == "E":
            return self._exists(body.op, args)
        # A path = not E (negated path formula), by the usual dualities
        t = body.op
        if t in ("X", "N"):
            return ~self._exists("X", [~args[0]])
        if t == "F":
            return ~self._exists("G", [~args[0]])
        if t == "G":
            return ~self._exists("F", [~args[0]])
        a, b = args
        if t == "U":
            return ~self._exists("R", [~a, ~b])
        if t == "R":
            return ~self._exists("U", [~a, ~b])
        if t == "W":
            return ~self._exists("M", [~a, ~b])
        return ~self._exists("W", [~a, ~b])  # M

    def _exists(self, t: str, args: list[np.ndarray]) -> np.ndarray:
        if t in ("X", "N"):
            return self.ex(args[0])
        if t == "F":
            return self.eu(np.ones(self.m.n_states, dtype=bool), args[0])
        if t == "G":
            return self.eg(args[0])
        a, b = args
        if t == "U":
            return self.eu(a, b)
        if t == "R":  # b holds until and including a, or forever
            return self.eu(b, a & b) | self.eg(b)
        if t == "W":
            return self.eu(a, b) | self.eg(a)
        return self.eu(b, a & b)  # M


def check_ctl(
    model: Kripke,
    formula: Formula | str,
    *,
    fairness: Sequence[Formula | str] = (),
    unknown: str = "error",
) -> CTLResult:
    """States of ``model`` that satisfy the CTL ``formula``.

    Parameters
    ----------
    model : Kripke
    formula : Formula or str
        CTL: every temporal operator directly under ``A`` or ``E`` (``AG p``,
        ``E (p U q)``, ``A (p W q)``); ``N`` reads as ``X`` (paths are infinite).
    fairness : sequence of formulas, optional
        State formulas that fair paths satisfy infinitely often; path quantifiers
        then range over fair paths only.
    unknown : {"error", "false"}
        What an atom that labels no state means.

    Returns
    -------
    CTLResult
        ``holds`` is whether every initial state satisfies the formula.

    Examples
    --------
    >>> m = Kripke([0, 1], [(0, 0), (0, 1), (1, 1)], {1: ["done"]}, [0])
    >>> check_ctl(m, "AF done").holds, check_ctl(m, "AF done", fairness=["done"]).holds
    (False, True)
    """
    if not isinstance(model, Kripke):
        raise TypeError(f"model: expected a Kripke, got {type(model).__name__}")
    if unknown not in ("error", "false"):
        raise TemporalLogicError(f"unknown: expected 'error' or 'false', got {unknown!r}")
    f = as_formula(formula)
    fair = [as_formula(x, name="fairness") for x in fairness]
    engine = _CTL(model, fair, unknown)
    mask = engine.sat(f)
    return CTLResult(bool(mask[model.initial].all()), mask, model.names)
