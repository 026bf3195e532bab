import pytest

import temporal_neural_solver
from temporal_neural_solver import FormulaSyntaxError, TemporalLogicError


def test_syntax_error_points_at_the_column():
    err = FormulaSyntaxError("unexpected ')'", text="G (p -> ) q", line=1, column=9)
    assert isinstance(err, TemporalLogicError) and isinstance(err, ValueError)
    lines = str(err).splitlines()
    assert lines[0] == "unexpected ')' at line 1, column 9"
    assert lines[1] == "  G (p -> ) q"
    assert lines[2].index("^") == 2 + 8
    with pytest.raises(TemporalLogicError):
        raise err


def test_version_is_single_sourced():
    from importlib.metadata import version

    assert temporal_neural_solver.__version__ == version("temporal-neural-solver")
