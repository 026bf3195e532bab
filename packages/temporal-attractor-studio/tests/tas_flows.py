"""A sample of dysts flows, their trajectories, and a twin-trajectory (Benettin) reference.

Equations are written from dysts' ``flows.py`` (dysts 0.96); parameters, initial
conditions and mean periods come from dysts' data file, read without importing dysts
(its own dependencies are too heavy for CI). ``reference_lambda1`` is Benettin's
original two-trajectory method: a companion state at distance ``delta`` is integrated
with the same RK4 step and pulled back to ``delta`` after every step; the mean log
stretch per unit time is the largest exponent. It shares no code with the package.
``variational_spectrum`` checks it another way: the tangent-linear (variational)
equations, Jacobian by complex-step differentiation, integrated by scipy's DOP853 at
``rtol=1e-10`` and re-orthonormalised by QR once per period.
"""

from __future__ import annotations

import functools
import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest
from scipy.integrate import solve_ivp


def dysts_data():
    spec = importlib.util.find_spec("dysts")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("dysts not installed (pip install --no-deps dysts)")
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "chaotic_attractors.json"
    return json.loads(path.read_text())


# rhs(s, p) with s of shape (..., 3): works on one state or a stack of states.
FLOWS = {
    "Lorenz": lambda s, p: (
        p["sigma"] * (s[..., 1] - s[..., 0]),
        s[..., 0] * (p["rho"] - s[..., 2]) - s[..., 1],
        s[..., 0] * s[..., 1] - p["beta"] * s[..., 2],
    ),
    "Rossler": lambda s, p: (
        -s[..., 1] - s[..., 2],
        s[..., 0] + p["a"] * s[..., 1],
        p["b"] + s[..., 2] * (s[..., 0] - p["c"]),
    ),
    "Chen": lambda s, p: (
        p["a"] * (s[..., 1] - s[..., 0]),
        (p["c"] - p["a"]) * s[..., 0] - s[..., 0] * s[..., 2] + p["c"] * s[..., 1],
        s[..., 0] * s[..., 1] - p["b"] * s[..., 2],
    ),
    "Halvorsen": lambda s, p: (
        -p["a"] * s[..., 0] - p["b"] * (s[..., 1] + s[..., 2]) - s[..., 1] ** 2,
        -p["a"] * s[..., 1] - p["b"] * (s[..., 2] + s[..., 0]) - s[..., 2] ** 2,
        -p["a"] * s[..., 2] - p["b"] * (s[..., 0] + s[..., 1]) - s[..., 0] ** 2,
    ),
    "SprottB": lambda s, p: (
        s[..., 1] * s[..., 2],
        s[..., 0] - s[..., 1],
        1 - s[..., 0] * s[..., 1],
    ),
    "GenesioTesi": lambda s, p: (
        s[..., 1],
        s[..., 2],
        -p["c"] * s[..., 0] - p["b"] * s[..., 1] - p["a"] * s[..., 2] + s[..., 0] ** 2,
    ),
    "ChenLee": lambda s, p: (
        p["a"] * s[..., 0] - s[..., 1] * s[..., 2],
        p["b"] * s[..., 1] + s[..., 0] * s[..., 2],
        p["c"] * s[..., 2] + s[..., 0] * s[..., 1] / 3,
    ),
    "SprottE": lambda s, p: (
        s[..., 1] * s[..., 2],
        s[..., 0] ** 2 - s[..., 1],
        1 - 4 * s[..., 0],
    ),
    "MooreSpiegel": lambda s, p: (
        s[..., 1],
        p["a"] * s[..., 2],
        -s[..., 2] + p["eps"] * s[..., 1] - s[..., 1] * s[..., 0] ** 2 - p["b"] * s[..., 0],
    ),
    "SprottC": lambda s, p: (s[..., 1] * s[..., 2], s[..., 0] - s[..., 1], 1 - s[..., 0] ** 2),
    "SprottD": lambda s, p: (
        -s[..., 1],
        s[..., 0] + s[..., 2],
        s[..., 0] * s[..., 2] + 3 * s[..., 1] ** 2,
    ),
    "Arneodo": lambda s, p: (
        s[..., 1],
        s[..., 2],
        -p["a"] * s[..., 0] - p["b"] * s[..., 1] - p["c"] * s[..., 2] + p["d"] * s[..., 0] ** 3,
    ),
    "RikitakeDynamo": lambda s, p: (
        -p["mu"] * s[..., 0] + s[..., 1] * s[..., 2],
        -p["mu"] * s[..., 1] - p["a"] * s[..., 0] + s[..., 0] * s[..., 2],
        1 - s[..., 0] * s[..., 1],
    ),
    "Dadras": lambda s, p: (
        s[..., 1] - p["p"] * s[..., 0] + p["o"] * s[..., 1] * s[..., 2],
        p["r"] * s[..., 1] - s[..., 0] * s[..., 2] + s[..., 2],
        p["c"] * s[..., 0] * s[..., 1] - p["e"] * s[..., 2],
    ),
    "Tsucs2": lambda s, p: (
        p["a"] * s[..., 1] - p["a"] * s[..., 0] + p["d"] * s[..., 0] * s[..., 2],
        p["k"] * s[..., 0] + p["f"] * s[..., 1] - s[..., 0] * s[..., 2],
        p["c"] * s[..., 2] + s[..., 0] * s[..., 1] - p["eps"] * s[..., 0] ** 2,
    ),
}


