"""Errors and warnings raised by temporal_attractor_studio.

Every error the package raises derives from :class:`AttractorError`, so callers can
catch the package's errors in one place, or as the builtin ``ValueError``. Results
whose estimate is unreliable are returned with a low quality score and a
:class:`PoorFitWarning`.
"""

from __future__ import annotations

__all__ = ["AttractorError", "IntegrationStepWarning", "PoorFitWarning"]


class AttractorError(ValueError):
    """Base class of every error raised by ``temporal_attractor_studio``."""


class PoorFitWarning(UserWarning):
    """An estimate was computed but its fit is poor; read its ``quality`` before use."""


class IntegrationStepWarning(UserWarning):
    """An integration step is too large for the vector field; results depend on it."""
