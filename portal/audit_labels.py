"""The audit trail in words (issue 12 §1): what each recorded action means, and the names of the
details an event records beside the model's fields.

An action keeps its code in the database (it is what the filter and the export take); a person sees
``action_label(code)``. Every action the code records has a label here (the test
``tests/portal/test_audit_labels.py`` reads every ``audit_record`` call); an action not named here
(a newer one, or one recorded before a rename) is shown by the kind of object it touched, never by
its code.
"""

from __future__ import annotations

import functools
import re

from django.utils.translation import get_language, gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

#: Actions on an application are labelled where the applicant's timeline labels them
#: (``applications.selectors.ACTION_LABELS``); these are the rest.
ACTION_LABELS = {
    "application.submit_direct": _("Submitted with the integrity pledge"),
    "application.revoke": _("Title revoked"),
    "application.reconsider": _("Reconsideration granted; evaluated again"),
    "application.refused": _("Application refused: outside the committee's scope"),
    "assignment.declare_conflict": _("Expert declared a conflict of interest"),
    "assignment.draw": _("Experts drawn"),
    "assignment.withdraw": _("Expert withdrawn from an assignment"),
    "audit.export": _("Audit trail exported"),
    "auth.locked_out": _("Login locked after failed attempts"),
    "ballot.cast": _("Vote cast"),
    "call.open": _("Call opened"),
    "call.rename_translations": _("Call's Uyghur and English names changed"),
    "certificate.issue": _("Certificate issued"),
    "certificate.bulk_verify": _("Certificates verified in bulk"),
    "certificate.qr_disable": _("QR code disabled"),
    "certificate.qr_enable": _("QR code enabled"),
    "certificate.qr_replace": _("QR code replaced"),
    "certificate.reissue": _("Certificate reissued"),
    "certificate.revoke": _("Certificate revoked"),
    "certificate.supersede": _("Certificate replaced"),
    "certificate_batch.create": _("Certificate batch created"),
    "certificate_batch.retry": _("Certificate batch retried"),
    "committee.fee": _("Committee fee recorded"),
    "committee.file": _("Committee filed"),
    "committee.lapse": _("Committee filing lapsed"),
    "committee.member_add": _("Committee member added"),
    "committee.member_remove": _("Committee member removed"),
    "committee.reinstate": _("Committee reinstated"),
    "committee.rename_translations": _("Committee's Uyghur and English names changed"),
    "committee.renew": _("Committee filing renewed"),
    "defence.result": _("Defence result recorded"),
    "defence.session_create": _("Defence session created"),
    "defence.slot_add": _("Defence slot added"),
    "eligibility.condition_added": _("Eligibility condition added"),
    "eligibility.condition_changed": _("Eligibility condition changed"),
    "eligibility.condition_deleted": _("Eligibility condition deleted"),
    "employment.confirm": _("Employment confirmed"),
    "employment.create_from_invitation": _("Employment created from an invitation"),
    "employment.declare": _("Employment declared"),
    "employment.end": _("Employment ended"),
    "employment.reject": _("Employment rejected"),
    "enterprise.approve": _("Enterprise approved"),
    "enterprise.register": _("Enterprise registered"),
    "enterprise.reinstate": _("Enterprise reinstated"),
    "enterprise.reject": _("Enterprise rejected"),
    "enterprise.resubmit": _("Enterprise registration resubmitted"),
    "enterprise.suspend": _("Enterprise suspended"),
    "expert.add": _("Expert added"),
    "expert.deactivate": _("Expert deactivated"),
    "expert.import": _("Experts imported"),
    "expert.update": _("Expert details changed"),
    "integrity.case.close": _("Case closed"),
    "integrity.case.evidence": _("Evidence added to a case"),
    "integrity.case.investigate": _("Investigation started"),
    "integrity.case.not_uphold": _("Case not upheld"),
    "integrity.case.note": _("Note added to a case"),
    "integrity.case.open": _("Case opened"),
    "integrity.case.uphold": _("Case upheld"),
    "integrity.report": _("Report received"),
    "integrity.report.dismiss": _("Report dismissed"),
    "integrity_record.create": _("Integrity record created"),
    "invitation.accept": _("Invitation accepted"),
    "invitation.create": _("Invitation sent"),
    "invitation.decline": _("Invitation declined"),
    "invitation.revoke": _("Invitation revoked"),
    "meeting.attendance": _("Attendance recorded"),
    "meeting.close": _("Meeting closed"),
    "meeting.close_ballot": _("Ballot closed and counted"),
    "meeting.create": _("Meeting created"),
    "meeting.notice": _("Meeting notice sent"),
    "meeting.open": _("Ballot opened"),
    "meeting.resolve_excess": _("Pass-rate ceiling decision recorded"),
    "membership.deactivate": _("Member removed from an organisation"),
    "oversight.alert.acknowledge": _("Oversight alert acknowledged"),
    "oversight.check": _("Oversight check run"),
    "policy.change": _("Policy settings changed"),
    "publicity.close": _("Result publicity closed"),
    "publicity.objection": _("Objection raised during result publicity"),
    "publicity.objection_answer": _("Objection answered"),
    "publicity.objection_contact_view": _("Objector's contact viewed in full"),
    "publicity.open": _("Result publicity opened"),
    "recognition.decide": _("Recognition decided"),
    "reconsideration.decide": _("Reconsideration decided"),
    "reconsideration.request": _("Reconsideration requested"),
    "result.file": _("Results filed"),
    "review_setup.configure": _("Review set up"),
    "score.start": _("Scoring started"),
    "score.submit": _("Scores submitted"),
    "signing_key.generate": _("Signing key generated"),
    "signing_key.rotate": _("Signing key rotated"),
    "specialty.add": _("Specialty added"),
    "specialty.change": _("Specialty changed"),
    "stats.export": _("Statistics exported"),
    "stats.refresh": _("Statistics refreshed"),
    "stats.refresh_requested": _("Statistics refresh requested"),
    "supervision.duplicates.export": _("Duplicate applications exported"),
    "supervision.enterprise_staff.export": _("Enterprise staff exported"),
    "user.api_token_issue": _("API token issued"),
    "user.api_tokens_revoke": _("API tokens revoked"),
    "user.create_for_expert": _("Account created for an expert"),
    "user.credentials_revoke": _("Sign-in credentials revoked"),
    "user.grant_role": _("Role granted"),
    "user.language": _("Language changed"),
    "user.password_reset": _("Password reset"),
    "user.password_reset_request": _("Password reset requested"),
    "user.preferences": _("Preferences changed"),
    "user.register": _("Account registered"),
}

