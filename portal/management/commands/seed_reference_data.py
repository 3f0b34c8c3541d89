from django.core.management.base import BaseCommand

from applications.eligibility import eligibility_seed
from applications.services import catalogue_seed
from portal.services import regions_seed


class Command(BaseCommand):
    help = "Load regions, HR bureaus, role groups and the title catalogue (idempotent)."

    def handle(self, *args, **options):
        regions = regions_seed()
        counts = catalogue_seed()
        eligibility = eligibility_seed()
        self.stdout.write(self.style.SUCCESS(
            f"regions: {regions}; series: {counts['series']}; titles: {counts['titles']}; "
            f"specialties: {counts['specialties']}; qualifications: {counts['qualifications']}"))
        self.stdout.write(f"eligibility conditions added: {eligibility['routes']} routes, "
                          f"{eligibility['requirements']} requirements")
