"""Demo data for ``make run``: one login per role, idempotent."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from guardian.shortcuts import assign_perm
from PIL import Image
from stdnum.cn import ric

from portal import services
from portal.models import Employment, Invitation, Membership, Organization, Region, Role, User

DEMO_PASSWORD = "Demo#2026pass"  # noqa: S105 - printed by make run for the demo logins


def demo_id_number(region_code: str, birth: str, serial: int) -> str:
    body = f"{region_code}{birth}{serial:03d}"
    return body + ric.calc_check_digit(body + "0")


#: 天山区 (650102) dates from 1983; its holder was born in 1962 (python-stdnum alone refuses it).
DEMO_OLDER_ID_NUMBER = demo_id_number("650102", "19620315", 61)


def demo_uscc(serial: int) -> str:
    from stdnum.cn import uscc

    body = f"91650100MA{serial:07d}"
    return body + uscc.calc_check_digit(body)


def demo_licence() -> SimpleUploadedFile:
    buffer = BytesIO()
    Image.new("RGB", (60, 40), "white").save(buffer, "PNG")
    return SimpleUploadedFile("licence.png", buffer.getvalue(), content_type="image/png")


def _user(mobile: str, name: str, id_number: str, role: str, **extra) -> User:
    user = User.objects.filter(mobile=mobile).first()
    if user is None:
        user = User.objects.create_user(mobile, DEMO_PASSWORD, real_name=name, id_number=id_number, **extra)
    services.user_grant_role(user=user, role=role)
    return user


@transaction.atomic
def demo_people() -> list[tuple[str, str, str]]:
    """Create the demo logins; return (role label, login, password) rows."""
    urumqi = Region.objects.get(code="650100")
    changji = Region.objects.get(code="652300")
    bureau = Organization.objects.get(kind=Organization.Kind.HR_BUREAU, region=urumqi)

    officer = _user("13900000001", "王建国", demo_id_number("650102", "19840101", 11), Role.BUREAU_OFFICER)
    Membership.objects.get_or_create(user=officer, organization=bureau, role=Membership.OrgRole.OFFICER)

    hr = _user("13900000002", "李华", demo_id_number("650103", "19850315", 22), Role.ENTERPRISE_HR)
    enterprise = Organization.objects.filter(uscc=demo_uscc(1)).first()
    if enterprise is None:
        enterprise = services.enterprise_register(
            registrant=hr, name="新疆天山智能装备有限公司", uscc=demo_uscc(1), region=urumqi,
            ownership=Organization.Ownership.PRIVATE, size=Organization.Size.MEDIUM,
            contact_name="李华", contact_phone="13900000002", business_licence=demo_licence(),
            address="乌鲁木齐市高新区天山路1号")
        services.enterprise_approve(actor=officer, organization_id=enterprise.pk)

    # Her name in Uyghur script too (issue 13): Uyghur pages and bilingual certificates show it.
    applicant = _user("13900000003", "阿依古丽", demo_id_number("650104", "19900620", 33), Role.APPLICANT,
                      name_ug="ئايگۈل")
    if not Employment.objects.filter(user=applicant, employer=enterprise).exists():
        Employment.objects.create(user=applicant, employer=enterprise, position="机械工程师",
                                  start_date=dt.date(2018, 7, 1), status=Employment.Status.CONFIRMED,
                                  confirmed_by=hr)

    # A professional born in 1962 whose ID number carries 天山区's code (650102, in force since 1983):
    # signed up, not yet linked to an employer, invited by the enterprise's HR (issue 11). Logs in by
    # mobile or by ID number; the home page shows the invitation and the next step.
    newcomer = _user("13900000006", "热合曼·艾买提", DEMO_OLDER_ID_NUMBER, Role.APPLICANT)
    enterprise.refresh_from_db()  # approved above on a first run
    if not Invitation.objects.filter(organization=enterprise, mobile=newcomer.mobile).exists():
        services.invitation_create(actor=hr, organization=enterprise, kind=Invitation.Kind.EMPLOYEE,
                                   mobile=newcomer.mobile, real_name=newcomer.real_name, position="电气工程师",
                                   start_date=dt.date(2009, 4, 1))

    # A second enterprise waiting in the queue, and one in another region.
    pending_hr = _user("13900000004", "张伟", demo_id_number("650105", "19870909", 44), Role.ENTERPRISE_HR)
    if not Organization.objects.filter(uscc=demo_uscc(2)).exists():
        services.enterprise_register(
            registrant=pending_hr, name="乌鲁木齐丝路软件科技有限公司", uscc=demo_uscc(2), region=urumqi,
            ownership=Organization.Ownership.PRIVATE, size=Organization.Size.SMALL, contact_name="张伟",
            contact_phone="13900000004", business_licence=demo_licence())
    other_hr = _user("13900000005", "马丽", demo_id_number("652301", "19890101", 55), Role.ENTERPRISE_HR)
    if not Organization.objects.filter(uscc=demo_uscc(3)).exists():
        services.enterprise_register(
            registrant=other_hr, name="昌吉绿洲农业发展有限公司", uscc=demo_uscc(3), region=changji,
            ownership=Organization.Ownership.PRIVATE, size=Organization.Size.SMALL, contact_name="马丽",
            contact_phone="13900000005", business_licence=demo_licence())

    # The regional bureau adds specialties and eligibility conditions in the admin (R3.4).
    province = Region.objects.get(code="650000")
    regional_bureau = Organization.objects.get(kind=Organization.Kind.HR_BUREAU, region=province)
    regional = _user("13900000010", "周敏", demo_id_number("650102", "19850505", 10), Role.BUREAU_OFFICER,
                     is_staff=True)
    Membership.objects.get_or_create(user=regional, organization=regional_bureau, role=Membership.OrgRole.OFFICER)
    for codename in ("view_specialty", "add_specialty", "change_specialty", "view_titleseries",
                     "view_eligibilityroute", "add_eligibilityroute", "change_eligibilityroute",
                     "view_eligibilityrequirement", "change_eligibilityrequirement", "view_policysettings",
                     "change_policysettings", "view_calendarday", "add_calendarday", "change_calendarday"):
        app = "portal" if codename.endswith(("policysettings", "calendarday")) else "applications"
        assign_perm(f"{app}.{codename}", regional)

    sysadmin = _user("13900000009", "系统管理员", demo_id_number("650102", "19860201", 99), Role.SYSTEM_ADMIN,
                     is_staff=True, is_superuser=True)
    secadmin = _user("13900000008", "安全管理员", demo_id_number("650102", "19860301", 88), Role.SECURITY_ADMIN,
                     is_staff=True)
    for codename in ("view_accessattempt", "delete_accessattempt", "view_accesslog", "view_accessfailurelog"):
        assign_perm(f"axes.{codename}", secadmin)
    auditor = _user("13900000007", "审计员", demo_id_number("650102", "19860401", 77), Role.AUDITOR, is_staff=True)
    assign_perm("portal.view_auditevent", auditor)

    return [
        ("HR bureau officer (乌鲁木齐)", officer.mobile, DEMO_PASSWORD),
        ("Regional bureau officer (/admin/: specialties, conditions)", regional.mobile, DEMO_PASSWORD),
        ("Enterprise HR admin (active)", hr.mobile, DEMO_PASSWORD),
        ("Applicant (employee)", applicant.mobile, DEMO_PASSWORD),
        (f"Applicant born 1962, invited, no employer yet (or log in by ID {DEMO_OLDER_ID_NUMBER})", newcomer.mobile,
         DEMO_PASSWORD),
        ("Enterprise HR admin (pending)", pending_hr.mobile, DEMO_PASSWORD),
        ("System administrator (/admin/)", sysadmin.mobile, DEMO_PASSWORD),
        ("Security administrator (/admin/)", secadmin.mobile, DEMO_PASSWORD),
        ("Auditor (/admin/)", auditor.mobile, DEMO_PASSWORD),
    ]
