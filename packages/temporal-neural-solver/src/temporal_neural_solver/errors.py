"""Errors raised by temporal_neural_solver.

Every error the package raises derives from :class:`TemporalLogicError`, so callers
can catch the package's errors in one place, or as the builtin ``ValueError``.
"""

from __future__ import annotations

__all__ = ["FormulaSyntaxError", "TemporalLogicError", "missing_atom"]


class TemporalLogicError(ValueError):
    """Base class of every error raised by ``temporal_neural_solver``."""


class FormulaSyntaxError(TemporalLogicError):
    """A formula's text does not parse.

    Carries the 1-based ``line`` and ``column`` of the offending character, and a
    message that repeats the source line with a caret under that column.
    """

    def __init__(self, message: str, *, text: str, line: int, column: int) -> None:
        self.text = text
        self.line = line
        self.column = column
        source = text.splitlines()[line - 1] if text.splitlines() else ""
        caret = " " * (column - 1) + "^"
        super().__init__(f"{message} at line {line}, column {column}\n  {source}\n  {caret}")


def missing_atom(where: str, name: str | None) -> TemporalLogicError:
    """The error for an atom the formula reads that ``where`` (a step, a trace) lacks."""
    return TemporalLogicError(
        f"{where}: atom {name!r} is missing (the formula reads it; "
        "pass unknown='false' to read a missing atom as false)"
    )
