import datetime
from argparse import ArgumentParser, ArgumentTypeError

from django.core.management.base import BaseCommand

from convivencia import demo
from convivencia.core import demo_clock


def _day(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as exc:
        raise ArgumentTypeError(f"{text!r} is not a date written YYYY-MM-DD") from exc


class Command(BaseCommand):
    help = "Load the synthetic demo data (safe to run again) and print the demo logins."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--today",
            type=_day,
            default=None,
            help=(
                "Build the demo as if today were this date (YYYY-MM-DD): its open wave is "
                "that month. Default: the real today."
            ),
        )

    def handle(self, *args, **options) -> None:
        with demo_clock.frozen(options["today"]) as today:
            people = demo.load()
        self.stdout.write(self.style.SUCCESS("Demo data loaded. Every page now says so."))
        self.stdout.write(
            f"The demo's today: {today:%Y-%m-%d}; its open panel wave: {today:%Y-%m}."
        )
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {demo.DEMO_PASSWORD}):")
        for person in people:
            where = ", ".join(person.territories) if person.territories else "everywhere"
            self.stdout.write(f"  {person.username:<22} {person.role:<18} {where}")
        self.stdout.write("")
