"""The end-to-end demo: a stream flows through the Midstream packages.

Defaults are embedded so ``midstream demo`` runs with no arguments and no files.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np

import nanosecond_scheduler as ns
import temporal_attractor_studio as tas
import temporal_compare as tc

__all__ = ["DemoReport", "run_demo"]


@dataclass(frozen=True)
class DemoReport:
    """What the demo found in its stream."""

    samples: int
    window: int
    best_match_start: int
    best_match_distance: float
    closest_windows: tuple[tuple[int, float], ...]
    mean_neighbor_distance: float

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def run_demo(
    *,
    samples: int = 2000,
    window: int = 50,
    seed: int = 7,
    progress: Callable[[str], None] | None = None,
) -> DemoReport:
    """Stream a noisy periodic signal and ask which past window the newest one repeats.

    1. temporal_compare scores the newest ``window`` samples against every earlier window;
    2. nanosecond_scheduler's Cython heap ranks the windows by distance;
    3. temporal_attractor_studio embeds the stream and measures neighbour distances.
    """
    if samples < 4 * window or window < 2:
        raise ValueError(f"samples must be >= 4 * window and window >= 2, got {samples}, {window}")
    say = progress or (lambda _msg: None)
    rng = np.random.default_rng(seed)
    t = np.arange(samples)
    stream = np.sin(2 * np.pi * t / 100.0) + 0.05 * rng.standard_normal(samples)

    say(f"comparing the newest {window} samples with {samples - 2 * window} earlier windows")
    newest = stream[-window:]
    heap = ns.KeyHeap()
    for start in range(samples - 2 * window):
        distance = tc.euclidean(stream[start : start + window], newest)
        heap.push(int(distance * 1e9), start)  # nanounits keep the heap's integer keys exact
    ranked = [heap.pop() for _ in range(min(5, len(heap)))]
    closest = tuple((start, key / 1e9) for key, start in ranked)

    say("embedding the stream and searching phase-space neighbours")
    points = tas.embed(stream[-500:], dim=3, delay=25)
    _, neighbor_dist = tas.nearest_neighbors(points, theiler=25)

    return DemoReport(
        samples=samples,
        window=window,
        best_match_start=closest[0][0],
        best_match_distance=closest[0][1],
        closest_windows=closest,
        mean_neighbor_distance=float(np.mean(neighbor_dist)),
    )
