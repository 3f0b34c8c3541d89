"""A small world for the application tests: an engineering committee of
Urumqi with an open call, an enterprise with its HR, an eligible employee,
the bureau, and helpers that walk an application through its stages."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from guardian.shortcuts import assign_perm
from PIL import Image

from applications import application_services as svc
from applications.models import (
    Application,
    Call,
    ContinuingEducation,
    EducationRecord,
    Specialty,
    TitleHeld,
    TitleSeries,
)
from portal.models import (
    AcceptanceScope,
    Committee,
    CommitteeMember,
    CommitteeScope,
    Membership,
    Organization,
    Region,
    Role,
)
from tests.factories import EnterpriseFactory, UserFactory, bureau_officer, employee_of, hr_admin_of

_filing = itertools.count(1)
LEVELS = ["assistant_junior", "junior", "intermediate", "deputy_senior", "senior"]


def pdf(name: str = "file.pdf", size: int = 0) -> SimpleUploadedFile:
    content = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    if size:
        content += b"%" + b"0" * max(0, size - len(content) - 1)
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def png(name: str = "scan.png") -> SimpleUploadedFile:
    buffer = BytesIO()
    Image.new("RGB", (20, 20), "white").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def bureau_of(region_code: str = "650100") -> Organization:
    return Organization.objects.get(kind=Organization.Kind.HR_BUREAU, region__code=region_code)


def make_committee(*, series: str = "engineering", region_code: str | None = "650100", levels=None,
                   status: str = Committee.Status.ACTIVE, valid_until: dt.date | None = None,
                   specialty: Specialty | None = None) -> Committee:
    today = timezone.localdate()
    bureau = bureau_of(region_code or "650000")
    committee = Committee.objects.create(
        name=f"评审委员会{next(_filing)}", kind=Committee.Kind.BUREAU, organizer=bureau, filed_by=bureau,
        series=TitleSeries.objects.get(code=series), filing_number=f"XJ-TEST-{next(_filing)}",
        filed_on=today - dt.timedelta(days=365), valid_until=valid_until or today + dt.timedelta(days=700),
        status=status)
    region = Region.objects.get(code=region_code) if region_code else None
    for level in levels or LEVELS:
        CommitteeScope.objects.create(committee=committee, level=level, region=region, specialty=specialty)
    return committee


def make_call(*, committee: Committee | None = None, bureau: Organization | None = None, levels=None,
              pathways=None, year: int | None = None, opens_at=None, closes_at=None, series: str = "engineering",
              entrusted_by: Region | None = None) -> Call:
    now = timezone.now()
    series_obj = committee.series if committee else TitleSeries.objects.get(code=series)
    return Call.objects.create(
        name=f"{series_obj.name}申报{next(_filing)}", committee=committee, bureau=bureau, series=series_obj,
        levels=levels or LEVELS, year=year or now.year, opens_at=opens_at or now - dt.timedelta(days=10),
        closes_at=closes_at or now + dt.timedelta(days=30), methods=["review"], pathways=pathways or [],
        entrusted_by=entrusted_by, created_by=UserFactory())


def specialty(series: str = "engineering") -> Specialty:
    return Specialty.objects.filter(series__code=series, is_active=True).order_by("pk").first()


def eligible_for_intermediate(user, *, series: str = "engineering") -> None:
    """Bachelor's degree 2012 and 助理工程师 since 2016: 工程师 on the regular pathway (R3.5)."""
    EducationRecord.objects.create(user=user, level="bachelor", school="新疆大学", major="机械工程",
                                   graduated_on=dt.date(2012, 7, 1))
    TitleHeld.objects.create(user=user, series=TitleSeries.objects.get(code=series), level="junior",
                             title_name="助理工程师", granted_on=dt.date(2016, 9, 1))
    # Holding a title, the applicant is not applying for the first time: 90 hours last year (R3.3).
    ContinuingEducation.objects.create(user=user, year=timezone.localdate().year - 1, hours=96)


