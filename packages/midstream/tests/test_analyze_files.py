"""`midstream analyze FILE...` and `--ordered`, in this process (no cluster)."""

import json
from pathlib import Path

import pytest

from midstream.cli import main
from midstream.partition import without_wall_clock
from midstream.workload import demo_config_toml, make_workload


def write_jsonl(path, events):
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    return str(path)


def comparable(text):
    """--json output with the wall-clock fields of stats/summary taken out."""
    return [json.dumps(without_wall_clock(json.loads(line))) for line in text.splitlines()]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    root = tmp_path_factory.mktemp("analyze")
    events = make_workload(seed=11, extra=2).interleaved()
    config = root / "demo.toml"
    config.write_text(demo_config_toml())
    # three files that split streams mid-way (a stream continues in the next file)
    cut = [0, len(events) // 3, 2 * len(events) // 3, len(events)]
    parts = [write_jsonl(root / f"part{k}.jsonl", events[cut[k] : cut[k + 1]]) for k in range(3)]
    whole = write_jsonl(root / "whole.jsonl", events)
    return str(config), parts, whole, root


def run(capsys, *argv):
    code = main(["analyze", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_several_files_are_one_input_read_in_order(inputs, capsys):
    config, parts, whole, _ = inputs
    code, split, _ = run(capsys, "--json", "--ordered", "--config", config, *parts)
    assert code == 0
    code, one, _ = run(capsys, "--json", "--ordered", "--config", config, whole)
    assert code == 0
    assert comparable(split) == comparable(one)
    lines = [line for line in Path(whole).read_text().splitlines() if line.strip()]
    assert json.loads(split.splitlines()[-1])["events"] == len(lines)


def test_ordered_output_is_the_same_every_run(inputs, capsys):
    config, parts, _, _ = inputs
    runs = [comparable(run(capsys, "--json", "--ordered", "--config", config, *parts)[1])]
    runs.append(comparable(run(capsys, "--json", "--ordered", "--config", config, *parts)[1]))
    assert runs[0] == runs[1]
    kinds = [json.loads(line)["kind"] for line in runs[0]]
    assert kinds[-2:] == ["stats", "summary"] and "stats" not in kinds[:-2]


def test_live_output_has_the_same_records_as_ordered(inputs, capsys):
    config, parts, _, _ = inputs
    live = comparable(run(capsys, "--json", "--config", config, *parts)[1])
    ordered = comparable(run(capsys, "--json", "--ordered", "--config", config, *parts)[1])

    def analysis(lines):
        return sorted(
            line for line in lines if json.loads(line)["kind"] not in ("stats", "summary")
        )

    assert analysis(live) == analysis(ordered)


def test_human_output_of_ordered_has_the_table_and_summary(inputs, capsys):
    config, parts, _, _ = inputs
    code, out, _ = run(capsys, "--ordered", "--config", config, *parts)
    assert code == 0
    assert "ALERT" in out and "streams" in out and "lost 0" in out


@pytest.mark.parametrize("mode", [[], ["--ordered"], ["--dask", "tcp://127.0.0.1:1"]])
def test_a_missing_file_fails_before_anything_is_analysed(inputs, capsys, mode):
    config, parts, _, root = inputs
    missing = str(root / "nope.jsonl")
    # with --dask, before connecting (nothing listens on port 1)
    code, out, err = run(capsys, "--json", *mode, "--config", config, parts[0], missing)
    assert code == 2 and out == ""
    assert err.strip() == f"midstream: {missing}: cannot open: No such file or directory"


def test_bad_records_name_their_file_and_line_and_skip_bad_counts_them(inputs, capsys):
    config, parts, _, root = inputs
    bad = root / "bad.jsonl"
    bad.write_text('{"stream": "zz", "t": 1, "value": 1}\n{"stream": "zz", "t": 2, "vaule": 1}\n')
    for ordered in ([], ["--ordered"]):
        code, _, err = run(capsys, "--json", *ordered, "--config", config, parts[0], str(bad))
        assert code == 2
        assert f"{bad}:2: Object contains unknown field `vaule`" in err
        code, _, err = run(capsys, "--json", *ordered, "--skip-bad", parts[0], str(bad))
        assert code == 0
        assert f"skipped 1 bad record(s); first: {bad}:2:" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--partitions", "2"], "--partitions: only with --dask"),
        (["--dask-timeout", "2"], "--dask-timeout: only with --dask"),
        (["--dask", "nowhere"], "--dask: expected 'local', 'local:N' or a scheduler address"),
        (["--dask", "local:0"], "--dask: need at least one local worker"),
        (["--dask", "local", "--partitions", "0"], "--partitions: must be >= 1, got 0"),
        (["--dask", "tcp://127.0.0.1:1", "--dask-timeout", "0"], "--dask-timeout: must be > 0"),
    ],
)
def test_bad_options_are_clear_errors(inputs, capsys, argv, message):
    _, parts, _, _ = inputs
    code, out, err = run(capsys, *argv, parts[0])
    assert code == 2 and out == ""
    assert err.startswith(f"midstream: {message}")


def test_stdin_only_once(capsys):
    code, _, err = run(capsys, "-", "-")
    assert code == 2 and "- (stdin) can be given only once" in err


def test_ordered_report_has_the_figures_of_every_file(inputs, capsys, tmp_path):
    pytest.importorskip("matplotlib")
    config, parts, whole, _ = inputs
    code, _, err = run(
        capsys, "--ordered", "--config", config, "--report", str(tmp_path / "r"), *parts
    )
    assert code == 0 and "report:" in err
    code, _, _ = run(capsys, "--config", config, "--report", str(tmp_path / "w"), whole)
    assert code == 0
    figures = sorted(p.name for p in (tmp_path / "r" / "figures").iterdir())
    assert figures and figures == sorted(p.name for p in (tmp_path / "w" / "figures").iterdir())
