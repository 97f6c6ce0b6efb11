"""The mapping page: what each field of a form made elsewhere is to Convivencia.

For the coordinators of the panel's territory; anyone else gets 404. The mapping is
saved with the questionnaire and read by every later file import and OpenRosa
submission (``panels.mapping``).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from convivencia.core.forms import add_errors
from convivencia.panels import mapping, permissions
from convivencia.panels.forms import FieldMappingForm
from convivencia.panels.models import Panel


@login_required
def field_mapping(request: HttpRequest, code: str) -> HttpResponse:
    panel = permissions.mapped_panel_or_404(request.user, code)
    questionnaire = panel.questionnaire
    form = FieldMappingForm(questionnaire, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            mapping.save_mapping(questionnaire, form.said(), request.user)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The mapping was saved; every later import uses it."))
            return redirect("panels:collection:mapping", panel.code)
    shared = Panel.objects.filter(questionnaire=questionnaire).exclude(pk=panel.pk).count()
    return render(
        request,
        "panels/mapping.html",
        {"panel": panel, "questionnaire": questionnaire, "form": form, "shared": shared},
        status=400 if form.errors else 200,
    )
