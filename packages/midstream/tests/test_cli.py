import json

import pytest

from midstream.cli import main
from midstream.distributions import PINNED, installed


def test_every_pinned_distribution_is_installed_at_its_pin():
    statuses = installed()
    assert [s.name for s in statuses] == list(PINNED)
    assert all(s.matches for s in statuses), statuses


def test_version_command_json(capsys):
    assert main(["version", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {p["name"] for p in out["pinned"]} == set(PINNED)


@pytest.fixture()
def trace(tmp_path):
    s = 10**9
    events = [
        {"stream": "a", "t": 0, "event": "tool_call"},
        {"stream": "a", "t": 1 * s, "event": "tool_result"},
        {"stream": "a", "t": 2 * s, "event": "tool_call"},
        {"stream": "a", "t": 9 * s, "event": "idle"},
        {"stream": "b", "t": 0, "value": 5.0},
    ]
    p = tmp_path / "trace.jsonl"
    p.write_text("".join(json.dumps(e) + "\n" for e in events))
    return p


def test_check_fails_with_the_counterexample_position(trace, capsys):
    code = main(["check", "G (tool_call -> F[0,5s] tool_result)", str(trace), "--stream", "a",
                 "--json"])  # fmt: skip
    out = json.loads(capsys.readouterr().out)
    assert code == 1 and out["holds"] is False and out["counterexample"] == [2]


def test_check_holds_with_a_witness(trace, capsys):
    assert main(["check", "F tool_result", str(trace), "--stream", "a"]) == 0
    assert "holds over 4 events; witness at event 1" in capsys.readouterr().out


def test_check_syntax_error_has_a_caret(trace, capsys):
    assert main(["check", "G (tool_call -> ", str(trace)]) == 2
    err = capsys.readouterr().err
    assert (
        err.startswith("midstream: ")
        and "\n  G (tool_call -> \n" in err
        and err.rstrip().endswith("^")
    )


def test_check_mixed_streams_need_a_selection(trace, capsys):
    assert main(["check", "G (value < 10)", str(trace)]) == 2
    assert "has no value for signal 'value'" in capsys.readouterr().err


def test_check_reads_csv_traces(tmp_path, capsys):
    p = tmp_path / "trace.csv"
    p.write_text("stream,t,value\ns,0,1.5\ns,1,3.0\ns,2,12.0\ns,3,2.0\n")
    assert main(["check", "G (value < 10)", str(p), "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["counterexample"] == [2] and out["events"] == 4
    assert main(["check", "F (value > 11)", str(p)]) == 0
    assert "witness at event 2" in capsys.readouterr().out
