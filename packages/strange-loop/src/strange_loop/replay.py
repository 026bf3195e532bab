"""Experience replay: a numpy ring buffer with optional proportional prioritisation.

Transitions live in preallocated arrays; adding overwrites the oldest once full.
Uniform sampling draws indices with replacement. Prioritised sampling follows Schaul
et al. (2016, "Prioritized Experience Replay", proportional variant): ``P(i) ∝
p_i^alpha``, importance weights ``(N P(i))^-beta / max``; new transitions get the
largest priority seen so far. The ``p^alpha`` values live in a sum tree (an array of
``2 * leaves`` partial sums); a batch descends it for all samples at once, one numpy
step per level, and priority updates refresh the touched paths level by level, so
sampling and updating cost O(batch log capacity), independent of the fill.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._validation import as_int, as_probability, as_rate, as_seed_rng
from .errors import InvalidParameterError, ObservationError

__all__ = ["ReplayBuffer"]


class ReplayBuffer:
    """Fixed-capacity store of ``(observation, action, reward, next_observation, done)``.

    Examples
    --------
    >>> buf = ReplayBuffer(100, observation_shape=(2,), seed=0)
    >>> for i in range(150):
    ...     buf.add([i, i], i % 3, float(i), [i + 1, i + 1], False)
    >>> len(buf), bool(buf.sample(4)["reward"].min() >= 50)
    (100, True)
    """

    def __init__(
        self,
        capacity: int,
        *,
        observation_shape: tuple[int, ...] = (),
        observation_dtype: Any = np.float64,
        prioritized: bool = False,
        alpha: float = 0.6,
        beta: float = 0.4,
        seed: int | None = None,
    ) -> None:
        self.capacity = as_int(capacity, "capacity", minimum=1)
        try:
            self.observation_shape = tuple(int(d) for d in observation_shape)
            dtype = np.dtype(observation_dtype)
        except (TypeError, ValueError) as exc:
            raise InvalidParameterError(f"observation_shape/dtype: {exc}") from exc
        self.prioritized = bool(prioritized)
        self.alpha = as_rate(alpha, "alpha", allow_zero=True)
        self.beta = as_probability(beta, "beta")
        self.rng = as_seed_rng(seed)
        shape = (self.capacity, *self.observation_shape)
        self.observations = np.zeros(shape, dtype=dtype)
        self.next_observations = np.zeros(shape, dtype=dtype)
        self.actions = np.zeros(self.capacity, dtype=np.int64)
        self.rewards = np.zeros(self.capacity)
        self.dones = np.zeros(self.capacity, dtype=bool)
        self.priorities = np.zeros(self.capacity)
        self._leaves = 1 << max(0, (self.capacity - 1).bit_length())
        self._tree = np.zeros(2 * self._leaves)  # node i sums children 2i, 2i+1; leaves at +_leaves
        self._max_priority = 1.0
        self.size = 0
        self.position = 0

    def __len__(self) -> int:
        return self.size

    def _obs(self, value: Any, name: str, n: int | None) -> np.ndarray:
        arr = np.asarray(value, dtype=self.observations.dtype)
        want = self.observation_shape if n is None else (n, *self.observation_shape)
        if arr.shape != want:
            raise ObservationError(f"{name}: expected shape {want}, got {arr.shape}")
        return arr

    def add(
        self, observation: Any, action: int, reward: float, next_observation: Any, done: bool
    ) -> None:
        """Store one transition (overwrites the oldest when full)."""
        i = self.position
        self.observations[i] = self._obs(observation, "observation", None)
        self.next_observations[i] = self._obs(next_observation, "next_observation", None)
        self.actions[i] = action
        self.rewards[i] = reward
        self.dones[i] = done
        self.priorities[i] = self._max_priority
        self._set_tree(np.array([i]), np.array([self._max_priority**self.alpha]))
        self.position = (i + 1) % self.capacity
        self.size = min(self.size + 1, self.capacity)

    def add_batch(
        self, observations: Any, actions: Any, rewards: Any, next_observations: Any, dones: Any
    ) -> None:
        """Store ``n`` transitions at once (arrays with a leading axis of length ``n``)."""
        a = np.asarray(actions, dtype=np.int64).ravel()
        n = a.shape[0]
        obs = self._obs(observations, "observations", n)
        nxt = self._obs(next_observations, "next_observations", n)
        r = np.asarray(rewards, dtype=np.float64).ravel()
        d = np.asarray(dones, dtype=bool).ravel()
        if r.shape[0] != n or d.shape[0] != n:
            raise ObservationError("rewards/dones: must have one entry per action")
        if n > self.capacity:  # only the newest capacity transitions survive
            obs, nxt, a, r, d = (
                obs[-self.capacity :],
                nxt[-self.capacity :],
                a[-self.capacity :],
                r[-self.capacity :],
                d[-self.capacity :],
            )
            self.position = (self.position + n - self.capacity) % self.capacity
            n = self.capacity
        idx = (self.position + np.arange(n)) % self.capacity
        self.observations[idx] = obs
        self.next_observations[idx] = nxt
        self.actions[idx] = a
        self.rewards[idx] = r
        self.dones[idx] = d
        self.priorities[idx] = self._max_priority
        self._set_tree(idx, np.full(n, self._max_priority**self.alpha))
        self.position = int((self.position + n) % self.capacity)
        self.size = min(self.size + n, self.capacity)

    def _set_tree(self, idx: np.ndarray, values: np.ndarray) -> None:
        if not self.prioritized:
            return
        node = idx + self._leaves
        self._tree[node] = values  # with repeated indices the last value wins, as in priorities
        # refresh the paths to the root; a parent listed twice gets the same sum twice
        node = node // 2
        for _ in range(self._leaves.bit_length() - 1):
            self._tree[node] = self._tree[2 * node] + self._tree[2 * node + 1]
            node //= 2

    def sample(self, batch_size: int) -> dict[str, np.ndarray]:
        """A batch as a dict of arrays, with ``indices`` and importance ``weights``."""
        b = as_int(batch_size, "batch_size", minimum=1)
        if self.size == 0:
            raise InvalidParameterError("batch_size: the buffer is empty")
        if self.prioritized:
            tree = self._tree
            total = tree[1]
            target = self.rng.random(b) * total
            node = np.ones(b, dtype=np.int64)
            while node[0] < self._leaves:  # all samples are at the same depth
                left = 2 * node
                left_sum = tree[left]
                go_right = target >= left_sum
                target -= left_sum * go_right
                node = left + go_right
            idx = node - self._leaves
            np.minimum(idx, self.size - 1, out=idx)  # float round-off at the right edge
            probs = tree[idx + self._leaves] / total
            weights = (self.size * probs) ** (-self.beta)
            weights /= weights.max()
        else:
            idx = self.rng.integers(self.size, size=b)
            weights = np.ones(b)
        return {
            "observation": self.observations[idx],
            "action": self.actions[idx],
            "reward": self.rewards[idx],
            "next_observation": self.next_observations[idx],
            "done": self.dones[idx],
            "indices": idx,
            "weights": weights,
        }

    def update_priorities(self, indices: Any, priorities: Any) -> None:
        """Set the priorities (for example ``|TD error| + 1e-6``) of sampled transitions."""
        idx = np.asarray(indices, dtype=np.int64).ravel()
        pri = np.asarray(priorities, dtype=np.float64).ravel()
        if idx.shape != pri.shape:
            raise InvalidParameterError("priorities: must match indices in length")
        if np.any((idx < 0) | (idx >= self.size)):
            raise InvalidParameterError("indices: outside the stored transitions")
        if not np.all(np.isfinite(pri)) or np.any(pri <= 0):
            raise InvalidParameterError("priorities: must be finite and > 0")
        self.priorities[idx] = pri
        self._set_tree(idx, pri**self.alpha)
        self._max_priority = max(self._max_priority, float(pri.max()))
