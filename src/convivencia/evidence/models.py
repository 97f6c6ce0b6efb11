"""Citizen security interventions, their evaluations and what the evidence says."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from convivencia.evidence.choices import (
    Curation,
    Design,
    Direction,
    EvidenceContext,
    ExternalSource,
    ImplementerType,
    PreventionLevel,
    Problem,
    Rating,
    Scale,
    Status,
    TagKind,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from convivencia.evidence.forms import RatingOverrideForm

YEAR_VALIDATORS = [MinValueValidator(1950), MaxValueValidator(2100)]


class InterventionQuerySet(models.QuerySet["Intervention"]):
    def published(self) -> InterventionQuerySet:
        return self.filter(curation=Curation.PUBLISHED)

    def tagged(self, kind: str, codes: list[str]) -> InterventionQuerySet:
        """Interventions carrying any of ``codes`` under ``kind`` (an indexed EXISTS)."""
        return self.filter(
            Exists(
                InterventionTag.objects.filter(
                    intervention=OuterRef("pk"), kind=kind, code__in=codes
                )
            )
        )

    def rated(self, ratings: list[str]) -> InterventionQuerySet:
        """Rated so for at least one outcome (or not evaluated at all, if asked)."""
        # An IN over the (indexed) ratings table: the planner reads the few matching
        # ratings first instead of probing them once per candidate intervention.
        condition = Q(
            pk__in=EvidenceRating.objects.filter(value__in=ratings).values("intervention_id")
        )
        if Rating.NOT_EVALUATED in ratings:
            condition |= Q(best_rating=Rating.NOT_EVALUATED)
        return self.filter(condition)

    def with_design(self, designs: list[str]) -> InterventionQuerySet:
        return self.filter(
            pk__in=Evaluation.objects.filter(design__in=designs).values("intervention_id")
        )


class Intervention(models.Model):
    """Something tried to reduce crime or violence, somewhere, for someone."""

    external_id = models.CharField(
        _("external id"),
        max_length=64,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Stable identifier from the source spreadsheet; re-imports update by it."),
    )
    name = models.CharField(_("name"), max_length=300)
    name_language = models.CharField(
        _("language of the name"), max_length=10, choices=settings.LANGUAGES, default="es"
    )
    name_translations = models.JSONField(
        _("name translations"),
        default=dict,
        blank=True,
        help_text=_('Other languages, e.g. {"en": "…", "pt": "…"}.'),
    )
    summary = models.TextField(_("summary"), blank=True)
    summary_translations = models.JSONField(_("summary translations"), default=dict, blank=True)
    country = models.ForeignKey(
        "territories.Territory",
        verbose_name=_("country"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": 0},
        null=True,
        blank=True,
        help_text=_("Empty for multi-country interventions."),
    )
    country_code = models.CharField(
        _("country code"),
        max_length=2,
        blank=True,
        db_index=True,
        editable=False,
    )
    territories = models.ManyToManyField(
        "territories.Territory",
        verbose_name=_("territories"),
        blank=True,
        related_name="interventions",
    )
    scale = models.CharField(_("scale"), max_length=20, choices=Scale.choices)
    prevention_level = models.CharField(
        _("prevention level"), max_length=12, choices=PreventionLevel.choices, blank=True
    )
    implementer_name = models.CharField(_("implementer"), max_length=200, blank=True)
    implementer_type = models.CharField(
        _("implementer type"),
        max_length=30,
        choices=ImplementerType.choices,
        blank=True,
        db_index=True,
    )
    funder_name = models.CharField(_("funder"), max_length=200, blank=True)
    funder_type = models.CharField(
        _("funder type"), max_length=30, choices=ImplementerType.choices, blank=True
    )
    start_year = models.PositiveSmallIntegerField(
        _("start year"), null=True, blank=True, validators=YEAR_VALIDATORS, db_index=True
    )
    end_year = models.PositiveSmallIntegerField(
        _("end year"), null=True, blank=True, validators=YEAR_VALIDATORS
    )
    status = models.CharField(_("status"), max_length=15, choices=Status.choices)
    budget_amount = models.DecimalField(
        _("budget"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    budget_currency = models.CharField(_("currency"), max_length=3, blank=True)
    budget_year = models.PositiveSmallIntegerField(
        _("budget year"), null=True, blank=True, validators=YEAR_VALIDATORS
    )
    budget_usd = models.DecimalField(
        _("budget (USD)"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        editable=False,
        db_index=True,
        help_text=_("Converted at the budget year's average rate; the original is kept."),
    )
    # Denormalised from the ratings so the dashboard filters and charts never join them.
    best_rating = models.CharField(
        _("best rating"),
        max_length=15,
        choices=Rating.choices,
        default=Rating.NOT_EVALUATED,
        editable=False,
        db_index=True,
    )
    curation = models.CharField(
        _("curation status"),
        max_length=12,
        choices=Curation.choices,
        default=Curation.DRAFT,
        db_index=True,
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = InterventionQuerySet.as_manager()

    class Meta:
        verbose_name = _("intervention")
        verbose_name_plural = _("interventions")
        ordering = ["-start_year", "name"]
        indexes = [
            models.Index(fields=["curation", "country_code", "start_year"]),
            models.Index(fields=["curation", "best_rating"]),
            # Covers the dashboard's counts by year, rating, budget and country.
            models.Index(
                fields=["curation", "start_year", "best_rating", "budget_usd", "country_code"],
                name="evidence_dashboard_counts",
            ),
            # The default order of the table (newest first), for its first page.
            models.Index(fields=["curation", "-start_year", "name"], name="evidence_default_order"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__isnull=True)
                | Q(start_year__isnull=True)
                | Q(end_year__gte=models.F("start_year")),
                name="intervention_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=Q(budget_amount__isnull=True) | Q(budget_amount__gte=0),
                name="intervention_budget_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name()

    def display_name(self, language: str | None = None) -> str:
        language = (language or get_language() or "es")[:2]
        if language == self.name_language:
            return self.name
        return self.name_translations.get(language) or self.name

    def display_summary(self, language: str | None = None) -> str:
        language = (language or get_language() or "es")[:2]
        return self.summary_translations.get(language) or self.summary

    def codes(self, kind: str) -> list[str]:
        return sorted(tag.code for tag in self.tags.all() if tag.kind == kind)


class InterventionTag(models.Model):
    """One focus, problem or target population of an intervention.

    One narrow table for the three many-valued vocabularies: filters become an
    indexed EXISTS and the gap map a single GROUP BY.
    """

    intervention = models.ForeignKey(
        Intervention,
        verbose_name=_("intervention"),
        on_delete=models.CASCADE,
        related_name="tags",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=TagKind.choices)
    code = models.CharField(_("code"), max_length=30)

    class Meta:
        verbose_name = _("intervention tag")
        verbose_name_plural = _("intervention tags")
        constraints = [
            models.UniqueConstraint(fields=["intervention", "kind", "code"], name="unique_tag")
        ]
        indexes = [models.Index(fields=["kind", "code", "intervention"])]

    def __str__(self) -> str:
        return f"{self.kind}:{self.code}"


class Source(models.Model):
    """Where the information about an intervention comes from."""

    intervention = models.ForeignKey(
        Intervention,
        verbose_name=_("intervention"),
        on_delete=models.CASCADE,
        related_name="sources",
    )
    citation = models.CharField(_("citation"), max_length=500, blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        constraints = [
            models.CheckConstraint(
                condition=~Q(citation="") | ~Q(url=""), name="source_has_citation_or_link"
            )
        ]

    def __str__(self) -> str:
        return self.citation or self.url


class Evaluation(models.Model):
    """A study of an intervention's effects."""

    intervention = models.ForeignKey(
        Intervention,
        verbose_name=_("intervention"),
        on_delete=models.CASCADE,
        related_name="evaluations",
    )
    citation = models.CharField(_("citation"), max_length=500)
    url = models.URLField(_("link"), max_length=500, blank=True)
    doi = models.CharField(_("DOI"), max_length=200, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS)
    design = models.CharField(_("design"), max_length=20, choices=Design.choices, db_index=True)
    sms_level = models.PositiveSmallIntegerField(
        _("Maryland SMS level"),
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("Maryland Scientific Methods Scale, 1 (correlation) to 5 (randomised)."),
    )
    independent = models.BooleanField(
        _("independent"),
        default=False,
        help_text=_("Carried out by evaluators independent of the implementer."),
    )
    country = models.ForeignKey(
        "territories.Territory",
        verbose_name=_("country of the study"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["-year"]

    def __str__(self) -> str:
        return self.citation


class Outcome(models.Model):
    """What an evaluation found for one outcome."""

    evaluation = models.ForeignKey(
        Evaluation,
        verbose_name=_("evaluation"),
        on_delete=models.CASCADE,
        related_name="outcomes",
    )
    outcome = models.CharField(_("outcome"), max_length=30, choices=Problem.choices)
    direction = models.CharField(_("effect direction"), max_length=12, choices=Direction.choices)
    effect_size = models.DecimalField(
        _("effect size"), max_digits=8, decimal_places=3, null=True, blank=True
    )
    effect_measure = models.CharField(
        _("effect measure"),
        max_length=100,
        blank=True,
        help_text=_("e.g. '% change', 'Cohen's d', 'incidence rate ratio'."),
    )

    class Meta:
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")

    def __str__(self) -> str:
        return f"{self.get_outcome_display()}: {self.get_direction_display()}"


class EvidenceRating(models.Model):
    """The rating of one intervention for one outcome, computed by the documented rule."""

    # Set by the curation page on each rating it lists, for its template.
    form: RatingOverrideForm

    intervention = models.ForeignKey(
        Intervention,
        verbose_name=_("intervention"),
        on_delete=models.CASCADE,
        related_name="ratings",
    )
    outcome = models.CharField(_("outcome"), max_length=30, choices=Problem.choices)
    computed = models.CharField(_("computed rating"), max_length=15, choices=Rating.choices)
    override = models.CharField(
        _("reviewer's rating"), max_length=15, choices=Rating.choices, blank=True
    )
    override_reason = models.TextField(_("reason for the reviewer's rating"), blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    best_sms = models.PositiveSmallIntegerField(_("best SMS level"), null=True, blank=True)
    studies = models.PositiveSmallIntegerField(_("studies"), default=0)
    independent_studies = models.PositiveSmallIntegerField(_("independent studies"), default=0)
    context = models.CharField(
        _("where the evidence comes from"),
        max_length=15,
        choices=EvidenceContext.choices,
        default=EvidenceContext.UNKNOWN,
    )
    explanation = models.CharField(_("why"), max_length=300, blank=True)
    # The rating in force (the reviewer's if any): filters read this column.
    value = models.CharField(
        _("rating"), max_length=15, choices=Rating.choices, editable=False, db_index=True
    )

    class Meta:
        verbose_name = _("evidence rating")
        verbose_name_plural = _("evidence ratings")
        constraints = [
            models.UniqueConstraint(
                fields=["intervention", "outcome"], name="one_rating_per_outcome"
            ),
            models.CheckConstraint(
                condition=Q(override="") | ~Q(override_reason=""),
                name="override_needs_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.intervention_id} {self.outcome}: {self.value}"

    def save(self, *args, **kwargs) -> None:
        self.value = self.override or self.computed
        super().save(*args, **kwargs)


class ExternalRating(models.Model):
    """A rating given by another clearinghouse, kept with its own label."""

    # Set by the curation page on each external rating it lists, for its template.
    mapped_label: StrOrPromise

    intervention = models.ForeignKey(
        Intervention,
        verbose_name=_("intervention"),
        on_delete=models.CASCADE,
        related_name="external_ratings",
    )
    source = models.CharField(_("source"), max_length=20, choices=ExternalSource.choices)
    label = models.CharField(_("their rating"), max_length=100)
    url = models.URLField(_("link"), max_length=500, blank=True)
    outcome = models.CharField(_("outcome"), max_length=30, choices=Problem.choices, blank=True)

    class Meta:
        verbose_name = _("external rating")
        verbose_name_plural = _("external ratings")

    def __str__(self) -> str:
        return f"{self.get_source_display()}: {self.label}"

    @property
    def mapped_rating(self) -> str | None:
        from convivencia.evidence.ratings import map_external

        return map_external(self.source, self.label)


class ExchangeRate(models.Model):
    """Units of a currency per US dollar, yearly average (World Bank PA.NUS.FCRF)."""

    currency = models.CharField(_("currency"), max_length=3)
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS)
    per_usd = models.DecimalField(_("units per USD"), max_digits=18, decimal_places=6)
    source = models.CharField(_("source"), max_length=100)

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        constraints = [
            models.UniqueConstraint(fields=["currency", "year"], name="one_rate_per_currency_year")
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.year}: {self.per_usd}"


class RegistryVersion(models.Model):
    """A token that changes whenever the registry's rows change, in any process.

    The public pages cache what costs most to count (the unfiltered dashboard's
    charts, the gap map, the list of countries) under this token. Database
    triggers (migration 0003) replace it on every insert, update or delete of
    interventions, their tags, ratings and evaluations, so no write path can
    forget it: not a bulk_create, a QuerySet.update, another process, nor SQL
    typed by hand. Random rather than counted, so that a rolled-back change can
    never make an old token current again. One row, id 1; without it nothing is
    cached.
    """

    token = models.CharField(_("token"), max_length=40)

    class Meta:
        verbose_name = _("registry version")
        verbose_name_plural = _("registry versions")

    def __str__(self) -> str:
        return self.token
