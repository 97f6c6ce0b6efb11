from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from convivencia.studies import exchange
from convivencia.studies.models import Study


def study_of(study_id: int) -> Study:
    study = Study.objects.filter(pk=study_id).first()
    if study is None:
        raise CommandError(f"No study has the id {study_id}.")
    return study


class Command(BaseCommand):
    help = "Write a study's codebook as a REFI-QDA codebook (.qdc)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("study_id", type=int)
        parser.add_argument("-o", "--output", required=True, help="The .qdc file to write.")

    def handle(self, *args: Any, **options: Any) -> None:
        study = study_of(options["study_id"])
        if not study.codes.exists():
            raise CommandError("The study's codebook is empty: REFI-QDA needs one code at least.")
        Path(options["output"]).write_bytes(exchange.codebook_qdc(study))
        self.stdout.write(f"{study.codes.count()} codes written to {options['output']}")
