from django.db import models
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    """Depth in the territory tree. Lower levels are optional."""

    COUNTRY = 0, _("Country")
    REGION = 1, _("Region")  # first-level subdivision: departamento, estado, province
    MUNICIPALITY = 2, _("Municipality")
    LOCALITY = 3, _("Locality")  # vereda, corregimiento, barrio, comuna


class Scheme(models.TextChoices):
    """Code schemes a territory may carry a code under."""

    ISO = "iso", _("ISO 3166 (country alpha-2 / subdivision 3166-2)")
    DIVIPOLA = "divipola", _("DIVIPOLA (Colombia, DANE)")
    INEGI = "inegi", _("INEGI (Mexico)")
    IBGE = "ibge", _("IBGE (Brazil)")
    DHIS2 = "dhis2", _("DHIS2 organisation unit")


# Names of population sources this code itself writes, marked so that the catalogues carry
# them: the pages translate a stored source through gettext (unknown sources stay as
# stored). territories.demo.POPULATION_SOURCE is the first.
KNOWN_SOURCES = (gettext_noop("Demo data (synthetic)"),)


def source_name(source: str | None) -> str:
    """A stored source as a page shows it: ours in the reader's language, others as stored."""
    if not source:
        return ""
    return gettext(source) if source in KNOWN_SOURCES else source
