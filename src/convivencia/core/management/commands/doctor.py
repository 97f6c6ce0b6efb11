from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from convivencia.core import doctor


class Command(BaseCommand):
    help = (
        "Check that this installation can serve: database reachable, migrations applied, a "
        "worker taking jobs, the contact encryption key, collected static files and the "
        "cache. Prints what to fix; exits with status 1 when something is wrong."
    )

    def handle(self, *args, **options) -> None:
        findings = doctor.examine()
        for finding in findings:
            style = self.style.SUCCESS if finding.ok else self.style.ERROR
            mark = style(f"{_('ok') if finding.ok else _('problem'):>8}")
            self.stdout.write(f"{mark}  {finding.name}: {finding.detail}")
            if finding.fix:
                self.stdout.write(f"{'':>8}  → {finding.fix}")
        problems = sum(not finding.ok for finding in findings)
        if problems:
            raise CommandError(_("%(count)s problem(s) found.") % {"count": problems})
        self.stdout.write(_("Everything checked is in order."))
