"""Domain operations on panels: creating a panel, opening and closing monthly waves.

Views, the commands and the jobs call these, never ``Panel.objects.create`` or
``Wave.objects.create`` directly, so that the permission rule and the audit entry
cannot be forgotten.

``actor=None`` means the system (a management command run by an operator on
the server): it may open and close waves, and the audit entry names no one.
A person must be a coordinator of the panel's territory.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_slug
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from convivencia.accounts import access, audit
from convivencia.accounts.choices import AuditAction, Role
from convivencia.core.fields import max_length
from convivencia.panels.choices import WaveStatus
from convivencia.panels.models import Panel, Questionnaire, Wave, period_of
from convivencia.territories.models import Territory

WaveHook = Callable[[Wave], object]

# Called with the wave once a close has been committed (the provider digest, say).
# Each hook runs on its own: one that fails is logged and does not stop the others.
WAVE_CLOSED_HOOKS: list[WaveHook] = []


# Fixed paths under /panels/ that a panel's code must not shadow (panels.urls).
RESERVED_PANEL_CODES = frozenset(
    {"map", "provider", "territory", "collect", "roster", "questionnaires"}
)


class PanelExists(ValidationError):
    """A panel already has the code asked for (``panel`` says which)."""

    def __init__(self, panel: Panel) -> None:
        super().__init__(
            {
                "code": ValidationError(
                    _("A panel with the code “%(code)s” already exists; choose another code.")
                    % {"code": panel.code},
                    code="panel_exists",
                )
            }
        )
        self.panel = panel


def check_panel_code(code: str) -> None:
    """Refuse (``ValidationError`` on "code") a code that is no slug, too long, or a page."""
    limit = max_length(Panel, "code")
    try:
        validate_slug(code)
    except ValidationError as exc:
        raise ValidationError(
            {
                "code": _("“%(code)s” cannot be a panel code: use letters, digits, “-” and “_”.")
                % {"code": code}
            },
            code="bad_code",
        ) from exc
    if len(code) > limit:
        raise ValidationError(
            {
                "code": _("A panel code has at most %(limit)s characters (“%(code)s” has %(n)s).")
                % {"limit": limit, "code": code, "n": len(code)}
            },
            code="bad_code",
        )
    if code.lower() in RESERVED_PANEL_CODES:
        raise ValidationError(
            {
                "code": _(
                    "“%(code)s” is a page of the site (/panels/%(code)s/) and cannot be a panel "
                    "code."
                )
                % {"code": code}
            },
            code="reserved_code",
        )


def may_create_panel(user, territory: Territory) -> bool:
    """Coordinators of the territory (and administrators, who hold every role)."""
    return access.has_role(user, territory, Role.COORDINATOR)


def create_panel(
    *,
    code: str,
    territory: Territory,
    questionnaire: Questionnaire,
    actor,
    name: str = "",
    local_provider_name: str = "",
) -> Panel:
    """A new panel of ``territory`` asking ``questionnaire``. Audited.

    Refuses a bad or reserved code (``ValidationError`` on "code"), a code another panel
    already has (``PanelExists``, naming that panel), and a person who does not coordinate
    the territory (``PermissionDenied``). ``actor=None`` is the system (a command run by
    an operator on the server).
    """
    check_panel_code(code)
    if actor is not None and not may_create_panel(actor, territory):
        raise PermissionDenied(
            _("Only a coordinator of %(territory)s may create a panel there.")
            % {"territory": territory}
        )
    existing = Panel.objects.filter(code=code).select_related("territory").first()
    if existing is not None:
        raise PanelExists(existing)
    try:
        with transaction.atomic():
            panel = Panel.objects.create(
                code=code,
                name=name,
                territory=territory,
                questionnaire=questionnaire,
                local_provider_name=local_provider_name,
            )
            audit.record(AuditAction.CREATE, panel, actor=actor)
    except IntegrityError as exc:
        # Another request took the code meanwhile.
        raced = Panel.objects.filter(code=code).first()
        if raced is None:
            raise
        raise PanelExists(raced) from exc
    return panel


class WaveClosed(ValidationError):
    """The wave exists but is closed, and nobody asked to reopen it."""


def parse_period(text: str) -> datetime.date:
    """'2024-03' → 2024-03-01; ValidationError with a message for the user otherwise."""
    try:
        return period_of(str(text))
    except ValueError as exc:
        raise ValidationError(
            _("“%(text)s” is not a month written as YYYY-MM (for example 2024-03).")
            % {"text": text},
            code="bad_period",
        ) from exc


def may_manage_waves(user, panel: Panel) -> bool:
    """Coordinators of the panel's territory (and administrators, who hold every role)."""
    return access.has_role(user, panel.territory, Role.COORDINATOR)


