"""People and bodies: users, regions, organisations, memberships, employment,
invitations, the hash-chained audit trail and notifications."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from portal import personal_data


class Role(models.TextChoices):
    """Site-wide roles, kept as Django groups of the same name."""

    APPLICANT = "applicant", _("Applicant")
    ENTERPRISE_HR = "enterprise_hr", _("Enterprise HR")
    ACCEPTANCE_OFFICER = "acceptance_officer", _("Acceptance officer")
    BUREAU_OFFICER = "bureau_officer", _("HR bureau officer")
    COMMITTEE_SECRETARY = "committee_secretary", _("Committee secretary")
    EXPERT = "expert", _("Expert")
    SUPERVISOR = "supervisor", _("Supervisor")
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    AUDITOR = "auditor", _("Security auditor")


def language_choices() -> list[tuple[str, str]]:
    """The site's languages, read from settings each time (never a list fixed in code or migrations:
    a language added to ``LANGUAGES`` is offered at once)."""
    return list(settings.LANGUAGES)


class Topic(models.TextChoices):
    """What a message is about; a person turns topics off per channel on their settings page,
    except codes and account-security notices (``ALWAYS_SENT_TOPICS``)."""

    INVITATION = "invitation", _("Invitations from an employer")
    REMINDER = "reminder", _("Deadline reminders (7, 3 and 1 days before)")
    CORRECTION = "correction", _("Returns for correction")
    RESULT = "result", _("The result of each stage")
    RECEIPT = "receipt", _("Submission receipts")
    WORK = "work", _("Work awaiting you and other notices")
    SECURITY = "security", _("Account security")
    CODE = "code", _("One-time codes")


#: Topics that also go out by SMS (everything else: in-app and email).
SMS_TOPICS = frozenset({Topic.INVITATION, Topic.REMINDER, Topic.CORRECTION, Topic.RESULT, Topic.RECEIPT,
                        Topic.SECURITY, Topic.CODE})
#: Topics nobody can turn off: one-time codes, and the notices that protect the account.
ALWAYS_SENT_TOPICS = frozenset({Topic.CODE, Topic.SECURITY})


#: Graded protection level 3: no one holds two of these at once. The
#: supervisor, who acts on fraud cases and committees, is among them so that
#: no one can both act and erase or oversee the trace of it (R6.2).
SEPARATED_ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR, Role.SUPERVISOR})


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, mobile: str, password: str | None = None, **fields) -> User:
        id_number = fields.pop("id_number", None)
        user = self.model(mobile=personal_data.normalize_mobile(mobile), **fields)
        if id_number:
            user.set_id_number(id_number)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(self, mobile: str, password: str | None = None, **fields) -> User:
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(mobile, password, **fields)

    def get_by_login(self, login: str) -> User | None:
        """A user by mobile number or ID number (the two ways to log in)."""
        login = (login or "").strip()
        try:
            mobile = personal_data.normalize_mobile(login)
        except Exception:  # noqa: BLE001 - not a mobile; try an ID number
            mobile = None
        if mobile:
            return self.filter(mobile=mobile).first()
        try:
            id_number = personal_data.normalize_id_number(login)
        except Exception:  # noqa: BLE001
            return None
        return self.filter(id_number_hash=personal_data.lookup_hash(id_number)).first()


class User(AbstractBaseUser, PermissionsMixin):
    """A real-name account. The ID number is stored encrypted; ``id_number_hash``
    (keyed HMAC) enforces uniqueness and serves look-ups."""

    mobile = models.CharField(_("mobile number"), max_length=11, unique=True)
    real_name = models.CharField(_("real name"), max_length=64)
    #: ``portal.names.name_key(real_name)``, kept by ``save()``: every spelling of the name's dot finds it.
    name_key = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    name_ug = models.CharField(_("name in Uyghur script"), max_length=64, blank=True,
                               help_text=_("Optional: the name as written in Uyghur, shown beside the Chinese "
                                           "name on Uyghur pages. The Chinese name stays the legal one."))
    email = models.EmailField(_("email"), blank=True)
    id_number_encrypted = models.TextField(_("ID number (encrypted)"), blank=True, editable=False)
    id_number_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    id_number_masked = models.CharField(_("ID number"), max_length=18, blank=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("staff status"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    language = models.CharField(_("preferred language"), max_length=16, blank=True, choices=language_choices,
                                help_text=_("Pages after login, notifications, emails and SMS use it. "
                                            "Empty: the site's default language."))
    #: ``"<channel>:<topic>"`` pairs the person turned off (``"sms:reminder"``, ``"email:result"``).
    muted = models.JSONField(_("messages turned off"), default=list, blank=True)
    #: Raised to end every session of the account at once (``user_credentials_revoke``).
    credentials_epoch = models.PositiveIntegerField(default=0, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "mobile"
    REQUIRED_FIELDS = ["real_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return f"{self.real_name} ({self.mobile_masked})"

    def save(self, *args, **kwargs):
        from portal.names import name_clean, name_key

        self.real_name = name_clean(self.real_name)
        self.name_ug = " ".join((self.name_ug or "").split())
        self.name_key = name_key(self.real_name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "real_name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_key"}
        super().save(*args, **kwargs)

    def set_id_number(self, raw: str) -> None:
        number = personal_data.normalize_id_number(raw)
        self.id_number_encrypted = personal_data.encrypt(number)
        self.id_number_hash = personal_data.lookup_hash(number)
        self.id_number_masked = personal_data.mask_id_number(number)

    @property
    def id_number(self) -> str:
        """The full ID number; for services that must, never for display."""
        return personal_data.decrypt(self.id_number_encrypted)

    @property
    def mobile_masked(self) -> str:
        return personal_data.mask_mobile(self.mobile)

    def get_full_name(self) -> str:
        return self.real_name

    def _get_session_auth_hash(self, secret=None) -> str:
        """Django ends a session whose stored hash no longer matches this one. It covers the password
        (as Django's does) and ``credentials_epoch``, so raising the epoch ends every session of the
        account on any session backend. Epoch 0 gives Django's own hash: sessions in place survive
        the upgrade."""
        if not self.credentials_epoch:
            return super()._get_session_auth_hash(secret=secret)
        return salted_hmac("portal.User.session_auth_hash", f"{self.password}:{self.credentials_epoch}",
                           secret=secret, algorithm="sha256").hexdigest()

    @property
    def message_language(self) -> str:
        """The language of every notification, email and SMS to this person."""
        codes = {code for code, _name in settings.LANGUAGES}
        return self.language if self.language in codes else settings.LANGUAGE_CODE

    def wants(self, channel: str, topic: str) -> bool:
        """Whether this person receives ``topic`` by ``channel`` ("sms" or "email")."""
        return topic in ALWAYS_SENT_TOPICS or f"{channel}:{topic}" not in (self.muted or [])

    def get_short_name(self) -> str:
        return self.real_name

    def role_names(self) -> set[str]:
        """The user's roles (group names), read once per user object. The same query counts the
        unread notifications that every page's navigation shows (issue 15: one round trip instead
        of two on every logged-in page); ``unread_notifications`` uses that count unless a
        notification was written since. A request's user has both already
        (``portal.request_user.load_user``, with its row)."""
        names = getattr(self, "_role_names", None)
        if names is None:
            if self.pk is None:
                names = self._role_names = set()
                return names
            from portal.request_user import roles_and_unread

            generation = notification_generation()
            names, unread = roles_and_unread(self.pk, using=self._state.db or "default")
            self._role_names = names
            self._unread_notifications = (generation, unread)
        return names

    def unread_notifications(self) -> int:
        """How many of this person's notifications are unread: the count read with the roles when no
        notification was written since in this process, else counted now."""
        cached = getattr(self, "_unread_notifications", None)
        if cached is not None and cached[0] == notification_generation():
            return cached[1]
        count = Notification.objects.filter(recipient=self, read_at__isnull=True).count()
        self._unread_notifications = (notification_generation(), count)
        return count

    def has_role(self, role: str) -> bool:
        return role in self.role_names()


def name_in_language(name: str, name_en: str, name_ug: str = "") -> str:
    """A reference-data name in the active language: the English name on English pages and the
    Uyghur name on Uyghur pages when there is one, the Chinese name otherwise (issue 12: no Chinese
    on English or Uyghur pages but proper names)."""
    from django.utils.translation import get_language

    language = get_language() or ""
    if language.startswith("en") and name_en:
        return name_en
    if language.startswith("ug") and name_ug:
        return name_ug
    return name


class Region(models.Model):
    """The autonomous region and its prefecture-level divisions."""

    class Kind(models.TextChoices):
        PROVINCE = "province", _("Autonomous region")
        PREFECTURE = "prefecture", _("Prefecture-level division")

    code = models.CharField(_("administrative code"), max_length=6, unique=True)
    name = models.CharField(_("name"), max_length=64)
    name_en = models.CharField(_("English name"), max_length=64, blank=True)
    name_ug = models.CharField(_("Uyghur name"), max_length=128, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^\d{6}$"), name="region_code_six_digits"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return name_in_language(self.name, self.name_en, self.name_ug)


class Organization(models.Model):
    """An enterprise, HR bureau, acceptance body, association, talent agency
    or institution."""

    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("Enterprise")
        HR_BUREAU = "hr_bureau", _("HR bureau")
        ACCEPTANCE_BODY = "acceptance_body", _("Acceptance body")
        ASSOCIATION = "association", _("Association or learned society")
        TALENT_AGENCY = "talent_agency", _("Talent service agency")
        INSTITUTION = "institution", _("Institution (university, research institute, hospital)")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending approval")
        ACTIVE = "active", _("Active")
        REJECTED = "rejected", _("Rejected")
        SUSPENDED = "suspended", _("Suspended")

    class Ownership(models.TextChoices):
        PRIVATE = "private", _("Private")
        STATE = "state", _("State-owned")
        COLLECTIVE = "collective", _("Collective")
        FOREIGN = "foreign", _("Foreign-invested")
        HK_MACAO_TAIWAN = "hmt", _("Hong Kong, Macao or Taiwan invested")
        MIXED = "mixed", _("Mixed ownership")
        PUBLIC = "public", _("Public institution or government")

    class Size(models.TextChoices):
        LARGE = "large", _("Large")
        MEDIUM = "medium", _("Medium")
        SMALL = "small", _("Small")
        MICRO = "micro", _("Micro")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=128)
    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True, null=True, blank=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="organizations", verbose_name=_("region"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    ownership = models.CharField(_("ownership"), max_length=16, choices=Ownership.choices, blank=True)
    size = models.CharField(_("size"), max_length=8, choices=Size.choices, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=64, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    business_licence = models.FileField(_("business licence"), upload_to="licences/%Y/%m/", blank=True)
    certificate_bilingual = models.BooleanField(
        _("certificates in Chinese and Uyghur"), default=False,
        help_text=_("HR bureaus: certificates granted in this bureau's region carry the title in Chinese and in "
                    "Uyghur. The signed record keeps the Chinese text, the legal one."))
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        permissions = [
            ("manage_organization", "Can manage the organization's members and employment"),
            ("work_organization", "Can do the organization's title work"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["pending", "active", "rejected", "suspended"]),
                                   name="organization_status_valid"),
            models.CheckConstraint(condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                                   name="organization_rejection_has_reason"),
            models.CheckConstraint(condition=~Q(kind="enterprise") | Q(uscc__isnull=False),
                                   name="enterprise_has_uscc"),
        ]
        indexes = [models.Index(fields=["kind", "status", "region", "created_at"], name="org_queue_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def contact_phone_masked(self) -> str:
        return personal_data.mask_mobile(self.contact_phone)


class OrganizationUserObjectPermission(UserObjectPermissionBase):
    """Direct-FK guardian permissions (guardian's performance guide)."""

    content_object = models.ForeignKey(Organization, on_delete=models.CASCADE)


class OrganizationGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Organization, on_delete=models.CASCADE)


