from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from convivencia.studies.importers.codebook import import_codebook
from convivencia.studies.management.commands.export_codebook import study_of


class Command(BaseCommand):
    help = (
        "Read a REFI-QDA codebook (.qdc) into a study's codebook "
        "(codes matched by GUID, then name)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The .qdc file to read.")
        parser.add_argument("--study", type=int, required=True, dest="study_id")

    def handle(self, *args: Any, **options: Any) -> None:
        study = study_of(options["study_id"])
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            result = import_codebook(study, path.read_bytes())
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(
            f"{len(result.created)} codes created, {len(result.updated)} updated"
            + (f", {result.skipped_sets} sets skipped" if result.skipped_sets else "")
        )
