from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from convivencia.jobs import retention


def positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Delete uploads nobody needs any more: files staged for a dry run and never "
        "imported, and the uploaded and error files of jobs finished long ago."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--staged-hours",
            type=positive,
            default=24,
            help="Delete staged files older than this many hours (default 24).",
        )
        parser.add_argument(
            "--job-days",
            type=positive,
            default=None,
            help="Delete the files of jobs finished more than this many days ago "
            "(default: UPLOAD_RETENTION_DAYS).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be deleted; delete nothing."
        )

    def handle(self, *args, **options) -> None:
        days = options["job_days"] or settings.UPLOAD_RETENTION_DAYS
        try:
            purged = retention.purge(
                staged_older_than=timedelta(hours=options["staged_hours"]),
                jobs_older_than=timedelta(days=days),
                dry_run=options["dry_run"],
            )
        except OSError as exc:
            raise CommandError(f"Could not read or delete an upload: {exc}") from exc
        verb = "Would delete" if options["dry_run"] else "Deleted"
        for name in purged.staged + purged.job_files:
            self.stdout.write(f"  {name}")
        self.stdout.write(
            f"{verb} {len(purged.staged)} staged file(s) and {len(purged.job_files)} "
            f"file(s) of {purged.jobs} job(s) finished more than {days} days ago."
        )
