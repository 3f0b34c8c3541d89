"""Bench of the statistics: 1,000,000 applications (and a certificate for
each granted one) generated in PostgreSQL by INSERT … SELECT FROM
generate_series, then the refresh of the aggregate tables (timed), then the
statistics page and API as the regional bureau (median of several runs, query
count, and proof that no request touches the applications table).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench_stats .venv/bin/python bench/stats.py

The database is the bench's own (created if missing, migrated, seeded). The
rows are generated once and kept; ``--regenerate`` makes them again and
``--rows`` changes the count. PostgreSQL only (generate_series).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench_stats")


def ensure_database() -> None:
    import psycopg2

    url = os.environ["DATABASE_URL"]
    base, name = url.rsplit("/", 1)
    name = name.split("?")[0]
    conn = psycopg2.connect(base + "/postgres")
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{name}"')
    conn.close()


ensure_database()

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

BENCH = "BENCHSTATS"
PEOPLE_PER_APPLICATION = 2  # each person applies twice in a year, in two series (R6.4 allows it)


def seed() -> None:
    call_command("migrate", verbosity=0)
    from applications.eligibility import eligibility_seed
    from applications.services import catalogue_seed
    from portal.services import regions_seed

    regions_seed()
    catalogue_seed()
    eligibility_seed()


def clean(cursor) -> None:
    cursor.execute("DELETE FROM certificates_certificate WHERE number LIKE %s", [BENCH + "%"])
    cursor.execute("DELETE FROM applications_application WHERE call_id IN "
                   "(SELECT id FROM applications_call WHERE name LIKE %s)", [BENCH + "%"])
    cursor.execute("DELETE FROM applications_call WHERE name LIKE %s", [BENCH + "%"])
    cursor.execute("DELETE FROM portal_organization WHERE name LIKE %s", [BENCH + "%"])
    cursor.execute("DELETE FROM portal_user WHERE mobile LIKE '178%%'")


def generate(rows: int) -> float:
    """Users, enterprises, calls, applications and certificates, all in SQL."""
    from certificates.services import _active_signing_key

    started = time.perf_counter()
    people = rows // PEOPLE_PER_APPLICATION + 1
    with transaction.atomic(), connection.cursor() as c:
        clean(c)
        key = _active_signing_key()
        c.execute("""
            INSERT INTO portal_user (password, last_login, is_superuser, mobile, real_name, email,
                id_number_encrypted, id_number_hash, id_number_masked, is_active, is_staff, date_joined,
                credentials_epoch, language, muted, name_key, name_ug)
            SELECT '!', NULL, false, '178' || lpad(g::text, 8, '0'), '压测' || g, '', '', NULL, '', true, false, now(),
                0, '', '[]'::jsonb, '压测' || g, ''
            FROM generate_series(1, %s) g""", [people])
        # 2,000 enterprises spread over the 15 regions, mostly private.
        c.execute("""
            INSERT INTO portal_organization (kind, name, uscc, region_id, status, ownership, size, address,
                contact_name, contact_phone, business_licence, rejection_reason, decided_at, created_at, updated_at,
                certificate_bilingual)
            SELECT 'enterprise', %s || g, 'BENCHSTATS' || lpad(g::text, 8, '0'), r.id, 'active',
                   (ARRAY['private','private','private','private','private','private','state','collective',
                          'foreign','hmt','mixed'])[1 + g %% 11],
                   'small', '', '', '', '', '', NULL, now(), now(), false
            FROM generate_series(1, 2000) g
            JOIN (SELECT id, row_number() OVER (ORDER BY code) - 1 AS n FROM portal_region) r
              ON r.n = CASE WHEN g %% 10 < 3 THEN 1 ELSE g %% 15 END""", [BENCH + "企业"])
        c.execute("SELECT id FROM portal_organization WHERE kind = 'hr_bureau' AND region_id = "
                  "(SELECT id FROM portal_region WHERE code = '650000')")
        bureau = c.fetchone()[0]
        c.execute("SELECT id FROM portal_user WHERE mobile = '17800000001'")
        creator = c.fetchone()[0]
        # One bureau call per series and year (27 × 5).
        c.execute("""
            INSERT INTO applications_call (name, committee_id, bureau_id, series_id, levels, year, opens_at, closes_at,
                methods, pathways, private_enterprise_group, entrusted_by_id, entrustment_note, pass_rate_ceiling,
                created_by_id, created_at)
            SELECT %s || s.code || y, NULL, %s, s.id, '[]'::jsonb, y, now() - interval '30 days', now(),
                   '["review"]'::jsonb, '[]'::jsonb, false, NULL, '', 0.6, %s, now()
            FROM applications_titleseries s CROSS JOIN generate_series(2021, 2025) y""", [BENCH, bureau, creator])
        # Applications: series skewed to the first ones, levels, pathways, statuses and years varied.
        c.execute("""
            CREATE TEMP TABLE bench_series AS
            SELECT s.id, s.code, row_number() OVER (ORDER BY s."order", s.code) - 1 AS n,
                   (SELECT min(sp.id) FROM applications_specialty sp WHERE sp.series_id = s.id) AS specialty_id
            FROM applications_titleseries s""")
        c.execute("""CREATE TEMP TABLE bench_org AS SELECT id, region_id, ownership,
                     row_number() OVER (ORDER BY id) - 1 AS n FROM portal_organization WHERE name LIKE %s""",
                  [BENCH + "%"])
        c.execute("CREATE TEMP TABLE bench_people AS SELECT id, row_number() OVER (ORDER BY id) - 1 AS n "
                  "FROM portal_user WHERE mobile LIKE '178%%'")
        c.execute("""
            INSERT INTO applications_application (applicant_id, call_id, series_id, year, specialty_id, level,
                title_name, pathway, channel, employer_id, sponsor_id, acceptance_body_id, region_id,
                private_enterprise, first_time, status, returned_from, summary, justification, frozen_conditions,
                frozen_profile, publicity_ends_on, submitted_at, correction_due_on, created_at, updated_at)
            SELECT p.id, call.id, s.id, x.year, s.specialty_id,
                   (ARRAY['assistant_junior','junior','junior','intermediate','intermediate','intermediate',
                          'deputy_senior','deputy_senior','senior'])[1 + x.g %% 9],
                   '压测职称',
                   (ARRAY['regular','regular','regular','regular','regular','regular','exceptional','recognition',
                          'recognition','green_channel','postdoc','skills_crossover','qualification'])[1 + x.g %% 13],
                   CASE WHEN x.g %% 17 = 0 THEN 'agency' ELSE 'employer' END,
                   CASE WHEN x.g %% 17 = 0 THEN NULL ELSE o.id END, CASE WHEN x.g %% 17 = 0 THEN NULL ELSE o.id END,
                   %s, o.region_id,
                   x.g %% 17 = 0 OR o.ownership = 'private', true,
                   x.status, '', '', '', '{}'::jsonb, '{}'::jsonb, NULL,
                   CASE WHEN x.status = 'draft' THEN NULL ELSE now() END, NULL, now(), now()
            FROM (
                SELECT g, (g - 1) / 2 AS person, 2021 + ((g - 1) / 2) %% 5 AS year,
                       ((g - 1) %% 2 + 2 * (((g - 1) / 2) %% 7) + CASE WHEN (g / 7) %% 3 = 0 THEN 12 ELSE 0 END)
                           %% 27 AS series_n,
                       (ARRAY['draft','employer_review','acceptance','qualification_audit','ready','in_evaluation',
                              'granted','granted','granted','granted','failed','failed','withdrawn','rejected',
                              'result_publicity'])[1 + (g * 7) %% 15] AS status,
                       (g * 31) %% 2000 AS org_n
                FROM generate_series(1, %s) g) x
            JOIN bench_people p ON p.n = x.person
            JOIN bench_series s ON s.n = x.series_n
            JOIN bench_org o ON o.n = x.org_n
            JOIN applications_call call ON call.series_id = s.id AND call.year = x.year AND call.name LIKE %s
            """, [bureau, rows, BENCH + "%"])
        # A valid certificate for nine in ten granted applications, a revoked one for the tenth.
        c.execute("""
            INSERT INTO certificates_certificate (number, grant_key, year, series_code, serial, holder_id, holder_name,
                holder_id_masked, holder_id_hash, series_id, series_name, specialty_id, specialty_name, level,
                title_name, method, granting_body_name, granting_body_region_id, filing_number, approval_number,
                date_granted, date_issued, status, revoked_at, revoked_by_id, revocation_category,
                revocation_reason, superseded_at, replaces_id, template_version, signing_key_id, record, jws,
                qr_code_hash, qr_enabled, pdf, pdf_sha256, pdf_generation, pdf_requested_generation,
                pdf_rendered_at, created_at, updated_at)
            SELECT %s || a.id, 'application:' || a.id, a.year, 'BEN', a.id, a.applicant_id, '压测',
                   '', '', a.series_id, '', NULL, '', a.level, a.title_name,
                   CASE a.pathway WHEN 'recognition' THEN 'recognition' ELSE 'review' END, '压测', a.region_id,
                   '', '', current_date, current_date,
                   CASE WHEN a.id %% 10 = 0 THEN 'revoked' ELSE 'valid' END,
                   CASE WHEN a.id %% 10 = 0 THEN now() ELSE NULL END, NULL,
                   CASE WHEN a.id %% 10 = 0 THEN 'other' ELSE '' END, '', NULL, NULL, '1', %s, '{}', '',
                   NULL, false, '', '', 0, 0, NULL, now(), now()
            FROM applications_application a
            WHERE a.status = 'granted' AND a.call_id IN (SELECT id FROM applications_call WHERE name LIKE %s)
            """, [BENCH, key.pk, BENCH + "%"])
        c.execute("DROP TABLE bench_series, bench_org, bench_people")
    with connection.cursor() as c:
        c.execute("ANALYZE")
    return time.perf_counter() - started


def officer():
    from django.contrib.auth.models import Group

    from portal.models import Membership, Organization, Role, User

    user, _c = User.objects.get_or_create(mobile="17999999999", defaults={"real_name": "压测自治区统计"})
    user.groups.add(Group.objects.get(name=Role.BUREAU_OFFICER))
    bureau = Organization.objects.get(kind=Organization.Kind.HR_BUREAU, region__code="650000")
    Membership.objects.get_or_create(user=user, organization=bureau, role=Membership.OrgRole.OFFICER)
    return user


def measure(client: Client, url: str, runs: int) -> tuple[int, float, float, int, bool]:
    """(queries, median ms, max ms, HTTP status, touched applications?) of a GET."""
    client.get(url)  # warm
    times, queries, touched, code = [], 0, False, 0
    for _i in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        queries, code = len(captured.captured_queries), response.status_code
        # (The freshness check reads the tables' write counters in pg_stat_user_tables by name: not
        # the tables.)
        touched = touched or any(("applications_application" in q["sql"] or "certificates_certificate" in q["sql"])
                                 and "pg_stat_user_tables" not in q["sql"] for q in captured.captured_queries)
    return queries, statistics.median(times), max(times), code, touched


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench/stats.py needs PostgreSQL (DATABASE_URL=postgres://…/portal_bench_stats)")
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    seed()
    from applications.models import Application
    from certificates.models import Certificate
    from stats.models import StatsCell
    from stats.services import stats_refresh

    have = Application.objects.filter(call__name__startswith=BENCH).count()
    if args.regenerate or have != args.rows:
        print(f"generating {args.rows:,} applications …", flush=True)
        seconds = generate(args.rows)
        print(f"generated in {seconds:.1f} s")
    total = Application.objects.count()
    submitted = Application.objects.filter(submitted_at__isnull=False).count()
    valid = Certificate.objects.filter(status="valid").count()
    print(f"applications: {total:,} ({submitted:,} submitted); "
          f"certificates: {Certificate.objects.count():,} ({valid:,} valid)")

    refresh_times = []
    for _i in range(2):
        refresh = stats_refresh()
        refresh_times.append(refresh.duration_ms)
    print(f"refresh: {refresh.cells:,} cells from {refresh.source_applications:,} applications, "
          f"{refresh.duration_ms / 1000:.1f} s (runs: {', '.join(f'{t / 1000:.1f} s' for t in refresh_times)})")
    with connection.cursor() as c:
        c.execute("SELECT pg_size_pretty(pg_total_relation_size(%s))", [StatsCell._meta.db_table])
        print(f"aggregate table size: {c.fetchone()[0]}")

    client = Client()
    client.force_login(officer())
    pages = [
        ("page, whole region", "/stats/"),
        ("page, year + series", "/stats/?year=2024&series=engineering"),
        ("page, all five filters", "/stats/?year=2023&series=economics&level=intermediate&pathway=regular"
                                   "&ownership=private"),
        ("page, one prefecture", "/stats/?prefecture=650100&year=2025"),
        ("API overview", "/api/v1/stats/"),
        ("API overview, filtered", "/api/v1/stats/?year=2022&level=junior&ownership=state"),
        ("API table by series", "/api/v1/stats/series/?year=2025"),
        ("Excel by prefecture", "/stats/export/prefecture.xlsx"),
    ]
    worst = 0.0
    for name, url in pages:
        queries, median, slowest, code, touched = measure(client, url, args.runs)
        worst = max(worst, median)
        print(f"  {name:<26} | HTTP {code} | {queries:>2} queries | median {median:6.1f} ms | max {slowest:6.1f} ms "
              f"| reads applications/certificates: {'YES' if touched else 'no'}")
    print(f"slowest median: {worst:.1f} ms (limit 1000 ms) — {'OK' if worst < 1000 else 'TOO SLOW'}")
    # The check of the definitions at scale: the headline equals the ORM count.
    data = client.get("/api/v1/stats/").json()["headline"]
    print(f"headline applications {data['applications']:,} = ORM {submitted:,}: {data['applications'] == submitted}")


if __name__ == "__main__":
    main()
