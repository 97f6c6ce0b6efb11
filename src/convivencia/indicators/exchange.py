"""The crime indicators' exports on the data exchange page (``core.slots.DATA_EXCHANGE``)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from convivencia.core.exchange import Export, Filters, Link
from convivencia.indicators.choices import PeriodType
from convivencia.indicators.models import Indicator
from convivencia.indicators.presets import INDICATORS
from convivencia.territories.choices import Level


def _selection(indicator: str, filters: Filters) -> dict[str, str | int]:
    """The explorer's selection the export files take: an indicator, the territory (its
    children for a country or region), and a year's months."""
    query: dict[str, str | int] = {"indicator": indicator}
    territory = filters.territory
    if territory is not None:
        parent = territory if territory.level <= Level.REGION else territory.parent
        if parent is not None:
            query["parent"] = parent.pk
    if filters.year is not None:
        query.update(
            {"type": PeriodType.MONTH, "from": f"{filters.year}-01", "to": f"{filters.year}-12"}
        )
    return query


def exports(user, filters: Filters) -> list[Export]:
    """Official records are public: one entry per standard indicator."""
    found = []
    defined = set(
        Indicator.objects.filter(code__in=list(INDICATORS)).values_list("code", flat=True)
    )
    for code in INDICATORS:
        if code not in defined:
            continue
        indicator = Indicator.objects.get(code=code)
        query = urlencode(_selection(code, filters))
        found.append(
            Export(
                section=_("Crime and violence indicators"),
                title=str(indicator),
                description=_(
                    "Counts, populations and rates per 100,000 with their intervals, "
                    "by territory and period, as the explorer selects them."
                ),
                standard=_("Tidy table (CSV, XLSX); DHIS2 dataValueSets (JSON, XML, CSV)"),
                links=[
                    Link("CSV", f"{reverse('indicators:export_csv')}?{query}"),
                    Link("XLSX", f"{reverse('indicators:export_xlsx')}?{query}"),
                    Link("DHIS2 JSON", f"{reverse('indicators:export_dhis2')}?{query}"),
                    Link("DHIS2 XML", f"{reverse('indicators:export_dhis2_xml')}?{query}"),
                    Link("DHIS2 CSV", f"{reverse('indicators:export_dhis2_csv')}?{query}"),
                    # What a DHIS2 server would refuse in it, before anyone sends it there.
                    Link(_("DHIS2 check"), f"{reverse('indicators:dhis2_check')}?{query}"),
                ],
                audience=_("Public"),
            )
        )
    return found