#: Families of actions whose last part is a choice: the label names the choice by its own label.
FAMILY_LABELS = {
    "committee.sanction.": _("Committee sanctioned: %(what)s"),
    "oversight.alert.": _("Oversight alert raised: %(what)s"),
}
#: ``profile.<section>_add`` / ``_remove``: the applicant's profile.
PROFILE_LABELS = {
    "add": _("Profile entry added: %(what)s"),
    "remove": _("Profile entry removed: %(what)s"),
}


def _family_choices() -> dict[str, dict[str, str]]:
    from review.models import CommitteeSanction
    from supervision.models import OversightAlert

    return {"committee.sanction.": dict(CommitteeSanction.Kind.choices),
            "oversight.alert.": dict(OversightAlert.Kind.choices)}


def profile_section_names() -> dict[str, str]:
    from applications.profile import PROFILE_SECTIONS

    return {kind: str(model._meta.verbose_name_plural) for kind, (model, *_rest) in PROFILE_SECTIONS.items()}


def all_action_labels() -> dict[str, str]:
    """Every labelled action code with its label in the active language."""
    return _action_labels_in(get_language() or "")


@functools.lru_cache(maxsize=8)
def _action_labels_in(language: str) -> dict[str, str]:
    from applications.selectors import ACTION_LABELS as APPLICATION_LABELS

    labels = {code: str(label) for code, label in {**APPLICATION_LABELS, **ACTION_LABELS}.items()}
    for prefix, choices in _family_choices().items():
        for value, name in choices.items():
            labels[prefix + value] = str(FAMILY_LABELS[prefix]) % {"what": name}
    for section, name in profile_section_names().items():
        for verb, label in PROFILE_LABELS.items():
            labels[f"profile.{section}_{verb}"] = str(label) % {"what": name}
    return labels


