"""The small, safe condition language of conditional events (``when:``).

A condition compares model quantities with numbers or escalation levels, combined with
``and``, ``or``, ``not`` and parentheses::

    tension(CHN, PHL) > 0.6 and step >= 12
    escalation(CHN, PHL) >= clash or us_credibility < 0.4

It is parsed by a Lark grammar into a tree of plain objects and evaluated over arrays (one value
per replicate); no Python code is ever evaluated.
"""

from __future__ import annotations

import difflib
import math
import operator
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy as np
from lark import Lark, Token, Transformer, v_args
from lark.exceptions import (
    LarkError,
    UnexpectedCharacters,
    UnexpectedEOF,
    UnexpectedToken,
    VisitError,
)

from sim.scenario.aliases import alias_hint
from sim.scenario.baseline import country_codes
from sim.scenario.ladder import LEVEL_VALUES
from sim.scenario.problems import shorten

#: Largest number a condition may hold (every quantity it reads is far smaller).
MAX_NUMBER = 1e12

#: Quantities a condition may read, with the number of country arguments they take.
METRICS: dict[str, int] = {
    "step": 0,
    "regional_tension": 0,
    "polarization": 0,
    "hedgers": 0,
    "us_credibility": 0,
    "incidents": 0,
    "max_escalation": 0,
    "tension": 2,
    "escalation": 2,
    "alignment": 1,
    "threat": 1,
    "milex": 1,
}

_GRAMMAR = r"""
?start: disjunction
?disjunction: conjunction ("or" conjunction)*   -> any_of
?conjunction: negation ("and" negation)*        -> all_of
?negation: "not" negation                       -> negate
         | comparison
         | "(" disjunction ")"
comparison: operand COMPARATOR operand
?operand: NUMBER                                -> number
        | NAME "(" NAME ("," NAME)* ")"          -> call
        | NAME                                  -> name
COMPARATOR: "<=" | ">=" | "==" | "!=" | "<" | ">"
NAME: /[A-Za-z_][A-Za-z0-9_]*/
NUMBER: /[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?/
%ignore /[ \t]+/
"""

_COMPARE: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}

Lookup = Callable[[str, tuple[str, ...]], np.ndarray]


class ConditionError(ValueError):
    """A condition that does not parse, or names something unknown."""


@dataclass(frozen=True)
class Quantity:
    """A model quantity such as ``tension(CHN, PHL)``."""

    metric: str
    args: tuple[str, ...]

    def evaluate(self, lookup: Lookup) -> np.ndarray:
        """Read the quantity's current value per replicate."""
        return np.asarray(lookup(self.metric, self.args), dtype=float)


@dataclass(frozen=True)
class Constant:
    """A number or escalation level."""

    value: float

    def evaluate(self, lookup: Lookup) -> np.ndarray:
        """Return the constant (broadcasts against quantities)."""
        return np.asarray(self.value)


@dataclass(frozen=True)
class Comparison:
    """``left OP right``."""

    left: Quantity | Constant
    op: str
    right: Quantity | Constant

    def evaluate(self, lookup: Lookup) -> np.ndarray:
        """Compare per replicate."""
        return _COMPARE[self.op](self.left.evaluate(lookup), self.right.evaluate(lookup))


@dataclass(frozen=True)
class Combination:
    """``all`` (and), ``any`` (or) or ``not`` over sub-conditions."""

    mode: str
    parts: tuple[Condition, ...]

    def evaluate(self, lookup: Lookup) -> np.ndarray:
        """Combine the parts per replicate."""
        values = [part.evaluate(lookup) for part in self.parts]
        if self.mode == "not":
            return np.logical_not(values[0])
        combine = np.logical_and if self.mode == "all" else np.logical_or
        result = values[0]
        for value in values[1:]:
            result = combine(result, value)
        return result


Condition = Comparison | Combination


