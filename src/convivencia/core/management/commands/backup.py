from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from convivencia.core import backup


class Command(BaseCommand):
    help = (
        "Write a consistent copy of the database while the site runs: SQLite through its "
        "online backup API, PostgreSQL with pg_dump -Fc. The contact-data encryption key "
        "and uploaded files are not in it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            metavar="FILE",
            help="Where to write (default: convivencia-YYYY-MM-DD-HHMMSS.sqlite3 or .dump "
            "in the current directory).",
        )
        parser.add_argument("--force", action="store_true", help="Replace FILE if it exists.")

    def handle(self, *args, **options) -> None:
        try:
            output = Path(options["output"]) if options["output"] else backup.default_path()
            written = backup.backup(output, force=options["force"])
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            _("Backup written to %(path)s (%(size)s bytes).")
            % {
                "path": written,
                "size": written.stat().st_size,
            }
        )
        self.stdout.write(
            _(
                "Keep CONTACT_ENCRYPTION_KEY safe and apart from it: without the key the "
                "respondents' contact data in this backup cannot be read."
            )
        )
