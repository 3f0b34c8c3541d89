"""factory-boy factories shared by every test module."""

from __future__ import annotations

import datetime as dt
import itertools

import factory
from django.contrib.auth.models import Group
from stdnum.cn import ric, uscc

from portal.models import Employment, Membership, Organization, Region, Role, User

_serial = itertools.count(1)


def make_id_number(region: str = "650102", birth: str = "19900101") -> str:
    """A valid resident ID number."""
    body = f"{region}{birth}{next(_serial) % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def make_uscc() -> str:
    body = f"91650100MA{next(_serial):07d}"
    return body + uscc.calc_check_digit(body)


def make_mobile() -> str:
    return f"139{next(_serial):08d}"


def region(code: str = "650100") -> Region:
    """A seeded region by code (tests seed reference data in conftest)."""
    return Region.objects.get(code=code)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    mobile = factory.LazyFunction(make_mobile)
    real_name = factory.Sequence(lambda n: f"测试用户{n}")
    email = factory.LazyAttribute(lambda o: f"{o.mobile}@example.com")

    @factory.post_generation
    def id_number(obj, create, extracted, **kwargs):
        obj.set_id_number(extracted or make_id_number())
        obj.set_password("Passw0rd!x")
        if create:
            obj.save()

    @factory.post_generation
    def roles(obj, create, extracted, **kwargs):
        for role in extracted or ():
            obj.groups.add(Group.objects.get_or_create(name=role)[0])


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    kind = Organization.Kind.ENTERPRISE
    name = factory.Sequence(lambda n: f"测试科技有限公司{n}")
    uscc = factory.LazyFunction(make_uscc)
    region = factory.LazyFunction(lambda: region("650100"))
    status = Organization.Status.ACTIVE
    ownership = Organization.Ownership.PRIVATE
    size = Organization.Size.SMALL
    contact_name = "联系人"
    contact_phone = factory.LazyFunction(make_mobile)


def hr_admin_of(organization: Organization, *, admin: bool = True, **kwargs) -> User:
    """A user doing title work for ``organization`` (admin or staff)."""
    from guardian.shortcuts import assign_perm

    user = UserFactory(roles=[Role.ENTERPRISE_HR], **kwargs)
    Membership.objects.create(user=user, organization=organization,
                              role=Membership.OrgRole.HR_ADMIN if admin else Membership.OrgRole.HR_STAFF)
    assign_perm("portal.view_organization", user, organization)
    assign_perm("portal.work_organization", user, organization)
    if admin:
        assign_perm("portal.manage_organization", user, organization)
    return user


def bureau_officer(region_code: str = "650100") -> User:
    bureau = Organization.objects.get(kind=Organization.Kind.HR_BUREAU, region__code=region_code)
    user = UserFactory(roles=[Role.BUREAU_OFFICER])
    Membership.objects.create(user=user, organization=bureau, role=Membership.OrgRole.OFFICER)
    return user


def employee_of(organization: Organization, *, start: dt.date = dt.date(2015, 1, 1), **kwargs) -> User:
    user = UserFactory(roles=[Role.APPLICANT], **kwargs)
    Employment.objects.create(user=user, employer=organization, start_date=start,
                              status=Employment.Status.CONFIRMED)
    return user


# --- Messages the portal sent (the file SMS backend of the test settings) --------------------------

def sms_to(mobile: str) -> list[str]:
    """The texts of the SMS sent to ``mobile`` in this test, oldest first (conftest empties the
    folder before each test)."""
    from portal.sms.backends.filebased import read_messages

    return [m["text"] for m in read_messages(to=mobile)]


def last_code(mobile: str) -> str:
    """The 6-digit code of the newest SMS to ``mobile`` that carries one."""
    import re

    for text in reversed(sms_to(mobile)):
        match = re.search(r"(?<!\d)(\d{6})(?!\d)", text)
        if match:
            return match.group(1)
    raise AssertionError(f"no code was sent to {mobile}: {sms_to(mobile)}")
