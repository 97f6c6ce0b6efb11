"""Budgets in US dollars: yearly exchange rates from the World Bank, and the refresh.

Rates come from the World Bank indicator PA.NUS.FCRF, "Official exchange rate
(LCU per US$, period average)", as the World Bank's CSV download lays it out:
four preamble lines, then ``Country Name, Country Code, Indicator Name,
Indicator Code, 1960, 1961, …`` and one row per country or aggregate.

The indicator is published per country, in its "local currency unit"; the
registry keeps rates per currency. A country's currency is found with pycountry:

* the one ISO 4217 currency whose code starts with the country's alpha-2 code
  (CO → COP, MX → MXN, BR → BRL), leaving out fund and index units such as COU,
  CLF or MXV;
* euro-area members → EUR, but only from the year each adopted the euro: the
  World Bank restates earlier years of a member's series from its old currency
  at the fixed conversion rate, and those are not euro rates. The "Euro area"
  aggregate (EMU) is preferred when the file has it;
* countries that use the US dollar (Ecuador since 2000, El Salvador since 2001,
  Panama, whose balboa is at par with the dollar that circulates there) are
  skipped: a US dollar is one US dollar;
* members of a currency union (CFA francs, the East Caribbean dollar) share one
  rate; the first row read is kept, and a member row that disagrees is noted;
* Venezuela and Zimbabwe are skipped: their series run across redenominations
  the file does not mark;
* anything else (aggregates such as "Latin America & Caribbean", or a country
  whose currency cannot be told) is skipped and counted.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from convivencia.core.reading import (
    BadFile,
    ImportReport,
    Problem,
    Problems,
    display_name,
    timed_write,
)
from convivencia.core.text import fold
from convivencia.evidence import services
from convivencia.evidence.models import ExchangeRate, Intervention

SOURCE = "World Bank PA.NUS.FCRF"
INDICATOR = "PA.NUS.FCRF"
RATE_PLACES = Decimal("0.000001")  # ExchangeRate.per_usd has six decimals
MAX_RATE = Decimal("999999999999")  # and twelve integer digits

EURO_AREA_AGGREGATE = "EMU"
EURO_ADOPTION = {
    "AT": 1999,
    "BE": 1999,
    "DE": 1999,
    "ES": 1999,
    "FI": 1999,
    "FR": 1999,
    "IE": 1999,
    "IT": 1999,
    "LU": 1999,
    "NL": 1999,
    "PT": 1999,
    "GR": 2001,
    "SI": 2007,
    "CY": 2008,
    "MT": 2008,
    "SK": 2009,
    "EE": 2011,
    "LV": 2014,
    "LT": 2015,
    "HR": 2023,
}
USES_US_DOLLAR = frozenset(
    {
        "US",
        "EC",
        "SV",
        "PA",
        "PR",
        "TL",
        "FM",
        "MH",
        "PW",
        "TC",
        "VG",
        "VI",
        "BQ",
        "AS",
        "GU",
        "MP",
    }
)
CURRENCY_UNIONS = {
    **dict.fromkeys(("BJ", "BF", "CI", "GW", "ML", "NE", "SN", "TG"), "XOF"),
    **dict.fromkeys(("CM", "CF", "TD", "CG", "GQ", "GA"), "XAF"),
    **dict.fromkeys(("AG", "DM", "GD", "KN", "LC", "VC", "AI", "MS"), "XCD"),
    # The Caribbean guilder replaced the Netherlands Antillean guilder at par in 2025.
    **dict.fromkeys(("CW", "SX"), "XCG"),
    **dict.fromkeys(("KI", "NR", "TV"), "AUD"),
    **dict.fromkeys(("LI",), "CHF"),
}
# Series that mix currencies across redenominations the file does not mark
# (Venezuela: VEF, VES, VED; Zimbabwe: ZWD, USD, ZWL, ZWG): refused rather than guessed.
UNCLEAR_SERIES = frozenset({"VE", "ZW"})
# ISO 4217 fund codes and units of account, never a country's everyday currency.
NOT_EVERYDAY_CURRENCIES = frozenset(
    {"BOV", "CHE", "CHW", "CLF", "COU", "MXV", "USN", "UYI", "UYW", "VED", "CUC"}
)

PRIORITY_AGGREGATE, PRIORITY_COUNTRY, PRIORITY_MEMBER = 0, 1, 2


def currency_of(alpha2: str, year: int) -> str | None:
    """The currency a country's PA.NUS.FCRF figure is in that year; None to skip it."""
    import pycountry

    if alpha2 in USES_US_DOLLAR or alpha2 in UNCLEAR_SERIES:
        return None
    if alpha2 in EURO_ADOPTION:
        return "EUR" if year >= EURO_ADOPTION[alpha2] else None
    if alpha2 in CURRENCY_UNIONS:
        return CURRENCY_UNIONS[alpha2]
    candidates = [
        currency.alpha_3
        for currency in pycountry.currencies
        if currency.alpha_3.startswith(alpha2) and currency.alpha_3 not in NOT_EVERYDAY_CURRENCIES
    ]
    return candidates[0] if len(candidates) == 1 else None