class Membership(models.Model):
    """A user's role in an organization."""

    class OrgRole(models.TextChoices):
        HR_ADMIN = "hr_admin", _("HR administrator")
        HR_STAFF = "hr_staff", _("HR staff")
        OFFICER = "officer", _("Officer")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=OrgRole.choices)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organization", "role"], name="membership_unique_role"),
        ]

    def __str__(self) -> str:
        return f"{self.user.real_name} @ {self.organization} ({self.get_role_display()})"


class Employment(models.Model):
    """劳动关系: employment at an enterprise, confirmed by the enterprise.

    ``dispatch_region`` is where a dispatched professional works (R1.8);
    ``original_unit`` is the institution a professional on leave for
    entrepreneurship comes from (R1.7).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Not confirmed")
        ENDED = "ended", _("Ended")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="employments")
    employer = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="employments",
                                 verbose_name=_("employer"))
    position = models.CharField(_("position"), max_length=64, blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    dispatch_region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                        verbose_name=_("dispatched to region"))
    dispatch_start = models.DateField(_("dispatched since"), null=True, blank=True)
    original_unit = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="staff_on_leave", verbose_name=_("original unit (on leave from)"))
    leave_start = models.DateField(_("leave for entrepreneurship since"), null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start_date"]
        verbose_name = _("employment")
        verbose_name_plural = _("employments")
        constraints = [
            models.CheckConstraint(condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                                   name="employment_end_after_start",
                                   violation_error_message=_("The end date cannot be before the start date.")),
            models.CheckConstraint(condition=Q(status__in=["pending", "confirmed", "rejected", "ended"]),
                                   name="employment_status_valid"),
            # One open (pending or confirmed) employment per person and employer.
            models.UniqueConstraint(fields=["user", "employer"], condition=Q(status__in=["pending", "confirmed"]),
                                    name="employment_one_open_per_employer"),
        ]

    def __str__(self) -> str:
        return f"{self.user.real_name} @ {self.employer}"


class Invitation(models.Model):
    """An HR admin invites a colleague (HR staff) or an employee by mobile."""

    class Kind(models.TextChoices):
        HR_STAFF = "hr_staff", _("HR staff")
        EMPLOYEE = "employee", _("Employee")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        REVOKED = "revoked", _("Revoked")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    kind = models.CharField(_("invited as"), max_length=16, choices=Kind.choices)
    mobile = models.CharField(_("mobile number"), max_length=11)
    email = models.EmailField(_("email"), blank=True)
    #: Optional: the invitee's ID number (keyed hash and mask only), so the invitation reaches them
    #: even when they signed up with another mobile number.
    id_number_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    id_number_masked = models.CharField(_("ID number"), max_length=18, blank=True, editable=False)
    real_name = models.CharField(_("real name"), max_length=64)
    position = models.CharField(_("position"), max_length=64, blank=True)
    start_date = models.DateField(_("employment start date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    decided_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(fields=["organization", "mobile", "kind"], condition=Q(status="open"),
                                    name="invitation_one_open_per_mobile"),
            models.CheckConstraint(condition=Q(status__in=["open", "accepted", "declined", "revoked"]),
                                   name="invitation_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.organization} → {self.real_name} ({self.get_kind_display()})"

    @property
    def mobile_masked(self) -> str:
        return personal_data.mask_mobile(self.mobile)


class AuditChainHead(models.Model):
    """One row: where the audit chain ends, kept by whoever seals events into it.

    ``seq`` and ``hash`` are those of the newest chained event. Only a seal
    pass (``portal.audit.audit_chain_seal``) locks this row: writers insert
    their events without touching it, so they never wait for each other here.
    ``sealed_at`` is the time of the newest pass (never going back) and
    ``max_lag`` the largest gap seen between an event's ``created_at`` and
    the pass that chained it; the audit viewer turns a time range into a
    ``seq`` range with it.
    """

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)
    sealed_at = models.DateTimeField(null=True, blank=True)
    max_lag = models.DurationField(default=dt.timedelta)

    def __str__(self) -> str:
        return f"audit head #{self.seq}"


class AuditEvent(models.Model):
    """倒查追责 (R6.2): one event per state change, hash-chained.

    The service's transaction inserts the event without its place in the
    chain (``seq``, ``prev_hash`` and ``hash`` empty); a seal pass fills those
    three once, in commit order (``portal.audit``). ``hash`` covers every
    other column under the event's ``digest_version``. ``verify_audit_chain``
    recomputes the chain; on PostgreSQL a trigger refuses DELETE, TRUNCATE and
    every UPDATE but the one that chains an event.
    """

    seq = models.BigIntegerField(unique=True, null=True, blank=True)
    created_at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.DO_NOTHING,
                              db_constraint=False, related_name="+")
    actor_label = models.CharField(max_length=128, blank=True)
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    object_label = models.CharField(max_length=255, blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    #: 1: the hash left out ``id``, ``actor_label``, ``object_label`` and ``ip_address`` (events before
    #: the column existed keep verifying under it); 2: it covers every column.
    digest_version = models.SmallIntegerField(default=2)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, blank=True)

    class Meta:
        # Chained events in chain order, then those still waiting to be chained.
        ordering = [models.F("seq").asc(nulls_last=True), "id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(fields=["object_type", "object_id", "seq"], name="audit_object_idx"),
            # The audit viewer pages newest first by ``seq`` (keyset); each filter has an index that
            # ends in ``seq`` so a page is an index range scan (bench/audit.py, 10,000,000 events).
            # (``action`` prefix filters use the ``varchar_pattern_ops`` index Django adds to ``db_index``.)
            models.Index(fields=["actor", "seq"], name="audit_actor_seq_idx"),
            # The events still to be chained, in insert order: what a seal pass reads (a few rows).
            models.Index(fields=["id"], condition=Q(seq__isnull=True), name="audit_unchained_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq or '-'} {self.action} {self.object_type}:{self.object_id}"


_notification_writes = [0]


def notification_generation() -> int:
    """Bumped (``notifications_written``) by every statement that creates notifications or marks
    them read: a count read before it in this process is stale."""
    return _notification_writes[0]


def notifications_written() -> None:
    _notification_writes[0] += 1


class Notification(models.Model):
    """In-app notification; email is sent by a Celery task after commit."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(max_length=255, blank=True)
    topic = models.CharField(_("topic"), max_length=16, choices=Topic.choices, default=Topic.WORK)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread_idx"),
                   # notification_settle: the unread ones pointing to what was just decided.
                   models.Index(fields=["url"], condition=Q(read_at__isnull=True), name="notification_unread_url_idx"),
                   # The email outbox (emails sent in bulk): only the few unsent rows.
                   models.Index(fields=["id"], condition=Q(emailed_at__isnull=True), name="notification_outbox_idx")]

    def __str__(self) -> str:
        return self.subject