def acceptance_body(*, region_code: str = "650100", series: str = "engineering",
                    kind: str = Organization.Kind.ACCEPTANCE_BODY) -> tuple[Organization, object]:
    """An acceptance body whose scope names a region and series, with one officer."""
    org = Organization.objects.create(kind=kind, name=f"受理机构{next(_filing)}",
                                      region=Region.objects.get(code=region_code),
                                      status=Organization.Status.ACTIVE)
    if kind == Organization.Kind.ACCEPTANCE_BODY:
        AcceptanceScope.objects.create(organization=org, region=org.region,
                                       series=TitleSeries.objects.get(code=series))
    officer = UserFactory(roles=[Role.ACCEPTANCE_OFFICER])
    Membership.objects.create(user=officer, organization=org, role=Membership.OrgRole.OFFICER)
    return org, officer


@dataclass
class World:
    committee: Committee
    call: Call
    enterprise: Organization
    hr: object
    applicant: object
    officer: object  # bureau officer of Urumqi: acceptance (no scope rows) and audit

    def create(self, *, applicant=None, call=None, level: str = "intermediate", **kwargs) -> Application:
        return svc.application_create(applicant=applicant or self.applicant, call_id=(call or self.call).pk,
                                      specialty_id=specialty().pk, level=level, **kwargs)

    def complete(self, application: Application) -> Application:
        """Add the materials the pathway needs."""
        for row in svc.application_checklist(application):
            for _i in range(row["needed"] - row["have"]):
                svc.attachment_add(actor=application.applicant, application_id=application.pk,
                                   material=row["material"], upload=pdf(f"{row['material']}.pdf"))
        return application

    def submit(self, application: Application) -> Application:
        return svc.application_submit(actor=application.applicant, application_id=application.pk,
                                      pledge_text=str(svc.PLEDGE_TEXT), pledge_accepted=True, ip_address="10.0.0.1")

    def submitted(self, **kwargs) -> Application:
        return self.submit(self.complete(self.create(**kwargs)))

    def approve(self, application: Application) -> Application:
        return svc.application_decide(actor=self.hr, application_id=application.pk, action="employer_approve")

    def in_acceptance(self, **kwargs) -> Application:
        application = self.approve(self.submitted(**kwargs))
        Application.objects.filter(pk=application.pk).update(publicity_ends_on=timezone.localdate()
                                                             - dt.timedelta(days=1))
        svc.unit_publicity_close_due()
        application.refresh_from_db()
        assert application.status == "acceptance"
        return application

    def in_audit(self, **kwargs) -> Application:
        application = self.in_acceptance(**kwargs)
        return svc.application_decide(actor=self.officer, application_id=application.pk, action="accept")

    def ready(self, **kwargs) -> Application:
        application = self.in_audit(**kwargs)
        return svc.application_decide(actor=self.officer, application_id=application.pk, action="audit_approve")

    def another_applicant(self, enterprise: Organization | None = None):
        user = employee_of(enterprise or self.enterprise)
        eligible_for_intermediate(user)
        return user


@pytest.fixture
def world(db) -> World:
    committee = make_committee()
    secretary = UserFactory(roles=[Role.COMMITTEE_SECRETARY])
    CommitteeMember.objects.create(committee=committee, user=secretary, role=CommitteeMember.Role.SECRETARY)
    call = make_call(committee=committee)
    enterprise = EnterpriseFactory()
    hr = hr_admin_of(enterprise)
    applicant = employee_of(enterprise)
    eligible_for_intermediate(applicant)
    return World(committee=committee, call=call, enterprise=enterprise, hr=hr, applicant=applicant,
                 officer=bureau_officer("650100"))


@pytest.fixture
def other_enterprise_hr(db):
    return hr_admin_of(EnterpriseFactory())


__all__ = ["World", "acceptance_body", "assign_perm", "bureau_of", "eligible_for_intermediate", "make_call",
           "make_committee", "pdf", "png", "specialty"]
