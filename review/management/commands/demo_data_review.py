from django.core.management.base import BaseCommand

from review.demo import demo_review


class Command(BaseCommand):
    help = ("Create the review demo: committee members and experts, scores, defences, a closed meeting with its "
            "results in publicity and an objection, a meeting in session (idempotent; after demo_data_applications).")

    def handle(self, *args, **options):
        rows = demo_review()
        self.stdout.write(self.style.SUCCESS("Review demo ready. More logins (mobile number / password):"))
        for label, login, password in rows:
            self.stdout.write(f"  {label:<36} {login}  /  {password}")
