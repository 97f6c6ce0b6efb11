from django.core.management.base import BaseCommand

from convivencia import demo


class Command(BaseCommand):
    help = "Load the synthetic demo data (safe to run again) and print the demo logins."

    def handle(self, *args, **options) -> None:
        people = demo.load()
        self.stdout.write(self.style.SUCCESS("Demo data loaded. Every page now says so."))
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {demo.DEMO_PASSWORD}):")
        for person in people:
            where = ", ".join(person.territories) if person.territories else "everywhere"
            self.stdout.write(f"  {person.username:<22} {person.role:<18} {where}")
        self.stdout.write("")
