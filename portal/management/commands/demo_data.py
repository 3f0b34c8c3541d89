from django.core.management import call_command
from django.core.management.base import BaseCommand

from portal.demo import demo_people


class Command(BaseCommand):
    help = "Create demo organisations and one login per role (idempotent)."

    def handle(self, *args, **options):
        call_command("seed_reference_data", verbosity=0)
        rows = demo_people()
        self.stdout.write(self.style.SUCCESS("Demo logins (mobile number / password):"))
        for label, login, password in rows:
            self.stdout.write(f"  {label:<36} {login}  /  {password}")
        # Applications in every state and pathway (the applications app, a layer above, by command name).
        call_command("demo_data_applications", stdout=self.stdout)
        # Experts, defences, meetings and publicity on the demo call (the review app, by command name).
        call_command("demo_data_review", stdout=self.stdout)
        call_command("demo_data_certificates", stdout=self.stdout)
        # The layers above, again by command name: a supervisor and a call over its
        # pass-rate ceiling, then the statistics' aggregate tables from all of it.
        call_command("demo_data_supervision", stdout=self.stdout)
        call_command("refresh_stats", stdout=self.stdout)