def action_label(code: str, object_kind: str = "") -> str:
    """What an action did, in words; an unknown action is named by the kind of object it touched."""
    label = all_action_labels().get(code)
    if label is not None:
        return label
    if object_kind:
        return gettext("Change to a record: %(kind)s") % {"kind": object_kind}
    return gettext("Other step")


#: Details an event records that are not fields of its object (counts, ids, summaries), by name.
DETAIL_LABELS = {
    "organization": _("organisation"),
    "decided_by": _("decided by"),
    "abstain": pgettext_lazy("vote", "abstain"),
    "achievement": _("achievement"),
    "allowed": _("passes allowed"),
    "answer": _("answer"),
    "answered": _("corrections answered"),
    "answers": _("answers"),
    "application": _("application"),
    "applications": _("applications"),
    "assignment": _("assignment"),
    "assignments": _("assignments"),
    "attachment": _("file"),
    "attendance": _("attendance"),
    "call": _("call"),
    "call_candidates": _("candidates of the call"),
    "candidate": _("candidate"),
    "candidates": _("candidates"),
    "candidates_here": _("candidates in this meeting"),
    "ceiling": _("pass-rate ceiling"),
    "certificate": _("certificate"),
    "certificates": _("certificates"),
    "certificates_revoked": _("certificates revoked"),
    "changed": _("fields changed"),
    "code": _("code"),
    "committee": _("committee"),
    "content_type": _("file type"),
    "correction": _("correction"),
    "corrections": _("corrections"),
    "count": _("number"),
    "entry": _("publicity entry"),
    "excluded": _("not passed by the decision"),
    "excluded_by_ceiling": _("not passed because of the ceiling"),
    "experts": _("experts"),
    "experts_cancelled": _("experts cancelled"),
    "files": _("files"),
    "filters": _("filters"),
    "id_number": _("ID number"),
    "integrity_record": _("integrity record"),
    "item": _("item"),
    "kind": _("kind"),
    "material": _("material"),
    "max_score": _("maximum score"),
    "may_pass_here": _("may pass in this meeting"),
    "members": _("members"),
    "message": _("message"),
    "n": _("experts per application"),
    "name": _("name"),
    "no": pgettext_lazy("vote", "no"),
    "number": _("number"),
    "objection": _("objection"),
    "outcome": _("outcome"),
    "passed": _("passed"),
    "passed_in_other_meetings": _("passed in other meetings"),
    "present": _("present"),
    "receipt": _("receipt"),
    "receipt_digest": _("receipt fingerprint"),
    "role": _("role"),
    "round": _("correction round"),
    "rows": _("rows"),
    "rubric": _("rubric"),
    "sanction": _("sanction"),
    "score": _("score"),
    "session": _("defence session"),
    "size": pgettext_lazy("file", "size"),
    "slot": _("defence slot"),
    "starts_at": _("starts at"),
    "status": _("status"),
    "tally": _("tally"),
    "target": _("what to correct"),
    "title": pgettext_lazy("achievement", "title"),
    "total": _("total"),
    "user": _("user"),
    "values": _("scores"),
    "verdict": _("verdict"),
    "weight": _("weight"),
    "yes": pgettext_lazy("vote", "yes"),
}


