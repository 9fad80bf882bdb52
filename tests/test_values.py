"""Values as people type them (property-based for numbers)."""

from __future__ import annotations

import contextlib
import math
from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from climate_contract.contract import SHEETS
from climate_contract.parse.sheets import read_rows
from climate_contract.parse.values import (
    CellError,
    code_reader,
    is_blank,
    serial_date,
    to_boolean,
    to_decimal,
    to_integer,
)

amounts = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False)


def _french(amount, grouping: str) -> str:
    whole, cents = f"{amount:,.2f}".split(".")
    return whole.replace(",", grouping) + "," + cents


@given(amounts, st.sampled_from([" ", "\u00a0", "\u202f", ".", ""]))
def test_french_numbers_read_back(amount, grouping: str) -> None:
    assert to_decimal(_french(amount, grouping)) == pytest.approx(float(amount))


@given(amounts)
def test_english_numbers_and_euro_signs_read_back(amount) -> None:
    assert to_decimal(f"{amount:.2f}") == pytest.approx(float(amount))
    assert to_decimal(f"{amount:,.2f}") == pytest.approx(float(amount))
    assert to_decimal(f"{_french(amount, ' ')} €") == pytest.approx(float(amount))


@given(st.integers(min_value=1, max_value=999), st.sampled_from(["k€", "K€", "k", " k€"]))
def test_thousands_suffix_multiplies(number: int, suffix: str) -> None:
    assert to_decimal(f"{number}{suffix}") == number * 1000


@given(st.integers(min_value=1, max_value=99), st.integers(min_value=0, max_value=9))
def test_millions_suffix_with_a_decimal_comma(units: int, tenths: int) -> None:
    assert to_decimal(f"{units},{tenths} M€") == pytest.approx((units + tenths / 10) * 1e6)


@given(
    st.integers(min_value=0, max_value=10**6),
    st.integers(min_value=0, max_value=10**6),
    st.sampled_from(["{a}-{b}", "{a} - {b}", "Entre {a} et {b}", "{a} à {b}", "{a}\u2013{b}"]),
)
def test_a_range_is_never_guessed(a: int, b: int, pattern: str) -> None:
    with pytest.raises(CellError) as refused:
        to_decimal(pattern.format(a=a, b=b))
    assert "fourchette" in refused.value.expected.fr


@given(st.text(max_size=30))
def test_any_text_is_a_number_or_a_clear_refusal(text: str) -> None:
    with contextlib.suppress(CellError):
        assert isinstance(to_decimal(text), float)


@pytest.mark.parametrize("typed", ["-", "N/A", "nc", "", "  ", None, "néant"])
def test_no_value_markers_are_blank(typed) -> None:
    assert is_blank(typed)


@pytest.mark.parametrize(
    "typed",
    [
        "14/12/2026",
        "2026-12-14",
        "12/2026",
        "2026",
        2026,
        2026.0,
        date(2026, 12, 14),
        datetime(2026, 12, 14, 0, 0),
    ],
)
def test_a_year_is_read_from_any_date_form(typed) -> None:
    assert to_integer(typed) == 2026


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("oui", True),
        ("NON", False),
        ("Vrai", True),
        ("faux", False),
        ("TRUE", True),
        ("False", False),
        ("x", True),
        ("1", True),
        (0, False),
        (1.0, True),
    ],
)
def test_booleans_as_typed(typed, expected: bool) -> None:
    assert to_boolean(typed) is expected


def test_codes_forgive_case_accents_spaces_and_plurals_and_say_so(reference) -> None:
    read_status = code_reader(reference.code_lists["status"])

    assert read_status("En cours").value == "en_cours"
    assert read_status("En cours").note is None
    for typed in ("en cours ", "EN COURS", "engagees", "Réalisées", "realisée"):
        reading = read_status(typed)
        assert reading.value in {"en_cours", "engagee", "realisee"}
        assert reading.note.fr.startswith(f"« {typed} » a été lu comme « ")
        assert reading.note.en.startswith(f'"{typed}" was read as "')
    unknown = read_status("suspendue")
    assert (unknown.value, unknown.note) == ("suspendue", None)


@pytest.mark.parametrize(
    ("typed", "year"),
    [("03/04/26", 2026), ("12/31/29", 2029), ("1.2.26", 2026), ("14-12-15", 2015)],
)
def test_a_two_digit_year_comes_last_and_is_read_in_the_2000s(typed: str, year: int) -> None:
    assert to_integer(typed) == year


