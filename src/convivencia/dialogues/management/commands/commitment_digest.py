from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from convivencia.dialogues import digest, services


class Command(BaseCommand):
    help = (
        "List overdue and stalled commitments per territory and tell the territory's "
        "coordinators and the responsible organisations' members (in-app and by e-mail)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=services.STALLED_AFTER_DAYS,
            metavar="N",
            help="A commitment with no update for N days is stalled "
            f"(default {services.STALLED_AFTER_DAYS}).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="List them without telling anyone."
        )

    def handle(self, *args, **options) -> None:
        days = options["days"]
        if days < 1:
            raise CommandError("--days must be at least 1.")
        late = digest.late_commitments(timezone.localdate(), days)
        for territory, entries in late.items():
            self.stdout.write(f"{territory.name} ({len(entries)})")
            for entry in entries:
                self.stdout.write(f"  {entry.describe()}")
        if not late:
            self.stdout.write("No overdue or stalled commitment.")
            return
        if options["dry_run"]:
            self.stdout.write("Dry run: nobody was told.")
            return
        told = digest.send(late)
        self.stdout.write(self.style.SUCCESS(f"{told} people told."))
