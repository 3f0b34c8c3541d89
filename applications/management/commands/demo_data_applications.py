from django.core.management.base import BaseCommand

from applications.demo import demo_applications


class Command(BaseCommand):
    help = "Create demo calls and applications in every state and pathway (idempotent; after demo_data's people)."

    def handle(self, *args, **options):
        rows = demo_applications()
        self.stdout.write(self.style.SUCCESS("Demo applications ready. More logins (mobile number / password):"))
        for label, login, password in rows:
            self.stdout.write(f"  {label:<36} {login}  /  {password}")