#: A second sample of dysts flows (issue 14): chaotic, dissipative, 3-D, written
#: from dysts' ``flows.py`` like ``FLOWS``. None of the package's defaults or
#: quality thresholds was chosen on them, except that the orbit-coverage factor's
#: ramp was picked among three after looking at them too (see the README); they
#: are the check of the quality score on systems it was not designed on. Left out:
#: Lorenz84 (twin reference 0.0001: not chaotic at dysts' parameters), DequanLi
#: (references from two initial conditions disagree, 0.018 / 0.142) and Sakarya
#: (the twin trajectories coincide exactly).
SECOND_SAMPLE = {
    "SprottF": lambda s, p: (
        s[..., 1] + s[..., 2],
        -s[..., 0] + p["a"] * s[..., 1],
        s[..., 0] ** 2 - s[..., 2],
    ),
    "SprottG": lambda s, p: (
        p["a"] * s[..., 0] + s[..., 2],
        s[..., 0] * s[..., 2] - s[..., 1],
        -s[..., 0] + s[..., 1],
    ),
    "SprottH": lambda s, p: (
        -s[..., 1] + s[..., 2] ** 2,
        s[..., 0] + p["a"] * s[..., 1],
        s[..., 0] - s[..., 2],
    ),
    "SprottJ": lambda s, p: (
        2 * s[..., 2],
        -2 * s[..., 1] + s[..., 2],
        -s[..., 0] + s[..., 1] + s[..., 1] ** 2,
    ),
    "SprottK": lambda s, p: (
        s[..., 0] * s[..., 1] - s[..., 2],
        s[..., 0] - s[..., 1],
        s[..., 0] + p["a"] * s[..., 2],
    ),
    "SprottL": lambda s, p: (
        s[..., 1] + p["b"] * s[..., 2],
        p["a"] * s[..., 0] ** 2 - s[..., 1],
        1 - s[..., 0],
    ),
    "SprottM": lambda s, p: (
        -s[..., 2],
        -(s[..., 0] ** 2) - s[..., 1],
        p["a"] + p["a"] * s[..., 0] + s[..., 1],
    ),
    "SprottN": lambda s, p: (
        -2 * s[..., 1],
        s[..., 0] + s[..., 2] ** 2,
        1 + s[..., 1] - 2 * s[..., 2],
    ),
    "SprottO": lambda s, p: (
        s[..., 1],
        s[..., 0] - s[..., 2],
        s[..., 0] + s[..., 0] * s[..., 2] + p["a"] * s[..., 1],
    ),
    "SprottP": lambda s, p: (
        p["a"] * s[..., 1] + s[..., 2],
        -s[..., 0] + s[..., 1] ** 2,
        s[..., 0] + s[..., 1],
    ),
    "SprottQ": lambda s, p: (
        -s[..., 2],
        s[..., 0] - s[..., 1],
        p["a"] * s[..., 0] + s[..., 1] ** 2 + p["b"] * s[..., 2],
    ),
    "SprottR": lambda s, p: (
        p["a"] - s[..., 1],
        p["b"] + s[..., 2],
        s[..., 0] * s[..., 1] - s[..., 2],
    ),
    "SprottS": lambda s, p: (-s[..., 0] - 4 * s[..., 1], s[..., 0] + s[..., 2] ** 2, 1 + s[..., 0]),
    "Rucklidge": lambda s, p: (
        -p["a"] * s[..., 0] + p["b"] * s[..., 1] - s[..., 1] * s[..., 2],
        s[..., 0],
        -s[..., 2] + s[..., 1] ** 2,
    ),
    "ShimizuMorioka": lambda s, p: (
        s[..., 1],
        s[..., 0] - p["a"] * s[..., 1] - s[..., 0] * s[..., 2],
        -p["b"] * s[..., 2] + s[..., 0] ** 2,
    ),
    "Finance": lambda s, p: (
        (1 / p["b"] - p["a"]) * s[..., 0] + s[..., 2] + s[..., 0] * s[..., 1],
        -p["b"] * s[..., 1] - s[..., 0] ** 2,
        -s[..., 0] - p["c"] * s[..., 2],
    ),
    "LuChen": lambda s, p: (
        p["a"] * s[..., 1] - p["a"] * s[..., 0],
        -s[..., 0] * s[..., 2] + p["c"] * s[..., 1],
        s[..., 0] * s[..., 1] - p["b"] * s[..., 2],
    ),
    "Hadley": lambda s, p: (
        -(s[..., 1] ** 2) - s[..., 2] ** 2 - p["a"] * s[..., 0] + p["a"] * p["f"],
        s[..., 0] * s[..., 1] - p["b"] * s[..., 0] * s[..., 2] - s[..., 1] + p["g"],
        p["b"] * s[..., 0] * s[..., 1] + s[..., 0] * s[..., 2] - s[..., 2],
    ),
    "ZhouChen": lambda s, p: (
        p["a"] * s[..., 0] + p["b"] * s[..., 1] + s[..., 1] * s[..., 2],
        p["c"] * s[..., 1] - s[..., 0] * s[..., 2] + p["d"] * s[..., 1] * s[..., 2],
        p["e"] * s[..., 2] - s[..., 0] * s[..., 1],
    ),
    "QiChen": lambda s, p: (
        p["a"] * s[..., 1] - p["a"] * s[..., 0] + s[..., 1] * s[..., 2],
        p["c"] * s[..., 0] + s[..., 1] - s[..., 0] * s[..., 2],
        s[..., 0] * s[..., 1] - p["b"] * s[..., 2],
    ),
    "NewtonLiepnik": lambda s, p: (
        -p["a"] * s[..., 0] + s[..., 1] + 10 * s[..., 1] * s[..., 2],
        -s[..., 0] - 0.4 * s[..., 1] + 5 * s[..., 0] * s[..., 2],
        p["b"] * s[..., 2] - 5 * s[..., 0] * s[..., 1],
    ),
    "PehlivanWei": lambda s, p: (
        s[..., 1] - s[..., 1] * s[..., 2],
        s[..., 1] + s[..., 1] * s[..., 2] - 2 * s[..., 0],
        2 - s[..., 0] * s[..., 1] - s[..., 1] ** 2,
    ),
    "BurkeShaw": lambda s, p: (
        -p["n"] * s[..., 0] - p["n"] * s[..., 1],
        s[..., 1] - p["n"] * s[..., 0] * s[..., 2],
        p["n"] * s[..., 0] * s[..., 1] + p["e"],
    ),
    "RayleighBenard": lambda s, p: (
        p["a"] * s[..., 1] - p["a"] * s[..., 0],
        p["r"] * s[..., 1] - s[..., 0] * s[..., 2],
        s[..., 0] * s[..., 1] - p["b"] * s[..., 2],
    ),
    "WangSun": lambda s, p: (
        p["a"] * s[..., 0] + p["q"] * s[..., 1] * s[..., 2],
        p["b"] * s[..., 0] + p["d"] * s[..., 1] - s[..., 0] * s[..., 2],
        p["e"] * s[..., 2] + p["f"] * s[..., 0] * s[..., 1],
    ),
    "GuckenheimerHolmes": lambda s, p: (
        p["a"] * s[..., 0]
        - p["b"] * s[..., 1]
        + p["c"] * s[..., 2] * s[..., 0]
        + p["d"] * s[..., 2] * s[..., 0] ** 2
        + p["d"] * s[..., 2] * s[..., 1] ** 2,
        p["a"] * s[..., 1] + p["b"] * s[..., 0] + p["c"] * s[..., 2] * s[..., 1],
        p["e"]
        - s[..., 2] ** 2
        - p["f"] * s[..., 0] ** 2
        - p["f"] * s[..., 1] ** 2
        - p["a"] * s[..., 2] ** 3,
    ),
}

