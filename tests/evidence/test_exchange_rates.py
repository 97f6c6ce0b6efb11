"""World Bank exchange rates (PA.NUS.FCRF): countries to currencies, and budgets in USD."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from convivencia.evidence import budgets
from convivencia.evidence.models import ExchangeRate, Intervention
from tests.evidence.builders import make_intervention

INDICATOR = '"Official exchange rate (LCU per US$, period average)","PA.NUS.FCRF"'


def world_bank_csv(path: Path, rows: list[str], years: tuple[int, ...] = (2014, 2015, 2016)):
    """A file laid out as the World Bank's CSV download: BOM, four preamble lines, header."""
    header = ",".join(
        [
            '"Country Name"',
            '"Country Code"',
            '"Indicator Name"',
            '"Indicator Code"',
            *(f'"{year}"' for year in years),
        ]
    )
    lines = [
        '"Data Source","World Development Indicators",',
        "",
        '"Last Updated Date","2025-01-28",',
        "",
        header + ",",
        *rows,
    ]
    path.write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


SAMPLE_ROWS = [
    f'"Colombia","COL",{INDICATOR},"2001.78","2741.88","3054.12",',
    f'"Mexico","MEX",{INDICATOR},"13.29","15.85","18.66",',
    f'"Ecuador","ECU",{INDICATOR},"1","1","1",',  # dollarised: no rate needed
    f'"Germany","DEU",{INDICATOR},"0.753","0.902","0.904",',
    f'"Euro area","EMU",{INDICATOR},"0.7538","0.9017","0.9039",',
    f'"Latin America & Caribbean","LCN",{INDICATOR},"","","",',
    f'"Senegal","SEN",{INDICATOR},"494.04","591.21","593.01",',
    f'"Mali","MLI",{INDICATOR},"494.04","591.21","593.01",',
    f'"Venezuela, RB","VEN",{INDICATOR},"6.28","","",',
    f'"Bolivia","BOL",{INDICATOR},"6.91","6.91","",',
]


@pytest.fixture
def english(db):
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("country", "year", "currency"),
    [
        ("CO", 2015, "COP"),
        ("MX", 2015, "MXN"),
        ("BO", 2015, "BOB"),
        ("UY", 2015, "UYU"),
        ("CL", 2015, "CLP"),
        ("CU", 2015, "CUP"),
        ("BR", 2015, "BRL"),
        ("EC", 2015, None),
        ("SV", 2015, None),
        ("PA", 2015, None),
        ("VE", 2015, None),
        ("DE", 1998, None),
        ("DE", 1999, "EUR"),
        ("HR", 2022, None),
        ("HR", 2023, "EUR"),
        ("SN", 2015, "XOF"),
        ("GD", 2015, "XCD"),
        ("CW", 2015, "XCG"),
    ],
)
def test_a_country_maps_to_the_currency_its_figure_is_in(country, year, currency):
    assert budgets.currency_of(country, year) == currency


def test_rates_are_read_per_currency_and_year_from_the_world_bank_layout(english, tmp_path):
    plan = budgets.check(world_bank_csv(tmp_path / "API_PA.NUS.FCRF.csv", SAMPLE_ROWS))
    rates = {key: rate.value for key, rate in plan.rates.items()}
    assert rates[("COP", 2015)] == Decimal("2741.88")
    assert rates[("EUR", 2015)] == Decimal("0.9017")  # the euro area row, not Germany's
    assert rates[("XOF", 2016)] == Decimal("593.01")
    assert ("BOB", 2016) not in rates  # an empty cell is no rate
    assert not {currency for currency, _year in rates} & {"USD", "VES", "VED"}
    assert set(plan.skipped_rows) == {"LCN", "ECU", "VEN"}


