"""pandas traces and timestamps (pandas: a test-only dependency, never imported by the package)."""

import subprocess
import sys

import numpy as np
import pytest

from temporal_neural_solver import (
    Monitor,
    MonitorVerdict,
    TemporalLogicError,
    evaluate,
    robustness,
    satisfaction,
)

pd = pytest.importorskip("pandas")

STEPS = [
    {"request": True, "response": False, "speed": 0.5},
    {"request": False, "response": False, "speed": 1.5},
    {"request": False, "response": True, "speed": 2.5},
    {"request": True, "response": False, "speed": 0.2},
]
FORMULAS = ["G (request -> F response)", "F[1,2] response", "request U response", "G (speed < 3)"]


@pytest.mark.parametrize("formula", FORMULAS)
def test_dataframe_and_series_read_like_the_list_of_dicts(formula):
    # issue 16: a DataFrame failed with "every step must be a dict or a set, got str"
    df = pd.DataFrame(STEPS)
    want = satisfaction(formula, STEPS).tolist()
    assert satisfaction(formula, df).tolist() == want
    assert satisfaction(formula, pd.Series(STEPS)).tolist() == want
    assert evaluate(formula, df) == evaluate(formula, STEPS)
    assert Monitor(formula).run(df, every_step=True).tolist() == (
        Monitor(formula).run(STEPS, every_step=True).tolist()
    )


def test_series_of_sets_and_stl_signals():
    sets = [{"p"}, set(), {"p", "q"}]
    assert satisfaction("F q", pd.Series(sets)).tolist() == satisfaction("F q", sets).tolist()
    signals = pd.DataFrame({"x": [1.0, -2.0, 4.0], "y": [0.0, 0.0, 1.0]})
    assert robustness("G (x > y)", signals) == robustness("G (x > y)", signals.to_dict("list"))


def test_datetime_and_timedelta_times_count_seconds():
    stamps = pd.to_datetime(
        ["2024-05-01 12:00:00.0", "2024-05-01 12:00:01.5", "2024-05-01 12:00:04.0"]
    )
    seconds = np.array([0.0, 1.5, 4.0])
    trace = [set(), set(), {"alarm"}]
    for times in (
        stamps,
        stamps.tz_localize("Europe/Paris"),
        stamps.to_numpy(),
        pd.Series(stamps),
        stamps - stamps[0],  # TimedeltaIndex
        (stamps - stamps[0]).to_numpy(),
    ):
        for formula in ("F[0,3] alarm", "F[0,4] alarm", "F[3,5] alarm"):
            got = satisfaction(formula, trace, times=times).tolist()
            assert got == satisfaction(formula, trace, times=seconds).tolist()
    assert not evaluate("F[0,3] alarm", trace, times=stamps).holds
    sig = pd.DataFrame({"x": [1.0, 2.0, 5.0]}, index=stamps)
    assert robustness("F[0,2] x > 1", sig, times=sig.index) == 1.0


def test_bad_pandas_input_names_the_problem():
    with pytest.raises(TemporalLogicError, match="column names must be strings"):
        evaluate("p", pd.DataFrame({0: [True]}))
    with pytest.raises(TemporalLogicError, match="NaT"):
        evaluate("F[0,1] p", {"p": [True, False]}, times=pd.to_datetime(["2024-01-01", None]))
    with pytest.raises(TemporalLogicError, match="strictly increasing"):
        backwards = pd.to_datetime(["2024-01-02", "2024-01-01"])
        evaluate("F[0,1] p", {"p": [True, False]}, times=backwards)
    assert Monitor("p").run(pd.DataFrame({"p": [True]})) is MonitorVerdict.TRUE


def test_the_package_never_imports_pandas():
    code = (
        "import sys, temporal_neural_solver as t; "
        "t.evaluate('F[0,1] p', [{'p': True}, {'p': False}], times=[0.0, 1.0]); "
        "print('pandas' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
