from django.core.management.base import BaseCommand

from certificates.demo import demo_certificates


class Command(BaseCommand):
    help = "Issue the demo certificates (a batch of the demo bureau, one revoked; idempotent)."

    def handle(self, *args, **options):
        rows = demo_certificates()
        if not rows:
            self.stdout.write("No demo certificates: run `manage.py demo_data` first.")
            return
        self.stdout.write(self.style.SUCCESS("Demo certificates (try them at /verify/ with number and name):"))
        for status, number, name in rows:
            self.stdout.write(f"  {number}  {name}  ({status})")
