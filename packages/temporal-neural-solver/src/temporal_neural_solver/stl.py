"""STL quantitative semantics: robustness, and a smooth version with its gradient.

The robustness of ``x - y <= 2`` at a step is ``2 - (x - y)``; ``!`` negates, ``&``/``|``
take min/max, ``F``/``G`` max/min over their window (``F[a,b]``: steps ``j >= i`` with
``times[j] - times[i]`` in ``[a, b]``), ``U`` the max over witnesses of the min along
the way. A positive value means the formula holds, a negative one that it fails, and
its size is how far the signals are from changing that. Windows are answered with a
sparse table (O(n log w) for ``n`` steps and windows of ``w`` steps), not by rescanning.
Empty windows and the missing step after the end give ``-inf`` for ``F``/``X`` and
``+inf`` for ``G``/``N``, matching the Boolean LTLf semantics of :func:`evaluate`.

``smooth_robustness`` replaces min/max by ``T * logsumexp(./T)`` soft versions (it
tends to the robustness as ``T -> 0``) and returns the gradient with respect to every
signal value by reverse-mode differentiation, so a learner can train against a
specification.

Examples
--------
>>> sig = {"speed": [0.2, 0.9, 0.4]}
>>> robustness("F (speed > 0.5)", sig)
0.4
>>> r = smooth_robustness("F (speed > 0.5)", sig, temperature=0.05)
>>> round(r.value, 3), int(r.gradient["speed"].argmax())
(0.4, 1)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ._records import record_dict
from .errors import TemporalLogicError
from .evaluate import _windows, as_formula, past_windows
from .formula import Formula
from .trace import Trace, coerce_times

__all__ = ["SmoothRobustness", "robustness", "robustness_signal", "smooth_robustness"]

_INF = np.inf


def _range_max(x: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """``max(x[lo[i]:hi[i]])`` for every ``i`` (``-inf`` when empty), by a sparse table."""
    n = x.shape[0]
    lengths = hi - lo
    out = np.full(n, -_INF)
    valid = lengths > 0
    if not valid.any():
        return out
    levels = [x]
    span = 1
    max_len = int(lengths.max())
    while span * 2 <= max_len:
        prev = levels[-1]
        levels.append(np.maximum(prev[:-span], prev[span:]))
        span *= 2
    k = np.zeros(n, dtype=np.int64)
    k[valid] = np.floor(np.log2(lengths[valid])).astype(np.int64)
    for level in np.unique(k[valid]):
        sel = valid & (k == level)
        table = levels[int(level)]
        a = lo[sel]
        b = hi[sel] - (1 << int(level))
        out[sel] = np.maximum(table[a], table[b])
    return out


def _suffix_max(x: np.ndarray) -> np.ndarray:
    return np.maximum.accumulate(x[::-1])[::-1]


def _until_loop(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Unbounded robust until, ``r[i] = max(b[i], min(a[i], r[i+1]))``, ``r[n] = -inf``."""
    out = np.empty_like(a)
    nxt = -_INF
    al, bl = a.tolist(), b.tolist()
    for i in range(a.shape[0] - 1, -1, -1):
        nxt = max(bl[i], min(al[i], nxt))
        out[i] = nxt
    return out


