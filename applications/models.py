"""What is applied for: the title catalogue (series, specialty, level, title
name) and professional qualifications that correspond to titles (R4.7)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from applications.choices import Channel, Education, Pathway, SkillLevel
from portal.models import name_in_language
from portal.personal_data import EncryptedContact


class Level(models.TextChoices):
    """Title levels; codes are stable (domain.md)."""

    ASSISTANT_JUNIOR = "assistant_junior", _("Assistant junior")
    JUNIOR = "junior", _("Junior")
    INTERMEDIATE = "intermediate", _("Intermediate")
    DEPUTY_SENIOR = "deputy_senior", _("Deputy senior")
    SENIOR = "senior", _("Senior")

    @classmethod
    def rank(cls, code: str | None) -> int:
        """0 for none, 1 for assistant junior … 5 for senior."""
        if not code:
            return 0
        return [c.value for c in cls].index(code) + 1


class TitleSeries(models.Model):
    """职称系列: one of the 27 national series."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=64)
    name_en = models.CharField(_("English name"), max_length=128, blank=True)
    name_ug = models.CharField(_("Uyghur name"), max_length=128, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("title series")
        verbose_name_plural = _("title series")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return name_in_language(self.name, self.name_en, self.name_ug)


class Specialty(models.Model):
    """专业 within a series. The regional bureau adds new ones (R3.4)."""

    series = models.ForeignKey(TitleSeries, on_delete=models.PROTECT, related_name="specialties",
                               verbose_name=_("series"))
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=64)
    name_en = models.CharField(_("English name"), max_length=128, blank=True)
    name_ug = models.CharField(_("Uyghur name"), max_length=128, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    added_by_region = models.ForeignKey("portal.Region", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+", verbose_name=_("added by (region)"),
                                        help_text=_("Empty for national specialties; "
                                                    "set when a bureau adds one (R3.4)."))

    class Meta:
        ordering = ["series__order", "name"]
        verbose_name = _("specialty")
        verbose_name_plural = _("specialties")
        constraints = [models.UniqueConstraint(fields=["series", "code"], name="specialty_code_unique_in_series")]

    def __str__(self) -> str:
        return f"{self.series.display_name} · {self.display_name}"

    @property
    def display_name(self) -> str:
        return name_in_language(self.name, self.name_en, self.name_ug)


class TitleName(models.Model):
    """The title's name at one level of a series (工程师 = engineering, intermediate)."""

    series = models.ForeignKey(TitleSeries, on_delete=models.CASCADE, related_name="titles",
                               verbose_name=_("series"))
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    rank = models.PositiveSmallIntegerField(editable=False, default=0)
    name = models.CharField(_("title"), max_length=64)
    name_en = models.CharField(_("English name"), max_length=128, blank=True)
    name_ug = models.CharField(_("Uyghur name"), max_length=128, blank=True,
                               help_text=_("Printed under the Chinese title on bilingual certificates."))

    class Meta:
        ordering = ["series__order", "rank"]
        verbose_name = _("title name")
        verbose_name_plural = _("title names")
        constraints = [
            models.UniqueConstraint(fields=["series", "level"], name="title_name_unique_level"),
            models.CheckConstraint(condition=Q(level__in=[c.value for c in Level]), name="title_name_level_valid"),
        ]

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args, **kwargs):
        self.rank = Level.rank(self.level)
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        return name_in_language(self.name, self.name_en, self.name_ug)


