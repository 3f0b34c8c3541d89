from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "applications"
    verbose_name = _("Applications")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from applications.open_calls import calls_changed
        from applications.title_names import titles_changed

        # The open calls kept by each process follow any committed change of a call or a series.
        for model in ("applications.Call", "applications.TitleSeries"):
            for name, signal in (("save", post_save), ("delete", post_delete)):
                signal.connect(calls_changed, sender=model, dispatch_uid=f"applications.open_calls.{model}.{name}")
        # The title names kept by each process (pages in Uyghur and English) follow any committed change.
        for name, signal in (("save", post_save), ("delete", post_delete)):
            signal.connect(titles_changed, sender="applications.TitleName",
                           dispatch_uid=f"applications.title_names.{name}")
