from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from convivencia.panels.importers.xlsform import export_xlsform, form_id, left_out_items
from convivencia.panels.models import Panel
from convivencia.panels.questionnaire_default import QuestionnaireNotFound, resolve_questionnaire


class Command(BaseCommand):
    help = (
        "Write a questionnaire as an XLSForm for KoBoToolbox or ODK. With --panel, the form is "
        "that panel's: respondents pick their code from its roster and the local provider is "
        "named."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out", type=Path, metavar="OUT.xlsx")
        parser.add_argument(
            "--questionnaire",
            metavar="CODE[:VERSION]",
            help="'default', a code (latest version) or CODE:VERSION. Defaults to the panel's.",
        )
        parser.add_argument("--panel", metavar="CODE")

    def handle(self, *args, **options) -> None:
        panel = None
        if options["panel"]:
            panel = (
                Panel.objects.select_related("questionnaire").filter(code=options["panel"]).first()
            )
            if panel is None:
                raise CommandError(_("There is no panel “%(code)s”.") % {"code": options["panel"]})
        if options["questionnaire"]:
            try:
                questionnaire = resolve_questionnaire(options["questionnaire"])
            except QuestionnaireNotFound as exc:
                raise CommandError(str(exc)) from exc
        elif panel is not None:
            questionnaire = panel.questionnaire
        else:
            raise CommandError(_("Name a questionnaire (--questionnaire) or a panel (--panel)."))
        try:
            data = export_xlsform(questionnaire, panel)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        options["out"].write_bytes(data)
        for item in left_out_items(questionnaire, panel):
            self.stdout.write(
                _("Left out %(code)s: the panel names no local provider.") % {"code": item.code}
            )
        self.stdout.write(
            _("Wrote %(file)s (form_id %(form_id)s).")
            % {
                "file": options["out"],
                "form_id": form_id(questionnaire, panel),
            }
        )