class Qualification(models.Model):
    """A professional qualification that counts as a title level (R4.7)."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=64)
    name_en = models.CharField(_("English name"), max_length=128, blank=True)
    name_ug = models.CharField(_("Uyghur name"), max_length=128, blank=True)
    series = models.ForeignKey(TitleSeries, on_delete=models.PROTECT, related_name="qualifications",
                               verbose_name=_("series"))
    level = models.CharField(_("corresponding level"), max_length=20, choices=Level.choices)

    class Meta:
        ordering = ["series__order", "level", "name"]
        verbose_name = _("professional qualification")
        verbose_name_plural = _("professional qualifications")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return name_in_language(self.name, self.name_en, self.name_ug)


# --- Profile, entered once and reused (R5.1) -----------------------------

class EducationRecord(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="education_records")
    level = models.CharField(_("education"), max_length=24, choices=Education.choices)
    school = models.CharField(_("school"), max_length=128)
    major = models.CharField(_("major"), max_length=128)
    graduated_on = models.DateField(_("graduation date"))
    full_time = models.BooleanField(_("full-time"), default=True)

    class Meta:
        ordering = ["-graduated_on"]
        verbose_name = _("education")
        verbose_name_plural = _("education")
        constraints = [models.CheckConstraint(condition=Q(level__in=Education.values), name="education_level_valid")]

    def __str__(self) -> str:
        return f"{self.get_level_display()} · {self.school}"


class WorkRecord(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="work_records")
    employer_name = models.CharField(_("employer"), max_length=128)
    position = models.CharField(_("position"), max_length=64, blank=True)
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    duties = models.TextField(_("duties"), blank=True)

    class Meta:
        ordering = ["-started_on"]
        verbose_name = _("work history")
        verbose_name_plural = _("work history")
        constraints = [models.CheckConstraint(
            condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
            name="work_record_period_valid",
            violation_error_message=_("The end date cannot be before the start date."))]

    def __str__(self) -> str:
        return self.employer_name


class TitleHeld(models.Model):
    """A title the person holds; titles granted by the portal appear by themselves."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="titles_held")
    series = models.ForeignKey(TitleSeries, on_delete=models.PROTECT, related_name="+", verbose_name=_("series"))
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    title_name = models.CharField(_("title"), max_length=64)
    granted_on = models.DateField(_("date granted"))
    certificate_number = models.CharField(_("certificate number"), max_length=64, blank=True)
    granting_body = models.CharField(_("granting body"), max_length=128, blank=True)
    granted_by_portal = models.BooleanField(_("granted through this portal"), default=False, editable=False)

    class Meta:
        ordering = ["-granted_on"]
        verbose_name = _("title held")
        verbose_name_plural = _("titles held")

    def __str__(self) -> str:
        return self.title_name

    @property
    def title_display(self) -> str:
        """The title in the page's language when it is the catalogue's (a name typed otherwise stays)."""
        from applications.title_names import title_in_language

        return title_in_language(series_id=self.series_id, level=self.level, stored=self.title_name,
                                 same_name_only=True)


class SkillRecord(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="skill_records")
    level = models.CharField(_("skill level"), max_length=20, choices=SkillLevel.choices)
    occupation = models.CharField(_("occupation"), max_length=64)
    obtained_on = models.DateField(_("date obtained"))
    certificate_number = models.CharField(_("certificate number"), max_length=64, blank=True)

    class Meta:
        ordering = ["-obtained_on"]
        verbose_name = _("vocational skill level")
        verbose_name_plural = _("vocational skill levels")

    def __str__(self) -> str:
        return f"{self.get_level_display()} · {self.occupation}"


class QualificationHeld(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="qualifications_held")
    qualification = models.ForeignKey(Qualification, on_delete=models.PROTECT, related_name="+",
                                      verbose_name=_("qualification"))
    obtained_on = models.DateField(_("date obtained"))
    certificate_number = models.CharField(_("certificate number"), max_length=64, blank=True)

    class Meta:
        ordering = ["-obtained_on"]
        verbose_name = _("professional qualification held")
        verbose_name_plural = _("professional qualifications held")

    def __str__(self) -> str:
        return str(self.qualification)


class ContinuingEducation(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="continuing_education")
    year = models.PositiveSmallIntegerField(_("year"))
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=1)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("continuing education")
        verbose_name_plural = _("continuing education")
        constraints = [
            models.UniqueConstraint(fields=["user", "year"], name="continuing_education_one_per_year"),
            models.CheckConstraint(condition=Q(hours__gte=0), name="continuing_education_hours_not_negative",
                                   violation_error_message=_("The hours cannot be negative.")),
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.hours}"


# --- Calls (申报批次) -------------------------------------------------------

