"""The demo's synthetic workload: streams with planted facts, and how to check them.

Eight core streams (more with ``extra`` plain chat streams), all deterministic for
a seed, timestamps in stream time (so a recorded run analyses to the same records):

``llm-loop``       an answer that falls into a repetition loop   -> repetition alert
``llm-ok``         an answer that follows its reference          -> nothing
``llm-drift``      an answer that leaves its reference           -> reference alert
``agent-ok``       tool calls each answered within 5 s           -> nothing
``agent-bad``      one tool call never answered                  -> monitor FALSE
``sensor-lorenz``  Lorenz x with an event shape planted 3 times   -> 3 pattern alerts
``sensor-temp``    a temperature above its 30 degree limit once  -> STL alert
``metric-regime``  a metric that turns from periodic to chaotic  -> dynamics alert

The monitor is ``G (tool_call -> F[0,5s] tool_result)``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

import temporal_attractor_studio as tas

from .config import Config, parse_config
from .records import Record

__all__ = [
    "EVENT_LENGTH",
    "PlantedFact",
    "Workload",
    "check_facts",
    "demo_config",
    "demo_config_toml",
    "event_shape",
    "make_workload",
    "throughput_config",
    "throughput_config_toml",
    "throughput_events",
]

T0 = 1_765_000_000_000_000_000  # stream time origin (ns since the epoch)
EVENT_LENGTH = 64
SENSOR_SAMPLES = 4000
SENSOR_DT_NS = 1_000_000  # 1 kHz
TOKEN_DT_NS = 20_000_000  # 50 tokens/s
LORENZ_DT = 0.01

_ANSWER = (
    "The tide rises twice a day because the moon pulls the ocean toward it while the earth "
    "turns beneath that bulge. A second bulge forms on the far side, where the pull is weakest, "
    "so every coast passes through two high waters and two low waters. The sun adds a smaller "
    "pull, which is why spring tides are larger near new and full moon."
)
_OTHER = (
    "Bread dough needs time to proof in a warm kitchen before it goes into a hot oven with "
    "plenty of steam, and a crust forms only when the surface dries after the first minutes."
)
_LOOP = " I will check the tides again."


def event_shape() -> np.ndarray:
    """The planted sensor event: three fast oscillations of amplitude 25 (Lorenz x stays
    within +-20)."""
    return 25.0 * np.sin(np.linspace(0.0, 6.0 * np.pi, EVENT_LENGTH))


def _words(text: str) -> list[str]:
    parts = text.split(" ")
    return [parts[0]] + [" " + w for w in parts[1:]]


_CONFIG = """
[pipeline]
deadline_ms = 5

[[detectors.repetition]]
streams = "llm-*"
ngram = 4
min_count = 3
window = 64

[[detectors.reference]]
# the two streams that answer the tides question
streams = "llm-[od]*"
reference = {answer!r}
metric = "lcs"
threshold = 0.75
min_chars = 60

[[detectors.monitor]]
name = "tool-protocol"
streams = "agent-*"
formula = "G (tool_call -> F[0,5s] tool_result)"

[[detectors.pattern]]
name = "burst"
streams = "sensor-lorenz*"
sine_cycles = 3
sine_length = {length}
sine_amplitude = 25.0
threshold = 8.0

[[detectors.robustness]]
streams = "sensor-temp*"
formula = "H (value < 30)"
every = 500

[[detectors.dynamics]]
streams = "metric-*"
window = 1024
every = 512
"""


def demo_config_toml() -> str:
    """The demo's configuration as TOML (``midstream analyze --config`` reads it)."""
    return _CONFIG.format(answer=_ANSWER, length=EVENT_LENGTH).replace("'", '"')


def demo_config() -> Config:
    """The detectors the demo runs (the same shape as ``examples/*.toml``)."""
    return parse_config(demo_config_toml(), source="demo config")


@dataclass(frozen=True)
class PlantedFact:
    """Something the workload planted, and how a record shows it was found."""

    name: str
    stream: str
    detector: str  # alert detector name (prefix match)
    description: str
    near_t: tuple[int, int] | None = None  # the alert's data t range must overlap this

    def found_by(self, rec: Record) -> bool:
        if rec.get("kind") != "alert" or rec.get("stream") != self.stream:
            return False
        if not str(rec.get("detector", "")).startswith(self.detector):
            return False
        if self.near_t is None:
            return True
        data = rec.get("data") or {}
        start = data.get("t_start") or rec["t"]
        end = data.get("t_end") or rec["t"]
        return start <= self.near_t[1] and end >= self.near_t[0]