#: A third sample of dysts flows (issue 14), kept apart from every choice of the
#: package so that a quality rule chosen on ``FLOWS`` and ``SECOND_SAMPLE`` can be
#: checked on flows nobody tuned or looked at: chaotic, dissipative, autonomous, 3-D,
#: written from dysts' ``flows.py`` like the others (each field checked equal to dysts'
#: own ``rhs`` at 50 random states when the sample was built). Kept: the 2,000-period
#: reference times dysts' period exceeds 0.005; 400 periods with another perturbation
#: (``seed=1``) agree within 10%; so does another initial condition (400 periods; 2,000
#: for Aizawa, +9%, and HindmarshRose, -1%, which were 12% and 15% off at 400); and 400
#: periods at 240 steps per period stay within 5%, except HindmarshRose +9% (+0.7% over
#: 2,000 periods), SprottI +9% and SanUmSrisuchinwong -9% (480 against 120 steps over
#: the same 400 periods: +5%, +2%). That is how the non-smooth fields were judged
#: reliable (Chua, Colpitts, MultiChua, SanUmSrisuchinwong: abs / heaviside). Left out:
#: Bouali2 (reference 0.0025; 400 periods give 0.0038), Bouali (0.0224; 0.0251 at 400
#: periods, 0.0183 at half the step), Coullet (0.028; 0.085 and 0.110 at 400 periods),
#: PanXuZhou (0.165; 0.63 and 0.65 at 400 periods), KawczynskiStrizhak (0.0002, 0.0015
#: at 400 periods: not clearly positive), IsothermalChemical (another initial condition
#: gives 0.016 against 0.135: coexisting attractors), WindmiReduced and
#: CellularNeuralNetwork (the reference depends on the step: 0.275 / 0.150 and 0.180 /
#: 0.127 at 120 / 240 steps per period; a tanh(2200 x) switch and a piecewise-linear
#: field), JerkCircuit and LiuChen (RK4 diverges from dysts' initial condition),
#: SprottMore (discontinuous field, sign(z)), and the conservative SprottA (its
#: divergence z averages 1e-4 along the orbit), NoseHoover and ArnoldBeltramiChildress.
THIRD_SAMPLE = {
    "Aizawa": lambda s, p: (
        s[..., 0] * s[..., 2] - p["b"] * s[..., 0] - p["d"] * s[..., 1],
        p["d"] * s[..., 0] + s[..., 1] * s[..., 2] - p["b"] * s[..., 1],
        p["c"]
        + p["a"] * s[..., 2]
        - s[..., 2] ** 3 / 3
        - s[..., 0] ** 2
        - s[..., 1] ** 2
        - p["e"] * s[..., 2] * s[..., 0] ** 2
        - p["e"] * s[..., 2] * s[..., 1] ** 2
        + p["f"] * s[..., 2] * s[..., 0] ** 3,
    ),
    # heaviside(x, 0) * x**2, written so that complex-step differentiation works.
    "AnishchenkoAstakhov": lambda s, p: (
        p["mu"] * s[..., 0] + s[..., 1] - s[..., 0] * s[..., 2],
        -s[..., 0],
        -p["eta"] * s[..., 2] + p["eta"] * (s[..., 0].real > 0) * s[..., 0] ** 2,
    ),
    "Chua": lambda s, p: (
        p["alpha"]
        * (
            s[..., 1]
            - s[..., 0]
            - p["m1"] * s[..., 0]
            - 0.5 * (p["m0"] - p["m1"]) * (np.abs(s[..., 0] + 1) - np.abs(s[..., 0] - 1))
        ),
        s[..., 0] - s[..., 1] + s[..., 2],
        -p["beta"] * s[..., 1],
    ),
    "Colpitts": lambda s, p: (
        s[..., 1] + p["a"] * np.minimum(s[..., 2] - (p["e"] - 1), 0.0),
        p["c"] - s[..., 0] - p["b"] * s[..., 1] - s[..., 2],
        s[..., 1] - p["d"] * s[..., 2],
    ),
    "HindmarshRose": lambda s, p: (
        -s[..., 0]
        + (s[..., 1] - p["a"] * s[..., 0] ** 3 + p["b"] * s[..., 0] ** 2 + s[..., 2]) / p["tx"],
        -p["a"] * s[..., 0] ** 3 - (p["d"] - p["b"]) * s[..., 0] ** 2 + s[..., 2],
        (-p["s"] * s[..., 0] - s[..., 2] + p["c"]) / p["tz"],
    ),
    "LorenzBounded": lambda s, p: _lorenz_bounded(s, p),
    "LuChenCheng": lambda s, p: (
        -(p["a"] * p["b"]) / (p["a"] + p["b"]) * s[..., 0] - s[..., 1] * s[..., 2] + p["c"],
        p["a"] * s[..., 1] + s[..., 0] * s[..., 2],
        p["b"] * s[..., 2] + s[..., 0] * s[..., 1],
    ),
    "RabinovichFabrikant": lambda s, p: (
        s[..., 1] * s[..., 2] - s[..., 1] + s[..., 1] * s[..., 0] ** 2 + p["g"] * s[..., 0],
        3 * s[..., 0] * s[..., 2] + s[..., 0] - s[..., 0] ** 3 + p["g"] * s[..., 1],
        -2 * p["a"] * s[..., 2] - 2 * s[..., 0] * s[..., 1] * s[..., 2],
    ),
    "SanUmSrisuchinwong": lambda s, p: (
        s[..., 1] - s[..., 0],
        -s[..., 2] * np.tanh(s[..., 0]),
        -p["a"] + s[..., 0] * s[..., 1] + np.abs(s[..., 1]),
    ),
    "SprottJerk": lambda s, p: (
        s[..., 1],
        s[..., 2],
        -s[..., 0] + s[..., 1] ** 2 - p["mu"] * s[..., 2],
    ),
    "ThomasLabyrinth": lambda s, p: (
        -p["a"] * s[..., 0] + p["b"] * np.sin(s[..., 1]),
        -p["a"] * s[..., 1] + p["b"] * np.sin(s[..., 2]),
        -p["a"] * s[..., 2] + p["b"] * np.sin(s[..., 0]),
    ),
    "VallisElNino": lambda s, p: (
        p["b"] * s[..., 1] - p["c"] * s[..., 0] - p["c"] * p["p"],
        -s[..., 1] + s[..., 0] * s[..., 2],
        -s[..., 2] - s[..., 0] * s[..., 1] + 1,
    ),
    "Blasius": lambda s, p: (
        p["a"] * s[..., 0] - p["alpha1"] * s[..., 0] * s[..., 1] / (1 + p["k1"] * s[..., 0]),
        -p["b"] * s[..., 1]
        + p["alpha1"] * s[..., 0] * s[..., 1] / (1 + p["k1"] * s[..., 0])
        - p["alpha2"] * s[..., 1] * s[..., 2] / (1 + p["k2"] * s[..., 1]),
        -p["c"] * (s[..., 2] - p["zs"])
        + p["alpha2"] * s[..., 1] * s[..., 2] / (1 + p["k2"] * s[..., 1]),
    ),
    "MultiChua": lambda s, p: (
        p["a"] * (s[..., 1] - _multi_chua_diode(s[..., 0], p["m"], p["c"])),
        s[..., 0] - s[..., 1] + s[..., 2],
        -p["b"] * s[..., 1],
    ),
    "Laser": lambda s, p: (
        p["a"] * s[..., 1] - p["a"] * s[..., 0] + p["b"] * s[..., 1] * s[..., 2] ** 2,
        p["c"] * s[..., 0] + p["d"] * s[..., 0] * s[..., 2] ** 2,
        p["h"] * s[..., 2] + p["k"] * s[..., 0] ** 2,
    ),
    "SaltonSea": lambda s, p: (
        p["r"] * s[..., 0] * (1 - (s[..., 0] + s[..., 1]) / p["k"])
        - p["lam"] * s[..., 0] * s[..., 1],
        p["lam"] * s[..., 0] * s[..., 1]
        - p["m"] * s[..., 1] * s[..., 2] / (s[..., 1] + p["a"])
        - p["mu"] * s[..., 1],
        p["th"] * s[..., 1] * s[..., 2] / (s[..., 1] + p["a"]) - p["d"] * s[..., 2],
    ),
    "SprottI": lambda s, p: (
        -p["a"] * s[..., 1],
        s[..., 0] + s[..., 2],
        s[..., 0] + s[..., 1] ** 2 - s[..., 2],
    ),
}


