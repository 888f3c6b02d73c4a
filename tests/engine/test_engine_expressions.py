"""The condition and effect language: parsing, precedence, evaluation, types and limits."""

import re
import time

import pytest

from eduapp.engine.expressions import (
    And,
    BoolLit,
    Compare,
    Effect,
    ExpressionError,
    IntLit,
    Name,
    Not,
    Or,
    apply_effects,
    check_condition,
    check_effects,
    evaluate,
    parse_condition,
    parse_effects,
)

DECLARED = {"trust": int, "voice": int, "escalated": bool, "asked": bool}


def test_and_binds_tighter_than_or_and_not_tighter_than_and():
    assert parse_condition("escalated or asked and not trust > 1") == Or(
        (Name("escalated"), And((Name("asked"), Not(Compare(">", Name("trust"), IntLit(1))))))
    )


def test_parentheses_and_negative_numbers():
    assert parse_condition("(escalated or asked) and trust >= -2") == And(
        (Or((Name("escalated"), Name("asked"))), Compare(">=", Name("trust"), IntLit(-2)))
    )


@pytest.mark.parametrize(
    "text",
    [
        "not (escalated and asked)",
        "(escalated or asked) and voice != 0",
        "escalated and asked or not not true",
        "(escalated and asked) and false",
        "trust <= -3 or (voice == 2 or asked)",
    ],
)
def test_canonical_form_parses_back_to_the_same_tree(text):
    condition = parse_condition(text)
    assert str(condition) == text
    assert parse_condition(str(condition)) == condition


def test_literals_are_typed():
    assert parse_condition("true") == BoolLit(True)
    assert parse_condition("1 == 1") != parse_condition("true == true")


def test_evaluate():
    values = {"trust": 2, "voice": 0, "escalated": False, "asked": True}
    assert evaluate(parse_condition("trust >= 2 and not escalated"), values)
    assert not evaluate(parse_condition("voice > 0 or escalated"), values)
    assert evaluate(parse_condition("asked == true and trust != 3"), values)


def test_evaluate_refuses_unknown_variables_and_mixed_types():
    with pytest.raises(ExpressionError, match="not a variable"):
        evaluate(parse_condition("ghost"), {})
    with pytest.raises(ExpressionError):
        evaluate(parse_condition("trust == true"), {"trust": 1})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("trust = 2", "Use '=='"),
        ("trust >=", "found the end of the condition"),
        ("a < b < c", "two things at a time"),
        ("a && b", "write 'and'"),
        ("(a or b", "')' to close"),
        ("a b", "Unexpected 'b'"),
        ("trust > 1234567890", "too large"),
        ("__import__('os').system('x')", "not allowed"),
        ("not", "found the end"),
    ],
)
def test_condition_errors_are_plain(text, message):
    with pytest.raises(ExpressionError, match=re.escape(message)):
        parse_condition(text)


def test_nesting_depth_is_bounded():
    assert parse_condition("(" * 32 + "a" + ")" * 32) == Name("a")
    with pytest.raises(ExpressionError, match="nested too deeply"):
        parse_condition("(" * 33 + "a" + ")" * 33)
    with pytest.raises(ExpressionError, match="nested too deeply"):
        parse_condition("not " * 40 + "a")


def test_hostile_input_fails_fast():
    started = time.process_time()
    for text in ("(" * 10_000, "not " * 400, "a and " * 1000 + "a", "-" * 5000):
        with pytest.raises(ExpressionError):
            parse_condition(text)
    assert time.process_time() - started < 1


def test_long_flat_chains_do_not_recurse():
    condition = parse_condition(" and ".join(["asked"] * 150))
    assert isinstance(condition, And)
    assert len(condition.operands) == 150
    assert evaluate(condition, {"asked": True})


def test_parse_effects():
    assert parse_effects("voice += 1, trust -= -1, escalated = true") == (
        Effect("voice", "+=", 1),
        Effect("trust", "-=", -1),
        Effect("escalated", "=", True),
    )
    assert str(Effect("trust", "-=", -1)) == "trust -= -1"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "nothing to set"),
        ("voice +=", "found the end"),
        ("voice += 1,", "a variable name"),
        ("voice == 1", "'=', '+=' or '-='"),
        ("true = 1", "a variable name"),
    ],
)
def test_effect_errors(text, message):
    with pytest.raises(ExpressionError, match=re.escape(message)):
        parse_effects(text)


def test_apply_effects_returns_a_new_dict():
    values = {"voice": 1, "escalated": False}
    after = apply_effects(parse_effects("voice += 2, voice -= 1, escalated = true"), values)
    assert after == {"voice": 2, "escalated": True}
    assert values == {"voice": 1, "escalated": False}


def test_apply_effects_refuses_what_the_checker_would():
    with pytest.raises(ExpressionError):
        apply_effects(parse_effects("ghost = 1"), {})
    with pytest.raises(ExpressionError):
        apply_effects(parse_effects("escalated += 1"), {"escalated": False})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("trusst >= 2", "'trusst' is not declared"),
        ("trust == true", "compares a number with true/false"),
        ("escalated < asked", "only compares numbers"),
        ("trust", "is a number, not a condition"),
        ("not (voice and asked)", "is a number, not a condition"),
    ],
)
def test_check_condition(text, message):
    messages = check_condition(parse_condition(text), DECLARED)
    assert len(messages) == 1
    assert message in messages[0]


def test_check_condition_accepts_well_typed_conditions():
    text = "trust >= 2 and not escalated or asked == false"
    assert check_condition(parse_condition(text), DECLARED) == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ghost = 1", "'ghost' is not declared"),
        ("escalated += 1", "only applies to numbers"),
        ("trust = true", "'trust' is a number, so it cannot be set to true/false"),
        ("escalated = 3", "'escalated' is true/false, so it cannot be set to a number"),
    ],
)
def test_check_effects(text, message):
    messages = check_effects(parse_effects(text), DECLARED)
    assert len(messages) == 1
    assert message in messages[0]
