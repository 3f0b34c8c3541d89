from django.core.management.base import BaseCommand

from supervision.demo import demo_supervision


class Command(BaseCommand):
    help = "Create the supervision demo: a supervisor's login and a past call over its ceiling (idempotent)."

    def handle(self, *args, **options):
        rows = demo_supervision()
        self.stdout.write(self.style.SUCCESS("Supervision demo ready. More logins (mobile number / password):"))
        for label, login, password in rows:
            self.stdout.write(f"  {label:<36} {login}  /  {password}")
