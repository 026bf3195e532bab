"""`midstream analyze --dask` on a real distributed.LocalCluster (processes, loopback TCP).

The truth is `midstream analyze --ordered` in this process: the --json output must be
the same bytes, apart from the wall-clock fields of the final stats/summary records.
"""

import asyncio
import json
import logging
import os
import signal
import socket
import threading
import time

import pytest

distributed = pytest.importorskip("distributed")

from midstream.cli import main  # noqa: E402
from midstream.cluster import analyse_on_cluster  # noqa: E402
from midstream.partition import (  # noqa: E402
    WALL_CLOCK_FIELDS,
    buffer_events,
    merge_results,
    run_partition,
    without_wall_clock,
)
from midstream.workload import (  # noqa: E402
    demo_config_toml,
    make_workload,
    throughput_config,
    throughput_config_toml,
    throughput_events,
)

pytestmark = [pytest.mark.dask, pytest.mark.network]


@pytest.fixture(scope="module")
def cluster():
    # two worker processes on loopback TCP, one thread each: small and quick to start
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        protocol="tcp",
        host="127.0.0.1",
        dashboard_address=None,
        # no dashboard; its HTTP routes on a free port, not 8787 (no clash)
        scheduler_kwargs={"dashboard_address": ":0"},
        silence_logs=logging.ERROR,
    ) as cluster:
        yield cluster


@pytest.fixture(scope="module")
def client(cluster):
    with distributed.Client(cluster, set_as_default=False) as c:
        yield c


def write_jsonl(path, events):
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    return str(path)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    root = tmp_path_factory.mktemp("dask")
    demo = make_workload(seed=13, extra=4).interleaved()
    cut = len(demo) // 2
    demo_files = [
        write_jsonl(root / "a.jsonl", demo[:cut]),
        write_jsonl(root / "b.jsonl", demo[cut:]),
    ]
    demo_config = root / "demo.toml"
    demo_config.write_text(demo_config_toml())
    every = root / "every.jsonl"
    write_jsonl(every, throughput_events(10, 1500, seed=2))
    every_config = root / "every.toml"
    every_config.write_text(
        "\n".join(
            line
            for line in throughput_config_toml().splitlines()
            if not line.startswith(
                "stats_every_s"
            )  # keep the periodic stats on: --ordered drops them
        )
    )
    return root, demo_files, str(demo_config), [str(every)], str(every_config)


