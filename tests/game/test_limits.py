"""What a browser may put into a game: texts of bounded length, numbers by the scenario rule."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.game.limits import MAX_NUMBER_TEXT, MAX_TEXT, bounded, plain_move, plain_number
from sim.scenario.moves import Move, MoveError
from sim.scenario.problems import ScenarioError
from sim.scenario.yaml_io import parse_document

# -------------------------------------------------------------------------------------------
# Numbers: plain ASCII decimal, as in scenario files


def _as_in_a_scenario(text: str) -> float | None:
    """The number a scenario file would read from ``value: <text>`` (None: not a number)."""
    try:
        data, _, _ = parse_document(f"value: {text}\n", "typed.yaml")
    except ScenarioError:  # YAML would read another number than written: refused
        return None
    value = data["value"]
    number = isinstance(value, int | float) and not isinstance(value, bool)
    return float(value) if number and math.isfinite(value) else None


#: What people type in a number field, and what YAML 1.1 or Python would read otherwise.
TYPED = st.text(alphabet="0123456789+-._eEx:٣ ", max_size=12) | st.sampled_from(
    ["1_0", "0x10", "010", ".5", "-.5", "1.", "1.e+3", "1.5e-3", "1e3", ".nan", "-.inf", "1:30"]
)


@given(TYPED)
def test_a_typed_number_is_read_exactly_as_a_scenario_file_reads_it(text: str) -> None:
    expected = _as_in_a_scenario(text)
    try:
        got = plain_number(text, "Funding")
    except MoveError:
        got = None
    assert got == expected


@given(st.integers(-(10**12), 10**12))
def test_a_whole_number_in_decimal_digits_reads_as_itself(number: int) -> None:
    assert plain_number(str(number), "Months") == number
    assert plain_number(f"  {number} ", "Months") == number


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12))
def test_a_decimal_fraction_reads_as_itself(number: float) -> None:
    written = f"{number:.6f}"
    assert plain_number(written, "Presence") == float(written)


#: Digits of other scripts: Python's float() reads them ("٣" as 3), scenario files do not.
OTHER_DIGITS = st.characters(categories=["Nd"]).filter(lambda c: not "0" <= c <= "9")


@given(digit=OTHER_DIGITS, before=st.sampled_from(["", "1", "-"]))
def test_digits_of_other_scripts_are_refused(digit: str, before: str) -> None:
    with pytest.raises(MoveError, match="plain decimal digits"):
        plain_number(before + digit, "Funding")


@pytest.mark.parametrize(
    "text",
    ["1_0", "0x10", "0o17", "0b11", "010", "1e400", "1e3", "1.0e+400", "nan", "NaN", ".nan",
     "inf", "-inf", ".inf", "Infinity", "1:30", "1,5", "٣", "１２", "½", "²", "3 4", "5\n6", "--1",
     "+", ".", "", "   ", "ten"],
)  # fmt: skip
def test_what_yaml_or_python_would_read_otherwise_is_refused_saying_what_is_expected(
    text: str,
) -> None:
    with pytest.raises(MoveError) as caught:
        plain_number(text, "Funding")
    message = str(caught.value)
    assert message.startswith("Funding: ") and "\n" not in message
    assert "number" in message


def test_the_message_names_the_text_and_gives_an_example() -> None:
    with pytest.raises(MoveError) as caught:
        plain_number("1_0", "Exercises a year")
    assert str(caught.value) == (
        "Exercises a year: a number in plain decimal digits, such as 12 or 0.5, not '1_0'"
    )


def test_a_number_too_long_to_be_typed_is_refused_without_echoing_it() -> None:
    with pytest.raises(MoveError) as caught:
        plain_number("1" * (MAX_NUMBER_TEXT + 1), "Funding")
    assert "1" * 20 not in str(caught.value)


def test_a_moves_typed_numbers_are_read_by_the_rule_and_the_rest_left_as_it_is() -> None:
    move = Move(
        "exercises", {"actor": "USA", "partners": ["PHL"], "per_year": " 4 ", "months": "12"}
    )
    assert plain_move(move).params == {
        "actor": "USA",
        "partners": ["PHL"],
        "per_year": 4.0,
        "months": 12.0,
    }
    blank = Move("exercises", {**move.params, "months": ""})
    assert plain_move(blank).params["months"] == ""  # a blank month runs to the end
    with pytest.raises(MoveError, match="Months: a number in plain decimal digits"):
        plain_move(Move("exercises", {**move.params, "months": "1_2"}))
    assert math.isclose(
        plain_move(Move("exercises", {**move.params, "per_year": 2.5})).params["per_year"], 2.5
    )


# -------------------------------------------------------------------------------------------
# Texts


def test_a_moves_text_field_is_bounded_too() -> None:
    params = {"actor": "USA", "partners": ["PHL"], "value_usd_m": "20"}
    assert plain_move(Move("arms_transfer", {**params, "item": "a cutter"})).params["item"] == (
        "a cutter"
    )
    with pytest.raises(MoveError, match=r"^What is delivered: at most 200 characters"):
        plain_move(Move("arms_transfer", {**params, "item": "x" * 1_000_000}))


def test_a_text_of_at_most_the_limit_is_kept_and_a_longer_one_refused_in_one_line() -> None:
    assert bounded("x" * MAX_TEXT, "Rationale", MAX_TEXT) == "x" * MAX_TEXT
    with pytest.raises(MoveError) as caught:
        bounded("x" * 2_000_000, "Rationale", MAX_TEXT)
    assert str(caught.value) == "Rationale: at most 2,000 characters (this one has 2,000,000)"
