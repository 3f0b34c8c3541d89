"""Submission receipts (回执): every submission gives the applicant a receipt number, the time and
what was submitted — in the portal (a printable page), by email and by SMS, in their language.

``receipt_issue`` runs inside the submitting transaction (``application_submit`` and
``application_resubmit``): the receipt exists exactly when the submission does.
"""

from __future__ import annotations

import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application, ApplicationStatus, SubmissionReceipt
from portal.models import Topic, User
from portal.notifications import notification_send


def _contents(application: Application) -> dict:
    """What was submitted, in codes and the names the applicant typed (rendered per language later)."""
    from applications.application_services import MATERIAL_NAMES

    attachments = list(application.attachments.order_by("material", "pk").values(
        "material", "original_name", "size", "achievement_id"))
    return {
        "title_name": application.title_name, "series": application.series.name,
        "specialty": application.specialty.name, "level": application.level, "call": application.call.name,
        "call_closes_at": application.call.closes_at.isoformat(), "pathway": application.pathway,
        "channel": application.channel, "region": application.region.name,
        "reviewing_unit": application.sponsor.name if application.sponsor_id else "",
        "achievements": [{"kind": a.kind, "title": a.title} for a in application.achievements.all()],
        "materials": [{"material": str(MATERIAL_NAMES.get(a["material"], a["material"])),
                       "material_code": a["material"], "name": a["original_name"], "size": a["size"],
                       "evidence": bool(a["achievement_id"])} for a in attachments],
    }


def receipt_issue(*, application: Application, kind: str) -> SubmissionReceipt:
    """Record the receipt of a submission and send it (call inside the submitting transaction; the
    caller's audit event of the submission carries the receipt's number and digest)."""
    now = application.submitted_at if kind == SubmissionReceipt.Kind.SUBMIT and application.submitted_at \
        else timezone.now()
    seq = application.receipts.count() + 1
    contents = _contents(application)
    canonical = json.dumps(contents, sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder)
    number = f"SB{timezone.localtime(now):%Y%m%d}-{application.pk:06d}-{seq}"
    receipt = SubmissionReceipt.objects.create(
        application=application, seq=seq, number=number, kind=kind, submitted_at=now, contents=contents,
        digest=hashlib.sha256(canonical.encode("utf-8")).hexdigest())
    _send(receipt, application)
    return receipt


def _next_step(application: Application) -> str:
    S = ApplicationStatus
    return {
        S.EMPLOYER_REVIEW: _("Next, your reviewing unit's HR checks it; you are told of every step."),
        S.ACCEPTANCE: _("Next, the acceptance body checks that the materials are complete; you are told of every "
                        "step."),
        S.QUALIFICATION_AUDIT: _("Next, the HR bureau audits your qualification (R6.1); you are told of every "
                                 "step."),
        S.UNIT_PUBLICITY: _("It goes back to unit publicity; you are told of every step."),
    }.get(application.status, _("You are told of every step."))


def contents_in_language(receipt: SubmissionReceipt, application: Application) -> dict:
    """What the receipt froze, with the reference data (series, specialty, region, call) named in the reader's
    language: the frozen Chinese name is the same row's name when the application still points at it
    (the receipt and its digest keep the Chinese)."""
    c = dict(receipt.contents)
    for key, obj in (("series", application.series), ("specialty", application.specialty),
                     ("region", application.region), ("call", application.call)):
        if obj is not None and c.get(key) == obj.name:
            c[key] = obj.display_name
    return c


def _send(receipt: SubmissionReceipt, application: Application) -> None:
    c = receipt.contents

    def subject():
        return _("Receipt %(number)s: your application for %(title)s is submitted") % {
            "number": receipt.number, "title": c["title_name"]}

    def body():
        c = contents_in_language(receipt, application)  # in the recipient's language
        when = timezone.localtime(receipt.submitted_at).strftime("%Y-%m-%d %H:%M")
        lines = [
            (_("Submitted on %(when)s (Beijing time)") if receipt.kind == SubmissionReceipt.Kind.SUBMIT
             else _("Resubmitted after correction on %(when)s (Beijing time)")) % {"when": when} + ".",
            _("Title: %(title)s (%(series)s · %(specialty)s). Call: %(call)s.") % {
                "title": c["title_name"], "series": c["series"], "specialty": c["specialty"], "call": c["call"]},
            _("Submitted: %(achievements)d achievement(s) and %(files)d file(s): %(names)s.") % {
                "achievements": len(c["achievements"]), "files": len(c["materials"]),
                "names": "、".join(m["name"] for m in c["materials"][:6])
                + ("…" if len(c["materials"]) > 6 else "")},
            _next_step(application),
            _("Keep the receipt number %(number)s; quote it if you ask about this application.") % {
                "number": receipt.number},
        ]
        return "\n".join(lines)

    notification_send(recipients=[application.applicant], topic=Topic.RECEIPT, subject=subject, body=body,
                      url=reverse("application-receipt", args=[application.pk, receipt.seq]))


def receipts_for_applicant(*, user: User, application_id: int):
    """The receipts of one of the user's own applications, oldest first."""
    return SubmissionReceipt.objects.filter(application_id=application_id,
                                            application__applicant=user).order_by("seq")
