from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from convivencia.core.reading import BadFile
from convivencia.panels import services
from convivencia.panels.importers import answers as file_import
from convivencia.panels.models import Panel


class Command(BaseCommand):
    help = (
        "Import a KoBoToolbox or ODK Central export (CSV or XLSX) into a panel's monthly "
        "wave, opening the wave if needed. All or nothing unless --accept-valid."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--panel", required=True, help="The panel's code.")
        parser.add_argument("--wave", required=True, metavar="YYYY-MM", help="The month.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check every row and list every problem; write nothing.",
        )
        parser.add_argument(
            "--accept-valid",
            action="store_true",
            help="Store the valid rows even if others are rejected.",
        )
        parser.add_argument(
            "--include-rejected",
            action="store_true",
            help=(
                "Also import rows rejected in KoBoToolbox (Not Approved) or ODK Central "
                "(rejected); they are skipped and counted otherwise."
            ),
        )
        parser.add_argument(
            "--errors-file",
            type=Path,
            metavar="OUT.csv",
            help="Write the rejected rows, with a problems column, to this CSV file.",
        )

    def handle(self, *args, **options) -> None:
        panel = (
            Panel.objects.select_related("territory", "questionnaire")
            .filter(code=options["panel"])
            .first()
        )
        if panel is None:
            raise CommandError(_("No panel with code “%(code)s”.") % {"code": options["panel"]})
        try:
            period = services.parse_period(options["wave"])
            export = file_import.read_export(
                Path(options["file"]), panel, include_rejected=options["include_rejected"]
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        except BadFile as exc:
            raise CommandError(exc.summary()) from exc
        self._warn(export)
        if options["dry_run"]:
            report = file_import.check(panel, period, export)
            self._summary(report)
            self._problems(report)
            self._errors_file(report, export, options["errors_file"])
            return
        try:
            # A refused file leaves no wave opened for it: both or neither.
            with transaction.atomic():
                # The command runs as the system: the audit entry names no one.
                wave = services.open_wave(panel, options["wave"], None)
                report = file_import.import_rows(wave, export, accept_valid=options["accept_valid"])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        except file_import.ImportRefused as exc:
            self._problems(exc.report)
            self._errors_file(exc.report, export, options["errors_file"])
            raise CommandError(
                _(
                    "%(count)s row(s) rejected; nothing was imported. Correct them, or use "
                    "--accept-valid to import the others."
                )
                % {"count": len(exc.report.rejected)}
            ) from exc
        self._summary(report)
        if report.rejected:
            self._problems(report)
        self._errors_file(report, export, options["errors_file"])

    def _warn(self, export: file_import.Export) -> None:
        if export.columns.ignored:
            self.stdout.write(
                _("Ignored columns: %(columns)s") % {"columns": ", ".join(export.columns.ignored)}
            )
        for warning in export.warnings:
            self.stderr.write(_("Warning: %(problem)s") % {"problem": warning})

    def _summary(self, report: file_import.Report) -> None:
        if report.dry_run:
            line = _(
                "Dry run of %(file)s for wave %(wave)s: %(valid)s valid, %(duplicates)s "
                "duplicates, %(rejected)s rejected; nothing was written."
            )
        else:
            line = _(
                "%(file)s into wave %(wave)s: %(created)s created, %(duplicates)s duplicates, "
                "%(rejected)s rejected."
            )
        self.stdout.write(
            line
            % {
                "file": report.file,
                "wave": report.wave,
                "valid": report.valid,
                "created": report.created,
                "duplicates": report.duplicates,
                "rejected": len(report.rejected),
            }
        )
        if report.skipped_rejected:
            self.stdout.write(
                _(
                    "%(count)s row(s) rejected in KoBoToolbox or ODK Central were skipped "
                    "(--include-rejected imports them)."
                )
                % {"count": report.skipped_rejected}
            )

    def _problems(self, report: file_import.Report) -> None:
        for problem in report.problems:
            self.stderr.write(str(problem))

    def _errors_file(
        self, report: file_import.Report, export: file_import.Export, path: Path | None
    ) -> None:
        if path is None:
            return
        # call_command() passes options as given, not through the parser's type.
        path = Path(path)
        path.write_bytes(file_import.error_file_bytes(report, export))
        self.stdout.write(
            _("Rejected rows written to %(path)s (%(count)s).")
            % {"path": path, "count": len(report.rejected)}
        )
