from django.core.management.base import BaseCommand

from stats.services import stats_refresh


class Command(BaseCommand):
    help = "Recompute the statistics' aggregate tables now."

    def handle(self, *args, **options):
        refresh = stats_refresh(actor=None)
        self.stdout.write(f"{refresh.cells} cells from {refresh.source_applications} applications and "
                          f"{refresh.source_certificates} certificates in {refresh.duration_ms} ms")