def field_label(field, key: str) -> str:
    """A model field by its label; a field left with the name Django made from its attribute (no
    ``verbose_name`` given, hence English) is named as a detail instead."""
    if field is None or not hasattr(field, "verbose_name"):
        return detail_label(key)
    if str(field.verbose_name) == field.name.replace("_", " ") and key in DETAIL_LABELS:
        return detail_label(key)
    return str(field.verbose_name)


def detail_label(key: str) -> str:
    label = DETAIL_LABELS.get(key)
    return str(label) if label is not None else gettext("other detail")


#: File types by the names people know them by.
CONTENT_TYPES = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG", "image/heic": "HEIC",
                 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel"}

#: Keys kept for machines, not shown in the trail (they stay in the export): a certificate's grant
#: key (``application:42``) and a criterion's code (its name is shown).
INTERNAL_KEYS = frozenset({"grant_key", "code"})


@functools.cache
def _code_labels() -> dict[str, object]:
    """Every code the project keeps (the values of its ``TextChoices``, the material keys) with its
    label; the first enum that names a value wins."""
    from django.db import models

    from applications.application_services import MATERIAL_NAMES

    labels: dict[str, object] = {}
    seen = set()

    def walk(cls):
        for sub in cls.__subclasses__():
            if sub not in seen:
                seen.add(sub)
                yield sub
                yield from walk(sub)

    for choices in walk(models.TextChoices):
        if choices.__module__.split(".")[0] in PROJECT_APPS:
            for value, label in choices.choices:
                labels.setdefault(value, label)
    for key, label in MATERIAL_NAMES.items():
        labels.setdefault(key, label)
    return labels


PROJECT_APPS = ("portal", "applications", "review", "certificates", "integrity", "stats", "supervision")


def catalogue_names() -> dict[str, str]:
    """The title series by their codes (a call records its series by code), in the reader's language."""
    from applications.models import TitleSeries

    return {series.code: series.display_name for series in TitleSeries.objects.all()}


def names_in_event(*records: dict) -> dict[str, str]:
    """Names an event carries for its own codes: a rubric's criteria (``{"code": …, "name": …}``)."""
    names = {}
    for record in records:
        for value in record.values():
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, dict) and isinstance(item.get("code"), str) and item.get("name"):
                        names[item["code"]] = str(item["name"])
    return names


def _key_in_words(key: str, names: dict) -> str:
    if key.isdigit():
        return f"#{key}"
    if key in names:
        return names[key]
    return detail_label(key)


def value_in_words(value, *, key: str = "", names: dict | None = None) -> str:
    """A value of an event's record in the reader's language."""
    names = names or {}
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(pgettext_lazy("boolean", "yes") if value else pgettext_lazy("boolean", "no"))
    if isinstance(value, str):
        if value == "None":  # a value recorded by its text
            return "—"
        if value in {"True", "False"}:
            return value_in_words(value == "True")
        if value in CONTENT_TYPES:
            return CONTENT_TYPES[value]
        if key.endswith("_at") and re.fullmatch(r"\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-]\d\d:\d\d)", value):
            from django.utils import timezone
            from django.utils.dateparse import parse_datetime

            moment = parse_datetime(value)
            if moment is not None and timezone.is_aware(moment):
                return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")
        if key == "target" or re.fullmatch(r"(?:achievement|attachment):\d+", value):
            from applications.corrections import target_label

            return str(target_label(value))
        if value in names:
            return names[value]
        label = _code_labels().get(value)
        return str(label) if label is not None else value
    if isinstance(value, dict):
        parts = [f"{_key_in_words(str(k), names)}: {value_in_words(v, key=str(k), names=names)}"
                 for k, v in value.items() if k not in INTERNAL_KEYS]
        return gettext("; ").join(parts) if parts else "—"
    if isinstance(value, list | tuple):
        parts = [value_in_words(item, key=key, names=names) for item in value]
        separator = " | " if any(isinstance(item, dict) for item in value) else gettext(", ")
        return separator.join(parts) if parts else "—"
    return str(value)
