"""temporal_neural_solver: temporal logic that parses, checks, monitors and learns."""

from importlib.metadata import version as _version

from .errors import FormulaSyntaxError, TemporalLogicError

__version__: str = _version("temporal-neural-solver")

__all__ = ["FormulaSyntaxError", "TemporalLogicError", "__version__"]