def _multi_chua_diode(x, slopes, breakpoints):
    total = slopes[-1] * x
    for i in range(1, 6):
        total = total + 0.5 * (slopes[i - 1] - slopes[i]) * (
            np.abs(x + breakpoints[i]) - np.abs(x - breakpoints[i])
        )
    return total


def _lorenz_bounded(s, p):
    x, y, z = s[..., 0], s[..., 1], s[..., 2]
    sigma, rho, beta, r2 = p["sigma"], p["rho"], p["beta"], p["r"] ** 2
    squares = x**2 + y**2 + z**2
    # dysts' expanded polynomials, grouped: the Lorenz field times (1 - |s|^2 / r^2)
    # plus the terms that keep the flow inside the ball of radius r.
    return (
        sigma * (y - x) - sigma / r2 * (y - x) * squares,
        rho * x - x * z - y - rho / r2 * x * squares + 1 / r2 * (x * z + y) * squares,
        x * y - beta * z - 1 / r2 * x * y * squares + beta / r2 * z * squares,
    )


#: Largest exponents of ``SECOND_SAMPLE``: ``reference_lambda1(name, periods=2000,
#: per_period=120)`` (about 20 s per flow, so stored; test_flows_reference.py
#: recomputes some). 400 periods agree within 8% (SprottJ 0.0686, SprottL 0.0585,
#: Finance 0.0858 are the farthest), but from the same base trajectory; from another
#: initial condition and at half the step (400 periods each) most move by <= 10%,
#: SprottK, SprottQ, Hadley and ZhouChen by 10-14%, and GuckenheimerHolmes by -20% at
#: half the step (1,000 periods: 0.444 at 240 and 0.385 at 480 steps per period), so
#: its reference is uncertain by about 15%.
SECOND_SAMPLE_REFERENCE = {
    "SprottF": 0.1175,
    "SprottG": 0.03359,
    "SprottH": 0.1171,
    "SprottJ": 0.07415,
    "SprottK": 0.0378,
    "SprottL": 0.06209,
    "SprottM": 0.04271,
    "SprottN": 0.0809,
    "SprottO": 0.04802,
    "SprottP": 0.08871,
    "SprottQ": 0.1088,
    "SprottR": 0.06364,
    "SprottS": 0.1879,
    "Rucklidge": 0.1929,
    "ShimizuMorioka": 0.03553,
    "Finance": 0.08962,
    "LuChen": 0.3235,
    "Hadley": 0.2111,
    "ZhouChen": 0.6495,
    "QiChen": 3.986,
    "NewtonLiepnik": 0.1453,
    "PehlivanWei": 0.07079,
    "BurkeShaw": 2.292,
    "RayleighBenard": 1.804,
    "WangSun": 0.06505,
    "GuckenheimerHolmes": 0.4484,
}

