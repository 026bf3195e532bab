"""Pipeline configuration: typed, validated, read from TOML.

Every table and key is declared here; an unknown key is an error naming its path
(``Object contains unknown field `treshold` - at `$.detectors.pattern[0]```), so a
typo never silently falls back to a default. ``Config()`` is the embedded default;
``load_config(path)`` reads a file. See ``examples/llm.toml`` and
``examples/sensor.toml`` and the "Configuration" section of the docs for every key.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Literal

import msgspec

from .errors import MidstreamError

__all__ = [
    "AdaptationConfig",
    "Config",
    "ConfigError",
    "DynamicsConfig",
    "MonitorConfig",
    "PatternConfig",
    "PipelineConfig",
    "ReferenceConfig",
    "RepetitionConfig",
    "RobustnessConfig",
    "default_config",
    "load_config",
    "parse_config",
]

Severity = Literal["info", "warning", "critical"]


class ConfigError(MidstreamError):
    """A configuration file is unreadable, has an unknown key or a bad value."""


class _Strict(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    pass


class PipelineConfig(_Strict):
    """How events flow: ordering, buffering, deadlines, statistics."""

    timestamps: Literal["error", "drop", "reorder"] = "error"
    reorder_window_ms: float = 1000.0
    reorder_max_held: int = 1024
    max_pending: int = 65536  # events buffered across streams before sources are paused
    max_batch: int = 4096  # events one analysis step takes from a stream
    deadline_ms: float = 5.0  # an analysis step is due this long after its first event arrived
    output_queue: int = 65536  # records buffered for the consumer
    on_full_output: Literal["block", "drop"] = "block"
    stats_every_s: float = 1.0  # 0 turns the periodic stats records off
    scheduler_policy: Literal["edf", "fifo", "llf"] = "edf"


class PatternConfig(_Strict):
    """A numeric shape looked for with temporal-compare's StreamMatcher (DTW)."""

    name: str
    values: list[float] = []  # the shape; or generate a sine burst with the three keys below
    sine_cycles: float = 0.0
    sine_length: int = 64
    sine_amplitude: float = 1.0
    threshold: float = 1.0  # largest DTW distance of a match
    window: int | None = None  # Sakoe-Chiba radius
    field: str = "value"
    streams: str = "*"
    severity: Severity = "warning"


class RepetitionConfig(_Strict):
    """An LLM repeating itself: an n-gram recurring in the recent tokens."""

    ngram: int = 4
    min_count: int = 3
    window: int = 64
    streams: str = "*"
    severity: Severity = "warning"


class ReferenceConfig(_Strict):
    """Similarity of the running response to a reference answer (edit distance or LCS)."""

    reference: str
    streams: str = "*"
    metric: Literal["lcs", "levenshtein"] = "lcs"
    threshold: float = 0.6  # alert when the similarity falls below this
    min_chars: int = 40  # compare only once the response is this long
    every: int = 8  # tokens between comparisons
    severity: Severity = "warning"


class MonitorConfig(_Strict):
    """An LTL/MTL property over each stream's events (temporal-neural-solver Monitor)."""

    formula: str
    name: str = ""
    streams: str = "*"
    severity: Severity = "critical"


class RobustnessConfig(_Strict):
    """Past-time STL robustness of numeric fields (temporal-neural-solver RobustnessMonitor)."""

    formula: str
    streams: str = "*"
    every: int = 100  # samples between robustness records (sign changes always report)
    severity: Severity = "warning"


class DynamicsConfig(_Strict):
    """Dynamics class of a numeric field on a sliding window (temporal-attractor-studio)."""

    field: str = "value"
    streams: str = "*"
    window: int = 1024
    every: int = 512
    severity: Severity = "info"


class AdaptationConfig(_Strict):
    """Tune a pattern detector's threshold online from labelled feedback (strange-loop).

    Feedback events are events named ``label_event`` whose ``fields[label_field]`` says
    whether an anomaly really occurred since the previous label on that stream; the
    detector alerted or not in that span. A bandit over ``candidates``
    (``strange_loop.ThresholdTuner``) is rewarded +1 for a right call, ``-fp_cost``
    for a false alarm and ``-fn_cost`` for a miss; ``constraints`` (LTL over
    ``threshold``, ``precision``, ``recall``, ``reward_avg``) are enforced by its
    safety guard, which refuses a forbidden switch.
    """

    detector: str  # "pattern:<name>"
    candidates: list[float]
    constraints: list[str] = []
    label_event: str = "label"
    label_field: str = "anomaly"
    decide_every: int = 5
    policy: Literal["ucb", "thompson", "epsilon"] = "ucb"
    fp_cost: float = 1.0
    fn_cost: float = 1.0
    seed: int | None = 0


