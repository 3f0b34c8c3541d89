from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "supervision"
    verbose_name = _("Supervision")

    def ready(self) -> None:
        from review.signals import meeting_closed
        from supervision.tasks import check_after_meeting

        meeting_closed.connect(check_after_meeting, dispatch_uid="supervision-check-after-meeting")
