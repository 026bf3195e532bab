"""Classify learning dynamics with temporal-attractor-studio, and what each class changes.

A learning curve (reward per meta cycle) or a parameter trajectory is passed to
:func:`temporal_attractor_studio.classify`; its attractor type is read as:

=====================  ===============  ============================================
attractor type         dynamics         effect in :class:`~strange_loop.StrangeLoop`
=====================  ===============  ============================================
FIXED_POINT            CONVERGING       none (the settings in force are kept)
LIMIT_CYCLE,           OSCILLATING      damp: the base step size is halved
QUASI_PERIODIC
CHAOTIC                CHAOTIC          damp: the base step size is halved
STOCHASTIC             NOISE            average longer: level 1's step is halved
NON_STATIONARY         DRIFTING         none (a trend: still learning, or the task moves)
UNKNOWN                UNKNOWN          none
=====================  ===============  ============================================

A constant curve (classify refuses it) is CONVERGING. The effects are proposed as
modifications, so they run only with ``self_modification=True`` and pass the guard.
"""

from __future__ import annotations

import enum
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import temporal_attractor_studio as tas

from ._records import record_dict
from .errors import InvalidParameterError

__all__ = ["Dynamics", "DynamicsReport", "classify_learning"]

MIN_POINTS = 200


class Dynamics(enum.Enum):
    """Kind of learning dynamics."""

    CONVERGING = "converging"
    OSCILLATING = "oscillating"
    CHAOTIC = "chaotic"
    NOISE = "noise"
    DRIFTING = "drifting"
    UNKNOWN = "unknown"


_FROM_ATTRACTOR = {
    tas.AttractorType.FIXED_POINT: Dynamics.CONVERGING,
    tas.AttractorType.LIMIT_CYCLE: Dynamics.OSCILLATING,
    tas.AttractorType.QUASI_PERIODIC: Dynamics.OSCILLATING,
    tas.AttractorType.CHAOTIC: Dynamics.CHAOTIC,
    tas.AttractorType.STOCHASTIC: Dynamics.NOISE,
    tas.AttractorType.NON_STATIONARY: Dynamics.DRIFTING,
    tas.AttractorType.UNKNOWN: Dynamics.UNKNOWN,
}


@dataclass(frozen=True)
class DynamicsReport:
    """Result of :func:`classify_learning`."""

    dynamics: Dynamics
    confidence: float
    attractor_type: str
    period: float | None = None
    evidence: dict[str, Any] = field(default_factory=dict, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return record_dict(self, omit=("evidence",))


def classify_learning(series: Any, *, seed: int = 0) -> DynamicsReport:
    """Classify a learning curve or parameter trajectory (at least 200 finite points).

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(400)
    >>> classify_learning(np.sin(2 * np.pi * t / 25)).dynamics
    <Dynamics.OSCILLATING: 'oscillating'>
    >>> classify_learning(np.random.default_rng(0).standard_normal(400)).dynamics
    <Dynamics.NOISE: 'noise'>
    """
    x = np.asarray(series, dtype=np.float64).ravel()
    if x.shape[0] < MIN_POINTS:
        raise InvalidParameterError(
            f"series: needs at least {MIN_POINTS} points to classify, got {x.shape[0]}"
        )
    if not np.all(np.isfinite(x)):
        raise InvalidParameterError("series: must be finite")
    if np.ptp(x) == 0.0:
        return DynamicsReport(Dynamics.CONVERGING, 1.0, "constant")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", tas.PoorFitWarning)
        info = tas.classify(x, seed=seed)
    return DynamicsReport(
        _FROM_ATTRACTOR[info.attractor_type],
        float(info.confidence),
        info.attractor_type.value,
        info.period,
        dict(info.evidence),
    )
