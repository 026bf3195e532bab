"""Safety constraints, modifications, the guard that checks them, and the audit log.

A :class:`SafetyConstraint` is an LTL/MTL formula parsed by temporal-neural-solver over
the signals of the guard's recorded trace: one row per meta cycle holding the
learner's hyperparameters, reward averages, TD-error statistics and the flags
``modification`` (a change was applied at the start of this row's cycle) and
``rollback`` (one was undone). Timed bounds (``G[0,50]``) count rows.

:class:`SafetyGuard` decides a proposed :class:`Modification` as follows:

1. at most ``max_per_cycle`` proposals are applied per cycle (the rest are refused
   with verdict ``"limit"``);
2. a *shadow row* is built: the last recorded row with the proposal's new values,
   the proposer's predicted signals, and ``modification = true``;
3. for every constraint, a temporal-neural-solver :class:`~temporal_neural_solver.Monitor`
   reads the recorded window followed by the shadow row; the proposal is applied only
   if no verdict is ``FALSE`` (the window plus the proposal is not a bad prefix: some
   continuation could still satisfy the constraint). For a safety constraint such as
   ``G (epsilon >= 0.01)`` this is exactly ``evaluate(constraint, window + shadow).holds``,
   which the tests check;
4. after application, a fresh monitor per constraint reads each row recorded from then on
   for ``monitor_rows`` rows; a ``FALSE`` verdict rolls the modification back
   (the inverse modification is applied and the next row carries ``rollback = true``).

Every proposal, verdict and rollback is appended to the audit log.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import temporal_neural_solver as tns

from ._records import float_values, record_dict
from ._validation import as_int, as_real
from .errors import ConstraintSyntaxError, InvalidParameterError, StrangeLoopError

__all__ = ["AuditEntry", "Modification", "SafetyConstraint", "SafetyGuard"]

FLAGS = ("modification", "rollback")


class SafetyConstraint:
    """An LTL/MTL formula that every recorded trace of the learner must keep satisfiable.

    Parameters
    ----------
    formula : str
        temporal-neural-solver syntax, e.g. ``"G (epsilon >= 0.01)"`` or
        ``"G (modification -> X[!] G[0,50] !rollback)"``.
    name : str, optional
        Label for the audit log (default: the formula text).

    Raises
    ------
    ConstraintSyntaxError
        With temporal-neural-solver's line, column and caret.

    Examples
    --------
    >>> c = SafetyConstraint("G (epsilon >= 0.01)")
    >>> c.signals
    ('epsilon',)
    >>> c.satisfiable_after([{"epsilon": 0.1}, {"epsilon": 0.001}])
    False
    """

    def __init__(self, formula: str, name: str | None = None) -> None:
        if not isinstance(formula, str):
            raise InvalidParameterError(f"formula: expected a string, got {formula!r}")
        try:
            self.formula = tns.parse(formula)
        except tns.FormulaSyntaxError as exc:
            raise ConstraintSyntaxError(f"constraint {formula!r}: {exc}") from exc
        except tns.TemporalLogicError as exc:
            raise ConstraintSyntaxError(f"constraint {formula!r}: {exc}") from exc
        self.text = formula
        self.name = name or str(self.formula)
        self.signals: tuple[str, ...] = tuple(
            sorted(set(self.formula.atoms()) | set(self.formula.signals()))
        )
        try:
            self._monitor = tns.Monitor(self.formula)
        except tns.TemporalLogicError as exc:
            raise ConstraintSyntaxError(f"constraint {formula!r}: {exc}") from exc
        self.timed = self._monitor.timed
        self._spare: list[tns.Monitor] = []

    def verdict(
        self, rows: Sequence[Mapping[str, Any]] | Mapping[str, Any], times: Any = None
    ) -> tns.MonitorVerdict:
        """The monitor's verdict after reading ``rows`` (per-step dicts, or a dict of
        columns) from the start."""
        if isinstance(rows, Mapping):
            trace: Any = rows
            n = len(next(iter(rows.values()))) if rows else 0
        else:
            trace, n = list(rows), len(rows)
        if not n:
            return tns.MonitorVerdict.PRESUMABLY_TRUE
        self._monitor.reset()
        stamps = np.arange(n) if times is None else np.asarray(times)
        try:
            verdict: tns.MonitorVerdict = self._monitor.run(trace, times=stamps)
        except tns.TemporalLogicError as exc:
            raise InvalidParameterError(f"constraint {self.name!r}: {exc}") from exc
        return verdict

    def satisfiable_after(
        self, rows: Sequence[Mapping[str, Any]] | Mapping[str, Any], times: Any = None
    ) -> bool:
        """True unless ``rows`` is a bad prefix (no continuation satisfies the formula)."""
        return self.verdict(rows, times) is not tns.MonitorVerdict.FALSE

    def new_monitor(self) -> tns.Monitor:
        """A monitor at the start of a stream (reused from released ones: its automaton
        is already compiled)."""
        if self._spare:
            m = self._spare.pop()
            m.reset()
            return m
        return tns.Monitor(self.formula)

    def release(self, monitor: tns.Monitor) -> None:
        """Give a monitor back for reuse by :meth:`new_monitor`."""
        if len(self._spare) < 256:
            self._spare.append(monitor)

    def __repr__(self) -> str:
        return f"SafetyConstraint({self.text!r})"


@dataclass(frozen=True)
class Modification:
    """A proposed change to the hierarchy.

    Attributes
    ----------
    kind : {"set", "swap", "rule"}
        ``"set"`` changes hyperparameters (``changes``) of ``target`` (``"base"`` or
        ``"level1"``, ``"level2"``, ...); ``"swap"`` replaces the base learner by
        ``payload``; ``"rule"`` adds the learned :class:`~strange_loop.rules.Rule` ``payload``.
    target : str
    changes : dict of str to float
    source : str
        Who proposed it (``"level1"``, ``"dynamics"``, ``"regime"``, ``"user"``, ...).
    reason : str
    payload : object, optional
    """

    kind: str
    target: str = "base"
    changes: Mapping[str, float] = field(default_factory=dict)
    source: str = "user"
    reason: str = ""
    payload: Any = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in ("set", "swap", "rule"):
            raise InvalidParameterError(
                f"kind: expected 'set', 'swap' or 'rule', got {self.kind!r}"
            )
        for k, v in self.changes.items():
            as_real(v, f"changes[{k!r}]")

    def to_dict(self) -> dict[str, Any]:
        return record_dict(self, omit=("payload",), convert={"changes": float_values})


@dataclass(frozen=True)
class AuditEntry:
    """One line of the audit log.

    ``verdict`` is ``"applied"``, ``"rejected"`` (a constraint would be violated),
    ``"limit"`` (too many modifications this cycle) or ``"rolled_back"`` (a runtime
    monitor found a violation after application). ``row`` is the index of the last
    recorded row when it happened; ``shadow`` the row the constraints were checked on.
    """

    index: int
    row: int
    verdict: str
    modification: dict[str, Any]
    violated: tuple[str, ...] = ()
    shadow: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return record_dict(self)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> AuditEntry:
        return cls(
            int(d["index"]),
            int(d["row"]),
            str(d["verdict"]),
            dict(d["modification"]),
            tuple(d["violated"]),
            None if d["shadow"] is None else dict(d["shadow"]),
        )


@dataclass
class _Watch:
    entry: int
    start: int  # row index of the first row recorded after application
    inverse: Modification
    monitors: list[tns.Monitor]


Applier = Callable[[Modification], Modification]


class SafetyGuard:
    """Checks modifications against constraints before and after they take effect.

    Parameters
    ----------
    constraints : list of SafetyConstraint or str
    max_per_cycle : int
        Applied modifications allowed per cycle (:meth:`begin_cycle` starts one).
    window : int
        Recorded rows the pre-check reads (the most recent ones).
    monitor_rows : int, optional
        Rows a runtime monitor watches an applied modification (at most ``window``;
        default ``min(50, window)``).
    baseline : float, optional
        Value of the ``baseline`` signal in every row.

    Examples
    --------
    >>> guard = SafetyGuard(["G (epsilon >= 0.01)"])
    >>> guard.record({"epsilon": 0.1})
    []
    >>> state = {"epsilon": 0.1}
    >>> def apply(mod):
    ...     old = {k: state[k] for k in mod.changes}
    ...     state.update(mod.changes)
    ...     return Modification("set", changes=old, source="rollback")
    >>> guard.propose(Modification("set", changes={"epsilon": 0.001}), apply).verdict
    'rejected'
    >>> guard.propose(Modification("set", changes={"epsilon": 0.05}), apply).verdict, state
    ('applied', {'epsilon': 0.05})
    """

    def __init__(
        self,
        constraints: list[SafetyConstraint | str],
        *,
        max_per_cycle: int = 3,
        window: int = 200,
        monitor_rows: int | None = None,
        baseline: float | None = None,
    ) -> None:
        if isinstance(constraints, (str, SafetyConstraint)):
            constraints = [constraints]
        self.constraints = [
            c if isinstance(c, SafetyConstraint) else SafetyConstraint(c) for c in constraints
        ]
        self.max_per_cycle = as_int(max_per_cycle, "max_per_cycle", minimum=0)
        self.window = as_int(window, "window", minimum=1)
        if monitor_rows is None:
            monitor_rows = min(50, self.window)
        self.monitor_rows = as_int(monitor_rows, "monitor_rows", minimum=1)
        if self.monitor_rows > self.window:
            raise InvalidParameterError(
                f"monitor_rows ({self.monitor_rows}) must not exceed window ({self.window})"
            )
        self.baseline = None if baseline is None else as_real(baseline, "baseline")
        self.rows: deque[dict[str, Any]] = deque(maxlen=self.window)
        self.n_rows = 0  # rows recorded since creation (the time axis)
        self.audit: list[AuditEntry] = []
        self._watches: list[_Watch] = []
        self._applied_this_cycle = 0
        self._flag_modification = False
        self._flag_rollback = False
        self._checked_signals = False
        self.check_seconds = 0.0  # time spent in pre-checks (benchmark reporting)

    # --------------------------------------------------------------- recording
    def begin_cycle(self) -> None:
        """Start a new cycle: the per-cycle modification count restarts."""
        self._applied_this_cycle = 0

    def _complete(self, row: Mapping[str, Any]) -> dict[str, Any]:
        out = {
            k: (bool(v) if isinstance(v, (bool, np.bool_)) else float(v)) for k, v in row.items()
        }
        if self.baseline is not None:
            out["baseline"] = self.baseline
        out.setdefault("modification", False)
        out.setdefault("rollback", False)
        return out

    def _check_signals(self, row: Mapping[str, Any]) -> None:
        if self._checked_signals:
            return
        for c in self.constraints:
            missing = [s for s in c.signals if s not in row]
            if missing:
                raise InvalidParameterError(
                    f"constraint {c.name!r}: unknown signal(s) {missing}; "
                    f"recorded signals are {sorted(row)}"
                )
        self._checked_signals = True

    def record(self, row: Mapping[str, Any], applier: Applier | None = None) -> list[AuditEntry]:
        """Append one row (the cycle's signals) and run the runtime monitors.

        Returns the rollbacks this row caused (their inverse modifications have
        been passed to ``applier``).
        """
        full = self._complete(row)
        full["modification"] = self._flag_modification or bool(full["modification"])
        full["rollback"] = self._flag_rollback or bool(full["rollback"])
        self._flag_modification = self._flag_rollback = False
        self._check_signals(full)
        for k, v in full.items():
            if isinstance(v, float) and not math.isfinite(v):
                raise InvalidParameterError(f"row: signal {k!r} is not finite ({v})")
        self.rows.append(full)
        index = self.n_rows
        self.n_rows += 1
        rolled: list[AuditEntry] = []
        keep: list[_Watch] = []
        for w in self._watches:
            bad = [
                c.name
                for c, m in zip(self.constraints, w.monitors, strict=True)
                if m.step(full, float(index)) is tns.MonitorVerdict.FALSE
            ]
            if bad:
                if applier is None:
                    raise StrangeLoopError("record: a rollback is due but no applier was given")
                applier(w.inverse)
                entry = AuditEntry(
                    len(self.audit), index, "rolled_back", w.inverse.to_dict(), tuple(bad)
                )
                self.audit.append(entry)
                rolled.append(entry)
                self._flag_rollback = True
            elif index - w.start + 1 < self.monitor_rows:
                keep.append(w)
                continue
            for c, m in zip(self.constraints, w.monitors, strict=True):
                c.release(m)
        self._watches = keep
        return rolled

    # --------------------------------------------------------------- deciding
    def shadow_row(
        self, modification: Modification, predicted: Mapping[str, float] | None = None
    ) -> dict[str, Any]:
        """The row the constraints are checked on for ``modification``."""
        base = dict(self.rows[-1]) if self.rows else {}
        if modification.kind == "set":
            prefix = "" if modification.target == "base" else f"{modification.target}_"
            for k, v in modification.changes.items():
                base[prefix + k] = float(v)
        for k, v in (predicted or {}).items():
            base[k] = float(v)
        base = self._complete(base)
        base["modification"] = True
        base["rollback"] = False
        return base

    def violations(self, shadow: Mapping[str, Any]) -> tuple[str, ...]:
        """Names of the constraints that the window followed by ``shadow`` violates."""
        rows = [*self.rows, shadow]
        times = np.arange(self.n_rows - len(self.rows), self.n_rows + 1, dtype=np.float64)
        # one column per signal the constraints read (temporal-neural-solver's fast form)
        needed = {name for c in self.constraints for name in c.signals}
        try:
            columns = {name: np.array([r[name] for r in rows]) for name in needed}
        except KeyError as exc:
            raise InvalidParameterError(f"shadow: missing signal {exc.args[0]!r}") from None
        return tuple(c.name for c in self.constraints if not c.satisfiable_after(columns, times))

    def propose(
        self,
        modification: Modification,
        applier: Applier,
        predicted: Mapping[str, float] | None = None,
    ) -> AuditEntry:
        """Check ``modification``; apply it with ``applier`` only if every constraint allows.

        ``applier(mod)`` performs the change and returns the inverse modification
        (used for a rollback).
        """
        row = self.n_rows - 1
        if self._applied_this_cycle >= self.max_per_cycle:
            entry = AuditEntry(len(self.audit), row, "limit", modification.to_dict())
            self.audit.append(entry)
            return entry
        shadow = self.shadow_row(modification, predicted)
        t0 = time.perf_counter()
        # with nothing recorded there is no trace to check the proposal against
        bad = self.violations(shadow) if self.rows else ("<no recorded row yet>",)
        self.check_seconds += time.perf_counter() - t0
        if bad:
            entry = AuditEntry(
                len(self.audit), row, "rejected", modification.to_dict(), bad, shadow
            )
            self.audit.append(entry)
            return entry
        inverse = applier(modification)
        entry = AuditEntry(len(self.audit), row, "applied", modification.to_dict(), (), shadow)
        self.audit.append(entry)
        self._applied_this_cycle += 1
        self._flag_modification = True
        # runtime monitors read the rows recorded from now on (the first carries
        # modification = true), so a reload can replay them exactly from the window
        watch = _Watch(
            entry.index, self.n_rows, inverse, [c.new_monitor() for c in self.constraints]
        )
        self._watches.append(watch)
        return entry

    def counts(self) -> dict[str, int]:
        """Audit verdict counts."""
        out = {"applied": 0, "rejected": 0, "limit": 0, "rolled_back": 0}
        for e in self.audit:
            out[e.verdict] += 1
        return out

    # --------------------------------------------------------------- state
    def to_state(self, encode_payload: Callable[[Any], Any] | None = None) -> dict[str, Any]:
        """JSON-able state; ``encode_payload`` stores swap/rule inverses' payloads."""
        enc = encode_payload or (lambda p: None)
        return {
            "constraints": [[c.text, c.name] for c in self.constraints],
            "max_per_cycle": self.max_per_cycle,
            "window": self.window,
            "monitor_rows": self.monitor_rows,
            "baseline": self.baseline,
            "rows": list(self.rows),
            "n_rows": self.n_rows,
            "audit": [e.to_dict() for e in self.audit],
            "watches": [
                {
                    "entry": w.entry,
                    "start": w.start,
                    "inverse": w.inverse.to_dict(),
                    "payload": enc(w.inverse.payload),
                }
                for w in self._watches
            ],
            "applied_this_cycle": self._applied_this_cycle,
            "flags": [self._flag_modification, self._flag_rollback],
        }

    @classmethod
    def from_state(
        cls, state: Mapping[str, Any], decode_payload: Callable[[Any], Any] | None = None
    ) -> SafetyGuard:
        """Rebuild a guard saved by :meth:`to_state` (runtime monitors are replayed)."""
        g = cls(
            [SafetyConstraint(text, name) for text, name in state["constraints"]],
            max_per_cycle=state["max_per_cycle"],
            window=state["window"],
            monitor_rows=state["monitor_rows"],
            baseline=state["baseline"],
        )
        g.rows.extend(dict(r) for r in state["rows"])
        g.n_rows = int(state["n_rows"])
        g.audit = [AuditEntry.from_dict(e) for e in state["audit"]]
        g._applied_this_cycle = int(state["applied_this_cycle"])
        g._flag_modification, g._flag_rollback = (bool(x) for x in state["flags"])
        g._checked_signals = bool(g.rows)
        first = g.n_rows - len(g.rows)
        for w in state["watches"]:
            inv = w["inverse"]
            watch = _Watch(
                int(w["entry"]),
                int(w["start"]),
                Modification(
                    inv["kind"],
                    inv["target"],
                    inv["changes"],
                    inv["source"],
                    inv["reason"],
                    None if decode_payload is None else decode_payload(w.get("payload")),
                ),
                [c.new_monitor() for c in g.constraints],
            )
            # replay the rows the monitors have read (monitor_rows <= window keeps them)
            for m in watch.monitors:
                for k, r in enumerate(g.rows):
                    if first + k >= watch.start:
                        m.step(r, float(first + k))
            g._watches.append(watch)
        return g
