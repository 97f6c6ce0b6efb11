"""``convivencia import_interventions FILE``: interventions from a curator's spreadsheet.

Always check first with ``--dry-run``: it lists every problem by row and column
and writes nothing. The real run checks again and then writes all rows or none.
See ``convivencia.evidence.importers.interventions`` for the columns and the rules.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from convivencia.accounts import access
from convivencia.accounts.models import User
from convivencia.core.reading import BadFile
from convivencia.evidence import services
from convivencia.evidence.importers import interventions as importer


class Command(BaseCommand):
    help = "Import interventions from a CSV, .xlsx or .xls file (re-imports update by external_id)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the whole file and list every problem; write nothing.",
        )
        parser.add_argument(
            "--user",
            help="Username recorded as the author of the changes in the history.",
        )
        parser.add_argument(
            "--publish",
            action="store_true",
            help="Trusted source: review and publish every row in the name of --user, who "
            "must be an administrator. Without it rows arrive as drafts.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = self._user(options["user"], options["publish"])
        try:
            plan = importer.check(options["file"], publish=options["publish"])
        except BadFile as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                _("%(count)s problem(s) found; nothing was imported.")
                % {"count": len(exc.problems)}
            ) from exc
        counts = plan.outcomes()
        for note in plan.notes():
            self.stdout.write(note)
        if options["dry_run"]:
            self.stdout.write(
                _("Dry run, nothing written. The import would have: %s")
                % (_("created %(created)s, updated %(updated)s, unchanged %(unchanged)s") % counts)
            )
            return
        report = importer.write(plan, actor=user)
        for line in report.lines():
            self.stdout.write(line)

    def _user(self, username: str | None, publish: bool) -> User | None:
        if not username:
            if publish:
                raise CommandError(
                    _("--publish needs --user: the administrator who vouches for the source.")
                )
            return None
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(_("No active user “%(name)s”.") % {"name": username})
        if not services.can_edit(user):
            raise CommandError(
                _("%(name)s is not an editor of the evidence registry.") % {"name": username}
            )
        if publish and not access.is_administrator(user):
            raise CommandError(_("Only an administrator can import rows as published."))
        return user
