from django.core.management.base import BaseCommand, CommandError, CommandParser

from convivencia.panels import aggregates
from convivencia.panels.models import Wave


class Command(BaseCommand):
    help = "Prove that the stored aggregates match a fresh computation from the raw answers."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--panel", help="Only this panel (code).")

    def handle(self, *args, **options) -> None:
        waves = Wave.objects.select_related("panel")
        if options["panel"]:
            waves = waves.filter(panel__code=options["panel"])
        problems = aggregates.mismatches(list(waves))
        if problems:
            for problem in problems[:50]:
                self.stderr.write(problem)
            raise CommandError(
                f"{len(problems)} aggregate rows differ from the raw answers; "
                "run `convivencia rebuild_aggregates`."
            )
        self.stdout.write(f"All aggregates of {waves.count()} waves match the raw answers.")
