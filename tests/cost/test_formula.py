"""The cost formula language: whitelist only, never eval; every error names file, formula and construct."""

from __future__ import annotations

import pytest

from infrar.cost.formula import FormulaError, compile_formula, evaluate
from infrar.errors import InfrarError

WHERE = "cost_models/aws.yaml: implementations.aws_s3.formula"


@pytest.mark.parametrize(("text", "values", "expected"), [
    ("1 + 2 * 3", {}, 7.0),
    ("(1 + 2) * 3", {}, 9.0),
    ("a / b - -c", {"a": 9, "b": 3, "c": 1}, 4.0),
    ("+a", {"a": 2.5}, 2.5),
    ("min(a, b, 7) + max(a, 1)", {"a": 0, "b": 5}, 1.0),
    ("storage_gb * 0.023 +\n  egress_gb * 0.09", {"storage_gb": 100, "egress_gb": 10}, 3.2),
    ("1e3 * x", {"x": 0.5}, 500.0),
])
def test_evaluates_arithmetic(text: str, values: dict[str, float], expected: float) -> None:
    assert evaluate(compile_formula(text, WHERE), values) == pytest.approx(expected)


def test_names_are_collected_without_functions() -> None:
    assert compile_formula("max(a, b) * c + 2", WHERE).names == frozenset({"a", "b", "c"})


def test_a_number_is_a_formula() -> None:
    assert evaluate(compile_formula(730, WHERE), {}) == 730.0


# (formula, what the message must say about the offending construct)
FORBIDDEN = [
    ("a ** 2", "'**' (power)"),
    ("a // 2", "'//' (floor division)"),
    ("a % 2", "'%' (modulo)"),
    ("abs(a)", "a call to 'abs'"),
    ("__import__('os').system('true')", "a call to"),
    ("a.b", "attribute access"),
    ("a[0]", "subscript"),
    ("'text'", "a string"),
    ("a if b else c", "a conditional expression"),
    ("a < b", "a comparison"),
    ("a and b", "'and'/'or'"),
    ("not a", "'not'"),
    ("~a", "'~'"),
    ("lambda: 1", "a lambda"),
    ("[a, b]", "a list"),
    ("True", "the constant True"),
    ("(x := 1)", "':=' (assignment)"),
    ("max(*a)", "'*' unpacking"),
    ("min(a, key=b)", "keyword arguments"),
    ("min()", "at least one argument"),
    ("a +", "not a valid expression"),
    ("", "is empty"),
]


@pytest.mark.parametrize(("text", "construct"), FORBIDDEN, ids=[t or "empty" for t, _ in FORBIDDEN])
def test_forbidden_constructs_are_errors_naming_file_formula_and_construct(text: str, construct: str) -> None:
    with pytest.raises(FormulaError) as caught:
        compile_formula(text, WHERE)
    message = str(caught.value)
    assert isinstance(caught.value, InfrarError) and isinstance(caught.value, ValueError)
    assert message.startswith(f"{WHERE}: formula {' '.join(text.split())!r}: ")
    assert construct in message


def test_not_a_string_is_an_error() -> None:
    with pytest.raises(FormulaError, match="must be a string or a number, got list"):
        compile_formula(["a"], WHERE)


def test_division_by_zero_names_the_divisor() -> None:
    formula = compile_formula("a / (b - 1)", WHERE)
    with pytest.raises(FormulaError, match=r"division by zero: 'b - 1' is 0"):
        evaluate(formula, {"a": 1, "b": 1})


def test_unknown_name_suggests_the_closest() -> None:
    formula = compile_formula("storage_gb * price", WHERE)
    with pytest.raises(FormulaError, match=r"unknown name 'storage_gb'; did you mean 'storage_gbs'\?"):
        evaluate(formula, {"storage_gbs": 1, "price": 2})


def test_non_finite_result_is_an_error() -> None:
    with pytest.raises(FormulaError, match="not a finite number"):
        evaluate(compile_formula("a * a", WHERE), {"a": 1e200})


def test_deep_nesting_is_refused() -> None:
    with pytest.raises(FormulaError, match="nested more than"):
        compile_formula("-" * 100 + "1", WHERE)
