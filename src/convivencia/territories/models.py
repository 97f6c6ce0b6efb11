"""The territory tree: country → region → municipality → locality."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from convivencia.core import countries
from convivencia.core.text import fold
from convivencia.territories.choices import Level, Scheme


class TerritoryQuerySet(models.QuerySet["Territory"]):
    def countries(self) -> TerritoryQuerySet:
        return self.filter(level=Level.COUNTRY)

    def regions(self) -> TerritoryQuerySet:
        return self.filter(level=Level.REGION)

    def municipalities(self) -> TerritoryQuerySet:
        return self.filter(level=Level.MUNICIPALITY)

    def with_code(self, scheme: str, code: str) -> TerritoryQuerySet:
        return self.filter(codes__scheme=scheme, codes__code=code)

    def within(self, territory: Territory) -> TerritoryQuerySet:
        """The territory itself and everything below it."""
        return self.filter(path__startswith=territory.path)

    def within_any(self, territories: list[Territory]) -> TerritoryQuerySet:
        if not territories:
            return self.none()
        condition = Q()
        for territory in territories:
            condition |= Q(path__startswith=territory.path)
        return self.filter(condition)

    def search(self, text: str) -> TerritoryQuerySet:
        """By code (exact or prefix) or by name, ignoring case and accents."""
        text = text.strip()
        if not text:
            return self.none()
        folded = fold(text)
        by_name = Q(search_name__contains=folded) | Q(names__folded__contains=folded)
        by_code = Q(codes__code__iexact=text) | Q(codes__code__istartswith=text)
        return self.filter(by_name | by_code).distinct()


class Territory(models.Model):
    """A country, region, municipality or locality, placed in one tree."""

    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    kind = models.CharField(
        _("kind"),
        max_length=40,
        blank=True,
        help_text=_("Local word for the level: departamento, estado, vereda, barrio…"),
    )
    name = models.CharField(_("name"), max_length=200)
    search_name = models.CharField(_("folded name"), max_length=200, editable=False, db_index=True)
    # Materialised path of primary keys ("/1/12/340/"): descendants are a prefix match,
    # which keeps territory scoping one indexed query on SQLite and PostgreSQL alike.
    path = models.CharField(_("path"), max_length=255, editable=False, db_index=True)
    area_km2 = models.DecimalField(
        _("area (km²)"), max_digits=12, decimal_places=3, null=True, blank=True
    )

    objects = TerritoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("territory")
        verbose_name_plural = _("territories")
        ordering = ["level", "name"]
        indexes = [models.Index(fields=["level", "search_name"])]

    def __str__(self) -> str:
        return self.label

    def save(self, *args, **kwargs) -> None:
        self.search_name = fold(self.name)
        super().save(*args, **kwargs)
        expected = f"{self.parent.path if self.parent else '/'}{self.pk}/"
        if self.path != expected:
            old = self.path
            self.path = expected
            Territory.objects.filter(pk=self.pk).update(path=expected)
            if old:
                self._rewrite_descendant_paths(old, expected)

    @property
    def label(self) -> str:
        """The name to show: a country's in the reader's language, any other as stored."""
        if self.level == Level.COUNTRY:
            return countries.localized(self.name)
        return self.name

    def _rewrite_descendant_paths(self, old: str, new: str) -> None:
        for child in Territory.objects.filter(path__startswith=old).exclude(pk=self.pk):
            Territory.objects.filter(pk=child.pk).update(path=new + child.path[len(old) :])

    @property
    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/") if part]

    def ancestors(self) -> TerritoryQuerySet:
        """From the country down to the parent."""
        return Territory.objects.filter(pk__in=self.ancestor_ids[:-1]).order_by("level")

    def code(self, scheme: str) -> str | None:
        for code in self.codes.all():
            if code.scheme == scheme:
                return code.code
        return None

    def country(self) -> Territory:
        if self.level == Level.COUNTRY:
            return self
        return Territory.objects.get(pk=self.ancestor_ids[0])

    def is_within(self, other: Territory) -> bool:
        return self.path.startswith(other.path)


class TerritoryCode(models.Model):
    """A territory's code under one scheme (DIVIPOLA 19001, ISO CO-CAU…)."""

    territory = models.ForeignKey(
        Territory, verbose_name=_("territory"), on_delete=models.CASCADE, related_name="codes"
    )
    scheme = models.CharField(_("scheme"), max_length=20, choices=Scheme.choices)
    code = models.CharField(_("code"), max_length=40)

    class Meta:
        verbose_name = _("territory code")
        verbose_name_plural = _("territory codes")
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="unique_code_per_scheme"),
            models.UniqueConstraint(
                fields=["territory", "scheme"], name="one_code_per_scheme_per_territory"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scheme}:{self.code}"


class TerritoryName(models.Model):
    """An alternative name: another spelling, an official long form, a translation."""

    territory = models.ForeignKey(
        Territory, verbose_name=_("territory"), on_delete=models.CASCADE, related_name="names"
    )
    name = models.CharField(_("name"), max_length=200)
    folded = models.CharField(_("folded name"), max_length=200, editable=False, db_index=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    source = models.CharField(_("source"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("alternative name")
        verbose_name_plural = _("alternative names")
        constraints = [
            models.UniqueConstraint(fields=["territory", "folded"], name="unique_folded_alt_name")
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.folded = fold(self.name)
        super().save(*args, **kwargs)


class Population(models.Model):
    """Population of a territory in one year, as published by one source."""

    territory = models.ForeignKey(
        Territory,
        verbose_name=_("territory"),
        on_delete=models.CASCADE,
        related_name="populations",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.PositiveBigIntegerField(_("population"))
    source = models.CharField(
        _("source"),
        max_length=100,
        help_text=_("Who published the figure, e.g. 'DANE projections (CNPV 2018)'."),
    )

    class Meta:
        verbose_name = _("population")
        verbose_name_plural = _("populations")
        ordering = ["territory", "year", "source"]
        constraints = [
            models.UniqueConstraint(
                fields=["territory", "year", "source"], name="one_population_per_year_and_source"
            )
        ]

    def __str__(self) -> str:
        return f"{self.territory} {self.year}: {self.value} ({self.source})"


class Boundary(models.Model):
    """A territory's boundary as a GeoJSON geometry (kept apart: it is large)."""

    territory = models.OneToOneField(
        Territory,
        verbose_name=_("territory"),
        on_delete=models.CASCADE,
        related_name="boundary",
    )
    geometry = models.JSONField(_("geometry"))
    source = models.CharField(_("source"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("boundary")
        verbose_name_plural = _("boundaries")

    def __str__(self) -> str:
        return str(self.territory)
