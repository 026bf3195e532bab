"""A paired test of exploration's long-run value for an ε-greedy bandit.

Comparing two exploration rates by the rewards of the blocks they were in force
drowns the difference in reward noise (a 100-step block mean of unit-variance rewards
has a standard error of 0.1; good rates differ by a few hundredths). This test
compares them on the *same* steps instead:

* **Thinned shadows.** Beside the base learner (which learns from every step), the
  test keeps one shadow value table per threshold ``θ`` of a ×2 grid. The behaviour
  draws ``u ~ U(0, 1)`` each step and explores when ``u < ε``; a shadow learns from an
  exploring step only when ``u < θ``, so the shadow at ``θ = ε/2`` has seen exactly the
  exploration an agent with rate ``ε/2`` would have seen (common random numbers). On
  greedy steps a shadow learns only from pulls of its own greedy arm, so it does not
  pick up what the base's extra exploration discovered through the base's choices.
* **Interleaved greedy choice.** On a greedy step where the base's greedy arm ``g``
  and the ``ε/2`` shadow's ``h`` differ, the behaviour pulls one of them with
  probability 1/2 each (team-draft interleaving, Radlinski, Kurup & Joachims 2008,
  "How does clickthrough data reflect retrieval quality?", CIKM). Then
  ``2 r (1[a=g] − 1[a=h])`` is an unbiased estimate of ``q(g) − q(h)`` whose
  importance weight is bounded by 2 (an off-policy estimate under the ordinary
  ε-greedy behaviour would weigh the other arm by ``n/ε``, e.g. 100). Steps where the
  two agree contribute exactly 0 - that is where the reward noise cancels. Averaged
  over steps this is the *benefit* of the upper half of the exploration: how much
  better the greedy choices are because of the information it bought.
* **Cost.** On the exploring steps the shadow does not see (``ε/2 <= u < ε``),
  ``Q(g) − r`` estimates what the exploration cost against the greedy arm.

Every decision (one per block) compares benefit − cost with its standard error
(recency-weighted sums, factor ``memory`` per block): significantly negative →
halve ε; significantly positive → double ε; otherwise keep it. So ε settles where
the marginal exploration pays for itself - the optimality condition of the rate,
judged by its long-run effect on the greedy choices rather than by immediate reward.
Approximations, stated plainly: the base learns from every pull, including the
shadow's interleaved ones, so the comparison is between the base and an agent that
saw less exploration, not exactly between an ε agent and an ε/2 agent; and the
evidence fades with ``memory`` (about 3,300 steps at the default), so a benefit that
builds up more slowly than that - at very small ε, where a non-greedy arm is revisited
only every ``2n/ε`` steps - is under-measured and ε is not raised from there; and the
cost is charged against ``max Q``, an upward-biased estimate of the greedy arm's value.
Only the exploration rate is tested; step sizes are not.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from ._validation import as_probability, as_rate, as_real
from .errors import InvalidParameterError, StateFileError

__all__ = ["PairedExploration"]


def _argmax_random(values: np.ndarray, rng: np.random.Generator) -> int:
    best = np.flatnonzero(values == values.max())
    if best.shape[0] == 1:
        return int(best[0])
    return int(best[rng.integers(best.shape[0])])


class PairedExploration:
    """The paired exploration test of the module docstring (sans-I/O policy object).

    Parameters
    ----------
    q : ndarray
        The base learner's action values at the start (copied into every shadow).
    epsilon : float
        Starting exploration rate (> 0); the grid is ``epsilon * 2**k``.
    low, high : float
        Range ε may move in (``low / 2`` gets a shadow too, to test the lowest rate).
    z : float
        Standard errors benefit − cost must clear before ε moves.
    memory : float
        Factor in (0, 1] the evidence is multiplied by after each decision that keeps ε.

    Examples
    --------
    >>> import numpy as np
    >>> test = PairedExploration(np.zeros(3), 0.1, low=0.025, high=0.4)
    >>> [round(t, 4) for t in test.thresholds]
    [0.0125, 0.025, 0.05, 0.1, 0.2, 0.4]
    >>> test.decide(0.1) is None  # no evidence yet
    True
    """

    def __init__(
        self,
        q: np.ndarray,
        epsilon: float,
        *,
        low: float,
        high: float,
        z: float = 2.0,
        memory: float = 0.97,
        counts: np.ndarray | None = None,
    ) -> None:
        q = np.asarray(q, dtype=np.float64)
        if q.ndim != 1 or q.shape[0] < 2:
            raise InvalidParameterError(
                f"q: expected a 1-d array of >= 2 arms, got shape {q.shape}"
            )
        epsilon = as_rate(epsilon, "epsilon", maximum=1.0)
        self.low = as_rate(low, "low", maximum=1.0)
        self.high = as_probability(high, "high")
        if not self.low <= epsilon <= self.high:
            raise InvalidParameterError(
                f"epsilon: must lie in [low, high] = [{self.low}, {self.high}], got {epsilon}"
            )
        self.z = as_rate(z, "z", allow_zero=True)
        self.memory = as_rate(memory, "memory", maximum=1.0)
        down = math.floor(math.log2(epsilon / self.low) + 1e-9) + 1
        up = math.floor(math.log2(self.high / epsilon) + 1e-9)
        self.thresholds = [epsilon * 2.0**k for k in range(-down, up + 1)]
        m = len(self.thresholds)
        self.q = np.tile(q, (m, 1))
        self.counts = (
            np.zeros((m, q.shape[0]), dtype=np.int64)
            if counts is None
            else np.tile(np.asarray(counts, dtype=np.int64), (m, 1))
        )
        # recency-weighted sums: steps, benefit, benefit², cost, cost²
        self.stats = np.zeros(5)
        self.decisions = 0
        self.moves = 0
        self._pending: tuple[float, bool, int, int, int, float] | None = None

    @property
    def pending(self) -> bool:
        """True between :meth:`act` and :meth:`observe`."""
        return self._pending is not None

    def shadow_index(self, epsilon: float) -> int:
        """Index of the shadow nearest ``epsilon / 2`` on a log scale."""
        target = math.log(epsilon / 2.0)
        return int(np.argmin([abs(math.log(t) - target) for t in self.thresholds]))

    def act(self, q: np.ndarray, epsilon: float, rng: np.random.Generator) -> int:
        """The behaviour's arm: explore below ε, else the interleaved greedy choice."""
        u = float(rng.random())
        n = q.shape[0]
        j = self.shadow_index(epsilon)
        q_greedy = float(q.max())  # Q of the base's greedy arm, before this step's update
        if u < epsilon:
            a = int(rng.integers(n))
            self._pending = (u, True, -1, -1, j, q_greedy)
            return a
        g = _argmax_random(q, rng)
        h = _argmax_random(self.q[j], rng)
        a = g if g == h or rng.random() < 0.5 else h
        self._pending = (u, False, g, h, j, q_greedy)
        return a

    def observe(self, action: int, reward: float, alpha: float | None) -> None:
        """Credit the step that :meth:`act` chose and update the shadows."""
        if self._pending is None:
            raise InvalidParameterError("observe: call act() first (no pending step)")
        u, explored, g, h, j, q_g = self._pending
        self._pending = None
        a = int(action)
        r = as_real(reward, "reward")
        benefit = cost = 0.0
        if explored:
            learn = np.array([u < t for t in self.thresholds])
            if u >= self.thresholds[j]:
                cost = q_g - r
        else:
            if g != h:
                benefit = 2.0 * r * (float(a == g) - float(a == h))
            # a shadow learns from a greedy step only when the arm is its own greedy arm
            learn = self.q.argmax(axis=1) == a
            learn[j] = a == h
        rows = np.flatnonzero(learn)
        self.counts[rows, a] += 1
        step = 1.0 / self.counts[rows, a] if alpha is None else alpha
        self.q[rows, a] += step * (r - self.q[rows, a])
        self.stats += (1.0, benefit, benefit * benefit, cost, cost * cost)

    def evidence(self) -> tuple[float, float]:
        """(benefit − cost per step, its standard error) of the upper half of ε."""
        n, sb, sb2, sc, sc2 = self.stats
        if n < 2:
            return 0.0, math.inf
        b, c = sb / n, sc / n
        var = max(sb2 / n - b * b, 0.0) + max(sc2 / n - c * c, 0.0)
        return b - c, math.sqrt(var / n)

    def decide(self, epsilon: float) -> float | None:
        """The next ε (halved or doubled within ``[low, high]``), or None to keep it."""
        self.decisions += 1
        net, se = self.evidence()
        new = None
        if net < -self.z * se and epsilon / 2.0 >= self.low * (1 - 1e-9):
            new = epsilon / 2.0
        elif net > self.z * se and epsilon * 2.0 <= self.high * (1 + 1e-9):
            new = epsilon * 2.0
        if new is None:
            self.stats *= self.memory
        else:
            self.stats[:] = 0.0
            self.moves += 1
        return new

    # ---------------------------------------------------------------- state
    def to_state(self) -> dict[str, Any]:
        return {
            "low": self.low,
            "high": self.high,
            "z": self.z,
            "memory": self.memory,
            "thresholds": list(self.thresholds),
            "q": self.q,
            "counts": self.counts,
            "stats": self.stats,
            "decisions": self.decisions,
            "moves": self.moves,
            "pending": None if self._pending is None else list(self._pending),
        }

    @classmethod
    def from_state(cls, state: Mapping[str, Any]) -> PairedExploration:
        thresholds = [float(t) for t in state["thresholds"]]
        q = np.asarray(state["q"], dtype=np.float64)
        counts = np.asarray(state["counts"])
        stats = np.asarray(state["stats"], dtype=np.float64)
        m = len(thresholds)
        if q.ndim != 2 or q.shape[0] != m or counts.shape != q.shape or stats.shape != (5,):
            raise StateFileError("state: paired exploration arrays have the wrong shape")
        obj = cls.__new__(cls)
        obj.low, obj.high = float(state["low"]), float(state["high"])
        obj.z, obj.memory = float(state["z"]), float(state["memory"])
        obj.thresholds = thresholds
        obj.q = q.copy()
        obj.counts = counts.astype(np.int64)
        obj.stats = stats.copy()
        obj.decisions = int(state["decisions"])
        obj.moves = int(state["moves"])
        p = state["pending"]
        obj._pending = (
            None
            if p is None
            else (float(p[0]), bool(p[1]), int(p[2]), int(p[3]), int(p[4]), float(p[5]))
        )
        return obj
