"""Detectors: thin, configurable adapters over the Midstream libraries.

Each kind of ``[[detectors.<kind>]]`` table becomes a :class:`DetectorFactory` that
makes one detector per matching stream.
"""

from __future__ import annotations

import concurrent.futures
import functools
from collections.abc import Callable
from typing import Any

import strange_loop as sl
import temporal_neural_solver as tns

from ..config import (
    AdaptationConfig,
    Config,
    ConfigError,
    DynamicsConfig,
    MonitorConfig,
    PatternConfig,
)
from .base import DetectorFactory, StreamDetector, numeric_signal, signals_of, trace_of
from .dynamics import DynamicsDetector, classify_window
from .monitor import MonitorDetector, compile_formula
from .patterns import PatternDetector, make_tuner, pattern_shape
from .robustness import RobustnessDetector
from .tokens import ReferenceDetector, RepetitionDetector

__all__ = [
    "DetectorFactory",
    "DynamicsDetector",
    "MonitorDetector",
    "PatternDetector",
    "ReferenceDetector",
    "RepetitionDetector",
    "RobustnessDetector",
    "StreamDetector",
    "build_detectors",
    "classify_window",
    "compile_formula",
    "numeric_signal",
    "pattern_shape",
    "signals_of",
    "trace_of",
]


def build_detectors(
    config: Config, executor: concurrent.futures.Executor | None = None
) -> list[DetectorFactory]:
    """One factory per configured detector; formulas are parsed (and checked) here."""
    d = config.detectors
    out: list[DetectorFactory] = []
    adapt = {a.detector: a for a in config.adaptation}
    for p in d.pattern:
        pattern_shape(p)
        name = f"pattern:{p.name}"
        if name in adapt:
            try:
                tuner = make_tuner(adapt[name])
            except sl.StrangeLoopError as exc:
                raise ConfigError(f"adaptation ({name}): {exc}") from None
            make = functools.partial(_adaptive_pattern, p, adapt[name], tuner)
            out.append(DetectorFactory(name, p.streams, make))
        else:
            out.append(DetectorFactory(name, p.streams, _bind(PatternDetector, p)))
    for r in d.repetition:
        out.append(DetectorFactory("repetition", r.streams, _bind(RepetitionDetector, r)))
    for ref in d.reference:
        out.append(DetectorFactory("reference", ref.streams, _bind(ReferenceDetector, ref)))
    for i, m in enumerate(d.monitor):
        try:
            formula = compile_formula(m.formula)
            tns.Monitor(formula, unknown="false")
        except tns.TemporalLogicError as exc:
            raise ConfigError(f"detectors.monitor[{i}].formula: {exc}") from None

        make_monitor = functools.partial(_monitor, m, formula)
        out.append(DetectorFactory(m.name or "monitor", m.streams, make_monitor))
    for i, rob in enumerate(d.robustness):
        try:
            tns.RobustnessMonitor(rob.formula)
        except tns.TemporalLogicError as exc:
            raise ConfigError(f"detectors.robustness[{i}].formula: {exc}") from None
        out.append(DetectorFactory("robustness", rob.streams, _bind(RobustnessDetector, rob)))
    for dyn in d.dynamics:
        make_dynamics = functools.partial(_dynamics, dyn, executor)
        out.append(DetectorFactory("dynamics", dyn.streams, make_dynamics))
    return out


def _bind(cls: Callable[[Any, str], StreamDetector], cfg: Any) -> Callable[[str], StreamDetector]:
    return functools.partial(_make, cls, cfg)


def _make(cls: Callable[[Any, str], StreamDetector], cfg: Any, stream: str) -> StreamDetector:
    return cls(cfg, stream)


def _adaptive_pattern(
    cfg: PatternConfig, adapt: AdaptationConfig, tuner: sl.ThresholdTuner, stream: str
) -> StreamDetector:
    return PatternDetector(cfg, stream, (adapt, tuner))


def _monitor(cfg: MonitorConfig, formula: tns.Formula, stream: str) -> StreamDetector:
    return MonitorDetector(cfg, stream, formula)


def _dynamics(
    cfg: DynamicsConfig, executor: concurrent.futures.Executor | None, stream: str
) -> StreamDetector:
    return DynamicsDetector(cfg, stream, executor)
