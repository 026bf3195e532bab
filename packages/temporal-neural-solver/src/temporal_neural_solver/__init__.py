"""temporal_neural_solver: temporal logic that parses, checks, monitors and learns.

Examples
--------
>>> import temporal_neural_solver as tns
>>> tns.evaluate("G (request -> F response)", {"request": [1, 0, 0], "response": [0, 0, 1]}).holds
True
"""

from importlib.metadata import version as _version

from .errors import FormulaSyntaxError, TemporalLogicError
from .evaluate import Lasso, Verdict, evaluate, satisfaction
from .formula import FALSE, TRUE, Formula, Predicate, atom
from .kripke import CTLResult, Kripke, check_ctl
from .ltl_check import LTLResult, check_ltl
from .monitor import Monitor, MonitorSet, MonitorVerdict
from .parser import parse
from .predictor import PredictorReport, VerdictPredictor, encode
from .solver import TemporalNeuralSolver
from .stl import SmoothRobustness, robustness, robustness_signal, smooth_robustness
from .stl_online import RobustnessMonitor
from .synthesis import Synthesis, synthesize

__version__: str = _version("temporal-neural-solver")

__all__ = [
    "FALSE",
    "TRUE",
    "CTLResult",
    "Formula",
    "FormulaSyntaxError",
    "Kripke",
    "LTLResult",
    "Lasso",
    "Monitor",
    "MonitorSet",
    "MonitorVerdict",
    "Predicate",
    "PredictorReport",
    "RobustnessMonitor",
    "SmoothRobustness",
    "Synthesis",
    "TemporalLogicError",
    "TemporalNeuralSolver",
    "Verdict",
    "VerdictPredictor",
    "__version__",
    "atom",
    "check_ctl",
    "check_ltl",
    "encode",
    "evaluate",
    "parse",
    "robustness",
    "robustness_signal",
    "satisfaction",
    "smooth_robustness",
    "synthesize",
]
