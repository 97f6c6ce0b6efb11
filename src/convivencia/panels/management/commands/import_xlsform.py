from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from convivencia.core.reading import BadFile
from convivencia.panels.choices import FieldUse
from convivencia.panels.importers.xlsform import import_xlsform


class Command(BaseCommand):
    help = (
        "Import an XLSForm (.xlsx or .xls, ours or one made in KoBoToolbox / ODK) as a new "
        "version of the questionnaire its form_id names. All or nothing."
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
        raw = questionnaire.field_mappings.filter(use=FieldUse.RAW).count()
        if raw:
            self.stdout.write(
                _(
                    "%(count)s field(s) of types that are not analysed (dates, places, photos, "
                    "repeats…) are kept raw."
                )
                % {"count": raw}
            )
        if not questionnaire.field_mappings.filter(use=FieldUse.RESPONDENT).exists():
            self.stdout.write(
                _(
                    "No field is named respondent: once a panel asks this questionnaire, say "
                    "which field holds the respondent code on the panel's form mapping page."
                )
            )
