"""Supervision (R6.4, R6.7–R6.9): alerts the oversight check raises on a
committee's call, each acknowledged by a supervisor or bureau officer."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class OversightAlert(models.Model):
    """One alert per kind and call: the check that raises it is idempotent
    (the unique constraint refuses a second)."""

    class Kind(models.TextChoices):
        PASS_RATE_OVER_CEILING = "pass_rate_over_ceiling", _("Pass rate over the ceiling")
        LATE_FILING = "late_filing", _("Results not filed in time")

    class Status(models.TextChoices):
        OPEN = "open", _("Not acknowledged")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")

    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    committee = models.ForeignKey("portal.Committee", on_delete=models.CASCADE, related_name="oversight_alerts",
                                  verbose_name=_("committee"))
    call = models.ForeignKey("applications.Call", on_delete=models.CASCADE, related_name="oversight_alerts",
                             verbose_name=_("call"))
    details = models.JSONField(_("details"), default=dict, blank=True)
    raised_at = models.DateTimeField(_("raised at"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+", verbose_name=_("acknowledged by"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        verbose_name = _("oversight alert")
        verbose_name_plural = _("oversight alerts")
        constraints = [
            models.UniqueConstraint(fields=["kind", "call"], name="supervision_alert_once_per_call"),
            models.CheckConstraint(condition=Q(kind__in=["pass_rate_over_ceiling", "late_filing"]),
                                   name="supervision_alert_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=["open", "acknowledged"]),
                                   name="supervision_alert_status_valid"),
            models.CheckConstraint(condition=Q(status="open") | (Q(acknowledged_at__isnull=False) & ~Q(note="")),
                                   name="supervision_alert_ack_complete"),
        ]
        indexes = [models.Index(fields=["status", "raised_at"], name="supervision_alert_status_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.call}"