@dataclass(frozen=True)
class Workload:
    streams: dict[str, list[dict[str, Any]]]
    facts: tuple[PlantedFact, ...]

    @property
    def events(self) -> int:
        return sum(len(v) for v in self.streams.values())

    def interleaved(self) -> list[dict[str, Any]]:
        """Every event in timestamp order (ties by stream name): a recorded capture."""
        out = [e for evs in self.streams.values() for e in evs]
        out.sort(key=lambda e: (e["t"], e["stream"]))
        return out


def _llm(name: str, text: str) -> list[dict[str, Any]]:
    return [
        {"stream": name, "t": T0 + i * TOKEN_DT_NS, "token": w} for i, w in enumerate(_words(text))
    ]


def _agent(name: str, answer_all: bool) -> list[dict[str, Any]]:
    s = 1_000_000_000
    out: list[dict[str, Any]] = []
    t = T0
    out.append({"stream": name, "t": t, "event": "user_message"})
    for k, tool in enumerate(("search", "calculator", "search", "browser")):
        t += 2 * s
        out.append({"stream": name, "t": t, "event": "tool_call", "fields": {"name": tool}})
        if answer_all or k != 3:
            t += s + k * 200_000_000
            out.append({"stream": name, "t": t, "event": "tool_result", "fields": {"ok": True}})
        for w in _words("Working on it now."):
            t += TOKEN_DT_NS
            out.append({"stream": name, "t": t, "token": w})
    t += 7 * s  # long enough after the last call for a timed bound to expire
    out.append({"stream": name, "t": t, "event": "done"})
    return out


def _sensor(name: str, values: np.ndarray) -> list[dict[str, Any]]:
    return [
        {"stream": name, "t": T0 + i * SENSOR_DT_NS, "value": float(v)}
        for i, v in enumerate(values)
    ]


