"""The agent protocol and the ``train`` / ``evaluate`` loops over Gymnasium-style environments.

An environment needs ``reset(seed=None) -> (observation, info)`` and
``step(action) -> (observation, reward, terminated, truncated, info)``, the Gymnasium
API; gymnasium itself is never imported here. An agent needs ``act``, ``observe`` and
``end_episode``; ``evaluate`` also uses ``greedy_action`` when asked for the greedy
policy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np

from ._validation import as_int
from .errors import InvalidParameterError

__all__ = ["Agent", "EpisodeLog", "evaluate", "train"]


@runtime_checkable
class Agent(Protocol):
    """What ``train`` needs from an agent."""

    def act(self, observation: Any) -> Any:
        """Choose an action (may explore; consumes the agent's random stream)."""

    def observe(
        self,
        observation: Any,
        action: Any,
        reward: float,
        next_observation: Any,
        terminated: bool,
        truncated: bool,
    ) -> None:
        """Learn from one transition."""

    def end_episode(self) -> None:
        """Called once after the last transition of an episode."""


@dataclass(frozen=True)
class EpisodeLog:
    """Per-episode returns and lengths of a ``train`` or ``evaluate`` run.

    ``successes`` counts episodes whose final reward was positive and which
    terminated (the usual success criterion of goal-reaching tasks such as FrozenLake).
    """

    returns: np.ndarray
    lengths: np.ndarray
    successes: int = 0
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def mean_return(self) -> float:
        return float(self.returns.mean()) if self.returns.size else float("nan")

    @property
    def success_rate(self) -> float:
        return self.successes / self.returns.size if self.returns.size else float("nan")

    def to_dict(self) -> dict[str, Any]:
        return {
            "episodes": int(self.returns.size),
            "mean_return": self.mean_return,
            "success_rate": self.success_rate,
            "mean_length": float(self.lengths.mean()) if self.lengths.size else float("nan"),
        }


def _run(
    agent: Any,
    env: Any,
    episodes: int,
    seed: int | None,
    max_steps: int | None,
    progress: Callable[[int, float], Any] | None,
    choose: Callable[[Any], Any],
    learn: bool,
) -> EpisodeLog:
    n = as_int(episodes, "episodes", minimum=0)
    if seed is not None:
        as_int(seed, "seed")
    limit = None if max_steps is None else as_int(max_steps, "max_steps", minimum=1)
    if not callable(getattr(env, "reset", None)) or not callable(getattr(env, "step", None)):
        raise InvalidParameterError(f"env: expected reset() and step() methods, got {env!r}")
    returns = np.zeros(n)
    lengths = np.zeros(n, dtype=np.int64)
    successes = 0
    for episode in range(n):
        observation, _info = env.reset(seed=seed) if episode == 0 else env.reset()
        total = 0.0
        steps = 0
        reward = 0.0
        terminated = truncated = False
        while True:
            action = choose(observation)
            next_observation, reward, terminated, truncated, _info = env.step(action)
            reward = float(reward)
            if learn:
                agent.observe(observation, action, reward, next_observation, terminated, truncated)
            total += reward
            steps += 1
            observation = next_observation
            if terminated or truncated or (limit is not None and steps >= limit):
                break
        if learn:
            agent.end_episode()
        if terminated and reward > 0:
            successes += 1
        returns[episode] = total
        lengths[episode] = steps
        if progress is not None:
            progress(episode + 1, total)
    return EpisodeLog(returns, lengths, successes)


def train(
    agent: Agent,
    env: Any,
    *,
    episodes: int,
    seed: int | None = None,
    max_steps: int | None = None,
    progress: Callable[[int, float], Any] | None = None,
) -> EpisodeLog:
    """Run ``episodes`` learning episodes of ``agent`` in ``env``.

    Parameters
    ----------
    agent : Agent
    env : Gymnasium-style environment
    episodes : int
    seed : int, optional
        Passed to the first ``env.reset(seed=...)`` only, as Gymnasium recommends.
    max_steps : int, optional
        Cut an episode after this many steps (the agent sees ``truncated=False``; use
        the environment's own TimeLimit to signal truncation).
    progress : callable, optional
        ``progress(episodes_done, episode_return)`` after each episode.

    Examples
    --------
    >>> from strange_loop import TabularQLearning, train
    >>> from strange_loop.envs import Chain
    >>> env = Chain(5)
    >>> agent = TabularQLearning(env.observation_space, env.action_space, seed=0)
    >>> train(agent, env, episodes=50, seed=0).returns.shape
    (50,)
    """
    return _run(agent, env, episodes, seed, max_steps, progress, agent.act, True)


def evaluate(
    agent: Any,
    env: Any,
    *,
    episodes: int,
    seed: int | None = None,
    greedy: bool = True,
    max_steps: int | None = None,
    progress: Callable[[int, float], Any] | None = None,
) -> EpisodeLog:
    """Run ``episodes`` episodes without learning; the greedy policy by default.

    With ``greedy=True`` the agent's ``greedy_action(observation)`` chooses (ties
    broken by its random stream); otherwise ``act``.
    """
    if greedy:
        choose = getattr(agent, "greedy_action", None)
        if not callable(choose):
            raise InvalidParameterError("agent: greedy evaluation needs a greedy_action method")
    else:
        choose = agent.act
    return _run(agent, env, episodes, seed, max_steps, progress, choose, False)
