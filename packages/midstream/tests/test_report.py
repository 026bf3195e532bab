"""The HTML report: produced, self-contained, and its PNGs show something."""

from __future__ import annotations

import base64
import re

import numpy as np
import pytest

pytest.importorskip("matplotlib")
import matplotlib.image as mpimg

from midstream import MidstreamError
from midstream.report import write_report


def _pixels(path):
    img = mpimg.imread(path)  # float RGBA in [0, 1]
    assert img.ndim == 3 and img.shape[2] in (3, 4)
    return img[:, :, :3]


def _reddish(img) -> int:
    r, g, b = img[:, :, 0], img[:, :, 1], img[:, :, 2]
    return int(((r > 0.85) & (g < 0.85) & (b < 0.85) & (r - g > 0.1)).sum())


def _records(t0: int):
    s = 1_000_000_000
    return [
        {
            "v": 1,
            "kind": "alert",
            "stream": "sensor",
            "t": t0 + 3 * s,
            "detector": "pattern:spike",
            "severity": "warning",
            "message": "pattern 'spike' at samples 200-260",
            "data": {
                "pattern": "spike",
                "start": 200,
                "end": 260,
                "t_start": t0 + 2 * s,
                "t_end": t0 + 3 * s,
            },
        },
        {
            "v": 1,
            "kind": "verdict",
            "stream": "agent",
            "t": t0,
            "detector": "monitor",
            "formula": "G (call -> F result)",
            "verdict": "PRESUMABLY_TRUE",
            "previous": None,
            "position": 0,
        },
        {
            "v": 1,
            "kind": "verdict",
            "stream": "agent",
            "t": t0 + 4 * s,
            "detector": "monitor",
            "formula": "G (call -> F result)",
            "verdict": "FALSE",
            "previous": "PRESUMABLY_TRUE",
            "position": 40,
        },
        *[
            {
                "v": 1,
                "kind": "robustness",
                "stream": "sensor",
                "t": t0 + i * s // 10,
                "formula": "G (x < 0.9)",
                "value": 0.9 - abs(np.sin(i / 10)),
            }
            for i in range(80)
        ],
        {
            "v": 1,
            "kind": "dynamics",
            "stream": "sensor",
            "t": t0 + 5 * s,
            "class": "periodic",
            "reason": "<one dominant frequency>",
            "lyapunov": 0.01,
            "window": [t0, t0 + 5 * s],
        },
        {
            "v": 1,
            "kind": "summary",
            "stream": "",
            "t": t0 + 9 * s,
            "events": 1000,
            "lost": 0,
            "per_stream": {"sensor": {"events": 800}},
        },
        {"v": 1, "kind": "unknown-kind", "stream": "x", "t": t0},
    ]


@pytest.mark.parametrize("seed", [0, 1])
def test_report_html_and_non_blank_figures(tmp_path, seed):
    rng = np.random.default_rng(seed)
    t0 = 1_700_000_000_000_000_000
    t = t0 + np.arange(800, dtype=np.int64) * 10_000_000  # 100 Hz, 8 s
    sensor = np.sin(np.arange(800) * 0.2) + 0.05 * rng.standard_normal(800)
    noise = rng.standard_normal(800)
    out = write_report(tmp_path / "rep", _records(t0), {"sensor": (t, sensor), "noise": (t, noise)})

    names = sorted(p.name for p in out.figures)
    assert names == sorted(
        [
            "phase-sensor.png",
            "signal-sensor.png",
            "phase-noise.png",
            "signal-noise.png",
            "verdicts.png",
            "robustness.png",
        ]
    )
    html = out.index.read_text()
    embedded = re.findall(r'src="data:image/png;base64,([^"]+)"', html)
    assert len(embedded) == len(out.figures)  # self-contained: every figure inline
    for data, path in zip(embedded, out.figures, strict=True):
        assert base64.b64decode(data) == path.read_bytes()
        pixels = _pixels(path)
        assert pixels.std() > 0.05, path.name  # not a blank canvas
    assert "&lt;one dominant frequency&gt;" in html  # escaped
    assert "pattern &#x27;spike&#x27;" in html or "pattern 'spike'" in html
    # The DTW match is shaded only on the stream that had it; FALSE shows red.
    assert _reddish(_pixels(tmp_path / "rep/figures/signal-sensor.png")) > 500
    assert _reddish(_pixels(tmp_path / "rep/figures/signal-noise.png")) == 0
    assert _reddish(_pixels(tmp_path / "rep/figures/verdicts.png")) > 500


def test_blank_check_can_fail(tmp_path):
    # The non-blank check above is meaningful: a blank figure fails it.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure()
    FigureCanvasAgg(fig)
    fig.savefig(tmp_path / "blank.png")
    assert _pixels(tmp_path / "blank.png").std() < 1e-6


def test_constant_series_still_gets_a_figure(tmp_path):
    t = np.arange(100, dtype=np.int64) * 1000
    out = write_report(tmp_path, [], {"flat": (t, np.ones(100))})
    assert [p.name for p in out.figures] == ["phase-flat.png", "signal-flat.png"]


def test_malformed_series_names_the_stream(tmp_path):
    with pytest.raises(MidstreamError, match=r"series\['s'\]"):
        write_report(tmp_path, [], {"s": ([1, 2, 3], [1.0, 2.0])})


def test_no_data_is_still_a_page(tmp_path):
    out = write_report(tmp_path, [])
    assert out.figures == () and "No numeric series" in out.index.read_text()
