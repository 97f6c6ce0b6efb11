from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from convivencia.panels import services
from convivencia.panels.questionnaire_default import QuestionnaireNotFound, resolve_questionnaire
from convivencia.territories.choices import Scheme
from convivencia.territories.models import Territory


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
            services.check_panel_code(code)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        territory = _territory(options["territory"])
        try:
            questionnaire = resolve_questionnaire(options["questionnaire"])
        except QuestionnaireNotFound as exc:
            raise CommandError(str(exc)) from exc
        try:
            panel = services.create_panel(
                code=code,
                territory=territory,
                questionnaire=questionnaire,
                actor=None,
                name=options["name"],
                local_provider_name=options["local_provider"],
            )
        except services.PanelExists as exc:
            if exc.panel.territory_id != territory.pk:
                raise CommandError(
                    _("Panel “%(code)s” already exists for %(territory)s; choose another code.")
                    % {"code": code, "territory": exc.panel.territory}
                ) from exc
            self.stdout.write(
                _("Panel “%(code)s” already exists; nothing was changed.") % {"code": code}
            )
            return
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
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
