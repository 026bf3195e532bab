"""The dashboard renders every record kind, ignores unknown ones, degrades to lines."""

from __future__ import annotations

import io

from rich.console import Console

from midstream.dashboard import Dashboard


def _records():
    base = {"v": 1, "t": 1}
    return [
        {
            **base,
            "kind": "stats",
            "stream": "",
            "events": 12345,
            "events_per_s": 4321.0,
            "latency_p50_ms": 0.42,
            "latency_p99_ms": 3.25,
            "lost": 0,
            "dropped": 2,
            "streams": 3,
        },
        {
            **base,
            "kind": "alert",
            "stream": "llm-1",
            "detector": "loops",
            "severity": "warning",
            "message": "repeats 'the cat sat' 4 times",
            "data": {"n": 3},
        },
        {
            **base,
            "kind": "verdict",
            "stream": "agent-2",
            "detector": "monitor",
            "formula": "G (tool_call -> F[0,5s] tool_result)",
            "verdict": "FALSE",
            "previous": "PRESUMABLY_TRUE",
            "position": 17,
        },
        {
            **base,
            "kind": "robustness",
            "stream": "sensor-3",
            "formula": "G (x < 30)",
            "value": -1.5,
        },
        {
            **base,
            "kind": "dynamics",
            "stream": "sensor-3",
            "class": "chaotic",
            "reason": "positive Lyapunov exponent",
            "lyapunov": 0.91,
            "window": [0, 1],
        },
        {**base, "kind": "mystery", "stream": "ghost", "whatever": 1},  # ignored
        {
            **base,
            "kind": "alert",
            "stream": "llm-1",
            "detector": "drift",
            "severity": "info",
            "message": "drifted from reference",
            "data": {},
            "new_field": [1, 2],
        },
    ]


def test_live_screen_shows_every_kind(monkeypatch):
    console = Console(record=True, width=140, force_terminal=True, file=io.StringIO())
    board = Dashboard(console, duration=10.0, title="demo")
    assert board.is_live
    for r in _records():
        board.update(r)
    console.print(board.render())
    text = console.export_text()
    for fragment in [
        "events 12,345",
        "4,321/s",
        "p50 0.42 ms",
        "p99 3.25 ms",
        "lost 0",
        "dropped 2",
        "llm-1",
        "agent-2",
        "sensor-3",
        "chaotic",
        "0.91",
        "FALSE",
        "tool_call",
        "-1.5",
        "repeats 'the cat sat' 4 times",
        "drifted from reference",
        "/ 10 s",
        "latest alerts",
    ]:
        assert fragment in text, fragment
    assert "ghost" not in text and "mystery" not in text
    assert board.streams["llm-1"].alerts == 2


def test_live_context_manager_draws_the_final_screen():
    console = Console(record=True, width=120, force_terminal=True, file=io.StringIO())
    with Dashboard(console, duration=1.0) as board:
        for r in _records():
            board.update(r)
        board.update(
            {
                "v": 1,
                "kind": "summary",
                "stream": "",
                "t": 2,
                "events": 99,
                "events_per_s": 50.0,
                "lost": 0,
                "dropped": 0,
                "streams": 3,
                "per_stream": {"llm-1": {"events": 40, "alerts": 2}},
            }
        )
    text = console.export_text()
    assert "events 99" in text and "chaotic" in text
    assert board.streams["llm-1"].events == 40


def test_plain_lines_when_not_a_terminal():
    out = io.StringIO()
    console = Console(file=out, width=200, force_terminal=False)
    with Dashboard(console, duration=10.0, stats_every=3600) as board:
        assert not board.is_live
        for r in _records():
            board.update(r)
        # The same verdict and class again print nothing; a second stats line waits.
        board.update(_records()[2])
        board.update(_records()[4])
        board.update(_records()[0])
    lines = out.getvalue().splitlines()
    assert lines == [
        "STATS events 12,345  4,321/s  latency p50 0.42 ms p99 3.25 ms  lost 0  dropped 2  "
        "streams 3",
        "llm-1 ALERT warning loops: repeats 'the cat sat' 4 times",
        "agent-2 VERDICT G (tool_call -> F[0,5s] tool_result): PRESUMABLY_TRUE -> FALSE at "
        "event 17",
        "sensor-3 DYNAMICS chaotic: positive Lyapunov exponent",
        "llm-1 ALERT info drift: drifted from reference",
    ]


def test_missing_numbers_show_as_dashes():
    console = Console(record=True, width=120, force_terminal=True, file=io.StringIO())
    board = Dashboard(console)
    board.update({"v": 1, "kind": "stats", "stream": "", "t": 0, "events": None})
    console.print(board.render())
    assert "events -" in console.export_text()
