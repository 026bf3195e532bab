from pathlib import Path

import pytest

from midstream import MidstreamError, bench


def test_peer_benchmarks_are_found_upward_from_a_checkout(tmp_path, monkeypatch):
    runner = tmp_path / "benchmarks" / "peers" / "run.py"
    runner.parent.mkdir(parents=True)
    runner.write_text("")
    (tmp_path / "deep" / "er").mkdir(parents=True)
    monkeypatch.delenv("MIDSTREAM_SOURCE", raising=False)
    assert bench.find_peer_benchmarks(tmp_path / "deep" / "er") == runner


def test_outside_a_checkout_is_one_clear_error(tmp_path, monkeypatch):
    # As from a wheel: neither the directory nor the installed file is in a tree.
    monkeypatch.delenv("MIDSTREAM_SOURCE", raising=False)
    monkeypatch.setattr(bench, "__file__", str(tmp_path / "site" / "midstream" / "bench.py"))
    with pytest.raises(MidstreamError, match="MIDSTREAM_SOURCE"):
        bench.find_peer_benchmarks(tmp_path)


def test_midstream_source_points_at_a_tree(tmp_path, monkeypatch):
    tree = tmp_path / "tree"
    (tree / "benchmarks" / "peers").mkdir(parents=True)
    (tree / "benchmarks" / "peers" / "run.py").write_text("")
    monkeypatch.setenv("MIDSTREAM_SOURCE", str(tree))
    assert bench.find_peer_benchmarks(Path("/")) == tree / "benchmarks" / "peers" / "run.py"


@pytest.mark.network
def test_quic_throughput_counts_every_event():
    result = bench.quic_throughput(events=1_001, sources=3, batch_events=100)
    assert result.events == 1_001 and result.connections == 1
    assert result.events_per_s > 0
