"""Every write of the people-and-bodies app, one function per use case.

Each runs in a transaction, locks the row whose status changes, checks the
workflow table, writes its audit event and schedules notifications on
commit. Errors are ``portal.errors`` with a message in the user's language.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from portal import personal_data, selectors
from portal.audit import audit_record, snapshot
from portal.errors import Conflict, InvalidInput, NotAllowed, RuleViolation
from portal.models import (
    SEPARATED_ADMIN_ROLES,
    Employment,
    Invitation,
    Membership,
    Organization,
    Region,
    Role,
    Topic,
    User,
)
from portal.names import name_clean
from portal.notifications import notification_send, notification_settle
from portal.uploads import prepare_document
from portal.workflow import (
    BUREAU_OF_REGION,
    EMPLOYMENT_WORKFLOW,
    ENTERPRISE_HR_ADMIN,
    INVITATION_WORKFLOW,
    INVITEE,
    ORGANIZATION_WORKFLOW,
)

ORG_AUDIT_FIELDS = ("status", "name", "uscc", "region", "ownership", "size", "rejection_reason", "decided_by")
EMPLOYMENT_AUDIT_FIELDS = ("status", "employer", "start_date", "end_date", "dispatch_region", "original_unit")


def _invalid(error: ValidationError, field: str | None = None) -> InvalidInput:
    return InvalidInput(" ".join(str(m) for m in error.messages), field=field)


# --- Users and roles -----------------------------------------------------

def user_grant_role(*, user: User, role: str, actor: User | None = None) -> None:
    """Add ``user`` to the role's group; the three administrator roles are
    mutually exclusive (graded protection: separation of duties)."""
    if role not in Role.values:
        raise InvalidInput(_("Unknown role."))
    if role in SEPARATED_ADMIN_ROLES:
        held = set(user.groups.filter(name__in=SEPARATED_ADMIN_ROLES).values_list("name", flat=True)) - {role}
        if held:
            raise RuleViolation(
                _("System administrator, security administrator, auditor and supervisor are separate roles; "
                  "this user already holds another of them."),
                rule="SEC.roles",
            )
    group, _created = Group.objects.get_or_create(name=role)
    if user.groups.filter(pk=group.pk).exists():
        return
    with transaction.atomic():
        user.groups.add(group)
        if hasattr(user, "_role_names"):
            del user._role_names
        audit_record(actor=actor, action="user.grant_role", obj=user, after={"role": role})


def user_register(*, mobile: str, real_name: str, password: str, id_number: str = "", email: str = "",
                  role: str = Role.APPLICANT) -> User:
    """Create a real-name account at once (applicant by default): for imports, the back office and
    tests. People sign up through ``account_services.signup_request``, which confirms the mobile by
    a code and never says whether a mobile or ID number is taken."""
    try:
        mobile = personal_data.normalize_mobile(mobile)
    except ValidationError as e:
        raise _invalid(e, "mobile")
    real_name = (real_name or "").strip()
    if not real_name:
        raise InvalidInput(_("Please enter your real name."), field="real_name")
    number = ""
    if id_number:
        try:
            number = personal_data.normalize_id_number(id_number)
        except ValidationError as e:
            raise _invalid(e, "id_number")
    if User.objects.filter(mobile=mobile).exists():
        raise InvalidInput(_("An account with this mobile number already exists."), field="mobile")
    if number and User.objects.filter(id_number_hash=personal_data.lookup_hash(number)).exists():
        raise InvalidInput(_("An account with this ID number already exists."), field="id_number")
    candidate = User(mobile=mobile, real_name=real_name, email=email)
    try:
        validate_password(password, user=candidate)
    except ValidationError as e:
        raise _invalid(e, "password")
    try:
        with transaction.atomic():
            user = User.objects.create_user(mobile, password, real_name=real_name, email=email,
                                            id_number=number or None)
            audit_record(actor=user, action="user.register", obj=user,
                         after={"mobile": user.mobile_masked, "id_number": user.id_number_masked})
            user_grant_role(user=user, role=role, actor=user)
    except IntegrityError:
        raise InvalidInput(_("An account with this mobile number or ID number already exists."))
    return user


def user_register_confirmed(*, mobile: str, real_name: str, id_number: str, password_hash: str, email: str = "",
                            role: str = Role.APPLICANT) -> User:
    """Open the account of a signup whose mobile was confirmed by a code
    (``portal.account_services.signup_confirm``); the password arrives hashed. A mobile or ID
    number registered meanwhile refuses it without saying which."""
    mobile = personal_data.normalize_mobile(mobile)
    number = personal_data.normalize_id_number(id_number)
    taken = (User.objects.filter(mobile=mobile).exists()
             or User.objects.filter(id_number_hash=personal_data.lookup_hash(number)).exists())
    if taken:
        raise InvalidInput(_("No account could be opened with these details. If you already have one, log in or "
                             "reset your password."))
    try:
        with transaction.atomic():
            user = User(mobile=mobile, real_name=real_name.strip(), email=email, password=password_hash)
            user.set_id_number(number)
            user.full_clean(exclude=["password"])
            user.save()
            audit_record(actor=user, action="user.register", obj=user,
                         after={"mobile": user.mobile_masked, "id_number": user.id_number_masked,
                                "mobile_confirmed": True})
            user_grant_role(user=user, role=role, actor=user)
    except (IntegrityError, ValidationError):
        raise InvalidInput(_("No account could be opened with these details. If you already have one, log in or "
                             "reset your password."))
    return user


# --- Enterprises ---------------------------------------------------------

def _bureau_roles(actor: User, organization: Organization) -> set[str]:
    roles = set()
    if selectors.bureau_regions_for_user(user=actor).filter(pk=organization.region_id).exists():
        roles.add(BUREAU_OF_REGION)
    return roles


def _assign_hr_permissions(user: User, organization: Organization, *, admin: bool) -> None:
    assign_perm("portal.view_organization", user, organization)
    assign_perm("portal.work_organization", user, organization)
    if admin:
        assign_perm("portal.manage_organization", user, organization)


def enterprise_register(*, registrant: User, name: str, uscc: str, region: Region, ownership: str, size: str,
                        contact_name: str, contact_phone: str, business_licence, address: str = "") -> Organization:
    """R1.3: an enterprise opens a title-work account; it waits for the bureau
    of its region. The registrant becomes its HR administrator."""
    try:
        code = personal_data.normalize_uscc(uscc)
    except ValidationError as e:
        raise _invalid(e, "uscc")
    try:
        contact_phone = personal_data.normalize_mobile(contact_phone)
    except ValidationError as e:
        raise _invalid(e, "contact_phone")
    try:
        licence = prepare_document(business_licence)
    except ValidationError as e:
        raise _invalid(e, "business_licence")
    if not (name or "").strip():
        raise InvalidInput(_("Please enter the enterprise's name."), field="name")
    if ownership not in Organization.Ownership.values:
        raise InvalidInput(_("Please choose the ownership."), field="ownership")
    if size not in Organization.Size.values:
        raise InvalidInput(_("Please choose the size."), field="size")
    if Organization.objects.filter(uscc=code).exists():
        raise InvalidInput(_("An organization with this unified social credit code is already registered."),
                           field="uscc")
    organization = Organization(
        kind=Organization.Kind.ENTERPRISE, name=name.strip(), uscc=code, region=region,
        status=Organization.Status.PENDING, ownership=ownership, size=size, address=address,
        contact_name=contact_name, contact_phone=contact_phone,
    )
    try:
        organization.full_clean(exclude=["business_licence"])
    except ValidationError as e:
        raise _invalid(e)
    try:
        with transaction.atomic():
            organization.business_licence.save(licence.name[-80:], licence.file, save=False)
            organization.save()
            Membership.objects.create(user=registrant, organization=organization, role=Membership.OrgRole.HR_ADMIN)
            _assign_hr_permissions(registrant, organization, admin=True)
            user_grant_role(user=registrant, role=Role.ENTERPRISE_HR, actor=registrant)
            audit_record(actor=registrant, action="enterprise.register", obj=organization,
                         after=snapshot(organization, ORG_AUDIT_FIELDS))
            officers = selectors.bureau_officers_for_region(region=region)
            notification_send(
                recipients=officers,
                subject=lambda: _("New enterprise awaiting approval: %(name)s") % {"name": organization.name},
                body=lambda: _("%(name)s (credit code %(uscc)s) registered a title-work account in %(region)s. Check "
                               "its business licence and approve or reject it in the approval queue (R1.3).")
                % {"name": organization.name, "uscc": organization.uscc, "region": region.name},
                url=reverse("bureau-enterprise-detail", args=[organization.pk]),
            )
    except IntegrityError:
        raise InvalidInput(_("An organization with this unified social credit code is already registered."),
                           field="uscc")
    return organization


def _decide(*, actor: User, organization_id: int, action: str, reason: str = "") -> Organization:
    with transaction.atomic():
        organization = Organization.objects.select_for_update().filter(
            pk=organization_id, kind=Organization.Kind.ENTERPRISE).first()
        if organization is None:
            raise NotAllowed()
        roles = _bureau_roles(actor, organization)
        if not roles:
            raise NotAllowed(_("Only the HR bureau of the enterprise's region may decide on it (R1.3)."),
                             rule="R1.3")
        transition = ORGANIZATION_WORKFLOW.check(action=action, current=organization.status, roles=roles)
        before = snapshot(organization, ORG_AUDIT_FIELDS)
        organization.status = transition.target
        organization.decided_by = actor
        organization.decided_at = timezone.now()
        if action == "reject":
            organization.rejection_reason = reason
        organization.save(update_fields=["status", "decided_by", "decided_at", "rejection_reason", "updated_at"])
        audit_record(actor=actor, action=f"enterprise.{action}", obj=organization, before=before,
                     after=snapshot(organization, ORG_AUDIT_FIELDS), reason=reason)
        notification_settle(reverse("bureau-enterprise-detail", args=[organization.pk]))
        admins = selectors.organization_admins(organization=organization)

        def subject():
            if action == "approve":
                return _("Your enterprise's title-work account is approved: %(name)s") % {"name": organization.name}
            return _("Your enterprise's title-work account was not approved: %(name)s") % {"name": organization.name}

        def body():
            if action == "approve":
                return _("The HR bureau of %(region)s approved the account. You can now invite HR staff and "
                         "employees, confirm employment and review your employees' applications.") % {
                    "region": organization.region.name}
            return _("Reason: %(reason)s. Correct the registration as the reason says and submit it again from the "
                     "console.") % {"reason": reason}

        notification_send(recipients=admins, subject=subject, body=body, topic=Topic.RESULT,
                          url=reverse("enterprise-console", args=[organization.pk]))
    return organization


def enterprise_approve(*, actor: User, organization_id: int) -> Organization:
    return _decide(actor=actor, organization_id=organization_id, action="approve")


def enterprise_reject(*, actor: User, organization_id: int, reason: str) -> Organization:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Please give the reason for rejection; the enterprise will see it."), field="reason")
    return _decide(actor=actor, organization_id=organization_id, action="reject", reason=reason)


# --- Invitations and employment -----------------------------------------

def _require_manager(actor: User, organization: Organization) -> None:
    if not actor.has_perm("portal.manage_organization", organization):
        raise NotAllowed()
    if organization.status != Organization.Status.ACTIVE:
        raise RuleViolation(_("The enterprise's account is not active yet (R1.3)."), rule="R1.3")


def invitation_create(*, actor: User, organization: Organization, kind: str, mobile: str, real_name: str,
                      position: str = "", start_date: dt.date | None = None, email: str = "",
                      id_number: str = "") -> Invitation:
    """An HR administrator invites a colleague or an employee. The invitation reaches the person by
    SMS, by email where HR knows it, and in-app when they already have an account; it shows on
    their home page after login (by mobile number, or by ID number when HR gave it)."""
    _require_manager(actor, organization)
    try:
        mobile = personal_data.normalize_mobile(mobile)
    except ValidationError as e:
        raise _invalid(e, "mobile")
    id_hash = id_masked = ""
    if (id_number or "").strip():
        try:
            number = personal_data.normalize_id_number(id_number)
        except ValidationError as e:
            raise _invalid(e, "id_number")
        id_hash, id_masked = personal_data.lookup_hash(number), personal_data.mask_id_number(number)
    try:
        email = personal_data.normalize_email(email)
    except ValidationError as e:
        raise _invalid(e, "email")
    if kind not in Invitation.Kind.values:
        raise InvalidInput(_("Choose whom you invite: HR staff or an employee."), field="kind")
    if not (real_name or "").strip():
        raise InvalidInput(_("Please enter the person's real name."), field="real_name")
    if kind == Invitation.Kind.EMPLOYEE and start_date is None:
        raise InvalidInput(_("Please enter the employment start date."), field="start_date")
    if start_date and start_date > timezone.localdate():
        raise InvalidInput(_("The start date cannot be in the future."), field="start_date")
    if Invitation.objects.filter(organization=organization, mobile=mobile, kind=kind,
                                 status=Invitation.Status.OPEN).exists():
        raise InvalidInput(_("This person already has an open invitation."), field="mobile")
    with transaction.atomic():
        invitation = Invitation.objects.create(
            organization=organization, kind=kind, mobile=mobile, real_name=name_clean(real_name), position=position,
            start_date=start_date, invited_by=actor, email=email, id_number_hash=id_hash, id_number_masked=id_masked,
            expires_at=timezone.now() + dt.timedelta(days=settings.PORTAL["INVITATION_DAYS"]),
        )
        audit_record(actor=actor, action="invitation.create", obj=invitation,
                     after={"organization": organization.pk, "kind": kind, "mobile": invitation.mobile_masked,
                            "email": personal_data.mask_email(email), "id_number": id_masked})
        _invitation_deliver(invitation)
    return invitation


def _invitation_texts(invitation: Invitation):
    """The invitation's subject and body (callables: rendered in each recipient's language)."""
    organization = invitation.organization
    expires = timezone.localtime(invitation.expires_at).strftime("%Y-%m-%d")

    def subject():
        return _("%(org)s invites you to join its title work on the title portal") % {"org": organization.name}

    def body():
        role = Invitation.Kind(invitation.kind).label
        lines = [_("%(org)s (%(region)s) invites %(name)s as %(role)s%(position)s.") % {
            "org": organization.name, "region": organization.region.name, "name": invitation.real_name,
            "role": role, "position": f" · {invitation.position}" if invitation.position else ""}]
        if invitation.kind == Invitation.Kind.EMPLOYEE:
            lines.append(_("Accepting records your employment there from %(date)s, confirmed by the enterprise; "
                           "you can then apply for a title through it.") % {"date": invitation.start_date})
        lines.append(_("To answer: log in (or sign up) with this mobile number, then accept or decline on your home "
                       "page by %(date)s.") % {"date": expires})
        return " ".join(lines)

    def sms():
        return _("%(org)s invites %(name)s to join its title work as %(role)s. Log in (or sign up) with this mobile "
                 "number and accept or decline on your home page by %(date)s.") % {
            "org": organization.name, "name": invitation.real_name, "role": Invitation.Kind(invitation.kind).label,
            "date": expires}

    return subject, body, sms


def _invitation_deliver(invitation: Invitation) -> None:
    """SMS to the mobile, email where known, in-app to an account the invitation already matches."""
    from portal.delivery import delivery_queue, sms_text
    from portal.models import MessageDelivery, Topic
    from portal.notifications import in_language, notification_send

    subject, body, sms = _invitation_texts(invitation)
    match = User.objects.filter(mobile=invitation.mobile)
    if invitation.id_number_hash:
        match = User.objects.filter(Q(mobile=invitation.mobile) | Q(id_number_hash=invitation.id_number_hash))
    invitees = list(match.filter(is_active=True))
    url = reverse("my-invitations")
    if invitees:
        # In-app, by email (their own address) and SMS to their own mobile, in their language.
        notification_send(recipients=invitees, topic=Topic.INVITATION, subject=subject, body=body, url=url, sms=sms)
    # Whoever holds the mobile (or email) HR typed and has no account with it: in the site's language.
    # An account with that mobile or email was reached above (or turned invitations off).
    with in_language(None):
        if not any(u.mobile == invitation.mobile for u in invitees):
            delivery_queue(channel=MessageDelivery.Channel.SMS, topic=Topic.INVITATION, address=invitation.mobile,
                           body=sms_text(sms(), "", reverse("signup")),
                           key=f"invitation:{invitation.pk}:sms")
        if invitation.email and not any(u.email.lower() == invitation.email.lower() for u in invitees):
            delivery_queue(channel=MessageDelivery.Channel.EMAIL, topic=Topic.INVITATION, address=invitation.email,
                           subject=_("[Title portal] %(subject)s") % {"subject": subject()},
                           body="\n\n".join([body(), _("Sign up or log in: %(link)s")
                                              % {"link": f"{settings.SITE_URL}{reverse('login')}"}]),
                           key=f"invitation:{invitation.pk}:email")


def _invitation_lock_for_invitee(user: User, invitation_id: int) -> Invitation:
    match = Q(mobile=user.mobile)
    if user.id_number_hash:
        match |= Q(id_number_hash=user.id_number_hash)
    invitation = (Invitation.objects.select_for_update().select_related("organization", "invited_by")
                  .filter(match, pk=invitation_id).first())
    if invitation is None:
        raise NotAllowed()
    return invitation


def _invitation_answered(invitation: Invitation, user: User, accepted: bool) -> None:
    """HR (the inviter and the enterprise's administrators) hears the answer."""
    organization = invitation.organization
    recipients = {u.pk: u for u in selectors.organization_admins(organization=organization)}
    if invitation.invited_by.is_active:
        recipients[invitation.invited_by_id] = invitation.invited_by
    role = invitation.kind

    def subject():
        text = (_("%(name)s accepted your invitation") if accepted else _("%(name)s declined your invitation"))
        return text % {"name": user.real_name}

    def body():
        label = Invitation.Kind(role).label
        if accepted and role == Invitation.Kind.EMPLOYEE:
            return _("%(name)s is now recorded as an employee of %(org)s (%(role)s); nothing more to do.") % {
                "name": user.real_name, "org": organization.name, "role": label}
        if accepted:
            return _("%(name)s now does title work for %(org)s as %(role)s.") % {
                "name": user.real_name, "org": organization.name, "role": label}
        return _("%(name)s declined to join %(org)s as %(role)s. If this is a mistake, invite them again from the "
                 "console.") % {"name": user.real_name, "org": organization.name, "role": label}

    notification_send(recipients=list(recipients.values()), topic=Topic.WORK, subject=subject, body=body,
                      url=reverse("enterprise-console", args=[organization.pk]))


def _invitation_notifications_read(user: User) -> None:
    """The invitee answered: their own "invites you" notifications are settled (no one else's)."""
    from portal.models import Notification, notifications_written

    notifications_written()
    Notification.objects.filter(recipient=user, topic=Topic.INVITATION, read_at__isnull=True).update(
        read_at=timezone.now())


def invitation_accept(*, user: User, invitation_id: int) -> Invitation:
    with transaction.atomic():
        invitation = _invitation_lock_for_invitee(user, invitation_id)
        if invitation.status != Invitation.Status.OPEN:
            raise Conflict(_("This invitation is no longer open."))
        if invitation.expires_at < timezone.now():
            raise RuleViolation(_("This invitation has expired; ask the enterprise to invite you again."))
        organization = invitation.organization
        if invitation.kind == Invitation.Kind.HR_STAFF:
            Membership.objects.get_or_create(user=user, organization=organization, role=Membership.OrgRole.HR_STAFF)
            _assign_hr_permissions(user, organization, admin=False)
            user_grant_role(user=user, role=Role.ENTERPRISE_HR, actor=user)
        else:
            if Employment.objects.filter(user=user, employer=organization,
                                         status__in=[Employment.Status.PENDING, Employment.Status.CONFIRMED]).exists():
                raise Conflict(_("You already have an employment record with this enterprise."))
            employment = Employment.objects.create(
                user=user, employer=organization, position=invitation.position, start_date=invitation.start_date,
                status=Employment.Status.CONFIRMED, confirmed_by=invitation.invited_by, confirmed_at=timezone.now(),
            )
            audit_record(actor=user, action="employment.create_from_invitation", obj=employment,
                         after=snapshot(employment, EMPLOYMENT_AUDIT_FIELDS))
            user_grant_role(user=user, role=Role.APPLICANT, actor=user)
        _invitation_answer(invitation, user, "accept")
    return invitation


def invitation_decline(*, user: User, invitation_id: int) -> Invitation:
    """The invitee says no; HR is told. Nothing else changes."""
    with transaction.atomic():
        invitation = _invitation_lock_for_invitee(user, invitation_id)
        if invitation.status != Invitation.Status.OPEN:
            raise Conflict(_("This invitation is no longer open."))
        _invitation_answer(invitation, user, "decline")
    return invitation


def _invitation_answer(invitation: Invitation, user: User, action: str) -> None:
    """Record the invitee's answer (the row is locked), audit it, settle their notifications, tell HR."""
    transition = INVITATION_WORKFLOW.check(action=action, current=invitation.status, roles={INVITEE})
    invitation.status = transition.target
    invitation.accepted_by = user
    invitation.decided_at = timezone.now()
    invitation.save(update_fields=["status", "accepted_by", "decided_at"])
    audit_record(actor=user, action=f"invitation.{action}", obj=invitation,
                 before={"status": "open"}, after={"status": transition.target})
    _invitation_notifications_read(user)
    _invitation_answered(invitation, user, accepted=action == "accept")


def invitation_revoke(*, actor: User, invitation_id: int) -> Invitation:
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().select_related("organization").filter(
            pk=invitation_id).first()
        if invitation is None or not actor.has_perm("portal.manage_organization", invitation.organization):
            raise NotAllowed()
        if invitation.status != Invitation.Status.OPEN:
            raise Conflict(_("This invitation is no longer open."))
        INVITATION_WORKFLOW.check(action="revoke", current=invitation.status, roles={ENTERPRISE_HR_ADMIN})
        invitation.status = Invitation.Status.REVOKED
        invitation.decided_at = timezone.now()
        invitation.save(update_fields=["status", "decided_at"])
        audit_record(actor=actor, action="invitation.revoke", obj=invitation,
                     before={"status": "open"}, after={"status": "revoked"})
    return invitation


def employment_declare(*, user: User, employer: Organization, start_date: dt.date, position: str = "",
                       dispatch_region: Region | None = None, dispatch_start: dt.date | None = None) -> Employment:
    """A professional names their employer; the enterprise confirms (R1.1)."""
    if employer.kind != Organization.Kind.ENTERPRISE or employer.status != Organization.Status.ACTIVE:
        raise RuleViolation(_("Choose an enterprise whose title-work account is active (R1.3)."), rule="R1.3")
    if start_date > timezone.localdate():
        raise InvalidInput(_("The start date cannot be in the future."), field="start_date")
    if dispatch_region and not dispatch_start:
        raise InvalidInput(_("Please enter since when you are dispatched."), field="dispatch_start")
    if dispatch_start and not dispatch_region:
        raise InvalidInput(_("Choose the region you are dispatched to, or leave the dispatch date empty."),
                           field="dispatch_region")
    if dispatch_region and dispatch_region.pk == employer.region_id:
        raise RuleViolation(_("A dispatch is to another region than the employer's (R1.8); leave it empty if you "
                              "work where the enterprise is."), rule="R1.8", field="dispatch_region")
    if dispatch_start and dispatch_start > timezone.localdate():
        raise InvalidInput(_("The dispatch date cannot be in the future."), field="dispatch_start")
    if dispatch_start and dispatch_start < start_date:
        raise InvalidInput(_("The dispatch cannot start before the employment does."), field="dispatch_start")
    if Employment.objects.filter(user=user, employer=employer,
                                 status__in=[Employment.Status.PENDING, Employment.Status.CONFIRMED]).exists():
        raise InvalidInput(_("You already have an employment record with this enterprise."), field="employer")
    with transaction.atomic():
        employment = Employment(user=user, employer=employer, start_date=start_date, position=position,
                                dispatch_region=dispatch_region, dispatch_start=dispatch_start)
        employment.full_clean()
        employment.save()
        audit_record(actor=user, action="employment.declare", obj=employment,
                     after=snapshot(employment, EMPLOYMENT_AUDIT_FIELDS))
        notification_send(recipients=selectors.organization_admins(organization=employer),
                          subject=lambda: _("%(name)s asks you to confirm employment") % {"name": user.real_name},
                          body=lambda: _("%(name)s named %(org)s as employer since %(date)s%(position)s. Confirm "
                                         "it, or say it is not so, in the console's list of employees.") % {
                              "name": user.real_name, "org": employer.name, "date": start_date.isoformat(),
                              "position": f" ({position})" if position else ""},
                          url=reverse("enterprise-console", args=[employer.pk]) + "#employees")
    return employment


def _employment_transition(*, actor: User, employment_id: int, action: str, end_date: dt.date | None = None,
                           reason: str = "") -> Employment:
    with transaction.atomic():
        employment = Employment.objects.select_for_update().select_related("employer", "user").filter(
            pk=employment_id).first()
        if employment is None or not actor.has_perm("portal.manage_organization", employment.employer):
            raise NotAllowed()
        transition = EMPLOYMENT_WORKFLOW.check(action=action, current=employment.status,
                                               roles={ENTERPRISE_HR_ADMIN})
        before = snapshot(employment, EMPLOYMENT_AUDIT_FIELDS)
        employment.status = transition.target
        if action == "confirm":
            employment.confirmed_by, employment.confirmed_at = actor, timezone.now()
        if action == "end":
            end_date = end_date or timezone.localdate()
            if end_date < employment.start_date:
                raise InvalidInput(_("The end date cannot be before the start date."), field="end_date")
            employment.end_date = end_date
        employment.save()
        audit_record(actor=actor, action=f"employment.{action}", obj=employment, before=before,
                     after=snapshot(employment, EMPLOYMENT_AUDIT_FIELDS), reason=reason)
        org = employment.employer.name

        def subject():
            return {
                "confirm": _("%(org)s confirmed your employment"),
                "reject": _("%(org)s did not confirm your employment"),
                "end": _("%(org)s recorded the end of your employment"),
            }[action] % {"org": org}

        def body():
            if action == "confirm":
                return _("You can now apply for a professional title through %(org)s; your region is taken from this "
                         "employment (R1.1).") % {"org": org}
            if action == "reject":
                return _("%(reason)sCheck the details with the enterprise's HR, or name another employer.") % {
                    "reason": _("Reason: %(reason)s. ") % {"reason": reason} if reason else ""}
            return _("End date: %(date)s. New applications can no longer go through this employer.") % {
                "date": employment.end_date.isoformat()}

        notification_send(recipients=[employment.user], subject=subject, body=body, topic=Topic.RESULT,
                          url=reverse("my-employment"))
    return employment


def employment_confirm(*, actor: User, employment_id: int) -> Employment:
    return _employment_transition(actor=actor, employment_id=employment_id, action="confirm")


def employment_reject(*, actor: User, employment_id: int, reason: str = "") -> Employment:
    return _employment_transition(actor=actor, employment_id=employment_id, action="reject", reason=reason)


def employment_end(*, actor: User, employment_id: int, end_date: dt.date | None = None) -> Employment:
    return _employment_transition(actor=actor, employment_id=employment_id, action="end", end_date=end_date)


def membership_deactivate(*, actor: User, membership_id: int) -> Membership:
    with transaction.atomic():
        membership = Membership.objects.select_for_update().select_related("organization", "user").filter(
            pk=membership_id).first()
        if membership is None or not actor.has_perm("portal.manage_organization", membership.organization):
            raise NotAllowed()
        if membership.user_id == actor.pk:
            raise RuleViolation(_("You cannot remove yourself."))
        membership.is_active = False
        membership.save(update_fields=["is_active"])
        for perm in ("view_organization", "work_organization", "manage_organization"):
            remove_perm(f"portal.{perm}", membership.user, membership.organization)
        audit_record(actor=actor, action="membership.deactivate", obj=membership,
                     before={"is_active": True}, after={"is_active": False})
    return membership


# --- Reference data ------------------------------------------------------

@transaction.atomic
def regions_seed() -> int:
    """The autonomous region and its 14 prefecture-level divisions, plus one
    active HR bureau per region; idempotent."""
    from django.contrib.auth.models import Group

    from portal.reference_data import PREFECTURES, PROVINCE, REGIONS_UG

    for role in Role.values:
        Group.objects.get_or_create(name=role)
    code, name, name_en = PROVINCE
    province, _created = Region.objects.update_or_create(
        code=code, defaults={"name": name, "name_en": name_en, "name_ug": REGIONS_UG.get(code, ""),
                             "kind": Region.Kind.PROVINCE, "parent": None})
    regions = [province]
    for code, name, name_en in PREFECTURES:
        region, _created = Region.objects.update_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "name_ug": REGIONS_UG.get(code, ""),
                                 "kind": Region.Kind.PREFECTURE, "parent": province})
        regions.append(region)
    for region in regions:
        bureau_name = ("新疆维吾尔自治区人力资源和社会保障厅" if region.kind == Region.Kind.PROVINCE
                       else f"{region.name}人力资源和社会保障局")
        Organization.objects.get_or_create(
            kind=Organization.Kind.HR_BUREAU, region=region,
            defaults={"name": bureau_name, "status": Organization.Status.ACTIVE,
                      "ownership": Organization.Ownership.PUBLIC})
    return len(regions)