@dataclass
class Rate:
    value: Decimal
    priority: int
    row: int


@dataclass
class RatesPlan:
    file: str
    rates: dict[tuple[str, int], Rate] = field(default_factory=dict)
    skipped_rows: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def check(path: Path, *, name: str | None = None) -> RatesPlan:
    """Read the World Bank CSV; write nothing. Raises BadFile listing every problem."""
    import pycountry

    from convivencia.core.reading import decode_text, read_bounded_bytes

    file = display_name(path, name)
    text = decode_text(read_bounded_bytes(path, file), file)
    problems = Problems(file)
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise BadFile([Problem(file, None, None, _("is not a readable CSV: %s") % exc)]) from exc
    header_index = next(
        (
            index
            for index, record in enumerate(records)
            if [fold(cell) for cell in record[:2]] == ["country name", "country code"]
        ),
        None,
    )
    if header_index is None:
        raise BadFile(
            [
                Problem(
                    file,
                    None,
                    None,
                    _(
                        "has no header row starting “Country Name, Country Code”: "
                        "is it the World Bank "
                        "CSV download of %(indicator)s?"
                    )
                    % {"indicator": INDICATOR},
                )
            ]
        )
    header = records[header_index]
    years = {
        position: int(cell)
        for position, cell in enumerate(header)
        if cell.strip().isdigit() and len(cell.strip()) == 4
    }
    if not years:
        problems.add(header_index + 1, None, _("the header has no year columns"))
    indicator_column = next(
        (position for position, cell in enumerate(header) if fold(cell) == "indicator code"),
        None,
    )
    plan = RatesPlan(file)
    for index, record in enumerate(records[header_index + 1 :], start=header_index + 2):
        if not any(cell.strip() for cell in record):
            continue
        code = record[1].strip().upper() if len(record) > 1 else ""
        if indicator_column is not None and len(record) > indicator_column:
            indicator = record[indicator_column].strip()
            if indicator and indicator != INDICATOR:
                problems.add(
                    index,
                    header[indicator_column],
                    _("is %(found)s, not %(expected)s (official exchange rate, LCU per US$)")
                    % {"found": indicator, "expected": INDICATOR},
                )
                continue
        if code == EURO_AREA_AGGREGATE:
            alpha2, priority = None, PRIORITY_AGGREGATE
        else:
            country = pycountry.countries.get(alpha_3=code) if len(code) == 3 else None
            if country is None:
                plan.skipped_rows.append(code or str(index))  # an aggregate: a region, income group
                continue
            alpha2 = country.alpha_2
            priority = (
                PRIORITY_MEMBER
                if alpha2 in EURO_ADOPTION or alpha2 in CURRENCY_UNIONS
                else PRIORITY_COUNTRY
            )
        values_without_currency = 0
        for position, year in years.items():
            cell = record[position].strip() if position < len(record) else ""
            if not cell:
                continue
            currency = "EUR" if alpha2 is None else currency_of(alpha2, year)
            if currency is None:
                values_without_currency += 1
                continue
            value = _rate(cell, index, header[position], problems)
            if value is not None:
                _keep(plan, currency, year, Rate(value, priority, index))
        if values_without_currency:
            plan.skipped_rows.append(code)  # dollarised, pre-euro years, or unclear series
    problems.raise_if_any()
    return plan


