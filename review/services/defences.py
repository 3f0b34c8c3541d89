"""Defences (答辩): sessions on site or remote, slots per applicant,
attendance and the panel's defence score; the applicant sees the slot."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application, ApplicationStatus, Call
from portal.audit import audit_record
from portal.errors import InvalidInput, NotFound, RuleViolation
from portal.models import Topic, User
from portal.notifications import notification_send
from review.models import DefenceSession, DefenceSlot
from review.services._common import is_secretary, require_operational


def _local(moment: dt.datetime) -> str:
    """A moment as the secretary reads it: Beijing time, to the minute."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _call_for_secretary(actor: User, call_id: int) -> Call:
    call = Call.objects.select_related("committee").filter(pk=call_id).first()
    if call is None or call.committee is None or not is_secretary(actor, call.committee_id):
        raise NotFound()
    return call


def defence_session_create(*, actor: User, call_id: int, name: str, mode: str, starts_at: dt.datetime,
                           location: str = "", meeting_link: str = "") -> DefenceSession:
    call = _call_for_secretary(actor, call_id)
    require_operational(call.committee)
    if mode not in DefenceSession.Mode.values:
        raise InvalidInput(_("Choose on site or remote."), field="mode")
    if mode == DefenceSession.Mode.ON_SITE and not (location or "").strip():
        raise InvalidInput(_("Give the place of an on-site defence."), field="location")
    if mode == DefenceSession.Mode.REMOTE and not (meeting_link or "").strip():
        raise InvalidInput(_("Give the meeting link of a remote defence (R5.2)."), field="meeting_link")
    if not isinstance(starts_at, dt.datetime):
        raise InvalidInput(_("Enter when the session starts."), field="starts_at")
    session = DefenceSession(call=call, name=(name or "").strip()[:128] or _("Defence"), mode=mode,
                             location=(location or "").strip()[:200], meeting_link=(meeting_link or "").strip(),
                             starts_at=starts_at, created_by=actor)
    try:
        session.full_clean()
    except ValidationError as error:
        raise InvalidInput(" ".join(error.messages), field="meeting_link")
    with transaction.atomic():
        session.save()
        audit_record(actor=actor, action="defence.session_create", obj=session,
                     after={"call": call.pk, "mode": mode, "starts_at": starts_at.isoformat()})
    return session


def _session_for_secretary(actor: User, session_id: int) -> DefenceSession:
    session = DefenceSession.objects.select_related("call", "call__committee").filter(pk=session_id).first()
    if session is None or not is_secretary(actor, session.call.committee_id):
        raise NotFound()
    return session


def defence_slot_add(*, actor: User, session_id: int, application_id: int, starts_at: dt.datetime,
                     ends_at: dt.datetime) -> DefenceSlot:
    """Give an applicant a slot; slots of a session never overlap."""
    session = _session_for_secretary(actor, session_id)
    require_operational(session.call.committee)
    if not isinstance(starts_at, dt.datetime) or not isinstance(ends_at, dt.datetime) or ends_at <= starts_at:
        raise InvalidInput(_("The slot ends after it starts."), field="ends_at")
    if starts_at < session.starts_at:
        raise InvalidInput(_("A slot starts when its session starts or later: this session starts at %(when)s "
                             "(Beijing time).") % {"when": _local(session.starts_at)}, field="starts_at")
    with transaction.atomic():
        # One answer for an unknown id and for an application not (or no longer) before the
        # committee: the secretary learns nothing of applications not forwarded to it (issue 14.7).
        application = (Application.objects.select_for_update(of=("self",)).select_related("applicant")
                       .filter(pk=application_id, call_id=session.call_id, status=ApplicationStatus.IN_EVALUATION)
                       .first())
        if application is None:
            raise InvalidInput(_("Choose an application of this call that is in evaluation."), field="application")
        if session.slots.filter(application=application).exists():
            raise InvalidInput(_("This applicant already has a slot in the session."), field="application")
        if session.slots.filter(starts_at__lt=ends_at, ends_at__gt=starts_at).exists():
            raise InvalidInput(_("The slot overlaps another slot of the session."), field="starts_at")
        slot = DefenceSlot.objects.create(session=session, application=application, starts_at=starts_at,
                                          ends_at=ends_at)
        audit_record(actor=actor, action="defence.slot_add", obj=application,
                     after={"slot": slot.pk, "session": session.pk, "starts_at": starts_at.isoformat()})
        when = timezone.localtime(starts_at).strftime("%Y-%m-%d %H:%M")
        notification_send(recipients=[application.applicant], topic=Topic.RESULT,
                          subject=lambda: _("Your defence is scheduled: %(when)s") % {"when": when},
                          body=lambda: _("Your oral defence for %(title)s is on %(when)s (Beijing time) at %(where)s. "
                                         "Bring your ID card; be there, or online, 15 minutes early.")
                          % {"title": application.title_display, "when": when,
                             "where": session.meeting_link or session.location},
                          url=reverse("review-my-reviews"))
    return slot


def defence_result_record(*, actor: User, slot_id: int, attendance: str, score=None, comment: str = "") -> DefenceSlot:
    """Attendance and, for an applicant present, the panel's score (0–100)."""
    slot = (DefenceSlot.objects.select_related("session__call__committee", "application").filter(pk=slot_id).first())
    if slot is None or not is_secretary(actor, slot.session.call.committee_id):
        raise NotFound()
    require_operational(slot.session.call.committee)
    if attendance not in DefenceSlot.Attendance.values or attendance == DefenceSlot.Attendance.PENDING:
        raise InvalidInput(_("Record attended or absent."), field="attendance")
    value = None
    if score not in (None, ""):
        if attendance != DefenceSlot.Attendance.PRESENT:
            raise InvalidInput(_("Only an applicant present has a defence score."), field="score")
        try:
            value = Decimal(str(score))
        except (InvalidOperation, ValueError):
            raise InvalidInput(_("The defence score is a number from 0 to 100."), field="score")
        if not value.is_finite() or not Decimal(0) <= value <= Decimal(100) or value != value.quantize(
                Decimal("0.01")):
            raise InvalidInput(_("The defence score is a number from 0 to 100."), field="score")
    if timezone.now() < slot.starts_at:
        raise InvalidInput(_("This defence has not taken place yet: it starts at %(when)s (Beijing time). Record "
                             "the attendance and the score once it has started.") % {"when": _local(slot.starts_at)},
                           field="attendance")
    with transaction.atomic():
        slot = DefenceSlot.objects.select_for_update().get(pk=slot.pk)
        if slot.application.status != ApplicationStatus.IN_EVALUATION:
            raise RuleViolation(_("The application is no longer in evaluation."), rule="R4.1")
        before = {"attendance": slot.attendance, "score": str(slot.score) if slot.score is not None else None}
        slot.attendance, slot.score, slot.comment = attendance, value, (comment or "")[:4000]
        slot.recorded_by, slot.recorded_at = actor, timezone.now()
        slot.save()
        audit_record(actor=actor, action="defence.result", obj=slot.application, before=before,
                     after={"slot": slot.pk, "attendance": attendance, "score": str(value) if value is not None
                            else None})
    return slot


__all__ = ["defence_result_record", "defence_session_create", "defence_slot_add"]
