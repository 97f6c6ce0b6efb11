"""Managing data elements and indicators: who may, and the changes themselves.

Definitions are national: the same codes serve every territory's imports, maps and
exports. Administrators, coordinators and analysts (the editors who import crime data)
read them on the management pages; administrators and coordinators change them, since
a renamed indicator or a new factor changes every public map. Each change is written to
the audit log and replaces the explorer's data version in the same transaction.

A code is what importers, exports, the API and shared explorer links know a row by: it
is fixed once values exist (for an indicator, once its numerator has values). A data
element with values, or one an indicator counts, is never deleted; an indicator is a
formula, so it may go unless something else (a commitment, a concern) follows it. The
standard definitions (``presets``) are kept: every installation shares their codes.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import Count, ForeignObjectRel, Model, QuerySet
from django.utils.translation import gettext as _

from convivencia.accounts import access, audit
from convivencia.accounts.choices import AuditAction, Role
from convivencia.indicators import caching, presets
from convivencia.indicators.choices import Dhis2Kind
from convivencia.indicators.models import DataElement, DataValue, Dhis2Mapping, Indicator

READ_ROLES = frozenset({Role.ADMINISTRATOR, Role.COORDINATOR, Role.ANALYST})
EDIT_ROLES = frozenset({Role.ADMINISTRATOR, Role.COORDINATOR})


class StillUsed(Exception):
    """The definition cannot be deleted; the message says why."""


def may_read(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Administrators, coordinators and analysts, of any territory: definitions are national."""
    return bool(access.roles(user) & READ_ROLES)