def _since_loop(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    out = np.empty_like(a)
    prev = -_INF
    al, bl = a.tolist(), b.tolist()
    for i in range(a.shape[0]):
        prev = max(bl[i], min(al[i], prev))
        out[i] = prev
    return out


def _bounded_until(a: np.ndarray, b: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """``max over j in [lo_i, hi_i) of min(b[j], min(a[i:j]))`` by scanning offsets."""
    n = a.shape[0]
    idx = np.arange(n)
    out = np.full(n, -_INF)
    running = np.full(n, _INF)  # min(a[i:i+d])
    depth = int((hi - idx).max()) if n else 0
    for d in range(max(depth, 0)):
        m = n - d
        inside = (idx[:m] + d >= lo[:m]) & (idx[:m] + d < hi[:m])
        cand = np.minimum(b[d:], running[:m])
        out[:m] = np.where(inside, np.maximum(out[:m], cand), out[:m])
        running[:m] = np.minimum(running[:m], a[d:])
    return out


def _bounded_since(a: np.ndarray, b: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """``max over j in [lo_i, hi_i) of min(b[j], min(a[j+1:i+1]))`` by scanning offsets back."""
    n = a.shape[0]
    idx = np.arange(n)
    out = np.full(n, -_INF)
    running = np.full(n, _INF)  # min(a[i-d+1:i+1])
    depth = int((idx - lo).max()) + 1 if n else 0
    for d in range(max(depth, 0)):
        rows = idx[d:]  # steps i whose j = i - d exists
        j = rows - d
        inside = (j >= lo[rows]) & (j < hi[rows])
        cand = np.minimum(b[j], running[rows])
        out[rows] = np.where(inside, np.maximum(out[rows], cand), out[rows])
        running[rows] = np.minimum(running[rows], a[j])
    return out


class _Robust:
    def __init__(self, trace: Trace, times: np.ndarray | None) -> None:
        self.trace = trace
        self.times = times
        self.n = trace.length
        self.values: dict[Formula, np.ndarray] = {}

    def run(self, f: Formula) -> np.ndarray:
        for g in f.subformulas():
            if g not in self.values:
                self.values[g] = self._compute(g)
        return self.values[f]

    def _compute(self, f: Formula) -> np.ndarray:
        op, n = f.op, self.n
        if op == "true":
            return np.full(n, _INF)
        if op == "false":
            return np.full(n, -_INF)
        if op == "atom":
            raise TemporalLogicError(
                f"formula: atom {f.name!r} has no robustness; "
                f"compare a signal instead (e.g. {f.name} > 0)"
            )
        if op in ("A", "E"):
            raise TemporalLogicError(
                "formula: path quantifiers (A, E) belong to CTL; use check_ctl"
            )
        if op == "cmp":
            p = f.predicate
            assert p is not None
            coef, const = p.margin_terms()
            out = np.full(n, const)
            for name, c in coef.items():
                if c != 0.0:
                    out += c * self.trace.signal(name)
            return out
        v = [self.values[a] for a in f.args]
        if op == "!":
            return -v[0]
        if op == "&":
            return np.minimum(v[0], v[1])
        if op == "|":
            return np.maximum(v[0], v[1])
        if op == "->":
            return np.maximum(-v[0], v[1])
        if op in ("<->", "^"):
            iff = np.minimum(np.maximum(-v[0], v[1]), np.maximum(v[0], -v[1]))
            return iff if op == "<->" else -iff
        if f.interval is not None and op in ("O", "H", "S"):
            assert self.times is not None
            lo, hi = past_windows(self.times, f.interval)
            if op == "O":
                return _range_max(v[0], lo, hi)
            if op == "H":
                return -_range_max(-v[0], lo, hi)
            return _bounded_since(v[0], v[1], lo, hi)
        if f.interval is not None:
            assert self.times is not None
            lo, hi = _windows(self.times, f.interval)
            if op == "F":
                return _range_max(v[0], lo, hi)
            if op == "G":
                return -_range_max(-v[0], lo, hi)
            return _bounded_until(v[0], v[1], lo, hi)
        if op in ("X", "N"):
            return np.concatenate((v[0][1:], [-_INF if op == "X" else _INF]))
        if op == "Y":
            return np.concatenate(([-_INF], v[0][:-1]))
        if op == "O":
            return np.maximum.accumulate(v[0])
        if op == "H":
            return np.minimum.accumulate(v[0])
        if op == "F":
            return _suffix_max(v[0])
        if op == "G":
            return -_suffix_max(-v[0])
        if op == "U":
            return _until_loop(v[0], v[1])
        if op == "R":
            return -_until_loop(-v[0], -v[1])
        if op == "W":
            return np.maximum(_until_loop(v[0], v[1]), -_suffix_max(-v[0]))
        if op == "M":
            return _until_loop(v[1], np.minimum(v[0], v[1]))
        if op == "S":
            return _since_loop(v[0], v[1])
        raise AssertionError(op)  # pragma: no cover


def _prepare(
    formula: Formula | str, signals: Any, times: Any
) -> tuple[Formula, Trace, np.ndarray | None]:
    f = as_formula(formula)
    t = Trace.coerce(signals, name="signals")
    tt = coerce_times(times, t.length) if f.has_intervals() else None
    return f, t, tt


def robustness_signal(formula: Formula | str, signals: Any, times: Any = None) -> np.ndarray:
    """Robustness at every step, as a float64 array.

    Examples
    --------
    >>> robustness_signal("G[0,1] (x >= 1)", {"x": [3.0, 2.0, 5.0]}).tolist()
    [1.0, 1.0, 4.0]
    """
    f, t, tt = _prepare(formula, signals, times)
    return _Robust(t, tt).run(f).copy()


def robustness(formula: Formula | str, signals: Any, times: Any = None) -> float:
    """STL robustness of ``formula`` at the first step.

    Parameters
    ----------
    formula : Formula or str
        Comparisons of signals combined with Boolean and temporal operators.
    signals : dict of arrays or list of dicts
        Numeric signals of equal length.
    times : array-like, optional
        Strictly increasing timestamps for the interval bounds (default: indices);
        datetime64 / timedelta64 values (a pandas ``DatetimeIndex``) count seconds.

    Returns
    -------
    float
        Positive: satisfied; negative: violated; may be ``inf``/``-inf``.

    Raises
    ------
    TemporalLogicError
        For bare atoms (no quantitative meaning), unknown or non-finite signals,
        and bad timestamps.
    """
    f, t, tt = _prepare(formula, signals, times)
    return float(_Robust(t, tt).run(f)[0])


@dataclass(frozen=True)
class SmoothRobustness:
    """Smooth robustness at the first step and its gradient per signal."""

    value: float
    gradient: dict[str, np.ndarray]
    temperature: float

    def to_dict(self) -> dict[str, Any]:
        return record_dict(
            self, convert={"gradient": lambda g: {k: v.tolist() for k, v in g.items()}}
        )


def _weights(x: np.ndarray, r: np.ndarray, temp: float) -> np.ndarray:
    """``d softmax / d x = exp((x - r) / T)``, with ``inf - inf`` read as equal."""
    with np.errstate(invalid="ignore", over="ignore"):
        w = np.exp((x - r) / temp)
    return np.where(np.isnan(w), (x == r).astype(np.float64), w)


def _soft_suffix_max(x: np.ndarray, temp: float) -> np.ndarray:
    return np.logaddexp.accumulate(x[::-1] / temp)[::-1] * temp


def _soft_window_max(
    x: np.ndarray, lo: np.ndarray, hi: np.ndarray, temp: float
) -> tuple[np.ndarray, int]:
    n = x.shape[0]
    idx = np.arange(n)
    acc = np.full(n, -_INF)
    depth = int((hi - idx).max()) if n else 0
    for d in range(max(depth, 0)):
        m = n - d
        inside = (idx[:m] + d >= lo[:m]) & (idx[:m] + d < hi[:m])
        acc[:m] = np.where(inside, np.logaddexp(acc[:m], x[d:] / temp), acc[:m])
    return acc * temp, depth


class _Smooth(_Robust):
    """Forward pass with soft min/max, and the reverse-mode gradient."""

    def __init__(self, trace: Trace, times: np.ndarray | None, temp: float) -> None:
        super().__init__(trace, times)
        self.temp = temp

    def _smax(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.logaddexp(a / self.temp, b / self.temp) * self.temp

    def _compute(self, f: Formula) -> np.ndarray:
        op = f.op
        if op in ("O", "H") and f.interval is not None:
            raise TemporalLogicError(
                f"formula: smooth_robustness does not support the timed past {op}[a,b]"
            )
        if op in ("U", "R", "W", "M", "S", "<->", "^"):
            raise TemporalLogicError(
                "formula: smooth_robustness supports ! & | -> X N F G Y O H and comparisons, "
                f"not {op!r}"
            )
        if op in ("&", "|", "->"):
            a, b = (self.values[x] for x in f.args)
            if op == "&":
                return -self._smax(-a, -b)
            return self._smax(-a if op == "->" else a, b)
        if op in ("F", "G", "O", "H"):
            sign = 1.0 if op in ("F", "O") else -1.0
            x = sign * self.values[f.args[0]]
            if f.interval is not None:
                assert self.times is not None
                lo, hi = _windows(self.times, f.interval)
                return sign * _soft_window_max(x, lo, hi, self.temp)[0]
            if op in ("F", "G"):
                return sign * _soft_suffix_max(x, self.temp)
            return sign * np.logaddexp.accumulate(x / self.temp) * self.temp
        return super()._compute(f)

    def gradient(self, f: Formula) -> dict[str, np.ndarray]:
        n = self.n
        adj: dict[Formula, np.ndarray] = {f: np.zeros(n)}
        adj[f][0] = 1.0
        grads: dict[str, np.ndarray] = {}
        for g in reversed(f.subformulas()):
            gbar = adj.pop(g, None)
            if gbar is None or not gbar.any():
                continue
            self._backward(g, gbar, adj, grads)
        for name in f.signals():
            grads.setdefault(name, np.zeros(n))
        return grads

    def _push(self, adj: dict[Formula, np.ndarray], g: Formula, value: np.ndarray) -> None:
        value = np.nan_to_num(value, nan=0.0, posinf=0.0, neginf=0.0)
        if g in adj:
            adj[g] = adj[g] + value
        else:
            adj[g] = value

    def _backward(
        self,
        g: Formula,
        gbar: np.ndarray,
        adj: dict[Formula, np.ndarray],
        grads: dict[str, np.ndarray],
    ) -> None:
        op, temp = g.op, self.temp
        r = self.values[g]
        if op == "cmp":
            p = g.predicate
            assert p is not None
            coef, _ = p.margin_terms()
            for name, c in coef.items():
                grads[name] = grads.get(name, np.zeros(self.n)) + c * gbar
            return
        if op in ("true", "false"):
            return
        args = g.args
        if op == "!":
            self._push(adj, args[0], -gbar)
            return
        if op in ("&", "|", "->"):
            a, b = (self.values[x] for x in args)
            sa = -1.0 if op in ("&", "->") else 1.0
            sb = -1.0 if op == "&" else 1.0
            sr = -1.0 if op == "&" else 1.0
            ra = sr * r
            self._push(adj, args[0], gbar * _weights(sa * a, ra, temp) * sa * sr)
            self._push(adj, args[1], gbar * _weights(sb * b, ra, temp) * sb * sr)
            return
        if op in ("X", "N"):
            out = np.zeros(self.n)
            out[1:] = gbar[:-1]
            self._push(adj, args[0], out)
            return
        if op == "Y":
            out = np.zeros(self.n)
            out[:-1] = gbar[1:]
            self._push(adj, args[0], out)
            return
        # soft window maxima: F, G (sign -1), O, H (sign -1)
        sign = 1.0 if op in ("F", "O") else -1.0
        x = sign * self.values[args[0]]
        rr = sign * r
        gb = gbar  # d(sign*rr)/d(sign*x) = 1: signs cancel
        if g.interval is not None:
            assert self.times is not None
            lo, hi = _windows(self.times, g.interval)
            n = self.n
            idx = np.arange(n)
            out = np.zeros(n)
            depth = int((hi - idx).max())
            for d in range(max(depth, 0)):
                m = n - d
                inside = (idx[:m] + d >= lo[:m]) & (idx[:m] + d < hi[:m])
                with np.errstate(invalid="ignore"):
                    contrib = np.where(inside, gb[:m] * _weights(x[d:], rr[:m], temp), 0.0)
                out[d:] += np.nan_to_num(contrib)
            self._push(adj, args[0], out)
            return
        # unbounded: x_j receives sum over windows i containing j of gb_i * exp((x_j - rr_i)/T)
        forward = op in ("O", "H")  # windows [0, i] instead of [i, n)
        pos = np.where(gb > 0, gb, 0.0)
        neg = np.where(gb < 0, -gb, 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.zeros(self.n)
            for part, s in ((pos, 1.0), (neg, -1.0)):
                if not part.any():
                    continue
                terms = np.log(part) - rr / temp
                terms = np.where(np.isnan(terms), -_INF, terms)
                if forward:
                    acc = np.logaddexp.accumulate(terms[::-1])[::-1]
                else:
                    acc = np.logaddexp.accumulate(terms)
                out += s * np.nan_to_num(np.exp(x / temp + acc), nan=0.0)
        self._push(adj, args[0], out)


def smooth_robustness(
    formula: Formula | str, signals: Any, times: Any = None, *, temperature: float = 0.1
) -> SmoothRobustness:
    """Smooth STL robustness at the first step and its gradient w.r.t. the signals.

    Parameters
    ----------
    formula : Formula or str
        Built from comparisons, ``! & | ->``, ``X N``, ``F G`` (timed or not) and
        ``Y O H``.
    signals : dict of arrays or list of dicts
    times : array-like, optional
    temperature : float
        ``T > 0``; min/max become ``-+T*logsumexp(-+x/T)``.

    Returns
    -------
    SmoothRobustness
        ``value`` and ``gradient[signal]`` (an array, one entry per step).

    Examples
    --------
    >>> r = smooth_robustness("G (x < 1)", {"x": [0.0, 0.5]}, temperature=0.01)
    >>> round(r.value, 2), r.gradient["x"].round(2).tolist()
    (0.5, [-0.0, -1.0])
    """
    if not (isinstance(temperature, (int, float)) and temperature > 0 and np.isfinite(temperature)):
        raise TemporalLogicError(
            f"temperature: must be a positive finite number, got {temperature!r}"
        )
    f, t, tt = _prepare(formula, signals, times)
    engine = _Smooth(t, tt, float(temperature))
    value = engine.run(f)
    return SmoothRobustness(float(value[0]), engine.gradient(f), float(temperature))
