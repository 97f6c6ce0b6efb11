"""convivencia monthly_briefs YYYY-MM [--now]: the month's briefs of every active territory."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from convivencia.reports import jobs, services


class Command(BaseCommand):
    help = (
        "Generate the briefs of every territory with a closed wave in the month (both "
        "editions, default language). Queued as a job unless --now; run monthly from cron "
        "after the waves close (closing a wave also queues its territory's briefs)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("period", help="YYYY-MM")
        parser.add_argument("--now", action="store_true", help="run here instead of queueing")

    def handle(self, *args, **options) -> None:
        try:
            period = services.parse_period(options["period"])
        except services.BriefError as error:
            raise CommandError(str(error)) from error
        if not options["now"]:
            job = jobs.enqueue_monthly(period)
            self.stdout.write(f"queued job {job.pk}")
            return
        territories = jobs.active_territories(period)

        def progress(done: int, total: int, name: str) -> None:
            if done == total or done % 50 == 0:
                self.stderr.write(f"{done}/{total} {name}")

        result = jobs.generate_month(period, territories, progress=progress)
        self.stdout.write(
            f"{result['territories']} territories: {result['created']} briefs stored, "
            f"{result['unchanged']} unchanged"
        )