#: Largest exponents of ``THIRD_SAMPLE``: ``reference_lambda1(name, periods=2000,
#: per_period=120)``, computed like ``SECOND_SAMPLE_REFERENCE``;
#: test_flows_reference.py recomputes two. 400 periods with ``seed=1`` agree within 9%
#: (Aizawa 0.1008, Blasius 0.0634, SprottI 0.0128 are the farthest).
#: ``variational_spectrum`` over 300 periods agrees within 4%: Laser 0.592, SprottJerk
#: 0.0565, ThomasLabyrinth 1.279 (the first two spectra sum to their constant
#: divergences, -15.000 and -2.017; ThomasLabyrinth's to -1.488 against -1.5: one QR
#: per period is coarse at 8 e-folds per period). Aizawa's is the least certain: 0.0875
#: at 240 steps per period and 0.101 from another initial condition, both over 2,000
#: periods. dysts' published maxima are far from several (Chua 1.23, MultiChua 1.46,
#: SaltonSea 1.07, HindmarshRose 0.65, Colpitts 0.37, AnishchenkoAstakhov 0.101,
#: Blasius 0.126); the first exponents of its spectra are closer (0.46, 0.22, 0.39,
#: 0.26, 0.14, 0.040, 0.047).
THIRD_SAMPLE_REFERENCE = {
    "Aizawa": 0.09261,
    "AnishchenkoAstakhov": 0.03919,
    "Chua": 0.4403,
    "Colpitts": 0.1117,
    "HindmarshRose": 0.2204,
    "LorenzBounded": 0.7144,
    "LuChenCheng": 0.2656,
    "RabinovichFabrikant": 0.1989,
    "SanUmSrisuchinwong": 0.2203,
    "SprottJerk": 0.05542,
    "ThomasLabyrinth": 1.330,
    "VallisElNino": 0.5558,
    "Blasius": 0.05955,
    "MultiChua": 0.2798,
    "Laser": 0.5860,
    "SaltonSea": 0.3760,
    "SprottI": 0.01205,
}

