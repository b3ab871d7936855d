"""What counts as personal data in a report's text, and what does not."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from stegvis.deviations import screening
from stegvis.participants.tests.conftest import national_id

TODAY = date(2026, 11, 27)


@pytest.mark.parametrize(
    "text",
    [
        f"Personen med nummer {national_id('19900315', '123')} fick avslag.",
        f"Pnr {national_id('19900315', '123')[2:]} nämndes",  # 10 digits with hyphen
        f"{national_id('19900315', '123').replace('-', '')} i texten",  # 12 digits, no hyphen
        f"nr {national_id('19900375', '123')}",  # a samordningsnummer: day + 60
        f"född {national_id('19900315', '123')[2:8]} {national_id('19900315', '123')[-4:]}",
    ],
)
def test_a_national_id_is_found(text):
    assert screening.has_national_id(text, TODAY)


@pytest.mark.parametrize(
    "text",
    [
        "199003151230 har fel kontrollsiffra",  # Luhn fails
        "Mötet var 2026-03-05 och 2026-04-01.",
        "Ärendet tog 1234 dagar, ungefär 20260305 sekunder.",
        "Diarienummer 2026-1234",
        "",
    ],
)
def test_no_national_id_where_there_is_none(text):
    if "kontrollsiffra" in text:
        digits = national_id("19900315", "123").replace("-", "")
        wrong = digits[:-1] + str((int(digits[-1]) + 1) % 10)
        text = text.replace("199003151230", wrong)
    assert not screening.has_national_id(text, TODAY)


@pytest.mark.parametrize(
    "text",
    [
        "Ring 070-123 45 67",
        "tel 0701234567",
        "växeln 08-123 456 78",
        "+46 70 123 45 67",
        "0046701234567",
        "063-14 15 16",
    ],
)
def test_a_phone_number_is_found(text):
    assert screening.has_phone_number(text)


@pytest.mark.parametrize(
    "text",
    [
        "Mötet var 2026-03-05.",
        "Väntetiden var 0,5 år och 120 dagar.",
        "Tre av 10 personer.",
        "Beslutet 2026-1234 kom.",
    ],
)
def test_no_phone_number_where_there_is_none(text):
    assert not screening.has_phone_number(text)


def test_an_email_address_is_found():
    assert screening.has_email("Skriv till handlaggare.namn@kommun.se om detta")
    assert not screening.has_email("Skriv till handläggaren @ kommunen")


def test_each_problem_names_its_field_and_says_why():
    text = f"Sara {national_id('19900315', '123')}, 070-123 45 67, sara@example.se"
    found = screening.problems("Vad hände", text, TODAY)
    assert found == [
        "”Vad hände” innehåller något som ser ut som ett personnummer eller samordningsnummer. "
        "Ta bort det: en rapport beskriver en situation, aldrig en person.",
        "”Vad hände” innehåller något som ser ut som ett telefonnummer. Ta bort det: ingen ska "
        "kunna identifieras i en rapport.",
        "”Vad hände” innehåller en e-postadress. Ta bort den: ingen ska kunna identifieras i en "
        "rapport.",
    ]


def test_check_raises_by_field():
    with pytest.raises(ValidationError) as info:
        screening.check({"a": ("Fält A", "ok"), "b": ("Fält B", "x@y.se")}, TODAY)
    assert set(info.value.message_dict) == {"b"}
