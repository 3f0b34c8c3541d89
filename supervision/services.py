"""Writes of the supervision app: the oversight check that raises alerts
(R6.7 pass rates, R2.4 late filings), acknowledging an alert, and the
audited Excel exports (duplicate evaluation R6.4, enterprise view R5.4).

The check is idempotent: an alert is unique per kind and call, so running
it twice (beat and a supervisor's "check now") raises nothing twice.
"""

from __future__ import annotations

import datetime as dt
from io import BytesIO

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook

from applications.models import Level
from portal import selectors as portal_selectors
from portal.audit import audit_record
from portal.errors import InvalidInput, NotAllowed, NotFound
from portal.models import Committee, PolicySettings, Role, User
from portal.notifications import notification_send
from portal.spreadsheets import excel_safe, sheet_title
from review.services.meetings import allowed_passes
from supervision import selectors
from supervision import workflow as wf
from supervision.models import OversightAlert

#: Roles whose exports may carry full personal data (never shown on a page).
FULL_DATA_ROLES = (Role.SUPERVISOR,)
EXPORT_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- The oversight check -------------------------------------------------------------------

def _alert_recipients(committee: Committee) -> list[User]:
    supervisors = list(User.objects.filter(is_active=True, groups__name=Role.SUPERVISOR).distinct())
    officers = list(portal_selectors.bureau_officers_for_region(region=committee.filed_by.region))
    return supervisors + officers


def _alert_subject(alert: OversightAlert) -> str:
    d = alert.details
    if alert.kind == OversightAlert.Kind.PASS_RATE_OVER_CEILING:
        return _("Pass rate over the ceiling: %(call)s passed %(passes)s of %(candidates)s (ceiling %(ceiling)s, "
                 "R6.7)") % {"call": alert.call.display_name, "passes": d.get("passes"),
                             "candidates": d.get("candidates"), "ceiling": d.get("ceiling")}
    return _("Results of %(call)s not filed %(days)s days after review (R2.4)") % {
        "call": alert.call.display_name, "days": d.get("days_since_review")}


def _raise(*, kind: str, call, details: dict, actor: User | None, now: dt.datetime) -> OversightAlert | None:
    """Create the alert unless one exists for this kind and call; audit and notify."""
    if OversightAlert.objects.filter(kind=kind, call=call).exists():
        return None
    alert = OversightAlert(kind=kind, committee=call.committee, call=call, details=details, raised_at=now)
    alert.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            alert.save()
            audit_record(actor=actor, action=f"oversight.alert.{kind}", obj=alert,
                         after={"kind": kind, "committee": call.committee_id, "call": call.pk, **details})
    except IntegrityError:  # raised meanwhile by another run
        return None
    url = reverse("supervision-alerts")
    recipients = _alert_recipients(call.committee)
    transaction.on_commit(lambda: notification_send(
        recipients=recipients, subject=lambda: _alert_subject(alert),
        body=lambda: _("See the alert and the committee's figures on the oversight page."), url=url))
    return alert


def oversight_check(*, actor: User | None = None, now: dt.datetime | None = None) -> list[OversightAlert]:
    """Check every committee call: passes over the call's pass-rate ceiling
    (R6.7), and results not filed ``filing_late_days`` after the review
    ended (the last meeting closed). Returns the alerts raised now."""
    now = now or timezone.now()
    late_days = PolicySettings.load().filing_late_days
    calls = selectors.calls_with_figures(call_ids=None)
    raised = []
    for call in calls:
        if call.committee_id is None:
            continue
        if call.over_ceiling:
            alert = _raise(kind=OversightAlert.Kind.PASS_RATE_OVER_CEILING, call=call, actor=actor, now=now, details={
                "passes": call.n_passes, "candidates": call.n_candidates, "pass_rate": str(call.pass_rate),
                "ceiling": str(call.pass_rate_ceiling),
                "allowed": allowed_passes(candidates=call.n_candidates, ceiling=call.pass_rate_ceiling)})
            if alert:
                raised.append(alert)
        ended = call.review_ended_at
        if ended is not None and not call.n_filings and now - ended > dt.timedelta(days=late_days):
            alert = _raise(kind=OversightAlert.Kind.LATE_FILING, call=call, actor=actor, now=now, details={
                "review_ended": timezone.localtime(ended).date().isoformat(), "limit_days": late_days,
                "days_since_review": (now - ended).days})
            if alert:
                raised.append(alert)
    return raised


def oversight_check_now(*, actor: User) -> list[OversightAlert]:
    """A supervisor runs the check at once instead of waiting for beat (audited)."""
    if not selectors.is_supervisor(actor):
        raise NotAllowed(_("Only a supervisor runs the oversight check."))
    raised = oversight_check(actor=actor)
    with transaction.atomic():
        audit_record(actor=actor, action="oversight.check", object_type="supervision.oversightalert",
                     object_id="check", after={"raised": [a.pk for a in raised]})
    return raised


