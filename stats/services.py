"""Writes of the stats app: recompute the aggregate tables, ask for a
recomputation now, and record an Excel download in the audit trail.

The refresh is SQL only (``INSERT … SELECT … GROUP BY``, no Python loop over
application rows): on PostgreSQL one ``GROUP BY CUBE`` statement, on SQLite
(which has no ``CUBE``) one statement per roll-up. It runs in one transaction
that deletes the previous contents and writes the new ones, so readers see
either the old figures or the new, never a mix (and never wait: no TRUNCATE).

What is counted (also on the page and in docs/stats.md):

- **applications**: applications submitted (``submitted_at`` set), whatever
  became of them afterwards — drafts never submitted are not counted;
- **passes**: titles granted (status ``granted``, set when the result is filed);
- **not passed**: status ``failed``; the pass rate is passes ÷ (passes + not passed);
- **certificates**: valid certificates (not revoked, not superseded), counted
  under the application they were issued for (``grant_key`` ``application:<id>``);
  a certificate issued outside an application (an imported batch) counts under
  its own year, issuer region, series and level, the pathway of its method and
  ownership ``unknown``;
- **private-enterprise professionals reached**: distinct persons with a
  submitted application marked private-enterprise (employer owned privately,
  or a freelancer through an agency or association).
"""

from __future__ import annotations

import itertools
import time

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.models import Application, ApplicationStatus, TitleSeries
from certificates.models import Certificate
from portal.audit import audit_record
from portal.errors import NotAllowed
from portal.models import Organization, Region, Role, User
from stats.models import DIMENSIONS, NO_EMPLOYER, UNKNOWN, StatsCell, StatsRefresh

#: Pathway under which a certificate issued outside an application counts, by its method.
METHOD_PATHWAY = {"review": "regular", "recognition": "recognition", "green_channel": "green_channel",
                  "postdoc": "postdoc", "crossover": "skills_crossover", "qualification": "qualification"}
REGIONAL_CODE = "650000"
_LOCK_KEY = 0x57A75  # pg_advisory_xact_lock key: one refresh at a time


def _source_sql() -> tuple[str, list]:
    """One row per submitted application, plus one per valid certificate not
    issued for a submitted application; dimension columns and 0/1 measures."""
    app, region, series = Application._meta.db_table, Region._meta.db_table, TitleSeries._meta.db_table
    org, cert = Organization._meta.db_table, Certificate._meta.db_table
    method_case = " ".join(f"WHEN '{m}' THEN '{p}'" for m, p in METHOD_PATHWAY.items())
    sql = f"""
        SELECT a.year AS year, r.code AS region, s.code AS series, a.level AS level, a.pathway AS pathway,
               COALESCE(NULLIF(o.ownership, ''), %s) AS ownership,
               1 AS app,
               CASE WHEN a.status = %s THEN 1 ELSE 0 END AS passed,
               CASE WHEN a.status = %s THEN 1 ELSE 0 END AS failed,
               CASE WHEN c.grant_key IS NULL THEN 0 ELSE 1 END AS cert,
               CASE WHEN a.private_enterprise THEN 1 ELSE 0 END AS private_app,
               CASE WHEN a.private_enterprise THEN a.applicant_id ELSE NULL END AS person
        FROM {app} a
        JOIN {region} r ON r.id = a.region_id
        JOIN {series} s ON s.id = a.series_id
        LEFT JOIN {org} o ON o.id = a.employer_id
        LEFT JOIN (SELECT DISTINCT grant_key FROM {cert} WHERE status = %s) c
               ON c.grant_key = 'application:' || a.id
        WHERE a.submitted_at IS NOT NULL
        UNION ALL
        SELECT c.year, r.code, s.code, c.level, CASE c.method {method_case} ELSE 'regular' END, %s,
               0, 0, 0, 1, 0, NULL
        FROM {cert} c
        JOIN {region} r ON r.id = c.granting_body_region_id
        JOIN {series} s ON s.id = c.series_id
        WHERE c.status = %s AND NOT EXISTS (
            SELECT 1 FROM {app} a2 WHERE a2.submitted_at IS NOT NULL AND c.grant_key = 'application:' || a2.id)
    """  # noqa: S608 - names from model meta; values are parameters
    params = [NO_EMPLOYER, ApplicationStatus.GRANTED, ApplicationStatus.FAILED, Certificate.Status.VALID,
              UNKNOWN, Certificate.Status.VALID]
    return sql, params


_MEASURES = ("COALESCE(SUM(app), 0), COALESCE(SUM(passed), 0), COALESCE(SUM(failed), 0), COALESCE(SUM(cert), 0), "
             "COALESCE(SUM(private_app), 0), COUNT(DISTINCT person)")
_COLUMNS = ", ".join(DIMENSIONS) + ", applications, passed, failed, certificates, private_applications, reached"


def _empty(dimension: str) -> str:
    return "0" if dimension == "year" else "''"


def _write_cube(cursor) -> None:
    source, params = _source_sql()
    table = StatsCell._meta.db_table
    if connection.vendor == "postgresql":
        dims = ", ".join(f"COALESCE({d}, {_empty(d)})" for d in DIMENSIONS)
        cursor.execute(f"INSERT INTO {table} ({_COLUMNS}) SELECT {dims}, {_MEASURES} FROM ({source}) src "  # noqa: S608
                       f"GROUP BY CUBE ({', '.join(DIMENSIONS)})", params)
        return
    # SQLite: no CUBE; one INSERT … SELECT … GROUP BY per roll-up (2**6 of them), over a temporary copy.
    cursor.execute("DROP TABLE IF EXISTS temp.stats_source")
    cursor.execute(f"CREATE TEMP TABLE stats_source AS {source}", params)
    for kept in itertools.product((True, False), repeat=len(DIMENSIONS)):
        select = ", ".join(d if keep else _empty(d) for d, keep in zip(DIMENSIONS, kept, strict=True))
        group = [d for d, keep in zip(DIMENSIONS, kept, strict=True) if keep]
        cursor.execute(f"INSERT INTO {table} ({_COLUMNS}) SELECT {select}, {_MEASURES} FROM temp.stats_source"  # noqa: S608
                       + (f" GROUP BY {', '.join(group)}" if group else ""))
    cursor.execute("DROP TABLE temp.stats_source")


