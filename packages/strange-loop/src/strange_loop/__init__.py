"""strange_loop: multi-level meta-learning with safety-checked self-modification."""

from importlib.metadata import version as _version

from . import envs
from .agent import Agent, EpisodeLog, evaluate, train
from .bandits import UCB, EpsilonGreedyBandit, GradientBandit, ThompsonSampling
from .errors import (
    ConstraintSyntaxError,
    InvalidParameterError,
    ObservationError,
    StateFileError,
    StrangeLoopError,
)
from .learner import Learner, ParamRange
from .linear import LinearQLearning
from .replay import ReplayBuffer
from .spaces import DiscreteSpace
from .tabular import ExpectedSarsa, SarsaLambda, TabularQLearning
from .tiles import TileCoder

__version__: str = _version("strange-loop")

__all__ = [
    "UCB",
    "Agent",
    "ConstraintSyntaxError",
    "DiscreteSpace",
    "EpisodeLog",
    "EpsilonGreedyBandit",
    "ExpectedSarsa",
    "GradientBandit",
    "InvalidParameterError",
    "Learner",
    "LinearQLearning",
    "ObservationError",
    "ParamRange",
    "ReplayBuffer",
    "SarsaLambda",
    "StateFileError",
    "StrangeLoopError",
    "TabularQLearning",
    "ThompsonSampling",
    "TileCoder",
    "__version__",
    "envs",
    "evaluate",
    "train",
]
