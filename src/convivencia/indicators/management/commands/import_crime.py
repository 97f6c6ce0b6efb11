import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from convivencia.core.reading import BadFile
from convivencia.indicators.choices import Source
from convivencia.indicators.importers import FORMATS, check
from convivencia.indicators.importers.common import Options, display, preview, write
from convivencia.territories.choices import Scheme


class Command(BaseCommand):
    help = (
        "Import official crime data as published (Policía Nacional, SESNSP, a tidy table or "
        "a DHIS2 data value set). The whole file is checked first; any problem refuses it "
        "and nothing is written. A newer file of the same dataset replaces the older values."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "format",
            choices=sorted(FORMATS),
            metavar="FORMAT",
            help=f"One of: {', '.join(sorted(FORMATS))}.",
        )
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and say what would change; write nothing."
        )
        parser.add_argument(
            "--source",
            choices=Source.values,
            help="Where the figures come from (each format has a default).",
        )
        parser.add_argument(
            "--element",
            metavar="CODE",
            help="Data element of a single-crime file (default: homicides).",
        )
        parser.add_argument(
            "--dataset", metavar="NAME", help="Name the dataset this file is an extraction of."
        )
        parser.add_argument(
            "--org-unit-scheme",
            choices=Scheme.values,
            help="DHIS2: the scheme of the orgUnit codes (default: dhis2).",
        )
        parser.add_argument(
            "--through",
            metavar="YYYY-MM",
            help="SESNSP: the last month the figures cover, e.g. 2025-06.",
        )

    def handle(self, *args, **options) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(_("%(file)s: no such file") % {"file": path})
        settings = Options(
            source=options["source"],
            element=options["element"],
            dataset=options["dataset"],
            org_unit_scheme=options["org_unit_scheme"],
            through=options["through"],
        )
        started = time.monotonic()
        try:
            plan = check(options["format"], path, options=settings)
        except BadFile as exc:
            raise CommandError(exc.summary()) from exc
        checked = time.monotonic() - started
        if options["dry_run"]:
            self._dry_run(plan, checked)
            return
        outcome = write(plan)
        for line in outcome.lines():
            self.stdout.write(line)
        self.stdout.write(_("Checked in %(seconds).1f s.") % {"seconds": checked})

    def _dry_run(self, plan, checked: float) -> None:
        shown = preview(plan)
        self.stdout.write(_("Dry run: nothing was written."))
        self.stdout.write(
            _("Dataset “%(dataset)s”: %(values)s values adding up to %(total)s.")
            % {
                "dataset": plan.dataset,
                "values": display(shown["values"]),
                "total": display(shown["total"]),
            }
        )
        if plan.note:
            self.stdout.write(_("Revision note: %(note)s") % {"note": plan.note})
        for note in plan.notes:
            self.stdout.write(note)
        if shown["identical"]:
            self.stdout.write(_("This very file is the current extraction: nothing would change."))
        elif shown["current"] is not None:
            summary = shown["summary"]
            self.stdout.write(
                _(
                    "It would replace extraction %(id)s (total %(old)s): %(added)s cells added, "
                    "%(changed)s changed, %(removed)s removed, %(unchanged)s unchanged."
                )
                % {
                    "id": shown["current"].pk,
                    "old": display(summary["old_total"]),
                    "added": display(summary["added"]),
                    "changed": display(summary["changed"]),
                    "removed": display(summary["removed"]),
                    "unchanged": display(summary["unchanged"]),
                }
            )
            for row in shown["differences"]:
                self.stdout.write(
                    f"  {row['territory']} {row['period']} {row['element']}: "
                    f"{_blank(row['old'])} → {_blank(row['new'])} ({row['change']:+g})"
                )
        else:
            self.stdout.write(_("It would be the dataset's first extraction."))
        self.stdout.write(_("Checked in %(seconds).1f s.") % {"seconds": checked})


def _blank(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"