def can_see_whole_region(user: User) -> bool:
    """The regional bureau (an officer of the 650000 bureau) and supervisors."""
    from portal.selectors import bureau_regions_for_user

    if user.has_role(Role.SUPERVISOR):
        return True
    return user.has_role(Role.BUREAU_OFFICER) and bureau_regions_for_user(user=user).filter(
        code=REGIONAL_CODE).exists()


#: The tables the cube is computed from.
SOURCE_MODELS = (Application, Certificate, Organization)
_QUEUED_KEY = "stats:refresh-queued"


def source_version() -> str:
    """A cheap fingerprint of the source tables that changes whenever a row
    is written: PostgreSQL's per-table counts of inserted, updated and
    deleted rows (a catalog read, no scan); on SQLite, which serves small
    deployments, each table's row count and newest change."""
    tables = [m._meta.db_table for m in SOURCE_MODELS]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_user_tables "
                           "WHERE relname = ANY(%s) ORDER BY relname", [tables])
            return "pg:" + ",".join(f"{n}" for _name, n in cursor.fetchall())
        parts = []
        for model in SOURCE_MODELS:
            table = connection.ops.quote_name(model._meta.db_table)
            newest = "max(updated_at)" if any(f.name == "updated_at" for f in model._meta.fields) else "max(id)"
            cursor.execute(f"SELECT count(*), {newest} FROM {table}")  # noqa: S608 - names from the models
            parts.append(":".join(str(v) for v in cursor.fetchone()))
        return ("db:" + ",".join(parts))[:80]


def stats_freshen() -> bool:
    """Called before the figures are read: when the sources changed since the
    last refresh, queue one (one at a time). Where Celery runs eagerly (the
    embedded default) it runs at once and the page shows the new figures;
    with workers the page says the figures are being brought up to date.
    Returns True while a refresh is wanted or under way."""
    from stats.tasks import refresh_stats

    latest = StatsRefresh.objects.order_by("-finished_at", "-pk").values_list("source_version", flat=True).first()
    if latest is not None and latest == source_version():
        return False
    if cache.add(_QUEUED_KEY, 1, timeout=600):
        transaction.on_commit(lambda: refresh_stats.delay())
    return cache.get(_QUEUED_KEY) is not None


def stats_refresh(*, actor: User | None = None) -> StatsRefresh:
    """Recompute every aggregate table now. ``actor`` None is Celery beat or
    the management command; a user must be the regional bureau or a supervisor,
    and the refresh is then audited."""
    if actor is not None and not can_see_whole_region(actor):
        raise NotAllowed(_("Only the regional bureau and supervisors may refresh the statistics."))
    started = timezone.now()
    clock = time.perf_counter()
    version = source_version()  # taken first: a change made while the cube is computed asks for another
    with transaction.atomic():
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
                # The cube sorts the source once per roll-up chain: let those sorts stay in memory.
                cursor.execute("SET LOCAL work_mem = '256MB'")
            cursor.execute(f"DELETE FROM {StatsCell._meta.db_table}")  # noqa: S608
            _write_cube(cursor)
        total = StatsCell.objects.filter(year=0, region="", series="", level="", pathway="", ownership="").first()
        years = sorted(StatsCell.objects.filter(region="", series="", level="", pathway="", ownership="")
                       .exclude(year=0).values_list("year", flat=True))
        refresh = StatsRefresh(
            started_at=started, finished_at=timezone.now(), duration_ms=int((time.perf_counter() - clock) * 1000),
            source_applications=total.applications if total else 0,
            source_certificates=Certificate.objects.filter(status=Certificate.Status.VALID).count(),
            cells=StatsCell.objects.count(), years=years, source_version=version, requested_by=actor)
        refresh.full_clean()
        refresh.save()
        if actor is not None:
            audit_record(actor=actor, action="stats.refresh", obj=refresh,
                         after={"cells": refresh.cells, "applications": refresh.source_applications,
                                "certificates": refresh.source_certificates})
    transaction.on_commit(lambda: cache.delete(_QUEUED_KEY))
    return refresh


def stats_refresh_request(*, actor: User) -> None:
    """The refresh button: checked and audited now, run by Celery after commit."""
    if not can_see_whole_region(actor):
        raise NotAllowed(_("Only the regional bureau and supervisors may refresh the statistics."))
    from stats.tasks import refresh_stats

    with transaction.atomic():
        audit_record(actor=actor, action="stats.refresh_requested", object_type="stats.statsrefresh",
                     object_id="request")
        transaction.on_commit(lambda: refresh_stats.delay(actor.pk))


def stats_export_record(*, actor: User, table: str, filters: dict, rows: int) -> None:
    """Every Excel download is audited (it holds aggregates only, no personal data)."""
    with transaction.atomic():
        audit_record(actor=actor, action="stats.export", object_type="stats.statscell", object_id=table,
                     after={"filters": {k: str(v) for k, v in filters.items() if v}, "rows": rows})