@pytest.mark.parametrize("typed", ["1,234", "1.234", "12,500", "999.000", "-1,234", "3,500 k€"])
def test_one_separator_before_three_digits_is_refused_never_guessed(typed: str) -> None:
    with pytest.raises(CellError) as refused:
        to_decimal(typed)
    digits = typed.lstrip("-").split()[0]
    whole = digits.replace(",", "").replace(".", "")
    assert whole in refused.value.expected.fr
    assert whole in refused.value.expected.en


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("1,5", 1.5),
        ("1,25", 1.25),
        ("0,125", 0.125),
        ("1234,567", 1234.567),
        ("1 234", 1234),
        ("1.234,5", 1234.5),
        ("1,234.50", 1234.5),
        ("1.234.567", 1234567),
    ],
)
def test_numbers_that_can_be_read_one_way_only_are_read(typed: str, amount: float) -> None:
    assert to_decimal(typed) == pytest.approx(amount)


@pytest.mark.parametrize(
    ("stored", "read"),
    [
        # What a spreadsheet shows in General format for 16/11/2022 and 31/12/2060.
        (44881.0, date(2022, 11, 16)),
        (58440, date(2059, 12, 31)),
        (2026, 2026),
        (2026.0, 2026.0),
        ("44881", "44881"),
        (True, True),
        (12.5, 12.5),
    ],
)
def test_a_serial_number_in_a_date_column_is_its_date(stored, read) -> None:
    assert serial_date(stored) == read


@pytest.mark.parametrize(
    ("sheet_name", "column_name", "typed", "rule"),
    [
        ("investments", "amount_eur", "100000000001", "montant_demesure"),
        ("investments", "amount_eur", 1e308, "montant_demesure"),
        ("investments", "amount_eur", float("inf"), "nombre_invalide"),
        ("investments", "amount_eur", float("nan"), "erreur_de_calcul"),
        ("investments", "amount_eur", "#DIV/0!", "erreur_de_calcul"),
        ("impacts", "value", " #VALEUR! ", "erreur_de_calcul"),
        ("actions", "title", "#N/A", "erreur_de_calcul"),
        ("impacts", "first_full_year", "Err:502", "erreur_de_calcul"),
        ("investments", "amount_eur", "-0.01", "positif"),
        ("impacts", "value", "1000000000001", "valeur_demesuree"),
        ("impacts", "value", "-1", "positif"),
        ("impacts", "first_full_year", "2061", "annee_plausible"),
        ("investments", "year", "2014", "annee_plausible"),
        ("investments", "amount_eur", "-1", "positif"),
        ("impacts", "value", 1e15, "valeur_demesuree"),
        ("actions", "end_year", "99999999", "annee_plausible"),
        ("actions", "start_year", "2014", "annee_plausible"),
        ("actions", "start_year", "2061", "annee_plausible"),
    ],
)
def test_a_number_outside_its_bounds_is_a_finding_never_a_value_passed_on(
    sheet_name: str, column_name: str, typed: object, rule: str, reference
) -> None:
    sheet = next(sheet for sheet in SHEETS if sheet.name == sheet_name)
    position = [column.name for column in sheet.columns].index(column_name)
    row = [None] * len(sheet.columns)
    row[position] = typed
    findings: list = []
    positions = {column.name: index for index, column in enumerate(sheet.columns)}

    parsed = read_rows("Feuille", 1, [(2, row)], positions, {}, sheet, reference, findings)

    assert [(f.rule, f.row) for f in findings] == [(rule, 2)]
    kept = parsed.table[column_name][0].as_py()
    assert kept is None or math.isfinite(kept)


@pytest.mark.parametrize(
    ("sheet_name", "column_name", "typed"),
    [
        ("investments", "amount_eur", "100000000000"),
        ("investments", "amount_eur", "0"),
        ("impacts", "value", "1000000000000"),
        ("impacts", "value", "0"),
        ("impacts", "first_full_year", "2060"),
        ("investments", "year", "2015"),
        ("actions", "start_year", "2015"),
        ("actions", "end_year", "2060"),
    ],
)
def test_a_number_at_its_bounds_is_read(
    sheet_name: str, column_name: str, typed: str, reference
) -> None:
    sheet = next(sheet for sheet in SHEETS if sheet.name == sheet_name)
    positions = {column.name: index for index, column in enumerate(sheet.columns)}
    row = [None] * len(sheet.columns)
    row[positions[column_name]] = typed
    findings: list = []

    read_rows("Feuille", 1, [(2, row)], positions, {}, sheet, reference, findings)

    assert findings == []
