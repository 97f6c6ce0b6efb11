from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from convivencia.territories.choices import Scheme
from convivencia.territories.importers import boundaries, run


class Command(BaseCommand):
    help = (
        "Import boundaries from TopoJSON (every object in it) or a GeoJSON FeatureCollection, "
        "matching features to territories by code. All or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--scheme",
            required=True,
            choices=Scheme.values,
            help="The code scheme the file's codes are in.",
        )
        parser.add_argument(
            "--property",
            dest="code_property",
            metavar="NAME",
            help="The feature property holding the code (default: found among known names "
            f"such as {', '.join(boundaries.CODE_PROPERTIES[:4])}…).",
        )

    def handle(self, *args, **options) -> None:
        report = run(
            lambda: boundaries.check(
                options["file"], scheme=options["scheme"], code_property=options["code_property"]
            ),
            boundaries.write,
        )
        for line in report.lines():
            self.stdout.write(line)
