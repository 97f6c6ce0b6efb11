from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from convivencia.core import notifications


class Command(BaseCommand):
    help = (
        "Send the daily digest: one e-mail to each person who chose a daily digest of their "
        "notifications, with those waiting since the last run. Run it once a day (cron or a "
        "systemd timer); a second run finds nothing left to send."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--site-url",
            default="",
            help="Address the links start with (default: the SITE_URL setting).",
        )

    def handle(self, *args, **options) -> None:
        run = notifications.send_digests(options["site_url"])
        self.stdout.write(
            _("Sent %(sent)d digest e-mails carrying %(count)d notifications.")
            % {"sent": run.sent, "count": run.notifications}
        )