class DetectorsConfig(_Strict):
    pattern: list[PatternConfig] = []
    repetition: list[RepetitionConfig] = []
    reference: list[ReferenceConfig] = []
    monitor: list[MonitorConfig] = []
    robustness: list[RobustnessConfig] = []
    dynamics: list[DynamicsConfig] = []


class Config(_Strict):
    """The whole configuration: ``[pipeline]`` and ``[[detectors.<kind>]]`` tables."""

    pipeline: PipelineConfig = msgspec.field(default_factory=PipelineConfig)
    detectors: DetectorsConfig = msgspec.field(default_factory=DetectorsConfig)
    adaptation: list[AdaptationConfig] = []  # off unless given


def _positive(where: str, value: float) -> None:
    if not (math.isfinite(value) and value > 0):
        raise ConfigError(f"{where}: must be > 0, got {value}")


def _check(config: Config) -> Config:
    p = config.pipeline
    for key in ("max_pending", "max_batch", "output_queue", "reorder_max_held"):
        _positive(f"pipeline.{key}", getattr(p, key))
    _positive("pipeline.deadline_ms", p.deadline_ms)
    if p.reorder_window_ms < 0 or p.stats_every_s < 0:
        raise ConfigError("pipeline.reorder_window_ms and stats_every_s must be >= 0")
    d = config.detectors
    for i, pat in enumerate(d.pattern):
        where = f"detectors.pattern[{i}]"
        if not pat.values and pat.sine_cycles <= 0:
            raise ConfigError(f"{where}: give values = [...] or sine_cycles > 0")
        _positive(f"{where}.threshold", pat.threshold)
        if pat.sine_cycles > 0:
            _positive(f"{where}.sine_length", pat.sine_length)
    for i, rep in enumerate(d.repetition):
        where = f"detectors.repetition[{i}]"
        if rep.ngram < 1 or rep.min_count < 2 or rep.window < rep.ngram * rep.min_count:
            raise ConfigError(
                f"{where}: need ngram >= 1, min_count >= 2 and window >= ngram * min_count"
            )
    for i, ref in enumerate(d.reference):
        where = f"detectors.reference[{i}]"
        if not ref.reference:
            raise ConfigError(f"{where}.reference: must not be empty")
        if not 0.0 <= ref.threshold <= 1.0:
            raise ConfigError(f"{where}.threshold: must be in [0, 1], got {ref.threshold}")
        _positive(f"{where}.every", ref.every)
    for i, rob in enumerate(d.robustness):
        _positive(f"detectors.robustness[{i}].every", rob.every)
    names = {f"pattern:{pat.name}" for pat in d.pattern}
    for i, ad in enumerate(config.adaptation):
        where = f"adaptation[{i}]"
        if ad.detector not in names:
            known = ", ".join(sorted(names)) or "none configured"
            raise ConfigError(
                f"{where}.detector: {ad.detector!r} is not a pattern detector ({known})"
            )
        if not ad.candidates or not all(math.isfinite(c) and c > 0 for c in ad.candidates):
            raise ConfigError(f"{where}.candidates: need positive, finite thresholds")
        _positive(f"{where}.decide_every", ad.decide_every)
    if len({ad.detector for ad in config.adaptation}) != len(config.adaptation):
        raise ConfigError("adaptation: at most one table per detector")
    for i, dyn in enumerate(d.dynamics):
        where = f"detectors.dynamics[{i}]"
        if dyn.window < 128 or dyn.every < 1:
            raise ConfigError(f"{where}: need window >= 128 and every >= 1")
    return config


def parse_config(text: str | bytes, *, source: str = "config") -> Config:
    """Validate TOML text into a :class:`Config`; errors name ``source`` and the key path."""
    try:
        return _check(msgspec.toml.decode(text, type=Config))
    except msgspec.ValidationError as exc:
        raise ConfigError(f"{source}: {exc}") from None
    except msgspec.DecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from None
    except ConfigError as exc:
        raise ConfigError(f"{source}: {exc}") from None


def load_config(path: str | Path) -> Config:
    """Read and validate a TOML configuration file."""
    try:
        text = Path(path).read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config: {exc.strerror}") from None
    return parse_config(text, source=str(path))


DEFAULT_TOML = """
# What `midstream analyze` runs without --config: detectors that need no knowledge
# of the stream (no reference answer, formula or shape).
[[detectors.repetition]]
streams = "*"

[[detectors.dynamics]]
streams = "*"
"""


def default_config() -> Config:
    """The configuration ``midstream analyze`` uses without ``--config``: repetition loops
    on token streams and the dynamics class of numeric ones (every stream)."""
    return parse_config(DEFAULT_TOML, source="default config")
