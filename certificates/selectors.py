"""Reads of the certificates app, each for one purpose and filtered by what
the user may see, with the joins that keep query counts flat."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from certificates.models import Certificate, IssueBatch, IssueBatchItem, SigningKey, VerificationEvent
from portal import selectors as portal_selectors
from portal.models import Employment, Organization, Region, Role, User

#: Everything a certificate's record, public view and PDF read.
CERTIFICATE_JOINS = ("series", "specialty", "granting_body_region", "signing_key", "replaces")


def certificates_for_holder(*, user: User) -> QuerySet[Certificate]:
    return (Certificate.objects.filter(holder=user).select_related("granting_body_region")
            .order_by("-date_issued", "-pk"))


def certificate_for_holder(*, user: User, pk: int) -> Certificate | None:
    return Certificate.objects.filter(holder=user, pk=pk).select_related(*CERTIFICATE_JOINS, "holder").first()


def verifications_for_certificate(*, certificate: Certificate) -> QuerySet[VerificationEvent]:
    return certificate.verifications.select_related("verifier_organization").order_by("-created_at", "-pk")


def certificates_for_enterprise(*, organization: Organization) -> QuerySet[Certificate]:
    """R5.4: certificates of the enterprise's confirmed employees."""
    employees = Employment.objects.filter(employer=organization, status=Employment.Status.CONFIRMED)
    return (Certificate.objects.filter(holder__in=employees.values("user"))
            .select_related("granting_body_region").order_by("holder_name", "-date_issued", "-pk"))


def enterprise_for_hr(*, user: User, pk: int) -> Organization | None:
    return portal_selectors.organizations_for_hr(user=user).filter(pk=pk).first()


def verifier_organization(*, user) -> Organization | None:
    """The active enterprise a logged-in HR user verifies for (first by id)."""
    if user is None or not user.is_authenticated or not user.has_role(Role.ENTERPRISE_HR):
        return None
    return (portal_selectors.organizations_for_hr(user=user)
            .filter(status=Organization.Status.ACTIVE).order_by("pk").first())


def issuer_regions_for_officer(*, user: User) -> QuerySet[Region]:
    """Regions whose certificates the officer acts on: the officer's own
    regions and, for an officer of the autonomous region, every region."""
    return portal_selectors.regions_covered_by_officer(user=user)


def certificates_for_bureau(*, user: User, query: str = "", status: str = "") -> QuerySet[Certificate]:
    qs = Certificate.objects.filter(granting_body_region__in=issuer_regions_for_officer(user=user))
    if status in Certificate.Status.values:
        qs = qs.filter(status=status)
    query = (query or "").strip()
    if query:
        from certificates.numbering import normalize_number

        compact = normalize_number(query)
        from portal.names import name_key

        by_name = Q(holder__name_key=name_key(query)) if name_key(query) else Q(pk__in=[])
        qs = qs.filter(Q(number__iexact=query) | Q(number__iexact=_dashed(compact)) | Q(holder_name=query) | by_name)
    return qs.select_related("granting_body_region").order_by("-date_issued", "-pk")


def _dashed(compact: str) -> str:
    if len(compact) != 20:
        return compact
    return f"{compact[:6]}-{compact[6:10]}-{compact[10:13]}-{compact[13:19]}-{compact[19]}"


def certificate_for_bureau(*, user: User, pk: int) -> Certificate | None:
    return (Certificate.objects.filter(pk=pk, granting_body_region__in=issuer_regions_for_officer(user=user))
            .select_related(*CERTIFICATE_JOINS, "holder", "revoked_by").first())


def batches_for_bureau(*, user: User) -> QuerySet[IssueBatch]:
    return (IssueBatch.objects.filter(region__in=issuer_regions_for_officer(user=user))
            .select_related("region", "created_by").order_by("-created_at", "-pk"))


def batch_for_bureau(*, user: User, pk: int) -> IssueBatch | None:
    return batches_for_bureau(user=user).filter(pk=pk).first()


def batch_progress(*, batch: IssueBatch) -> dict[str, int]:
    counts = IssueBatchItem.objects.filter(batch=batch).aggregate(
        issued=Count("pk", filter=Q(state=IssueBatchItem.State.ISSUED)),
        failed=Count("pk", filter=Q(state=IssueBatchItem.State.FAILED)),
        pending=Count("pk", filter=Q(state=IssueBatchItem.State.PENDING)),
    )
    total = batch.total
    return {"total": total, "issued": counts["issued"], "failed": counts["failed"], "remaining": counts["pending"],
            "done": counts["pending"] == 0}


def batch_failures(*, batch: IssueBatch, limit: int = 200) -> QuerySet[IssueBatchItem]:
    return batch.items.filter(state=IssueBatchItem.State.FAILED).order_by("position")[:limit]


def published_keys(*, algorithms: tuple[str, ...] | None = None) -> QuerySet[SigningKey]:
    """Every key, active or retired; only those of ``algorithms`` when given."""
    keys = SigningKey.objects.order_by("valid_from", "pk")
    return keys.filter(algorithm__in=algorithms) if algorithms is not None else keys


def verification_names(*, certificate_id: int) -> dict:
    """What a Uyghur or English verification page names beside the public columns: the holder's name
    in Uyghur script (empty when none), the catalogue's names of the certificate's series and
    specialty, with the series id for its title (``applications.title_names``), and the granting
    body's English and Uyghur names taken at issue (``certificates.granting_bodies``). The public
    verification hot path reads only the certificate's public columns, so this is one look-up more,
    on Uyghur and English pages only."""
    return (Certificate.objects.filter(pk=certificate_id)
            .values("holder__name_ug", "series_id", "series__name_en", "series__name_ug", "specialty__name_en",
                    "specialty__name_ug", "granting_body_name_en", "granting_body_name_ug").first() or {})
