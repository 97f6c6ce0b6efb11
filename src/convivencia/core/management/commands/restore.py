from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from convivencia.core import backup


class Command(BaseCommand):
    help = (
        "Replace the whole database with a backup made by `convivencia backup`, then check "
        "that every migration is applied and the panel aggregates match the answers."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, metavar="FILE")
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation.",
        )

    def handle(self, *args, **options) -> None:
        source = Path(options["file"])
        if options["interactive"] and not self._confirmed(source):
            raise CommandError(_("Restore cancelled; nothing was changed."))
        try:
            backup.restore(source)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(_("Restored the database from %(path)s.") % {"path": source})
        pending = backup.pending_migrations()
        if pending:
            raise CommandError(
                _(
                    "The backup predates %(count)s migration(s) of this version (%(names)s): run "
                    "`convivencia migrate`, then `convivencia check_aggregates`."
                )
                % {"count": len(pending), "names": ", ".join(pending)}
            )
        call_command("check_aggregates", stdout=self.stdout, stderr=self.stderr)

    def _confirmed(self, source: Path) -> bool:
        answer = input(
            _(
                "This replaces EVERY row of the database with the contents of %(path)s; whatever "
                "was written since that backup is lost.\nType 'yes' to continue: "
            )
            % {"path": source}
        )
        return answer.strip().lower() == "yes"
