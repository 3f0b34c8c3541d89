from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "review"
    verbose_name = _("Review")

    def ready(self) -> None:
        from applications.hooks import register_rubric_provider
        from review.services.scoring import rubric_in_force

        register_rubric_provider(rubric_in_force)