def may_edit(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Administrators and coordinators, of any territory."""
    return bool(access.roles(user) & EDIT_ROLES)


def has_values(element: DataElement) -> bool:
    """Any value, current or replaced by a later extraction (those are kept for revisions)."""
    return DataValue.objects.filter(element=element).exists()


def code_is_fixed(obj: DataElement | Indicator) -> bool:
    """Whether the code may no longer change: values were imported under it."""
    if obj.pk is None:
        return False
    element = obj if isinstance(obj, DataElement) else obj.numerator
    return has_values(element)


def value_counts(elements: QuerySet[DataElement] | list[DataElement]) -> dict[int, int]:
    """{element id: current values} for the elements given, in one grouped query."""
    ids = [element.pk for element in elements]
    rows = (
        DataValue.objects.current()
        .filter(element_id__in=ids)
        .values("element_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {row["element_id"]: row["n"] for row in rows}
    return {pk: counts.get(pk, 0) for pk in ids}


def snapshot(obj: DataElement | Indicator) -> dict[str, Any]:
    """The fields a person sets, as the audit log keeps them."""
    if isinstance(obj, DataElement):
        fields = ["code", "name", "value_type", "aggregation_type", "dhis2_uid", "description"]
    else:
        fields = [
            "code",
            "name",
            "numerator_id",
            "denominator_kind",
            "denominator_id",
            "factor",
            "description",
        ]
    return {name: getattr(obj, name) for name in fields}


def save(
    obj: DataElement | Indicator,
    *,
    before: dict[str, Any] | None,
    actor: AbstractBaseUser | AnonymousUser | None,
) -> None:
    """Create (``before`` is None) or change a definition, audited, refreshing the explorer."""
    with transaction.atomic():
        obj.full_clean()
        obj.save()
        if before is None:
            audit.record(AuditAction.CREATE, obj, actor=actor, changes=snapshot(obj))
        else:
            changes = audit.diff(before, snapshot(obj))
            if not changes:
                return
            audit.record(AuditAction.UPDATE, obj, actor=actor, changes=changes)
        caching.bump()


def refusal(obj: DataElement | Indicator) -> str:
    """Why ``obj`` may not be deleted, or "" when it may."""
    if isinstance(obj, DataElement):
        if has_values(obj):
            return _(
                "It has values: imported figures are never deleted with their "
                "definition. Change its name instead."
            )
        users = Indicator.objects.filter(numerator=obj) | Indicator.objects.filter(denominator=obj)
        codes = sorted(set(users.values_list("code", flat=True)))
        if codes:
            return _("Indicators use it: %(codes)s. Change or delete them first.") % {
                "codes": ", ".join(codes)
            }
        return _standard(obj.code in presets.ELEMENTS)
    followers = _followers(obj)
    if followers:
        return _("It is followed by %(what)s. Choose another indicator for them first.") % {
            "what": ", ".join(followers)
        }
    return _standard(obj.code in presets.INDICATORS)


def _standard(is_standard: bool) -> str:
    # Every installation shares the standard codes, and a later preset migration would
    # bring a deleted one back anyway.
    if is_standard:
        return _(
            "It is one of the standard definitions every installation shares. "
            "Change its name instead."
        )
    return ""


def _followers(indicator: Indicator) -> list[str]:
    """What other apps link to the indicator, e.g. "2 commitments", through their foreign
    keys (read from the model's relations, so this app imports none of theirs)."""
    found = []
    # Hidden relations too: the dialogues' foreign keys have related_name="+".
    relations = [
        field
        for field in indicator._meta.get_fields(include_hidden=True)
        if isinstance(field, ForeignObjectRel)
        and field.auto_created
        and not field.concrete
        and field.one_to_many
    ]
    for relation in relations:
        model: type[Model] | None = relation.related_model
        if model is None:  # a reverse relation always has its model; the stubs allow none
            continue
        count = model._default_manager.filter(**{relation.field.name: indicator}).count()
        if count:
            meta = model._meta
            found.append(f"{count} {meta.verbose_name if count == 1 else meta.verbose_name_plural}")
    return found


def delete(obj: DataElement | Indicator, *, actor: AbstractBaseUser | AnonymousUser | None) -> None:
    """Delete a definition nothing depends on; StillUsed with the reason otherwise."""
    with transaction.atomic():
        reason = refusal(obj)
        if reason:
            raise StillUsed(reason)
        # Written first, while the row still has its id; one transaction with the delete.
        audit.record(AuditAction.DELETE, obj, actor=actor, changes=snapshot(obj))
        obj.delete()
        caching.bump()


# --- the DHIS2 mapping table -------------------------------------------------------------------
# What another DHIS2 instance's identifiers mean here (``Dhis2Mapping``). Read by the DHIS2
# importer only: a change alters no stored value, so the explorer is not refreshed. The same
# people who change definitions change it, audited.


def mapping_snapshot(mapping: Dhis2Mapping) -> dict[str, Any]:
    """The fields a person sets, as the audit log keeps them."""
    return {
        "kind": mapping.kind,
        "scheme": mapping.scheme,
        "identifier": mapping.identifier,
        "element": mapping.element.code if mapping.element is not None else None,
        "territory_id": mapping.territory_id,
        "sex": mapping.sex,
        "age_group": mapping.age_group,
    }


def duplicate_mapping(mapping: Dhis2Mapping) -> Dhis2Mapping | None:
    """The other row that already maps the same kind, scheme and identifier, if any."""
    rows = Dhis2Mapping.objects.filter(
        kind=mapping.kind, scheme=mapping.scheme, identifier=mapping.identifier
    )
    if mapping.pk is not None:
        rows = rows.exclude(pk=mapping.pk)
    return rows.select_related("element", "territory").first()


def mapping_target(mapping: Dhis2Mapping) -> str:
    """What the row maps to, in words: "Homicides (homicides)", "Popayán", "Female, 18+"."""
    if mapping.kind == Dhis2Kind.DATA_ELEMENT and mapping.element is not None:
        return f"{mapping.element} ({mapping.element.code})"
    if mapping.kind == Dhis2Kind.ORG_UNIT and mapping.territory is not None:
        return mapping.territory.name
    parts = [str(label) for label in (mapping.get_sex_display(), mapping.get_age_group_display())]
    parts = [part for part in parts if part]
    return ", ".join(parts) if parts else _("Not disaggregated (DHIS2's default)")


def save_mapping(
    mapping: Dhis2Mapping,
    *,
    before: dict[str, Any] | None,
    actor: AbstractBaseUser | AnonymousUser | None,
) -> None:
    """Create (``before`` is None) or change a row of the mapping table, audited."""
    with transaction.atomic():
        mapping.full_clean()
        mapping.save()
        if before is None:
            audit.record(
                AuditAction.CREATE, mapping, actor=actor, changes=mapping_snapshot(mapping)
            )
            return
        changes = audit.diff(before, mapping_snapshot(mapping))
        if changes:
            audit.record(AuditAction.UPDATE, mapping, actor=actor, changes=changes)


def delete_mapping(
    mapping: Dhis2Mapping, *, actor: AbstractBaseUser | AnonymousUser | None
) -> None:
    """Delete a row: later files naming that identifier are refused until it is mapped again."""
    with transaction.atomic():
        audit.record(AuditAction.DELETE, mapping, actor=actor, changes=mapping_snapshot(mapping))
        mapping.delete()
