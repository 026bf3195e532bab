"""End-to-end throughput and latency of the midstream pipeline, all detectors on.

    python benchmarks/midstream_pipeline.py [--streams 1 16] [--events 200000] [--rate 50000 ...]

For each stream count: events/s with the source as fast as it goes (pre-built
events, and JSON lines that are decoded too), then the p50/p99 latency from an
event's arrival to the end of its analysis, and from arrival to alert, with the
source paced at ``--rate`` events/s. Prints one JSON object per run.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import json
import os
import time

import msgspec

from midstream.events import decode_event
from midstream.pipeline import Pipeline
from midstream.workload import throughput_config, throughput_events


async def _paced(items, rate):
    loop = asyncio.get_running_loop()
    start = loop.time()
    step = 32
    for i in range(0, len(items), step):
        due = start + i / rate
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        for item in items[i : i + step]:
            yield item


def run(items, rate=None):
    out = {"alerts": 0}

    def sink(rec):
        if rec["kind"] == "alert":
            out["alerts"] += 1

    async def main():
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            pipe = Pipeline(throughput_config(), on_record=sink, executor=pool)
            source = items if rate is None else _paced(items, rate)
            t0 = time.perf_counter()
            summary = await pipe.run(source)
            return summary, time.perf_counter() - t0

    summary, seconds = asyncio.run(main())
    return summary, seconds, out["alerts"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--streams", type=int, nargs="+", default=[1, 16])
    ap.add_argument("--events", type=int, default=200_000, help="events per run")
    ap.add_argument(
        "--rate", type=float, nargs="+", default=[50_000], help="paced rates for latency runs"
    )
    args = ap.parse_args()
    encode = msgspec.json.Encoder().encode
    for streams in args.streams:
        dicts = throughput_events(streams, args.events // streams)
        events = [decode_event(d) for d in dicts]
        lines = [encode(d) for d in dicts]
        row = {"streams": streams, "events": len(events), "load": os.getloadavg()[0]}
        for label, items in (("events", events), ("json", lines)):
            summary, seconds, alerts = run(items)
            assert summary["lost"] == 0
            row[f"{label}_per_s"] = round(len(items) / seconds)
            row["alerts"] = alerts
        for rate in args.rate:
            summary, _, _ = run(events, rate)
            row[f"paced_{rate:.0f}"] = {
                "latency_p50_ms": round(summary["latency_p50_ms"], 2),
                "latency_p99_ms": round(summary["latency_p99_ms"], 2),
                "alert_latency_p99_ms": round(summary["alert_latency_p99_ms"] or 0.0, 2),
                "deadline_misses": summary["deadline_misses"],
            }
        row["load_after"] = os.getloadavg()[0]
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
