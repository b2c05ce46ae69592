from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from buurthulp.demo import seed


class Command(BaseCommand):
    help = "Fills the database with the demo organisations and accounts (safe to run again). DEBUG only."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="run outside DEBUG too (demo accounts share a known password)"
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "seed_demo adds accounts with a publicly known password; it runs only with DEBUG=1. "
                "Use --force if you really want it on this database."
            )
        organisations = seed.seed()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {', '.join(o.name for o in organisations)}. "
                f"Log in with any *.demo account listed on the login page, password '{settings.DEMO_PASSWORD}'."
            )
        )
