"""Proof of a granted title (R5.3): certificates, their numbering counters,
the signing keys, verification events and issuing batches."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.models import Level


class SigningAlgorithm(models.TextChoices):
    """JWS ``alg`` values. ``SM2SM3`` is not registered with IANA: it names
    SM2 signatures (GM/T 0003) over SM3 digests with the default user ID."""

    EDDSA = "EdDSA", "EdDSA (Ed25519)"
    SM2SM3 = "SM2SM3", "SM2 with SM3"


class SigningKey(models.Model):
    """A key pair that signs certificate records. The private key is stored
    encrypted (the same Fernet key as ID numbers) and wiped on retirement;
    the public key stays published so old signatures keep verifying."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active (signs new certificates)")
        RETIRED = "retired", _("Retired (verifies only)")

    kid = models.CharField(_("key id"), max_length=64, unique=True)
    algorithm = models.CharField(_("algorithm"), max_length=16, choices=SigningAlgorithm.choices)
    public_key = models.TextField(_("public key"))
    private_key_encrypted = models.TextField(blank=True, editable=False)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    valid_from = models.DateTimeField(_("signs from"))
    retired_at = models.DateTimeField(_("signed until"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("signing key")
        verbose_name_plural = _("signing keys")
        constraints = [
            models.UniqueConstraint(fields=["algorithm"], condition=Q(status="active"),
                                    name="signing_key_one_active_per_algorithm"),
            models.CheckConstraint(condition=Q(status__in=["active", "retired"]), name="signing_key_status_valid"),
            models.CheckConstraint(condition=Q(algorithm__in=["EdDSA", "SM2SM3"]),
                                   name="signing_key_algorithm_valid"),
            models.CheckConstraint(condition=Q(status="active") | Q(retired_at__isnull=False),
                                   name="signing_key_retired_has_time"),
        ]

    def __str__(self) -> str:
        return f"{self.kid} ({self.algorithm}, {self.status})"


class NumberCounter(models.Model):
    """The last sequence number used per issuer region, year and series code.

    Locked (``select_for_update``) by every issuance and incremented in the
    same transaction as the certificate row, so numbers are gap-free: a
    rolled-back issuance rolls the counter back too.
    """

    region = models.ForeignKey("portal.Region", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    series_code = models.CharField(max_length=3)
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("certificate number counter")
        verbose_name_plural = _("certificate number counters")
        constraints = [
            models.UniqueConstraint(fields=["region", "year", "series_code"], name="number_counter_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.region_id}-{self.year}-{self.series_code}: {self.last_value}"


class Certificate(models.Model):
    """The electronic certificate of one granted title (R5.3)."""

    class Status(models.TextChoices):
        VALID = "valid", _("Valid")
        REVOKED = "revoked", _("Revoked")
        SUPERSEDED = "superseded", _("Superseded by a corrected certificate")

    class Method(models.TextChoices):
        REVIEW = "review", _("Committee review")
        RECOGNITION = "recognition", _("Recognition by assessment")
        GREEN_CHANNEL = "green_channel", _("Green channel")
        POSTDOC = "postdoc", _("Enterprise postdoc")
        CROSSOVER = "crossover", _("High-skill crossover")
        QUALIFICATION = "qualification", _("Professional qualification")

    class RevocationCategory(models.TextChoices):
        """Shown publicly; the recorded reason itself never is."""

        FRAUD = "fraud", _("Fraud or misconduct in the application")
        OBJECTION_UPHELD = "objection_upheld", _("An objection was upheld")
        ISSUED_IN_ERROR = "issued_in_error", _("Issued in error")
        OTHER = "other", _("Other reasons")

    number = models.CharField(_("certificate number"), max_length=32, unique=True)
    grant_key = models.CharField(_("granted title"), max_length=100,
                                 help_text=_("Identifies the granted title, e.g. application:42."))
    year = models.PositiveSmallIntegerField(editable=False)
    series_code = models.CharField(max_length=3, editable=False)
    serial = models.PositiveIntegerField(editable=False)

    holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="certificates",
                               verbose_name=_("holder"))
    holder_name = models.CharField(_("holder's name"), max_length=64)
    holder_id_masked = models.CharField(_("holder's ID number"), max_length=18)
    holder_id_hash = models.CharField(max_length=64, db_index=True, editable=False)

    series = models.ForeignKey("applications.TitleSeries", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("series"))
    series_name = models.CharField(_("series"), max_length=64)
    specialty = models.ForeignKey("applications.Specialty", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("specialty"))
    specialty_name = models.CharField(_("specialty"), max_length=64, blank=True)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    title_name = models.CharField(_("title"), max_length=64)
    method = models.CharField(_("method"), max_length=20, choices=Method.choices)

    granting_body_name = models.CharField(_("granting body"), max_length=128)
    # Taken at issue beside the Chinese name, for pages in English and Uyghur; neither is signed or
    # printed (certificates.granting_bodies). Empty: the pages show the Chinese.
    granting_body_name_en = models.CharField(_("granting body in English"), max_length=200, blank=True)
    granting_body_name_ug = models.CharField(_("granting body in Uyghur"), max_length=200, blank=True)
    granting_body_region = models.ForeignKey("portal.Region", on_delete=models.PROTECT, related_name="+",
                                             verbose_name=_("issuer region"))
    filing_number = models.CharField(_("filing number"), max_length=64)
    approval_number = models.CharField(_("approval number"), max_length=64)
    date_granted = models.DateField(_("date granted"))
    date_issued = models.DateField(_("date issued"))

    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.VALID)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    revocation_category = models.CharField(_("reason category (public)"), max_length=20,
                                           choices=RevocationCategory.choices, blank=True)
    revocation_reason = models.TextField(_("reason (never public)"), blank=True)
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)
    replaces = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="replaced_by", verbose_name=_("corrects certificate"))

    template_version = models.CharField(max_length=16)
    signing_key = models.ForeignKey(SigningKey, on_delete=models.PROTECT, related_name="certificates",
                                    verbose_name=_("signing key"))
    record = models.TextField(_("signed record (canonical JSON)"), editable=False)
    jws = models.TextField(_("signature (compact JWS)"), editable=False)

    qr_code_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    qr_enabled = models.BooleanField(_("QR code verification on"), default=True)

    pdf = models.FileField(_("PDF"), upload_to="certificates/", blank=True, max_length=200)
    pdf_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    pdf_generation = models.PositiveIntegerField(default=0, editable=False)
    pdf_requested_generation = models.PositiveIntegerField(default=1, editable=False)
    pdf_rendered_at = models.DateTimeField(null=True, blank=True, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date_issued", "-pk"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [
            # One live certificate per granted title; a corrected re-issue
            # supersedes the old one in the same transaction.
            models.UniqueConstraint(fields=["grant_key"], condition=~Q(status="superseded"),
                                    name="certificate_one_live_per_grant"),
            models.UniqueConstraint(fields=["granting_body_region", "year", "series_code", "serial"],
                                    name="certificate_serial_unique"),
            models.CheckConstraint(condition=Q(status__in=["valid", "revoked", "superseded"]),
                                   name="certificate_status_valid"),
            models.CheckConstraint(condition=Q(level__in=[c.value for c in Level]), name="certificate_level_valid"),
            models.CheckConstraint(
                condition=Q(method__in=["review", "recognition", "green_channel", "postdoc", "crossover",
                                        "qualification"]),
                name="certificate_method_valid"),
            models.CheckConstraint(
                condition=~Q(status="revoked") | (Q(revoked_at__isnull=False) & ~Q(revocation_category="")),
                name="certificate_revoked_has_time_and_category"),
            models.CheckConstraint(condition=~Q(status="superseded") | Q(superseded_at__isnull=False),
                                   name="certificate_superseded_has_time"),
            models.CheckConstraint(condition=Q(pdf_generation__lte=models.F("pdf_requested_generation")),
                                   name="certificate_pdf_generation_le_requested"),
        ]
        indexes = [
            models.Index(fields=["granting_body_region", "status", "date_issued"], name="certificate_region_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title_name}"

    @property
    def title_display(self) -> str:
        """The title in the page's language for pages about the certificate; the certificate itself
        (its PDF, the public verify API) keeps printing ``title_name``, the Chinese legal name. A name
        that is not the catalogue's (a reissue that corrected it) stays as it is."""
        from applications.title_names import title_in_language

        return title_in_language(series_id=self.series_id, level=self.level, stored=self.title_name,
                                 same_name_only=True)

    @property
    def series_display(self) -> str:
        """The series in the page's language for pages about the certificate (the certificate keeps
        ``series_name``): the catalogue's Uyghur or English name when the series was selected with the
        certificate and still bears the name printed; else the printed name."""
        if Certificate.series.is_cached(self) and self.series.name == self.series_name:
            return self.series.display_name
        return self.series_name

    @property
    def specialty_display(self) -> str:
        """The specialty in the page's language, as ``series_display`` names the series."""
        specialty = self.specialty if Certificate.specialty.is_cached(self) else None
        if specialty is not None and specialty.name == self.specialty_name:
            return specialty.display_name
        return self.specialty_name

    @property
    def granting_body_display(self) -> str:
        """The granting body in the page's language for pages about the certificate: the English or
        Uyghur name taken at issue, else the printed (Chinese) ``granting_body_name``, which the PDF,
        the signed record and the verify API keep."""
        from portal.models import name_in_language

        return name_in_language(self.granting_body_name, self.granting_body_name_en, self.granting_body_name_ug)

    @property
    def pdf_ready(self) -> bool:
        return bool(self.pdf) and self.pdf_generation == self.pdf_requested_generation

    @property
    def application_id(self) -> int | None:
        """The application whose result this certificate records (``grant_key`` "application:42"),
        or None for a title granted otherwise; the key itself is never shown to people."""
        kind, _sep, pk = (self.grant_key or "").partition(":")
        return int(pk) if kind == "application" and pk.isdigit() else None


class VerificationEvent(models.Model):
    """Someone checked a certificate. The holder sees when, how, and which
    enterprise if the verifier was logged in for one; nothing else is kept
    about the verifier."""

    class Channel(models.TextChoices):
        NUMBER = "number", _("Number and name")
        QR = "qr", _("QR code")
        FILE = "file", _("Uploaded file")
        API = "api", _("API")
        BULK = "bulk", _("Enterprise list upload")

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="verifications")
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    result = models.CharField(_("result"), max_length=16)
    verifier_organization = models.ForeignKey("portal.Organization", null=True, blank=True,
                                              on_delete=models.SET_NULL, related_name="+",
                                              verbose_name=_("verifying enterprise"))
    # The time of the check (not of the write: events may be written in batches, issue 15).
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("verification")
        verbose_name_plural = _("verifications")
        indexes = [models.Index(fields=["certificate", "created_at"], name="verification_cert_idx")]

    def __str__(self) -> str:
        return f"{self.certificate_id} {self.channel} {self.created_at:%Y-%m-%d %H:%M}"


class IssueBatch(models.Model):
    """The certificates of one filing (a call's results), issued by one task each."""

    region = models.ForeignKey("portal.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("issuer region"))
    label = models.CharField(_("label"), max_length=200, blank=True)
    total = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("issuing batch")
        verbose_name_plural = _("issuing batches")

    def __str__(self) -> str:
        return self.label or f"#{self.pk}"


class IssueBatchItem(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        ISSUED = "issued", _("Issued")
        FAILED = "failed", _("Failed")

    batch = models.ForeignKey(IssueBatch, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField()
    grant_key = models.CharField(max_length=100)
    spec = models.JSONField()
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    certificate = models.ForeignKey(Certificate, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    error = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    queued_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["batch", "position"]
        verbose_name = _("issuing batch item")
        verbose_name_plural = _("issuing batch items")
        constraints = [
            models.UniqueConstraint(fields=["batch", "grant_key"], name="batch_item_unique_grant"),
            models.CheckConstraint(condition=Q(state__in=["pending", "issued", "failed"]),
                                   name="batch_item_state_valid"),
        ]
        indexes = [models.Index(fields=["batch", "state"], name="batch_item_state_idx")]

    def __str__(self) -> str:
        return f"{self.batch_id}/{self.position} {self.grant_key} {self.state}"
