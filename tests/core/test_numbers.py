"""One number reader for every importer: the locale rule as a parameter (core.numbers)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from convivencia.core.numbers import AmbiguousNumber, parse_integer, parse_number
from convivencia.evidence.importers.interventions import parse_amount
from convivencia.indicators.importers.tidy import parse_value


@pytest.fixture
def english():
    """Messages are asserted in English, whatever LANGUAGE_CODE says."""
    with translation.override("en"):
        yield


# (decimal separator, thousands separator) of the locales publishers write in.
LOCALES = [(",", "."), (".", ","), (",", " "), (".", " "), (",", "\u00a0"), (".", "'")]


def written(number: Decimal, decimal: str, thousands: str) -> str:
    """``number`` as a publisher in that locale writes it: grouped by threes."""
    sign = "-" if number < 0 else ""
    integer, _point, fraction = f"{abs(number):f}".partition(".")
    groups = []
    while len(integer) > 3:
        groups.insert(0, integer[-3:])
        integer = integer[:-3]
    grouped = thousands.join([integer, *groups])
    return f"{sign}{grouped}{decimal}{fraction}" if fraction else f"{sign}{grouped}"


numbers = st.decimals(
    min_value=Decimal("-1e12"),
    max_value=Decimal("1e12"),
    places=3,
    allow_nan=False,
    allow_infinity=False,
)


@given(number=numbers, locale=st.sampled_from(LOCALES))
def test_a_number_written_in_a_locale_reads_back_as_itself(number, locale):
    decimal, thousands = locale
    assert parse_number(written(number, decimal, thousands), decimal=decimal) == number


@given(number=st.integers(min_value=-(10**15), max_value=10**15), locale=st.sampled_from(LOCALES))
def test_a_whole_number_written_in_a_locale_reads_back_as_itself(number, locale):
    decimal, thousands = locale
    text = written(Decimal(number), decimal, thousands)
    assert parse_number(text, decimal=decimal, whole=True) == number
    assert parse_integer(text) == number


@given(number=numbers, locale=st.sampled_from(LOCALES))
def test_auto_reads_a_number_or_refuses_it_as_ambiguous_naming_both_readings(number, locale):
    text = written(number, *locale)
    try:
        value = parse_number(text, decimal="auto")
    except AmbiguousNumber as ambiguous:
        assert number in (ambiguous.thousands, ambiguous.decimal)
        return
    assert value == number


@given(number=numbers, locale=st.sampled_from(LOCALES))
def test_auto_with_a_documented_rule_never_refuses_a_well_written_number(number, locale):
    text = written(number, *locale)
    as_thousands = parse_number(text, decimal="auto", ambiguous="thousands")
    as_decimal = parse_number(text, decimal="auto", ambiguous="decimal")
    assert number in (as_thousands, as_decimal)


@pytest.mark.parametrize(
    ("text", "thousands", "decimal"),
    [
        ("1.200", 1200, Decimal("1.2")),
        ("1,200", 1200, Decimal("1.2")),
        ("-1.200", -1200, Decimal("-1.2")),
    ],
)
def test_a_lone_separator_before_three_digits_is_decided_by_the_rule(text, thousands, decimal):
    assert parse_number(text, decimal="auto", ambiguous="thousands") == thousands
    assert parse_number(text, decimal="auto", ambiguous="decimal") == decimal
    with pytest.raises(AmbiguousNumber):
        parse_number(text, decimal="auto")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.200,5", Decimal("1200.5")),
        ("1,200.5", Decimal("1200.5")),
        ("12,5", Decimal("12.5")),
        ("0.123", Decimal("0.123")),
        ("1.200.000", 1200000),
        (" 1 200 ", 1200),
        ("1'200'000", 1200000),
        ("\u22123", -3),
        ("+7", 7),
    ],
)
def test_a_value_that_shows_its_separator_needs_no_rule(text, expected):
    assert parse_number(text, decimal="auto") == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "  ",
        "-",
        "N/A",
        "n.d.",
        "(12)",
        "12%",
        "1e3",
        "NaN",
        "inf",
        "1 2",
        "12 34",
        "1.2.3,4,5",
        "1..2",
        ",5,",
        "٠٥",
        "12-",
    ],
)
def test_what_is_not_a_number_is_refused_with_a_message(text):
    for decimal in (",", ".", "auto"):
        with pytest.raises(ValueError) as refused:
            parse_number(text, decimal=decimal, ambiguous="thousands")
        assert str(refused.value)


@pytest.mark.parametrize(("text", "decimal"), [("1,200.5", ","), ("1.200,5", "."), ("1.20", ",")])
def test_a_number_written_against_the_files_rule_is_refused(english, text, decimal):
    with pytest.raises(ValueError, match="for decimals"):
        parse_number(text, decimal=decimal)


def test_a_fraction_is_refused_where_a_whole_number_is_expected_not_a_spreadsheet_float(english):
    assert parse_number("2015.0", decimal="auto", whole=True) == 2015
    with pytest.raises(ValueError, match="not a whole number"):
        parse_number("12,5", decimal="auto", whole=True)


def test_an_unknown_rule_is_a_programming_error():
    with pytest.raises(TypeError):
        parse_number("1", decimal=";")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        parse_number("1", decimal="auto", ambiguous="guess")  # type: ignore[arg-type]


# --- each caller's rule, as it was before the readers became one --------------------------


def test_a_dane_population_of_1_200_is_1200_not_1_2():
    assert parse_integer("1.200") == 1200
    assert parse_integer("1,200") == 1200


def test_a_space_that_groups_nothing_is_refused_not_read_as_one_number(english):
    # The old integer reader read "1 2" as 12: a population or a crime count made up.
    for text in ("1 2", "12 5", "1 2345"):
        with pytest.raises(ValueError, match="not a whole number"):
            parse_integer(text)


def test_an_area_keeps_the_dane_rule_that_a_lone_separator_is_decimal():
    assert parse_number("374.831", decimal="auto", ambiguous="decimal") == Decimal("374.831")
    assert parse_number("374,831", decimal="auto", ambiguous="decimal") == Decimal("374.831")


def test_a_tidy_value_is_thousands_in_a_count_and_refused_where_decimals_are_possible(english):
    assert parse_value("1.234", None, whole=True) == 1234
    with pytest.raises(ValueError, match=r"ambiguous: 1234 or 1\.234"):
        parse_value("1.234", None, whole=False)
    assert parse_value("1.234", ",", whole=False) == 1234


def test_a_budgets_lone_separator_is_thousands_in_a_two_decimal_currency_only(english):
    assert parse_amount("$ 1.200", "COP") == 1200
    assert parse_amount("1.200.000,50 COP", "COP") == Decimal("1200000.50")
    with pytest.raises(ValueError, match="ambiguous"):
        parse_amount("1.200", "KWD")
    with pytest.raises(ValueError, match="ambiguous"):
        parse_amount("1,200")
    with pytest.raises(ValueError, match="negative"):
        parse_amount("-5", "USD")
    with pytest.raises(ValueError, match="not an amount"):
        parse_amount("mucho", "USD")
