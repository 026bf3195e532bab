"""Multi-armed bandit policies as agents (the observation is ignored).

* :class:`EpsilonGreedyBandit` - sample-average (``alpha=None``) or constant step size.
* :class:`UCB` - UCB1 (Auer, Cesa-Bianchi & Fischer 2002) ``Q + c sqrt(ln t / N)``,
  every arm once first; ``alpha`` gives the constant-step variant for drifting arms.
* :class:`ThompsonSampling` - Gaussian rewards with known noise variance and a normal
  prior, or Bernoulli rewards with a Beta(1, 1) prior; ``discount < 1`` forgets old
  evidence (discounted Thompson sampling, Raj & Kalyani 2017) for drifting arms.
* :class:`GradientBandit` - soft-max preferences moved by ``α (r − baseline)``
  (Sutton & Barto 2018, section 2.8).

Random draws and tie-breaking follow :func:`~strange_loop.learner.epsilon_greedy`;
the tests replay each policy with a plain reference and compare the actions.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np

from ._validation import as_int, as_real
from .errors import InvalidParameterError
from .learner import Learner, ParamRange, epsilon_greedy
from .spaces import discrete_index

__all__ = ["UCB", "EpsilonGreedyBandit", "GradientBandit", "ThompsonSampling"]


def _arms(n_arms: Any) -> int:
    if hasattr(n_arms, "n"):
        n_arms = n_arms.n
    return as_int(n_arms, "n_arms", minimum=1)


def _argmax_random(values: np.ndarray, rng: np.random.Generator) -> int:
    best = np.flatnonzero(values == values.max())
    if best.shape[0] == 1:
        return int(best[0])
    return int(best[rng.integers(best.shape[0])])


class _Bandit(Learner):
    def __init__(self, n_arms: Any, seed: int | None, **params: Any) -> None:
        super().__init__(seed, **params)
        self.n_arms = _arms(n_arms)

    def _arm(self, action: Any) -> int:
        return discrete_index(action, self.n_arms, 0, "action")

    def end_episode(self) -> None:
        pass

    @property
    def sample_average(self) -> bool:
        """True while no constant step size ``alpha`` is set."""
        return "alpha" not in self._params

    def _config(self) -> dict[str, Any]:
        return {"n_arms": self.n_arms}


class EpsilonGreedyBandit(_Bandit):
    """ε-greedy action values, sample-average (``alpha=None``) or constant step ``alpha``.

    Examples
    --------
    >>> b = EpsilonGreedyBandit(3, epsilon=0.0, alpha=0.5, seed=0)
    >>> b.observe(None, 2, 1.0, None, False, False)
    >>> b.act(None), b.q.tolist()
    (2, [0.0, 0.0, 0.5])
    """

    PARAMS: ClassVar[dict[str, ParamRange]] = {
        "epsilon": ParamRange(0.0, 1.0, log=False),
        "alpha": ParamRange(1e-6, 1.0),
    }

    def __init__(
        self,
        n_arms: Any,
        *,
        epsilon: float = 0.1,
        alpha: float | None = None,
        initial_value: float = 0.0,
        seed: int | None = None,
    ) -> None:
        params: dict[str, Any] = {"epsilon": epsilon}
        if alpha is not None:
            params["alpha"] = alpha
        super().__init__(n_arms, seed, **params)
        self.initial_value = as_real(initial_value, "initial_value")
        self.q = np.full(self.n_arms, self.initial_value)
        self.counts = np.zeros(self.n_arms, dtype=np.int64)

    def act(self, observation: Any) -> int:
        return epsilon_greedy(self.q, self._params["epsilon"], self.rng)

    def greedy_action(self, observation: Any) -> int:
        return int(np.argmax(self.q))

    def observe(self, observation: Any, action: Any, reward: float, *_: Any) -> None:
        a = self._arm(action)
        r = as_real(reward, "reward")
        self.counts[a] += 1
        step = self._params.get("alpha", 1.0 / self.counts[a])
        delta = r - self.q[a]
        self.q[a] += step * delta
        self.last_td_error = float(delta)

    def _config(self) -> dict[str, Any]:
        return {**super()._config(), "initial_value": self.initial_value}

    def _arrays(self) -> dict[str, np.ndarray]:
        return {"q": self.q, "counts": self.counts}

    def _set_arrays(self, arrays: dict[str, np.ndarray]) -> None:
        self.q = arrays["q"].astype(np.float64)
        self.counts = arrays["counts"].astype(np.int64)


class UCB(_Bandit):
    """Upper confidence bound: ``Q + c sqrt(ln t / N)``; untried arms first (lowest index).

    ``c = sqrt(2)`` is UCB1. ``alpha`` (optional) makes ``Q`` a constant-step average.
    Ties among the maxima are broken at random.
    """

    PARAMS: ClassVar[dict[str, ParamRange]] = {
        "c": ParamRange(0.0, 100.0, log=False),
        "alpha": ParamRange(1e-6, 1.0),
    }

    def __init__(
        self,
        n_arms: Any,
        *,
        c: float = math.sqrt(2.0),
        alpha: float | None = None,
        seed: int | None = None,
    ) -> None:
        params: dict[str, Any] = {"c": c}
        if alpha is not None:
            params["alpha"] = alpha
        super().__init__(n_arms, seed, **params)
        self.q = np.zeros(self.n_arms)
        self.counts = np.zeros(self.n_arms, dtype=np.int64)
        self.t = 0

    def act(self, observation: Any) -> int:
        untried = np.flatnonzero(self.counts == 0)
        if untried.shape[0]:
            return int(untried[0])
        bonus = self._params["c"] * np.sqrt(math.log(self.t) / self.counts)
        return _argmax_random(self.q + bonus, self.rng)

    def greedy_action(self, observation: Any) -> int:
        return int(np.argmax(self.q))

    def observe(self, observation: Any, action: Any, reward: float, *_: Any) -> None:
        a = self._arm(action)
        r = as_real(reward, "reward")
        self.t += 1
        self.counts[a] += 1
        step = self._params.get("alpha", 1.0 / self.counts[a])
        delta = r - self.q[a]
        self.q[a] += step * delta
        self.last_td_error = float(delta)

    def _arrays(self) -> dict[str, np.ndarray]:
        return {"q": self.q, "counts": self.counts}

    def _set_arrays(self, arrays: dict[str, np.ndarray]) -> None:
        self.q = arrays["q"].astype(np.float64)
        self.counts = arrays["counts"].astype(np.int64)

    def _extra_state(self) -> dict[str, Any]:
        return {"t": self.t}

    def _set_extra_state(self, extra: dict[str, Any]) -> None:
        self.t = int(extra["t"])


class ThompsonSampling(_Bandit):
    """Thompson sampling with a Gaussian (known noise) or Bernoulli reward model.

    Gaussian: prior ``N(prior_mean, prior_var)`` per arm, noise variance
    ``noise_var``; each step draws one sample per arm (``rng.standard_normal(n)``) and
    plays the largest. Bernoulli: Beta posteriors (``rng.beta``), rewards in [0, 1]
    (fractional rewards update both counts proportionally). With ``discount`` γ < 1
    the evidence of every arm decays by γ each step before the update.
    """

    PARAMS: ClassVar[dict[str, ParamRange]] = {"discount": ParamRange(1e-3, 1.0)}

    def __init__(
        self,
        n_arms: Any,
        *,
        model: str = "gaussian",
        prior_mean: float = 0.0,
        prior_var: float = 1.0,
        noise_var: float = 1.0,
        discount: float = 1.0,
        seed: int | None = None,
    ) -> None:
        super().__init__(n_arms, seed, discount=discount)
        if model not in ("gaussian", "bernoulli"):
            raise InvalidParameterError(f"model: expected 'gaussian' or 'bernoulli', got {model!r}")
        self.model = model
        self.prior_mean = as_real(prior_mean, "prior_mean")
        self.prior_var = as_real(prior_var, "prior_var")
        self.noise_var = as_real(noise_var, "noise_var")
        if self.prior_var <= 0 or self.noise_var <= 0:
            raise InvalidParameterError("prior_var and noise_var: must be > 0")
        # sufficient statistics: evidence weight and weighted reward sum per arm
        self.weight = np.zeros(self.n_arms)
        self.total = np.zeros(self.n_arms)

    def _posterior(self) -> tuple[np.ndarray, np.ndarray]:
        precision = 1.0 / self.prior_var + self.weight / self.noise_var
        mean = (self.prior_mean / self.prior_var + self.total / self.noise_var) / precision
        return mean, 1.0 / precision

    def act(self, observation: Any) -> int:
        if self.model == "gaussian":
            mean, var = self._posterior()
            sample = mean + np.sqrt(var) * self.rng.standard_normal(self.n_arms)
        else:
            sample = self.rng.beta(1.0 + self.total, 1.0 + self.weight - self.total)
        return _argmax_random(sample, self.rng)

    def greedy_action(self, observation: Any) -> int:
        if self.model == "gaussian":
            return int(np.argmax(self._posterior()[0]))
        return int(np.argmax((1.0 + self.total) / (2.0 + self.weight)))

    def observe(self, observation: Any, action: Any, reward: float, *_: Any) -> None:
        a = self._arm(action)
        r = as_real(reward, "reward")
        if self.model == "bernoulli" and not 0.0 <= r <= 1.0:
            raise InvalidParameterError(
                f"reward: Bernoulli Thompson sampling needs [0, 1], got {r}"
            )
        gamma = self._params["discount"]
        if gamma < 1.0:
            self.weight *= gamma
            self.total *= gamma
        mean_before = self.total[a] / self.weight[a] if self.weight[a] > 0 else self.prior_mean
        self.weight[a] += 1.0
        self.total[a] += r
        self.last_td_error = float(r - mean_before)

    def _config(self) -> dict[str, Any]:
        return {
            **super()._config(),
            "model": self.model,
            "prior_mean": self.prior_mean,
            "prior_var": self.prior_var,
            "noise_var": self.noise_var,
        }

    def _arrays(self) -> dict[str, np.ndarray]:
        return {"weight": self.weight, "total": self.total}

    def _set_arrays(self, arrays: dict[str, np.ndarray]) -> None:
        self.weight = arrays["weight"].astype(np.float64)
        self.total = arrays["total"].astype(np.float64)


class GradientBandit(_Bandit):
    """Soft-max over preferences ``H``; ``H += α (r − r̄)(1[a] − π)``.

    The baseline ``r̄`` is the sample average of all rewards (``baseline_alpha=None``)
    or a constant-step average; ``baseline=False`` uses 0. Actions are drawn by
    inverse CDF from one ``rng.random()``.
    """

    PARAMS: ClassVar[dict[str, ParamRange]] = {
        "alpha": ParamRange(1e-6, 10.0),
        "baseline_alpha": ParamRange(1e-6, 1.0),
    }

    def __init__(
        self,
        n_arms: Any,
        *,
        alpha: float = 0.1,
        baseline: bool = True,
        baseline_alpha: float | None = None,
        seed: int | None = None,
    ) -> None:
        params: dict[str, Any] = {"alpha": alpha}
        if baseline_alpha is not None:
            params["baseline_alpha"] = baseline_alpha
        super().__init__(n_arms, seed, **params)
        self.baseline = bool(baseline)
        self.h = np.zeros(self.n_arms)
        self.mean_reward = 0.0
        self.t = 0

    def probabilities(self) -> np.ndarray:
        z = np.exp(self.h - self.h.max())
        return z / z.sum()

    def act(self, observation: Any) -> int:
        cdf = np.cumsum(self.probabilities())
        return int(
            min(np.searchsorted(cdf, self.rng.random() * cdf[-1], side="right"), self.n_arms - 1)
        )

    def greedy_action(self, observation: Any) -> int:
        return int(np.argmax(self.h))

    def observe(self, observation: Any, action: Any, reward: float, *_: Any) -> None:
        a = self._arm(action)
        r = as_real(reward, "reward")
        pi = self.probabilities()
        base = self.mean_reward if self.baseline else 0.0
        delta = r - base
        one_hot = np.zeros(self.n_arms)
        one_hot[a] = 1.0
        self.h += self._params["alpha"] * delta * (one_hot - pi)
        self.t += 1
        step = self._params.get("baseline_alpha", 1.0 / self.t)
        self.mean_reward += step * (r - self.mean_reward)
        self.last_td_error = float(delta)

    def _config(self) -> dict[str, Any]:
        return {**super()._config(), "baseline": self.baseline}

    def _arrays(self) -> dict[str, np.ndarray]:
        return {"h": self.h}

    def _set_arrays(self, arrays: dict[str, np.ndarray]) -> None:
        self.h = arrays["h"].astype(np.float64)

    def _extra_state(self) -> dict[str, Any]:
        return {"mean_reward": self.mean_reward, "t": self.t}

    def _set_extra_state(self, extra: dict[str, Any]) -> None:
        self.mean_reward = float(extra["mean_reward"])
        self.t = int(extra["t"])
