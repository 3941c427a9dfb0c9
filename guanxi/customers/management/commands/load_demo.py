"""manage.py load_demo [--if-empty] [--customers N] — the demo organisation, users, customers,
their sales, service, care and market data.

Loads only into an empty database. With --if-empty it is a no-op on a database that already
has data (the run command calls it every time); without it, it refuses and says why.
"""

from django.core.management.base import BaseCommand, CommandError

from guanxi.customers.demo.loader import DEMO_USERS, demo_state, load_demo, summary


class Command(BaseCommand):
    help = "Load the demo data into an empty database."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--if-empty", action="store_true", help="do nothing if not empty")
        parser.add_argument("--customers", type=int, default=200)

    def handle(self, *args, if_empty: bool, customers: int, **options):  # type: ignore[no-untyped-def]
        state = demo_state()
        if state == "demo":
            self.stdout.write("Demo data is already loaded; nothing to do.")
            return
        if state == "other":
            if if_empty:
                self.stdout.write("The database already holds data; the demo was not loaded.")
                return
            raise CommandError(
                "Refusing to load the demo: this database already holds data that is not the "
                "demo's. Use an empty database."
            )
        result = load_demo(customers=customers)
        first, *rest = summary(result).splitlines()
        self.stdout.write(self.style.SUCCESS(first))
        for line in rest:
            self.stdout.write(line)
        self.stdout.write("Logins: " + ", ".join(u[0] for u in DEMO_USERS))
