from datetime import timedelta

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from convivencia.core.startup import settle_heap
from convivencia.jobs import retention
from convivencia.jobs.services import fail_abandoned


class Command(BaseCommand):
    help = "Run background jobs (imports, PDFs, rebuilds) until stopped."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls.")
        parser.add_argument(
            "--batch", action="store_true", help="Run the jobs waiting now, then exit."
        )
        parser.add_argument(
            "--stale-after",
            type=int,
            default=600,
            help="Seconds of silence after which a running job counts as abandoned.",
        )

    def handle(self, *args, **options) -> None:
        failed = fail_abandoned(timedelta(seconds=options["stale_after"]))
        if failed:
            self.stderr.write(f"{failed} abandoned job(s) marked as failed.")
        # Every start of the worker is also a chance to drop uploads past their retention,
        # so a site without cron still forgets them.
        purged = retention.purge(
            staged_older_than=timedelta(hours=24),
            jobs_older_than=timedelta(days=settings.UPLOAD_RETENTION_DAYS),
        )
        if purged.files:
            self.stderr.write(f"{purged.files} upload(s) past their retention deleted.")
        settle_heap()
        worker_options = {"interval": options["interval"], "verbosity": options["verbosity"]}
        if options["batch"]:
            worker_options["batch"] = True
        call_command("db_worker", **worker_options)
