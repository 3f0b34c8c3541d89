"""Bench of the review app: drawing experts for 5,000 applications (target:
under 30 s), and the queries and time of the secretary's call dashboard, the
expert's dashboard and an application's detail page at 50 and at 5,000
applications (target: at most 15 queries, the same at both sizes).

    .venv/bin/python bench/review.py                  # SQLite in var/bench-review.sqlite3 (fresh each run)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench_review .venv/bin/python bench/review.py

The database is the bench's own: SQLite is recreated, PostgreSQL flushed.
``--apps`` changes the large size; results go to ``bench/out/review-<database>.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
os.environ.setdefault("LOG_LEVEL", "WARNING")
DEFAULT_SQLITE = ROOT / "var" / "bench-review.sqlite3"
os.environ.setdefault("DATABASE_URL", f"sqlite:///{DEFAULT_SQLITE}")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count, F  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from applications.models import Application, Call, Specialty, TitleSeries  # noqa: E402
from portal.models import (  # noqa: E402
    Employment,
    Membership,
    Organization,
    Region,
    Role,
    User,
)
from review import services  # noqa: E402
from review.models import Assignment, ExpertProfile, Score  # noqa: E402

EXPERTS = 90
ENTERPRISES = 60


def fresh_database() -> None:
    if connection.vendor == "sqlite":
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{connection.settings_dict['NAME']}{suffix}").unlink(missing_ok=True)
    call_command("migrate", verbosity=0)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE portal_auditevent DISABLE TRIGGER portal_auditevent_no_truncate")
        call_command("flush", interactive=False, verbosity=0)
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE portal_auditevent ENABLE TRIGGER portal_auditevent_no_truncate")
    from applications.eligibility import eligibility_seed
    from applications.services import catalogue_seed
    from portal.services import regions_seed

    regions_seed()
    catalogue_seed()
    eligibility_seed()


def people(prefix: str, n: int, **extra) -> list[User]:
    users = [User(mobile=f"{prefix}{i:07d}", real_name=f"评审测试{prefix[-2:]}{i}", password="!", **extra)
             for i in range(n)]
    User.objects.bulk_create(users, batch_size=2000)
    return list(User.objects.filter(mobile__startswith=prefix).order_by("pk"))


def build(n_big: int) -> dict:
    region = Region.objects.get(code="650100")
    bureau = Organization.objects.get(kind="hr_bureau", region=region)
    series = TitleSeries.objects.get(code="engineering")
    specialty = Specialty.objects.get(series=series, code="electrical")
    officer = people("1770", 1)[0]
    officer.groups.add(Group.objects.get_or_create(name=Role.BUREAU_OFFICER)[0])
    Membership.objects.create(user=officer, organization=bureau, role="officer")
    members = people("1771", 9)
    secretary = people("1772", 1)[0]
    today = timezone.localdate()
    committee = services.committee_file(
        actor=officer, name="BENCH 工程系列中级评委会", kind="bureau", organizer_id=bureau.pk, series_id=series.pk,
        filing_number="BENCH-1", filed_on=today, valid_until=today + dt.timedelta(days=900),
        scopes=[{"level": "intermediate"}],
        members=[{"user_id": members[0].pk, "role": "chair"}] + [{"user_id": m.pk, "role": "member"}
                                                                 for m in members[1:]]
        + [{"user_id": secretary.pk, "role": "secretary"}])
    enterprises = [Organization(kind="enterprise", name=f"BENCH 企业{i}", uscc=f"BENCH{i:013d}", region=region,
                                status="active", ownership="private") for i in range(ENTERPRISES)]
    Organization.objects.bulk_create(enterprises)
    enterprises = list(Organization.objects.filter(name__startswith="BENCH 企业").order_by("pk"))
    experts = people("1773", EXPERTS)
    Employment.objects.bulk_create([Employment(user=u, employer=enterprises[i % ENTERPRISES],
                                               start_date=dt.date(2015, 1, 1), status="confirmed")
                                    for i, u in enumerate(experts)])
    ExpertProfile.objects.bulk_create([
        ExpertProfile(committee=committee, user=u, series=series, level="deputy_senior", level_rank=4,
                      term_start=today - dt.timedelta(days=10), term_end=today + dt.timedelta(days=700))
        for u in experts])
    profiles = list(ExpertProfile.objects.filter(committee=committee).order_by("pk"))
    ExpertProfile.specialties.through.objects.bulk_create([
        ExpertProfile.specialties.through(expertprofile_id=p.pk, specialty_id=specialty.pk) for p in profiles])
    now = timezone.now()
    calls = {}
    for label, n in (("small", 50), ("big", n_big)):
        call = Call.objects.create(name=f"BENCH {label}", committee=committee, series=series,
                                   levels=["intermediate"], year=2026, opens_at=now - dt.timedelta(days=30),
                                   closes_at=now + dt.timedelta(days=1), methods=["review"], created_by=secretary)
        applicants = people(f"178{0 if label == 'small' else 1}", n)
        Employment.objects.bulk_create([Employment(user=u, employer=enterprises[i % ENTERPRISES],
                                                   start_date=dt.date(2018, 1, 1), status="confirmed")
                                        for i, u in enumerate(applicants)], batch_size=2000)
        Application.objects.bulk_create([
            Application(applicant=u, call=call, series=series, year=2026 + (i // 100000), specialty=specialty,
                        level="intermediate", title_name="工程师", employer=enterprises[i % ENTERPRISES],
                        sponsor=enterprises[i % ENTERPRISES], region=region, status="ready")
            for i, u in enumerate(applicants)], batch_size=2000)
        calls[label] = call
    return {"committee": committee, "secretary": secretary, "calls": calls, "experts": experts}


def score_two_thirds(call: Call) -> None:
    now = timezone.now()
    ids = list(Assignment.objects.filter(application__call=call).order_by("pk").values_list("pk", flat=True))
    Score.objects.bulk_create([Score(assignment_id=pk, values={"ability": "25"}, total=60 + pk % 40,
                                     verdict="recommend", comment="同意", status="submitted", saved_at=now)
                               for pk in ids[: len(ids) * 2 // 3]], batch_size=2000)


def measure(client: Client, url: str, repeat: int = 3) -> dict:
    client.get(url)
    timings = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(url)
            timings.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
    return {"queries": len(ctx.captured_queries), "ms": round(min(timings) * 1000, 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--apps", type=int, default=5000)
    args = parser.parse_args()
    started = time.perf_counter()
    fresh_database()
    scene = build(args.apps)
    print(f"built in {time.perf_counter() - started:.1f} s ({connection.vendor})")
    results = {"database": connection.vendor, "applications": args.apps}
    secretary = scene["secretary"]
    for label, call in scene["calls"].items():
        t = time.perf_counter()
        started_n = services.evaluation_start(actor=secretary, call_id=call.pk)
        results[f"evaluation_start_{label}_s"] = round(time.perf_counter() - t, 2)
        t = time.perf_counter()
        report = services.assignment_draw(actor=secretary, call_id=call.pk)
        seconds = time.perf_counter() - t
        results[f"draw_{label}"] = {"applications": started_n, "assignments": report.drawn,
                                    "short": len(report.short), "seconds": round(seconds, 2)}
        print(f"{label}: {started_n} taken into evaluation in {results[f'evaluation_start_{label}_s']} s; "
              f"{report.drawn} experts drawn in {seconds:.2f} s")
        score_two_thirds(call)
    # Recusal holds: no drawn expert shares an employer with the applicant.
    clash = Assignment.objects.filter(
        expert_user__employments__employer=F("application__applicant__employments__employer")).count()
    results["recusal_violations"] = clash
    loads = list(Assignment.objects.values("expert_id").annotate(n=Count("pk"))
                 .values_list("n", flat=True))
    results["load_min_max"] = [min(loads), max(loads)]
    client = Client()
    client.force_login(secretary)
    big, small = scene["calls"]["big"], scene["calls"]["small"]
    pages = {}
    for label, call in (("small", small), ("big", big)):
        pages[f"dashboard_{label}"] = measure(client, reverse("review-call-dashboard", args=[call.pk]))
        # A deep page: the keyset cursor of the 40th page of 20 (the ids after the 780th).
        deep = call.applications.order_by("pk").values_list("pk", flat=True)[779:780] if label == "big" else []
        pages[f"dashboard_{label}_deep_page"] = measure(
            client, reverse("review-call-dashboard", args=[call.pk]) + (f"?after={deep[0]}" if deep else ""))
        application = call.applications.order_by("pk").first()
        pages[f"application_{label}"] = measure(client, reverse("review-call-application",
                                                                args=[call.pk, application.pk]))
        pages[f"api_dashboard_{label}"] = measure(client, f"/api/v1/review/calls/{call.pk}/dashboard/")
    busiest = (Assignment.objects.filter(status="active").values("expert_user").annotate(n=Count("pk"))
               .order_by("-n").first())
    expert = User.objects.get(pk=busiest["expert_user"])
    client.force_login(expert)
    pages["expert_dashboard"] = measure(client, reverse("review-expert-home"))
    pages["expert_dashboard_assignments"] = busiest["n"]
    one = Assignment.objects.filter(expert_user=expert, score__isnull=True).first() or Assignment.objects.filter(
        expert_user=expert).first()
    pages["expert_scoring_form"] = measure(client, reverse("review-expert-assignment", args=[one.pk]))
    results["pages"] = pages
    results["total_seconds"] = round(time.perf_counter() - started, 1)
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / f"review-{connection.vendor}.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
