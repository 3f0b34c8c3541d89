"""Bench of the application lists: 100,000 applications by bulk_create, then
the bureau's audit queue and the enterprise's list at 1,000 and 100,000 rows
(queries per page and time per page, first page and a deep page).

    .venv/bin/python bench/applications.py                  # SQLite in var/bench-applications.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench .venv/bin/python bench/applications.py

The database is the bench's own: it is migrated and seeded, and the rows the
bench made last time are removed first. ``--rows`` changes the total.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench-applications.sqlite3'}")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from guardian.shortcuts import assign_perm  # noqa: E402

from applications.models import Application, Call, Specialty, TitleName, TitleSeries  # noqa: E402
from portal.models import (  # noqa: E402
    Committee,
    CommitteeScope,
    Membership,
    Organization,
    Region,
    Role,
    User,
)

BENCH = "BENCH"
YEARS = 20  # one person applies in up to 20 years: rows / 20 people
STATUSES = (["qualification_audit"] * 30 + ["acceptance"] * 20 + ["employer_review"] * 20 + ["unit_publicity"] * 10
            + ["ready"] * 20)
ENTERPRISES = 40


def seed() -> None:
    call_command("migrate", verbosity=0)
    from applications.eligibility import eligibility_seed
    from applications.services import catalogue_seed
    from portal.services import regions_seed

    regions_seed()
    catalogue_seed()
    eligibility_seed()


def clean() -> None:
    """Remove what the last run made (raw deletes: no per-row cascade in Python)."""
    apps = Application.objects.filter(call__name__startswith=BENCH)
    apps._raw_delete(apps.db)
    Call.objects.filter(name__startswith=BENCH).delete()
    CommitteeScope.objects.filter(committee__name__startswith=BENCH).delete()
    Committee.objects.filter(name__startswith=BENCH).delete()
    Membership.objects.filter(user__mobile__startswith="177").delete()
    users = User.objects.filter(mobile__startswith="177")
    from portal.models import OrganizationUserObjectPermission

    OrganizationUserObjectPermission.objects.filter(user__mobile__startswith="177").delete()
    User.groups.through.objects.filter(user__mobile__startswith="177").delete()
    users._raw_delete(users.db)
    Organization.objects.filter(name__startswith=BENCH).delete()


class World:
    def __init__(self):
        self.urumqi = Region.objects.get(code="650100")
        self.regions = list(Region.objects.order_by("code"))
        self.series = TitleSeries.objects.get(code="engineering")
        self.specialty = Specialty.objects.filter(series=self.series).order_by("pk").first()
        self.titles = dict(TitleName.objects.filter(series=self.series).values_list("level", "name"))
        self.bureau = Organization.objects.get(kind=Organization.Kind.HR_BUREAU, region=self.urumqi)
        from django.contrib.auth.models import Group

        self.officer = User.objects.create(mobile="17700000001", real_name="压测审核员")
        self.officer.groups.add(Group.objects.get(name=Role.BUREAU_OFFICER))
        Membership.objects.create(user=self.officer, organization=self.bureau, role=Membership.OrgRole.OFFICER)
        self.enterprises = [Organization.objects.create(
            kind=Organization.Kind.ENTERPRISE, name=f"{BENCH}企业{i}", uscc=f"BENCH{i:013d}", region=self.urumqi,
            status=Organization.Status.ACTIVE, ownership="private") for i in range(ENTERPRISES)]
        self.hr = User.objects.create(mobile="17700000002", real_name="压测人事")
        self.hr.groups.add(Group.objects.get(name=Role.ENTERPRISE_HR))
        Membership.objects.create(user=self.hr, organization=self.enterprises[0], role=Membership.OrgRole.HR_ADMIN)
        assign_perm("portal.work_organization", self.hr, self.enterprises[0])
        today = timezone.localdate()
        committee = Committee.objects.create(
            name=f"{BENCH}评委会", kind="bureau", organizer=self.bureau, filed_by=self.bureau, series=self.series,
            filing_number=f"{BENCH}-1", filed_on=today - dt.timedelta(days=30),
            valid_until=today + dt.timedelta(days=700))
        now = timezone.now()
        self.call = Call.objects.create(name=f"{BENCH}申报", committee=committee, series=self.series,
                                        levels=["intermediate"], year=today.year, opens_at=now - dt.timedelta(days=9),
                                        closes_at=now + dt.timedelta(days=30), methods=["review"],
                                        created_by=self.officer)
        self.people = 0
        self.made = 0

    def make(self, count: int) -> float:
        """``count`` more applications; returns the seconds taken."""
        started = time.perf_counter()
        now = timezone.now()
        people_needed = (self.made + count + YEARS - 1) // YEARS
        if people_needed > self.people:
            User.objects.bulk_create([User(mobile=f"177{10_000_000 + i:08d}", real_name=f"压测申请人{i}",
                                           password="!") for i in range(self.people, people_needed)],
                                     batch_size=5000)
            self.people = people_needed
        person_ids = dict(User.objects.filter(mobile__startswith="1771").values_list("mobile", "pk"))
        rows = []
        for n in range(self.made, self.made + count):
            person = person_ids[f"177{10_000_000 + n // YEARS:08d}"]
            employer = self.enterprises[0] if n % 2 == 0 else self.enterprises[1 + n % (ENTERPRISES - 1)]
            region = self.urumqi if n % 10 < 7 else self.regions[n % len(self.regions)]
            rows.append(Application(
                applicant_id=person, call=self.call, series=self.series, year=2000 + n % YEARS,
                specialty=self.specialty, level="intermediate", title_name=self.titles["intermediate"],
                pathway="regular", channel="employer", employer=employer, sponsor=employer,
                acceptance_body=self.bureau, region=region, private_enterprise=True,
                status=STATUSES[n % len(STATUSES)], submitted_at=now, summary="压测"))
        with transaction.atomic():
            Application.objects.bulk_create(rows, batch_size=5000)
        self.made += count
        return time.perf_counter() - started


def measure(client: Client, url: str, runs: int = 7) -> tuple[int, float, int]:
    """(queries, median milliseconds, status) of a GET."""
    client.get(url)  # warm
    times, queries, code = [], 0, 0
    for _i in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        queries, code = len(captured.captured_queries), response.status_code
    return queries, statistics.median(times), code


def report(world: World, label: str) -> list[tuple]:
    officer, hr = Client(), Client()
    officer.force_login(world.officer)
    hr.force_login(world.hr)
    enterprise = world.enterprises[0].pk
    middle = Application.objects.filter(call=world.call).order_by("-id").values_list("pk", flat=True)[
        world.made // 2]
    pages = [
        ("audit queue, first page", officer, "/review-queue/audit/"),
        ("audit queue, deep page", officer, f"/review-queue/audit/?after={middle}"),
        ("acceptance queue, first page", officer, "/review-queue/acceptance/"),
        ("enterprise list, first page", hr, f"/enterprises/{enterprise}/applications/"),
        ("enterprise list, deep page", hr, f"/enterprises/{enterprise}/applications/?after={middle}"),
        ("enterprise list, status filter", hr, f"/enterprises/{enterprise}/applications/?status=employer_review"),
        ("API audit queue", officer, "/api/v1/applications/queue/audit/"),
        ("API enterprise list", hr, f"/api/v1/enterprises/{enterprise}/applications/"),
    ]
    rows = []
    for name, client, url in pages:
        queries, ms, code = measure(client, url)
        rows.append((label, name, queries, ms, code))
        print(f"  {label:>8} rows | {name:<32} | {queries:>2} queries | {ms:7.1f} ms | HTTP {code}")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    seed()
    clean()
    world = World()
    seconds = world.make(1000)
    print(f"generated 1,000 applications in {seconds:.1f} s")
    small = report(world, "1,000")
    seconds = world.make(args.rows - 1000)
    print(f"generated {args.rows - 1000:,} more applications in {seconds:.1f} s "
          f"({Application.objects.filter(call=world.call).count():,} in all)")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE applications_application")
    large = report(world, f"{args.rows:,}")
    print("\nsummary (queries, ms at 1,000 → at the full count):")
    for (_l, name, q1, ms1, _c1), (_l2, _n2, q2, ms2, _c2) in zip(small, large, strict=True):
        print(f"  {name:<32} {q1:>2} → {q2:>2} queries   {ms1:6.1f} → {ms2:6.1f} ms   (×{ms2 / ms1:.2f})")
    worst = max(q for *_x, q, _ms, _c in small + large)
    print(f"most queries on any page: {worst} (limit 15)")


if __name__ == "__main__":
    main()
