"""Issue 14's quality calibration table: python benchmarks/attractor_quality_calibration.py

Runs ``lyapunov_max`` (default arguments) over the whole calibration set of
``packages/temporal-attractor-studio/tests/tas_calibration.py`` (tuning and held-out
halves; the tests run the held-out half) and prints markdown tables: per group, size
and noise level the number of series, the fraction with quality >= 0.8, the largest
|error| among those, and the fraction that warned; then every violation (quality
>= 0.8 but off by more than 25%, or a positive exponent for a not-chaotic series) and
the median |error| on the noise-free flows. Not run by asv or the tests.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1] / "packages" / "temporal-attractor-studio" / "tests"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=4, help="initial conditions per system")
    parser.add_argument(
        "--second-sample",
        action="store_true",
        help="also the flows no threshold was tuned on (tas_flows.SECOND_SAMPLE)",
    )
    parser.add_argument(
        "--third-sample",
        action="store_true",
        help="also the flows set aside until the map_like rule was fixed (tas_flows.THIRD_SAMPLE)",
    )
    args = parser.parse_args()
    sys.path.insert(0, str(TESTS))
    import tas_calibration as cal

    seeds = list(range(args.seeds))
    started = time.perf_counter()
    cases = []
    for name in cal.TUNE_FLOWS + cal.HELD_OUT_FLOWS:
        cases += cal.flow_cases(name, seeds)
    if args.second_sample:
        for name in cal.SECOND_SAMPLE_FLOWS:
            cases += cal.flow_cases(name, seeds)
    if args.third_sample:
        for name in cal.THIRD_SAMPLE_FLOWS:
            cases += cal.flow_cases(name, seeds)
    for name in cal.TUNE_MAPS + cal.HELD_OUT_MAPS:
        cases += cal.map_cases(name, seeds)
    for generator in cal.NOT_CHAOTIC.values():
        cases += cal.not_chaotic_cases(generator, seeds)
    held_out = set(cal.HELD_OUT_FLOWS + cal.HELD_OUT_MAPS)
    sample_of = dict.fromkeys(cal.SECOND_SAMPLE_FLOWS, "second sample")
    sample_of.update(dict.fromkeys(cal.THIRD_SAMPLE_FLOWS, "third sample"))

    def half(case):
        if case.group == "not chaotic":
            return "held out" if case.seed in cal.HELD_OUT_SEEDS_NOT_CHAOTIC else "tune"
        if case.system in sample_of:
            return sample_of[case.system]
        return "held out" if case.system in held_out else "tune"

    print("| group | n | noise | series | quality ≥ 0.8 | max \\|error\\| there | warned |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")

    def label(case):
        return f"flow, {sample_of[case.system]}" if case.system in sample_of else case.group

    order = ["flow", "flow, second sample", "flow, third sample", "map", "not chaotic"]
    keys = sorted({(label(c), c.n, c.noise) for c in cases}, key=lambda k: (order.index(k[0]), k))
    for group, n, noise in keys:
        rows = [c for c in cases if (label(c), c.n, c.noise) == (group, n, noise)]
        good = [c for c in rows if c.quality >= cal.QUALITY]
        if group == "not chaotic":
            worst = f"{sum(c.exponent > 0 for c in good)} positive" if good else "—"
        else:
            worst = f"{max(abs(c.error) for c in good):.0%}" if good else "—"
        print(
            f"| {group} | {n:,} | {noise:.0%} | {len(rows)} | {len(good) / len(rows):.0%} | "
            f"{worst} | {sum(c.warned for c in rows) / len(rows):.0%} |"
        )
    print("\nViolations (quality >= 0.8, off by more than 25% or positive when not chaotic):")
    for c in cases:
        if c.violates:
            print(
                f"- [{half(c)}] {c.system} seed={c.seed} n={c.n:,} noise={c.noise:.0%}: "
                f"{c.exponent:.4g} vs {c.truth:.4g} ({c.error:+.0%}), quality {c.quality:.2f}"
            )
    for part in ("tune", "held out", "second sample", "third sample"):
        mine = [c for c in cases if half(c) == part]
        print(
            f"{part}: {len(mine)} series, {sum(c.violates for c in mine)} violations, "
            f"{sum(c.quality >= cal.QUALITY for c in mine)} with quality >= 0.8"
        )
    print("\nMedian |error| of the noise-free chaotic flows (not Tsucs2, whose λ1 ≈ 0):")
    for sample, members in (
        ("calibration", lambda name: name not in sample_of),
        ("second", lambda name: sample_of.get(name) == "second sample"),
        ("third", lambda name: sample_of.get(name) == "third sample"),
    ):
        for n in cal.SIZES:
            errors = [
                abs(c.error)
                for c in cases
                if c.group == "flow"
                and c.noise == 0
                and c.n == n
                and c.system != "Tsucs2"
                and members(c.system)
            ]
            if errors:
                median = statistics.median(errors)
                print(f"- {sample} sample, n={n:,}: {median:.1%} over {len(errors)} series")
    print(f"\n{len(cases)} series in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
