from django.core.management.base import BaseCommand, CommandParser

from convivencia.panels import aggregates
from convivencia.panels.models import Wave


class Command(BaseCommand):
    help = "Recompute the panel aggregates from the raw answers."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--panel", help="Only this panel (code).")

    def handle(self, *args, **options) -> None:
        waves = Wave.objects.select_related("panel")
        if options["panel"]:
            waves = waves.filter(panel__code=options["panel"])
        rows = aggregates.rebuild(list(waves))
        self.stdout.write(f"Rebuilt {rows} aggregate rows for {waves.count()} waves.")
