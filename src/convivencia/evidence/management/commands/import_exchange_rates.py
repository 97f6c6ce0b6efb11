"""``convivencia import_exchange_rates FILE``: yearly rates from the World Bank (PA.NUS.FCRF).

Download "Official exchange rate (LCU per US$, period average)" as CSV from
data.worldbank.org and pass the ``API_PA.NUS.FCRF_DS2_…csv`` file. Budgets in the
currencies and years that got a rate are converted to US dollars again.
See ``convivencia.evidence.budgets`` for how countries map to currencies.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from convivencia.accounts import audit
from convivencia.accounts.choices import AuditAction
from convivencia.core.reading import BadFile
from convivencia.evidence import budgets


class Command(BaseCommand):
    help = "Import World Bank official exchange rates (PA.NUS.FCRF) and refresh budgets in USD."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file and write nothing.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            plan = budgets.check(options["file"])
        except BadFile as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                _("%(count)s problem(s) found; nothing was imported.")
                % {"count": len(exc.problems)}
            ) from exc
        if options["dry_run"]:
            currencies = sorted({currency for currency, _year in plan.rates})
            self.stdout.write(
                _(
                    "Dry run, nothing written: %(rates)s rates for %(currencies)s currencies "
                    "(%(codes)s)."
                )
                % {
                    "rates": len(plan.rates),
                    "currencies": len(currencies),
                    "codes": ", ".join(currencies),
                }
            )
            for note in plan.notes:
                self.stdout.write(note)
            return
        report = budgets.write(plan)
        audit.record(
            AuditAction.IMPORT,
            object_type="evidence.exchangerate",
            object_repr=plan.file,
            changes={
                outcome: report.total(outcome) for outcome in ("created", "updated", "unchanged")
            },
        )
        for line in report.lines():
            self.stdout.write(line)