def _rate(cell: str, row: int, column: str, problems: Problems) -> Decimal | None:
    try:
        value = Decimal(cell)
    except InvalidOperation:
        problems.add(row, column, _("“%(value)s” is not a number") % {"value": cell})
        return None
    if not value.is_finite() or value <= 0:
        problems.add(
            row,
            column,
            _("“%(value)s” is not a rate (units per US dollar)")
            % {
                "value": cell,
            },
        )
        return None
    if value > MAX_RATE:
        problems.add(row, column, _("“%(value)s” is too large to store") % {"value": cell})
        return None
    return value


def _keep(plan: RatesPlan, currency: str, year: int, rate: Rate) -> None:
    """Keep the best-placed rate for a currency and year; note members that disagree."""
    held = plan.rates.get((currency, year))
    if held is None or rate.priority < held.priority:
        plan.rates[(currency, year)] = rate
        return
    if rate.priority == held.priority and abs(rate.value - held.value) > held.value / 200:
        plan.notes.append(
            _(
                "%(currency)s %(year)s: row %(row)s gives %(value)s, row %(kept_row)s gives "
                "%(kept)s; row %(kept_row)s was kept."
            )
            % {
                "currency": currency,
                "year": year,
                "row": rate.row,
                "value": rate.value,
                "kept_row": held.row,
                "kept": held.value,
            }
        )


def write(plan: RatesPlan) -> ImportReport:
    """Store the rates (one transaction) and refresh the budgets they convert."""
    report = timed_write(lambda: _write(plan))
    if plan.skipped_rows:
        report.skip(
            _(
                "rows of aggregates, of countries using the US dollar, or with "
                "years in no known currency"
            ),
            len(plan.skipped_rows),
        )
    report.notes.extend(plan.notes)
    return report


@transaction.atomic
def _write(plan: RatesPlan) -> ImportReport:
    report = ImportReport()
    label = str(ExchangeRate._meta.verbose_name_plural).capitalize()
    held = {
        (rate.currency, rate.year): rate
        for rate in ExchangeRate.objects.filter(
            currency__in={currency for currency, _year in plan.rates}
        )
    }
    touched: set[tuple[str, int]] = set()
    for (currency, year), rate in sorted(plan.rates.items()):
        value = rate.value.quantize(RATE_PLACES)
        if not value:
            report.skip(_("rate rounds to zero at six decimals"))
            continue
        existing = held.get((currency, year))
        if existing is None:
            ExchangeRate.objects.create(currency=currency, year=year, per_usd=value, source=SOURCE)
            report.add(label, "created")
        elif existing.per_usd != value or existing.source != SOURCE:
            existing.per_usd, existing.source = value, SOURCE
            existing.save(update_fields=["per_usd", "source"])
            report.add(label, "updated")
        else:
            report.add(label, "unchanged")
            continue
        touched.add((currency, year))
    refreshed = refresh_budgets_usd(touched)
    report.notes.append(
        _("Budgets converted again to US dollars: %(count)s.")
        % {
            "count": refreshed,
        }
    )
    return report


def refresh_budgets_usd(pairs: Iterable[tuple[str, int]] | None = None) -> int:
    """Convert again the budgets in these (currency, year) pairs (all budgets if None).

    Returns how many interventions' budget_usd changed. budget_usd is derived
    from the amount and the rate, so the change is not written to the history.
    """
    interventions = Intervention.objects.exclude(budget_amount=None).exclude(budget_currency="")
    if pairs is not None:
        years_by_currency: dict[str, set[int]] = {}
        for currency, year in pairs:
            years_by_currency.setdefault(currency, set()).add(year)
        if not years_by_currency:
            return 0
        condition = Q()
        for currency, years in years_by_currency.items():
            condition |= Q(budget_currency=currency, budget_year__in=sorted(years))
        interventions = interventions.filter(condition)
    changed = []
    fields = ["pk", "budget_amount", "budget_currency", "budget_year", "budget_usd"]
    for intervention in interventions.only(*fields).iterator(chunk_size=500):
        usd = services.budget_in_usd(
            intervention.budget_amount, intervention.budget_currency, intervention.budget_year
        )
        if usd != intervention.budget_usd:
            intervention.budget_usd = usd
            changed.append(intervention)
    Intervention.objects.bulk_update(changed, ["budget_usd"], batch_size=500)
    return len(changed)
