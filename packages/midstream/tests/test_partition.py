"""midstream.partition without a cluster: grouping, payloads and the deterministic merge.

The truth is an ordinary single Pipeline run over every stream at once: merged
partitions must give the same records (each detector's sequence per stream in the
same order) and the same counters, whatever the grouping.
"""

import asyncio
import dataclasses
import json
import subprocess
import sys

import msgspec
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from midstream.config import parse_config
from midstream.errors import MidstreamError
from midstream.events import Event, OutOfOrderError, decode_event
from midstream.partition import (
    WALL_CLOCK_FIELDS,
    EventBuffer,
    _percentile_ms,
    _sketch,
    analyse_partition,
    buffer_events,
    check_partitionable,
    decode_partition,
    merge_results,
    partition_streams,
    run_partition,
    without_wall_clock,
)
from midstream.pipeline import analyse
from midstream.workload import demo_config, make_workload, throughput_config, throughput_events

COUNTERS = ("events", "lost", "dropped", "dropped_records", "bad", "alerts", "streams")


def run_grouped(config, events, groups):
    """Buffer ``events``, run one partition per group of streams, merge."""
    buf = asyncio.run(buffer_events(events, config))
    results = [run_partition(config, buf.payload(g)) for g in groups]
    return merge_results(results, 1.0, now_ns=0)


def by_detector(records):
    """Each (stream, detector) sequence of analysis records, in order."""
    out = {}
    for r in records:
        if r["kind"] not in ("stats", "summary"):
            out.setdefault((r["stream"], r["detector"]), []).append(r)
    return out


def as_lines(records):
    enc = msgspec.json.Encoder()
    return [enc.encode(without_wall_clock(r)) for r in records]


@pytest.fixture(scope="module")
def demo():
    workload = make_workload(seed=5, extra=3)
    events = workload.interleaved()
    live_records, live_summary = analyse(events, config=demo_config())
    return events, list(workload.streams), live_records, live_summary


def test_merged_partitions_equal_one_pipeline_over_everything(demo):
    events, names, live_records, live_summary = demo
    config = demo_config()
    one = run_grouped(config, events, [names])
    assert by_detector(one) == by_detector(live_records)
    summary = one[-1]
    assert summary["kind"] == "summary" and one[-2]["kind"] == "stats"
    for key in COUNTERS:
        assert summary[key] == live_summary[key], key
    assert summary["per_stream"] == live_summary["per_stream"]
    assert list(summary["per_stream"]) == sorted(live_summary["per_stream"])
    analysis = one[:-2]
    keys = [(r["t"], r["stream"]) for r in analysis]
    assert keys == sorted(keys)
    assert len(analysis) == sum(1 for r in live_records if r["kind"] not in ("stats", "summary"))


@pytest.mark.parametrize("groups", [1, 2, 3, 5, 100])
def test_the_merge_does_not_depend_on_the_grouping(demo, groups):
    events, names, _, _ = demo
    config = demo_config()
    want = as_lines(run_grouped(config, events, [names]))
    counts = {n: sum(1 for e in events if e["stream"] == n) for n in names}
    got = as_lines(run_grouped(config, events, partition_streams(counts, groups)))
    assert got == want
    # streams given to the partitions in another order: still the same bytes
    shuffled = [list(reversed(g)) for g in reversed(partition_streams(counts, groups))]
    assert as_lines(run_grouped(config, events, shuffled)) == want


def test_every_detector_kind_merges_identically_over_several_seeds():
    config = throughput_config()
    for seed in (0, 1):
        events = throughput_events(6, 2500, seed=seed)
        live_records, live_summary = analyse(events, config=config)
        names = sorted({e["stream"] for e in events})
        merged = run_grouped(config, events, [names[:2], names[2:3], names[3:]])
        assert by_detector(merged) == by_detector(live_records)
        assert merged[-1]["alerts"] == live_summary["alerts"] > 0


@pytest.mark.parametrize("policy", ["drop", "reorder"])
def test_dropped_and_reordered_events_count_the_same(policy):
    text = f"""
[pipeline]
timestamps = "{policy}"
reorder_window_ms = 0.000005
[[detectors.monitor]]
formula = "G (value < 8)"
"""
    config = parse_config(text)
    rng = np.random.default_rng(4)
    events = []
    for k in range(4):
        t = 0
        for i in range(300):
            t += -int(rng.integers(1, 30)) if i % 7 == 3 else int(rng.integers(1, 10))
            events.append({"stream": f"m{k}", "t": max(t, 0), "value": float(rng.normal(5, 2))})
    live_records, live_summary = analyse(events, config=config)
    merged = run_grouped(config, events, [["m0", "m3"], ["m1"], ["m2"]])
    assert by_detector(merged) == by_detector(live_records)
    assert live_summary["dropped"] > 0
    for key in COUNTERS:
        assert merged[-1][key] == live_summary[key], key
    assert merged[-2]["dropped"] == live_summary["dropped"]


def test_out_of_order_under_the_error_policy_fails_while_buffering_like_the_pipeline():
    events = [
        {"stream": "a", "t": 5},
        {"stream": "b", "t": 9},
        {"stream": "b", "t": 3},
        {"stream": "a", "t": 1},
    ]
    config = parse_config("")
    with pytest.raises(OutOfOrderError) as live:
        analyse(events, config=config)
    with pytest.raises(OutOfOrderError) as buffered:
        asyncio.run(buffer_events(events, config))
    assert str(buffered.value) == str(live.value) == "t: stream 'b' went backwards (3 after 9)"


