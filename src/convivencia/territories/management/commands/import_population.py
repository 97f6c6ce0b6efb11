from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from convivencia.territories.importers import population, run


class Command(BaseCommand):
    help = (
        "Import population figures: DANE municipal projections (with department and national "
        "sums) or World Bank country totals. All or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sources = parser.add_subparsers(dest="source", required=True, metavar="SOURCE")
        dane = sources.add_parser("dane", help="DANE municipal projections: CSV, .xlsx, .xls.")
        dane.add_argument("file", type=Path)
        dane.add_argument("--sheet", help="The workbook sheet to read (default: the first).")
        world_bank = sources.add_parser("worldbank", help="World Bank SP.POP.TOTL, tidy CSV.")
        world_bank.add_argument("file", type=Path)

    def handle(self, *args, **options) -> None:
        if options["source"] == "dane":
            report = run(
                lambda: population.check_dane(options["file"], sheet=options["sheet"]),
                population.write,
            )
        else:
            report = run(lambda: population.check_world_bank(options["file"]), population.write)
        for line in report.lines():
            self.stdout.write(line)