def alert_acknowledge(*, actor: User, alert_id: int, note: str) -> OversightAlert:
    """The supervisor or the bureau concerned acknowledges an alert, saying what is done about it."""
    note = (note or "").strip()
    if not note:
        raise InvalidInput(_("Say what is being done about this alert."), field="note")
    if len(note) > 2000:
        raise InvalidInput(_("Keep the note under 2,000 characters."), field="note")
    with transaction.atomic():
        visible = selectors.alert_for_user(user=actor, pk=alert_id)
        if visible is None:
            raise NotFound()
        alert = OversightAlert.objects.select_for_update().get(pk=visible.pk)
        roles = {wf.SUPERVISOR} if selectors.is_supervisor(actor) else {wf.BUREAU}
        transition = wf.ALERT_WORKFLOW.check(action="acknowledge", current=alert.status, roles=roles)
        alert.status, alert.acknowledged_by, alert.acknowledged_at, alert.note = (
            transition.target, actor, timezone.now(), note)
        alert.full_clean()
        alert.save(update_fields=["status", "acknowledged_by", "acknowledged_at", "note"])
        audit_record(actor=actor, action="oversight.alert.acknowledge", obj=alert, before={"status": "open"},
                     after={"status": alert.status}, reason=note)
    return alert


# --- Exports ----------------------------------------------------------------------------------

def _workbook_bytes(workbook: Workbook) -> bytes:
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _local(value):
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def duplicate_report_export(*, actor: User, full: bool = False) -> bytes:
    """The duplicate-evaluation report as Excel. Masked ID numbers and mobiles
    unless ``full`` and the actor's role allows full data; every export is
    audited, a full-data one with ``full: true``."""
    if not selectors.may_oversee(actor):
        raise NotFound()
    if full and not any(actor.has_role(r) for r in FULL_DATA_ROLES):
        raise NotAllowed(_("Your role may export masked personal data only."))
    groups = selectors.duplicate_evaluations(user=actor)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title(_("Duplicate evaluation")))
    sheet.append([_("Name"), _("ID number"), _("Mobile"), _("Series"), _("Year"), _("Finding"), _("Application"),
                  _("Call"), _("Committee"), _("Level"), _("Status"), _("Submitted")])
    rows = 0
    for g in groups:
        person = g["applicant"]
        finding = "; ".join(f for f, on in ((str(_("several committees")), g["multi_committee"]),
                                            (str(_("several live applications")), g["multi_live"])) if on)
        for a in g["applications"]:
            sheet.append([excel_safe(person.real_name), person.id_number if full else person.id_number_masked,
                          person.mobile if full else person.mobile_masked, g["series"].display_name, g["year"],
                          finding, a.pk, excel_safe(a.call.display_name),
                          excel_safe(a.call.committee.display_name) if a.call.committee else "",
                          a.get_level_display(), a.get_status_display(), _local(a.submitted_at)])
            rows += 1
    data = _workbook_bytes(workbook)
    with transaction.atomic():
        audit_record(actor=actor, action="supervision.duplicates.export", object_type="applications.application",
                     object_id="duplicates", after={"people": len(groups), "rows": rows, "full": bool(full)})
    return data


def enterprise_staff_export(*, actor: User, organization_id: int, name: str = "", series_id: int | None = None,
                            level: str = "") -> bytes:
    """R5.4: the enterprise's titles, applications in progress and certificates
    as Excel, ID numbers masked; the export is audited."""
    organization = selectors.enterprise_for_hr(user=actor, pk=organization_id)
    if organization is None:
        raise NotFound()
    if level and level not in Level.values:
        raise InvalidInput(_("Choose a level."), field="level")
    staff = list(selectors.enterprise_staff(organization=organization, name=name, series_id=series_id, level=level))
    workbook = Workbook(write_only=True)
    person = [_("Name"), _("ID number"), _("Position")]
    titles = workbook.create_sheet(sheet_title(_("Titles held")))
    titles.append([*person, _("Series"), _("Level"), _("Title"), _("Date granted"), _("Certificate number"),
                   _("Granting body")])
    apps = workbook.create_sheet(sheet_title(pgettext("spreadsheet tab", "Applications in progress")))
    apps.append([*person, _("Series"), _("Level"), _("Target title"), _("Call"), _("Status"), _("Submitted")])
    certs = workbook.create_sheet(sheet_title(_("Certificates")))
    certs.append([*person, _("Certificate number"), _("Series"), _("Level"), _("Title"), _("Date granted"),
                  _("Status")])
    counts = {"titles": 0, "applications": 0, "certificates": 0}
    for e in staff:
        # Catalogue names (series, titles as the catalogue names them) in the reader's language; what
        # a person typed (names, positions, a title not in the catalogue, numbers) as typed, never
        # starting a formula.
        who = [excel_safe(e.user.real_name), e.user.id_number_masked, excel_safe(e.position)]
        for t in e.user.titles:
            titles.append([*who, t.series.display_name, t.get_level_display(), excel_safe(t.title_display),
                           t.granted_on, excel_safe(t.certificate_number), excel_safe(t.granting_body)])
            counts["titles"] += 1
        for a in e.user.open_applications:
            apps.append([*who, a.series.display_name, a.get_level_display(), a.title_display,
                         excel_safe(a.call.display_name),
                         a.get_status_display(), _local(a.submitted_at)])
            counts["applications"] += 1
        for c in e.user.certificate_list:
            certs.append([*who, c.number, c.series_display, c.get_level_display(), c.title_display, c.date_granted,
                          c.get_status_display()])
            counts["certificates"] += 1
    data = _workbook_bytes(workbook)
    with transaction.atomic():
        audit_record(actor=actor, action="supervision.enterprise_staff.export", obj=organization,
                     after={"people": len(staff), **counts, "full": False,
                            "filters": {k: v for k, v in (("name", name), ("series", series_id), ("level", level))
                                        if v}})
    return data


__all__ = ["EXPORT_MIME", "FULL_DATA_ROLES", "alert_acknowledge", "duplicate_report_export",
           "enterprise_staff_export", "oversight_check", "oversight_check_now"]
