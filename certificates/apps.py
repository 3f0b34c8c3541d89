from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "certificates"
    verbose_name = _("Certificates")

    def ready(self):
        from django.db.models.signals import post_migrate, post_save

        from certificates.public_records import on_certificate_saved
        from certificates.services import clear_reference_cache

        post_migrate.connect(clear_reference_cache, dispatch_uid="certificates.clear_reference_cache")
        post_save.connect(on_certificate_saved, sender="certificates.Certificate",
                          dispatch_uid="certificates.public_record")
