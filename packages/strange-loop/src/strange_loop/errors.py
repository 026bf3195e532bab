"""Errors raised by strange_loop.

Every error the package raises derives from :class:`StrangeLoopError`, so callers can
catch the package's errors in one place. Bad input also derives from ``ValueError``.
"""

from __future__ import annotations

__all__ = [
    "ConstraintSyntaxError",
    "InvalidParameterError",
    "ObservationError",
    "StateFileError",
    "StrangeLoopError",
]


class StrangeLoopError(Exception):
    """Base class of every error raised by ``strange_loop``."""


class InvalidParameterError(StrangeLoopError, ValueError):
    """A hyperparameter or argument is out of range or of the wrong type."""


class ObservationError(StrangeLoopError, ValueError):
    """An observation or action does not fit the agent's space."""


class ConstraintSyntaxError(StrangeLoopError, ValueError):
    """A safety constraint's formula does not parse.

    The message is temporal-neural-solver's, with line, column and caret; the
    original :class:`temporal_neural_solver.FormulaSyntaxError` is the ``__cause__``.
    """


class StateFileError(StrangeLoopError, ValueError):
    """A saved state file is corrupted, truncated, of a future version or not ours."""
