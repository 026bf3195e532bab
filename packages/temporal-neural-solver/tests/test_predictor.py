import numpy as np
import pytest

from temporal_neural_solver import TemporalLogicError, VerdictPredictor, encode, evaluate

FORMULA = "G (request -> F response)"


def failure_mode_traces(n, seed, length=50):
    """A server answers requests (p=0.4 per step) until it fails at a uniform random
    time in [0, 2*length); requests arrive with p=0.2. Whether the whole trace will
    satisfy the response property depends on the (hidden) failure time."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        t = np.arange(length)
        fail = rng.uniform(0, 2 * length)
        out.append(
            {
                "request": rng.random(length) < 0.2,
                "response": (rng.random(length) < 0.4) & (t < fail),
            }
        )
    return out


def test_beats_majority_baseline_late_in_the_stream():
    vp = VerdictPredictor(FORMULA, seed=0).fit(failure_mode_traces(300, 1))
    test = failure_mode_traces(300, 7)
    report = vp.report(test, fractions=(0.1, 0.5, 0.75, 0.9))
    labels = [evaluate(FORMULA, t).holds for t in test]
    majority = max(np.mean(labels), 1 - np.mean(labels))
    assert report.baseline == (pytest.approx(majority),) * 4
    acc = dict(zip(report.fractions, report.accuracy, strict=True))
    assert acc[0.75] > majority + 0.05
    assert acc[0.9] > majority + 0.1
    assert acc[0.9] >= acc[0.1]  # more of the stream, better predictions
    assert report.to_dict()["n_traces"] == 300


def test_probabilities_are_calibrated_better_than_the_base_rate():
    vp = VerdictPredictor(FORMULA, seed=1).fit(failure_mode_traces(300, 3))
    test = failure_mode_traces(300, 8)
    y = np.array([evaluate(FORMULA, t).holds for t in test], dtype=float)
    p = np.array([vp.predict_proba({k: v[:45] for k, v in t.items()}, horizon=50) for t in test])
    assert np.all((p > 0) & (p < 1))

    def log_loss(q):
        q = np.clip(q, 1e-9, 1 - 1e-9)
        return -np.mean(y * np.log(q) + (1 - y) * np.log(1 - q))

    assert log_loss(p) < log_loss(np.full_like(y, y.mean()))


def test_encode_is_structural():
    a, b = encode("G (p -> F q)"), encode("G (x -> F y)")
    assert a.shape == (32,)
    assert np.array_equal(a, b)  # renaming atoms does not change the structure
    assert not np.array_equal(a, encode("F (p -> G q)") + encode("X p"))
    assert not np.array_equal(encode("F[0,5] p"), encode("F p"))


def test_bad_input():
    vp = VerdictPredictor(FORMULA)
    with pytest.raises(TemporalLogicError, match="fit"):
        vp.predict_proba([{"request"}], horizon=5)
    with pytest.raises(TemporalLogicError, match="at least 10"):
        vp.fit(failure_mode_traces(5, 0))
    vp.fit(failure_mode_traces(20, 0), epochs=5)
    with pytest.raises(TemporalLogicError, match="horizon"):
        vp.predict_proba({"request": [True, False], "response": [False, False]}, horizon=1)
    with pytest.raises(TemporalLogicError, match="fractions"):
        vp.report(failure_mode_traces(3, 0), fractions=(0.0,))
    with pytest.raises(TemporalLogicError, match="CTL"):
        VerdictPredictor("AG p")
