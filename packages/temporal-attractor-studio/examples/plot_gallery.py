"""Write the three plots for the Lorenz system as PNGs.

    python examples/plot_gallery.py [output-directory]

Needs the ``[plot]`` extra (matplotlib).
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

import temporal_attractor_studio as tas
from temporal_attractor_studio import systems


def main(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    x = systems.lorenz(10_000, dt=0.01)[:, 0]
    written = []
    for name, draw in [
        ("lorenz_phase_portrait.png", lambda ax: tas.plot_phase_portrait(x, ax=ax)),
        (
            "lorenz_divergence.png",
            lambda ax: tas.plot_divergence(tas.lyapunov_max(x, dt=0.01), ax=ax),
        ),
        (
            "lorenz_recurrence.png",
            lambda ax: tas.plot_recurrence(x[:1500:2], threshold=1.0, dim=3, delay=8, ax=ax),
        ),
    ]:
        fig, ax = plt.subplots(figsize=(5, 4))
        draw(ax)
        fig.tight_layout()
        fig.savefig(out / name, dpi=100)
        plt.close(fig)
        written.append(out / name)
    return written


if __name__ == "__main__":
    for path in main(Path(sys.argv[1] if len(sys.argv) > 1 else ".")):
        print(path)
