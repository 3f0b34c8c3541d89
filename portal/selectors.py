"""Reads of the people-and-bodies app, each for one purpose, filtered by what
the user may see, with the joins that keep query counts flat."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from guardian.shortcuts import get_objects_for_user

from portal.models import Employment, Invitation, Membership, Notification, Organization, Region, User


def bureau_regions_for_user(*, user: User) -> QuerySet[Region]:
    """Regions whose HR bureau the user is an active officer of."""
    if not user.is_authenticated:
        return Region.objects.none()
    return Region.objects.filter(
        organizations__kind=Organization.Kind.HR_BUREAU,
        organizations__status=Organization.Status.ACTIVE,
        organizations__memberships__user=user,
        organizations__memberships__role=Membership.OrgRole.OFFICER,
        organizations__memberships__is_active=True,
    ).distinct()


def regions_covered_by_officer(*, user: User) -> QuerySet[Region]:
    """Regions an HR-bureau officer acts for: the regions of their bureaus
    and those regions' prefectures (an officer of the autonomous region
    covers every prefecture)."""
    own = bureau_regions_for_user(user=user)
    return Region.objects.filter(Q(pk__in=own.values("pk")) | Q(parent__in=own.values("pk")))


def region_ids_covered_by_officer(user: User | None) -> set[int]:
    """The same as ids, computed once per user object (views ask often)."""
    if user is None or not user.is_authenticated:
        return set()
    cached = getattr(user, "_covered_region_ids", None)
    if cached is None:
        cached = user._covered_region_ids = set(regions_covered_by_officer(user=user).values_list("pk", flat=True))
    return cached


def bureau_officers_for_region(*, region: Region | int) -> QuerySet[User]:
    """The active officers of the region's active HR bureau."""
    return User.objects.filter(
        is_active=True,
        memberships__is_active=True,
        memberships__role=Membership.OrgRole.OFFICER,
        memberships__organization__kind=Organization.Kind.HR_BUREAU,
        memberships__organization__status=Organization.Status.ACTIVE,
        memberships__organization__region=region,
    ).distinct()


def organization_admins(*, organization: Organization) -> QuerySet[User]:
    return User.objects.filter(
        is_active=True, memberships__organization=organization, memberships__is_active=True,
        memberships__role=Membership.OrgRole.HR_ADMIN,
    ).distinct()


def enterprise_queue_for_bureau(*, user: User, status: str = Organization.Status.PENDING) -> QuerySet[Organization]:
    """The approval queue: enterprises of the officer's regions, oldest first."""
    return (
        Organization.objects.filter(kind=Organization.Kind.ENTERPRISE, status=status,
                                    region__in=bureau_regions_for_user(user=user))
        .select_related("region")
        .order_by("created_at", "pk")
    )


def enterprise_get_for_bureau(*, user: User, pk: int) -> Organization | None:
    return (Organization.objects.filter(kind=Organization.Kind.ENTERPRISE, pk=pk,
                                        region__in=bureau_regions_for_user(user=user))
            .select_related("region", "decided_by").first())


def organizations_for_hr(*, user: User, perm: str = "portal.work_organization") -> QuerySet[Organization]:
    """Enterprises the user does title work for (guardian object permissions)."""
    qs = Organization.objects.filter(kind=Organization.Kind.ENTERPRISE).select_related("region")
    return get_objects_for_user(user, perm, klass=qs, accept_global_perms=False)


def enterprise_members(*, organization: Organization) -> QuerySet[Membership]:
    return organization.memberships.filter(is_active=True).select_related("user").order_by("role", "created_at")


def enterprise_employments(*, organization: Organization) -> QuerySet[Employment]:
    return (organization.employments.select_related("user", "dispatch_region", "original_unit")
            .order_by("status", "-created_at"))


def enterprise_invitations(*, organization: Organization) -> QuerySet[Invitation]:
    return organization.invitations.select_related("invited_by").order_by("-created_at")


