from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from convivencia.core.reading import BadFile
from convivencia.panels.importers.xlsform import import_xlsform


class Command(BaseCommand):
    help = (
        "Import an XLSForm (.xlsx) as a new version of the questionnaire its form_id names. "
        "All or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args, **options) -> None:
        try:
            questionnaire = import_xlsform(options["file"])
        except BadFile as exc:
            raise CommandError(exc.summary()) from exc
        self.stdout.write(
            _("Imported questionnaire %(code)s version %(version)s with %(count)s items.")
            % {
                "code": questionnaire.code,
                "version": questionnaire.version,
                "count": questionnaire.items.count(),
            }
        )
