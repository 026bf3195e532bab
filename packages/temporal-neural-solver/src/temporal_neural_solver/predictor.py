"""Learned early verdicts: a small numpy MLP that predicts a monitor's final verdict.

:class:`VerdictPredictor` watches a stream through a :class:`Monitor` and predicts,
before the stream ends, whether the complete trace will satisfy the formula (LTLf).
Its input is the monitor's current RV-LTL verdict, how far into the stream it is, the
frequency of each atom so far and in the last few steps, and :func:`encode` of the
formula. It is a one-hidden-layer network trained with Adam on cross-entropy, then
calibrated by temperature scaling on a held-out part of the training data.

Whether it helps is an empirical question: :meth:`VerdictPredictor.report` compares
its accuracy with the majority-class baseline at several prefix lengths.

Examples
--------
>>> vec = encode("G (request -> F response)")
>>> vec.shape, bool(vec[0] > 0)
((32,), True)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._records import record_dict
from .errors import TemporalLogicError
from .evaluate import as_formula, satisfaction
from .formula import Formula, fold
from .monitor import Monitor, MonitorVerdict
from .trace import Trace

__all__ = ["PredictorReport", "VerdictPredictor", "encode"]

_OPS = ["atom", "cmp", "true", "false", "!", "&", "|", "->", "<->", "^", "X", "N", "F", "G",
        "U", "R", "W", "M", "Y", "O", "H", "S", "A", "E"]  # fmt: skip
EMBED_DIM = 32
_TEMPORAL = frozenset({"X", "N", "F", "G", "U", "R", "W", "M", "Y", "O", "H", "S"})


def encode(formula: Formula | str) -> np.ndarray:
    """Fixed-size structural embedding of a formula (32 floats).

    Log-scaled counts of each operator, then size, depth, temporal nesting depth,
    number of atoms, number of timed operators, the mean interval width, and flags for
    past-time and comparison content; zero-padded to 32.
    """
    f = as_formula(formula)
    counts = dict.fromkeys(_OPS, 0)
    timed, widths = 0, []
    for g in f.subformulas():
        counts[g.op] += 1
        if g.interval is not None:
            timed += 1
            a, b = g.interval
            widths.append(min(b - a, 1e6))

    def depth(g: Formula, temporal: bool) -> int:
        def node(h: Formula, below: list[int]) -> int:
            return max(below, default=0) + (1 if (not temporal or h.op in _TEMPORAL) else 0)

        return fold(g, node)

    feats = [np.log1p(counts[o]) for o in _OPS]
    feats += [
        np.log1p(f.size()),
        np.log1p(depth(f, False)),
        np.log1p(depth(f, True)),
        np.log1p(len(f.atoms()) + len(f.signals())),
        np.log1p(timed),
        np.log1p(float(np.mean(widths)) if widths else 0.0),
        float(f.has_past()),
        float(bool(f.signals())),
    ]
    out = np.zeros(EMBED_DIM)
    out[: len(feats)] = feats
    return out


@dataclass(frozen=True)
class PredictorReport:
    """Accuracy of the predictor and of the majority-class baseline per prefix fraction."""

    fractions: tuple[float, ...]
    accuracy: tuple[float, ...]
    baseline: tuple[float, ...]
    n_traces: int

    def beats_baseline(self) -> tuple[bool, ...]:
        return tuple(a > b for a, b in zip(self.accuracy, self.baseline, strict=True))

    def to_dict(self) -> dict[str, Any]:
        return record_dict(self)


class VerdictPredictor:
    """Predict the final verdict of ``formula`` on a stream from a prefix of it.

    Parameters
    ----------
    formula : Formula or str
        A formula :class:`Monitor` accepts.
    hidden : int
        Hidden units.
    window : int
        Recent steps summarised separately from the whole prefix.
    seed : int
        Seed of the weight initialisation and of the prefix sampling.
    """

    def __init__(
        self, formula: Formula | str, *, hidden: int = 32, window: int = 8, seed: int = 0
    ) -> None:
        self.formula = as_formula(formula)
        if hidden < 1 or window < 1:
            raise TemporalLogicError("hidden, window: must be positive")
        self._monitor = Monitor(self.formula)  # also validates the formula
        self.atoms = sorted(self.formula.atoms())
        self.hidden = hidden
        self.window = window
        self.seed = seed
        self.temperature = 1.0
        self._params: list[np.ndarray] | None = None
        self._mu: np.ndarray | None = None
        self._sd: np.ndarray | None = None
        self._embedding = encode(self.formula)

    # -- features -------------------------------------------------------------------
    def _features(self, trace: Trace, ends: Sequence[int], horizon: int) -> np.ndarray:
        """Features of the prefixes ``trace[:e]`` for each ``e`` in ``ends``."""
        cols = np.stack([trace.boolean(a, unknown="error") for a in self.atoms], axis=1).astype(
            float
        )
        csum = np.vstack((np.zeros((1, cols.shape[1])), np.cumsum(cols, axis=0)))
        self._monitor.reset()
        codes = self._monitor.run(trace, every_step=True)
        rows = []
        for e in ends:
            verdict = np.zeros(4)
            verdict[int(codes[e - 1])] = 1.0
            start = max(0, e - self.window)
            rows.append(
                np.concatenate(
                    (
                        verdict,
                        [e / horizon, np.log1p(e)],
                        csum[e] / e,
                        (csum[e] - csum[start]) / (e - start),
                        cols[e - 1],
                        self._embedding,
                    )
                )
            )
        return np.asarray(rows)

    @staticmethod
    def _label(formula: Formula, trace: Trace) -> float:
        return float(satisfaction(formula, trace)[0])

    # -- training ------------------------------------------------------------------------
    def fit(
        self,
        traces: Sequence[Any],
        *,
        epochs: int = 100,
        prefixes_per_trace: int = 8,
        lr: float = 0.01,
    ) -> VerdictPredictor:
        """Train on complete traces; each contributes several random prefixes.

        The label of every prefix is the LTLf truth of its complete trace. A fifth
        of the traces is held out to fit the calibration temperature.
        """
        data = [Trace.coerce(t) for t in traces]
        if len(data) < 10:
            raise TemporalLogicError("traces: need at least 10 complete traces to train")
        rng = np.random.default_rng(self.seed)
        order = rng.permutation(len(data))
        n_cal = max(2, len(data) // 5)
        cal_idx, train_idx = order[:n_cal], order[n_cal:]
        X, y = self._dataset([data[i] for i in train_idx], prefixes_per_trace, rng)
        Xc, yc = self._dataset([data[i] for i in cal_idx], prefixes_per_trace, rng)
        self._mu = X.mean(axis=0)
        self._sd = X.std(axis=0) + 1e-9
        self._params = self._train((X - self._mu) / self._sd, y, epochs, lr, rng)
        logits = self._logits(Xc)
        temps = np.exp(np.linspace(np.log(0.2), np.log(5.0), 61))
        nll = [_bce(_sigmoid(logits / t), yc) for t in temps]
        self.temperature = float(temps[int(np.argmin(nll))])
        return self

    def _dataset(
        self, traces: list[Trace], per: int, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray]:
        xs, ys = [], []
        for t in traces:
            ends = np.unique(rng.integers(1, t.length + 1, size=per))
            xs.append(self._features(t, ends.tolist(), t.length))
            ys.append(np.full(len(ends), self._label(self.formula, t)))
        return np.vstack(xs), np.concatenate(ys)

    def _train(
        self, X: np.ndarray, y: np.ndarray, epochs: int, lr: float, rng: np.random.Generator
    ) -> list[np.ndarray]:
        d = X.shape[1]
        W1 = rng.normal(0, 1 / np.sqrt(d), (d, self.hidden))
        b1 = np.zeros(self.hidden)
        W2 = rng.normal(0, 1 / np.sqrt(self.hidden), self.hidden)
        b2 = np.zeros(1)
        params = [W1, b1, W2, b2]
        m = [np.zeros_like(p) for p in params]
        v = [np.zeros_like(p) for p in params]
        step = 0
        n = len(y)
        for _epoch in range(epochs):
            # mini-batches of 256 rows: small products also stay off BLAS threading,
            # which is slow on a loaded machine
            order = rng.permutation(n)
            for start in range(0, n, 256):
                idx = order[start : start + 256]
                xb, yb = X[idx], y[idx]
                step += 1
                h = np.tanh(xb @ W1 + b1)
                p = _sigmoid(h @ W2 + b2[0])
                g_logit = (p - yb) / len(yb)
                gW2 = h.T @ g_logit
                gb2 = np.array([g_logit.sum()])
                gh = np.outer(g_logit, W2) * (1 - h**2)
                gW1 = xb.T @ gh + 1e-4 * W1
                gb1 = gh.sum(axis=0)
                for k, g in enumerate((gW1, gb1, gW2, gb2)):
                    m[k] = 0.9 * m[k] + 0.1 * g
                    v[k] = 0.999 * v[k] + 0.001 * g * g
                    mh = m[k] / (1 - 0.9**step)
                    vh = v[k] / (1 - 0.999**step)
                    params[k] -= lr * mh / (np.sqrt(vh) + 1e-8)
        return params

    def _logits(self, X: np.ndarray) -> np.ndarray:
        if self._params is None or self._mu is None or self._sd is None:
            raise TemporalLogicError("VerdictPredictor: call fit() first")
        W1, b1, W2, b2 = self._params
        h = np.tanh(((X - self._mu) / self._sd) @ W1 + b1)
        return np.asarray(h @ W2 + b2[0])

    # -- prediction ------------------------------------------------------------------------
    def predict_proba(self, prefix: Any, *, horizon: int) -> float:
        """Calibrated probability that the complete stream (``horizon`` steps) satisfies
        the formula, given its first steps ``prefix``."""
        t = Trace.coerce(prefix, name="prefix")
        if horizon < t.length:
            raise TemporalLogicError(
                f"horizon: {horizon} is shorter than the prefix ({t.length} steps)"
            )
        x = self._features(t, [t.length], horizon)
        return float(_sigmoid(self._logits(x) / self.temperature)[0])

    def report(
        self, traces: Sequence[Any], fractions: Sequence[float] = (0.1, 0.25, 0.5, 0.75, 0.9)
    ) -> PredictorReport:
        """Accuracy vs. the majority-class baseline on held-out complete traces."""
        data = [Trace.coerce(t) for t in traces]
        if not data:
            raise TemporalLogicError("traces: need at least one trace")
        labels = np.array([self._label(self.formula, t) for t in data])
        majority = float(labels.mean() >= 0.5)
        acc, base = [], []
        for frac in fractions:
            if not 0 < frac <= 1:
                raise TemporalLogicError(f"fractions: each must be in (0, 1], got {frac}")
            preds = []
            for t in data:
                e = max(1, round(frac * t.length))
                x = self._features(t, [e], t.length)
                preds.append(float(_sigmoid(self._logits(x) / self.temperature)[0] >= 0.5))
            acc.append(float(np.mean(np.array(preds) == labels)))
            base.append(float(np.mean(labels == majority)))
        return PredictorReport(tuple(fractions), tuple(acc), tuple(base), len(data))


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return np.asarray(0.5 * (1 + np.tanh(0.5 * z)))


def _bce(p: np.ndarray, y: np.ndarray) -> float:
    p = np.clip(p, 1e-9, 1 - 1e-9)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


# The MonitorVerdict codes index the one-hot block of the features.
assert [int(v) for v in MonitorVerdict] == [0, 1, 2, 3]
