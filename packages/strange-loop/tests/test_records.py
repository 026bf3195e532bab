"""``to_dict`` of every result record, against literal dicts written out by hand.

Types are compared as well as values (``1 == 1.0 == np.int64(1)``), so a change of
container or scalar type shows up.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from strange_loop.agent import EpisodeLog
from strange_loop.dynamics import Dynamics, DynamicsReport
from strange_loop.loop import MetaKnowledge
from strange_loop.rules import Rule
from strange_loop.safety import AuditEntry, Modification
from strange_loop.tiles import TileCoder


def assert_same(got: Any, want: Any) -> None:
    assert type(got) is type(want), (got, want)
    if isinstance(want, dict):
        assert list(got) == list(want)
        for k in want:
            assert_same(got[k], want[k])
    elif isinstance(want, list):
        assert len(got) == len(want)
        for g, w in zip(got, want, strict=True):
            assert_same(g, w)
    elif isinstance(want, float) and math.isnan(want):
        assert math.isnan(got)
    else:
        assert got == want


def test_rule() -> None:
    r = Rule("damp", "td_abs > 1.0", {"alpha": 1, "beta": 0.5}, target="level1")
    assert_same(
        r.to_dict(),
        {
            "name": "damp",
            "when": "td_abs > 1.0",
            "changes": {"alpha": 1.0, "beta": 0.5},
            "target": "level1",
        },
    )
    assert_same(
        Rule("r", "x > 0").to_dict(),
        {"name": "r", "when": "x > 0", "changes": {}, "target": "base"},
    )


def test_meta_knowledge() -> None:
    m = MetaKnowledge(
        level=2,
        hyperparameters={"alpha": 0.1},
        center={"alpha": 0.2},
        best_setting=None,
        best_value=None,
        settings_tried=3,
        decisions=5,
        dynamics={"dynamics": "noise", "confidence": 0.5},
        patterns=[{"name": "p", "support": 2}],
    )
    assert_same(
        m.to_dict(),
        {
            "level": 2,
            "hyperparameters": {"alpha": 0.1},
            "center": {"alpha": 0.2},
            "best_setting": None,
            "best_value": None,
            "settings_tried": 3,
            "decisions": 5,
            "dynamics": {"dynamics": "noise", "confidence": 0.5},
            "patterns": [{"name": "p", "support": 2}],
        },
    )


def test_dynamics_report_leaves_out_evidence() -> None:
    d = DynamicsReport(Dynamics.OSCILLATING, 0.8, "limit_cycle", 4.0, evidence={"lle": 0.0})
    assert_same(
        d.to_dict(),
        {
            "dynamics": "oscillating",
            "confidence": 0.8,
            "attractor_type": "limit_cycle",
            "period": 4.0,
        },
    )
    assert_same(
        DynamicsReport(Dynamics.UNKNOWN, 0.0, "none").to_dict(),
        {"dynamics": "unknown", "confidence": 0.0, "attractor_type": "none", "period": None},
    )


def test_modification_leaves_out_payload() -> None:
    m = Modification(
        "set", "level1", {"alpha": 2, "gamma": 0.9}, "dynamics", "why", payload=object()
    )
    assert_same(
        m.to_dict(),
        {
            "kind": "set",
            "target": "level1",
            "changes": {"alpha": 2.0, "gamma": 0.9},
            "source": "dynamics",
            "reason": "why",
        },
    )


def test_audit_entry() -> None:
    a = AuditEntry(3, 10, "rejected", {"kind": "set"}, ("G ok", "G safe"), {"x": 1.0})
    assert_same(
        a.to_dict(),
        {
            "index": 3,
            "row": 10,
            "verdict": "rejected",
            "modification": {"kind": "set"},
            "violated": ["G ok", "G safe"],
            "shadow": {"x": 1.0},
        },
    )
    assert_same(
        AuditEntry(0, 0, "applied", {}).to_dict(),
        {
            "index": 0,
            "row": 0,
            "verdict": "applied",
            "modification": {},
            "violated": [],
            "shadow": None,
        },
    )


def test_episode_log() -> None:
    e = EpisodeLog(np.array([1.0, 0.0, 2.0]), np.array([3, 4, 5]), successes=2)
    assert_same(
        e.to_dict(),
        {"episodes": 3, "mean_return": 1.0, "success_rate": 2 / 3, "mean_length": 4.0},
    )
    empty = EpisodeLog(np.zeros(0), np.zeros(0, dtype=int))
    assert_same(
        empty.to_dict(),
        {
            "episodes": 0,
            "mean_return": float("nan"),
            "success_rate": float("nan"),
            "mean_length": float("nan"),
        },
    )


def test_tile_coder() -> None:
    t = TileCoder(low=[0, -1], high=[1, 2.5], n_tilings=4, tiles=3)
    assert_same(
        t.to_dict(),
        {"low": [0.0, -1.0], "high": [1.0, 2.5], "n_tilings": 4, "tiles": 3},
    )