def test_the_command_stores_rates_and_a_second_run_changes_nothing(english, tmp_path):
    path = world_bank_csv(tmp_path / "rates.csv", SAMPLE_ROWS)
    out = io.StringIO()
    call_command("import_exchange_rates", str(path), stdout=out)
    assert "created 14, updated 0, unchanged 0" in out.getvalue()
    assert "Skipped 3" in out.getvalue()  # the aggregate LCN, dollarised ECU, unclear VEN
    rate = ExchangeRate.objects.get(currency="COP", year=2015)
    assert (rate.per_usd, rate.source) == (Decimal("2741.880000"), "World Bank PA.NUS.FCRF")
    out = io.StringIO()
    call_command("import_exchange_rates", str(path), stdout=out)
    assert "created 0, updated 0, unchanged 14" in out.getvalue()


def test_budgets_in_a_currency_and_year_that_got_a_rate_are_converted(english, tmp_path):
    pesos = make_intervention(
        "Cuadrantes",
        budget_amount=Decimal(1_000_000),
        budget_currency="COP",
        budget_year=2015,
        published=False,
    )
    euros = make_intervention(
        "Barrios",
        budget_amount=Decimal(500),
        budget_currency="EUR",
        budget_year=2013,
        published=False,
    )
    assert pesos.budget_usd is None
    call_command(
        "import_exchange_rates",
        str(world_bank_csv(tmp_path / "r.csv", SAMPLE_ROWS)),
        stdout=io.StringIO(),
    )
    pesos.refresh_from_db()
    euros.refresh_from_db()
    assert pesos.budget_usd == Decimal("364.71")  # 1,000,000 / 2741.88
    assert euros.budget_usd is None  # no 2013 rate in the file


def test_refreshing_budgets_only_touches_the_pairs_given(english):
    pesos = make_intervention(
        "Cuadrantes",
        budget_amount=Decimal(1_000_000),
        budget_currency="COP",
        budget_year=2015,
        published=False,
    )
    ExchangeRate.objects.create(currency="COP", year=2015, per_usd=Decimal(2000), source="x")
    assert budgets.refresh_budgets_usd([("MXN", 2015)]) == 0
    assert budgets.refresh_budgets_usd([("COP", 2015)]) == 1
    assert Intervention.objects.get(pk=pesos.pk).budget_usd == Decimal("500.00")
    assert budgets.refresh_budgets_usd() == 0  # already up to date


def test_members_of_a_currency_union_that_disagree_are_noted(english, tmp_path):
    rows = [
        f'"Senegal","SEN",{INDICATOR},"494.04","591.21","593.01",',
        f'"Mali","MLI",{INDICATOR},"494.04","620.00","593.01",',
    ]
    plan = budgets.check(world_bank_csv(tmp_path / "r.csv", rows))
    assert plan.rates[("XOF", 2015)].value == Decimal("591.21")
    assert any("XOF 2015" in note for note in plan.notes)


def test_a_file_that_is_not_the_world_bank_layout_is_refused(english, tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("Country,Rate\nColombia,2741\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_exchange_rates", str(path), stderr=err)
    assert "Country Name, Country Code" in err.getvalue()
    assert not ExchangeRate.objects.exists()


def test_bad_cells_are_listed_by_row_and_year_and_nothing_is_written(english, tmp_path):
    rows = [
        f'"Colombia","COL",{INDICATOR},"2001.78","n/a","3054.12",',
        f'"Mexico","MEX",{INDICATOR},"-13","15.85","18.66",',
        '"Colombia","COL","GDP (current US$)","NY.GDP.MKTP.CD","1","2","3",',
    ]
    path = world_bank_csv(tmp_path / "r.csv", rows)
    with pytest.raises(budgets.BadFile) as caught:
        budgets.check(path)
    assert {(p.row, p.column) for p in caught.value.problems} == {
        (6, "2015"),
        (7, "2014"),
        (8, "Indicator Code"),
    }
    assert not ExchangeRate.objects.exists()


def test_the_dry_run_writes_nothing(english, tmp_path):
    out = io.StringIO()
    path = world_bank_csv(tmp_path / "r.csv", SAMPLE_ROWS)
    call_command("import_exchange_rates", str(path), "--dry-run", stdout=out)
    assert "Dry run" in out.getvalue()
    assert not ExchangeRate.objects.exists()