#: Settings of the reference used by the quality calibration: 400 periods at 120 RK4
#: steps per period agree with 500-2,000 periods at 150-400 steps within 5% (Chen
#: 1.98 vs 2.00-2.08, Arneodo 0.202 vs 0.197-0.203, SprottC 0.160 vs 0.161-0.166),
#: and take about 3 s per flow.
REFERENCE = {"periods": 400, "per_period": 120}


def _equations(name):
    for sample in (FLOWS, SECOND_SAMPLE, THIRD_SAMPLE):
        if name in sample:
            return sample[name]
    raise KeyError(name)


def _field(name, params):
    rhs = _equations(name)
    return lambda s: np.stack(rhs(s, params), axis=-1)


def _rk4(f, s, h):
    k1 = f(s)
    k2 = f(s + 0.5 * h * k1)
    k3 = f(s + 0.5 * h * k2)
    k4 = f(s + h * k3)
    return s + (h / 6.0) * (k1 + 2 * k2 + 2 * k3 + k4)


def trajectories(name, n, seeds, *, per_period=50, substeps=4, transient_periods=50):
    """(x coordinates, one row per seed; dt): ``n`` samples at ``period / per_period``.

    Seed ``s`` starts from dysts' initial condition perturbed by 1e-3 relative noise
    (``default_rng(s)``); all seeds are integrated together (the vector field works
    on stacks of states) after a transient of ``transient_periods`` periods.
    """
    entry = dysts_data()[name]
    f = _field(name, entry["parameters"])
    dt = entry["period"] / per_period
    h = dt / substeps
    ic = np.asarray(entry["initial_conditions"], dtype=float)
    s = np.stack(
        [ic * (1 + 1e-3 * np.random.default_rng(seed).standard_normal(3)) for seed in seeds]
    )
    for _ in range(transient_periods * per_period * substeps):
        s = _rk4(f, s, h)
    out = np.empty((len(seeds), n))
    for i in range(n):
        for _ in range(substeps):
            s = _rk4(f, s, h)
        out[:, i] = s[:, 0]
    if not np.isfinite(out).all():
        raise RuntimeError(f"{name} diverged")
    return out, dt


