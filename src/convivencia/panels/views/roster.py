"""The roster of a panel, and one respondent's contact data.

The roster (codes and attributes) is for the coordinators and enumerators of the
panel's territory. Contact data is for coordinators of that territory only, on a
page of its own that is written to the audit log every time it is shown; no list
page ever carries it. Anyone else gets 404, so that strangers cannot learn which
panels exist.

Codes with sex, age band, role and area can single a threatened leader out in a small
municipality, so every read of the roster (page or entity list) is audited too.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from convivencia.accounts import access, audit
from convivencia.accounts.choices import Role
from convivencia.panels import permissions
from convivencia.panels.importers.roster import CONTACT_FIELDS, ENTITY_PROPERTIES, entity_list_csv
from convivencia.panels.models import Panel, Respondent

CONTACT_LABELS = {
    "name": _("Name"),
    "phone": _("Phone"),
    "email": _("E-mail"),
    "address": _("Address"),
}


# What the roster page and the entity list show of each respondent, for the audit log.
ROSTER_FIELDS = [
    "respondents.code",
    "respondents.sex",
    "respondents.age_band",
    "respondents.role",
    "respondents.area",
    "respondents.status",
    "respondents.replaces",
]
ENTITY_LIST_FIELDS = [
    "respondents.code",
    "respondents.label",
    *(f"respondents.{name}" for name in ENTITY_PROPERTIES),
]


@never_cache
@login_required
def roster(request: HttpRequest, code: str) -> HttpResponse:
    panel = permissions.roster_panel_or_404(request.user, code)
    respondents = panel.respondents.select_related("replaces").order_by("-is_active", "code")
    audit.record_read(request, panel, fields=ROSTER_FIELDS)
    return render(
        request,
        "panels/roster.html",
        {
            "panel": panel,
            "respondents": respondents,
            # Only to show the links; the contact page checks again on its own.
            "may_see_contact": access.has_role(request.user, panel.territory, Role.COORDINATOR),
        },
    )


@never_cache
@login_required
def entity_list(request: HttpRequest, code: str) -> HttpResponse:
    panel = permissions.roster_panel_or_404(request.user, code)
    response = HttpResponse(entity_list_csv(panel), content_type="text/csv; charset=utf-8")
    audit.record_read(request, panel, fields=ENTITY_LIST_FIELDS)
    response["Content-Disposition"] = f'attachment; filename="{panel.code}-respondents.csv"'
    return response


@never_cache  # personal data: not to be kept by browsers or proxies
@login_required
def respondent_contact(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    panels = Panel.objects.visible_to(request.user, Role.COORDINATOR)
    panel = get_object_or_404(panels.select_related("territory"), code=code)
    respondent: Respondent = get_object_or_404(panel.respondents, pk=pk)
    contact = respondent.contact
    shown = [key for key in CONTACT_FIELDS if contact.get(key)]
    audit.record_read(request, respondent, fields=[f"contact.{key}" for key in shown])
    return render(
        request,
        "panels/respondent_contact.html",
        {
            "panel": panel,
            "respondent": respondent,
            "contact_rows": [(CONTACT_LABELS[key], key, contact[key]) for key in shown],
        },
    )
