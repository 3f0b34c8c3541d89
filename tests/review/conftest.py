"""Fixtures of the review tests: a filed committee with members and a
secretary, an expert pool, calls and applications at a given status."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.utils import timezone

from applications.models import Application, ApplicationStatus, Call, Specialty, TitleName, TitleSeries
from portal.models import Committee, CommitteeMember, Employment, Organization, Role
from review import services
from review.models import Assignment, ExpertProfile, Score
from review.services.tallies import tallies_rebuild
from tests.factories import EnterpriseFactory, UserFactory, bureau_officer, region

_n = itertools.count(1)
TODAY = dt.date.today


def engineering() -> TitleSeries:
    return TitleSeries.objects.get(code="engineering")


def specialty(code: str = "electrical") -> Specialty:
    return Specialty.objects.get(series__code="engineering", code=code)


def bureau_of(region_code: str = "650100") -> Organization:
    return Organization.objects.get(kind=Organization.Kind.HR_BUREAU, region__code=region_code)


def file_committee(officer, *, members: int = 9, kind: str = Committee.Kind.BUREAU, levels=("intermediate",),
                   specialty_code: str | None = None, organizer=None, valid_years: int = 3, secretary=None,
                   member_units=None) -> Committee:
    """A committee filed through the service: a chair, ``members - 1``
    members and a secretary (who does not vote)."""
    people = [UserFactory() for _ in range(members)]
    secretary = secretary or UserFactory(roles=[Role.COMMITTEE_SECRETARY])
    scopes = []
    for level in levels:
        row = {"level": level, "specialty_id": specialty(specialty_code).pk if specialty_code else None}
        for unit in member_units or [None]:
            scopes.append({**row, "member_unit_id": unit.pk if unit else None})
    today = TODAY()
    return services.committee_file(
        actor=officer, name=f"工程系列评审委员会{next(_n)}", kind=kind,
        organizer_id=(organizer or bureau_of()).pk, series_id=engineering().pk,
        filing_number=f"新人社职备〔2026〕{next(_n)}号", filed_on=today,
        valid_until=today.replace(year=today.year + valid_years) - dt.timedelta(days=1), scopes=scopes,
        members=[{"user_id": people[0].pk, "role": "chair"}]
        + [{"user_id": p.pk, "role": "member"} for p in people[1:]]
        + [{"user_id": secretary.pk, "role": "secretary"}])


def voting_members(committee: Committee) -> list:
    return [m.user for m in committee.members.filter(role__in=["chair", "member"], is_active=True)
            .select_related("user").order_by("pk")]


def secretary_of(committee: Committee):
    return committee.members.get(role="secretary").user


def make_call(committee: Committee | None = None, *, bureau=None, levels=("intermediate",), methods=("review",),
              pathways=(), ceiling: str = "0.6", creator=None) -> Call:
    now = timezone.now()
    return Call.objects.create(
        name=f"2026年度工程系列评审{next(_n)}", committee=committee, bureau=bureau, series=engineering(),
        levels=list(levels), year=2026, opens_at=now - dt.timedelta(days=30), closes_at=now + dt.timedelta(days=30),
        methods=list(methods), pathways=list(pathways), pass_rate_ceiling=Decimal(ceiling),
        created_by=creator or UserFactory())


def make_application(call: Call, *, status: str = ApplicationStatus.IN_EVALUATION, applicant=None, employer=None,
                     level: str = "intermediate", specialty_code: str = "electrical", pathway: str = "regular",
                     scored: bool = False):
    """An application of ``call`` at ``status``; ``scored``: reviewed by one
    expert with a submitted score, so it is ready for a vote (R5.2)."""
    employer = employer or EnterpriseFactory()
    if applicant is None:
        applicant = UserFactory(roles=[Role.APPLICANT])
        Employment.objects.create(user=applicant, employer=employer, start_date=dt.date(2018, 1, 1),
                                  status=Employment.Status.CONFIRMED)
    title = TitleName.objects.get(series=call.series, level=level)
    application = Application.objects.create(
        applicant=applicant, call=call, series=call.series, year=call.year, specialty=specialty(specialty_code),
        level=level, title_name=title.name, pathway=pathway, employer=employer, sponsor=employer,
        region=region("650100"), private_enterprise=True, status=status)
    if scored:
        score_submitted(application)
    tallies_rebuild(call_id=call.pk)  # written directly: the counters as the services would keep them
    return application


def submit_drawn_scores(application: Application, *, total: str = "80") -> Application:
    """Every expert drawn for ``application`` submits a score (written directly)."""
    now = timezone.now()
    for assignment in application.review_assignments.filter(status=Assignment.Status.ACTIVE, score__isnull=True):
        Score.objects.create(assignment=assignment, values={}, total=Decimal(total), verdict="recommend",
                             comment="同意推荐", status=Score.Status.SUBMITTED, saved_at=now, submitted_at=now)
    tallies_rebuild(call_id=application.call_id)
    return application


def score_submitted(application: Application, *, experts: int = 1, total: str = "80") -> Application:
    """``experts`` experts of the call's committee drawn for ``application``,
    each with a submitted score (written directly: the scoring itself is
    tested in test_scoring_defence)."""
    now = timezone.now()
    for _ in range(experts):
        profile = ExpertProfile.objects.create(
            committee=application.call.committee, user=UserFactory(), series=application.series,
            level="deputy_senior", term_start=TODAY() - dt.timedelta(days=30),
            term_end=TODAY() + dt.timedelta(days=700))
        assignment = Assignment.objects.create(application=application, expert=profile,
                                               expert_user_id=profile.user_id, drawn_at=now)
        Score.objects.create(assignment=assignment, values={}, total=Decimal(total), verdict="recommend",
                             comment="同意推荐", status=Score.Status.SUBMITTED, saved_at=now, submitted_at=now)
    tallies_rebuild(call_id=application.call_id)
    return application


def add_expert(committee: Committee, *, user=None, level: str = "deputy_senior", specialties=("electrical",),
               employer=None, term_start=None, term_end=None, actor=None) -> ExpertProfile:
    user = user or UserFactory()
    start = term_start or TODAY() - dt.timedelta(days=30)
    end = term_end or start + dt.timedelta(days=700)
    actor = actor or secretary_of(committee)
    return services.expert_add(actor=actor, committee_id=committee.pk, user_id=user.pk, level=level,
                               specialty_ids=[specialty(c).pk for c in specialties], term_start=start,
                               term_end=end, employer_id=employer.pk if employer else None)


@pytest.fixture
def officer():
    return bureau_officer("650100")


@pytest.fixture
def committee(officer):
    return file_committee(officer)


@pytest.fixture
def secretary(committee):
    return secretary_of(committee)


@pytest.fixture
def call(committee):
    return make_call(committee)


@pytest.fixture
def pool(committee):
    """Six deputy-senior experts of electrical engineering."""
    return [add_expert(committee) for _ in range(6)]


def pytest_collection_modifyitems(config, items):
    """Browser tests last (their Playwright event loop lives for the session)."""
    last = [item for item in items if item.get_closest_marker("browser")]
    if last:
        items[:] = [item for item in items if not item.get_closest_marker("browser")] + last


def committee_member(committee: Committee, role: str = "member"):
    return CommitteeMember.objects.filter(committee=committee, role=role).select_related("user").first().user
