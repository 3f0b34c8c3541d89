"""Generate, rotate and list the keys that sign certificates.

    manage.py certificate_keys generate [--algorithm EdDSA|SM2SM3]
    manage.py certificate_keys rotate   [--algorithm EdDSA|SM2SM3]
    manage.py certificate_keys list

The algorithm defaults to ``CERTIFICATE_SIGNING_ALGORITHM``. Rotation
retires the active key (its private half is wiped; its public key stays in
``/.well-known/jwks.json`` so certificates it signed keep verifying).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from certificates import services, signing
from certificates.models import SigningAlgorithm, SigningKey
from portal.errors import PortalError


class Command(BaseCommand):
    help = "Generate, rotate or list the certificate signing keys."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["generate", "rotate", "list"])
        parser.add_argument("--algorithm", choices=SigningAlgorithm.values, default=None,
                            help="EdDSA or SM2SM3 (default: CERTIFICATE_SIGNING_ALGORITHM)")

    def handle(self, *args, action: str, algorithm: str | None, **options):
        if action == "list":
            for key in SigningKey.objects.order_by("algorithm", "valid_from"):
                until = key.retired_at.isoformat(timespec="seconds") if key.retired_at else "-"
                self.stdout.write(f"{key.kid}\t{key.algorithm}\t{key.status}\t"
                                  f"{key.valid_from.isoformat(timespec='seconds')}\t{until}")
            return
        algorithm = algorithm or signing.configured_algorithm()
        try:
            if action == "generate":
                key = services.signing_key_generate(algorithm=algorithm)
            else:
                key = services.signing_key_rotate(algorithm=algorithm)
        except PortalError as error:
            raise CommandError(str(error.message))
        self.stdout.write(self.style.SUCCESS(f"{action}: {key.kid} ({key.algorithm}) is now active"))
