"""A varied world for the statistics: applications in several prefectures,
series, levels, pathways, ownerships, years and statuses, with valid, revoked
and out-of-application certificates; and the ORM counts to compare with."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from applications.models import Application, Call, Specialty, TitleSeries
from certificates import services as cert_services
from certificates.models import Certificate
from portal.models import Organization, Role
from tests.factories import EnterpriseFactory, UserFactory, bureau_officer, region

PREFECTURES = ["650100", "650200", "652300"]
SERIES = ["engineering", "economics", "accounting"]
LEVELS = ["junior", "intermediate", "deputy_senior"]
PATHWAYS = ["regular", "recognition", "green_channel", "skills_crossover"]
OWNERSHIPS = ["private", "state", "foreign"]
YEARS = [2024, 2025]
STATUSES = ["employer_review", "acceptance", "granted", "granted", "failed", "withdrawn", "rejected", "in_evaluation"]


def _call(series: TitleSeries, year: int, creator) -> Call:
    bureau = Organization.objects.get(kind=Organization.Kind.HR_BUREAU, region__code="650000")
    now = timezone.now()
    return Call.objects.create(name=f"统计测试{series.code}{year}", bureau=bureau, series=series,
                               levels=LEVELS, year=year, opens_at=now - dt.timedelta(days=10),
                               closes_at=now + dt.timedelta(days=10), methods=["review"], created_by=creator)


def make_applications(count: int, *, start: int = 0, people: list | None = None) -> list[Application]:
    """``count`` applications varied over every dimension (direct rows: the
    statistics read rows, whatever service made them)."""
    creator = UserFactory()
    series = {s.code: s for s in TitleSeries.objects.filter(code__in=SERIES)}
    specialty = {code: Specialty.objects.filter(series=s).order_by("pk").first() for code, s in series.items()}
    calls = {(code, year): _call(s, year, creator) for code, s in series.items() for year in YEARS}
    employers = {(p, o): EnterpriseFactory(region=region(p), ownership=o) for p in PREFECTURES for o in OWNERSHIPS}
    # Each person applies twice in one year, in two different series (R6.4 allows it).
    people = people or [UserFactory(roles=[Role.APPLICANT]) for _i in range(count // 2 + 1)]
    rows = []
    now = timezone.now()
    for n in range(start, start + count):
        pref = PREFECTURES[n % 3]
        code = SERIES[(n + n // 3) % 3]
        year = YEARS[(n // 6) % 2]
        status = STATUSES[n % len(STATUSES)]
        freelancer = n % 11 == 0
        owner = OWNERSHIPS[(n // 5) % 3]
        employer = None if freelancer else employers[(pref, owner)]
        draft = n % 13 == 0
        rows.append(Application(
            applicant=people[(n - start) // 2], call=calls[(code, year)], series=series[code], year=year,
            specialty=specialty[code], level=LEVELS[(n // 7) % 3], title_name="测试职称",
            pathway=PATHWAYS[n % 4], channel="agency" if freelancer else "employer", employer=employer,
            region=region(pref), private_enterprise=freelancer or owner == "private",
            status="draft" if draft else status, submitted_at=None if draft else now))
    return Application.objects.bulk_create(rows)


def issue_for(application: Application) -> Certificate:
    return cert_services.certificate_issue(
        grant_key=f"application:{application.pk}", holder=application.applicant, series=application.series,
        specialty=None, level=application.level, title_name="测试职称", method="review",
        granting_body_name="测试评委会", granting_body_region=application.region, filing_number="备1",
        approval_number="批1", date_granted=dt.date(2025, 1, 5), actor=None, enqueue_render=False)


@pytest.fixture
def world(django_capture_on_commit_callbacks):
    """48 applications, certificates for most granted ones (one revoked), one
    certificate outside any application."""
    apps = make_applications(48)
    granted = [a for a in apps if a.status == "granted"]
    certs = [issue_for(a) for a in granted[:-1]]
    officer = bureau_officer("650000")
    cert_services.certificate_revoke(actor=officer, certificate_id=certs[0].pk, reason="测试撤销",
                                     reason_category=Certificate.RevocationCategory.ISSUED_IN_ERROR)
    outside = cert_services.certificate_issue(
        grant_key="import:2023-7", holder=UserFactory(), series=TitleSeries.objects.get(code="engineering"),
        specialty=None, level="intermediate", title_name="工程师", method="recognition",
        granting_body_name="测试", granting_body_region=region("650200"), filing_number="备2",
        approval_number="批2", date_granted=dt.date(2023, 5, 5), actor=None, enqueue_render=False)
    return {"apps": apps, "outside": outside, "regional": officer}


def orm_counts(**filters) -> dict:
    """The figures straight from the ORM (the definitions of docs/stats.md)."""
    from stats.services import METHOD_PATHWAY

    apps = Application.objects.filter(submitted_at__isnull=False)
    outside = Certificate.objects.filter(status="valid").exclude(
        grant_key__in=[f"application:{pk}" for pk in apps.values_list("pk", flat=True)])
    region_code = filters.pop("region", None)
    if region_code:
        apps = apps.filter(region__code=region_code)
        outside = outside.filter(granting_body_region__code=region_code)
    ownership = filters.pop("ownership", None)
    if ownership == "none":
        apps = apps.filter(employer__isnull=True)
    elif ownership:
        apps = apps.filter(employer__ownership=ownership)
    if ownership and ownership != "unknown":
        outside = outside.none()
    if "series" in filters:
        filters["series__code"] = filters.pop("series")
    pathway = filters.pop("pathway", None)
    if pathway:
        apps = apps.filter(pathway=pathway)
        outside = outside.filter(method__in=[m for m, p in METHOD_PATHWAY.items() if p == pathway])
    apps = apps.filter(**filters)
    outside = outside.filter(**filters)
    ids = [f"application:{pk}" for pk in apps.values_list("pk", flat=True)]
    return {
        "applications": apps.count(),
        "passed": apps.filter(status="granted").count(),
        "failed": apps.filter(status="failed").count(),
        "certificates": Certificate.objects.filter(status="valid", grant_key__in=ids).count() + outside.count(),
        "private_applications": apps.filter(private_enterprise=True).count(),
        "reached": apps.filter(private_enterprise=True).values("applicant").distinct().count(),
    }


MEASURES = ["applications", "passed", "failed", "certificates", "private_applications", "reached"]


def pick(row: dict) -> dict:
    return {m: row[m] for m in MEASURES}

