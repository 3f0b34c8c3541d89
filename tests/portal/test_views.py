"""Pages of the foundation slice: each role that may, and those that may not."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portal.models import Employment, Invitation, Organization, User
from tests.factories import (
    EnterpriseFactory,
    UserFactory,
    bureau_officer,
    employee_of,
    hr_admin_of,
    last_code,
    make_id_number,
    make_uscc,
    region,
)


@pytest.fixture
def two_enterprises():
    a = EnterpriseFactory(region=region("650100"))
    b = EnterpriseFactory(region=region("650100"))
    return a, b


def login(client, user):
    client.force_login(user, backend="portal.backends.MobileOrIdNumberBackend")
    return client


# --- HR console ----------------------------------------------------------

def test_console_visible_to_own_hr_admin_and_staff(client, two_enterprises):
    a, _b = two_enterprises
    admin, staff = hr_admin_of(a), hr_admin_of(a, admin=False)
    response = login(client, admin).get(reverse("enterprise-console", args=[a.pk]))
    assert response.status_code == 200 and b"Send invitation" in response.content
    response = login(client, staff).get(reverse("enterprise-console", args=[a.pk]))
    assert response.status_code == 200 and b"Send invitation" not in response.content


@pytest.mark.parametrize("who", ["other_hr", "bureau", "applicant"])
def test_console_of_another_enterprise_is_404(client, two_enterprises, who):
    a, b = two_enterprises
    user = {"other_hr": lambda: hr_admin_of(b), "bureau": lambda: bureau_officer("650100"),
            "applicant": lambda: employee_of(a)}[who]()
    assert login(client, user).get(reverse("enterprise-console", args=[a.pk])).status_code == 404


def test_console_needs_login(client, two_enterprises):
    a, _ = two_enterprises
    response = client.get(reverse("enterprise-console", args=[a.pk]))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_hr_of_enterprise_b_cannot_confirm_employment_at_a(client, two_enterprises):
    a, b = two_enterprises
    employee = UserFactory()
    employment = Employment.objects.create(user=employee, employer=a, start_date="2020-01-01")
    login(client, hr_admin_of(b))
    # Through A's URL (no permission) and through B's URL (wrong object): both refused.
    assert client.post(reverse("enterprise-action", args=[a.pk, "confirm", employment.pk])).status_code == 404
    client.post(reverse("enterprise-action", args=[b.pk, "confirm", employment.pk]))
    employment.refresh_from_db()
    assert employment.status == Employment.Status.PENDING


def test_hr_admin_confirms_and_ends_employment(client, two_enterprises):
    a, _ = two_enterprises
    employee = UserFactory()
    employment = Employment.objects.create(user=employee, employer=a, start_date="2020-01-01")
    login(client, hr_admin_of(a))
    client.post(reverse("enterprise-action", args=[a.pk, "confirm", employment.pk]))
    employment.refresh_from_db()
    assert employment.status == "confirmed"
    client.post(reverse("enterprise-action", args=[a.pk, "end", employment.pk]), {"end_date": "2019-01-01"})
    employment.refresh_from_db()
    assert employment.status == "confirmed"  # end before start refused, nothing changed
    client.post(reverse("enterprise-action", args=[a.pk, "end", employment.pk]), {"end_date": "2025-06-30"})
    employment.refresh_from_db()
    assert employment.status == "ended" and str(employment.end_date) == "2025-06-30"


def test_hr_staff_cannot_manage(client, two_enterprises):
    a, _ = two_enterprises
    employment = Employment.objects.create(user=UserFactory(), employer=a, start_date="2020-01-01")
    login(client, hr_admin_of(a, admin=False))
    client.post(reverse("enterprise-action", args=[a.pk, "confirm", employment.pk]))
    client.post(reverse("enterprise-invite", args=[a.pk]), {"kind": "employee", "real_name": "王五",
                                                            "mobile": "13700000000", "start_date": "2020-01-01"})
    employment.refresh_from_db()
    assert employment.status == "pending"
    assert not Invitation.objects.exists()


def test_invitation_flow_creates_confirmed_employment(client, two_enterprises):
    a, _ = two_enterprises
    login(client, hr_admin_of(a))
    client.post(reverse("enterprise-invite", args=[a.pk]), {"kind": "employee", "real_name": "王五",
                                                            "mobile": "13700000001", "start_date": "2020-01-01"})
    invitation = Invitation.objects.get()
    stranger = UserFactory(mobile="13700000002")
    login(client, stranger).post(reverse("my-invitations"), {"invitation": invitation.pk})
    invitation.refresh_from_db()
    assert invitation.status == "open"
    invitee = UserFactory(mobile="13700000001")
    login(client, invitee).post(reverse("my-invitations"), {"invitation": invitation.pk})
    invitation.refresh_from_db()
    assert invitation.status == "accepted"
    assert Employment.objects.get(user=invitee, employer=a).status == "confirmed"


def test_pending_enterprise_cannot_invite(client):
    pending = EnterpriseFactory(status=Organization.Status.PENDING)
    login(client, hr_admin_of(pending))
    client.post(reverse("enterprise-invite", args=[pending.pk]), {"kind": "hr_staff", "real_name": "王五",
                                                                  "mobile": "13700000001"})
    assert not Invitation.objects.exists()


def test_R1_1_employee_declares_employer_and_hr_confirms(client, two_enterprises):
    a, _ = two_enterprises
    employee = UserFactory()
    login(client, employee).post(reverse("my-employment"), {"employer_uscc": a.uscc, "start_date": "2021-03-01"})
    employment = Employment.objects.get(user=employee)
    assert employment.status == "pending"
    login(client, hr_admin_of(a)).post(reverse("enterprise-action", args=[a.pk, "confirm", employment.pk]))
    employment.refresh_from_db()
    assert employment.status == "confirmed"


# --- Bureau queue --------------------------------------------------------

@pytest.mark.parametrize("who, status", [("hr", 403), ("applicant", 403), ("auditor", 403)])
def test_queue_refused_to_other_roles(client, who, status):
    a = EnterpriseFactory()
    user = {"hr": lambda: hr_admin_of(a), "applicant": lambda: employee_of(a),
            "auditor": lambda: UserFactory(roles=["auditor"])}[who]()
    assert login(client, user).get(reverse("bureau-queue")).status_code == status


def test_queue_needs_login(client):
    assert client.get(reverse("bureau-queue")).status_code == 302


def test_R1_3_queue_shows_only_own_region(client):
    mine = EnterpriseFactory(status="pending", region=region("650100"), name="本地区企业")
    theirs = EnterpriseFactory(status="pending", region=region("652300"), name="外地区企业")
    login(client, bureau_officer("650100"))
    content = client.get(reverse("bureau-queue")).content.decode()
    assert mine.name in content and theirs.name not in content
    assert client.get(reverse("bureau-enterprise-detail", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("bureau-enterprise-detail", args=[theirs.pk]), {"action": "approve"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "pending"


def test_bureau_approves_and_rejects_through_the_page(client):
    a = EnterpriseFactory(status="pending")
    b = EnterpriseFactory(status="pending")
    login(client, bureau_officer("650100"))
    client.post(reverse("bureau-enterprise-detail", args=[a.pk]), {"action": "approve"})
    response = client.post(reverse("bureau-enterprise-detail", args=[b.pk]), {"action": "reject", "reason": ""})
    assert response.status_code == 200  # the form asks for a reason
    b.refresh_from_db()
    assert b.status == "pending"
    client.post(reverse("bureau-enterprise-detail", args=[b.pk]), {"action": "reject", "reason": "材料不全"})
    a.refresh_from_db(), b.refresh_from_db()
    assert (a.status, b.status) == ("active", "rejected")


def test_queue_query_count_is_flat(client, django_assert_max_num_queries):
    officer = bureau_officer("650100")
    login(client, officer)

    def make(n):
        Organization.objects.bulk_create([
            Organization(kind="enterprise", name=f"企业{i}", uscc=make_uscc(), region=region("650100"),
                         status="pending", ownership="private", size="small") for i in range(n)])

    make(10)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("bureau-queue")).status_code == 200
    make(990)
    with CaptureQueriesContext(connection) as large:
        response = client.get(reverse("bureau-queue"))
    assert response.status_code == 200
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]
    assert len(large) <= 15


# --- Licence and registration --------------------------------------------

def test_licence_visible_to_own_hr_and_region_bureau_only(client, png_file):
    a = EnterpriseFactory(business_licence=png_file())
    b = EnterpriseFactory()
    url = reverse("enterprise-licence", args=[a.pk])
    assert login(client, hr_admin_of(a)).get(url).status_code == 200
    assert login(client, bureau_officer("650100")).get(url).status_code == 200
    assert login(client, hr_admin_of(b)).get(url).status_code == 404
    assert login(client, bureau_officer("652300")).get(url).status_code == 404


def registration_data(licence, **overrides):
    data = {"name": "新疆丝路测试有限公司", "uscc": make_uscc(), "region": region("650100").pk, "ownership": "private",
            "size": "small", "address": "", "contact_name": "李华", "contact_phone": "13955556666",
            "business_licence": licence, "real_name": "李华", "id_number": make_id_number(),
            "mobile": "13955556666", "email": "", "password1": "Secret#2026", "password2": "Secret#2026"}
    data.update(overrides)
    return data


def test_R1_3_visitor_registers_enterprise_and_account(client, png_file, deliver):
    response = deliver(client.post, reverse("enterprise-register"), registration_data(png_file()))
    assert response.status_code == 302 and response["Location"] == reverse("signup-confirm")
    assert not Organization.objects.filter(kind="enterprise").exists()  # not before the mobile is confirmed
    response = client.post(reverse("signup-confirm"), {"code": last_code("13955556666")})
    organization = Organization.objects.get(kind="enterprise")
    assert response.status_code == 302 and response["Location"] == reverse("enterprise-console",
                                                                           args=[organization.pk])
    assert organization.status == "pending"
    assert User.objects.get(mobile="13955556666").has_perm("portal.manage_organization", organization)


@pytest.mark.parametrize("override, message", [
    ({"uscc": "91650100MA0000001X"}, "check character"),
    ({"id_number": "650102199001011235"}, "check digit"),
    ({"password1": "short", "password2": "short"}, "at least"),
])
def test_registration_bad_input_changes_nothing(client, png_file, override, message):
    response = client.post(reverse("enterprise-register"), registration_data(png_file(), **override))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Organization.objects.filter(kind="enterprise").exists()
    assert not User.objects.filter(mobile="13955556666").exists()


def test_registration_refuses_a_renamed_executable(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("licence.png", b"MZ" + b"\x00" * 200, content_type="image/png")
    response = client.post(reverse("enterprise-register"), registration_data(fake))
    assert response.status_code == 200
    assert "Only PDF, JPEG or PNG" in response.content.decode()
    assert not Organization.objects.filter(kind="enterprise").exists()


def test_pages_show_masked_personal_data_only(client):
    a = EnterpriseFactory()
    employee = employee_of(a)
    content = login(client, hr_admin_of(a)).get(reverse("enterprise-console", args=[a.pk])).content.decode()
    assert employee.id_number_masked in content
    assert employee.id_number not in content
    assert employee.mobile not in content


@pytest.mark.parametrize("name", ["home", "login", "signup", "enterprise-register", "healthz"])
def test_public_pages_render(client, name):
    assert client.get(reverse(name)).status_code == 200


def test_signup_confirms_the_mobile_then_logs_in(client, deliver):
    response = deliver(client.post, reverse("signup"), {"real_name": "赵六", "id_number": make_id_number(),
                                                        "mobile": "13766667777", "password1": "Secret#2026",
                                                        "password2": "Secret#2026"})
    assert response.status_code == 302
    response = client.post(reverse("signup-confirm"), {"code": last_code("13766667777")})
    assert response.status_code == 302
    assert client.get(reverse("home")).context["user"].real_name == "赵六"


def test_notifications_page_and_unread_badge(client):
    from portal.notifications import notification_send

    user = UserFactory()
    notification_send(recipients=[user], subject="测试通知")
    login(client, user)
    assert client.get(reverse("home")).context["unread_notifications"] == 1
    assert "测试通知" in client.get(reverse("notifications")).content.decode()
    client.post(reverse("notifications"))
    assert client.get(reverse("home")).context["unread_notifications"] == 0
