"""DHIS2-shaped crime and violence data: data elements, data values, indicators."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from convivencia.indicators.choices import (
    AgeGroup,
    AggregationType,
    DenominatorKind,
    Dhis2Kind,
    PeriodType,
    Sex,
    Source,
    ValueType,
    id_scheme,
)


class DataElement(models.Model):
    """What is counted: homicides, robbery, domestic violence…"""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.JSONField(_("name"), default=dict, help_text=_('{"es": "…", "en": "…"}'))
    value_type = models.CharField(
        _("value type"), max_length=10, choices=ValueType.choices, default=ValueType.INTEGER
    )
    aggregation_type = models.CharField(
        _("aggregation"),
        max_length=10,
        choices=AggregationType.choices,
        default=AggregationType.SUM,
    )
    dhis2_uid = models.CharField(_("DHIS2 uid"), max_length=11, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("data element")
        verbose_name_plural = _("data elements")
        ordering = ["code"]

    def __str__(self) -> str:
        from convivencia.core.i18n import translated

        return translated(self.name) or self.code


class Extraction(models.Model):
    """One imported file: which dataset, which extraction, what it replaced.

    Official figures are "subject to change": a newer extraction of the same
    dataset replaces the earlier values, which stay (soft-deleted) so that the
    difference between extractions can be shown.
    """

    dataset = models.CharField(
        _("dataset"),
        max_length=120,
        db_index=True,
        help_text=_("What the file covers, e.g. 'policia-co:homicides:2023'."),
    )
    format = models.CharField(_("format"), max_length=20)
    file_name = models.CharField(_("file"), max_length=255)
    checksum = models.CharField(_("SHA-256"), max_length=64)
    note = models.CharField(
        _("revision note"),
        max_length=300,
        blank=True,
        help_text=_("e.g. the extraction date printed in the file's footer."),
    )
    values = models.PositiveIntegerField(_("values"), default=0)
    total = models.FloatField(_("total"), default=0)
    replaces = models.ForeignKey(
        "self",
        verbose_name=_("replaces"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
    )
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    imported_at = models.DateTimeField(_("imported at"), default=timezone.now)

    class Meta:
        verbose_name = _("extraction")
        verbose_name_plural = _("extractions")
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return f"{self.dataset} ({self.note or self.file_name})"


class DataValueQuerySet(models.QuerySet["DataValue"]):
    def current(self) -> DataValueQuerySet:
        return self.filter(deleted_at__isnull=True)


class DataValue(models.Model):
    """A count for one data element, territory, period, disaggregation and source.

    Blank disaggregation fields mean "not disaggregated by this"; a file's rows
    by sex and by weapon are stored as they come and summed for totals.
    """

    element = models.ForeignKey(
        DataElement,
        verbose_name=_("data element"),
        on_delete=models.PROTECT,
        related_name="values",
    )
    territory = models.ForeignKey(
        "territories.Territory",
        verbose_name=_("territory"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    period = models.CharField(_("period"), max_length=12)
    period_type = models.CharField(_("period type"), max_length=8, choices=PeriodType.choices)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    sex = models.CharField(_("sex"), max_length=10, blank=True)
    age_group = models.CharField(_("age group"), max_length=20, blank=True)
    weapon = models.CharField(_("weapon or means"), max_length=40, blank=True)
    subtype = models.CharField(_("crime subtype"), max_length=60, blank=True)
    value = models.FloatField(_("value"))
    comment = models.CharField(_("comment"), max_length=300, blank=True)
    extraction = models.ForeignKey(
        Extraction,
        verbose_name=_("extraction"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="data_values",
    )
    stored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("stored by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    stored_at = models.DateTimeField(_("stored at"), default=timezone.now)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)

    objects = DataValueQuerySet.as_manager()

    class Meta:
        verbose_name = _("data value")
        verbose_name_plural = _("data values")
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "element",
                    "territory",
                    "period",
                    "source",
                    "sex",
                    "age_group",
                    "weapon",
                    "subtype",
                ],
                condition=Q(deleted_at__isnull=True),
                name="one_current_value_per_cell",
            )
        ]
        indexes = [
            models.Index(fields=["element", "source", "start", "territory"]),
            models.Index(fields=["extraction"]),
        ]

    def __str__(self) -> str:
        return f"{self.element.code} {self.territory_id} {self.period}: {self.value}"


class Total(models.Model):
    """Current values summed over disaggregations, per element × territory × period × source.

    Maps and trends read these (one row per municipality-month) instead of the
    disaggregated values; ``rollup.refresh`` keeps them in step after every import.
    """

    # No index of its own: the unique constraint and the covering index below start
    # with it, and PostgreSQL read a national map's year through this one instead.
    element = models.ForeignKey(
        DataElement, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    territory = models.ForeignKey(
        "territories.Territory", on_delete=models.CASCADE, related_name="+"
    )
    period = models.CharField(max_length=12)
    period_type = models.CharField(max_length=8, choices=PeriodType.choices)
    start = models.DateField()
    end = models.DateField()
    source = models.CharField(max_length=12, choices=Source.choices)
    value = models.FloatField()

    class Meta:
        verbose_name = _("total")
        verbose_name_plural = _("totals")
        constraints = [
            models.UniqueConstraint(
                fields=["element", "territory", "period", "source"], name="one_total_per_cell"
            )
        ]
        # Territory before start: a map or trend reads a few rows for each of a list
        # of territories (explorer._load), one seek each; with start first it would
        # scan every territory's rows of the years asked for. rollup.refresh still
        # finds an element and source's rows through the first two columns. End,
        # period and value complete it as a covering index: a national map reads its
        # 13,000 rows from the index alone, where looking each one up in a table of
        # millions of rows was most of the map's time.
        # The second serves the territory page, which asks, for each place below one,
        # its latest end and the elements it has in a year (``summary``): one short
        # backward seek per place instead of a scan of every total of the country.
        indexes = [
            models.Index(
                fields=["element", "source", "territory", "start", "end", "period", "value"],
                name="indicators_total_map",
            ),
            models.Index(fields=["territory", "end", "element"], name="indicators_total_place_end"),
        ]

    def __str__(self) -> str:
        return f"{self.element_id} {self.territory_id} {self.period}: {self.value}"


class Indicator(models.Model):
    """numerator / denominator × factor, evaluated on demand."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.JSONField(_("name"), default=dict)
    numerator = models.ForeignKey(
        DataElement, verbose_name=_("numerator"), on_delete=models.PROTECT, related_name="+"
    )
    denominator_kind = models.CharField(
        _("denominator"),
        max_length=12,
        choices=DenominatorKind.choices,
        default=DenominatorKind.POPULATION,
    )
    denominator = models.ForeignKey(
        DataElement,
        verbose_name=_("denominator element"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    factor = models.PositiveIntegerField(_("factor"), default=100_000)
    description = models.TextField(_("how it is computed"), blank=True)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["code"]

    def __str__(self) -> str:
        from convivencia.core.i18n import translated

        return translated(self.name) or self.code


class DataVersion(models.Model):
    """One row whose token changes whenever a map's or trend's inputs change.

    ``rollup.refresh`` (every import, revision and demo load ends in it) and the
    signals on Population and Territory (``signals.py``) replace the token in the
    same transaction as the change, so a cached result keyed by it is never served
    for data that changed after it was computed, whichever process changed it. A
    random token rather than a counter: a rolled-back change must not let a later,
    different change reuse the number it had bumped to.
    """

    token = models.CharField(max_length=32)

    class Meta:
        verbose_name = _("data version")
        verbose_name_plural = _("data versions")

    def __str__(self) -> str:
        return self.token


class Dhis2Mapping(models.Model):
    """How another DHIS2 instance names one of our data elements, territories or
    disaggregations: its uid, code, name or attribute value under one id scheme.

    The DHIS2 importer looks here first, under the id scheme the file declares
    (``dataElementIdScheme``, ``orgUnitIdScheme``, ``categoryOptionComboIdScheme``,
    ``idScheme``), so a file from an instance whose uids we do not hold can be read
    without editing it.
    """

    kind = models.CharField(_("kind"), max_length=30, choices=Dhis2Kind.choices)
    scheme = models.CharField(
        _("id scheme"),
        max_length=60,
        default="UID",
        help_text=_("UID, CODE, NAME or ATTRIBUTE:<attribute uid>, as in the file."),
    )
    identifier = models.CharField(
        _("identifier in DHIS2"), max_length=230, help_text=_("As written in the file.")
    )
    element = models.ForeignKey(
        DataElement,
        verbose_name=_("data element"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    territory = models.ForeignKey(
        "territories.Territory",
        verbose_name=_("territory"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, blank=True)
    age_group = models.CharField(
        _("age group"), max_length=10, choices=AgeGroup.choices, blank=True
    )

    class Meta:
        verbose_name = _("DHIS2 mapping")
        verbose_name_plural = _("DHIS2 mappings")
        ordering = ["kind", "scheme", "identifier"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "scheme", "identifier"], name="one_dhis2_mapping_per_identifier"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.scheme}:{self.identifier}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        try:
            self.scheme = id_scheme(self.scheme)
        except ValueError as exc:
            raise ValidationError({"scheme": str(exc)}) from exc
        self.identifier = self.identifier.strip()
        if self.kind == Dhis2Kind.DATA_ELEMENT and self.element_id is None:
            raise ValidationError({"element": _("Choose the data element this identifier means.")})
        if self.kind == Dhis2Kind.ORG_UNIT and self.territory_id is None:
            raise ValidationError({"territory": _("Choose the territory this identifier means.")})
        if self.kind == Dhis2Kind.CATEGORY_OPTION_COMBO and self.element_id is not None:
            raise ValidationError(
                {"element": _("A category option combo maps to a sex and an age group.")}
            )
