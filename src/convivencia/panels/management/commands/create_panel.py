from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_slug
from django.db import transaction
from django.utils.translation import gettext as _

from convivencia.accounts import audit
from convivencia.accounts.choices import AuditAction
from convivencia.panels.models import Panel
from convivencia.panels.questionnaire_default import QuestionnaireNotFound, resolve_questionnaire
from convivencia.territories.choices import Scheme
from convivencia.territories.models import Territory

# Fixed paths under /panels/ that a panel's code must not shadow.
RESERVED_PANEL_CODES = {"map", "provider", "territory", "collect", "roster"}


class Command(BaseCommand):
    help = (
        "Create a perception panel for a territory, asking the default questionnaire or a "
        "named one. Running it again for an existing panel changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="The panel's code (letters, digits, - and _).")
        parser.add_argument(
            "--territory",
            required=True,
            metavar="SCHEME:CODE",
            help="The territory by a code, e.g. divipola:19001.",
        )
        parser.add_argument(
            "--questionnaire",
            default="default",
            metavar="default|CODE[:VERSION]",
            help="'default' (the trust and perception questionnaire, created if needed), or "
            "a questionnaire code, optionally with its version (default: latest).",
        )
        parser.add_argument("--name", default="", help="A readable name for the panel.")
        parser.add_argument(
            "--local-provider",
            default="",
            metavar="NAME",
            help="The local provider the LOCALPROV items ask about, e.g. 'la Guardia Indígena'.",
        )

    def handle(self, *args, **options) -> None:
        code = options["code"]
        try:
            validate_slug(code)
        except ValidationError as exc:
            raise CommandError(
                _("“%(code)s” cannot be a panel code: use letters, digits, “-” and “_”.")
                % {"code": code}
            ) from exc
        if code.lower() in RESERVED_PANEL_CODES:
            raise CommandError(
                _(
                    "“%(code)s” is a page of the site (/panels/%(code)s/) and cannot be a panel "
                    "code."
                )
                % {"code": code}
            )
        territory = _territory(options["territory"])
        existing = Panel.objects.filter(code=code).select_related("territory").first()
        if existing is not None:
            if existing.territory_id != territory.pk:
                raise CommandError(
                    _("Panel “%(code)s” already exists for %(territory)s; choose another code.")
                    % {"code": code, "territory": existing.territory}
                )
            self.stdout.write(
                _("Panel “%(code)s” already exists; nothing was changed.") % {"code": code}
            )
            return
        try:
            questionnaire = resolve_questionnaire(options["questionnaire"])
        except QuestionnaireNotFound as exc:
            raise CommandError(str(exc)) from exc
        with transaction.atomic():
            panel = Panel.objects.create(
                code=code,
                name=options["name"],
                territory=territory,
                questionnaire=questionnaire,
                local_provider_name=options["local_provider"],
            )
            audit.record(AuditAction.CREATE, panel)
        self.stdout.write(
            _("Created panel “%(code)s” for %(territory)s, asking %(questionnaire)s.")
            % {"code": code, "territory": territory, "questionnaire": questionnaire}
        )
        if not panel.local_provider_name:
            self.stdout.write(
                _(
                    "No local provider was named: the items about it are left out of this panel's "
                    "form until one is set (in the admin, or with --local-provider on a new panel)."
                )
            )


def _territory(spec: str) -> Territory:
    scheme, separator, code = spec.partition(":")
    if not separator or not code:
        raise CommandError(
            _("Name the territory as SCHEME:CODE, e.g. divipola:19001 (schemes: %(schemes)s).")
            % {"schemes": ", ".join(Scheme.values)}
        )
    if scheme not in Scheme.values:
        raise CommandError(
            _("Unknown code scheme “%(scheme)s” (known: %(schemes)s).")
            % {"scheme": scheme, "schemes": ", ".join(Scheme.values)}
        )
    territory = Territory.objects.with_code(scheme, code).first()
    if territory is None:
        raise CommandError(
            _(
                "No territory has the %(scheme)s code “%(code)s”. Import the territories first "
                "(convivencia import_territories)."
            )
            % {"scheme": scheme, "code": code}
        )
    return territory
