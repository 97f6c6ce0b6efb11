"""The first-run checklist: what an administrator of a fresh installation does next, with
how far each step has gone, so a site without the demo is not an empty page."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Model
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from convivencia.accounts.models import Membership, Organisation, User
from convivencia.indicators.models import DataValue
from convivencia.panels.models import Panel
from convivencia.territories.models import Boundary, Population, Territory


@dataclass(frozen=True)
class Link:
    label: str | Promise
    url: str


@dataclass(frozen=True)
class Step:
    key: str
    title: str | Promise
    explanation: str | Promise
    done: int
    links: tuple[Link, ...]
    command: str = ""
    optional: bool = False


def _admin(model: type[Model], action: str = "changelist") -> str:
    meta = model._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{action}")


def needs_setup() -> bool:
    """True until the first territory exists: nothing else works without one."""
    return not Territory.objects.exists()


def steps() -> list[Step]:
    territories = reverse("territories:import")
    return [
        Step(
            "territories",
            _("Territories"),
            _(
                "Import the country's regions and municipalities with their official codes "
                "(DANE DIVIPOLA for Colombia, INEGI for Mexico, IBGE for Brazil), or countries "
                "from ISO 3166. Everything else is attached to a territory."
            ),
            Territory.objects.count(),
            (Link(_("Import territories"), territories),),
            "convivencia import_territories divipola FILE",
        ),
        Step(
            "population",
            _("Population"),
            _(
                "Import population by year (DANE projections, World Bank): crime rates per "
                "100,000 inhabitants need it, and show its source and year."
            ),
            Population.objects.count(),
            (Link(_("Import population"), territories),),
            "convivencia import_population dane FILE",
        ),
        Step(
            "boundaries",
            _("Boundaries"),
            _("Import municipal and regional boundaries (TopoJSON or GeoJSON) for the maps."),
            Boundary.objects.count(),
            (Link(_("Import boundaries"), territories),),
            "convivencia import_boundaries FILE --scheme divipola",
            optional=True,
        ),
        Step(
            "crime",
            _("Crime data"),
            _(
                "Import official crime figures (Policía Nacional, SESNSP, a tidy file or DHIS2). "
                "The standard indicators, such as the homicide rate, already exist; add or "
                "rename data elements and indicators on their page."
            ),
            DataValue.objects.count(),
            (
                Link(_("Import crime data"), reverse("indicators:import:upload")),
                Link(_("Data elements and indicators"), reverse("indicators:manage:index")),
            ),
            "convivencia import_crime policia-co FILE",
        ),
        Step(
            "organisations",
            _("Organisations"),
            _(
                "Create the organisations taking part: civil society, police, prosecutors, "
                "mayors' offices. Each person acts on behalf of one."
            ),
            Organisation.objects.count(),
            (
                Link(_("Add an organisation"), _admin(Organisation, "add")),
                Link(_("Organisations"), _admin(Organisation)),
            ),
        ),
        Step(
            "users",
            _("People and their roles"),
            _(
                "Create accounts, then give each a membership: a role (coordinator, analyst, "
                "enumerator, provider, community leader) in an organisation and territories."
            ),
            Membership.objects.count(),
            (
                Link(_("Add a person"), _admin(User, "add")),
                Link(_("Add a membership"), _admin(Membership, "add")),
            ),
        ),
        Step(
            "panels",
            _("Perception panels"),
            _(
                "Create a panel of community leaders for a municipality, then import its roster "
                "(contact data is encrypted on the way in)."
            ),
            Panel.objects.count(),
            (Link(_("Panels"), _admin(Panel)),),
            "convivencia create_panel CODE --territory divipola:19001",
            optional=True,
        ),
    ]
