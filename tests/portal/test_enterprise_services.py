"""Enterprise title-work accounts (R1.3): registration, approval, rejection."""

from __future__ import annotations

import pytest

from portal import services
from portal.errors import InvalidInput, NotAllowed, RuleViolation
from portal.models import AuditEvent, Membership, Notification, Organization, Role
from tests.factories import EnterpriseFactory, UserFactory, bureau_officer, make_uscc, region


def register(user, licence, **overrides):
    data = dict(registrant=user, name="新疆测试装备有限公司", uscc=make_uscc(), region=region("650100"),
                ownership="private", size="small", contact_name="李华", contact_phone="13912345678",
                business_licence=licence)
    data.update(overrides)
    return services.enterprise_register(**data)


def test_R1_3_registration_is_pending_and_makes_registrant_hr_admin(png_file):
    officer = bureau_officer("650100")
    user = UserFactory()
    organization = register(user, png_file())
    assert organization.status == Organization.Status.PENDING
    assert Membership.objects.filter(user=user, organization=organization, role="hr_admin").exists()
    assert user.has_perm("portal.manage_organization", organization)
    assert user.groups.filter(name=Role.ENTERPRISE_HR).exists()
    assert AuditEvent.objects.filter(action="enterprise.register", object_id=str(organization.pk)).exists()
    assert Notification.objects.filter(recipient=officer).count() == 1


def test_R1_3_bureau_of_region_approves(png_file):
    officer = bureau_officer("650100")
    organization = register(UserFactory(), png_file())
    services.enterprise_approve(actor=officer, organization_id=organization.pk)
    organization.refresh_from_db()
    assert organization.status == Organization.Status.ACTIVE
    event = AuditEvent.objects.get(action="enterprise.approve")
    assert event.before["status"] == "pending" and event.after["status"] == "active"
    assert event.actor_id == officer.pk


def test_R1_3_one_officers_decision_settles_every_officers_awaiting_notification(png_file):
    first, colleague, elsewhere = bureau_officer("650100"), bureau_officer("650100"), bureau_officer("652300")
    organization = register(UserFactory(), png_file())
    other = register(UserFactory(), png_file(), uscc=make_uscc())  # still waiting: stays unread
    assert Notification.objects.filter(recipient=colleague, read_at__isnull=True).count() == 2
    services.enterprise_approve(actor=first, organization_id=organization.pk)
    unread = Notification.objects.filter(recipient__in=[first, colleague], read_at__isnull=True)
    assert {n.url for n in unread} == {f"/bureau/enterprises/{other.pk}/"}
    assert not Notification.objects.filter(recipient=elsewhere).exists()
    hr_admin = Membership.objects.get(organization=organization).user
    assert Notification.objects.get(recipient=hr_admin).read_at is None  # the enterprise's own news is its to read


def test_R1_3_bureau_of_another_region_may_not_approve(png_file):
    other = bureau_officer("652300")
    organization = register(UserFactory(), png_file())
    events = AuditEvent.objects.count()
    with pytest.raises(NotAllowed) as error:
        services.enterprise_approve(actor=other, organization_id=organization.pk)
    assert error.value.rule == "R1.3"
    organization.refresh_from_db()
    assert organization.status == Organization.Status.PENDING
    assert AuditEvent.objects.count() == events


def test_R1_3_reject_needs_a_reason_and_records_it(png_file):
    officer = bureau_officer("650100")
    organization = register(UserFactory(), png_file())
    with pytest.raises(InvalidInput):
        services.enterprise_reject(actor=officer, organization_id=organization.pk, reason="  ")
    services.enterprise_reject(actor=officer, organization_id=organization.pk, reason="营业执照不清晰")
    organization.refresh_from_db()
    assert organization.status == "rejected" and organization.rejection_reason == "营业执照不清晰"


def test_approving_twice_is_refused_and_changes_nothing(png_file):
    officer = bureau_officer("650100")
    organization = register(UserFactory(), png_file())
    services.enterprise_approve(actor=officer, organization_id=organization.pk)
    events = AuditEvent.objects.count()
    with pytest.raises(RuleViolation):
        services.enterprise_approve(actor=officer, organization_id=organization.pk)
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("bad_uscc, message", [
    ("91650100MA0000001X", "check character"),
    ("123", "valid 18-character"),
])
def test_bad_uscc_is_refused_with_a_clear_message(png_file, bad_uscc, message):
    with pytest.raises(InvalidInput) as error:
        register(UserFactory(), png_file(), uscc=bad_uscc)
    assert message in str(error.value.message)
    assert error.value.field == "uscc"
    assert not Organization.objects.filter(kind="enterprise").exists()


def test_duplicate_uscc_is_refused(png_file):
    existing = EnterpriseFactory()
    with pytest.raises(InvalidInput) as error:
        register(UserFactory(), png_file(), uscc=existing.uscc)
    assert "already registered" in str(error.value.message)


def test_licence_judged_by_content_not_name(png_file):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("licence.pdf", b"MZ\x90\x00 this is an executable", content_type="application/pdf")
    with pytest.raises(InvalidInput) as error:
        register(UserFactory(), fake)
    assert error.value.field == "business_licence"
    assert not Organization.objects.filter(kind="enterprise").exists()


def test_licence_over_the_upload_limit_is_refused(settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * (1024 * 1024), content_type="application/pdf")
    with pytest.raises(InvalidInput) as error:
        register(UserFactory(), big)
    assert "1.00\xa0MB; the limit is 1.0\xa0MB" in str(error.value.message)


def test_pdf_and_jpeg_licences_are_accepted(pdf_file):
    assert register(UserFactory(), pdf_file()).business_licence.name.endswith(".pdf")