def trajectory(name, n, *, per_period=50, substeps=4, transient_periods=50, seed=0):
    """(x coordinate, dt): ``n`` samples at ``period / per_period`` after a transient."""
    out, dt = trajectories(
        name,
        n,
        [seed],
        per_period=per_period,
        substeps=substeps,
        transient_periods=transient_periods,
    )
    return out[0], dt


@functools.cache
def reference_lambda1(name, *, periods=300, per_period=200, delta=1e-8, seed=0):
    """Largest exponent by twin trajectories, renormalised every step (cached per arguments).

    With ``per_period=60`` Chen's reference is 7% high (2.15 against 2.00 at 150 or
    200 steps per period); ``REFERENCE`` holds the settings the calibration uses.
    """
    entry = dysts_data()[name]
    f = _field(name, entry["parameters"])
    h = entry["period"] / per_period
    rng = np.random.default_rng(seed)
    s = np.asarray(entry["initial_conditions"], dtype=float)
    for _ in range(20 * per_period):
        s = _rk4(f, s, h)
    v = rng.standard_normal(3)
    pair = np.stack([s, s + delta * v / np.linalg.norm(v)])
    total = 0.0
    steps = periods * per_period
    for _ in range(steps):
        pair = _rk4(f, pair, h)
        gap = pair[1] - pair[0]
        dist = float(np.sqrt(gap @ gap))
        total += np.log(dist / delta)
        pair[1] = pair[0] + gap * (delta / dist)
    return total / (steps * h)


