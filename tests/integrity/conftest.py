"""Fixtures of the integrity tests: a title granted through the portal with
its certificate, publicity entry, committee and drawn experts; a supervisor;
helpers to report and to open a case."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

import pytest
from django.utils import timezone

from applications.application_services import application_advance
from applications.models import Application, ApplicationStatus
from certificates import services as certificate_services
from certificates.models import Certificate
from integrity import services
from portal.models import Committee, Employment, Role, User
from review.models import Assignment, ExpertProfile, PublicityEntry, PublicityPeriod
from tests.certificates.conftest import grant_kwargs
from tests.factories import EnterpriseFactory, UserFactory, bureau_officer
from tests.review.conftest import add_expert, file_committee, make_application, make_call

DESCRIPTION = "The degree certificate in the application is forged; the university has no such graduate."
REASON = "The university confirmed in writing that the degree was never awarded; forged seal."


@pytest.fixture(autouse=True)
def _generous_rate_limits(settings):
    settings.INTEGRITY_REPORT_LIMIT = (100000, 3600)
    settings.INTEGRITY_STATUS_LIMIT = (100000, 60)
    settings.INTEGRITY_REPORT_API_RATE = "100000/hour"
    settings.INTEGRITY_STATUS_API_RATE = "100000/minute"
    settings.CERTIFICATE_VERIFY_RATE = "100000/minute"
    settings.CERTIFICATE_VERIFY_PAGE_LIMIT = (100000, 60)


@pytest.fixture
def own_address():
    return "10.{}.{}.{}".format(*secrets.token_bytes(3))


@dataclass
class Grant:
    officer: User
    committee: Committee
    application: Application
    certificate: Certificate
    entry: PublicityEntry
    experts: list[ExpertProfile]

    @property
    def holder(self) -> User:
        return self.application.applicant


def make_grant(officer: User | None = None, committee: Committee | None = None, *, holder_name: str = "张三丰",
               with_certificate: bool = True, granted: bool = True) -> Grant:
    officer = officer or bureau_officer("650100")
    committee = committee or file_committee(officer)
    call = make_call(committee)
    applicant = UserFactory(roles=[Role.APPLICANT], real_name=holder_name)
    employer = EnterpriseFactory()
    Employment.objects.create(user=applicant, employer=employer, start_date=dt.date(2018, 1, 1),
                              status=Employment.Status.CONFIRMED)
    application = make_application(call, status=ApplicationStatus.RESULT_PUBLICITY, applicant=applicant,
                                   employer=employer)
    today = timezone.localdate()
    period = PublicityPeriod.objects.create(title="2026年工程系列中级评审结果公示", call=call, committee=committee,
                                            starts_on=today - dt.timedelta(days=2),
                                            ends_on=today + dt.timedelta(days=5), working_days=5, created_by=officer)
    entry = PublicityEntry.objects.create(period=period, application=application, masked_name="张*丰",
                                          employer_name=application.employer.name, title_name=application.title_name,
                                          specialty_name="电气工程")
    experts = [add_expert(committee) for _ in range(2)]
    for profile in experts:
        Assignment.objects.create(application=application, expert=profile, expert_user=profile.user,
                                  drawn_at=timezone.now())
    certificate = None
    if granted:
        application_advance(actor=officer, application_id=application.pk, action="grant", roles={"bureau"})
        application.refresh_from_db()
        if with_certificate:
            certificate = certificate_services.certificate_issue(**grant_kwargs(
                grant_key=f"application:{application.pk}", holder=applicant, title_name=application.title_name,
                granting_body_name=committee.name))
    return Grant(officer=officer, committee=committee, application=application, certificate=certificate,
                 entry=entry, experts=experts)


@pytest.fixture
def grant() -> Grant:
    return make_grant()


@pytest.fixture
def supervisor() -> User:
    return UserFactory(roles=[Role.SUPERVISOR], real_name="监督员")


def report_on(grant: Grant, **kwargs):
    data = {"description": DESCRIPTION, "certificate_number": grant.certificate.number,
            "holder_name": grant.certificate.holder_name}
    data.update(kwargs)
    return services.fraud_report_create(**data)


def open_case(grant: Grant, supervisor: User):
    report, _reference = report_on(grant)
    return services.fraud_case_open(actor=supervisor, report_ids=[report.pk])
