"""One date reader for every importer: the day order as a parameter (core.dates)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from convivencia.core.dates import parse_date, parse_month
from convivencia.core.reading import read_grid
from convivencia.core.reading.bounded import cell_text
from tests.datafiles import shared_data

days = st.dates(min_value=datetime.date(1900, 3, 1), max_value=datetime.date(2100, 12, 31))


@pytest.fixture
def english():
    with translation.override("en"):
        yield


@given(day=days, day_first=st.booleans())
def test_an_iso_date_or_a_workbooks_date_cell_reads_back_whatever_the_order(day, day_first):
    assert parse_date(day.isoformat(), day_first=day_first) == day
    moment = datetime.datetime.combine(day, datetime.time())
    assert parse_date(cell_text(moment), day_first=day_first) == day


@given(day=days)
def test_a_slashed_date_reads_back_in_the_order_it_was_written(day):
    assert parse_date(day.strftime("%d/%m/%Y"), day_first=True) == day
    assert parse_date(day.strftime("%m/%d/%Y"), day_first=False) == day
    assert parse_date(f"{day.day}/{day.month}/{day.year} 00:00", day_first=True) == day


@given(day=st.dates(min_value=datetime.date(1902, 9, 26), max_value=datetime.date(2100, 12, 31)))
def test_an_excel_serial_number_reads_back_as_its_date(day):
    # Four to six digits, as a date cell saved as a number has: 1000 is 1902-09-26.
    serial = (day - datetime.date(1899, 12, 30)).days
    assert parse_date(str(serial), day_first=True) == day
    assert parse_date(f"{serial}.0", day_first=False) == day


def test_the_day_order_decides_a_date_both_orders_could_read():
    assert parse_date("03/04/2023", day_first=True) == datetime.date(2023, 4, 3)
    assert parse_date("03/04/2023", day_first=False) == datetime.date(2023, 3, 4)


@pytest.mark.parametrize("text", ["22/03/2023", "13/13/2023", "31/02/2023"])
def test_a_date_impossible_in_the_files_order_is_refused(english, text):
    with pytest.raises(ValueError, match="is not a date"):
        parse_date(text, day_first=False) if text == "22/03/2023" else parse_date(
            text, day_first=True
        )


@pytest.mark.parametrize("text", ["", "mañana", "2023-02-30", "45009,5", "12", "-45009"])
def test_what_is_not_a_date_is_refused_with_a_message(english, text):
    with pytest.raises(ValueError) as refused:
        parse_date(text, day_first=True)
    assert "date" in str(refused.value)


def test_a_serial_number_is_refused_where_serials_are_not_dates(english):
    with pytest.raises(ValueError, match="is not a date"):
        parse_date("45009", day_first=True, serial=False)


@given(year=st.integers(min_value=1, max_value=9999), month=st.integers(1, 12))
def test_a_month_reads_back_as_its_first_day(year, month):
    first = datetime.date(year, month, 1)
    assert parse_month(f"{year:04d}-{month:02d}") == first
    assert (
        parse_month(cell_text(datetime.datetime.combine(first, datetime.time())), cell=True)
        == first
    )
    assert parse_month(first.isoformat(), cell=True) == first


@pytest.mark.parametrize(
    "text", ["2024-13", "2024-3", "24-03", "2024-03-01", "2024-03-02", "0000-01", "marzo", ""]
)
def test_what_is_not_a_month_is_refused(english, text):
    cell = text == "2024-03-02"
    with pytest.raises(ValueError, match="is not a month written YYYY-MM"):
        parse_month(text, cell=cell)


def test_every_date_of_the_policia_file_is_a_day_of_2023(db):
    _file, grid = read_grid(shared_data("co/policia_homicidios_2023.xls"))
    header = next(i for i, row in enumerate(grid) if "FECHA HECHO" in [c.strip() for c in row])
    column = [cell.strip() for cell in grid[header]].index("FECHA HECHO")
    total_row = next(i for i, row in enumerate(grid) if row and row[0].strip() == "TOTAL")
    dates = [parse_date(row[column], day_first=True) for row in grid[header + 1 : total_row]]
    assert dates and all(day.year == 2023 for day in dates)
    assert min(dates).month == 1 and max(dates).month == 12