def analyze(capsys, *argv):
    code = main(["analyze", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def split(text):
    """(analysis record lines as printed, final stats and summary without wall-clock fields)."""
    lines = text.splitlines()
    tail = [json.loads(line) for line in lines[-2:]]
    assert [r["kind"] for r in tail] == ["stats", "summary"]
    assert set(tail[1]) >= WALL_CLOCK_FIELDS
    return lines[:-2], [without_wall_clock(r) for r in tail]


@pytest.mark.parametrize("partitions", [None, 1, 3, 50])
def test_dask_output_is_the_ordered_single_process_output(inputs, cluster, capsys, partitions):
    _, demo_files, demo_config, every_files, every_config = inputs
    extra = [] if partitions is None else ["--partitions", str(partitions)]
    for files, config in ((demo_files, demo_config), (every_files, every_config)):
        code, here, _ = analyze(capsys, "--json", "--ordered", "--config", config, *files)
        assert code == 0
        code, there, err = analyze(
            capsys,
            "--json",
            "--dask",
            cluster.scheduler_address,
            "--config",
            config,
            *extra,
            *files,
        )
        assert code == 0, err
        assert split(there) == split(here)
        assert len(split(here)[0]) > 20
        summary = json.loads(there.splitlines()[-1])
        assert summary["lost"] == 0 and summary["alerts"] > 0


def test_bad_records_and_skip_bad_behave_as_in_one_process(inputs, cluster, capsys):
    root, demo_files, demo_config, _, _ = inputs
    bad = root / "bad.jsonl"
    bad.write_text('{"stream": "zz", "t": 1, "value": 1}\n\n{"stream": "zz", "t": "x"}\n')
    address = cluster.scheduler_address
    args = ["--json", "--config", demo_config, demo_files[0], str(bad)]
    _, _, err_here = analyze(capsys, "--ordered", *args)
    code, out, err = analyze(capsys, "--dask", address, *args)
    assert code == 2 and out == ""
    assert err == err_here
    assert f"{bad}:3: t: not an ISO-8601 timestamp: 'x'" in err
    code, here, err_here = analyze(capsys, "--ordered", "--skip-bad", *args)
    code2, there, err = analyze(capsys, "--dask", address, "--skip-bad", *args)
    assert code == code2 == 0
    assert err == err_here and "skipped 1 bad record(s)" in err
    assert split(there) == split(here)


def test_a_stream_going_backwards_is_the_same_error(inputs, cluster, capsys):
    root = inputs[0]
    back = write_jsonl(
        root / "back.jsonl",
        [{"stream": "p", "t": 5}, {"stream": "q", "t": 8}, {"stream": "q", "t": 2}],
    )
    code, out, err = analyze(capsys, "--json", "--dask", cluster.scheduler_address, back)
    assert code == 2 and out == ""
    assert err == "midstream: t: stream 'q' went backwards (2 after 8)\n"


def test_an_unreachable_scheduler_fails_within_the_timeout(inputs, capsys):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    code, out, err = analyze(capsys, "--dask", address, "--dask-timeout", "1", inputs[1][0])
    assert code == 2 and out == ""
    assert err.startswith(f"midstream: --dask: cannot reach the scheduler at {address} within 1 s")


def test_adaptation_is_refused_before_connecting(inputs, capsys):
    root = inputs[0]
    config = root / "adapt.toml"
    config.write_text(
        '[[detectors.pattern]]\nname = "p"\nvalues = [0.0, 1.0]\n'
        '[[adaptation]]\ndetector = "pattern:p"\ncandidates = [1.0]\n'
    )
    code, _, err = analyze(capsys, "--dask", "tcp://127.0.0.1:1", "--config", str(config), "x")
    assert code == 2 and "[[adaptation]] (pattern:p) shares one threshold tuner" in err


def test_local_starts_its_own_cluster(inputs, capsys):
    _, demo_files, demo_config, _, _ = inputs
    _, here, _ = analyze(capsys, "--json", "--ordered", "--config", demo_config, *demo_files)
    code, there, err = analyze(
        capsys, "--json", "--dask", "local:1", "--config", demo_config, *demo_files
    )
    assert code == 0, err
    assert split(there) == split(here)


def test_a_worker_killed_mid_run_does_not_change_the_result(client):
    config = throughput_config()
    events = asyncio.run(buffer_events(throughput_events(6, 6000, seed=9), config))
    names = sorted(events.counts)
    want = merge_results([run_partition(config, events.payload(names))], 1.0, now_ns=0)
    result = {}

    def go():
        result["got"] = analyse_on_cluster(client, config, events, partitions=3)

    runner = threading.Thread(target=go)
    runner.start()
    pids = client.run(os.getpid)
    victim = None
    deadline = time.monotonic() + 120
    while victim is None and time.monotonic() < deadline and runner.is_alive():
        busy = [
            addr
            for addr, keys in client.processing().items()
            if any("midstream-analyze" in str(k) for k in keys)
        ]
        if busy:
            victim = busy[0]
        else:
            time.sleep(0.01)
    assert victim is not None, "no partition was ever seen running"
    os.kill(pids[victim], signal.SIGKILL)
    retried = 0
    while not retried and runner.is_alive():
        retried = client.run_on_scheduler(
            lambda dask_scheduler: sum(ts.suspicious for ts in dask_scheduler.tasks.values())
        )
        time.sleep(0.01)
    runner.join(timeout=300)
    assert not runner.is_alive()
    assert retried, "the killed worker's partition was never rerun"
    got = merge_results(result["got"], 1.0, now_ns=0)
    assert [without_wall_clock(r) for r in got] == [without_wall_clock(r) for r in want]
    # the nanny restarts the worker, so later tests see two workers again
    client.wait_for_workers(2, timeout=60)