class Call(models.Model):
    """A committee's or a bureau's round of applications.

    ``name`` is the official Chinese name (audit trail, publicity titles, exports); pages and
    notifications show ``display_name``, the English or Uyghur name when one is given."""

    name = models.CharField(_("name"), max_length=128)
    name_en = models.CharField(_("English name"), max_length=128, blank=True,
                               help_text=_("Optional: shown to people reading the portal in English."))
    name_ug = models.CharField(_("Uyghur name"), max_length=128, blank=True,
                               help_text=_("Optional: shown to people reading the portal in Uyghur."))
    committee = models.ForeignKey("portal.Committee", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="calls", verbose_name=_("committee"))
    bureau = models.ForeignKey("portal.Organization", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="calls", verbose_name=_("bureau (for recognition calls)"))
    series = models.ForeignKey(TitleSeries, on_delete=models.PROTECT, related_name="calls", verbose_name=_("series"))
    specialties = models.ManyToManyField(Specialty, blank=True, related_name="calls", verbose_name=_("specialties"),
                                         help_text=_("Empty: every specialty in the committee's scope."))
    levels = models.JSONField(_("levels"), default=list)
    year = models.PositiveSmallIntegerField(_("year"))
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    methods = models.JSONField(_("methods (R4.1)"), default=list)
    pathways = models.JSONField(_("accepted pathways"), default=list)
    private_enterprise_group = models.BooleanField(_("separate group for private enterprises (R4.2)"), default=False)
    entrusted_by = models.ForeignKey("portal.Region", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("entrusted by region (R1.5)"))
    entrustment_note = models.CharField(_("entrustment reference (R1.5)"), max_length=255, blank=True)
    pass_rate_ceiling = models.DecimalField(_("pass-rate ceiling (R6.7)"), max_digits=4, decimal_places=3,
                                            default=0.6)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opens_at"]
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")), name="call_closes_after_opening"),
            models.CheckConstraint(condition=Q(pass_rate_ceiling__gt=0) & Q(pass_rate_ceiling__lte=1),
                                   name="call_pass_rate_ceiling_range"),
            models.CheckConstraint(condition=Q(committee__isnull=False) | Q(bureau__isnull=False),
                                   name="call_has_owner"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return name_in_language(self.name, self.name_en, self.name_ug)


# --- Applications ---------------------------------------------------------

class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    EMPLOYER_REVIEW = "employer_review", _("Employer review")
    RETURNED = "returned", _("Returned for correction")
    UNIT_PUBLICITY = "unit_publicity", _("Unit publicity")
    ACCEPTANCE = "acceptance", _("Acceptance")
    QUALIFICATION_AUDIT = "qualification_audit", _("Qualification audit")
    READY = "ready", _("Ready for evaluation")
    IN_EVALUATION = "in_evaluation", _("In evaluation")
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Not passed")
    RESULT_PUBLICITY = "result_publicity", _("Result publicity")
    GRANTED = "granted", _("Title granted")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REJECTED = "rejected", _("Rejected")
    REVOKED = "revoked", _("Title revoked for fraud")


#: Statuses in which an application counts as live for R6.4 (one live
#: application per person, series and year across every committee).
LIVE_STATUSES = [s.value for s in ApplicationStatus
                 if s not in (ApplicationStatus.DRAFT, ApplicationStatus.WITHDRAWN, ApplicationStatus.REJECTED)]

#: Statuses in which an application has stopped moving: decided one way or
#: the other, withdrawn, rejected or revoked.
FINAL_STATUSES = (ApplicationStatus.GRANTED, ApplicationStatus.FAILED, ApplicationStatus.WITHDRAWN,
                  ApplicationStatus.REJECTED, ApplicationStatus.REVOKED)
#: Submitted and still moving (a draft is the applicant's own).
IN_PROGRESS_STATUSES = [s.value for s in ApplicationStatus
                        if s not in FINAL_STATUSES and s != ApplicationStatus.DRAFT]


class Application(models.Model):
    """申报: one person, one target title, in one call."""

    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications")
    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="applications", verbose_name=_("call"))
    series = models.ForeignKey(TitleSeries, on_delete=models.PROTECT, related_name="+", editable=False)
    year = models.PositiveSmallIntegerField(editable=False)
    specialty = models.ForeignKey(Specialty, on_delete=models.PROTECT, related_name="+", verbose_name=_("specialty"))
    level = models.CharField(_("target level"), max_length=20, choices=Level.choices)
    title_name = models.CharField(_("target title"), max_length=64)
    pathway = models.CharField(_("pathway"), max_length=20, choices=Pathway.choices, default=Pathway.REGULAR)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.EMPLOYER)
    employer = models.ForeignKey("portal.Organization", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="employee_applications", verbose_name=_("employer"))
    sponsor = models.ForeignKey("portal.Organization", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="sponsored_applications",
                                verbose_name=_("reviewing unit (employer, original unit, association or agency)"))
    acceptance_body = models.ForeignKey("portal.Organization", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="accepted_applications", verbose_name=_("acceptance body"))
    region = models.ForeignKey("portal.Region", on_delete=models.PROTECT, related_name="applications",
                               verbose_name=_("region (R1.1)"))
    private_enterprise = models.BooleanField(_("private enterprise"), default=False)
    first_time = models.BooleanField(_("first application"), default=True)
    status = models.CharField(_("status"), max_length=24, choices=ApplicationStatus.choices,
                              default=ApplicationStatus.DRAFT)
    returned_from = models.CharField(_("returned from"), max_length=24, blank=True, editable=False,
                                     choices=ApplicationStatus.choices)
    summary = models.TextField(_("professional summary"), blank=True)
    justification = models.TextField(_("justification of special talent (R4.3)"), blank=True)
    frozen_conditions = models.JSONField(default=dict, blank=True, editable=False)
    frozen_profile = models.JSONField(default=dict, blank=True, editable=False)
    publicity_ends_on = models.DateField(_("publicity ends on"), null=True, blank=True, editable=False)
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    correction_due_on = models.DateField(_("correction due on"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ApplicationStatus.values), name="application_status_valid"),
            models.CheckConstraint(condition=Q(level__in=Level.values), name="application_level_valid"),
            models.CheckConstraint(condition=Q(pathway__in=Pathway.values), name="application_pathway_valid"),
            models.CheckConstraint(condition=Q(channel__in=Channel.values), name="application_channel_valid"),
            # R6.4: one live application per person, series and year, across all calls and committees.
            models.UniqueConstraint(fields=["applicant", "series", "year"], condition=Q(status__in=LIVE_STATUSES),
                                    name="application_one_live_per_series_year"),
        ]
        indexes = [
            models.Index(fields=["status", "region", "series", "id"], name="application_queue_idx"),
            models.Index(fields=["employer", "status", "id"], name="application_employer_idx"),
            models.Index(fields=["acceptance_body", "status", "id"], name="application_acceptance_idx"),
            models.Index(fields=["sponsor", "status", "id"], name="application_sponsor_idx"),
            # The secretary's call dashboard: a page of a call's applications by keyset on id, all of
            # them or of one status, read from an index whatever the size of the call (issue 15).
            models.Index(fields=["call", "id"], name="application_call_page_idx"),
            models.Index(fields=["call", "status", "id"], name="application_call_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.title_name} · {self.applicant_id}"

    @property
    def title_display(self) -> str:
        """The target title in the page's language (``applications.title_names``); ``title_name``
        stays the Chinese name as applied for."""
        from applications.title_names import title_in_language

        return title_in_language(series_id=self.series_id, level=self.level, stored=self.title_name)


class Achievement(models.Model):
    """R3.2: patents, breakthroughs, process flows, standards and achievement
    transformation are first-class, with their own fields and evidence."""

    class Kind(models.TextChoices):
        PATENT = "patent", _("Patent")
        BREAKTHROUGH = "breakthrough", _("Technical breakthrough")
        PROCESS = "process", _("Process flow")
        STANDARD = "standard", _("Standard")
        TRANSFORMATION = "transformation", _("Achievement transformation")
        PROJECT = "project", _("Project")
        AWARD = "award", _("Award")
        PAPER = "paper", _("Paper (optional, R3.1)")

    class Role(models.TextChoices):
        LEAD = "lead", _("Lead / first")
        MAJOR = "major", _("Major contributor")
        PARTICIPANT = "participant", _("Participant")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="achievements")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(pgettext_lazy("achievement", "title"), max_length=200)
    role = models.CharField(_("your role"), max_length=16, choices=Role.choices, blank=True)
    number = models.CharField(_("number (patent or standard)"), max_length=64, blank=True)
    achieved_on = models.DateField(_("date"), null=True, blank=True)
    economic_benefit = models.DecimalField(_("economic benefit (10,000 yuan)"), max_digits=12, decimal_places=2,
                                           null=True, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["kind", "id"]
        verbose_name = _("achievement")
        verbose_name_plural = _("achievements")

    def __str__(self) -> str:
        return self.title


class Attachment(models.Model):
    """A material or evidence file (PDF, JPEG, PNG by content)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="attachments")
    achievement = models.ForeignKey(Achievement, null=True, blank=True, on_delete=models.CASCADE,
                                    related_name="evidence")
    material = models.CharField(_("material"), max_length=40)
    file = models.FileField(upload_to="applications/%Y/%m/")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["material", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


class IntegrityPledge(models.Model):
    """诚信承诺 (R6.3), signed at submission."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="pledge")
    text = models.TextField()
    signed_at = models.DateTimeField()
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("integrity pledge")
        verbose_name_plural = _("integrity pledges")

    def __str__(self) -> str:
        return f"pledge {self.application_id}"


class CorrectionRound(models.Model):
    """One return for correction (一次性告知) and how it came back: the
    application's content when it was returned and when it was resubmitted
    (``applications.corrections.application_content``), so that every
    reviewer sees a real comparison, field by field and file by name."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="correction_rounds")
    stage = models.CharField(max_length=24, editable=False)
    returned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    returned_at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(_("remarks"), blank=True)
    due_on = models.DateField(_("corrections due on"), null=True, blank=True)
    content_before = models.JSONField(default=dict, editable=False)
    content_after = models.JSONField(null=True, blank=True, editable=False)
    resubmitted_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["returned_at", "id"]
        verbose_name = _("return for correction")
        verbose_name_plural = _("returns for correction")
        constraints = [models.CheckConstraint(
            condition=Q(resubmitted_at__isnull=True, content_after__isnull=True)
            | Q(resubmitted_at__isnull=False, content_after__isnull=False),
            name="correction_round_resubmitted_with_content")]

    def __str__(self) -> str:
        return f"{self.application_id} · {self.returned_at:%Y-%m-%d}"


class Correction(models.Model):
    """一次性告知: every correction asked for at once, pinned to a field, an
    achievement, a material or one file; answered by changing what it names
    or by the applicant's note."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="corrections")
    round = models.ForeignKey(CorrectionRound, null=True, blank=True, on_delete=models.CASCADE,
                              related_name="corrections")
    stage = models.CharField(max_length=24)
    target = models.CharField(_("field or material"), max_length=64)
    item_title = models.CharField(_("item"), max_length=200, blank=True,
                                  help_text=_("The achievement's title or the file's name when the return was made."))
    message = models.TextField(_("what to correct"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    answer = models.TextField(_("applicant's answer"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["requested_at", "id"]
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")

    def __str__(self) -> str:
        return f"{self.target}: {self.message[:40]}"


class UnitObjection(EncryptedContact, models.Model):
    """An objection raised during unit publicity (R5.5). The objector's contact is stored encrypted
    (as a fraud report's is), with a masked form; ``contact`` reads and writes it in clear for the
    sponsoring unit that must answer."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="unit_objections")
    reason = models.TextField(_("reason"))
    contact_encrypted = models.TextField(blank=True, editable=False)
    contact_masked = models.CharField(_("contact"), max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    answer = models.TextField(_("answer"), blank=True)
    upheld = models.BooleanField(null=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("unit publicity objection")
        verbose_name_plural = _("unit publicity objections")

    def __str__(self) -> str:
        return f"objection {self.pk}"


class SubmissionReceipt(models.Model):
    """回执: proof of a submission. The number the applicant quotes, the time, and what was submitted
    (title, call, achievements, materials), frozen at that moment with a SHA-256 digest of it. One
    per submission: the first and every resubmission after a correction."""

    class Kind(models.TextChoices):
        SUBMIT = "submit", _("Submitted")
        RESUBMIT = "resubmit", _("Resubmitted after correction")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="receipts")
    seq = models.PositiveSmallIntegerField(editable=False)
    number = models.CharField(_("receipt number"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    submitted_at = models.DateTimeField(_("submitted at"))
    contents = models.JSONField(_("what was submitted"), default=dict)
    digest = models.CharField(_("SHA-256 of the contents"), max_length=64)

    class Meta:
        ordering = ["application", "seq"]
        verbose_name = _("submission receipt")
        verbose_name_plural = _("submission receipts")
        constraints = [models.UniqueConstraint(fields=["application", "seq"], name="receipt_one_per_submission")]

    def __str__(self) -> str:
        return self.number


class Reminder(models.Model):
    """A deadline reminder that was sent (7, 3 and 1 days before a call closes
    or a correction falls due); the unique constraint makes the reminder task
    idempotent: running it twice sends nothing twice."""

    class Kind(models.TextChoices):
        CALL_CLOSES = "call_closes", _("Call closes")
        CORRECTION_DUE = "correction_due", _("Correction due")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    due_on = models.DateField()
    days_before = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [models.UniqueConstraint(fields=["application", "kind", "due_on", "days_before"],
                                               name="reminder_sent_once")]

    def __str__(self) -> str:
        return f"{self.kind} {self.due_on} −{self.days_before}d · {self.application_id}"


class CallStatusCount(models.Model):
    """How many of a call's applications forwarded to its committee stand in
    each status: a counter that the services changing an application's
    status keep in the same transaction (``applications.tallies``), so that
    the secretary's dashboard never recounts the call (issue 15).

    Only committee pathways and statuses from ``ready`` on are counted, and a
    revoked title only if a result was decided: the applications an
    applicant is still writing never touch these rows."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="status_counts")
    status = models.CharField(max_length=20, choices=ApplicationStatus.choices)
    n = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("call status count")
        verbose_name_plural = _("call status counts")
        constraints = [models.UniqueConstraint(fields=["call", "status"], name="call_status_count_once")]

    def __str__(self) -> str:
        return f"{self.call_id} {self.status}: {self.n}"


from applications.eligibility_models import *  # noqa: E402,F401,F403
