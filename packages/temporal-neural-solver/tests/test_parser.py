import pickle
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings

from temporal_neural_solver import FormulaSyntaxError, TemporalLogicError, parse
from temporal_neural_solver.formula import Formula, atom

sys.path.insert(0, str(Path(__file__).parent))
from _tns_reference import formulas


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("G (request -> F response)", "G (request -> F response)"),
        ("[] (a -> <> b)", "G (a -> F b)"),
        ("~a && b || c", "!a & b | c"),
        ("a & b | c & d", "a & b | c & d"),
        ("a | b & c", "a | b & c"),
        ("(a | b) & c", "(a | b) & c"),
        ("a -> b -> c", "a -> b -> c"),
        ("(a -> b) -> c", "(a -> b) -> c"),
        ("a U b U c", "a U b U c"),
        ("(a U b) U c", "(a U b) U c"),
        ("F a U b", "F a U b"),
        ("a & b U c", "a & b U c"),
        ("X[!] a", "X a"),
        ("WX a", "N a"),
        ("N a", "N a"),
        ("Y a S O H b", "Y a S O H b"),
        ('"two words" & "G"', '"two words" & "G"'),
        ("Foo & Go", "Foo & Go"),
        ("F[0, 10] p", "F[0,10] p"),
        ("G[2,inf] p", "G[2,inf] p"),
        ("p U[1.5,3] q", "p U[1.5,3] q"),
        ("speed > 0.5", "speed > 0.5"),
        ("x - y <= 2", "x - y <= 2"),
        ("-x + 2*y >= -3", "-x + 2*y >= -3"),
        ("y*2 < x/4", "2*y < 0.25*x"),
        ("x - x + z > 1", "z > 1"),
        ("true -> false", "true -> false"),
        ("a <-> b ^ c", "a <-> b ^ c"),
    ],
)
def test_parse_and_print(text, expected):
    f = parse(text)
    assert str(f) == expected
    assert parse(str(f)) is f


def test_precedence_tree_shape():
    f = parse("a | b & c -> d")
    assert f.op == "->"
    assert f.args[0].op == "|"
    assert f.args[0].args[1].op == "&"
    assert parse("a U b U c").args[1].op == "U"  # right-associative
    assert parse("!a U b").args[0].op == "!"  # unary binds tighter


def test_hash_consing_and_immutability():
    assert parse("p & q") is parse("(p) & (q)")
    f = parse("G p")
    assert hash(f) == hash(parse("G p"))
    with pytest.raises(AttributeError):
        f.op = "F"
    assert pickle.loads(pickle.dumps(f)) is f
    assert atom("p") is parse("p")


def test_size_atoms_signals():
    f = parse("G (p -> F q) & speed > 1")
    assert f.size() == 7
    assert f.atoms() == frozenset({"p", "q"})
    assert f.signals() == frozenset({"speed"})


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("p U", 1, 4),
        ("G (p -> )", 1, 9),
        ("p &&& q", 1, 5),
        ("p $ q", 1, 3),
        ("p U\n  & q", 2, 3),
        ("(p", 1, 3),
        ("p q", 1, 3),
    ],
)
def test_syntax_errors_have_positions(text, line, column):
    with pytest.raises(FormulaSyntaxError) as info:
        parse(text)
    err = info.value
    assert (err.line, err.column) == (line, column)
    assert isinstance(err, ValueError)
    caret_line = str(err).splitlines()[-1]
    assert caret_line.index("^") - 2 == column - 1


@pytest.mark.parametrize(
    "text", ["F[5,2] p", "G[inf,inf] p", "p R[0,1] q", "1 < 2", "x / 0 > 1", "F[-1,2] p", "  "]
)
def test_bad_formulas(text):
    with pytest.raises(FormulaSyntaxError):
        parse(text)


def test_bad_types_and_make():
    with pytest.raises(TypeError, match="text"):
        parse(3)  # type: ignore[arg-type]
    with pytest.raises(TemporalLogicError, match="interval"):
        Formula.make("F", atom("p"), interval=(3, 1))
    with pytest.raises(TemporalLogicError, match="interval"):
        Formula.make("X", atom("p"), interval=(0, 1))
    with pytest.raises(TemporalLogicError, match="args"):
        Formula.make("U", atom("p"))
    with pytest.raises(TemporalLogicError, match="op"):
        Formula.make("Q")


@settings(max_examples=300, deadline=None)
@given(formulas(timed=True, past=True, max_leaves=12))
def test_round_trip(f):
    assert parse(str(f)) is f


def test_two_hundred_operators():
    text = " & ".join(f"(p{i} -> F q{i})" for i in range(67))
    f = parse(text)
    assert f.size() == 67 * 4 + 66
    assert parse(str(f)) is f