# --- Integrity records (R6.3), written by the integrity app's upheld fraud cases ------

from portal.models import IntegrityRecord, PolicySettings  # noqa: E402


def integrity_bar_last_day(*, starts_on: dt.date, years: int) -> dt.date:
    """R6.3: the last day a record starting on ``starts_on`` bars applying.

    A bar of ``years`` years counts its first day and ends after that many
    years, on the day before the same date ``years`` later: a record from
    2026-12-03 bars through 2029-12-02, and 2029-12-03 is free. A record from
    29 February, whose date does not exist in the year it ends, is free on
    1 March and bars through 28 February (2028-02-29 for 3 years: through
    2031-02-28). ``IntegrityRecord.ends_on`` holds this last barred day.
    """
    from portal.calendar import period_last_day

    return period_last_day(starts_on=starts_on, years=years)


def integrity_record_create(*, actor: User, user: User, reason: str, starts_on: dt.date | None = None,
                            years: int | None = None) -> IntegrityRecord:
    """失信记录 (R6.3): bars ``user`` from applying from ``starts_on`` (today)
    for ``years`` (``PolicySettings.integrity_bar_years`` unless given), through
    ``integrity_bar_last_day`` (the record's ``ends_on``, inclusive). Only
    a supervisor records one; the person is notified by the caller."""
    if actor is None or not actor.is_authenticated or not actor.has_role(Role.SUPERVISOR):
        raise NotAllowed(_("Only a supervisor may record an integrity record (R6.3)."), rule="R6.3")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Record the reason for the integrity record (R6.3)."), field="reason")
    years = PolicySettings.load().integrity_bar_years if years is None else years
    if years < 1:
        raise InvalidInput(_("An integrity record bars for at least one year (R6.3)."), field="years")
    starts_on = starts_on or timezone.localdate()
    ends_on = integrity_bar_last_day(starts_on=starts_on, years=years)
    with transaction.atomic():
        record = IntegrityRecord(user=user, reason=reason, starts_on=starts_on, ends_on=ends_on, recorded_by=actor)
        record.full_clean()
        record.save()
        audit_record(actor=actor, action="integrity_record.create", obj=record,
                     after={"user": user.pk, "starts_on": starts_on, "ends_on": ends_on, "years": years},
                     reason=reason)
    return record


# --- Getting in (signup, password reset, sessions): portal.account_services -----------------------

from portal.account_services import user_credentials_revoke  # noqa: E402, F401
