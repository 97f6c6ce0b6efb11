"""convivencia brief SCHEME:CODE YYYY-MM --lang es|pt|en --format pdf|html -o FILE"""

from __future__ import annotations

import pathlib
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from convivencia.reports import services
from convivencia.reports.choices import LANGUAGES, Audience, Format


class Command(BaseCommand):
    help = (
        "Write a territory's municipal brief for a month as PDF or HTML. The public edition "
        "unless --edition coordinator; --store also keeps it as a version."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("territory", help="SCHEME:CODE, e.g. divipola:19001")
        parser.add_argument("period", help="YYYY-MM")
        parser.add_argument("--lang", default="es", choices=LANGUAGES)
        parser.add_argument("--format", dest="kind", default=Format.PDF, choices=Format.values)
        parser.add_argument(
            "--edition", default=Audience.PUBLIC, choices=Audience.values, help="who it is for"
        )
        parser.add_argument("-o", "--output", required=True, help="the file to write")
        parser.add_argument("--store", action="store_true", help="store it as a version too")

    def handle(self, *args, **options) -> None:
        started = time.perf_counter()
        try:
            territory = services.territory_by_code(options["territory"])
            period = services.parse_period(options["period"])
        except services.BriefError as error:
            raise CommandError(str(error)) from error
        language, audience, kind = options["lang"], options["edition"], options["kind"]
        if options["store"]:
            brief, created = services.generate(
                territory, period, language, audience, with_pdf=kind == Format.PDF
            )
            html = brief.html
            content: bytes = services.pdf_of(brief) if kind == Format.PDF else html.encode()
            self.stderr.write(
                f"version {brief.version} ({'new' if created else 'unchanged'}), "
                f"hash {brief.content_hash[:12]}"
            )
        else:
            rendered = services.build(territory, period, language, audience)
            html = services.render_html(rendered)
            content = services.render_pdf(html) if kind == Format.PDF else html.encode()
        path = pathlib.Path(options["output"])
        try:
            path.write_bytes(content)
        except OSError as error:
            raise CommandError(f"cannot write {path}: {error.strerror}") from error
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"{path}: {territory.name} {period:%Y-%m} ({language}, {audience}, {kind}), "
            f"{len(content):,} bytes in {elapsed:.2f} s"
        )
