from django.core.management.base import BaseCommand

from netwerken import demo


class Command(BaseCommand):
    help = "Fills the database with the demo organisations and accounts (safe to run again)."

    def handle(self, *args, **options):
        organisations = demo.seed()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {', '.join(o.name for o in organisations)}. "
                f"Log in with any *.demo account listed on the login page, password 'buurthulp-demo'."
            )
        )
