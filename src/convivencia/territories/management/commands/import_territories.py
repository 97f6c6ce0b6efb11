from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from convivencia.territories.importers import divipola, ibge, inegi, iso3166, run, writer


class Command(BaseCommand):
    help = (
        "Import countries and regions (ISO 3166, from pycountry) or a national office's "
        "regions and municipalities (DANE DIVIPOLA, INEGI, IBGE). All or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sources = parser.add_subparsers(dest="source", required=True, metavar="SOURCE")
        iso = sources.add_parser("iso3166", help="Countries and first-level subdivisions.")
        iso.add_argument(
            "--country",
            action="append",
            default=[],
            metavar="ALPHA2",
            help="Import this country and its first-level subdivisions (repeatable).",
        )
        iso.add_argument(
            "--with-regions",
            action="store_true",
            help="With no --country: also import every country's first-level subdivisions.",
        )
        for name, label in (
            ("divipola", "DANE DIVIPOLA / MGN table (Colombia)"),
            ("inegi", "INEGI states or municipalities (Mexico)"),
            ("ibge", "IBGE states or municipalities (Brazil)"),
        ):
            sub = sources.add_parser(name, help=f"{label}: CSV, .xlsx or .xls.")
            sub.add_argument("file", type=Path)

    def handle(self, *args, **options) -> None:
        source = options["source"]
        if source == "iso3166":
            report = run(
                lambda: iso3166.check(options["country"], with_regions=options["with_regions"]),
                iso3166.write,
            )
        else:
            module = {"divipola": divipola, "inegi": inegi, "ibge": ibge}[source]
            report = run(lambda: module.check(options["file"]), writer.write_territories)
        for line in report.lines():
            self.stdout.write(line)
