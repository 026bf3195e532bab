"""`midstream analyze --dask` against the single-process command on a recorded input.

Not an asv benchmark (it starts clusters): run it as a script, e.g.

    python benchmarks/scale_out_analyze.py                  # 64 streams x 4000 events
    python benchmarks/scale_out_analyze.py --streams 64 --events 1000 --repeat 1   # quick

It writes the benchmark workload of ``midstream.workload`` (``throughput_events``:
LLM-like and sensor streams, every detector on every stream) as JSON lines, then runs
the CLI as a user would, each variant in a fresh process, interleaved ``--repeat``
times: ``analyze`` (records as produced), ``--ordered``, ``--dask local:1`` and
``--dask local:2`` (worker processes with one thread each). It prints medians of the
wall time, of the CPU time of the command and every process it started (user +
system, from ``RUSAGE_CHILDREN``) and of the summary's ``seconds`` (analysis without
the local cluster's start-up), checks that every variant's records are the same,
and prints the bytes that cross the network (the partitions' MessagePack events).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run(argv: list[str]) -> tuple[float, float, dict, list[str]]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{done.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    lines = done.stdout.splitlines()
    summary = json.loads(lines[-1])
    analysis = sorted(
        line for line in lines if json.loads(line)["kind"] not in ("stats", "summary")
    )
    return wall, cpu, summary, analysis


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=64)
    parser.add_argument("--events", type=int, default=4000, help="events per stream")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    import asyncio

    from midstream.config import parse_config
    from midstream.partition import buffer_events, partition_streams
    from midstream.workload import throughput_config_toml, throughput_events

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "recorded.jsonl"
        config = Path(tmp) / "every.toml"
        config.write_text(throughput_config_toml())
        events = throughput_events(args.streams, args.events)
        data.write_text("".join(json.dumps(e) + "\n" for e in events))
        cfg = parse_config(config.read_text())
        buf = asyncio.run(buffer_events(events, cfg))
        base = [sys.executable, "-m", "midstream", "analyze", "--json", "--config", str(config)]
        variants = {
            "analyze (live)": [],
            "analyze --ordered": ["--ordered"],
            "--dask local:1": ["--dask", "local:1"],
            "--dask local:2": ["--dask", "local:2"],
        }
        rows: dict[str, list[tuple[float, float, float]]] = {name: [] for name in variants}
        records: dict[str, list[str]] = {}
        load = os.getloadavg()[0]
        for _ in range(args.repeat):
            for name, extra in variants.items():
                wall, cpu, summary, analysis = run([*base, *extra, str(data)])
                rows[name].append((wall, cpu, summary["seconds"]))
                records.setdefault(name, analysis)
                assert analysis == records[name], f"{name}: records changed between runs"
        load_after = os.getloadavg()[0]
        same = all(r == records["analyze --ordered"] for r in records.values())
        print(
            f"{args.streams} streams x {args.events} events = {len(events)} events, "
            f"{data.stat().st_size / 1e6:.1f} MB of JSON lines; load {load:.1f} -> "
            f"{load_after:.1f} on {os.cpu_count()} CPUs; medians of {args.repeat} interleaved runs"
        )
        print(f"{'variant':20} {'wall s':>8} {'CPU s':>8} {'analysis s':>10} {'events/s':>10}")
        for name, values in rows.items():
            wall = statistics.median(v[0] for v in values)
            cpu = statistics.median(v[1] for v in values)
            seconds = statistics.median(v[2] for v in values)
            print(f"{name:20} {wall:8.2f} {cpu:8.2f} {seconds:10.2f} {len(events) / wall:10.0f}")
        print(f"same records in every variant: {same}")
        for workers in (1, 2):
            groups = partition_streams(buf.counts, 4 * workers)
            sent = sum(len(buf.payload(g)) for g in groups)
            print(
                f"local:{workers}: {len(groups)} partitions, {sent / 1e6:.1f} MB of events "
                f"sent in tasks (client -> scheduler -> worker)"
            )


if __name__ == "__main__":
    main()
