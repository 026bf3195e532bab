"""The midstream command line end to end, as a user runs it (subprocesses)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from midstream.demo import run_demo
from midstream.workload import demo_config_toml, make_workload

DATA = Path(__file__).parent / "data"
EXAMPLES = Path(__file__).parent.parent / "packages" / "midstream" / "examples"


def midstream(*args, stdin=None):
    return subprocess.run(
        [sys.executable, "-m", "midstream", *args],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=300,
        check=False,
    )


def results(records):
    """Per stream, the analysis records (not stats or summary) in order."""
    out = {}
    for r in records:
        if r["kind"] not in ("stats", "summary"):
            out.setdefault(r["stream"], []).append(r)
    return out


@pytest.mark.network
def test_demo_json_finds_every_planted_fact_and_loses_nothing():
    run = midstream("demo", "--no-dashboard", "--json", "--duration", "3", "--streams", "10")
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert out["streams"] == 10 and out["lost"] == 0 and out["sent"] == out["events"]
    assert out["found_all"] and all(f["found"] for f in out["facts"])
    assert {f["name"] for f in out["facts"]} >= {
        "repetition loop", "reference drift", "tool-call violation", "sensor event 1",
        "sensor event 2", "sensor event 3", "temperature limit", "regime change",
    }  # fmt: skip
    assert out["unexpected_alerts"] == [] and out["duplicates"] == 0
    # alerts go back to the producers over QUIC; the last (at the end of the analysis)
    # may come after they disconnected
    assert out["alerts"] - 1 <= out["alerts_returned"] <= out["alerts"]


@pytest.mark.network
def test_analyze_on_the_recorded_capture_equals_the_live_run(tmp_path):
    live = run_demo(duration=2.0, streams=9, seed=11)
    assert live.ok
    capture = tmp_path / "capture.jsonl"
    capture.write_text(
        "".join(json.dumps(e) + "\n" for e in make_workload(11, extra=1).interleaved())
    )
    config = tmp_path / "demo.toml"
    config.write_text(demo_config_toml())
    run = midstream("analyze", str(capture), "--json", "--config", str(config))
    assert run.returncode == 0, run.stderr
    offline = [json.loads(line) for line in run.stdout.splitlines()]
    assert results(offline) == results(live.records)
    assert offline[-1]["kind"] == "summary" and offline[-1]["lost"] == 0


def test_openai_sse_capture_from_a_file_and_from_stdin():
    capture = DATA / "openai_chat_stream.sse"
    config = str(EXAMPLES / "llm.toml")
    from_file = midstream("analyze", "--format", "openai-sse", "--json", "--config", config,
                          str(capture))  # fmt: skip
    from_stdin = midstream("analyze", "--format", "openai-sse", "--json", "--config", config, "-",
                           stdin=capture.read_text())  # fmt: skip
    assert from_file.returncode == 0 and from_stdin.returncode == 0, from_file.stderr
    records = [json.loads(line) for line in from_file.stdout.splitlines()]
    assert results(records) == results(json.loads(line) for line in from_stdin.stdout.splitlines())
    alerts = [r for r in records if r["kind"] == "alert"]
    assert [a["detector"] for a in alerts] == ["repetition"]
    assert alerts[0]["stream"] == "chatcmpl-9xQ2"
    assert "Paris" in "".join(alerts[0]["data"]["tokens"])
    summary = records[-1]
    assert summary["events"] == 36 and summary["lost"] == 0  # 35 tokens + finish


def test_jsonl_from_stdin_equals_the_file(tmp_path):
    workload = make_workload(5)
    capture = tmp_path / "w.jsonl"
    capture.write_text("".join(json.dumps(e) + "\n" for e in workload.interleaved()))
    config = tmp_path / "demo.toml"
    config.write_text(demo_config_toml())
    from_file = midstream("analyze", str(capture), "--json", "--config", str(config))
    from_stdin = midstream("analyze", "-", "--json", "--config", str(config),
                           stdin=capture.read_text())  # fmt: skip
    assert from_file.returncode == 0 and from_stdin.returncode == 0, from_stdin.stderr
    a = [json.loads(line) for line in from_file.stdout.splitlines()]
    b = [json.loads(line) for line in from_stdin.stdout.splitlines()]
    assert results(a) == results(b) and b[-1]["events"] == workload.events


def test_stdin_that_is_not_utf8_is_one_error_line():
    run = subprocess.run(
        [sys.executable, "-m", "midstream", "analyze", "-"],
        input=b'{"stream":"a","t":1}\n{"stream":"\xff"}\n',
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 2
    assert (
        run.stderr.decode()
        == "midstream: <stdin>: not UTF-8 text (invalid start byte at byte 11)\n"
    )


def test_example_configs_run(tmp_path):
    readings = tmp_path / "r.csv"
    readings.write_text("stream,t,value\n" + "".join(f"s,{i},{(i % 7) - 3}\n" for i in range(300)))
    run = midstream("analyze", "--format", "csv", "--config", str(EXAMPLES / "sensor.toml"),
                    str(readings))  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "300 events in 1 streams" in run.stdout
    # the per-stream table: the stream's events, alerts and latest robustness (the closed
    # form 30 - max(values) = 30 - 3)
    row = next(line for line in run.stdout.splitlines() if line.startswith("│ s "))
    cells = [c.strip() for c in row.strip("│").split("│")]
    assert cells[:3] == ["s", "300", "0"] and cells[5] == "27"


def test_analyze_report_has_non_blank_figures(tmp_path):
    matplotlib = pytest.importorskip("matplotlib")
    del matplotlib
    import numpy as np
    from PIL import Image

    readings = tmp_path / "r.csv"
    readings.write_text(
        "stream,t,value\n" + "".join(f"s,{i * 10**6},{(i % 50) - 25}\n" for i in range(2000))
    )
    out = tmp_path / "report"
    run = midstream("analyze", "--format", "csv", "--config", str(EXAMPLES / "sensor.toml"),
                    str(readings), "--report", str(out))  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert (out / "index.html").exists() and f"report: {out / 'index.html'}" in run.stderr
    pngs = sorted((out / "figures").glob("*.png"))
    assert pngs
    for png in pngs:
        pixels = np.asarray(Image.open(png).convert("L"))
        assert int(pixels.max()) - int(pixels.min()) > 100, png  # something is drawn


def _lines(tmp_path, name, lines):
    p = tmp_path / name
    p.write_text("\n".join(lines) + "\n")
    return str(p)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["analyze", "{bad}"], "bad.jsonl:2: invalid JSON"),
        (["analyze", "{unknown}"], "unknown.jsonl:1: Object contains unknown field `vaule`"),
        (["analyze", "{backwards}"], "stream 's' went backwards"),
        (["analyze", "missing.jsonl"], "missing.jsonl: cannot open"),
        (["analyze", "{bad}", "--config", "{config}"], "unknown field `treshold`"),
        (["analyze", "-", "--format", "parquet"], "Parquet cannot be read from stdin"),
        (["check", "G (a -> ", "{backwards}"], "unexpected"),
    ],
)
def test_user_errors_are_one_message_without_traceback(tmp_path, args, message):
    files = {
        "bad": _lines(tmp_path, "bad.jsonl", ['{"stream":"s","t":1}', '{"stream": ']),
        "unknown": _lines(tmp_path, "unknown.jsonl", ['{"stream":"s","t":1,"vaule":2}']),
        "backwards": _lines(tmp_path, "b.jsonl", ['{"stream":"s","t":5}', '{"stream":"s","t":4}']),
        "config": _lines(tmp_path, "c.toml", ["[pipeline]", "treshold = 3"]),
    }
    run = midstream(*(a.format(**files) for a in args))
    assert run.returncode == 2
    assert run.stderr.startswith("midstream: ") and message in run.stderr
    assert "Traceback" not in run.stderr
    first = run.stderr.splitlines()
    assert len(first) == 1 or args[0] == "check"  # a formula error adds its line and caret
    if args[0] == "check":
        assert first[-1].strip() == "^" and first[1].strip() == "G (a ->"
    debug = midstream("--debug", *(a.format(**files) for a in args))
    assert debug.returncode != 0 and "Traceback" in debug.stderr


def test_skip_bad_counts_and_continues(tmp_path):
    path = _lines(tmp_path, "bad.jsonl", ['{"stream":"s","t":1}', "{oops", '{"stream":"s","t":2}'])
    run = midstream("analyze", path, "--skip-bad")
    assert run.returncode == 0
    assert "2 events in 1 streams" in run.stdout and "1 bad skipped" in run.stdout
    assert "skipped 1 bad record(s); first: " in run.stderr and "bad.jsonl:2" in run.stderr


def test_demo_rejects_bad_arguments():
    run = midstream("demo", "--streams", "3", "--json")
    assert run.returncode == 2 and "streams: must be >= 8" in run.stderr
    run = midstream("demo", "--duration", "0")
    assert run.returncode == 2 and "duration: must be > 0" in run.stderr
