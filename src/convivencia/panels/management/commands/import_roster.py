from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from convivencia.panels.importers import roster
from convivencia.panels.models import Panel
from convivencia.territories.importers import run


class Command(BaseCommand):
    help = (
        "Import or update a panel's roster from a CSV (UTF-8 or Latin-1, comma or semicolon) "
        "or .xlsx: respondent_code, sex, age_band, role, area, optional replaces and from_wave "
        "(YYYY-MM), and contact columns (name, phone, email, address), which are encrypted and "
        "never printed. All or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--panel", required=True, metavar="CODE")

    def handle(self, *args, **options) -> None:
        panel = Panel.objects.filter(code=options["panel"]).first()
        if panel is None:
            raise CommandError(
                _("There is no panel “%(code)s” (create it with convivencia create_panel).")
                % {"code": options["panel"]}
            )
        report = run(lambda: roster.check(options["file"], panel), roster.write)
        for line in report.lines():
            self.stdout.write(line)