def _known_metric(name: str, arity: int) -> None:
    if name not in METRICS:
        close = difflib.get_close_matches(name, list(METRICS) + list(LEVEL_VALUES), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        shown = shorten(name, 30)
        raise ConditionError(f"unknown quantity {shown!r}{hint} (known: {', '.join(METRICS)})")
    if METRICS[name] != arity:
        want = METRICS[name]
        form = f"{name}({', '.join(['XXX'] * want)})" if want else name
        raise ConditionError(f"{name} takes {want} country code(s): write {form}")


@v_args(inline=True)
class _Build(Transformer):
    def number(self, token: Token) -> Constant:
        value = float(token)
        if not math.isfinite(value) or abs(value) > MAX_NUMBER:
            raise ConditionError(
                f"the number {shorten(str(token), 20)} is too large; conditions compare with "
                f"numbers up to {MAX_NUMBER:g}"
            )
        return Constant(value)

    def name(self, token: Token) -> Quantity | Constant:
        if str(token) in LEVEL_VALUES:
            return Constant(float(LEVEL_VALUES[str(token)]))
        _known_metric(str(token), 0)
        return Quantity(str(token), ())

    def call(self, token: Token, *args: Token) -> Quantity:
        _known_metric(str(token), len(args))
        codes = country_codes()
        for arg in args:
            if str(arg) not in codes:
                alias = alias_hint(str(arg))  # ROK: South Korea's, not the closest spelling's
                close = difflib.get_close_matches(str(arg).upper(), codes, n=1)
                hint = f"; did you mean {close[0]}?" if close and len(arg) < 20 else ""
                hint = f"; {alias}" if alias else hint
                raise ConditionError(f"unknown country code {shorten(str(arg), 20)!r}{hint}")
        if len(args) == 2 and args[0] == args[1]:
            raise ConditionError(f"{token}() needs two different countries")
        return Quantity(str(token), tuple(str(a) for a in args))

    def comparison(self, left: Quantity | Constant, op: Token, right: Quantity | Constant):
        if isinstance(left, Constant) and isinstance(right, Constant):
            raise ConditionError("a comparison needs at least one model quantity")
        return Comparison(left, str(op), right)

    def all_of(self, *parts: Condition) -> Condition:
        return parts[0] if len(parts) == 1 else Combination("all", parts)

    def any_of(self, *parts: Condition) -> Condition:
        return parts[0] if len(parts) == 1 else Combination("any", parts)

    def negate(self, part: Condition) -> Combination:
        return Combination("not", (part,))


@cache
def _parser() -> Lark:
    return Lark(_GRAMMAR, parser="lalr", maybe_placeholders=False)


@cache
def parse_condition(text: str) -> Condition:
    """Parse a condition into an evaluable tree.

    Args:
        text: The condition, e.g. ``"tension(CHN, PHL) > 0.6 and step >= 12"``.

    Returns:
        The parsed condition.

    Raises:
        ConditionError: With the column of a syntax error, or the unknown name and a suggestion.
    """
    if len(text) > 2000:
        raise ConditionError("condition is longer than 2000 characters")
    try:
        tree = _parser().parse(text)
        result = _Build().transform(tree)
    except UnexpectedToken as exc:
        if exc.token.type == "$END":
            raise ConditionError(
                "the condition ends too early: expected a comparison such as "
                "'tension(CHN, PHL) > 0.6' or 'step >= 12'"
            ) from None
        raise ConditionError(
            f"syntax error at column {exc.column}: expected a comparison such as "
            "'tension(CHN, PHL) > 0.6', joined with and/or/not"
        ) from None
    except UnexpectedCharacters as exc:
        raise ConditionError(
            f"syntax error at column {exc.column}: expected a comparison such as "
            "'tension(CHN, PHL) > 0.6', joined with and/or/not"
        ) from None
    except UnexpectedEOF:
        raise ConditionError("the condition ends too early: an operand is missing") from None
    except VisitError as exc:
        raise ConditionError(str(exc.orig_exc)) from None
    except LarkError as exc:
        raise ConditionError(str(exc)) from None
    except RecursionError:
        raise ConditionError("the condition is nested too deeply") from None
    return result


def quantities(condition: Condition) -> list[Quantity]:
    """Return every model quantity a condition reads (for validation and docs)."""
    if isinstance(condition, Comparison):
        return [side for side in (condition.left, condition.right) if isinstance(side, Quantity)]
    return [q for part in condition.parts for q in quantities(part)]
