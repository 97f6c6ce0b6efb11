from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from convivencia.studies import exchange
from convivencia.studies.management.commands.export_codebook import study_of


class Command(BaseCommand):
    help = (
        "Write a study as a REFI-QDA project (.qdpx): de-identified documents, codebook and "
        "coded segments, for QualCoder, ATLAS.ti, MAXQDA or NVivo."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("study_id", type=int)
        parser.add_argument("-o", "--output", required=True, help="The .qdpx file to write.")

    def handle(self, *args: Any, **options: Any) -> None:
        study = study_of(options["study_id"])
        Path(options["output"]).write_bytes(exchange.project_qdpx(study))
        documents = study.documents.filter(status="ready").count()
        self.stdout.write(f"{documents} de-identified documents written to {options['output']}")
