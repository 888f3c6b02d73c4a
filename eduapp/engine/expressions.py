"""The condition and effect language of scenarios: parsed by hand, never evaluated as Python.

Values are whole numbers and booleans. Conditions compare variables and values and combine
with ``and``/``or``/``not``; effects set, add to or subtract from variables.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass

from ._text import MAX_DIGITS

#: Hostile input fails fast: nothing longer or more deeply nested than this is parsed.
MAX_LENGTH = 2000
MAX_DEPTH = 32

COMPARISONS = ("==", "!=", "<=", ">=", "<", ">")
ASSIGNMENTS = ("=", "+=", "-=")
KEYWORDS = frozenset({"and", "or", "not", "true", "false"})

Value = int | bool


class ExpressionError(ValueError):
    """A condition or effect that does not parse or cannot be applied, in plain words."""


@dataclass(frozen=True)
class Name:
    """A variable."""

    name: str

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class IntLit:
    """A whole number."""

    value: int

    def __str__(self) -> str:
        return str(self.value)


@dataclass(frozen=True)
class BoolLit:
    """``true`` or ``false``."""

    value: bool

    def __str__(self) -> str:
        return "true" if self.value else "false"


Atom = Name | IntLit | BoolLit


@dataclass(frozen=True)
class Compare:
    """``left op right`` between two atoms."""

    op: str
    left: Atom
    right: Atom

    def __str__(self) -> str:
        return f"{self.left} {self.op} {self.right}"


@dataclass(frozen=True)
class Not:
    """``not operand``."""

    operand: "Condition"

    def __str__(self) -> str:
        inner = str(self.operand)
        return f"not ({inner})" if isinstance(self.operand, And | Or) else f"not {inner}"


@dataclass(frozen=True)
class And:
    """Two or more conditions that must all hold."""

    operands: tuple["Condition", ...]

    def __str__(self) -> str:
        return " and ".join(_wrap(op, (And, Or)) for op in self.operands)


@dataclass(frozen=True)
class Or:
    """Two or more conditions of which one must hold."""

    operands: tuple["Condition", ...]

    def __str__(self) -> str:
        return " or ".join(_wrap(op, (Or,)) for op in self.operands)


Condition = Name | IntLit | BoolLit | Compare | Not | And | Or


def _wrap(node: Condition, bracketed: tuple[type, ...]) -> str:
    return f"({node})" if isinstance(node, bracketed) else str(node)


@dataclass(frozen=True)
class Effect:
    """``name = value``, ``name += n`` or ``name -= n``."""

    name: str
    op: str
    value: Value

    def __str__(self) -> str:
        return f"{self.name} {self.op} {_show(self.value)}"


def _show(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# -- tokenizer ---------------------------------------------------------------------------

_TOKEN_RE = re.compile(
    r"[ \t]*(?:(?P<number>[0-9]+)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>==|!=|<=|>=|\+=|-=|[<>=(),-]))"
)
_HINTS = {"&": "write 'and'", "|": "write 'or'", "!": "write 'not'"}


@dataclass(frozen=True)
class _Token:
    kind: str  # "number", "name", "op" or "end"
    text: str


def _tokenize(text: str, what: str) -> list[_Token]:
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"This {what} is too long (over {MAX_LENGTH:,} characters).")
    tokens, pos, end = [], 0, len(text.rstrip())
    while pos < end:
        match = _TOKEN_RE.match(text, pos)
        if match is None:
            char = text[pos:].lstrip(" \t")[0]
            hint = _HINTS.get(char)
            raise ExpressionError(
                f"The {what} contains '{char}', which is not allowed"
                + (f" ({hint})." if hint else ".")
            )
        kind = match.lastgroup or "op"
        tokens.append(_Token(kind, match.group(kind)))
        pos = match.end()
    tokens.append(_Token("end", ""))
    return tokens


# -- parser ------------------------------------------------------------------------------


class _Parser:
    """Recursive descent over a token list; ``depth`` bounds the nesting."""

    def __init__(self, text: str, what: str) -> None:
        self.what = what
        self.tokens = _tokenize(text, what)
        self.pos = 0
        self.depth = -1  # the outermost condition is level 0

    @property
    def peek(self) -> _Token:
        return self.tokens[self.pos]

    def next(self) -> _Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def describe(self, token: _Token) -> str:
        return f"the end of the {self.what}" if token.kind == "end" else f"'{token.text}'"

    def fail(self, expected: str) -> ExpressionError:
        return ExpressionError(f"Expected {expected}, but found {self.describe(self.peek)}.")

    def is_word(self, word: str) -> bool:
        return self.peek.kind == "name" and self.peek.text == word

    def condition(self) -> Condition:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionError(f"This {self.what} is nested too deeply.")
        operands = [self.conjunction()]
        while self.is_word("or"):
            self.next()
            operands.append(self.conjunction())
        self.depth -= 1
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def conjunction(self) -> Condition:
        operands = [self.negation()]
        while self.is_word("and"):
            self.next()
            operands.append(self.negation())
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def negation(self) -> Condition:
        if not self.is_word("not"):
            return self.primary()
        self.next()
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionError(f"This {self.what} is nested too deeply.")
        operand = self.negation()
        self.depth -= 1
        return Not(operand)

    def primary(self) -> Condition:
        if self.peek.text == "(" and self.peek.kind == "op":
            self.next()
            inner = self.condition()
            if self.peek.text != ")":
                raise self.fail("')' to close the '('")
            self.next()
            return inner
        left = self.atom()
        if self.peek.text in COMPARISONS:
            op = self.next().text
            right = self.atom()
            if self.peek.text in COMPARISONS:
                raise ExpressionError("Compare two things at a time: 'a < b and b < c'.")
            return Compare(op, left, right)
        if self.peek.text == "=":
            raise ExpressionError("Use '==' to compare; '=' belongs in 'set:'.")
        return left

    def atom(self) -> Atom:
        token = self.peek
        if token.kind == "name" and token.text not in KEYWORDS:
            self.next()
            return Name(token.text)
        if token.text in ("true", "false"):
            self.next()
            return BoolLit(token.text == "true")
        return IntLit(self.number())

    def number(self) -> int:
        negative = self.peek.text == "-"
        if negative:
            self.next()
        if self.peek.kind != "number":
            raise self.fail("a variable, a number, true or false")
        digits = self.next().text
        if len(digits) > MAX_DIGITS:
            raise ExpressionError(
                f"The number {digits} is too large (at most {MAX_DIGITS} digits)."
            )
        return -int(digits) if negative else int(digits)

    def value(self) -> Value:
        if self.peek.text in ("true", "false"):
            return self.next().text == "true"
        return self.number()

    def effects(self) -> tuple[Effect, ...]:
        found = [self.effect()]
        while self.peek.text == ",":
            self.next()
            found.append(self.effect())
        return tuple(found)

    def effect(self) -> Effect:
        token = self.peek
        if token.kind != "name" or token.text in KEYWORDS:
            raise self.fail("a variable name")
        self.next()
        if self.peek.text not in ASSIGNMENTS:
            raise self.fail(f"'=', '+=' or '-=' after '{token.text}'")
        op = self.next().text
        return Effect(token.text, op, self.value())

    def finish(self) -> None:
        if self.peek.kind != "end":
            raise ExpressionError(f"Unexpected {self.describe(self.peek)} in the {self.what}.")


def parse_condition(text: str) -> Condition:
    """Parse a condition such as ``trust >= 2 and not escalated``."""
    parser = _Parser(text, "condition")
    if parser.peek.kind == "end":
        raise ExpressionError("The condition is empty.")
    condition = parser.condition()
    parser.finish()
    return condition


def parse_effects(text: str) -> tuple[Effect, ...]:
    """Parse comma-separated effects such as ``voice += 1, escalated = true``."""
    parser = _Parser(text, "effect list")
    if parser.peek.kind == "end":
        raise ExpressionError("There is nothing to set.")
    effects = parser.effects()
    parser.finish()
    return effects


# -- evaluation --------------------------------------------------------------------------


def _value(atom: Atom, variables: Mapping[str, Value]) -> Value:
    if isinstance(atom, Name):
        if atom.name not in variables:
            raise ExpressionError(f"'{atom.name}' is not a variable of this scenario.")
        return variables[atom.name]
    return atom.value


def _compare(op: str, left: Value, right: Value) -> bool:
    if isinstance(left, bool) is not isinstance(right, bool):
        raise ExpressionError(f"Cannot compare {_show(left)} with {_show(right)}.")
    if op in ("==", "!="):
        return (left == right) is (op == "==")
    if isinstance(left, bool):
        raise ExpressionError(f"'{op}' only compares numbers.")
    return {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right}[op]


def evaluate(condition: Condition, variables: Mapping[str, Value]) -> bool:
    """Whether the condition holds for these variable values."""
    if isinstance(condition, And):
        return all(evaluate(op, variables) for op in condition.operands)
    if isinstance(condition, Or):
        return any(evaluate(op, variables) for op in condition.operands)
    if isinstance(condition, Not):
        return not evaluate(condition.operand, variables)
    if isinstance(condition, Compare):
        left, right = _value(condition.left, variables), _value(condition.right, variables)
        return _compare(condition.op, left, right)
    value = _value(condition, variables)
    if not isinstance(value, bool):
        raise ExpressionError(f"'{condition}' is a number, not a condition.")
    return value


def apply_effects(effects: tuple[Effect, ...], variables: Mapping[str, Value]) -> dict:
    """A new dict of variables with the effects applied in order."""
    result = dict(variables)
    for effect in effects:
        if effect.name not in result:
            raise ExpressionError(f"'{effect.name}' is not a variable of this scenario.")
        current = result[effect.name]
        if isinstance(current, bool) is not isinstance(effect.value, bool):
            raise ExpressionError(f"Cannot apply '{effect}': the types differ.")
        if effect.op == "=":
            result[effect.name] = effect.value
        elif isinstance(current, bool):
            raise ExpressionError(
                f"Cannot apply '{effect}': '{effect.op}' only applies to numbers."
            )
        else:
            result[effect.name] = (
                current + effect.value if effect.op == "+=" else current - effect.value
            )
    return result


# -- type checks -------------------------------------------------------------------------


def _kind(value_type: type | None) -> str:
    return "true/false" if value_type is bool else "a number"


def _atom_type(atom: Atom, declared: Mapping[str, type], messages: list[str]) -> type | None:
    if isinstance(atom, IntLit):
        return int
    if isinstance(atom, BoolLit):
        return bool
    if atom.name not in declared:
        messages.append(
            f"'{atom.name}' is not declared: add 'var {atom.name} = ...' to the header."
        )
        return None
    return declared[atom.name]


def check_condition(condition: Condition, declared: Mapping[str, type]) -> list[str]:
    """Plain-language messages for undeclared variables and number/boolean mix-ups."""
    messages: list[str] = []
    if isinstance(condition, And | Or):
        for operand in condition.operands:
            messages += check_condition(operand, declared)
    elif isinstance(condition, Not):
        messages += check_condition(condition.operand, declared)
    elif isinstance(condition, Compare):
        left = _atom_type(condition.left, declared, messages)
        right = _atom_type(condition.right, declared, messages)
        if left and right and left is not right:
            messages.append(
                f"'{condition}' compares {_kind(left)} with {_kind(right)}; they never mix."
            )
        elif bool in (left, right) and condition.op not in ("==", "!="):
            messages.append(f"'{condition}': '{condition.op}' only compares numbers.")
    elif _atom_type(condition, declared, messages) is int:
        messages.append(
            f"'{condition}' is a number, not a condition: compare it, as in '{condition} > 0'."
        )
    return messages


def check_effects(effects: tuple[Effect, ...], declared: Mapping[str, type]) -> list[str]:
    """Plain-language messages for undeclared variables and values of the wrong type."""
    messages: list[str] = []
    for effect in effects:
        if effect.name not in declared:
            messages.append(
                f"'{effect.name}' is not declared: add 'var {effect.name} = ...' to the header."
            )
            continue
        var_type, value_type = declared[effect.name], type(effect.value)
        if effect.op != "=" and bool in (var_type, value_type):
            messages.append(f"'{effect}': '{effect.op}' only applies to numbers.")
        elif var_type is not value_type:
            messages.append(
                f"'{effect}': '{effect.name}' is {_kind(var_type)}, so it cannot be set to "
                f"{_kind(value_type)}."
            )
    return messages