def invitations_for_user(*, user: User) -> QuerySet[Invitation]:
    """Open, unexpired invitations to the user's mobile number or, where HR gave it, ID number."""
    from django.utils import timezone

    match = Q(mobile=user.mobile)
    if user.id_number_hash:
        match |= Q(id_number_hash=user.id_number_hash)
    return (Invitation.objects.filter(match, status=Invitation.Status.OPEN, expires_at__gt=timezone.now())
            .select_related("organization", "organization__region").order_by("-created_at"))


def enterprise_search(*, query: str, limit: int = 20) -> list[Organization]:
    """Active enterprises whose name contains ``query``, or whose credit code starts with it (what a
    professional types to find their employer). Only names and codes the portal shows anyway."""
    from portal.personal_data import fold_typed

    query = (query or "").strip()[:64]
    if len(query) < 2:
        return []
    code = fold_typed(query)
    match = Q(name__icontains=query)
    if code.isalnum():
        match |= Q(uscc__startswith=code)
    return list(active_enterprises().filter(match)[:limit])


def employments_for_user(*, user: User) -> QuerySet[Employment]:
    return user.employments.select_related("employer", "employer__region", "dispatch_region", "original_unit")


def active_enterprises() -> QuerySet[Organization]:
    return (Organization.objects.filter(kind=Organization.Kind.ENTERPRISE, status=Organization.Status.ACTIVE)
            .select_related("region").order_by("name"))


def notifications_for_user(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).order_by("-created_at")


def unread_count(*, user: User) -> int:
    return user.unread_notifications()


def queue_counts_for_bureau(*, user: User) -> dict[str, int]:
    regions = bureau_regions_for_user(user=user)
    return Organization.objects.filter(kind=Organization.Kind.ENTERPRISE, region__in=regions).aggregate(
        pending=Count("pk", filter=Q(status=Organization.Status.PENDING)),
        active=Count("pk", filter=Q(status=Organization.Status.ACTIVE)),
        rejected=Count("pk", filter=Q(status=Organization.Status.REJECTED)),
    )


def audit_events(*, action: str = "", object_type: str = "", object_id: str = "", actor: str = "",
                 since=None, until=None, before_seq: int | None = None):
    """Chained audit events newest first, filtered; keyset pagination on ``seq``.
    (Events not yet chained appear once a seal pass has chained them: see
    ``portal.audit.chain_backlog``.)"""
    from portal.models import AuditChainHead, AuditEvent

    qs = AuditEvent.objects.filter(seq__isnull=False).order_by("-seq")
    if action:
        qs = qs.filter(action__startswith=action)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if actor:
        qs = qs.filter(actor_label__icontains=actor) if not actor.isdigit() else qs.filter(actor_id=int(actor))
    # A time range becomes a range of ``seq`` too, so a page stays a short backward scan of the
    # ``seq`` index (bench/audit.py). Events are chained in commit order, so ``created_at`` (the
    # time of the change) can stray from ``seq`` order, by at most the chain head's ``max_lag``
    # either way; an event more than twice that outside the range bounds the ``seq`` range exactly.
    if since or until:
        max_lag = AuditChainHead.objects.filter(pk=1).values_list("max_lag", flat=True).first() or dt.timedelta()
        margin = 2 * max_lag + dt.timedelta(microseconds=1)
    if since:
        outside = (AuditEvent.objects.filter(seq__isnull=False, created_at__lt=since - margin)
                   .order_by("-created_at", "-seq").values("seq")[:1])
        qs = qs.filter(created_at__gte=since, seq__gt=Coalesce(Subquery(outside), Value(0)))
    if until:
        outside = (AuditEvent.objects.filter(seq__isnull=False, created_at__gte=until + margin)
                   .order_by("created_at", "seq").values("seq")[:1])
        qs = qs.filter(created_at__lt=until, seq__lt=Coalesce(Subquery(outside), Value(2**62)))
    if before_seq:
        qs = qs.filter(seq__lt=before_seq)
    return qs


def published_articles(*, kind: str = ""):
    from django.utils import timezone

    from portal.models import PolicyArticle

    qs = (PolicyArticle.objects.filter(published_on__isnull=False, published_on__lte=timezone.localdate())
          .select_related("publisher").order_by("-published_on", "-pk"))
    return qs.filter(kind=kind) if kind else qs
