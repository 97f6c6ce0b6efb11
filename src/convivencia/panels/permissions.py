"""Who may open which panel, one helper per use; a panel outside the user's scope is a 404.

Results are for the roles of ``charts.PANEL_VIEW_ROLES`` (coordinators, analysts, providers,
community leaders); collecting answers (the web form, uploads, waves, OpenRosa, background
imports) is for enumerators and coordinators; the roster, which holds contact data, for the
same two roles. What each role then sees of the results is ``charts.ItemAccess``'s business.
Questionnaires belong to no territory: a coordinator of any territory brings in a form made
elsewhere, sees what was imported and makes a panel of it in their own territories.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from convivencia.accounts import access
from convivencia.accounts.choices import Role
from convivencia.panels import charts
from convivencia.panels.models import Panel, Questionnaire

COLLECTOR_ROLES: tuple[str, ...] = (Role.ENUMERATOR, Role.COORDINATOR)


def panel_or_404(user, code: str, roles: Sequence[str] = charts.PANEL_VIEW_ROLES) -> Panel:
    """The panel whose results the user may see (or ``roles`` ask for)."""
    return get_object_or_404(charts.visible_panels(user, roles), code=code)


def collected_panel_or_404(user, code: str) -> Panel:
    """The panel, if the user collects answers in its territory."""
    return access.get_in_scope_or_404(
        Panel.objects.select_related("territory", "questionnaire"),
        user,
        COLLECTOR_ROLES,
        code=code,
    )


def roster_panel_or_404(user, code: str) -> Panel:
    """The panel whose roster the user may open."""
    panels = Panel.objects.visible_to(user, *COLLECTOR_ROLES)
    return get_object_or_404(panels.select_related("territory", "questionnaire"), code=code)


def mapped_panel_or_404(user, code: str) -> Panel:
    """The panel whose form mapping the user may edit: its territory's coordinators."""
    panels = Panel.objects.visible_to(user, Role.COORDINATOR)
    return get_object_or_404(panels.select_related("territory", "questionnaire"), code=code)


def may_import_questionnaires(user) -> bool:
    """Coordinators of some territory (and administrators) bring in forms made elsewhere."""
    return not access.scope(user, Role.COORDINATOR).is_empty


def check_may_import_questionnaires(user) -> None:
    """PermissionDenied (403) for anyone who coordinates nowhere: questionnaires belong to
    no territory, so there is no object to hide behind a 404."""
    if not may_import_questionnaires(user):
        raise PermissionDenied


def imported_questionnaire_or_404(user, pk: int) -> Questionnaire:
    """A questionnaire, for a coordinator to see what was imported and make a panel of it."""
    check_may_import_questionnaires(user)
    return get_object_or_404(Questionnaire, pk=pk)
