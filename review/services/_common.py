"""What every review service needs: who the actor is to a committee, a call
or an application, and the guards that name a rule of domain.md."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from applications.tallies import RECOGNITION_PATHWAYS  # noqa: F401 - re-exported to the review app
from portal import selectors as portal_selectors
from portal.errors import NotFound, RuleViolation
from portal.models import Committee, CommitteeMember, Membership, Organization, User
from review import workflow as wf

#: Committee members who sit and vote (the secretary's office does not vote).
VOTING_ROLES = (CommitteeMember.Role.CHAIR, CommitteeMember.Role.MEMBER)


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def today() -> dt.date:
    return timezone.localdate()


# --- Who the actor is --------------------------------------------------------------

def bureau_region_ids(user: User | None) -> set[int]:
    """Regions the user is an active HR-bureau officer of; an officer of the
    autonomous region acts for every region."""
    return portal_selectors.region_ids_covered_by_officer(user)


def officer_bureaus(user: User | None):
    """The active HR bureaus the user is an officer of."""
    if user is None or not user.is_authenticated:
        return Organization.objects.none()
    return Organization.objects.filter(
        kind=Organization.Kind.HR_BUREAU, status=Organization.Status.ACTIVE, memberships__user=user,
        memberships__role=Membership.OrgRole.OFFICER, memberships__is_active=True).distinct()


def is_bureau_for_committee(user: User | None, committee: Committee) -> bool:
    """An officer of the bureau the committee is filed with (or of the region above)."""
    return committee.filed_by.region_id in bureau_region_ids(user)


def is_secretary(user: User | None, committee_id: int | None) -> bool:
    if user is None or not user.is_authenticated or committee_id is None:
        return False
    return CommitteeMember.objects.filter(committee_id=committee_id, user=user, is_active=True,
                                          role=CommitteeMember.Role.SECRETARY).exists()


def secretary_committee_ids(user: User | None) -> list[int]:
    if user is None or not user.is_authenticated:
        return []
    return list(CommitteeMember.objects.filter(user=user, is_active=True, role=CommitteeMember.Role.SECRETARY)
                .values_list("committee_id", flat=True))


def committee_roles(user: User | None, committee: Committee) -> set[str]:
    roles = set()
    if is_bureau_for_committee(user, committee):
        roles.add(wf.BUREAU)
    if is_secretary(user, committee.pk):
        roles.add(wf.SECRETARY)
    return roles


def require_secretary(user: User | None, committee: Committee | None) -> None:
    """The committee's secretary; anyone else is told nothing exists (404)."""
    if committee is None or not is_secretary(user, committee.pk):
        raise NotFound()


def voting_member_ids(committee_id: int) -> set[int]:
    return set(CommitteeMember.objects.filter(committee_id=committee_id, is_active=True, role__in=VOTING_ROLES,
                                              user__is_active=True).values_list("user_id", flat=True))


# --- Guards --------------------------------------------------------------------------

def require_operational(committee: Committee | None) -> None:
    """R2.3: a lapsed, suspended or revoked committee (or one past its
    validity) may not open calls, accept, assign, score or vote."""
    if committee is None:
        return
    if not committee.is_operational(today()):
        state = committee.get_status_display() if committee.status != Committee.Status.ACTIVE else _("expired")
        raise RuleViolation(
            _("The committee “%(name)s” is %(state)s: its filing is not in force, so it may not open calls, "
              "accept, assign, review or vote (R2.3).") % {"name": committee.display_name, "state": state},
            rule="R2.3")
