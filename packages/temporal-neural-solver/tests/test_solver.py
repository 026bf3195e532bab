import pytest

from temporal_neural_solver import TemporalLogicError, TemporalNeuralSolver


def test_bounded_trace_and_verify():
    s = TemporalNeuralSolver(max_trace_length=4)
    for i in range(10):
        s.add_state({"tick": True, "even": i % 2 == 0})
    assert s.trace_length == 4
    v = s.verify("G tick & F even")
    assert v.holds and v.witness == (0,)  # step 6 of the stream is step 0 of the window
    v = s.verify("G even")
    assert not v.holds and v.counterexample == (1,)
    s.clear_trace()
    assert s.trace_length == 0
    with pytest.raises(TemporalLogicError, match="no states"):
        s.verify("G tick")


def test_sets_and_bad_states():
    s = TemporalNeuralSolver()
    s.add_state({"p"})
    s.add_state(["p", "q"])
    assert s.verify("p U q").holds
    with pytest.raises(TemporalLogicError, match="mix"):
        s.add_state({"p": True})
    assert s.trace_length == 2
    with pytest.raises(TemporalLogicError, match="state"):
        s.add_state(3)
    with pytest.raises(TemporalLogicError, match="max_trace_length"):
        TemporalNeuralSolver(0)
    assert s.synthesize("F (p & X q)").trace == (frozenset({"p"}), frozenset({"q"}))
