"""Issue 14's classification goal over the full grid: python benchmarks/attractor_classify_grid.py

Every generator of ``packages/temporal-attractor-studio/tests/tas_signals.py`` over
seeds 0..19 and n in {2000, 5000, 10000}; prints a markdown table of outcome counts
per generator (the README's table) and the median ``classify`` time. Not run by asv
(no ``time_``/``track_`` functions) and not by the tests, which run a few seeds.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1] / "packages" / "temporal-attractor-studio" / "tests"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 5000, 10_000])
    parser.add_argument("-k", default="", help="only generators whose name contains this")
    parser.add_argument("--group", choices=["all", "not-chaos", "chaos"], default="all")
    args = parser.parse_args()
    sys.path.insert(0, str(TESTS))
    import tas_signals

    from temporal_attractor_studio import AttractorType, classify

    short = {
        AttractorType.CHAOTIC: "chaotic",
        AttractorType.UNKNOWN: "unknown",
        AttractorType.STOCHASTIC: "stochastic",
        AttractorType.NON_STATIONARY: "non-stat.",
        AttractorType.QUASI_PERIODIC: "quasi-per.",
        AttractorType.LIMIT_CYCLE: "limit cycle",
        AttractorType.FIXED_POINT: "fixed point",
    }
    groups = [("not chaos", tas_signals.NOT_CHAOTIC), ("chaos", tas_signals.CHAOTIC)]
    if args.group != "all":
        groups = [g for g in groups if g[0] == args.group.replace("-", " ")]
    print("| group | series | " + " | ".join(short.values()) + " | goal |")
    print("| --- | --- | " + " | ".join("---:" for _ in short) + " | --- |")
    times: list[float] = []
    for group, makers in groups:
        for make in makers:
            if args.k not in make.__name__:
                continue
            counts: Counter[AttractorType] = Counter()
            for n in args.sizes:
                for seed in range(args.seeds):
                    x, dt = make(n, seed)
                    start = time.perf_counter()
                    info = classify(x, dt=dt)
                    times.append(time.perf_counter() - start)
                    counts[info.attractor_type] += 1
            if group == "chaos":
                allowed = (AttractorType.CHAOTIC, AttractorType.UNKNOWN)
                wrong = sum(v for k, v in counts.items() if k not in allowed)
            else:
                wrong = counts[AttractorType.CHAOTIC]
            cells = " | ".join(str(counts[k]) for k in short)
            print(
                f"| {group} | {make.__name__} | {cells} | {'✓' if wrong == 0 else '✗'} |",
                flush=True,
            )
    print(
        f"\nclassify: median {1000 * statistics.median(times):.0f} ms, "
        f"max {1000 * max(times):.0f} ms over {len(times)} series"
    )


if __name__ == "__main__":
    main()
