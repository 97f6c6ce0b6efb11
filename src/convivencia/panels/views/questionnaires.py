"""Bringing in an XLSForm made elsewhere (KoBoToolbox, ODK), and making a panel of it.

For coordinators (of any territory) and administrators; anyone else signed in is told no
(403), anonymous visitors are sent to the login page. The steps:

1. ``import_form``: the workbook goes through ``importers.xlsform.import_xlsform``, all or
   nothing; its problems are listed on the page and nothing is stored.
2. ``questionnaire``: what was imported (code and version, titles, items, languages, the
   fields kept raw, whether a respondent field was found) and a form to create a panel
   asking it, in a territory the coordinator works in.
3. ``create_panel``: the panel is made by ``services.create_panel`` and the coordinator is
   sent to its mapping page, to say which field holds the respondent code and what each
   question is.
"""

from __future__ import annotations

from typing import Any

from django.conf.locale import LANG_INFO
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from convivencia.accounts import audit
from convivencia.accounts.choices import AuditAction, Role
from convivencia.core.forms import add_errors
from convivencia.core.reading import BadFile
from convivencia.panels import permissions, services
from convivencia.panels.choices import FieldUse
from convivencia.panels.forms import PanelCreateForm, XLSFormUploadForm
from convivencia.panels.importers.xlsform import import_xlsform
from convivencia.panels.models import Panel, Questionnaire


@login_required
def import_form(request: HttpRequest) -> HttpResponse:
    permissions.check_may_import_questionnaires(request.user)
    form = XLSFormUploadForm(request.POST or None, request.FILES or None)
    if request.method != "POST" or not form.is_valid():
        status = 400 if request.method == "POST" else 200
        return render(request, "panels/questionnaire_import.html", {"form": form}, status=status)
    upload = form.cleaned_data["file"]
    try:
        questionnaire = import_xlsform(upload, name=upload.name)
    except BadFile as exc:
        return render(
            request,
            "panels/questionnaire_import.html",
            {"form": XLSFormUploadForm(), "file_name": upload.name, "problems": exc.problems},
            status=400,
        )
    audit.record(
        AuditAction.CREATE,
        questionnaire,
        request=request,
        changes={"file": upload.name, "form_id": questionnaire.form_id},
    )
    messages.success(
        request,
        _("Imported questionnaire %(code)s version %(version)s.")
        % {"code": questionnaire.code, "version": questionnaire.version},
    )
    return redirect("panels:questionnaires:detail", questionnaire.pk)


@login_required
def questionnaire(request: HttpRequest, pk: int) -> HttpResponse:
    imported = permissions.imported_questionnaire_or_404(request.user, pk)
    return _questionnaire_page(request, imported, PanelCreateForm(user=request.user))


@login_required
@require_POST
def create_panel(request: HttpRequest, pk: int) -> HttpResponse:
    imported = permissions.imported_questionnaire_or_404(request.user, pk)
    form = PanelCreateForm(request.POST, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            panel = services.create_panel(
                code=data["code"],
                territory=data["territory"],
                questionnaire=imported,
                actor=request.user,
                name=data["name"],
                local_provider_name=data["local_provider_name"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Panel “%(panel)s” was created. Now say which field holds the respondent code "
                    "and what each question is."
                )
                % {"panel": panel},
            )
            return redirect("panels:collection:mapping", panel.code)
    return _questionnaire_page(request, imported, form, status=400)


def _questionnaire_page(
    request: HttpRequest, imported: Questionnaire, form: PanelCreateForm, status: int = 200
) -> HttpResponse:
    mappings = list(imported.field_mappings.order_by("position", "pk"))
    items = list(imported.items.order_by("position", "pk").prefetch_related("choices"))
    respondent = next((m for m in mappings if m.use == FieldUse.RESPONDENT), None)
    panels = Panel.objects.visible_to(request.user, Role.COORDINATOR).filter(questionnaire=imported)
    context: dict[str, Any] = {
        "questionnaire": imported,
        "titles": [(_language_name(code), text) for code, text in imported.title.items()],
        "items": items,
        "languages": [_language_name(code) for code in _languages(imported, items)],
        "raw_fields": [m for m in mappings if m.use == FieldUse.RAW],
        "made_elsewhere": bool(mappings),
        "respondent": respondent,
        "panels": panels.select_related("territory"),
        "form": form,
    }
    return render(request, "panels/questionnaire.html", context, status=status)


def _languages(imported: Questionnaire, items: list[Any]) -> list[str]:
    """Every language the form is written in: its title's, its questions' and options'."""
    found: list[str] = []
    texts: list[dict[str, str]] = [imported.title]
    for item in items:
        texts.append(item.wording)
        texts.extend(choice.label for choice in item.choices.all())
    for text in texts:
        for code in text:
            if code not in found:
                found.append(code)
    return found


def _language_name(code: str) -> str:
    """ "en" → "English (en)" in the reader's language; a name the import kept as written
    ("chinese") stays as it is."""
    if code not in LANG_INFO:
        return code
    return f"{translation.get_language_info(code)['name_translated']} ({code})"