def calibration_reference(name):
    """Largest exponent the calibration checks ``name`` against: the stored 2,000-period
    value of the second and third samples, else ``reference_lambda1`` at ``REFERENCE``."""
    stored = SECOND_SAMPLE_REFERENCE.get(name, THIRD_SAMPLE_REFERENCE.get(name))
    return stored if stored is not None else reference_lambda1(name, **REFERENCE)


def variational_spectrum(name, *, periods=1000, seed=0, rtol=1e-10):
    """Lyapunov spectrum from the variational equations with QR re-orthonormalisation.

    The state and a 3x3 tangent basis are integrated together (``solve_ivp``, DOP853,
    ``rtol``, ``atol=1e-12``) for one dysts period at a time, after a transient of 50
    periods from dysts' initial condition perturbed by 1e-3 relative noise
    (``default_rng(seed)``); the basis is then re-orthonormalised by QR and the logs
    of ``|diag(R)|`` accumulated (Benettin et al. 1980; Shimada & Nagashima 1979).
    The Jacobian is exact to rounding: complex-step differentiation of the vector
    field, ``Im f(s + i h e_j) / h`` with ``h = 1e-20``.
    """
    entry = dysts_data()[name]
    params, period = entry["parameters"], entry["period"]
    rhs = _equations(name)

    def field(s):
        return np.array(rhs(s, params), dtype=float)

    def jacobian(s):
        out = np.empty((3, 3))
        for j in range(3):
            shifted = s.astype(complex)
            shifted[j] += 1e-20j
            out[:, j] = np.array(rhs(shifted, params)).imag / 1e-20
        return out

    def augmented(_, u):
        s = u[:3]
        return np.concatenate([field(s), (jacobian(s) @ u[3:].reshape(3, 3)).ravel()])

    rng = np.random.default_rng(seed)
    s = np.asarray(entry["initial_conditions"], dtype=float) * (1 + 1e-3 * rng.standard_normal(3))
    s = solve_ivp(
        lambda _, u: field(u), (0.0, 50 * period), s, method="DOP853", rtol=rtol, atol=1e-12
    ).y[:, -1]
    basis = np.linalg.qr(rng.standard_normal((3, 3)))[0]
    logs = np.zeros(3)
    for _ in range(periods):
        u = np.concatenate([s, basis.ravel()])
        end = solve_ivp(augmented, (0.0, period), u, method="DOP853", rtol=rtol, atol=1e-12).y[
            :, -1
        ]
        s = end[:3]
        basis, r = np.linalg.qr(end[3:].reshape(3, 3))
        diagonal = np.diag(r)
        basis = basis * np.sign(diagonal)
        logs += np.log(np.abs(diagonal))
    return logs / (periods * period)
