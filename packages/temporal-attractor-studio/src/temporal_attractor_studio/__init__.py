"""temporal_attractor_studio: nonlinear dynamics of a time series.

Embedding (:func:`embed`, :func:`estimate_delay`, :func:`estimate_dimension`), the
largest Lyapunov exponent from data (:func:`lyapunov_max`), the full spectrum from
equations (:func:`lyapunov_spectrum`), correlation dimension, recurrence
quantification, surrogate tests, attractor classification (:func:`classify`) and a
streaming :class:`AttractorAnalyzer`. Reference systems live in :mod:`.systems`.
"""

from importlib.metadata import version as _version

from . import systems
from .analyzer import AttractorAnalyzer, TrajectoryStats
from .classify import AttractorInfo, AttractorType, classify
from .dimension import CorrelationDimensionResult, correlation_dimension
from .embedding import embed
from .errors import AttractorError, IntegrationStepWarning, PoorFitWarning
from .lyapunov import LyapunovResult, fit_linear_region, lyapunov_max
from .neighbors import nearest_neighbors
from .parameters import estimate_delay, estimate_dimension, mean_period, mutual_information
from .plotting import plot_divergence, plot_phase_portrait, plot_recurrence
from .recurrence import RecurrenceResult, recurrence_quantification
from .spectrum import LyapunovSpectrum, kaplan_yorke_dimension, lyapunov_spectrum
from .stationarity import StationarityTest, adf_test, kpss_test
from .surrogates import (
    DeterminismTest,
    determinism_test,
    iaaft_surrogate,
    phase_randomized_surrogate,
    prediction_error,
)
from .zero_one import zero_one_test

__version__: str = _version("temporal-attractor-studio")

__all__ = [
    "AttractorAnalyzer",
    "AttractorError",
    "AttractorInfo",
    "AttractorType",
    "CorrelationDimensionResult",
    "DeterminismTest",
    "IntegrationStepWarning",
    "LyapunovResult",
    "LyapunovSpectrum",
    "PoorFitWarning",
    "RecurrenceResult",
    "StationarityTest",
    "TrajectoryStats",
    "__version__",
    "adf_test",
    "classify",
    "correlation_dimension",
    "determinism_test",
    "embed",
    "estimate_delay",
    "estimate_dimension",
    "fit_linear_region",
    "iaaft_surrogate",
    "kaplan_yorke_dimension",
    "kpss_test",
    "lyapunov_max",
    "lyapunov_spectrum",
    "mean_period",
    "mutual_information",
    "nearest_neighbors",
    "phase_randomized_surrogate",
    "plot_divergence",
    "plot_phase_portrait",
    "plot_recurrence",
    "prediction_error",
    "recurrence_quantification",
    "systems",
    "zero_one_test",
]
