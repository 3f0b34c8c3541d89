"""Fraud reports and integrity cases (R6.3).

Anyone reports suspected fraud on a certificate or an application (a
publicity entry); a supervisor triages the reports, opens a case from one or
more of them, investigates (notes, evidence) and decides with recorded
reasons. An upheld case revokes the title and its certificate, creates the
person's integrity record (``portal.IntegrityRecord``) and may sanction the
committee or cancel an expert. The public knows a report only by its
tracking reference, which is stored hashed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

USER = settings.AUTH_USER_MODEL


class TargetKind(models.TextChoices):
    CERTIFICATE = "certificate", _("Certificate")
    APPLICATION = "application", _("Application (result publicity)")


def _title_display(obj) -> str:
    """``title_name`` (copied from the certificate or application reported) in the page's language,
    from the certificate's or application's series and level when it was selected with the row
    (``integrity.selectors`` does); a name that is not the catalogue's stays as it is."""
    from applications.title_names import title_in_language

    for field in ("certificate", "application"):
        if getattr(obj, f"{field}_id") and obj._meta.get_field(field).is_cached(obj):
            source = getattr(obj, field)
            return title_in_language(series_id=source.series_id, level=source.level, stored=obj.title_name,
                                     same_name_only=True)
    return obj.title_name


class FraudCase(models.Model):
    """An investigation of one person's title or application."""

    class Status(models.TextChoices):
        # Its own context: the invitation's "Open" reads 待接受 (awaiting acceptance), which a case is not.
        OPEN = "open", pgettext_lazy("fraud case", "Open")
        INVESTIGATING = "investigating", _("Under investigation")
        UPHELD = "upheld", _("Upheld: fraud established")
        NOT_UPHELD = "not_upheld", _("Not upheld")
        CLOSED = "closed", _("Closed without a finding")

    subject = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="fraud_cases",
                                verbose_name=_("person concerned"))
    region = models.ForeignKey("portal.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("region"))
    certificate = models.ForeignKey("certificates.Certificate", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("certificate"))
    application = models.ForeignKey("applications.Application", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("application"))
    committee = models.ForeignKey("portal.Committee", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("committee"))
    title_name = models.CharField(_("title"), max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    opened_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(_("opened at"))
    decision_reason = models.TextField(_("reasons for the decision"), blank=True)
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    integrity_record = models.OneToOneField("portal.IntegrityRecord", null=True, blank=True,
                                            on_delete=models.PROTECT, related_name="fraud_case")
    committee_sanction = models.ForeignKey("review.CommitteeSanction", null=True, blank=True,
                                           on_delete=models.PROTECT, related_name="+")
    experts_cancelled = models.ManyToManyField("review.ExpertProfile", blank=True, related_name="+",
                                               verbose_name=_("experts whose qualification is cancelled"))

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("fraud case")
        verbose_name_plural = _("fraud cases")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["open", "investigating", "upheld", "not_upheld", "closed"]),
                name="integrity_case_status_valid"),
            models.CheckConstraint(condition=Q(certificate__isnull=False) | Q(application__isnull=False),
                                   name="integrity_case_has_target"),
            # A decision always has its recorded reasons, its author and time.
            models.CheckConstraint(
                condition=Q(status__in=["open", "investigating"])
                | (~Q(decision_reason="") & Q(decided_by__isnull=False) & Q(decided_at__isnull=False)),
                name="integrity_case_decision_has_reason"),
            models.CheckConstraint(condition=~Q(status="upheld") | Q(integrity_record__isnull=False),
                                   name="integrity_case_upheld_has_record"),
        ]
        indexes = [models.Index(fields=["status", "id"], name="integrity_case_status_idx"),
                   models.Index(fields=["region", "id"], name="integrity_case_region_idx")]

    def __str__(self) -> str:
        return self.reference

    @property
    def title_display(self) -> str:
        return _title_display(self)

    @property
    def reference(self) -> str:
        return f"IC-{self.opened_at:%Y}-{self.pk:06d}" if self.pk and self.opened_at else "IC-new"


class FraudReport(models.Model):
    """One report from the public. Who reported is not known beyond an
    optional contact (stored encrypted, shown masked) and a keyed hash of the
    address (for abuse only)."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        IN_CASE = "in_case", _("Taken into a case")
        DISMISSED = "dismissed", _("Dismissed")

    reference_hash = models.CharField(max_length=64, unique=True, editable=False)
    target_kind = models.CharField(_("reported"), max_length=12, choices=TargetKind.choices)
    certificate = models.ForeignKey("certificates.Certificate", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("certificate"))
    application = models.ForeignKey("applications.Application", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("application"))
    subject = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("person concerned"))
    region = models.ForeignKey("portal.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    title_name = models.CharField(_("title"), max_length=64, blank=True)
    description = models.TextField(_("what is suspected"))
    contact_encrypted = models.TextField(blank=True, editable=False)
    contact_masked = models.CharField(_("reporter's contact"), max_length=64, blank=True, editable=False)
    source = models.CharField(max_length=32, blank=True, editable=False)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.RECEIVED)
    case = models.ForeignKey(FraudCase, null=True, blank=True, on_delete=models.PROTECT, related_name="reports")
    dismiss_reason = models.TextField(_("reason for dismissal"), blank=True)
    dismissed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    dismissed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("fraud report")
        verbose_name_plural = _("fraud reports")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["received", "in_case", "dismissed"]),
                                   name="integrity_report_status_valid"),
            models.CheckConstraint(condition=Q(target_kind__in=["certificate", "application"]),
                                   name="integrity_report_kind_valid"),
            models.CheckConstraint(
                condition=(Q(target_kind="certificate") & Q(certificate__isnull=False))
                | (Q(target_kind="application") & Q(application__isnull=False)),
                name="integrity_report_has_target"),
            models.CheckConstraint(condition=~Q(status="in_case") | Q(case__isnull=False),
                                   name="integrity_report_in_case_has_case"),
            models.CheckConstraint(condition=~Q(status="dismissed") | ~Q(dismiss_reason=""),
                                   name="integrity_report_dismissal_has_reason"),
        ]
        indexes = [models.Index(fields=["status", "id"], name="integrity_report_status_idx")]

    def __str__(self) -> str:
        return f"R-{self.pk}"

    @property
    def title_display(self) -> str:
        return _title_display(self)


def _evidence_path(instance, filename: str) -> str:
    import secrets

    return f"integrity/{instance.folder}/{secrets.token_hex(16)}.{instance.extension}"


class Evidence(models.Model):
    """A file attached to a report (by the reporter) or to a case (by a
    supervisor); judged by content, served only to who may read the case."""

    report = models.ForeignKey(FraudReport, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="evidence")
    case = models.ForeignKey(FraudCase, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("file"), upload_to=_evidence_path, max_length=200)
    content_type = models.CharField(max_length=32)
    size = models.PositiveIntegerField()
    name = models.CharField(_("file name"), max_length=100)
    uploaded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        constraints = [models.CheckConstraint(condition=Q(report__isnull=False) | Q(case__isnull=False),
                                              name="integrity_evidence_has_owner")]

    def __str__(self) -> str:
        return self.name

    @property
    def folder(self) -> str:
        return "cases" if self.case_id else "reports"

    @property
    def extension(self) -> str:
        return {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}.get(self.content_type, "bin")


class CaseNote(models.Model):
    case = models.ForeignKey(FraudCase, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("case note")
        verbose_name_plural = _("case notes")
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="integrity_note_not_empty")]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.text[:40]}"
