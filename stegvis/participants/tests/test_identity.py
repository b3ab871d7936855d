"""Parsing personnummer and samordningsnummer: accepted forms, derived facts, every error."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st
from stdnum import luhn

from stegvis.core.codes import Gender
from stegvis.participants.identity import parse_national_id
from stegvis.participants.tests.conftest import national_id

TODAY = date(2026, 11, 22)


def parse(raw: str):
    return parse_national_id(raw, today=TODAY)


def error_of(raw: str) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        parse(raw)
    return caught.value


def ten(head: str, serial: str) -> str:
    """A 10-digit number YYMMDD-NNNC with a correct check digit."""
    return f"{head}-{serial}{luhn.calc_check_digit(head + serial)}"


# --- Accepted forms ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "19900101-2385",  # 12 digits with separator
        "199001012385",  # 12 digits without
        "900101-2385",  # 10 digits with separator
        "9001012385",  # 10 digits without
        " 900101 - 2385 ",  # spaces are ignored
    ],
)
def test_every_form_of_the_same_number_parses_to_one_canonical_form(raw):
    assert national_id("19900101") == "19900101-2385"
    parsed = parse(raw)
    assert parsed.canonical == "19900101-2385"
    assert parsed.birth_date == date(1990, 1, 1)
    assert parsed.gender == Gender.KVINNA
    assert parsed.coordination is False
    assert parsed.kind == "personnummer"


def test_ten_digits_take_the_latest_century_that_is_not_in_the_future():
    # 27 is after 2026: born 1927. 26-11-21 is yesterday: born 2026.
    assert parse(ten("270101", "238")).birth_date == date(1927, 1, 1)
    assert parse(ten("261121", "238")).birth_date == date(2026, 11, 21)
    assert parse(ten("000101", "238")).birth_date == date(2000, 1, 1)


def test_ten_digits_born_later_this_year_a_century_ago():
    assert parse(ten("261215", "238")).birth_date == date(1926, 12, 15)


def test_plus_sign_means_a_hundred_years_or_more():
    number = ten("201231", "238")
    assert number == "201231-2381"
    assert parse(number).birth_date == date(2020, 12, 31)
    older = parse(number.replace("-", "+"))
    assert older.birth_date == date(1920, 12, 31)
    assert older.canonical == "19201231-2381"


def test_samordningsnummer_has_sixty_added_to_the_day():
    number = ten("900161", "238")
    assert number == "900161-2382"
    parsed = parse(number)
    assert parsed.coordination is True
    assert parsed.kind == "samordningsnummer"
    assert parsed.birth_date == date(1990, 1, 1)
    # The canonical form keeps the day as written: it is the number, not the birth date.
    assert parsed.canonical == "19900161-2382"
    assert parse("19900161-2382").canonical == "19900161-2382"


@pytest.mark.parametrize(
    ("serial", "gender"),
    [("230", Gender.KVINNA), ("231", Gender.MAN), ("248", Gender.KVINNA), ("259", Gender.MAN)],
)
def test_gender_comes_from_the_second_to_last_digit(serial, gender):
    number = national_id("19900101", serial)
    assert number[-2] == serial[-1]
    assert parse(number).gender == gender


# --- Errors ------------------------------------------------------------------------------------


def test_wrong_check_digit():
    error = error_of("19900101-2386")
    assert error.code == "checksum"
    assert error.messages == ["Kontrollsiffran stämmer inte. Kontrollera numret."]


@pytest.mark.parametrize(
    ("raw", "part"),
    [
        ("19901301-2385", "901301"),  # month 13
        ("901301-2385", "901301"),
        ("19900230-2385", "900230"),  # 30 February
        ("19900100-2385", "900100"),  # day 0
        ("19900192-2385", "900192"),  # samordningsnummer day 32
    ],
)
def test_impossible_date_names_the_date_part(raw, part):
    error = error_of(raw)
    assert error.code == "date"
    assert error.messages == [f"Datumdelen {part} är inget giltigt datum."]


@pytest.mark.parametrize(
    ("raw", "count"), [("90010123851", 11), ("9001012", 7), ("1990010123851", 13)]
)
def test_wrong_number_of_digits_says_how_many(raw, count):
    error = error_of(raw)
    assert error.code == "length"
    assert error.messages == [
        f"Numret ska ha 10 eller 12 siffror (ÅÅMMDD-NNNN eller ÅÅÅÅMMDD-NNNN), inte {count}."
    ]


def test_eleven_digits():
    assert "inte 11" in error_of("90010123851").messages[0]


@pytest.mark.parametrize("raw", ["90010A-2385", "19900101-238X", "900101/2385", "ett nummer"])
def test_letters_and_other_signs(raw):
    error = error_of(raw)
    assert error.code == "format"
    assert error.messages == ["Numret får bara innehålla siffror och bindestreck eller plustecken."]


def test_future_birth_date():
    number = national_id("20301212")
    error = error_of(number)
    assert error.code == "future"
    assert error.messages == ["Födelsedatumet ligger i framtiden."]


def test_plus_sign_with_twelve_digits():
    error = error_of("19201231+2381")
    assert error.code == "format"
    assert error.messages == ["Plustecken används bara i den tiosiffriga formen (ÅÅMMDD+NNNN)."]


@pytest.mark.parametrize("raw", ["", "   ", None])
def test_empty(raw):
    error = error_of(raw)
    assert error.code == "required"
    assert error.messages == ["Ange ett personnummer eller samordningsnummer."]


# --- Any text ----------------------------------------------------------------------------------

number_like = st.from_regex(r"\A[0-9]{6,8}[-+ ]?[0-9]{3,5}\Z") | st.from_regex(
    r"\A[0-9+\- ]{0,16}\Z"
)


@given(st.one_of(st.text(), number_like))
def test_any_text_parses_or_is_refused_with_a_validation_error(raw):
    try:
        parsed = parse(raw)
    except ValidationError as error:
        assert error.messages and all(isinstance(m, str) and m for m in error.messages)
        return
    assert re.fullmatch(r"[0-9]{8}-[0-9]{4}", parsed.canonical)
    assert parsed.birth_date <= TODAY
    assert parsed.gender in {Gender.KVINNA, Gender.MAN}
    # Parsing the canonical form gives the same person.
    assert parse(parsed.canonical) == parsed