def test_an_empty_input_merges_to_an_empty_summary():
    out = merge_results([], 1.0, now_ns=7)
    assert [r["kind"] for r in out] == ["stats", "summary"]
    assert out[-1]["events"] == 0 and out[-1]["per_stream"] == {}
    assert out[-1]["latency_p50_ms"] is None


def test_adaptation_cannot_be_partitioned():
    config = parse_config(
        """
[[detectors.pattern]]
name = "p"
values = [0.0, 1.0, 0.0]
[[adaptation]]
detector = "pattern:p"
candidates = [0.5, 1.0]
"""
    )
    with pytest.raises(MidstreamError, match=r"\[\[adaptation\]\] \(pattern:p\) shares one"):
        check_partitionable(config)
    check_partitionable(demo_config())


def test_a_partition_from_another_version_is_refused(demo):
    events = demo[0]
    config = demo_config()
    buf = asyncio.run(buffer_events(events[:50], config))
    result = run_partition(config, buf.payload(sorted(buf.counts)))
    old = dataclasses.replace(result, version="0.0.1")
    with pytest.raises(MidstreamError, match=r"a worker runs midstream 0\.0\.1"):
        merge_results([old], 1.0, now_ns=0)
    with pytest.raises(MidstreamError, match="analysed in two partitions"):
        merge_results([result, result], 1.0, now_ns=0)


def test_the_order_keys_leave_no_trace_in_the_records(demo):
    events, names, _, _ = demo
    merged = run_grouped(demo_config(), events, [names])
    assert all("_order" not in r for r in merged)
    assert set(merged[-1]) >= WALL_CLOCK_FIELDS


# ---------------------------------------------------------------- grouping


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(st.text(min_size=1, max_size=4), st.integers(1, 1000), max_size=30),
    st.integers(1, 12),
)
def test_partitions_hold_every_stream_once_and_are_balanced(counts, n):
    groups = partition_streams(counts, n)
    flat = [s for g in groups for s in g]
    assert sorted(flat) == sorted(counts) and len(flat) == len(set(flat))
    assert len(groups) == min(n, len(counts)) and all(groups)
    assert groups == partition_streams(dict(reversed(list(counts.items()))), n)
    if counts:
        loads = [sum(counts[s] for s in g) for g in groups]
        # greedy onto the lightest group: no group exceeds the mean by more than one stream
        assert max(loads) <= sum(loads) / len(groups) + max(counts.values())


def test_partitions_must_be_positive():
    with pytest.raises(MidstreamError, match="partitions: must be >= 1, got 0"):
        partition_streams({"a": 1}, 0)


events_strategy = st.lists(
    st.builds(
        Event,
        st.sampled_from(["a", "b", "c", "ümlaut"]),
        st.integers(0, 2**62),
        st.none() | st.text(max_size=5),
        st.none() | st.floats(allow_nan=False, allow_infinity=False),
        st.none() | st.text(max_size=5),
        st.none()
        | st.dictionaries(
            st.text(max_size=3), st.integers(-(2**63), 2**63 - 1) | st.booleans() | st.text()
        ),
    ),
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(events_strategy, st.sets(st.sampled_from(["a", "b", "c", "ümlaut"])))
def test_a_payload_decodes_to_its_streams_events_in_order(events, chosen):
    buf = EventBuffer()
    for e in events:
        buf.add(e)
    streams = sorted(s for s in chosen if s in buf.counts)
    got = decode_partition(buf.payload(streams))
    want = [e for s in streams for e in events if e.stream == s]
    assert got == want
    assert [decode_event(e.to_dict()) for e in got] == want


# ---------------------------------------------------------------- latency


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_merged_percentiles_are_within_a_sketch_step_of_the_exact_ones(seed):
    rng = np.random.default_rng(seed)
    parts = [rng.lognormal(12, 1.5, int(rng.integers(1, 20000))).astype(np.int64) for _ in range(4)]
    union = np.concatenate(parts)
    for q in (50.0, 99.0):
        got = _percentile_ms([_sketch(p) for p in parts], q)
        # the sketch keeps 1025 quantiles per part: the answer's rank is off by < 0.2 %
        low, high = np.percentile(union, [max(q - 0.2, 0), min(q + 0.2, 100)]) / 1e6
        assert low <= got <= high


# ---------------------------------------------------------------- no dask in the core


def test_the_core_and_ordered_analyze_do_not_import_dask(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps({"stream": "s", "t": 1, "value": 1.0}) + "\n")
    code = (
        "import sys\n"
        "from midstream.cli import main\n"
        "import midstream.partition, midstream.cluster, midstream.pipeline\n"
        f"assert main(['analyze', '--ordered', '--json', {str(path)!r}]) == 0\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')]\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


def test_dask_without_the_extra_names_the_extra(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps({"stream": "s", "t": 1, "value": 1.0}) + "\n")
    code = (
        "import sys\n"
        "sys.modules['distributed'] = None  # as if not installed\n"
        "from midstream.cli import main\n"
        f"sys.exit(main(['analyze', '--dask', 'local:1', {str(path)!r}]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 2
    assert "--dask needs Dask: pip install 'midstream[dask]'" in done.stderr


def test_analyse_partition_accepts_any_source(demo):
    events, _, live_records, _ = demo

    async def main():
        return await analyse_partition(demo_config(), iter(events))

    result = asyncio.run(main())
    got = merge_results([result], 1.0, now_ns=0)
    assert by_detector(got) == by_detector(live_records)
