"""The profile, entered once and reused (R5.1): what the portal already holds
about a person becomes the facts the eligibility engine checks, and a
snapshot frozen with each submitted application."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from applications.choices import Education, Pathway, SkillLevel
from applications.eligibility import EligibilityInput
from applications.models import (
    ContinuingEducation,
    EducationRecord,
    Level,
    QualificationHeld,
    SkillRecord,
    TitleHeld,
    TitleSeries,
    WorkRecord,
)
from portal.models import User


def _years(since: dt.date | None, today: dt.date) -> Decimal:
    if since is None:
        return Decimal(0)
    return (Decimal((today - since).days) / Decimal("365.25")).quantize(Decimal("0.1"), rounding="ROUND_DOWN")


def profile_facts(*, user: User, series: TitleSeries, level: str, pathway: str = Pathway.REGULAR,
                  private_enterprise: bool = False, first_time: bool = False, recommendations: int = 0,
                  today: dt.date | None = None, call_year: int | None = None) -> EligibilityInput:
    """The eligibility input for ``user`` applying for ``level`` in ``series``.

    Continuing education counts the hours of the year before ``call_year`` (the call's 年度): a call
    of 2026 that closes in January 2027 still counts 2025 on 1 January, so its applicants do not turn
    ineligible at midnight. Without a call (the self-check), the year before today's."""
    today = today or timezone.localdate()
    education_year = (call_year or today.year) - 1
    educations = list(EducationRecord.objects.filter(user=user))
    best = max(educations, key=lambda e: (Education.rank(e.level), -e.graduated_on.toordinal()), default=None)
    first_graduation = (min((e.graduated_on for e in educations if e.level == best.level), default=None)
                        if best else None)
    titles = list(TitleHeld.objects.filter(user=user, series=series))
    held = max(titles, key=lambda t: (Level.rank(t.level), -t.granted_on.toordinal()), default=None)
    skills = list(SkillRecord.objects.filter(user=user))
    skill = max(skills, key=lambda s: (SkillLevel.rank(s.level), -s.obtained_on.toordinal()), default=None)
    qualification = (QualificationHeld.objects.filter(user=user, qualification__series=series)
                     .select_related("qualification").order_by("-obtained_on").first())
    current_level, level_since = (held.level, held.granted_on) if held else (None, None)
    if qualification and Level.rank(qualification.qualification.level) > Level.rank(current_level):
        # R4.7: a qualification counts as the matching title level when it ranks higher.
        current_level, level_since = None, qualification.obtained_on
    hours = (ContinuingEducation.objects.filter(user=user, year=education_year).values_list("hours", flat=True)
             .first() or Decimal(0))
    return EligibilityInput(
        series=series.code, level=level, pathway=pathway,
        education=best.level if best else None,
        years_since_graduation=_years(first_graduation, today),
        current_level=current_level, years_at_current_level=_years(level_since, today),
        skill_level=skill.level if skill else None, skill_years=_years(skill.obtained_on if skill else None, today),
        qualification=qualification.qualification.code if qualification else None,
        continuing_education_hours=Decimal(hours), private_enterprise=private_enterprise, first_time=first_time,
        recommendations=recommendations,
    )


def profile_snapshot(*, user: User) -> dict:
    """What the profile said at submission, frozen with the application."""
    return {
        "education": [{"level": e.level, "school": e.school, "major": e.major,
                       "graduated_on": e.graduated_on.isoformat(), "full_time": e.full_time}
                      for e in EducationRecord.objects.filter(user=user)],
        "titles": [{"series": t.series_id, "level": t.level, "title": t.title_name,
                    "granted_on": t.granted_on.isoformat(), "number": t.certificate_number}
                   for t in TitleHeld.objects.filter(user=user)],
        "skills": [{"level": s.level, "occupation": s.occupation, "obtained_on": s.obtained_on.isoformat()}
                   for s in SkillRecord.objects.filter(user=user)],
        "qualifications": [{"code": q.qualification.code, "obtained_on": q.obtained_on.isoformat()}
                           for q in QualificationHeld.objects.filter(user=user).select_related("qualification")],
        "continuing_education": {str(c.year): str(c.hours) for c in ContinuingEducation.objects.filter(user=user)},
    }


# --- Writes: the applicant keeps the profile (R5.1) ----------------------------

PROFILE_SECTIONS = {
    "education": (EducationRecord, ("level", "school", "major", "graduated_on", "full_time"), "graduated_on"),
    "work": (WorkRecord, ("employer_name", "position", "started_on", "ended_on", "duties"), "started_on"),
    "titles": (TitleHeld, ("series", "level", "title_name", "granted_on", "certificate_number", "granting_body"),
               "granted_on"),
    "skills": (SkillRecord, ("level", "occupation", "obtained_on", "certificate_number"), "obtained_on"),
    "qualifications": (QualificationHeld, ("qualification", "obtained_on", "certificate_number"), "obtained_on"),
    "continuing-education": (ContinuingEducation, ("year", "hours"), None),
}


def _section(kind: str):
    from portal.errors import NotFound

    if kind not in PROFILE_SECTIONS:
        raise NotFound()
    return PROFILE_SECTIONS[kind]


def profile_record_add(*, user: User, kind: str, data: dict):
    """Add one row to a section of the profile (education, work, titles held,
    skills, qualifications, continuing education); audited."""
    from django.core.exceptions import ValidationError
    from django.db import transaction
    from django.utils.translation import gettext as _

    from portal.audit import audit_record, snapshot
    from portal.errors import InvalidInput

    model, fields, date_field = _section(kind)
    values = {f: data.get(f) for f in fields if f in data}
    today = timezone.localdate()
    if date_field and isinstance(values.get(date_field), dt.date) and values[date_field] > today:
        raise InvalidInput(_("The date cannot be in the future."), field=date_field)
    if kind == "titles":
        values.setdefault("title_name", "")
        if not values["title_name"] and values.get("series") is not None and values.get("level"):
            from applications.models import TitleName

            title = TitleName.objects.filter(series=values["series"], level=values["level"]).first()
            values["title_name"] = title.name if title else ""
    if kind == "continuing-education":
        year = values.get("year")
        if not isinstance(year, int) or not (1980 <= year <= today.year):
            raise InvalidInput(_("Enter a year from 1980 to this year."), field="year")
    for name, value in list(values.items()):
        if isinstance(value, str):
            values[name] = value.strip()
    with transaction.atomic():
        if kind == "continuing-education":
            obj = ContinuingEducation.objects.select_for_update().filter(user=user, year=values["year"]).first()
            if obj is not None:
                obj.hours = values.get("hours")
            else:
                obj = ContinuingEducation(user=user, **values)
        else:
            obj = model(user=user, **values)
        try:
            obj.full_clean()
        except ValidationError as e:
            field = next(iter(e.message_dict), None) if hasattr(e, "message_dict") else None
            raise InvalidInput(" ".join(e.messages), field=field)
        obj.save()
        audit_record(actor=user, action=f"profile.{kind}_add", obj=obj, after=snapshot(obj, fields))
    return obj


def profile_record_remove(*, user: User, kind: str, record_id: int) -> None:
    from django.db import transaction
    from django.utils.translation import gettext as _

    from portal.audit import audit_record, snapshot
    from portal.errors import NotFound, RuleViolation

    model, fields, _date = _section(kind)
    with transaction.atomic():
        obj = model.objects.select_for_update().filter(user=user, pk=record_id).first()
        if obj is None:
            raise NotFound()
        if kind == "titles" and obj.granted_by_portal:
            raise RuleViolation(_("A title granted through this portal stays on your profile."), rule="R5.1")
        audit_record(actor=user, action=f"profile.{kind}_remove", obj=obj, before=snapshot(obj, fields))
        obj.delete()


def profile_records(*, user: User) -> dict[str, list]:
    """Every section of the profile (one query per section)."""
    return {
        "education": list(EducationRecord.objects.filter(user=user)),
        "work": list(WorkRecord.objects.filter(user=user)),
        "titles": list(TitleHeld.objects.filter(user=user).select_related("series")),
        "skills": list(SkillRecord.objects.filter(user=user)),
        "qualifications": list(QualificationHeld.objects.filter(user=user).select_related("qualification")),
        "continuing-education": list(ContinuingEducation.objects.filter(user=user)),
    }