def make_workload(seed: int = 7, extra: int = 0) -> Workload:
    """The eight core streams plus ``extra`` plain chat streams (``chat-<k>``)."""
    rng = np.random.default_rng(seed)
    streams: dict[str, list[dict[str, Any]]] = {}
    facts: list[PlantedFact] = []

    loop_text = _ANSWER.split(". ")[0] + "." + _LOOP * 8
    streams["llm-loop"] = _llm("llm-loop", loop_text)
    facts.append(
        PlantedFact("repetition loop", "llm-loop", "repetition", "an LLM repeating itself")
    )
    streams["llm-ok"] = _llm("llm-ok", _ANSWER)
    half = len(_ANSWER) // 3
    streams["llm-drift"] = _llm("llm-drift", _ANSWER[:half] + " " + _OTHER)
    facts.append(
        PlantedFact("reference drift", "llm-drift", "reference", "answer leaves its reference")
    )
    streams["agent-ok"] = _agent("agent-ok", True)
    streams["agent-bad"] = _agent("agent-bad", False)
    facts.append(
        PlantedFact(
            "tool-call violation", "agent-bad", "tool-protocol", "a tool call never answered"
        )
    )

    x = tas.systems.lorenz(SENSOR_SAMPLES, dt=LORENZ_DT, x0=(1.0 + rng.random(), 1.0, 1.0))[:, 0]
    x = x.copy()
    for k, frac in enumerate((0.25, 0.53, 0.78)):
        start = int(frac * SENSOR_SAMPLES)
        x[start : start + EVENT_LENGTH] = event_shape() + 0.3 * rng.standard_normal(EVENT_LENGTH)
        span = (T0 + start * SENSOR_DT_NS, T0 + (start + EVENT_LENGTH - 1) * SENSOR_DT_NS)
        facts.append(
            PlantedFact(f"sensor event {k + 1}", "sensor-lorenz", "pattern", "burst shape", span)
        )
    streams["sensor-lorenz"] = _sensor("sensor-lorenz", x)

    temp = 22.0 + 2.0 * np.sin(np.arange(SENSOR_SAMPLES) * 2 * np.pi / 1000)
    temp += 0.2 * rng.standard_normal(SENSOR_SAMPLES)
    spike = int(0.6 * SENSOR_SAMPLES)
    temp[spike : spike + 40] = 31.5
    streams["sensor-temp"] = _sensor("sensor-temp", temp)
    span = (T0 + spike * SENSOR_DT_NS, T0 + (spike + 39) * SENSOR_DT_NS)
    facts.append(PlantedFact("temperature limit", "sensor-temp", "robustness", "above 30", span))

    n = SENSOR_SAMPLES
    periodic = np.sin(np.arange(n // 2) * 2 * np.pi / 25) + 0.01 * rng.standard_normal(n // 2)
    chaotic = np.empty(n - n // 2)
    chaotic[0] = 0.3 + 0.1 * rng.random()
    for i in range(chaotic.shape[0] - 1):
        chaotic[i + 1] = 3.9 * chaotic[i] * (1.0 - chaotic[i])
    streams["metric-regime"] = _sensor(
        "metric-regime", np.concatenate((periodic, 2.0 * chaotic - 1.0))
    )
    facts.append(
        PlantedFact("regime change", "metric-regime", "dynamics", "periodic turns chaotic")
    )
    for k in range(extra):
        streams[f"chat-{k}"] = _llm(f"chat-{k}", _ANSWER)
    return Workload(streams, tuple(facts))


def check_facts(facts: Sequence[PlantedFact], records: Iterable[Record]) -> dict[str, Any]:
    """Which planted facts a run's records found, and the alerts no fact explains."""
    alerts = [r for r in records if r.get("kind") == "alert"]
    found = {f.name: any(f.found_by(r) for r in alerts) for f in facts}
    unexpected = [r for r in alerts if not any(f.found_by(r) for f in facts)]
    # a regime change is only "found" as periodic -> chaotic
    for f in facts:
        if f.detector == "dynamics":
            found[f.name] = any(
                f.found_by(r)
                and r["data"].get("previous") == "periodic"
                and r["data"].get("current") == "chaotic"
                for r in alerts
            )
    return {
        "facts": [
            {
                "name": f.name,
                "stream": f.stream,
                "description": f.description,
                "found": found[f.name],
            }
            for f in facts
        ],
        "found_all": all(found.values()),
        "unexpected_alerts": [
            {"stream": r["stream"], "detector": r["detector"], "message": r["message"]}
            for r in unexpected
        ],
    }


_THROUGHPUT_CONFIG = """
[pipeline]
stats_every_s = 0

[[detectors.repetition]]
[[detectors.reference]]
reference = {answer!r}
[[detectors.monitor]]
name = "tool-protocol"
formula = "G (tool_call -> F[0,5s] tool_result)"
[[detectors.pattern]]
name = "burst"
sine_cycles = 3
sine_length = {length}
sine_amplitude = 25.0
threshold = 8.0
[[detectors.robustness]]
formula = "H (value < 30)"
[[detectors.dynamics]]
# one window per 4096 samples: classifying a window costs ~0.1-0.3 s of CPU
window = 1024
every = 4096
"""


def throughput_config_toml() -> str:
    """The benchmark's configuration as TOML (``midstream analyze --config`` reads it)."""
    return _THROUGHPUT_CONFIG.format(answer=_ANSWER, length=EVENT_LENGTH).replace("'", '"')


def throughput_config() -> Config:
    """Every detector on every stream (the benchmark's configuration)."""
    return parse_config(throughput_config_toml(), source="throughput config")


def throughput_events(streams: int, per_stream: int, seed: int = 0) -> list[dict[str, Any]]:
    """``streams`` streams of ``per_stream`` events, interleaved in time: even streams are
    LLM-like (tokens with a tool call and its result every 50 tokens), odd ones sensor
    readings (Lorenz x with the burst shape planted). Every detector has work on each."""
    rng = np.random.default_rng(seed)
    words = _words(_ANSWER)
    out: list[dict[str, Any]] = []
    for k in range(streams):
        name = f"s{k:02d}"
        if k % 2 == 0:
            for i in range(per_stream):
                t = T0 + i * SENSOR_DT_NS
                if i % 50 == 10:
                    out.append({"stream": name, "t": t, "event": "tool_call"})
                elif i % 50 == 20:
                    out.append({"stream": name, "t": t, "event": "tool_result"})
                else:
                    out.append({"stream": name, "t": t, "token": words[i % len(words)]})
        else:
            x = tas.systems.lorenz(per_stream, dt=LORENZ_DT, x0=(1.0 + rng.random(), 1.0, 1.0))
            values = x[:, 0].copy()
            for start in range(500, per_stream - EVENT_LENGTH, 2000):
                values[start : start + EVENT_LENGTH] = event_shape()
            out.extend(_sensor(name, values))
    out.sort(key=lambda e: (e["t"], e["stream"]))
    return out
