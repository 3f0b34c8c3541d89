"""Reads of the integrity app, each for one purpose, filtered by what the
user may see, with the joins that keep query counts flat."""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet

from integrity.models import CaseNote, Evidence, FraudCase, FraudReport
from integrity.services import bureau_region_ids, is_supervisor
from portal.models import IntegrityRecord, User

REPORT_JOINS = ("subject", "region", "certificate", "application", "case")
CASE_JOINS = ("subject", "region", "certificate", "application", "committee", "opened_by", "decided_by",
              "integrity_record", "committee_sanction")


def reports_for_supervisor(*, user: User, status: str = "") -> QuerySet[FraudReport]:
    """The triage list: supervisors only (a report is an unverified allegation)."""
    if not is_supervisor(user):
        return FraudReport.objects.none()
    qs = FraudReport.objects.select_related(*REPORT_JOINS).annotate(evidence_count=Count("evidence"))
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-pk")


def report_for_supervisor(*, user: User, pk: int) -> FraudReport | None:
    if not is_supervisor(user):
        return None
    return (FraudReport.objects.filter(pk=pk).select_related(*REPORT_JOINS, "dismissed_by")
            .prefetch_related("evidence").first())


def cases_for_user(*, user: User, status: str = "") -> QuerySet[FraudCase]:
    """Supervisors see every case; a bureau officer the cases of their regions."""
    qs = FraudCase.objects.select_related(*CASE_JOINS).annotate(report_count=Count("reports", distinct=True))
    if not is_supervisor(user):
        regions = bureau_region_ids(user)
        if not regions:
            return FraudCase.objects.none()
        qs = qs.filter(region_id__in=regions)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-pk")


def case_for_user(*, user: User, pk: int) -> FraudCase | None:
    return (cases_for_user(user=user).filter(pk=pk)
            .prefetch_related(Prefetch("notes", queryset=CaseNote.objects.select_related("author")),
                              Prefetch("evidence", queryset=Evidence.objects.select_related("uploaded_by")),
                              Prefetch("reports", queryset=FraudReport.objects.prefetch_related("evidence")),
                              "experts_cancelled__user")
            .first())


def evidence_for_user(*, user: User, pk: int) -> Evidence | None:
    """A file of a report (supervisors) or of a case (who may read the case)."""
    evidence = Evidence.objects.filter(pk=pk).select_related("report", "case").first()
    if evidence is None:
        return None
    if is_supervisor(user):
        return evidence
    case = evidence.case or (evidence.report.case if evidence.report_id else None)
    if case is not None and case.region_id in bureau_region_ids(user):
        return evidence
    return None


def records_for_person(*, user: User) -> QuerySet[IntegrityRecord]:
    """失信记录 of the person, with the case that created each (if any)."""
    return (IntegrityRecord.objects.filter(user=user).select_related("fraud_case")
            .order_by("-starts_on", "-pk"))