class MessageDelivery(models.Model):
    """One SMS or email leaving the portal, with its delivery state: queued, sent, retried (failed once
    and queued again) or failed (given up). Written by ``portal.delivery``; the Celery task that sends
    it is idempotent (the status is its guard, taken under a row lock).

    The text is stored encrypted (it may carry a one-time code, names or a receipt); the address is
    shown masked everywhere.
    """

    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")
        EMAIL = "email", _("Email")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        RETRIED = "retried", _("Failed once, queued again")
        FAILED = "failed", _("Failed")

    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    topic = models.CharField(_("topic"), max_length=16, choices=Topic.choices)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="deliveries", verbose_name=_("recipient"))
    address = models.CharField(_("address"), max_length=254)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body_encrypted = models.TextField(editable=False)
    notification = models.ForeignKey(Notification, null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="deliveries")
    #: What the message is for, when it is not a notification (``code:<id>``, ``invitation:<id>``):
    #: the same message is never queued twice.
    key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=255, blank=True)
    provider_ref = models.CharField(_("gateway reference"), max_length=128, blank=True)
    created_at = models.DateTimeField(_("queued at"), auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("message delivery")
        verbose_name_plural = _("message deliveries")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["queued", "sent", "retried", "failed"]),
                                   name="delivery_status_valid"),
            models.CheckConstraint(condition=Q(channel__in=["sms", "email"]), name="delivery_channel_valid"),
            models.UniqueConstraint(fields=["notification", "channel"], condition=Q(notification__isnull=False),
                                    name="delivery_one_per_notification_channel"),
        ]
        indexes = [
            # The outbox: only the few rows still to send.
            models.Index(fields=["id"], condition=Q(status__in=["queued", "retried"]), name="delivery_outbox_idx"),
            models.Index(fields=["recipient", "-created_at"], name="delivery_recipient_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.address_masked} ({self.get_status_display()})"

    @property
    def address_masked(self) -> str:
        if self.channel == self.Channel.SMS:
            return personal_data.mask_mobile(self.address)
        return personal_data.mask_email(self.address)

    @property
    def body(self) -> str:
        return personal_data.decrypt(self.body_encrypted)


class OneTimeCode(models.Model):
    """A 6-digit code sent by SMS or email: to reset a password, or to confirm the mobile of a signup.

    Only keyed hashes are stored: of the code, of the address it went to, and of the token the browser
    holds (so the code can be checked without saying which account, if any, it belongs to). Valid for
    ``ONE_TIME_CODE_MINUTES`` and ``ONE_TIME_CODE_TRIES`` wrong tries; used once. A signup keeps what
    was typed (encrypted, the password already hashed) in ``payload_encrypted`` until it is confirmed.
    """

    class Purpose(models.TextChoices):
        PASSWORD_RESET = "password_reset", _("Password reset")
        SIGNUP = "signup", _("Sign-up")

    purpose = models.CharField(max_length=16, choices=Purpose.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+")
    channel = models.CharField(max_length=8, choices=MessageDelivery.Channel.choices)
    address_hash = models.CharField(max_length=64, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    code_hash = models.CharField(max_length=64)
    payload_encrypted = models.TextField(blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField(default=0)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")
        indexes = [models.Index(fields=["user", "purpose", "created_at"], name="onetimecode_user_idx")]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} #{self.pk}"


class ApiToken(models.Model):
    """A key for the API (``Authorization: Token <key>``), issued by ``POST /api/v1/auth/token/``.

    Only the SHA-256 of the key is stored (the key is 256 random bits, shown once to the caller), with
    its first characters so the person can tell tokens apart on their settings page. A token ends
    after ``API_TOKEN_IDLE_SECONDS`` without use (30 minutes, as sessions do) and at the latest
    ``API_TOKEN_MAX_AGE_SECONDS`` after it was issued; it is deleted on logout, a password change or
    reset, an account lock, or when the person revokes it (``portal.account_services``)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("begins with"), max_length=8, editable=False)
    name = models.CharField(_("client"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("issued"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), default=timezone.now)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        indexes = [models.Index(fields=["user", "created_at"], name="apitoken_user_idx")]

    def __str__(self) -> str:
        return f"{self.prefix}…"

    @property
    def expires_at(self) -> dt.datetime:
        idle = self.last_used_at + dt.timedelta(seconds=settings.API_TOKEN_IDLE_SECONDS)
        return min(idle, self.created_at + dt.timedelta(seconds=settings.API_TOKEN_MAX_AGE_SECONDS))

    def is_expired(self, now: dt.datetime | None = None) -> bool:
        return (now or timezone.now()) >= self.expires_at


class PendingUpload(models.Model):
    """A file that passed its checks in a form whose other fields did not: kept for the next submit,
    so a 6 MB licence is not sent again. Owned by the browser session that uploaded it (keyed hash of
    a random token the form carries, and of the session key); removed when used or after a day."""

    token_hash = models.CharField(max_length=64, unique=True)
    session_hash = models.CharField(max_length=64)
    purpose = models.CharField(max_length=32)
    file = models.FileField(upload_to="pending/%Y/%m/")
    original_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("pending upload")
        verbose_name_plural = _("pending uploads")

    def __str__(self) -> str:
        return self.original_name


class Committee(models.Model):
    """评审委员会, filed by a bureau with a scope (R2.1–R2.5).

    One series per committee (R2.1); the scope rows name specialties,
    levels and regions or member units. A lapsed, suspended or revoked
    committee may not open calls, accept or review (R2.3).
    """

    class Kind(models.TextChoices):
        BUREAU = "bureau", _("HR bureau")
        INDUSTRY = "industry", _("Industry authority")
        SOCIAL = "social", _("Social organisation")
        ENTERPRISE = "enterprise", _("Enterprise self-review (private enterprise above designated size)")
        JOINT = "joint", _("Joint committee of several enterprises")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        REVOKED = "revoked", _("Revoked")
        LAPSED = "lapsed", _("Lapsed")

    name = models.CharField(_("name"), max_length=128)
    name_en = models.CharField(_("English name"), max_length=128, blank=True,
                               help_text=_("Optional: shown to people reading the portal in English."))
    name_ug = models.CharField(_("Uyghur name"), max_length=128, blank=True,
                               help_text=_("Optional: shown to people reading the portal in Uyghur."))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    organizer = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="committees",
                                  verbose_name=_("organizer"))
    filed_by = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="filed_committees",
                                 verbose_name=_("filed with (bureau)"))
    series = models.ForeignKey("applications.TitleSeries", on_delete=models.PROTECT, related_name="committees",
                               verbose_name=_("series"))
    filing_number = models.CharField(_("filing number"), max_length=64, unique=True)
    filed_on = models.DateField(_("filed on"))
    valid_until = models.DateField(_("valid until"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("evaluation committee")
        verbose_name_plural = _("evaluation committees")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["active", "suspended", "revoked", "lapsed"]),
                                   name="committee_status_valid"),
            models.CheckConstraint(condition=Q(valid_until__gt=models.F("filed_on")),
                                   name="committee_valid_after_filing"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        """The filed (Chinese) name, or its English or Uyghur name on pages in those languages."""
        return name_in_language(self.name, self.name_en, self.name_ug)

    def is_operational(self, on=None) -> bool:
        """R2.3: active and within its filing's validity."""
        on = on or timezone.localdate()
        return self.status == self.Status.ACTIVE and self.valid_until >= on


class CommitteeScope(models.Model):
    """One row of a committee's filed scope: a level, optionally narrowed to
    a specialty and to a region or a member unit (R2.1)."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="scopes")
    level = models.CharField(_("level"), max_length=20)
    specialty = models.ForeignKey("applications.Specialty", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("specialty"),
                                  help_text=_("Empty: every specialty of the series."))
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("region"), help_text=_("Empty: every region."))
    member_unit = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("member unit"),
                                    help_text=_("For enterprise self-review and joint committees."))

    class Meta:
        verbose_name = _("committee scope")
        verbose_name_plural = _("committee scope")

    def __str__(self) -> str:
        return f"{self.committee} · {self.level}"


class CommitteeMember(models.Model):
    class Role(models.TextChoices):
        CHAIR = "chair", _("Chair")
        MEMBER = "member", _("Member")
        SECRETARY = "secretary", _("Committee office (secretary)")

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="committee_roles")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("committee member")
        verbose_name_plural = _("committee members")
        constraints = [models.UniqueConstraint(fields=["committee", "user", "role"], name="committee_member_unique")]

    def __str__(self) -> str:
        return f"{self.user.real_name} · {self.committee}"


class AcceptanceScope(models.Model):
    """Which acceptance body accepts applications of which region and series
    (R1.4). An HR bureau accepts every series of its own region without a row."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="acceptance_scopes")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    series = models.ForeignKey("applications.TitleSeries", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("acceptance scope")
        verbose_name_plural = _("acceptance scopes")
        constraints = [models.UniqueConstraint(fields=["organization", "region", "series"],
                                               name="acceptance_scope_unique")]

    def __str__(self) -> str:
        return f"{self.organization} · {self.region} · {self.series_id}"


class IntegrityRecord(models.Model):
    """失信记录 (R6.3): while in force, the person may not apply.

    ``ends_on`` is the last day barred (inclusive): a 3-year record from
    2026-12-03 ends on 2029-12-02, and the person may apply on 2029-12-03
    (``portal.services.integrity_bar_last_day``)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="integrity_records")
    reason = models.TextField(_("reason"))
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("last day barred"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("integrity record")
        verbose_name_plural = _("integrity records")
        constraints = [models.CheckConstraint(condition=Q(ends_on__gt=models.F("starts_on")),
                                              name="integrity_record_period_valid")]

    def __str__(self) -> str:
        return f"{self.user.real_name}: {self.starts_on} – {self.ends_on}"


class CalendarDay(models.Model):
    """An official holiday or adjusted working day (调休), entered by the
    bureau from the State Council's annual notice. Overrides the
    chinese-calendar package, and covers years it does not know yet."""

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(_("working day"))
    name = models.CharField(_("name"), max_length=64, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("official calendar day")
        verbose_name_plural = _("official calendar days")

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class PolicySettings(models.Model):
    """The configurable numbers of domain.md, one row, edited by the regional
    bureau in the admin (never constants buried in code)."""

    unit_publicity_working_days = models.PositiveSmallIntegerField(_("unit publicity, working days (R5.5)"),
                                                                   default=5)
    result_publicity_working_days = models.PositiveSmallIntegerField(_("result publicity, working days (R5.6)"),
                                                                     default=5)
    integrity_bar_years = models.PositiveSmallIntegerField(_("years barred after fraud (R6.3)"), default=3)
    leave_for_entrepreneurship_years = models.PositiveSmallIntegerField(
        _("years on leave for entrepreneurship that may apply at the original unit (R1.7)"), default=3)
    dispatch_min_years = models.PositiveSmallIntegerField(_("years dispatched before applying there (R1.8)"),
                                                          default=1)
    committee_filing_max_years = models.PositiveSmallIntegerField(_("longest filing validity, years (R2.3)"),
                                                                  default=3)
    senior_committee_min_experts_series = models.PositiveSmallIntegerField(
        _("senior committee covering a series: minimum experts (R2.5)"), default=25)
    senior_committee_min_experts_specialty = models.PositiveSmallIntegerField(
        _("senior committee covering one specialty: minimum experts (R2.5)"), default=11)
    expert_term_max_years = models.PositiveSmallIntegerField(_("longest expert term, years (R2.6)"), default=3)
    experts_per_application = models.PositiveSmallIntegerField(_("experts drawn per application (R6.6)"),
                                                               default=3)
    recusal_employer_years = models.PositiveSmallIntegerField(
        _("years after leaving an employer during which an expert is still recused (R6.6)"), default=3)
    reconsideration_days = models.PositiveSmallIntegerField(_("days to request reconsideration"), default=30)
    filing_late_days = models.PositiveSmallIntegerField(_("days after review before a filing is late"), default=30)
    max_file_mb = models.PositiveSmallIntegerField(
        _("largest file, MB"), default=50,
        help_text=_("A scanned PDF or a photo as sent; photos are stored downscaled. At most UPLOAD_MAX_BYTES of "
                    "the server."))
    max_application_mb = models.PositiveSmallIntegerField(_("largest application, MB"), default=200)
    max_files_per_application = models.PositiveSmallIntegerField(_("most files per application"), default=40)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("policy settings")
        verbose_name_plural = _("policy settings")
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="policy_settings_single_row")]

    def __str__(self) -> str:
        return str(_("Policy settings"))

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def load(cls) -> PolicySettings:
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj


class PolicyArticle(models.Model):
    """政策宣传 (N §5): announcements, policy interpretations and FAQs that
    bureaus publish on public pages; calls link to them."""

    class Kind(models.TextChoices):
        ANNOUNCEMENT = "announcement", _("Announcement")
        INTERPRETATION = "interpretation", _("Policy interpretation")
        FAQ = "faq", _("Frequently asked question")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(pgettext_lazy("document", "title"), max_length=200)
    body = models.TextField(_("text"))
    attachment = models.FileField(_("attachment (PDF)"), upload_to="policy/%Y/", blank=True)
    publisher = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="articles",
                                  verbose_name=_("published by"))
    published_on = models.DateField(_("publish date"), null=True, blank=True,
                                    help_text=_("Empty: not published yet."))
    calls = models.ManyToManyField("applications.Call", blank=True, related_name="articles",
                                   verbose_name=_("related calls"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-published_on", "-pk"]
        verbose_name = _("policy article")
        verbose_name_plural = _("policy articles")
        indexes = [models.Index(fields=["kind", "published_on"], name="article_kind_published_idx")]

    def __str__(self) -> str:
        return self.title
