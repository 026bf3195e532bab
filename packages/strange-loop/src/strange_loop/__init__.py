"""strange_loop: multi-level meta-learning with safety-checked self-modification."""

from importlib.metadata import version as _version

from . import envs
from .agent import Agent, EpisodeLog, evaluate, train
from .bandits import UCB, EpsilonGreedyBandit, GradientBandit, ThompsonSampling
from .dynamics import Dynamics, DynamicsReport, classify_learning
from .empirical import EmpiricalModel
from .errors import (
    ConstraintSyntaxError,
    InvalidParameterError,
    ObservationError,
    StateFileError,
    StrangeLoopError,
)
from .knowledge import KnowledgeGraph
from .learner import Learner, ParamRange
from .linear import LinearQLearning
from .loop import MetaKnowledge, StrangeLoop
from .meta_level import MetaLevel
from .paired import PairedExploration
from .persistence import load, save
from .population import StepSizePopulation
from .regimes import Recall, RegimeMemory, behaviour_patterns
from .replay import ReplayBuffer
from .rules import Rule
from .safety import AuditEntry, Modification, SafetyConstraint, SafetyGuard
from .scheduling import CycleScheduler
from .spaces import DiscreteSpace
from .tabular import ExpectedSarsa, SarsaLambda, TabularQLearning
from .threshold import ThresholdTuner
from .tiles import TileCoder

__version__: str = _version("strange-loop")

__all__ = [
    "UCB",
    "Agent",
    "AuditEntry",
    "ConstraintSyntaxError",
    "CycleScheduler",
    "DiscreteSpace",
    "Dynamics",
    "DynamicsReport",
    "EmpiricalModel",
    "EpisodeLog",
    "EpsilonGreedyBandit",
    "ExpectedSarsa",
    "GradientBandit",
    "InvalidParameterError",
    "KnowledgeGraph",
    "Learner",
    "LinearQLearning",
    "MetaKnowledge",
    "MetaLevel",
    "Modification",
    "ObservationError",
    "PairedExploration",
    "ParamRange",
    "Recall",
    "RegimeMemory",
    "ReplayBuffer",
    "Rule",
    "SafetyConstraint",
    "SafetyGuard",
    "SarsaLambda",
    "StateFileError",
    "StepSizePopulation",
    "StrangeLoop",
    "StrangeLoopError",
    "TabularQLearning",
    "ThompsonSampling",
    "ThresholdTuner",
    "TileCoder",
    "__version__",
    "behaviour_patterns",
    "classify_learning",
    "envs",
    "evaluate",
    "load",
    "save",
    "train",
]