def _check_may_manage(actor, panel: Panel) -> None:
    if actor is not None and not may_manage_waves(actor, panel):
        raise PermissionDenied(
            _("Only a coordinator of %(territory)s may open or close its waves.")
            % {"territory": panel.territory}
        )


def open_wave(panel: Panel, period_text: str, actor, *, reopen: bool = False) -> Wave:
    """The panel's wave for that month, opened if needed.

    Idempotent: an open wave is returned as it is. A closed wave is refused
    (``WaveClosed``) unless ``reopen`` is asked for by a coordinator; reopening is
    audited. The system (``actor=None``) may open a new month but not reopen one:
    undoing a close is a person's decision, with a name in the audit log.
    """
    period = parse_period(period_text)
    _check_may_manage(actor, panel)
    with transaction.atomic():
        wave = Wave.objects.select_for_update().filter(panel=panel, period=period).first()
        if wave is None:
            return _create_wave(panel, period, actor)
        if wave.is_open:
            return wave
        if not reopen:
            raise WaveClosed(
                _("Wave %(wave)s of panel %(panel)s is closed; a coordinator can reopen it.")
                % {"wave": wave.label, "panel": panel.code},
                code="wave_closed",
            )
        if actor is None:
            raise PermissionDenied(_("Only a coordinator may reopen a closed wave."))
        before: dict[str, Any] = {"status": wave.status, "closed_at": wave.closed_at}
        wave.status = WaveStatus.OPEN
        wave.closed_at = None
        wave.closed_by = None
        wave.save(update_fields=["status", "closed_at", "closed_by"])
        audit.record(
            AuditAction.UPDATE,
            wave,
            actor=actor,
            changes={
                "status": [before["status"], wave.status],
                "closed_at": [
                    before["closed_at"].isoformat() if before["closed_at"] else None,
                    None,
                ],
                "reopened": True,
            },
        )
        return wave


def _create_wave(panel: Panel, period: datetime.date, actor) -> Wave:
    try:
        # A savepoint: two requests opening the same month at once meet the unique
        # constraint, and the loser returns the winner's wave.
        with transaction.atomic():
            wave = Wave.objects.create(
                panel=panel,
                period=period,
                status=WaveStatus.OPEN,
                opened_by=actor,
                opened_at=timezone.now(),
            )
    except IntegrityError:
        return Wave.objects.get(panel=panel, period=period)
    audit.record(
        AuditAction.CREATE,
        wave,
        actor=actor,
        changes={"panel": panel.code, "period": wave.label, "status": wave.status},
    )
    return wave


def close_wave(wave: Wave, actor) -> Wave:
    """Close a wave: no more submissions. Audited; the hooks run after the commit.

    Closing a closed wave changes nothing and runs no hook.
    """
    _check_may_manage(actor, wave.panel)
    with transaction.atomic():
        # The same lock collection.accept takes: a batch being stored finishes first.
        locked = (
            Wave.objects.select_for_update(of=("self",)).select_related("panel").get(pk=wave.pk)
        )
        if not locked.is_open:
            return locked
        locked.status = WaveStatus.CLOSED
        locked.closed_at = timezone.now()
        locked.closed_by = actor
        locked.save(update_fields=["status", "closed_at", "closed_by"])
        audit.record(
            AuditAction.UPDATE,
            locked,
            actor=actor,
            changes={"status": [WaveStatus.OPEN, WaveStatus.CLOSED]},
        )
        for hook in list(WAVE_CLOSED_HOOKS):
            transaction.on_commit(_calling(hook, locked), robust=True)
    return locked


def _calling(hook: WaveHook, wave: Wave) -> Callable[[], None]:
    """The hook bound to the wave, named after the hook in the log if it fails
    (Django's robust on_commit logs the callback's ``__qualname__``)."""

    def call() -> None:
        hook(wave)

    call.__qualname__ = getattr(hook, "__qualname__", repr(hook))
    return call
