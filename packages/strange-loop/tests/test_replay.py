from collections import deque

import numpy as np
import pytest

import strange_loop as sl


@pytest.mark.parametrize("capacity", [1, 7, 64])
def test_ring_keeps_the_newest_like_a_deque(capacity):
    buf = sl.ReplayBuffer(capacity, observation_shape=(2,), seed=0)
    ref = deque(maxlen=capacity)
    rng = np.random.default_rng(capacity)
    for i in range(3 * capacity + 5):
        if rng.random() < 0.3:
            k = int(rng.integers(1, 2 * capacity + 2))
            obs = np.arange(i, i + k, dtype=float)[:, None].repeat(2, axis=1)
            buf.add_batch(
                obs, np.arange(k), np.arange(i, i + k, dtype=float), obs + 1, np.zeros(k, bool)
            )
            ref.extend(float(x) for x in range(i, i + k))
        else:
            buf.add([i, i], 0, float(i), [i + 1, i + 1], False)
            ref.append(float(i))
        assert len(buf) == len(ref)
        assert sorted(buf.rewards[: len(buf)].tolist()) == sorted(ref)


def test_prioritised_sampling_follows_the_priorities():
    buf = sl.ReplayBuffer(8, prioritized=True, alpha=1.0, beta=1.0, seed=0)
    for i in range(6):
        buf.add(0.0, 0, float(i), 0.0, False)
    pri = np.array([1.0, 2.0, 3.0, 4.0, 0.5, 9.5])
    buf.update_priorities(np.arange(6), pri)
    batch = buf.sample(200_000)
    freq = np.bincount(batch["indices"], minlength=6) / 200_000
    expect = pri / pri.sum()
    # binomial standard error is below 0.0011 for every cell; allow 5 of them
    assert np.all(np.abs(freq - expect) < 0.0055)
    w = (6 * expect[batch["indices"]]) ** -1.0
    np.testing.assert_allclose(batch["weights"], w / w.max())


def test_new_transitions_get_the_largest_priority():
    buf = sl.ReplayBuffer(4, prioritized=True, alpha=1.0, seed=1)
    buf.add(0.0, 0, 0.0, 0.0, False)
    buf.update_priorities([0], [5.0])
    buf.add(0.0, 0, 1.0, 0.0, False)
    assert buf.priorities[1] == 5.0


def test_bad_replay_input():
    buf = sl.ReplayBuffer(4, observation_shape=(2,))
    with pytest.raises(sl.InvalidParameterError, match="empty"):
        buf.sample(1)
    with pytest.raises(sl.ObservationError, match="shape"):
        buf.add([1, 2, 3], 0, 0.0, [1, 2], False)
    buf.add([1, 2], 0, 0.0, [1, 2], False)
    with pytest.raises(sl.InvalidParameterError, match="priorities"):
        buf.update_priorities([0], [-1.0])
    with pytest.raises(sl.InvalidParameterError, match="capacity"):
        sl.ReplayBuffer(0)
